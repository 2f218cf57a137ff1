"""The resources of the JSON API, one module each: its Blueprint, its schemas, thin views.

Each resource's Blueprint is nested in :data:`blueprint` (``api``, at /api/v1), so its
endpoints are ``api.<resource>.<View>`` and its name cannot clash with the pages'.
"""

from __future__ import annotations

from fieldscan.api.resources import partners, responses, sites, surveys, sync
from fieldscan.api.routes import PREFIX, ApiBlueprint

#: Every resource's blueprint, in the order of the OpenAPI document.
RESOURCES = (
    surveys.blueprint,
    responses.blueprint,
    sync.blueprint,
    sites.blueprint,
    partners.blueprint,
)

#: The API: every resource under /api/v1.
blueprint = ApiBlueprint("api", __name__, url_prefix=PREFIX, description="fieldscan JSON API.")
for _resource in RESOURCES:
    blueprint.register_blueprint(_resource)
