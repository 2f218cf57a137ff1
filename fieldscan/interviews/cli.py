"""``fieldscan links create``: one-time patient links from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.accounts.services import get_or_create_site
from fieldscan.interviews import services


@click.group("links", help="One-time survey links for patients.")
def links_cli() -> None:
    """Link commands."""


@links_cli.command("create")
@click.option("--survey", "survey_id", required=True, help="Survey id, e.g. children_scan.")
@click.option("--language", required=True, help="The patient's language, e.g. es.")
@click.option("--site", default=None, help="Site slug the response belongs to.")
@click.option(
    "--hours", type=float, default=None, help="Lifetime (default FIELDSCAN_LINK_TTL_HOURS)."
)
@with_appcontext
def create_command(survey_id: str, language: str, site: str | None, hours: float | None) -> None:
    """Print a one-time link that opens SURVEY in LANGUAGE without logging in."""
    site_id = None
    if site:
        try:
            site_id = get_or_create_site(site).id
        except ValueError as error:
            raise click.ClickException(str(error)) from None
    try:
        _link, token = services.create_link(
            survey_id,
            language,
            site_id=site_id,
            created_by=None,
            hours=hours if hours is not None else current_app.config["FIELDSCAN_LINK_TTL_HOURS"],
        )
    except services.InterviewError as error:
        raise click.ClickException(str(error)) from None
    base = (current_app.config.get("FIELDSCAN_PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
    click.echo(f"{base}/p/{token}")
