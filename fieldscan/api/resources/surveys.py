"""``/api/v1/surveys``: the open surveys, and one rendered in a language for a device."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from fieldscan.api import services
from fieldscan.api.routes import ApiBlueprint
from fieldscan.api.schemas import LanguageCode

blueprint = ApiBlueprint(
    "surveys",
    __name__,
    url_prefix="/surveys",
    description="The surveys loaded here, and each one rendered in a language.",
)


class SurveySummarySchema(Schema):
    """A survey as listed (the same fields as ``fieldscan surveys list --json``)."""

    id = fields.String(required=True, metadata={"example": "children_scan"})
    version = fields.Integer(
        required=True, metadata={"description": "The newest version, which new responses use."}
    )
    title = fields.String(required=True, metadata={"description": "The English title."})
    languages = fields.List(fields.String(), required=True, metadata={"example": ["en", "es"]})
    keywords = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "SMS keywords per language.", "example": {"es": ["NINOS"]}},
    )


class SurveyQuerySchema(Schema):
    """How to render a survey."""

    language = LanguageCode(
        metadata={
            "description": "The language to render it in (a code such as es, vi, zh-TW); "
            "English, or the survey's first language, when left out.",
            "example": "es",
        }
    )


class PlanChoiceSchema(Schema):
    """A choice of a select question."""

    value = fields.String(required=True)
    label = fields.String(required=True, allow_none=True)


class PlanItemSchema(Schema):
    """A question or note, its texts in the chosen language."""

    id = fields.String(required=True)
    type = fields.String(required=True, metadata={"example": "select_one"})
    label = fields.String(required=True, allow_none=True)
    hint = fields.String(required=True, allow_none=True)
    required = fields.Boolean(required=True)
    choices = fields.List(fields.Nested(PlanChoiceSchema), required=True)
    min = fields.Integer(required=True, allow_none=True)
    max = fields.Integer(required=True, allow_none=True)
    max_length = fields.Integer(required=True, allow_none=True)
    relevant = fields.Raw(
        required=True,
        allow_none=True,
        metadata={"description": "When it is asked, as an expression tree; null: always."},
    )
    constraint = fields.Raw(
        required=True, allow_none=True, metadata={"description": "An expression tree, or null."}
    )
    messages = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "The engine's messages for this item (required, invalid...)."},
    )


class SurveyPlanSchema(Schema):
    """A survey rendered in one language for the web channel: a client plan (format 1) of
    its newest version, as the interview pages run it."""

    format = fields.Integer(required=True, metadata={"example": 1})
    survey = fields.String(required=True, metadata={"example": "children_scan"})
    survey_version = fields.Integer(
        required=True, metadata={"description": "Send answers with this version."}
    )
    language = fields.String(required=True, metadata={"example": "es"})
    channel = fields.String(required=True, metadata={"example": "web"})
    dir = fields.String(required=True, validate=validate.OneOf(["ltr", "rtl"]))
    title = fields.String(required=True, allow_none=True)
    description = fields.String(required=True, allow_none=True)
    intro = fields.String(required=True, allow_none=True)
    completion = fields.String(required=True, allow_none=True)
    items = fields.List(fields.Nested(PlanItemSchema), required=True)
    order = fields.List(fields.String(), required=True)
    off_channel = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={"description": "Questions asked on other channels, with their relevance."},
    )
    approximate = fields.List(fields.String(), required=True)


@blueprint.route("")
class Surveys(MethodView):
    """The open surveys."""

    @blueprint.login_required()
    @blueprint.response(200, SurveySummarySchema(many=True))
    @blueprint.doc(operationId="listSurveys")
    def get(self) -> list[dict[str, Any]]:
        """List the open surveys

        Each with its newest version, English title, languages and SMS keywords.
        """
        return services.surveys()


@blueprint.route("/<survey_id>")
class SurveyById(MethodView):
    """One survey."""

    @blueprint.login_required()
    @blueprint.arguments(SurveyQuerySchema, location="query")
    @blueprint.response(200, SurveyPlanSchema)
    @blueprint.alt_response(404, response="NOT_FOUND")
    @blueprint.doc(operationId="getSurvey")
    def get(self, query: dict[str, Any], survey_id: str) -> dict[str, Any]:
        """Get a survey in a language

        The newest version rendered for the web channel: every item's texts in the language,
        its choices, limits, relevance and the engine's messages. Answers sent for it are
        validated by the server's survey engine again.
        """
        return services.survey_plan(survey_id, query.get("language"))
