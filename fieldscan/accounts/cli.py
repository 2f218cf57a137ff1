"""``fieldscan users ...`` and ``fieldscan tokens ...`` commands."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask.cli import with_appcontext

from fieldscan.accounts import services, tokens
from fieldscan.accounts.passwords import PasswordPolicyError
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.models import User


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


@click.group("tokens", help="Manage device tokens for the JSON API.")
def tokens_cli() -> None:
    """Device token commands."""


def _user_by_email(email: str) -> User:
    user = None if "\x00" in email else services.find_user(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email.strip().lower()!r}")
    return user


@tokens_cli.command("create")
@click.option("--email", required=True, help="The staff member the token acts as.")
@click.option("--name", default="", help="A label to tell tokens apart (e.g. 'tablet 3').")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create a device token and print it (once: only its hash is kept)."""
    user = _user_by_email(email)
    try:
        stored, token = tokens.create(user, name)
    except tokens.TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record(
        "device_token.create",
        "device_token",
        stored.id,
        actor_label="cli",
        site_id=user.site_id,
        details={"user": user.id},
    )
    db.session.commit()
    click.echo(token)
    click.echo(
        f"token {stored.id} for {user.email} created; it is shown only once, keep it safe",
        err=True,
    )


@tokens_cli.command("revoke")
@click.option("--email", default=None, help="Revoke every token of this staff member.")
@click.option("--token", "token", default=None, help="Revoke this one token.")
@with_appcontext
def revoke_token_command(email: str | None, token: str | None) -> None:
    """Revoke a user's tokens (--email) or one token (--token); they stop working at once."""
    if (email is None) == (token is None):
        raise click.ClickException("give either --email or --token")
    if email is not None:
        user = _user_by_email(email)
        revoked = tokens.revoke_all(user)
    else:
        stored = tokens.find(token)
        if stored is None:
            raise click.ClickException("no such token (check that it was copied whole)")
        user = stored.user
        revoked = [stored] if tokens.revoke(stored) else []
        if not revoked:
            click.echo(f"token {stored.id} of {user.email} was already revoked")
            return
    for stored in revoked:
        record(
            "device_token.revoke",
            "device_token",
            stored.id,
            actor_label="cli",
            site_id=user.site_id,
            details={"user": user.id},
        )
    db.session.commit()
    click.echo(f"{len(revoked)} token(s) of {user.email} revoked")


@tokens_cli.command("list")
@click.option("--email", required=True, help="The staff member whose tokens to list.")
@with_appcontext
def list_tokens_command(email: str) -> None:
    """List a user's tokens: id, name, created, last used, state (never the tokens)."""
    user = _user_by_email(email)
    found = tokens.list_for(user)
    if not found:
        click.echo(f"{user.email} has no tokens")
        return
    for stored in found:
        state = f"revoked {_when(stored.revoked_at)}" if stored.revoked_at else "live"
        click.echo(
            "\t".join(
                [
                    str(stored.id),
                    stored.name or "-",
                    f"created {_when(stored.created_at)}",
                    f"last used {_when(stored.last_used_at) if stored.last_used_at else 'never'}",
                    state,
                ]
            )
        )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
