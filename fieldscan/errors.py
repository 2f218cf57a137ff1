"""Error handlers: JSON under /api, HTML pages elsewhere, never a traceback to a user."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from fieldscan.i18n import _

logger = logging.getLogger(__name__)


def _wants_json() -> bool:
    # Machines call /api and the Twilio webhooks under /sms: they get JSON, never a page.
    return request.path.startswith(("/api/", "/sms/")) or request.path == "/api"


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again later."),
    }


def handle_http_error(error: HTTPException):
    """Render an HTTP error as JSON (API) or a page in the visitor's language."""
    code = error.code or 500
    message = _messages().get(code) or error.name
    # What the API put on the error (fieldscan.api.routes.fail, webargs): an English
    # message for API clients, the messages per field, where they were, extra headers.
    detail = getattr(error, "data", None)
    detail = detail if isinstance(detail, dict) else {}
    if _wants_json():
        body = {"error": {"code": code, "status": error.name, "message": message}}
        if isinstance(detail.get("message"), str):
            body["error"]["message"] = detail["message"]
        if "messages" in detail:
            body["error"]["fields"] = detail["messages"]
        if isinstance(detail.get("location"), str):
            body["error"]["location"] = detail["location"]
        response = jsonify(body)
    else:
        response = render_template("error.html", code=code, message=message)
    # Keep headers such as Allow (405) and Retry-After (429), not the HTML content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    headers.extend((k, v) for k, v in (detail.get("headers") or {}).items())
    return response, code, headers


def handle_unexpected(error: Exception):
    """Log an unexpected exception with its traceback (server side only) and answer 500."""
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
