"""``fieldscan surveys ...`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.instruments import services
from fieldscan.survey import SurveyDefinitionError


@click.group("surveys", help="Validate, load and list survey definitions.")
def surveys_cli() -> None:
    """Survey commands."""


def _path_or_default(path: str | None) -> Path:
    target = Path(path) if path else Path(current_app.config["SURVEYS_DIR"])
    if not target.exists():
        raise click.ClickException(f"{target}: no such file or folder")
    return target


def _fail_definition(error: SurveyDefinitionError) -> None:
    for line in str(error).splitlines():
        click.echo(line, err=True)
    raise click.ClickException("survey definitions are invalid; nothing was loaded")


@surveys_cli.command("validate")
@click.argument("path", required=False)
@with_appcontext
def validate_command(path: str | None) -> None:
    """Check survey definition files without loading them (PATH: a file or folder)."""
    target = _path_or_default(path)
    try:
        definitions = services.read_definitions(target)
    except SurveyDefinitionError as error:
        _fail_definition(error)
    for definition in definitions:
        click.echo(f"{definition.id}: ok ({len(definition.languages)} languages)")


@surveys_cli.command("load")
@click.argument("path", required=False)
@with_appcontext
def load_command(path: str | None) -> None:
    """Validate and load survey definitions; changed content becomes a new version."""
    target = _path_or_default(path)
    try:
        outcomes = services.load_surveys(target)
    except SurveyDefinitionError as error:
        _fail_definition(error)
    except services.SchemaMissingError as error:
        raise click.ClickException(str(error)) from error
    for outcome in outcomes:
        state = "loaded" if outcome.created else "unchanged"
        click.echo(f"{outcome.survey_id}: version {outcome.version} {state}")


@surveys_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@with_appcontext
def list_command(as_json: bool) -> None:
    """List the loaded surveys with their languages and SMS keywords."""
    try:
        rows = services.listing()
    except services.SchemaMissingError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no surveys loaded (run 'fieldscan surveys load')")
    for row in rows:
        keywords = ", ".join(row["keywords"].get("en", []))
        click.echo(
            f"{row['id']} v{row['version']}: {row['title']} "
            f"[{len(row['languages'])} languages; keywords {keywords}]"
        )
