"""``/api/v1/partners``: the partner registry behind the stakeholder map (read-only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from marshmallow import Schema, fields, pre_dump, validate

from fieldscan.api import services
from fieldscan.api.routes import ApiBlueprint, api_user
from fieldscan.api.schemas import SITE_SLUG, SITE_SLUG_PATTERN
from fieldscan.models import Partner, PartnerRelationship

blueprint = ApiBlueprint(
    "partners",
    __name__,
    url_prefix="/partners",
    description="Community organisations on the stakeholder map.",
)

_RELATIONSHIPS = [relationship.value for relationship in PartnerRelationship]


class PartnerSchema(Schema):
    """A community organisation."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"example": "food_assistance"})
    services = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Values of the partner inventory's services question."},
    )
    relationship = fields.String(required=True, validate=validate.OneOf(_RELATIONSHIPS))
    mou = fields.Boolean(required=True, metadata={"description": "Whether an MOU is in place."})
    dxf = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Data sharing under the Data Exchange Framework."},
    )
    aliases = fields.List(fields.String(), required=True)
    notes = fields.String(required=True, allow_none=True)
    site = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Site slug; null for organisation-wide partners."},
    )

    @pre_dump
    def _from_model(self, partner: Any, **_kwargs: Any) -> Any:
        if not isinstance(partner, Partner):
            return partner
        return {
            "id": partner.id,
            "name": partner.name,
            "kind": partner.kind,
            "services": list(partner.services or []),
            "relationship": partner.relationship.value,
            "mou": bool(partner.mou),
            "dxf": partner.dxf,
            "aliases": list(partner.aliases or []),
            "notes": partner.notes,
            "site": partner.site.slug if partner.site is not None else None,
        }


class PartnerQuerySchema(Schema):
    """Filters of the partner list (optional)."""

    site = fields.String(
        validate=validate.Regexp(SITE_SLUG, error="Not a site slug (like valle_verde)."),
        metadata={"description": "Site slug.", "pattern": SITE_SLUG_PATTERN},
    )
    relationship = fields.String(validate=validate.OneOf(_RELATIONSHIPS))


@blueprint.route("")
class Partners(MethodView):
    """The partners of the caller's sites."""

    @blueprint.login_required()
    @blueprint.arguments(PartnerQuerySchema, location="query")
    @blueprint.response(200, PartnerSchema(many=True))
    @blueprint.paginate(page_size=50, max_page_size=100)
    @blueprint.doc(operationId="listPartners")
    def get(
        self, filters: dict[str, Any], pagination_parameters: PaginationParameters
    ) -> list[Partner]:
        """List partners

        Of the sites the caller may see, and the organisation-wide ones, by name. The
        X-Pagination header holds the totals.
        """
        page = services.partners(
            api_user(), filters, pagination_parameters.page, pagination_parameters.page_size
        )
        pagination_parameters.item_count = page.total
        return page.items
