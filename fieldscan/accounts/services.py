"""Staff accounts and sites: creating, finding, signing in, deactivating."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select

from fieldscan.accounts import sessions
from fieldscan.accounts.passwords import (
    check_policy,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from fieldscan.extensions import db
from fieldscan.models import Role, SessionEndReason, Site, User

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class AccountError(ValueError):
    """An account cannot be created or changed as asked.

    :attr:`code` names the problem (``bad_email``, ``bad_role``, ``site_required``,
    ``email_taken``, ``bad_slug``, ``bad_name``, ``site_taken``, ``own_account``) so a page
    can say it in the reader's language; the message is English, for the command line.
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Authentication:
    """The outcome of a sign-in attempt."""

    #: The account the e-mail address names, if any (also when the attempt failed).
    user: User | None
    #: None on success; else ``unknown`` (no such account), ``password`` or ``inactive``.
    failure: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the user may sign in."""
        return self.failure is None


def get_or_create_site(slug: str, name: str | None = None) -> Site:
    """The site ``slug``, created when missing."""
    if not _SLUG.match(slug):
        raise AccountError(
            f"site {slug!r}: use lower-case letters, digits, '-' or '_' (at most 64)",
            code="bad_slug",
        )
    site = db.session.scalar(select(Site).where(Site.slug == slug))
    if site is None:
        site = Site(slug=slug, name=name or slug.replace("_", " ").replace("-", " ").title())
        db.session.add(site)
        db.session.flush()
        logger.info("site %s created", site.id)
    return site


def create_user(email: str, role: str, password: str, site_slug: str | None = None) -> User:
    """Create a staff account; flushes, the caller commits.

    :raises AccountError: bad e-mail, unknown role, a CHW without a site, an e-mail in use.
    :raises fieldscan.accounts.passwords.PasswordPolicyError: a weak password.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"e-mail {email!r} is not a valid address", code="bad_email")
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(
            f"role {role!r} is unknown; use one of {', '.join(r.value for r in Role)}",
            code="bad_role",
        ) from None
    if role_value is Role.chw and not site_slug:
        raise AccountError("a chw account needs --site", code="site_required")
    check_policy(password, email=email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user with e-mail {email!r} already exists", code="email_taken")
    site = get_or_create_site(site_slug) if site_slug else None
    user = User(email=email, role=role_value, site=site, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    logger.info("user %s created with role %s", user.id, role_value.value)
    return user


def find_user(email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_site(slug: str, name: str) -> Site:
    """Create a site; flushes, the caller commits.

    :raises AccountError: a bad slug or name, or a slug in use.
    """
    slug, name = slug.strip(), " ".join(name.split())
    if not _SLUG.match(slug):
        raise AccountError(
            f"site {slug!r}: use lower-case letters, digits, '-' or '_' (at most 64)",
            code="bad_slug",
        )
    if not name or len(name) > 200:
        raise AccountError("a site needs a name of at most 200 characters", code="bad_name")
    if db.session.scalar(select(Site.id).where(Site.slug == slug)) is not None:
        raise AccountError(f"a site {slug!r} already exists", code="site_taken")
    return get_or_create_site(slug, name)


def authenticate(email: str, password: str) -> Authentication:
    """Check a sign-in; on success, upgrade a hash made with older parameters.

    Unknown addresses cost the same time as a wrong password, so the answer time does not
    tell who has an account. Inactive accounts never sign in.
    """
    user = find_user(email)
    if user is None:
        verify_nothing(password)
        return Authentication(None, "unknown")
    if not verify_password(user.password_hash, password):
        return Authentication(user, "password")
    if not user.active:
        return Authentication(user, "inactive")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        logger.info("password hash of user %s upgraded to the current parameters", user.id)
    return Authentication(user)


def deactivate_user(user: User, *, actor: User | None = None) -> list[int]:
    """Deactivate ``user`` and end all their login sessions; the caller commits.

    :param actor: who asks; nobody may deactivate their own account (no lock-out).
    :return: the ids of the login sessions ended.
    :raises AccountError: ``actor`` is ``user``.
    """
    if actor is not None and actor.id == user.id:
        raise AccountError("you cannot deactivate your own account", code="own_account")
    user.active = False
    db.session.flush()
    logger.info("user %s deactivated", user.id)
    return sessions.end_all_for_user(user, SessionEndReason.disabled)


def get_user(user_id: int) -> User | None:
    """The user with this id, if any."""
    return db.session.get(User, user_id)


def list_users() -> list[User]:
    """Every staff account, by e-mail address."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def list_sites() -> list[Site]:
    """Every site, by name."""
    return list(db.session.scalars(select(Site).order_by(Site.name, Site.slug)))
