"""Responses as a FHIR R4 ``Bundle``: the Questionnaire(s) and one QuestionnaireResponse each.

The bundle is a ``collection`` (a set of resources to read, not instructions to a server;
see docs/fhir-export.md). It holds one ``Questionnaire`` per survey version that an
exported response was answered on, plus the newest version, and one
``QuestionnaireResponse`` per response. Texts (item text, choice displays) are in the
export language; answers are as given.

The respondent is never identified: no subject, author or source, no answers to ``phone``
questions, and phone numbers and e-mail addresses inside free text are masked.

Every resource is validated with the ``fhir.resources`` models before it is written. The
package ships R4B (4.3.0) models, not R4 (4.0.1); the output uses only elements that are the
same in both, so R4 readers (US Core, SDOH Clinical Care) take it as is.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid as uuid_module
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from fieldscan import clock
from fieldscan.exports import sdoh
from fieldscan.exports.tables import ExportError, iter_responses, resolve
from fieldscan.exports.writers import _atomic
from fieldscan.extensions import db
from fieldscan.instruments.services import definition_of
from fieldscan.models import Response, ResponseStatus, SurveyVersion
from fieldscan.survey import Question, Survey
from fieldscan.survey.xpath_nodes import Call, Chain, Literal, Node, Ref

__all__ = ["MEDIA_TYPE", "ExportError", "FhirExport", "build_export", "enable_when", "write_fhir"]

#: The FHIR version the output conforms to.
FHIR_VERSION = "4.0.1"
#: The media type of the file (the fhirVersion parameter per FHIR R4 http.html).
MEDIA_TYPE = "application/fhir+json; fhirVersion=4.0"

#: fieldscan question type -> Questionnaire.item.type.
ITEM_TYPES = {
    "select_one": "choice",
    "yes_no": "choice",
    "select_multiple": "choice",
    "integer": "integer",
    "date": "date",
    "text": "text",
    "phone": "string",
    "note": "display",
    "group": "group",
}

#: Response.status -> QuestionnaireResponse.status.
STATUSES = {
    ResponseStatus.completed: "completed",
    ResponseStatus.in_progress: "in-progress",
    ResponseStatus.abandoned: "stopped",
}

_URI = "urn:ietf:rfc:3986"
_MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
CHANNEL_SYSTEM = "urn:fieldscan:channel"
SITE_SYSTEM = "urn:fieldscan:site"


def bcp47(language: str) -> str:
    """A fieldscan language code as a BCP 47 tag (``zh_Hant`` -> ``zh-Hant``)."""
    return language.replace("_", "-")


def canonical_url(survey_id: str, base_url: str | None = None) -> str:
    """The Questionnaire's canonical URL: under ``base_url`` when set, else a URN."""
    if base_url:
        return f"{base_url.rstrip('/')}/fhir/Questionnaire/{survey_id}"
    return f"urn:fieldscan:questionnaire:{survey_id}"


def choice_system(survey_id: str, question_id: str) -> str:
    """The code system of a question's choices (codes are the choice values)."""
    return f"urn:fieldscan:survey:{survey_id}:{question_id}"


