"""``/api/v1/responses``: responses with their answers, read and written one at a time.

Reads follow the web's site isolation and are audited; writes go through the survey
engine (:mod:`fieldscan.api.sync`'s rules) and are open to CHWs and admins.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.pagination import PaginationParameters
from marshmallow import RAISE, Schema, ValidationError, fields, pre_dump, validate, validates

from fieldscan import clock
from fieldscan.api import services
from fieldscan.api.routes import SYNC_ROLES, ApiBlueprint, actor_label, api_user
from fieldscan.api.schemas import (
    CLOCK_SKEW,
    SITE_SLUG,
    SITE_SLUG_PATTERN,
    SURVEY_ID_PATTERN,
    AwareTime,
    SyncItemSchema,
)
from fieldscan.models import Channel, Response, ResponseStatus
from fieldscan.survey.schema import SURVEY_ID

blueprint = ApiBlueprint(
    "responses",
    __name__,
    url_prefix="/responses",
    description="Responses and their answers: list, read, create, and update while in progress.",
)

_CHANNELS = [channel.value for channel in Channel]
_STATUSES = [status.value for status in ResponseStatus]

#: A complete children_scan interview, as the OpenAPI document's example.
EXAMPLE = {
    "uuid": "3f2b8c1e-5d4a-4e6b-9a7c-0d1e2f3a4b5c",
    "survey_id": "children_scan",
    "survey_version": 1,
    "language": "es",
    "started_at": "2026-03-02T09:15:00-08:00",
    "completed_at": "2026-03-02T09:24:30-08:00",
    "answers": {
        "trusted_messenger": "Mi abuela y la promotora de la iglesia",
        "resources": "El banco de comida",
        "used_services": ["school", "food_assistance"],
        "knows_rides": "no",
        "wants_ride_info": "yes",
        "child_age": 4,
        "preferred_language": "es",
        "contact_channel": "text",
        "consent_contact": "yes",
    },
}


class SurveyResponseSchema(Schema):
    """A stored response and its answers (normalized by the survey engine)."""

    uuid = fields.String(required=True, metadata={"format": "uuid"})
    survey_id = fields.String(required=True)
    survey_version = fields.Integer(required=True)
    language = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(_CHANNELS))
    status = fields.String(required=True, validate=validate.OneOf(_STATUSES))
    site = fields.String(required=True, allow_none=True, metadata={"description": "Site slug."})
    interviewer_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The CHW's user id (tablet)."}
    )
    started_at = fields.AwareDateTime(required=True)
    completed_at = fields.AwareDateTime(required=True, allow_none=True)
    updated_at = fields.AwareDateTime(required=True)
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={"description": "Question id -> normalized value; null for a skip."},
    )

    @pre_dump
    def _from_model(self, response: Any, **_kwargs: Any) -> Any:
        if not isinstance(response, Response):
            return response
        completed = response.status is ResponseStatus.completed
        return {
            "uuid": response.uuid,
            "survey_id": response.survey_version.survey_id,
            "survey_version": response.survey_version.number,
            "language": response.language,
            "channel": response.channel.value,
            "status": response.status.value,
            "site": response.site.slug if response.site is not None else None,
            "interviewer_id": response.interviewer_id,
            "started_at": response.started_at,
            "completed_at": response.finished_at if completed else None,
            "updated_at": response.updated_at,
            "answers": response.answer_values(),
        }


class ResponseQuerySchema(Schema):
    """Filters of the response list (all optional, combined with AND)."""

    survey = fields.String(
        validate=validate.Regexp(SURVEY_ID, error="Not a survey id (like children_scan)."),
        metadata={"description": "Survey id.", "pattern": SURVEY_ID_PATTERN},
    )
    site = fields.String(
        validate=validate.Regexp(SITE_SLUG, error="Not a site slug (like valle_verde)."),
        metadata={"description": "Site slug.", "pattern": SITE_SLUG_PATTERN},
    )
    channel = fields.String(validate=validate.OneOf(_CHANNELS))
    status = fields.String(validate=validate.OneOf(_STATUSES))
    started_after = AwareTime(metadata={"description": "Started at or after this time."})
    started_before = AwareTime(metadata={"description": "Started before this time."})


class ResponseUpdateSchema(Schema):
    """New answers for a response in progress (all of them: answers left out are
    removed); ``completed_at`` completes it."""

    class Meta:
        unknown = RAISE

    answers = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    completed_at = AwareTime(allow_none=True, load_default=None)

    @validates("completed_at")
    def _not_in_the_future(self, value: Any, **_kwargs: Any) -> None:
        if value is not None and value > clock.now() + CLOCK_SKEW:
            raise ValidationError("This time is in the future; check the device's clock.")


@blueprint.route("")
class Responses(MethodView):
    """The responses the caller may see."""

    @blueprint.login_required()
    @blueprint.arguments(ResponseQuerySchema, location="query")
    @blueprint.response(200, SurveyResponseSchema(many=True))
    @blueprint.paginate(page_size=20, max_page_size=100)
    @blueprint.doc(operationId="listResponses")
    def get(
        self, filters: dict[str, Any], pagination_parameters: PaginationParameters
    ) -> list[Response]:
        """List responses

        Newest first, only of the sites the caller may see (a CHW: their own site). The
        X-Pagination header holds the totals. Audited as one response.list event.
        """
        page = services.list_responses(
            api_user(),
            filters,
            pagination_parameters.page,
            pagination_parameters.page_size,
            actor_label=actor_label(),
        )
        pagination_parameters.item_count = page.total
        return page.items

    @blueprint.login_required(SYNC_ROLES)
    @blueprint.arguments(SyncItemSchema, example=EXAMPLE)
    @blueprint.response(201, SurveyResponseSchema)
    @blueprint.alt_response(
        200,
        schema=SurveyResponseSchema,
        description="Already stored with the same content (a retry): nothing changed.",
        success=True,
    )
    @blueprint.alt_response(409, response="CONFLICT")
    @blueprint.doc(operationId="createResponse")
    def post(self, data: dict[str, Any]) -> tuple[Response, int]:
        """Create a response

        Validated and normalized by the survey engine against the given survey version;
        stored at the caller's site with the caller as interviewer. Sending the same uuid
        and content again answers 200 with the stored response; other content under a
        stored uuid is a 409.
        """
        response, created = services.create_response(api_user(), data, actor_label=actor_label())
        return response, 201 if created else 200


@blueprint.route("/<uuid>")
class ResponseByUuid(MethodView):
    """One response."""

    @blueprint.login_required()
    @blueprint.response(200, SurveyResponseSchema)
    @blueprint.alt_response(404, response="NOT_FOUND")
    @blueprint.doc(operationId="getResponse")
    def get(self, uuid: str) -> Response:
        """Get a response

        Of a site the caller may see (else 403). Audited as response.read.
        """
        return services.get_response(api_user(), uuid, actor_label=actor_label())

    @blueprint.login_required(SYNC_ROLES)
    @blueprint.arguments(ResponseUpdateSchema)
    @blueprint.response(200, SurveyResponseSchema)
    @blueprint.alt_response(404, response="NOT_FOUND")
    @blueprint.alt_response(409, response="CONFLICT")
    @blueprint.doc(operationId="updateResponse")
    def put(self, data: dict[str, Any], uuid: str) -> Response:
        """Update a response in progress

        Replaces its answers, validated by the survey engine against the response's
        version, language and channel; completed_at completes it. A completed or
        abandoned response, or one being answered by SMS, cannot change (409).
        """
        return services.update_response(api_user(), uuid, data, actor_label=actor_label())
