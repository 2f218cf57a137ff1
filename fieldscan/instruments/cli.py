"""``fieldscan surveys ...`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.instruments import services
from fieldscan.sms import lint
from fieldscan.survey import SurveyDefinitionError
from fieldscan.xlsform.cli import import_xlsform_command

#: Where ``surveys lint`` finds accepted exceptions, relative to the definitions folder. A
#: sub-folder, because every ``*.yaml`` directly in the folder is read as a survey.
LINT_EXCEPTIONS = Path("lint") / "exceptions.yaml"


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


@surveys_cli.command("lint")
@click.argument("path", required=False)
@click.option(
    "--all", "show_all", is_flag=True, help="Also list every SMS text's encoding and segments."
)
@click.option(
    "--exceptions",
    "exceptions_file",
    type=click.Path(dir_okay=False),
    help=f"Accepted exceptions (default: <definitions folder>/{LINT_EXCEPTIONS.as_posix()}).",
)
@with_appcontext
def lint_command(path: str | None, show_all: bool, exceptions_file: str | None) -> None:
    """Check the SMS texts of survey definitions: segments and avoidable UCS-2 characters.

    Exits non-zero when a finding is not an accepted exception. No database is needed.
    """
    target = _path_or_default(path)
    try:
        definitions = services.read_definitions(target)
    except SurveyDefinitionError as error:
        for line in str(error).splitlines():
            click.echo(line, err=True)
        raise click.ClickException("survey definitions are invalid; nothing was linted") from None
    folder = target if target.is_dir() else target.parent
    exceptions_path = Path(exceptions_file) if exceptions_file else folder / LINT_EXCEPTIONS
    if exceptions_file and not exceptions_path.is_file():
        raise click.ClickException(f"{exceptions_path}: no such file")
    try:
        exceptions = lint.load_exceptions(exceptions_path)
    except lint.LintExceptionsError as error:
        raise click.ClickException(str(error)) from error

    findings: list[lint.LintFinding] = []
    texts = 0
    for definition in definitions:
        measurements = lint.measure_survey(definition)
        texts += len(measurements)
        if show_all:
            for m in measurements:
                click.echo(
                    f"{m.survey_id} / {m.question_id} / {m.language}: {m.info.encoding}, "
                    f"{lint.plural(m.info.units, 'unit')}, "
                    f"{lint.plural(m.info.segments, 'segment')}"
                )
        findings.extend(lint.lint_survey(definition, exceptions=exceptions))
    for line in lint.iter_lines(findings):
        click.echo(line)
    ids = {definition.id for definition in definitions}
    for stale in lint.unused_exceptions(exceptions, findings, ids):
        click.echo(
            f"note: exception no longer needed: {stale.survey} / {stale.question} / "
            f"{stale.language} ({exceptions_path})"
        )
    open_findings = sum(1 for finding in findings if finding.accepted is None)
    click.echo(
        f"{lint.plural(len(definitions), 'survey')}, {lint.plural(texts, 'SMS text')}: "
        f"{lint.plural(open_findings, 'finding')}, "
        f"{lint.plural(len(findings) - open_findings, 'accepted exception')}"
    )
    if open_findings:
        click.get_current_context().exit(1)


surveys_cli.add_command(import_xlsform_command)
