"""What every resource of the JSON API shares: who is calling, the request parser, errors.

- **Who**: :func:`api_user` — a device token (``Authorization: Bearer``) or the signed-in
  staff session (with CSRF on changes, see :mod:`fieldscan.security`).
  :meth:`ApiBlueprint.login_required` guards a view and documents its 401 and 403.
- **Parsing**: :class:`ApiParser`, webargs' Flask parser made strict about bodies (a JSON
  object, or 400) and giving field messages without webargs' location level.
- **Errors** are JSON everywhere under /api (:mod:`fieldscan.errors`):
  ``{"error": {"code", "status", "message", "fields"?, "location"?}}``; services raise
  :class:`ApiError`, request code calls :func:`fail`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, NoReturn, TypeVar

import flask_smorest
from flask import current_app, request
from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException

from fieldscan.extensions import db
from fieldscan.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

#: The path every API resource lives under.
PREFIX = "/api/v1"

#: Roles that may send interviews (leadership reads reports only).
SYNC_ROLES = frozenset({Role.chw, Role.admin})

_AUTH_KEY = "fieldscan.api_auth"
_BEARER_CHALLENGE = 'Bearer realm="fieldscan"'
_BAD_BODY = "Send a JSON object with Content-Type: application/json."
_LOCATION_MESSAGES = {
    "json": "Some fields of the request body are not valid.",
    "query": "Some query parameters are not valid.",
}


class ApiError(Exception):
    """A request the API refuses: ``status`` with a message and, optionally, field messages."""

    def __init__(
        self,
        status: int,
        message: str,
        fields: dict[str, Any] | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields
        self.location = location


def handle_api_error(error: ApiError):
    """Render an :class:`ApiError` as the app renders every HTTP error under /api."""
    from fieldscan.errors import handle_http_error

    try:
        fail(error.status, error.message, error.fields, location=error.location)
    except HTTPException as exc:
        return handle_http_error(exc)


def fail(
    status: int,
    message: str,
    fields: dict[str, Any] | None = None,
    *,
    location: str | None = None,
    headers: dict[str, str] | None = None,
) -> NoReturn:
    """Abort the request with a JSON error (see the module docstring)."""
    data: dict[str, Any] = {"message": message}
    if fields:
        data["messages"] = fields
    if location:
        data["location"] = location
    if headers:
        data["headers"] = headers
    abort(status, **data)


# --- who is calling ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Caller:
    """The outcome of authentication, kept for the rest of the request."""

    user: User | None
    token_id: int | None
    bearer: bool


def _caller() -> _Caller:
    cached = request.environ.get(_AUTH_KEY)
    if cached is None:
        cached = request.environ[_AUTH_KEY] = _authenticate()
    return cached


def _authenticate() -> _Caller:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        # Such calls skip the CSRF check (fieldscan.security), so they must never fall
        # back to the session cookie: a bad token is a 401, whatever the cookie says.
        from fieldscan.accounts import tokens

        token = tokens.resolve(credentials)
        if token is None:
            db.session.rollback()
            return _Caller(None, None, bearer=True)
        caller = _Caller(token.user, token.id, bearer=True)
        db.session.commit()  # the last use
        return caller
    if getattr(current_app, "login_manager", None) is None:
        return _Caller(None, None, bearer=False)  # Flask-Login is not set up
    from flask_login import current_user

    user = current_user._get_current_object()  # the user itself, not the proxy
    if user is None or not getattr(user, "is_authenticated", False):
        return _Caller(None, None, bearer=False)
    if not isinstance(user, User) or not user.active:
        return _Caller(None, None, bearer=False)
    return _Caller(user, None, bearer=False)


def api_user() -> User | None:
    """The staff member calling the API, or None when the caller is not authenticated.

    A device token (``Authorization: Bearer <token>``, see :mod:`fieldscan.accounts.tokens`)
    names its user while it is not revoked and the user is active; without a Bearer
    header, the signed-in staff session (Flask-Login) does. Worked out once per request.
    """
    return _caller().user


def actor_label() -> str:
    """How the caller is identified in the audit trail beside the user: ``api-token:<id>``
    for device tokens, empty for the browser session."""
    token_id = _caller().token_id
    return f"api-token:{token_id}" if token_id is not None else ""


def require_user(roles: frozenset[Role] | None = None) -> User:
    """The calling user; aborts with 401 (not authenticated) or 403 (another role)."""
    caller = _caller()
    if caller.user is None:
        challenge = _BEARER_CHALLENGE
        if caller.bearer:
            challenge += ', error="invalid_token"'
            message = (
                "This device token is not valid: it is unknown, revoked, or its user is inactive."
            )
        else:
            message = "Authenticate with a device token (Authorization: Bearer) or sign in."
        fail(401, message, headers={"WWW-Authenticate": challenge})
    if roles is not None and caller.user.role not in roles:
        allowed = ", ".join(sorted(role.value for role in roles))
        fail(403, f"Only these roles may do this: {allowed}.")
    return caller.user


# --- parsing -----------------------------------------------------------------------------


class ApiParser(FlaskParser):
    """webargs' Flask parser, strict about bodies and with flat field messages.

    A JSON body must be a JSON object sent as ``application/json`` (else 400, never a
    500: bad UTF-8, numbers too long to read and nesting too deep included). Field
    errors abort with ``messages`` per field and the ``location`` apart.
    """

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            fail(400, _BAD_BODY)
        raw = req.get_data(cache=True)  # 413 when over MAX_CONTENT_LENGTH
        try:
            body = json.loads(raw.decode("utf-8"))
        except RecursionError:
            fail(400, "The JSON is nested too deeply.")
        except ValueError:  # not JSON, not UTF-8, or a number too long to read
            fail(400, _BAD_BODY)
        if not isinstance(body, dict):
            fail(400, _BAD_BODY)
        return body

    def handle_error(
        self,
        error: ValidationError,
        req,
        schema,
        *,
        error_status_code: int | None,
        error_headers: dict[str, str] | None,
    ) -> NoReturn:
        messages = error.messages if isinstance(error.messages, dict) else {}
        location, fields = next(iter(messages.items()), ("json", {}))
        if not isinstance(fields, dict):
            fields = {"_schema": fields}
        fail(
            error_status_code or self.DEFAULT_VALIDATION_STATUS,
            _LOCATION_MESSAGES.get(location, "The request is not valid."),
            fields,
            location=location,
            headers=dict(error_headers) if error_headers else None,
        )


class ApiBlueprint(flask_smorest.Blueprint):
    """A resource of the API: flask-smorest's Blueprint with :class:`ApiParser`, whose
    operations are tagged with its name (also when nested in another Blueprint)."""

    ARGUMENTS_PARSER = ApiParser()
    PAGINATION_ARGUMENTS_PARSER = ApiParser()

    def route(self, rule: str, *, parameters=None, tags=None, **options: Any):
        """Register a view (see flask-smorest), tagged with this Blueprint's name."""
        return super().route(rule, parameters=parameters, tags=tags or [self.name], **options)

    def login_required(self, roles: frozenset[Role] | None = None) -> Callable[[F], F]:
        """Let only authenticated callers (with one of ``roles``) reach the view.

        Runs before the body is parsed; documents 401 (and 403 when roles are given).
        """

        def decorator(view: F) -> F:
            @wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                require_user(roles)
                return view(*args, **kwargs)

            documented = self.alt_response(401, response="UNAUTHORIZED")(wrapper)
            if roles is not None:
                documented = self.alt_response(403, response="FORBIDDEN")(documented)
            return documented  # type: ignore[return-value]

        return decorator