# Something that may be a phone number: 7 or more digits with + ( ) . - or spaces between.
_PHONE_LIKE = re.compile(r"(?<![\w/])[+(]?\d[\d\s().-]{5,}\d(?![\w/])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_MASK = "[phone]"
EMAIL_MASK = "[email]"


def _mask_phone(match: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    if _ISO_DATE.fullmatch(match.group(0)) or not 7 <= digits <= 15:
        return match.group(0)
    return PHONE_MASK


def mask_contacts(text: str) -> str:
    """``text`` with phone numbers and e-mail addresses masked (free-text answers may name
    the respondent's own)."""
    return _EMAIL.sub(EMAIL_MASK, _PHONE_LIKE.sub(_mask_phone, text))


def _urn_uuid(value: str) -> str:
    try:
        return f"urn:uuid:{uuid_module.UUID(value)}"
    except ValueError:
        return f"urn:uuid:{uuid_module.uuid5(uuid_module.NAMESPACE_URL, value)}"


def _name(survey_id: str) -> str:
    """A computer-friendly Questionnaire.name (``children_scan`` -> ``ChildrenScan``)."""
    return "".join(part.capitalize() for part in survey_id.split("_"))


def _coding(survey_id: str, question: Question, value: str, language: str) -> dict[str, str]:
    coding = {"system": choice_system(survey_id, question.id), "code": value}
    choice = question.choice(value)
    if choice is not None:
        coding["display"] = choice.text(language)
    return coding


# --- relevance -> enableWhen ------------------------------------------------------------------

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def enable_when(question: Question, survey: Survey) -> dict[str, Any] | None:
    """``{"enableWhen": [...], "enableBehavior": ...}`` for ``question``'s own ``relevant``.

    Only simple relevance translates: ``${q} = 'v'`` / ``!=`` (a choice, text, or ``''`` for
    "answered or not"), numeric and date comparisons, ``selected(${q}, 'v')``, and an
    ``and``-only or ``or``-only chain of those. Anything else gives None (the item then
    carries no condition; see docs/fhir-export.md).
    """
    expression = question.relevant_expression
    root = getattr(expression, "_root", None)  # the parsed tree (the engine's own)
    if root is None:
        return None
    if isinstance(root, Chain) and {op for op, _ in root.rest} in ({"and"}, {"or"}):
        operands = [root.first, *(node for _, node in root.rest)]
        behavior = "all" if root.rest[0][0] == "and" else "any"
    else:
        operands, behavior = [root], None
    conditions = [_condition(node, survey) for node in operands]
    if not conditions or any(c is None for c in conditions):
        return None
    out: dict[str, Any] = {"enableWhen": conditions}
    if behavior is not None:
        out["enableBehavior"] = behavior
    return out


def _condition(node: Node, survey: Survey) -> dict[str, Any] | None:
    if isinstance(node, Call) and node.name == "selected" and len(node.args) == 2:
        ref, literal = node.args
        if isinstance(ref, Ref) and isinstance(literal, Literal):
            target = _target(ref, survey)
            if target is not None and target.type in ("select_one", "select_multiple", "yes_no"):
                return _answer(survey, target, "=", literal.value, selected=True)
        return None
    if not (isinstance(node, Chain) and len(node.rest) == 1 and node.rest[0][0] in _COMPARISONS):
        return None
    (op, right), left = node.rest[0], node.first
    if isinstance(left, Literal) and isinstance(right, Ref):
        left, right, op = right, left, _FLIPPED[op]
    if not (isinstance(left, Ref) and isinstance(right, Literal)):
        return None
    target = _target(left, survey)
    return None if target is None else _answer(survey, target, op, right.value)


def _target(ref: Ref, survey: Survey) -> Question | None:
    if ref.name not in survey:
        return None
    question = survey.question(ref.name)
    return question if question.takes_answer else None


def _answer(
    survey: Survey, target: Question, op: str, value: object, *, selected: bool = False
) -> dict[str, Any] | None:
    condition: dict[str, Any] = {"question": target.id}
    if value == "" and op in ("=", "!="):
        # XLSForm's "${q} = ''" means "not answered".
        return {**condition, "operator": "exists", "answerBoolean": op == "!="}
    kind = target.type
    if kind in ("select_one", "yes_no", "select_multiple"):
        if isinstance(value, float) and value.is_integer():
            value = str(int(value))  # ${q} = 1 against a choice named "1"
        if op not in ("=", "!=") or not isinstance(value, str) or target.choice(value) is None:
            return None
        if kind == "select_multiple" and not selected:
            return None  # "=" on a list compares the whole selection: no FHIR equivalent
        coding = {"system": choice_system(survey.id, target.id), "code": value}
        return {**condition, "operator": op, "answerCoding": coding}
    if kind == "integer":
        number = _integer(value)
        return None if number is None else {**condition, "operator": op, "answerInteger": number}
    if kind == "date":
        if not isinstance(value, str) or len(value) != 10:
            return None
        return {**condition, "operator": op, "answerDate": value}
    if kind in ("text", "phone") and isinstance(value, str) and op in ("=", "!="):
        return {**condition, "operator": op, "answerString": value}
    return None


def _integer(value: object) -> int | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


# --- Questionnaire -------------------------------------------------------------------------


def _item(survey: Survey, question: Question, language: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id}
    codes = sdoh.question_categories(question)
    if codes:
        item["code"] = [sdoh.coding(code) for code in codes]
    text = question.text("label", language)
    if text:
        item["text"] = text
    item["type"] = ITEM_TYPES[question.type]
    item.update(enable_when(question, survey) or {})
    if question.takes_answer:
        if question.required:
            item["required"] = True
        if question.type == "select_multiple":
            item["repeats"] = True
        if question.type == "text" and question.max_length:
            item["maxLength"] = question.max_length
        bounds = [(_MIN_VALUE, question.min), (_MAX_VALUE, question.max)]
        extensions = [{"url": url, "valueInteger": v} for url, v in bounds if v is not None]
        if question.type == "integer" and extensions:
            item["extension"] = extensions
        if question.choices:
            item["answerOption"] = [
                {"valueCoding": _coding(survey.id, question, choice.value, language)}
                for choice in question.choices
            ]
    if question.is_group:
        item["item"] = [_item(survey, child, language) for child in question.questions]
    return item


def questionnaire(
    version: SurveyVersion,
    survey: Survey,
    language: str,
    *,
    base_url: str | None,
    newest: bool,
    publisher: str | None = None,
) -> dict[str, Any]:
    """The validated Questionnaire of one survey version, texts in ``language``."""
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{survey.id.replace('_', '-')[:52]}-{version.number}",  # ids: 64 at most
        "language": bcp47(language),
        "url": canonical_url(survey.id, base_url),
        "version": str(version.number),
        "name": _name(survey.id),
        "title": survey.text("title", language),
        "status": "active" if newest else "retired",
        "date": version.created_at.isoformat(),
        "publisher": publisher or None,
        "description": survey.text("description", language),
        "item": [_item(survey, q, language) for q in survey.questions],
    }
    resource = {k: v for k, v in resource.items() if v is not None}
    return Questionnaire.model_validate(resource).model_dump(mode="json")


# --- QuestionnaireResponse -----------------------------------------------------------------


def _answers(survey: Survey, question: Question, value: object, language: str) -> list[dict]:
    kind = question.type
    if kind in ("select_one", "yes_no"):
        return [{"valueCoding": _coding(survey.id, question, str(value), language)}]
    if kind == "select_multiple":
        picked = value if isinstance(value, list) else [value]
        return [{"valueCoding": _coding(survey.id, question, str(v), language)} for v in picked]
    if kind == "integer":
        number = _integer(value)
        return [] if number is None else [{"valueInteger": number}]
    if kind == "date":
        return [{"valueDate": str(value)}]
    if kind == "text":
        text = mask_contacts(str(value))
        return [{"valueString": text}] if text.strip() else []
    return []  # phone (identifies the respondent), and anything unknown: never exported


def _response_items(
    survey: Survey, questions: Sequence[Question], answers: Mapping[str, object], language: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for question in questions:
        item: dict[str, Any] = {"linkId": question.id}
        text = question.text("label", language) if question.label else None
        if text:
            item["text"] = text
        if question.is_group:
            children = _response_items(survey, question.questions, answers, language)
            if children:
                items.append({**item, "item": children})
            continue
        value = answers.get(question.id)
        if not question.takes_answer or value is None:
            continue  # notes; skipped or unasked questions are left out
        given = _answers(survey, question, value, language)
        if given:
            items.append({**item, "answer": given})
    return items


def questionnaire_response(
    response: Response,
    survey: Survey,
    language: str,
    *,
    canonical: str,
    themes: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The validated QuestionnaireResponse of one response (no respondent identity).

    ``themes`` maps question ids to the analysis labels of their open answers.
    """
    answers = response.answer_values()
    questions = {q.id: q for q in survey.flat()}
    tags = [sdoh.coding(c) for c in sdoh.response_categories(questions, answers, themes)]
    tags.append({"system": CHANNEL_SYSTEM, "code": response.channel.value})
    if response.site is not None:
        tags.append({"system": SITE_SYSTEM, "code": response.site.slug})
    authored = response.finished_at or response.started_at
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": _urn_uuid(response.uuid).removeprefix("urn:uuid:"),
        "meta": {"tag": tags},
        "language": bcp47(response.language),
        "identifier": {"system": _URI, "value": _urn_uuid(response.uuid)},
        "questionnaire": f"{canonical}|{response.survey_version.number}",
        "status": STATUSES[response.status],
        "authored": authored.isoformat(),
    }
    items = _response_items(survey, survey.questions, answers, language)
    if items:
        resource["item"] = items
    return QuestionnaireResponse.model_validate(resource).model_dump(mode="json")


# --- the bundle ------------------------------------------------------------------------------


@dataclass
class FhirExport:
    """A bundle ready to write: the envelope and Questionnaires now, responses as written.

    ``count`` is the number of QuestionnaireResponses written so far.
    """

    survey_id: str
    language: str
    envelope: dict[str, Any]
    questionnaires: list[tuple[str, dict[str, Any]]]
    responses: Iterator[tuple[str, dict[str, Any]]]
    count: int = field(default=0)

    def write_to(self, out: IO[str]) -> int:
        """Write the bundle as JSON (one entry per line); return the number of responses."""
        head = json.dumps(self.envelope, ensure_ascii=False, separators=(",", ":"))
        out.write(head[:-1] + ',"entry":[\n')
        first = True
        try:
            for full_url, resource in itertools.chain(self.questionnaires, self._counted()):
                entry = {"fullUrl": full_url, "resource": resource}
                text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
                out.write(("" if first else ",\n") + text)
                first = False
        finally:
            close = getattr(self.responses, "close", None)
            if close is not None:
                close()  # ends the database cursor when writing stops early
        out.write("\n]}\n")
        return self.count

    def _counted(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for entry in self.responses:
            self.count += 1
            yield entry


def build_export(
    survey_id: str,
    language: str | None = None,
    site_ids: list[int] | None = None,
    *,
    base_url: str | None = None,
    publisher: str | None = None,
    themes: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> FhirExport:
    """The FHIR export of ``survey_id``: texts in ``language`` (default English).

    :param site_ids: only responses of these sites (None: every response).
    :param base_url: ``FIELDSCAN_PUBLIC_URL``; the Questionnaire's canonical URL lives under
        it (a ``urn:fieldscan:`` URN without it).
    :param themes: ``{response uuid: {question id: [theme, ...]}}`` from the analysis, for
        the SDOH tags of open answers.
    :raises ExportError: the survey is not loaded or does not ship ``language``.
    """
    latest, _, language = resolve(survey_id, language)
    canonical = canonical_url(survey_id, base_url)
    used = (
        select(Response.survey_version_id)
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey_id)
        .distinct()
    )
    if site_ids is not None:
        used = used.where(Response.site_id.in_(site_ids))
    version_ids = set(db.session.scalars(used)) | {latest.id}
    versions = db.session.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.id.in_(version_ids))
        .order_by(SurveyVersion.number)
    ).all()
    questionnaires = []
    for version in versions:
        resource = questionnaire(
            version,
            definition_of(version),
            language,
            base_url=base_url,
            newest=version.id == latest.id,
            publisher=publisher,
        )
        name = f"{canonical}|{version.number}|{version.content_hash}"
        questionnaires.append(
            (f"urn:uuid:{uuid_module.uuid5(uuid_module.NAMESPACE_URL, name)}", resource)
        )
    bundle_id = str(uuid_module.uuid4())
    envelope = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "language": bcp47(language),
        "identifier": {"system": _URI, "value": f"urn:uuid:{bundle_id}"},
        "type": "collection",
        "timestamp": clock.now().isoformat(),
    }
    envelope = Bundle.model_validate(envelope).model_dump(mode="json")

    def responses() -> Iterator[tuple[str, dict[str, Any]]]:
        for response in iter_responses(survey_id, site_ids):
            survey = definition_of(response.survey_version)
            resource = questionnaire_response(
                response,
                survey,
                language,
                canonical=canonical,
                themes=(themes or {}).get(response.uuid),
            )
            yield _urn_uuid(response.uuid), resource

    return FhirExport(survey_id, language, envelope, questionnaires, responses())


def write_fhir(export: FhirExport, path: Path) -> int:
    """Write ``export`` to ``path`` atomically; return the number of responses."""
    with _atomic(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        return export.write_to(out)
