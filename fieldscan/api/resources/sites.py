"""``/api/v1/sites``: the sites whose records the caller may see."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from fieldscan.api import services
from fieldscan.api.routes import ApiBlueprint, api_user
from fieldscan.models import Site

blueprint = ApiBlueprint("sites", __name__, url_prefix="/sites", description="The clinic sites.")


class SiteSchema(Schema):
    """A clinic site."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True, metadata={"example": "valle_verde"})
    name = fields.String(required=True)


@blueprint.route("")
class Sites(MethodView):
    """The caller's sites."""

    @blueprint.login_required()
    @blueprint.response(200, SiteSchema(many=True))
    @blueprint.doc(operationId="listSites")
    def get(self) -> list[Site]:
        """List sites

        The sites whose records the caller may see (a CHW or site leader: their own; an
        admin or organisation-wide leader: all), by name.
        """
        return services.sites(api_user())
