"""One row per response, one column per question, labels in the chosen language.

Cells are neutralized against CSV and formula injection: text that a spreadsheet would
read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets
a leading apostrophe.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fieldscan.extensions import db
from fieldscan.instruments.services import definition_of
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import Response, SurveyVersion
from fieldscan.survey import Question, Survey

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FIXED_COLUMNS = (
    "response_id",
    "survey_version",
    "channel",
    "site",
    "status",
    "language",
    "started_at",
    "finished_at",
)


class ExportError(ValueError):
    """The export cannot be made as asked."""


def neutralize(value: object) -> object:
    """Make a text cell safe to open in a spreadsheet; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One exported column: a fixed field, a question, or one choice of a multiple choice."""

    header: str
    question_id: str | None = None
    choice: str | None = None


@dataclass
class ResponseTable:
    """Headers and rows (lists of cell values, already neutralized)."""

    columns: list[Column]
    rows: list[list[object]]


def _questions(definition: Survey) -> list[Question]:
    return [q for q in definition.flat() if q.takes_answer]


def build_columns(definition: Survey, language: str) -> list[Column]:
    """The columns for ``definition`` with question labels in ``language``."""
    columns = [Column(name) for name in FIXED_COLUMNS]
    for question in _questions(definition):
        label = question.text("label", language) or question.id
        if question.type == "select_multiple":
            for choice in question.choices:
                columns.append(
                    Column(f"{label}: {choice.text(language)}", question.id, choice.value)
                )
        else:
            columns.append(Column(label, question.id))
    return columns


def _cell(column: Column, response: Response, answers: dict[str, object]) -> object:
    if column.question_id is None:
        return {
            "response_id": response.uuid,
            "survey_version": response.survey_version.number,
            "channel": response.channel.value,
            "site": response.site.slug if response.site else "",
            "status": response.status.value,
            "language": response.language,
            "started_at": response.started_at.isoformat(),
            "finished_at": response.finished_at.isoformat() if response.finished_at else "",
        }[column.header]
    value = answers.get(column.question_id)
    if column.choice is not None:
        if column.question_id not in answers or value is None:
            return None
        return 1 if column.choice in (value or []) else 0
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value


def iter_responses(survey_id: str, site_ids: list[int] | None = None) -> Iterator[Response]:
    """Every response to any version of ``survey_id``, oldest first.

    ``site_ids`` limits them to those sites (None: every site, and responses without one;
    see :func:`fieldscan.accounts.access.visible_site_ids`).
    """
    query = (
        select(Response)
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(SurveyVersion.survey_id == survey_id)
        .options(
            selectinload(Response.answers),
            selectinload(Response.site),
            selectinload(Response.survey_version),
        )
        .order_by(Response.started_at, Response.id)
        .execution_options(yield_per=500)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    result = db.session.scalars(query)
    try:
        yield from result
    finally:
        result.close()  # a server-side cursor (PostgreSQL) when the reader stops early


def resolve(survey_id: str, language: str | None) -> tuple[SurveyVersion, Survey, str]:
    """The newest version of ``survey_id``, its definition and the export language.

    :raises ExportError: the survey is not loaded, or does not ship ``language``.
    """
    latest = db.session.scalars(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey_id)
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    ).first()
    if latest is None:
        raise ExportError(f"survey {survey_id!r} is not loaded")
    definition = definition_of(latest)
    language = language or SOURCE_LANGUAGE
    if language not in definition.languages:
        raise ExportError(
            f"language {language!r} is not one of the survey's ({', '.join(definition.languages)})"
        )
    return latest, definition, language


def response_table(
    survey_id: str, language: str | None = None, site_ids: list[int] | None = None
) -> ResponseTable:
    """The export table of a survey, labelled in ``language`` (default: English).

    ``site_ids`` limits the rows to responses of those sites (None: every response).
    """
    _, definition, language = resolve(survey_id, language)
    columns = build_columns(definition, language)
    rows = []
    for response in iter_responses(survey_id, site_ids):
        answers = response.answer_values()
        rows.append([neutralize(_cell(c, response, answers)) for c in columns])
    return ResponseTable(columns, rows)
