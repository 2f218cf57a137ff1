"""``fieldscan demo load``: invented data so a first start shows populated reports."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldscan.demo.loader import DemoError, load_demo
from fieldscan.extensions import db


@click.group("demo", help="Demo data for a first look (development only).")
def demo_cli() -> None:
    """Demo commands."""


@demo_cli.command("load")
@with_appcontext
def load_command() -> None:
    """Load invented sites, partners, staff accounts and responses (once)."""
    if current_app.config["FIELDSCAN_ENV"] == "production":
        raise click.ClickException("demo data is not loaded in production")
    try:
        report = load_demo()
    except DemoError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if report.skipped:
        click.echo("demo data already loaded")
        return
    credentials = Path(current_app.instance_path) / "demo-credentials.txt"
    lines = [f"{email}  {password}" for email, password in report.users.items()]
    credentials.write_text("\n".join(lines) + "\n", encoding="utf-8")
    credentials.chmod(0o600)
    click.echo(f"demo data loaded: {report.responses} responses, {report.partners} partners")
    click.echo(f"demo sign-ins (also in {credentials}):")
    for line in lines:
        click.echo("  " + line)
