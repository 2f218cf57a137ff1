"""``fieldscan users ...`` commands."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from fieldscan.accounts import services
from fieldscan.accounts.passwords import PasswordPolicyError
from fieldscan.audit.services import record
from fieldscan.extensions import db


@click.group("users", help="Manage staff accounts.")
def users_cli() -> None:
    """User commands."""


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in e-mail address.")
@click.option(
    "--role", required=True, type=click.Choice(["chw", "leadership", "admin"]), help="Role."
)
@click.option("--site", "site", default=None, help="Site slug (created when new).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_command(email: str, role: str, site: str | None, password_stdin: bool) -> None:
    """Create a staff account; the password comes from a prompt or standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, role, password, site)
        record("user.create", "user", user.id, actor_label="cli", site_id=user.site_id)
        db.session.commit()
    except (services.AccountError, PasswordPolicyError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    click.echo(f"user {user.email} created ({user.role.value})")
