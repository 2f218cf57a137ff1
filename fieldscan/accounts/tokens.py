"""Device tokens: how tablets and scripts call the JSON API as a staff member.

A token is ``fst_`` and 32 random bytes (URL-safe base64). It is shown once, when
created; the database keeps only its SHA-256 in a :class:`~fieldscan.models.DeviceToken`.
A request that sends ``Authorization: Bearer <token>`` acts as the token's user while the
token is not revoked and the user is active (:func:`resolve`). No Flask here: the
request glue is :func:`fieldscan.api.routes.api_user`, the commands are in
:mod:`fieldscan.accounts.cli`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.models import DeviceToken, User

logger = logging.getLogger(__name__)

#: Every token starts with this, so a leaked one is easy to recognise (and to scan for).
TOKEN_PREFIX = "fst_"  # noqa: S105 - a public prefix, not a secret
#: Random bytes per token.
TOKEN_BYTES = 32
#: The longest label a token may carry.
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
# A token is the prefix and 43 base64 characters; anything much longer is not one.
_MAX_TOKEN_LENGTH = 200


class TokenError(ValueError):
    """A token cannot be created or revoked as asked (the message names what is wrong)."""


def hash_token(token: str) -> str:
    """The SHA-256 (hex) stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(user: User, name: str = "") -> tuple[DeviceToken, str]:
    """Make a new token for ``user``; flushes, the caller commits.

    :return: the stored token and the token itself (shown once; only its hash is kept).
    :raises TokenError: the user is inactive, or the name is too long.
    """
    name = " ".join(name.split())
    if not user.active:
        raise TokenError(f"user {user.email} is inactive; a token would not work")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"a token name has at most {MAX_NAME_LENGTH} characters")
    if any(ord(char) < 32 or 0xD800 <= ord(char) <= 0xDFFF for char in name):
        raise TokenError("a token name cannot hold control characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    stored = DeviceToken(user=user, token_hash=hash_token(token), name=name)
    db.session.add(stored)
    db.session.flush()
    logger.info("device token %s created for user %s", stored.id, user.id)
    return stored, token


def find(token: str) -> DeviceToken | None:
    """The stored token for ``token`` whatever its state, if any."""
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(select(DeviceToken).where(DeviceToken.token_hash == hash_token(token)))


def resolve(token: str) -> DeviceToken | None:
    """The live token for ``token`` (not revoked, its user active), or None.

    Records the use in ``last_used_at`` (at most once a minute; the caller commits).
    """
    found = find(token)
    if found is None or not found.is_live or not found.user.active:
        return None
    now = clock.now()
    if found.last_used_at is None or now - found.last_used_at >= TOUCH_INTERVAL:
        found.last_used_at = now
    return found


def list_for(user: User) -> list[DeviceToken]:
    """Every token of ``user``, oldest first (revoked ones too)."""
    query = select(DeviceToken).where(DeviceToken.user_id == user.id).order_by(DeviceToken.id)
    return list(db.session.scalars(query))


def revoke(stored: DeviceToken) -> bool:
    """Revoke one token; False when it already was. The caller commits."""
    if not stored.is_live:
        return False
    stored.revoked_at = clock.now()
    logger.info("device token %s revoked", stored.id)
    return True


def revoke_all(user: User) -> list[DeviceToken]:
    """Revoke every live token of ``user``; the ones revoked now. The caller commits."""
    return [stored for stored in list_for(user) if revoke(stored)]
