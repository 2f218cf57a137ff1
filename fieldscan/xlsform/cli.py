"""``fieldscan surveys import-xlsform FILE [--id ID] [--dry-run]`` (registered on ``surveys``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.instruments.services import SchemaMissingError
from fieldscan.xlsform import services
from fieldscan.xlsform.safety import kind_of, max_bytes_setting


@click.command("import-xlsform")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "survey_id", help="Survey id to use instead of the form's form_id.")
@click.option("--dry-run", is_flag=True, help="Check and report only; store nothing.")
@with_appcontext
def import_xlsform_command(file: Path, survey_id: str | None, dry_run: bool) -> None:
    """Import an ODK/Kobo XLSForm (.xlsx, .xls or .csv) as a survey.

    Prints what was not supported or changed, then 'imported <id> version N'. A refused
    form exits non-zero with one line per problem and stores nothing.
    """
    try:
        limit = max_bytes_setting(current_app.config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    if kind_of(file.name) is None:
        raise click.ClickException(f"{file}: only .xlsx, .xls and .csv XLSForms can be imported")
    size = file.stat().st_size
    if size > limit:
        raise click.ClickException(
            f"{file}: the file is {size:,} bytes; at most {limit:,} bytes are accepted "
            "(FIELDSCAN_XLSFORM_MAX_BYTES); nothing was stored"
        )
    with file.open("rb") as handle:
        data = handle.read(limit + 1)
    try:
        stored = services.import_and_store(
            data,
            file.name,
            survey_id=survey_id,
            dry_run=dry_run,
            max_bytes=limit,
            actor_label="cli",
        )
    except SchemaMissingError as error:
        raise click.ClickException(str(error)) from None
    for kind, text in services.report_lines(stored):
        click.echo(f"{kind}: {text}", err=kind == "error")
    result = stored.result
    if not stored.ok or result.definition is None:
        raise click.ClickException(f"{file.name} was refused; nothing was stored")
    definition = result.definition
    if dry_run:
        click.echo(
            f"dry run: {definition.id} can be imported ({len(definition.flat())} questions and "
            f"notes; languages {', '.join(definition.languages)}); nothing was stored"
        )
        return
    outcome = stored.stored
    assert outcome is not None
    state = "" if outcome.created else " (unchanged)"
    click.echo(f"imported {outcome.survey_id} version {outcome.version}{state}")
