"""Routes of the public pages. Thin: they call services and render."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from fieldscan.i18n import LANGUAGE_COOKIE, current_language
from fieldscan.instruments import services as instruments

blueprint = Blueprint("web", __name__)


@blueprint.get("/")
def landing():
    """Say what this server is, in the visitor's language, with the SMS keywords to text."""
    language = current_language()
    surveys = instruments.public_listing(language)
    response = current_app.make_response(
        render_template(
            "landing.html",
            surveys=surveys,
            program_name=current_app.config["FIELDSCAN_PROGRAM_NAME"],
        )
    )
    if request.args.get("lang"):
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


@blueprint.get("/healthz")
def health():
    """Liveness probe for load balancers: answers without touching the database."""
    return {"status": "ok"}
