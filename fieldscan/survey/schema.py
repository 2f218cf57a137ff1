"""Marshmallow schemas for the raw survey YAML (see docs/survey-format.md).

The schemas check structure and per-field rules and fill in defaults; they do not resolve
translations or check expressions (the loader does, since both need the whole survey).
:func:`check_survey` turns marshmallow's nested error dict into flat :class:`SchemaProblem`
records naming the question and field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from fieldscan.survey.schema_fields import (
    CHANNELS,
    CHOICE_VALUE,
    RESERVED_KEYWORDS,
    ChannelList,
    ChoiceValue,
    Keywords,
    LanguageList,
    StrictBoolean,
    StrictInteger,
    Translatable,
    clean_text,
)

__all__ = [
    "CHANNELS", "CHOICE_VALUE", "RESERVED_KEYWORDS", "ChoiceSchema", "MessagesSchema",
    "QuestionSchema", "SchemaProblem", "SurveySchema", "check_survey", "clean_text",
]  # fmt: skip

SURVEY_ID = re.compile(r"[a-z][a-z0-9_]{1,63}\Z")
QUESTION_ID = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
TAXONOMY = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")

QUESTION_TYPES = (
    "select_one", "select_multiple", "text", "integer", "yes_no", "date", "phone", "note", "group",
)  # fmt: skip
SELECT_TYPES = frozenset({"select_one", "select_multiple"})
#: Types that take no answer.
NON_ANSWER_TYPES = frozenset({"note", "group"})

MESSAGE_NAMES = ("intro", "completion")
DEFAULT_MAX_LENGTH = 1000

#: Translatable fields, shared with the Babel extractor so both see the same strings.
SURVEY_TEXT_FIELDS = ("title", "description")
QUESTION_TEXT_FIELDS = ("label", "hint", "constraint_message")

_COMMON = frozenset({"id", "type", "label", "hint", "relevant", "channels"})
_ANSWERED = _COMMON | {"required", "constraint", "constraint_message"}
#: Which fields each question type accepts.
ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "select_one": _ANSWERED | {"choices"},
    "select_multiple": _ANSWERED | {"choices"},
    "text": _ANSWERED | {"max_length", "taxonomy"},
    "integer": _ANSWERED | {"min", "max"},
    "yes_no": _ANSWERED,
    "date": _ANSWERED,
    "phone": _ANSWERED,
    "note": _COMMON,
    "group": _COMMON | {"questions"},
}
_WHY_NOT = {
    "choices": "only select_one and select_multiple questions have choices",
    "min": "only integer questions have min and max",
    "max": "only integer questions have min and max",
    "max_length": "only text questions have max_length",
    "taxonomy": "only text questions have a taxonomy",
    "questions": "only groups contain questions",
}

_FRIENDLY = {
    "Unknown field.": "unknown field",
    "Missing data for required field.": "is required",
    "Not a valid string.": "must be text",
    "Not a valid list.": "must be a list",
    "Invalid input type.": "must be a mapping",
    "Shorter than minimum length 1.": "must not be empty",
}


# --- schemas --------------------------------------------------------------------------------


class ChoiceSchema(Schema):
    """One choice of a select question."""

    class Meta:
        unknown = RAISE

    value = ChoiceValue(required=True)
    label = Translatable(required=True)


class MessagesSchema(Schema):
    """The survey's intro and completion messages."""

    class Meta:
        unknown = RAISE

    intro = Translatable()
    completion = Translatable()


_nonempty = validate.Length(min=1)
_expression = fields.String(validate=_nonempty)


