"""``fieldscan sms ...`` commands: invitations, sending, reminders."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.locales import normalize_language
from fieldscan.sms import campaigns, sessions


@click.group("sms", help="Invite respondents by text message and run the outbox.")
def sms_cli() -> None:
    """SMS commands."""


@sms_cli.command("invite")
@click.option("--survey", "survey_id", required=True, help="Survey id, e.g. children_scan.")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV with a phone column and an optional language column.",
)
@click.option("--language", default=None, help="Language for rows without one.")
@with_appcontext
def invite_command(survey_id: str, csv_path: str, language: str | None) -> None:
    """Queue an invitation to SURVEY for every number in the CSV (all rows valid, or none)."""
    version = get_version(survey_id)
    if version is None:
        raise click.ClickException(f"survey {survey_id!r} is not loaded")
    languages = list(sessions.definition_of(version).languages)
    default = None
    if language:
        default = normalize_language(language)
        if default not in languages:
            raise click.ClickException(
                f"--language {language!r} is not one of the survey's ({', '.join(languages)})"
            )
    path = Path(csv_path)
    if not path.is_file():
        raise click.ClickException(f"{csv_path}: no such file")
    try:
        invitees = campaigns.read_invitees(path.read_bytes(), path.name, languages)
        report = campaigns.invite(
            survey_id, invitees, default, current_app.config["FIELDSCAN_PROGRAM_NAME"]
        )
    except campaigns.InvitationError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(
            f"{len(error.problems)} bad rows; no invitation was queued"
        ) from None
    click.echo(
        f"{report.invited} invitations queued; skipped {report.skipped_opted_out} opted out, "
        f"{report.skipped_in_survey} already in a survey, {report.duplicates} duplicates"
    )
