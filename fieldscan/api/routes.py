"""The JSON API under /api/v1. Thin: authenticate, parse, call a service, render JSON.

Errors are JSON everywhere under /api (see :mod:`fieldscan.errors`):
``{"error": {"code", "status", "message", "fields"?}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError
from werkzeug.http import HTTP_STATUS_CODES

from fieldscan.api.schemas import SyncRequestSchema
from fieldscan.api.sync import sync_responses
from fieldscan.models import Channel, Role, User

logger = logging.getLogger(__name__)

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

#: Roles that may send interviews (leadership reads reports only).
SYNC_ROLES = frozenset({Role.chw, Role.admin})

_REQUEST_SCHEMA = SyncRequestSchema()


def api_user() -> User | None:
    """The staff member calling the API, or None when the caller is not authenticated.

    For now the logged-in staff session (Flask-Login); device tokens
    (``Authorization: Bearer``) are to be looked up here too.
    """
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        # Device tokens are not accepted yet. Such calls skip the CSRF check
        # (fieldscan.security), so they must never fall back to the session cookie.
        return None
    if getattr(current_app, "login_manager", None) is None:
        return None  # Flask-Login is not set up: nobody can be logged in
    from flask_login import current_user

    user = current_user._get_current_object()  # the user itself, not the proxy
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not isinstance(user, User) or not user.active:
        return None
    return user


def _error(code: int, message: str, fields: dict[str, Any] | None = None):
    body: dict[str, Any] = {
        "error": {"code": code, "status": HTTP_STATUS_CODES.get(code, ""), "message": message}
    }
    if fields:
        body["error"]["fields"] = fields
    headers = {"WWW-Authenticate": 'Bearer realm="fieldscan"'} if code == 401 else {}
    return jsonify(body), code, headers


@blueprint.post("/sync")
def sync():
    """Store interviews collected on a tablet; one result per item, in order (idempotent)."""
    user = api_user()
    if user is None:
        return _error(401, "Sign in first: this needs a logged-in staff account.")
    if user.role not in SYNC_ROLES:
        return _error(403, "Only community health workers and admins may send interviews.")
    # A body over MAX_CONTENT_LENGTH raises 413 here (JSON via the app's error handler).
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return _error(400, "The JSON is nested too deeply.")
    if not isinstance(body, dict):
        return _error(
            400,
            'Send a JSON object like {"responses": [...]} with Content-Type: application/json.',
        )
    try:
        data = _REQUEST_SCHEMA.load(body)
    except ValidationError as exc:
        return _error(400, "The request is not a valid sync request.", exc.normalized_messages())
    user_id = user.id  # read before the service commits (which expires loaded objects)
    results = sync_responses(
        data["responses"], actor=user, channel=Channel.tablet, site_id=user.site_id
    )
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    logger.info("sync by user %s: %s", user_id, counts)
    return jsonify({"results": [result.to_json() for result in results]})
