"""``fieldscan export responses``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from fieldscan.audit.services import record
from fieldscan.exports import tables, writers
from fieldscan.extensions import db
from fieldscan.locales import normalize_language

_WRITERS = {"csv": writers.write_csv, "xlsx": writers.write_xlsx}


@click.group("export", help="Export data.")
def export_cli() -> None:
    """Export commands."""


@export_cli.command("responses")
@click.option("--survey", "survey_id", required=True, help="Survey id.")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(_WRITERS)), default="csv", show_default=True
)
@click.option(
    "--output",
    required=False,
    type=click.Path(dir_okay=False),
    help="File to write (default: <survey>.<format>).",
)
@click.option("--language", default=None, help="Language of the column labels (default en).")
@with_appcontext
def responses_command(survey_id: str, fmt: str, output: str | None, language: str | None) -> None:
    """One row per response, one column per question, labels in the chosen language."""
    lang = None
    if language:
        lang = normalize_language(language)
        if lang is None:
            raise click.ClickException(f"--language {language!r} is not a known language")
    try:
        table = tables.response_table(survey_id, lang)
    except tables.ExportError as error:
        raise click.ClickException(str(error)) from None
    path = Path(output or f"{survey_id}.{fmt}")
    _WRITERS[fmt](table, path)
    record(
        "responses.export",
        "survey",
        survey_id,
        actor_label="cli",
        details={"format": fmt, "rows": len(table.rows)},
    )
    db.session.commit()
    click.echo(f"{len(table.rows)} responses written to {path}")