class QuestionSchema(Schema):
    """A question, note or group (groups nest through ``questions``)."""

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        validate=validate.Regexp(
            QUESTION_ID, error="must be a lower-case letter, then letters, digits or _"
        ),
    )
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    label = Translatable()
    hint = Translatable()
    required = StrictBoolean()
    relevant = fields.String(validate=_nonempty)
    constraint = fields.String(validate=_nonempty)
    constraint_message = Translatable()
    choices = fields.List(fields.Nested(ChoiceSchema), validate=_nonempty)
    min = StrictInteger()
    max = StrictInteger()
    max_length = StrictInteger(minimum=1)
    taxonomy = fields.String(
        validate=validate.Regexp(TAXONOMY, error="must be lower-case letters, digits or _")
    )
    channels = ChannelList()
    questions = fields.List(fields.Nested(lambda: QuestionSchema()), validate=_nonempty)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _check_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        # Looks at the original keys so a misplaced field is reported even if it was invalid.
        qtype = original.get("type") if isinstance(original, dict) else None
        if qtype not in ALLOWED_FIELDS:
            return
        errors: dict[str, Any] = {}
        allowed = ALLOWED_FIELDS[qtype]
        for key in original:
            if key in self.fields and key not in allowed:
                reason = _WHY_NOT.get(key) or (
                    "a note takes no answer" if qtype == "note" else
                    "a group takes no answer; set it on the questions inside"
                )  # fmt: skip
                errors[key] = [reason]
        if qtype != "group" and "label" not in original:
            errors["label"] = ["is required"]
        if qtype in SELECT_TYPES and "choices" not in original:
            errors["choices"] = ["is required for a select question"]
        if qtype == "group" and "questions" not in original:
            errors["questions"] = ["is required for a group"]
        low, high = data.get("min"), data.get("max")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            errors["max"] = [f"must be at least min ({low})"]
        if "constraint_message" in original and "constraint" not in original:
            errors["constraint_message"] = ["has no constraint to explain"]
        seen: set[str] = set()
        for index, choice in enumerate(data.get("choices") or []):
            value = choice.get("value") if isinstance(choice, dict) else None
            if value in seen:
                errors.setdefault("choices", {})[index] = {"value": [f"{value!r} is repeated"]}
            seen.add(value)
        if errors:
            raise ValidationError(errors)

    @post_load
    def _defaults(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data.setdefault("channels", list(CHANNELS))
        if data["type"] not in NON_ANSWER_TYPES:
            data.setdefault("required", False)
        if data["type"] == "text":
            data.setdefault("max_length", DEFAULT_MAX_LENGTH)
        return data


class SurveySchema(Schema):
    """A whole survey file."""

    class Meta:
        unknown = RAISE

    id = fields.String(
        required=True,
        validate=validate.Regexp(
            SURVEY_ID, error="must be a lower-case letter, then 1-63 letters, digits or _"
        ),
    )
    title = Translatable(required=True)
    description = Translatable()
    languages = LanguageList(required=True)
    keywords = Keywords(required=True)
    messages = fields.Nested(MessagesSchema)
    questions = fields.List(fields.Nested(QuestionSchema), required=True, validate=_nonempty)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _check_survey(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        errors: dict[Any, Any] = {}
        seen: dict[str, tuple[Any, ...]] = {}
        raw_questions = original.get("questions") if isinstance(original, dict) else None
        for path, raw in walk_raw_questions(raw_questions):
            qid = raw.get("id")
            if not isinstance(qid, str):
                continue
            if qid in seen:
                _nest(errors, (*path, "id"), f"{qid!r} is already used by another question")
            else:
                seen[qid] = path
        languages, keywords = data.get("languages"), data.get("keywords")
        if isinstance(languages, list) and isinstance(keywords, dict):
            for lang in keywords:
                if lang not in languages:
                    _nest(errors, ("keywords", lang), f"{lang!r} is not one of the languages")
            for lang in languages:
                if lang not in keywords:
                    _nest(errors, ("keywords", lang), "every language needs a keyword")
        if errors:
            raise ValidationError(errors)


def walk_raw_questions(
    questions: Any, path: tuple[Any, ...] = ("questions",)
) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every question mapping in raw (unvalidated) data with its path, groups expanded."""
    if not isinstance(questions, list):
        return
    for index, raw in enumerate(questions):
        if isinstance(raw, dict):
            yield (*path, index), raw
            yield from walk_raw_questions(raw.get("questions"), (*path, index, "questions"))


def _nest(errors: dict[Any, Any], path: tuple[Any, ...], message: str) -> None:
    node = errors
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node.setdefault(path[-1], []).append(message)


# --- flat problems --------------------------------------------------------------------------


class SchemaProblem(NamedTuple):
    """One validation failure: ``path`` into the raw data, question id and field (or None)."""

    path: tuple[Any, ...]
    question: str | None
    field: str | None
    message: str


def check_survey(raw: Any) -> tuple[dict[str, Any] | None, list[SchemaProblem]]:
    """Validate raw YAML data: ``(clean data, [])`` or ``(None, problems)``."""
    if not isinstance(raw, dict):
        message = "the file must be a mapping with id, title, languages, keywords and questions"
        return None, [SchemaProblem((), None, None, message)]
    try:
        return SurveySchema().load(raw), []
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return None, [_problem(path, message, raw) for path, message in _flatten(messages)]


def _flatten(messages: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, dict | list):
                yield from _flatten(item, path)
            else:
                yield path, str(item)
    else:
        yield path, str(messages)


def _problem(path: tuple[Any, ...], message: str, raw: Any) -> SchemaProblem:
    question: str | None = None
    field_start = 0
    node = raw
    for depth, key in enumerate(path):
        node = _child(node, key)
        if isinstance(key, int) and depth and path[depth - 1] == "questions":
            qid = node.get("id") if isinstance(node, dict) else None
            question = qid if isinstance(qid, str) and qid else format_path(path[: depth + 1])
            field_start = depth + 1
    field_path = path[field_start:]
    field = format_path(field_path) if field_path else None
    return SchemaProblem(path, question, field, _FRIENDLY.get(message, message))


def _child(node: Any, key: Any) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def format_path(path: tuple[Any, ...]) -> str:
    """``('choices', 1, 'value')`` -> ``'choices[2].value'`` (list positions count from 1)."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key + 1}]"
        else:
            out += ("." if out else "") + str(key)
    return out
