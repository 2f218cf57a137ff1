"""The JSON API under /api/v1, documented as OpenAPI 3 at /api/v1/openapi.json.

Built with flask-smorest: one :class:`flask_smorest.Api` per application, bound in
:func:`init_app`; one Blueprint per resource (:mod:`fieldscan.api.resources`) whose views
are thin (authenticate, parse with marshmallow, call :mod:`fieldscan.api.services`);
errors rendered by :mod:`fieldscan.errors` like every other error under /api. The
browsable reference at /api/v1/docs is rendered here, from the same document
(:mod:`fieldscan.api.docs`), without scripts from other sites.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from fieldscan.api.routes import PREFIX, ApiError, handle_api_error
from fieldscan.api.schemas import ErrorSchema, UUIDString

#: The OpenAPI document's defaults; ``create_app(config)`` may override each.
OPENAPI_SETTINGS = {
    "API_TITLE": "fieldscan API",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}

_DESCRIPTION = """\
Surveys, responses, tablet sync, sites and partners of a fieldscan installation.

Authenticate with a device token (`fieldscan tokens create --email E`) sent as
`Authorization: Bearer <token>`. A signed-in browser session works too; it must send the
page's CSRF token as `X-CSRFToken` with every change.

Errors are JSON: `{"error": {"code", "status", "message", "fields", "location"}}`, with
messages per field for invalid input (422; 400 for a malformed sync batch)."""


class FieldscanApi(Api):
    """flask-smorest's Api with fieldscan's error envelope.

    The app's own handler (:mod:`fieldscan.errors`) renders every HTTP error, inside the
    API and out, so flask-smorest's handler is not installed; its error schema documents
    ours.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Keep :mod:`fieldscan.errors` as the one error handler."""


def init_app(app: Flask) -> FieldscanApi:
    """Bind the API to ``app``: its resources, its OpenAPI document and the docs page."""
    from fieldscan.api import docs, resources

    for name, value in OPENAPI_SETTINGS.items():
        app.config.setdefault(name, value)
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {"info": {"description": _DESCRIPTION}, "security": [{"bearerAuth": []}]},
    )
    api = FieldscanApi(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A device token from `fieldscan tokens create` (fst_...).",
        },
    )
    api.register_field(UUIDString, "string", "uuid")
    api.register_blueprint(resources.blueprint)
    for resource in resources.RESOURCES:
        api.spec.tag({"name": resource.name, "description": resource.description})
    app.register_error_handler(ApiError, handle_api_error)
    app.register_blueprint(docs.blueprint)
    app.extensions["fieldscan.api"] = api
    return api
