"""Signing in and out of the web pages: Flask-Login on server-side login sessions.

The Flask session cookie holds one thing that identifies the user: a random token, under
:data:`SESSION_KEY`. Each request resolves it to a live
:class:`~fieldscan.models.LoginSession` (:func:`fieldscan.accounts.sessions.resolve`)
before the view runs; the signed-in user, ``flask_login.current_user``, is the
:class:`~fieldscan.models.User` itself. Flask-Login's ``request_loader`` is the hook (its
``user_loader`` would put the user id in the cookie).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from fieldscan import security
from fieldscan.accounts import sessions
from fieldscan.accounts.services import Authentication
from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.i18n import _
from fieldscan.models import LoginSession, SessionEndReason, User

logger = logging.getLogger(__name__)

#: The key of the login token in the Flask session.
SESSION_KEY = "login_token"

login_manager = LoginManager()
login_manager.session_protection = None  # the server-side session is the protection


def init_app(app: Flask) -> None:
    """Bind Flask-Login and resolve the login session at the start of every request."""
    login_manager.init_app(app)
    app.before_request(_resolve_login_session)


@login_manager.request_loader
def load_user(_request) -> User | None:
    """The user of the request's live login session, or None (anonymous).

    Ends the session when idle, past its lifetime or its user is inactive (audited as
    ``user.logout`` with the reason), and forgets a dead token.
    """
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    found = sessions.resolve(
        token,
        idle=timedelta(minutes=current_app.config["FIELDSCAN_IDLE_TIMEOUT_MINUTES"]),
        lifetime=current_app.permanent_session_lifetime,
    )
    if found.ended is not None:
        _audit_end(found.login, found.ended)
    if found.changed:
        db.session.commit()
    if not found.live:
        session.pop(SESSION_KEY, None)
        return None
    return found.login.user


def _resolve_login_session() -> None:
    # Resolve now, before the view, so the touch or end commits on its own.
    if request.endpoint != "static" and SESSION_KEY in session:
        current_user._get_current_object()


def has_session() -> bool:
    """Whether this browser holds a login token (resolved, so live, before every view)."""
    return SESSION_KEY in session


@login_manager.unauthorized_handler
def _unauthorized():
    """Anonymous visitors: 401 JSON under /api, else the sign-in page with ``next``."""
    if request.path == "/api" or request.path.startswith("/api/"):
        body = {
            "error": {
                "code": 401,
                "status": "Unauthorized",
                "message": _("Please sign in first."),
            }
        }
        return jsonify(body), 401, {"WWW-Authenticate": 'Bearer realm="fieldscan"'}
    target = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("accounts.login", next=target))


def log_in(user: User) -> LoginSession:
    """Sign ``user`` in in this browser and commit.

    The Flask session is cleared and gets a new token (no session fixation); a session
    this browser still had ends as ``replaced``. Audited as ``user.login``.
    """
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str):
        _end_token(previous, SessionEndReason.replaced)
    _clear_session()
    login, token = sessions.start(
        user, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    session[SESSION_KEY] = token
    session.permanent = True  # PERMANENT_SESSION_LIFETIME, counted from now
    record(
        "user.login",
        "user",
        user.id,
        actor_id=user.id,
        site_id=user.site_id,
        details={"session": login.id, "ip": request.remote_addr},
    )
    db.session.commit()
    # Flask-Login's own way to set the user of the current request.
    login_manager._update_request_context_with_user(user)
    return login


def record_failed_login(attempt: Authentication) -> None:
    """Audit a failed sign-in and count it for the sign-in throttle; commits.

    The audit names the account's id when the address is known, never the typed address.
    """
    user = attempt.user
    record(
        "user.login_failed",
        "user",
        user.id if user else None,
        actor_label="anonymous",
        site_id=user.site_id if user else None,
        details={"reason": attempt.failure, "ip": request.remote_addr},
    )
    db.session.commit()
    security.count_failed_login()


def log_out() -> None:
    """End this browser's login session on the server, clear the Flask session; commits."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        _end_token(token, SessionEndReason.logout)
    db.session.commit()
    _clear_session()
    logout_user()


def _clear_session() -> None:
    session.clear()
    # Flask-WTF keeps this request's signed token in g: a page rendered after this point
    # must get one of the new session.
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)


def _end_token(token: str, reason: SessionEndReason) -> None:
    login = sessions.find(token)
    if login is not None and sessions.end(login, reason):
        _audit_end(login, reason)


def _audit_end(login: LoginSession, reason: SessionEndReason) -> None:
    by_user = reason in (SessionEndReason.logout, SessionEndReason.replaced)
    record(
        "user.logout",
        "user",
        login.user_id,
        actor_id=login.user_id if by_user else None,
        actor_label="" if by_user else "system",
        site_id=login.user.site_id,
        details={"reason": reason.value, "session": login.id},
    )
