"""Request schemas of the JSON API (marshmallow 4).

They check the shape of what a client sends; rules that need the database (does the survey
version exist, does it ship this language, are the answers valid) live in the services.
Errors are marshmallow's messages dict: ``{"field": ["message", ...]}``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from fieldscan import clock
from fieldscan.locales import LANGUAGES, normalize_language
from fieldscan.survey.schema import SURVEY_ID

#: How far in the future a client's clock may be before its times are refused.
CLOCK_SKEW = timedelta(minutes=5)

#: The most responses one sync request may carry.
MAX_BATCH = 500

#: The largest version number (a 32-bit database integer).
MAX_VERSION = 2**31 - 1

#: A survey id (:data:`fieldscan.survey.schema.SURVEY_ID`) as the OpenAPI document gives it.
SURVEY_ID_PATTERN = "^[a-z][a-z0-9_]{1,63}$"

_AWARE_EXAMPLE = "2026-03-02T09:15:00-08:00"


class UUIDString(fields.String):
    """A UUID given as a string, loaded as its canonical lower-case form."""

    default_error_messages = {
        "invalid_uuid": "Not a valid UUID (like 3f2b8c1e-5d4a-4e6b-9a7c-0d1e2f3a4b5c).",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return str(uuid.UUID(text.strip()))
        except ValueError:
            raise self.make_error("invalid_uuid") from None


class LanguageCode(fields.String):
    """A language fieldscan speaks, loaded as its fieldscan code (``zh-TW`` -> ``zh_Hant``)."""

    default_error_messages = {
        "unknown_language": "Not a language fieldscan speaks; use one of: {languages}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        code = normalize_language(text)
        if code is None:
            raise self.make_error("unknown_language", languages=", ".join(LANGUAGES))
        return code


class AwareTime(fields.AwareDateTime):
    """An ISO 8601 date and time with its UTC offset, that exists in UTC.

    (``0001-01-01T00:00:00+01:00`` parses, but has no UTC time to store.)
    """

    default_error_messages = {
        "invalid": f"Not a valid ISO 8601 date and time (like {_AWARE_EXAMPLE}).",
        "invalid_awareness": (
            f"Give the time with its UTC offset (like {_AWARE_EXAMPLE} or ...Z); "
            "a time without one is ambiguous."
        ),
        "out_of_range": "This time is out of range.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise self.make_error("out_of_range") from None
        return moment


def _aware(**kwargs: Any) -> AwareTime:
    return AwareTime(**kwargs)


class SyncItemSchema(Schema):
    """One response as a tablet sends it.

    ``uuid`` is the client's id of the response (made when the interview started) and is
    loaded in canonical form; ``language`` as a fieldscan code. Whether the survey version
    exists and ships the language is checked by :mod:`fieldscan.api.sync`.
    """

    class Meta:
        # A misspelled field (``completedAt``) must not silently change what is stored.
        unknown = RAISE

    uuid = UUIDString(
        required=True,
        metadata={"description": "The client's id of the response, made when it started."},
    )
    survey_id = fields.String(
        required=True,
        validate=validate.Regexp(
            SURVEY_ID,
            error="Not a survey id (lower-case letters, digits and _, like children_scan).",
        ),
        metadata={"pattern": SURVEY_ID_PATTERN, "example": "children_scan"},
    )
    survey_version = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(
            min=1, max=MAX_VERSION, error="Survey versions are numbered from 1 to {max}."
        ),
    )
    language = LanguageCode(required=True, metadata={"example": "es"})
    started_at = _aware(required=True)
    completed_at = _aware(
        allow_none=True,
        load_default=None,
        metadata={"description": "Set when the response is complete; null while in progress."},
    )
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata={
            "description": "Question id -> answer: a choice value (or a list of them), a "
            "number, a text, true/false for yes/no; null skips an optional question."
        },
    )

    @validates_schema(skip_on_field_errors=False)
    def _check_times(self, data: dict[str, Any], **_kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        latest = clock.now() + CLOCK_SKEW
        started, completed = data.get("started_at"), data.get("completed_at")
        if started is not None and started > latest:
            errors["started_at"] = ["This time is in the future; check the device's clock."]
        if completed is not None:
            if completed > latest:
                errors["completed_at"] = ["This time is in the future; check the device's clock."]
            elif started is not None and completed < started:
                errors["completed_at"] = ["The response cannot be completed before it started."]
        if errors:
            raise ValidationError(errors)


class SyncRequestSchema(Schema):
    """The body of ``POST /api/v1/sync``.

    The items are kept raw here: each is loaded with :class:`SyncItemSchema` on its own, so
    one bad item does not refuse the batch.
    """

    class Meta:
        unknown = RAISE

    responses = fields.List(
        fields.Raw(
            allow_none=True,
            metadata={
                "description": "A response like SyncItem (checked on its own: an invalid "
                "item gets an invalid result, not a refused batch).",
                "allOf": [{"$ref": "#/components/schemas/SyncItem"}],
            },
        ),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_BATCH, error="Send from {min} to {max} responses per request."
        ),
    )


#: A site's slug, as :mod:`fieldscan.accounts.services` makes them.
SITE_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
#: The same, as the OpenAPI document gives it (an ECMA-262 regex: no ``\Z``).
SITE_SLUG_PATTERN = "^[a-z0-9][a-z0-9_-]{0,63}$"


class ErrorDetailSchema(Schema):
    """What went wrong."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    status = fields.String(required=True, metadata={"description": "The HTTP status name."})
    message = fields.String(required=True, metadata={"description": "What is wrong, in English."})
    field_messages = fields.Dict(
        data_key="fields",
        metadata={
            "description": "Messages per field (nested for objects, such as answers per "
            "question id)."
        },
    )
    location = fields.String(
        metadata={"description": "Where the fields are: json (the body) or query."}
    )


class ErrorSchema(Schema):
    """Every error of the API."""

    error = fields.Nested(ErrorDetailSchema, required=True)
