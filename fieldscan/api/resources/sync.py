"""``POST /api/v1/sync``: interviews collected offline on a tablet, sent in a batch.

The contract (``../shared/DESIGN.md``, web and API): one result per item, in order; the
same uuid with the same content is a ``duplicate``, with other content a ``conflict``;
valid items are stored whatever happens to the others. The rules are in
:mod:`fieldscan.api.sync`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from fieldscan.api.routes import SYNC_ROLES, ApiBlueprint, actor_label, api_user
from fieldscan.api.schemas import SyncRequestSchema
from fieldscan.api.sync import CONFLICT, CREATED, DUPLICATE, INVALID, sync_responses
from fieldscan.models import Channel

logger = logging.getLogger(__name__)

blueprint = ApiBlueprint(
    "sync",
    __name__,
    url_prefix="/sync",
    description="Idempotent upload of interviews collected offline.",
)


class SyncResultSchema(Schema):
    """What happened to one item."""

    uuid = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The item's uuid (canonical when valid); null when none."},
    )
    status = fields.String(
        required=True, validate=validate.OneOf([CREATED, DUPLICATE, CONFLICT, INVALID])
    )
    errors = fields.Dict(
        required=True,
        metadata={"description": "Messages per field (answers nest per question id); {} when "
                  "created or duplicate."},
    )  # fmt: skip


class SyncResponseSchema(Schema):
    """One result per item sent, in the same order."""

    results = fields.List(fields.Nested(SyncResultSchema), required=True)


@blueprint.route("")
class Sync(MethodView):
    """The tablet outbox."""

    @blueprint.login_required(SYNC_ROLES)
    @blueprint.arguments(SyncRequestSchema, error_status_code=400)
    @blueprint.response(200, SyncResponseSchema)
    @blueprint.doc(operationId="syncResponses")
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Send interviews collected offline

        Each item is checked on its own, by the survey engine, against the survey version
        it was answered on: one result per item, in order. A retried item (same uuid and
        content) is a duplicate, never a second copy; a malformed batch is a 400.
        """
        user = api_user()
        user_id = user.id  # read before the service commits (which expires loaded objects)
        results = sync_responses(
            data["responses"],
            actor=user,
            channel=Channel.tablet,
            site_id=user.site_id,
            actor_label=actor_label(),
        )
        counts: dict[str, int] = {}
        for result in results:
            counts[result.status] = counts.get(result.status, 0) + 1
        logger.info("sync by user %s: %s", user_id, counts)
        return {"results": [result.to_json() for result in results]}
