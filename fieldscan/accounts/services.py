"""Creating and finding staff accounts and sites."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from fieldscan.accounts.passwords import check_policy, hash_password
from fieldscan.extensions import db
from fieldscan.models import Role, Site, User

logger = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def get_or_create_site(slug: str, name: str | None = None) -> Site:
    """The site ``slug``, created when missing."""
    if not _SLUG.match(slug):
        raise AccountError(
            f"site {slug!r}: use lower-case letters, digits, '-' or '_' (at most 64)"
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
        raise AccountError(f"e-mail {email!r} is not a valid address")
    try:
        role_value = Role(role)
    except ValueError:
        raise AccountError(
            f"role {role!r} is unknown; use one of {', '.join(r.value for r in Role)}"
        ) from None
    if role_value is Role.chw and not site_slug:
        raise AccountError("a chw account needs --site")
    check_policy(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"a user with e-mail {email!r} already exists")
    site = get_or_create_site(site_slug) if site_slug else None
    user = User(email=email, role=role_value, site=site, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    logger.info("user %s created with role %s", user.id, role_value.value)
    return user


def find_user(email: str) -> User | None:
    """The user with this e-mail (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))
