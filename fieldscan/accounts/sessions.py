"""Server-side login sessions: start, resolve, end.

The browser keeps a random token in its (signed) session cookie; the database keeps only
the token's SHA-256 in a :class:`~fieldscan.models.LoginSession`. A request is signed in
while its session is open, younger than the absolute lifetime, not idle for longer than
the idle time-out, and its user is active. No Flask here: the request glue is in
:mod:`fieldscan.accounts.auth`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from fieldscan import clock
from fieldscan.extensions import db
from fieldscan.models import LoginSession, SessionEndReason, User

logger = logging.getLogger(__name__)

#: ``last_seen_at`` is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
_USER_AGENT_LENGTH = 200
_IP_LENGTH = 45


@dataclass(frozen=True)
class Resolution:
    """What :func:`resolve` found for a token."""

    #: The token's session whatever its state, or None when the token is unknown.
    login: LoginSession | None
    #: Whether the session is live (the request is signed in).
    live: bool = False
    #: Why the session ended during this call (None when it did not end now).
    ended: SessionEndReason | None = None
    #: Whether the call changed the database (a touch or an end); the caller commits.
    changed: bool = False


def hash_token(token: str) -> str:
    """The SHA-256 (hex) stored for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(
    user: User, *, ip: str | None, user_agent: str | None, now: datetime | None = None
) -> tuple[LoginSession, str]:
    """Open a session for ``user``; flushes, the caller commits.

    :return: the session and its token (for the cookie; only its hash is stored).
    """
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    login = LoginSession(
        token_hash=hash_token(token),
        user=user,
        created_at=now,
        last_seen_at=now,
        ip=(ip or "")[:_IP_LENGTH] or None,
        user_agent=(user_agent or "")[:_USER_AGENT_LENGTH] or None,
    )
    db.session.add(login)
    db.session.flush()
    logger.info("login session %s opened for user %s", login.id, user.id)
    return login, token


def find(token: str) -> LoginSession | None:
    """The session of ``token`` whatever its state, if any."""
    return db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == hash_token(token))
    )


def resolve(
    token: str, *, idle: timedelta, lifetime: timedelta, now: datetime | None = None
) -> Resolution:
    """The live session of ``token``, ending it first when it should no longer be.

    It ends as ``disabled`` when its user is inactive, ``expired`` past ``lifetime`` from
    sign-in, ``idle`` when unused for longer than ``idle``. A live session's
    ``last_seen_at`` moves to ``now`` when older than :data:`TOUCH_INTERVAL`.
    """
    now = now or clock.now()
    login = find(token)
    if login is None or not login.is_open:
        return Resolution(login)
    reason = None
    if not login.user.active:
        reason = SessionEndReason.disabled
    elif now - login.created_at >= lifetime:
        reason = SessionEndReason.expired
    elif now - login.last_seen_at > idle:
        reason = SessionEndReason.idle
    if reason is not None:
        ended = end(login, reason, now=now)
        return Resolution(login, ended=reason if ended else None, changed=ended)
    if now - login.last_seen_at >= TOUCH_INTERVAL:
        login.last_seen_at = now
        return Resolution(login, live=True, changed=True)
    return Resolution(login, live=True)


def end(login: LoginSession, reason: SessionEndReason, *, now: datetime | None = None) -> bool:
    """End ``login`` unless it has ended already (perhaps in a concurrent request).

    :return: whether this call ended it, so only one caller audits the end.
    """
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.id == login.id, LoginSession.ended_at.is_(None))
        .values(ended_at=now or clock.now(), ended_reason=reason)
    )
    if result.rowcount:
        logger.info("login session %s ended: %s", login.id, reason.value)
    return bool(result.rowcount)


def end_all_for_user(
    user: User, reason: SessionEndReason, *, now: datetime | None = None
) -> list[int]:
    """End every open session of ``user``.

    :return: the ids of the sessions ended.
    """
    ids = list(
        db.session.scalars(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
            .values(ended_at=now or clock.now(), ended_reason=reason)
            .returning(LoginSession.id)
        )
    )
    logger.info("%s login sessions of user %s ended: %s", len(ids), user.id, reason.value)
    return ids
