"""``fieldscan export responses``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.audit.services import record
from fieldscan.exports import fhir, tables, writers
from fieldscan.extensions import db
from fieldscan.locales import SOURCE_LANGUAGE, normalize_language

_WRITERS = {"csv": writers.write_csv, "xlsx": writers.write_xlsx}
_FORMATS = (*_WRITERS, "fhir")
_EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "fhir": "fhir.json"}


@click.group("export", help="Export data.")
def export_cli() -> None:
    """Export commands."""


@export_cli.command("responses")
@click.option("--survey", "survey_id", required=True, help="Survey id.")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(_FORMATS)), default="csv", show_default=True
)
@click.option(
    "--output",
    required=False,
    type=click.Path(dir_okay=False),
    help="File to write (default: <survey>.csv, .xlsx or .fhir.json).",
)
@click.option(
    "--language", default=None, help="Language of the column labels and FHIR texts (default en)."
)
@with_appcontext
def responses_command(survey_id: str, fmt: str, output: str | None, language: str | None) -> None:
    """CSV or XLSX (one row per response, one column per question, labels in the chosen
    language) or a FHIR R4 Bundle (the Questionnaire and one QuestionnaireResponse each)."""
    lang = None
    if language:
        lang = normalize_language(language)
        if lang is None:
            raise click.ClickException(f"--language {language!r} is not a known language")
    path = Path(output or f"{survey_id}.{_EXTENSIONS[fmt]}")
    try:
        if fmt == "fhir":
            export = fhir.build_export(
                survey_id,
                lang,
                base_url=current_app.config.get("FIELDSCAN_PUBLIC_URL"),
                publisher=current_app.config.get("FIELDSCAN_PROGRAM_NAME"),
            )
            rows = fhir.write_fhir(export, path)
        else:
            table = tables.response_table(survey_id, lang)
            _WRITERS[fmt](table, path)
            rows = len(table.rows)
    except tables.ExportError as error:
        raise click.ClickException(str(error)) from None
    record(
        "responses.export",
        "survey",
        survey_id,
        actor_label="cli",
        details={"format": fmt, "rows": rows, "language": lang or SOURCE_LANGUAGE},
    )
    db.session.commit()
    click.echo(f"{rows} responses written to {path}")
