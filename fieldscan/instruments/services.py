"""Loading survey definitions into the database and reading them back.

The engine in :mod:`fieldscan.survey` validates and resolves definitions; this module
stores each distinct resolved content once, as a new :class:`SurveyVersion`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from fieldscan.extensions import db
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import Survey, SurveyVersion
from fieldscan.survey import Survey as SurveyDefinition
from fieldscan.survey import load_directory, load_file

logger = logging.getLogger(__name__)


class SchemaMissingError(RuntimeError):
    """The database has not been created or migrated yet."""


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one definition did."""

    survey_id: str
    version: int
    created: bool


def read_definitions(path: str | Path) -> list[SurveyDefinition]:
    """Validate the definition file or every definition in the folder ``path``.

    :raises fieldscan.survey.SurveyDefinitionError: when any definition is invalid;
        nothing is returned then (all or nothing).
    """
    path = Path(path)
    if path.is_dir():
        return load_directory(path)
    return [load_file(path)]


def store_definition(definition: SurveyDefinition, source: str) -> LoadOutcome:
    """Store ``definition`` as a new version unless identical content is already stored.

    Flushes but does not commit: the caller commits once for a whole load.
    """
    content = definition.to_content()
    digest = definition.content_hash()
    survey = db.session.get(Survey, definition.id)
    if survey is None:
        survey = Survey(id=definition.id, title="", source=source)
        db.session.add(survey)
    survey.title = definition.title.get(SOURCE_LANGUAGE) or next(iter(definition.title.values()))
    survey.source = source
    survey.archived = False
    existing = db.session.scalar(
        select(SurveyVersion).where(
            SurveyVersion.survey_id == definition.id, SurveyVersion.content_hash == digest
        )
    )
    if existing is not None:
        return LoadOutcome(definition.id, existing.number, created=False)
    last = db.session.scalar(
        select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == definition.id)
    )
    version = SurveyVersion(
        survey=survey, number=(last or 0) + 1, content=content, content_hash=digest
    )
    db.session.add(version)
    db.session.flush()
    logger.info("survey %s version %s stored", definition.id, version.number)
    return LoadOutcome(definition.id, version.number, created=True)


def load_surveys(path: str | Path) -> list[LoadOutcome]:
    """Validate every definition under ``path`` and store the changed ones, in one transaction."""
    definitions = read_definitions(path)
    _require_schema()
    outcomes = []
    try:
        for definition in definitions:
            outcomes.append(store_definition(definition, source=_source_name(path, definition)))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return outcomes


def _source_name(path: str | Path, definition: SurveyDefinition) -> str:
    path = Path(path)
    name = path.name if path.is_file() else f"{path.name}/{definition.id}"
    return name[:500]


def _require_schema() -> None:
    try:
        db.session.execute(select(Survey.id).limit(1))
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        raise SchemaMissingError(
            "the database is not set up: run 'fieldscan db upgrade' first"
        ) from exc


def current_versions(include_archived: bool = False) -> list[SurveyVersion]:
    """The newest version of every survey, ordered by survey id (one query, content deferred)."""
    latest = (
        select(SurveyVersion.survey_id, func.max(SurveyVersion.number).label("number"))
        .group_by(SurveyVersion.survey_id)
        .subquery()
    )
    query = (
        select(SurveyVersion)
        .join(
            latest,
            (SurveyVersion.survey_id == latest.c.survey_id)
            & (SurveyVersion.number == latest.c.number),
        )
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .order_by(SurveyVersion.survey_id)
    )
    if not include_archived:
        query = query.where(Survey.archived.is_(False))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class VersionRef:
    """A survey version by its keys only (cheap to query; the content comes from a cache)."""

    survey_id: str
    id: int
    number: int
    content_hash: str


def _current_refs_statement():
    latest = (
        select(SurveyVersion.survey_id, func.max(SurveyVersion.number).label("number"))
        .group_by(SurveyVersion.survey_id)
        .subquery()
    )
    return (
        select(
            SurveyVersion.survey_id,
            SurveyVersion.id,
            SurveyVersion.number,
            SurveyVersion.content_hash,
        )
        .join(
            latest,
            (SurveyVersion.survey_id == latest.c.survey_id)
            & (SurveyVersion.number == latest.c.number),
        )
        .join(Survey, Survey.id == SurveyVersion.survey_id)
        .where(Survey.archived.is_(False))
        .order_by(SurveyVersion.survey_id)
    )


#: The keys of the newest version of every open survey (built once: constructing a
#: statement costs more than running it on the hot SMS path).
CURRENT_REFS = _current_refs_statement()


def current_refs() -> list[VersionRef]:
    """Keys of the newest version of every open survey: one light query for hot paths."""
    return [VersionRef(*row) for row in db.session.execute(CURRENT_REFS)]


# Parsed definitions by (version id, content hash): a version's content never changes, and
# the hash in the key keeps two databases' versions of the same id apart (tests, tools).
_DEFINITIONS: dict[tuple[int, str], SurveyDefinition] = {}
_MAX_DEFINITIONS = 256


def definition_of(version: SurveyVersion | VersionRef) -> SurveyDefinition:
    """The engine's view of a stored version, parsed once per process."""
    key = (version.id, version.content_hash)
    found = _DEFINITIONS.get(key)
    if found is None:
        content = db.session.scalar(
            select(SurveyVersion.content).where(SurveyVersion.id == version.id)
        )
        found = SurveyDefinition.from_content(content)
        if len(_DEFINITIONS) >= _MAX_DEFINITIONS:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


def cached_definition(version_id: int, content_hash: str) -> SurveyDefinition | None:
    """The definition if this process has parsed it already, without touching the database."""
    return _DEFINITIONS.get((version_id, content_hash))


def get_version(survey_id: str, number: int | None = None) -> SurveyVersion | None:
    """A survey's version ``number``, or its newest when ``number`` is None."""
    query = select(SurveyVersion).where(SurveyVersion.survey_id == survey_id)
    if number is None:
        query = query.order_by(SurveyVersion.number.desc())
    else:
        query = query.where(SurveyVersion.number == number)
    return db.session.scalars(query.limit(1)).first()


def listing() -> list[dict]:
    """The survey list of the command-line contract (``surveys list --json``)."""
    _require_schema()
    rows = []
    for version in current_versions():
        definition = definition_of(version)
        rows.append(
            {
                "id": version.survey_id,
                "version": version.number,
                "title": definition.text("title", SOURCE_LANGUAGE) or version.survey.title,
                "languages": list(definition.languages),
                "keywords": {lang: list(words) for lang, words in definition.keywords.items()},
            }
        )
    return rows


@dataclass(frozen=True)
class PublicSurvey:
    """What the landing page shows of a survey, in one language."""

    id: str
    title: str
    keywords: list[str]


def public_listing(language: str) -> list[PublicSurvey]:
    """Surveys a patient can start by SMS, titled and keyed in ``language`` where it ships."""
    try:
        versions = current_versions()
    except SchemaMissingError:
        return []
    listed = []
    for version in versions:
        definition = definition_of(version)
        if not definition.sms_questions():
            continue  # staff-only instruments are not advertised to patients
        lang = language if language in definition.languages else SOURCE_LANGUAGE
        title = definition.text("title", lang) or version.survey.title
        keywords = definition.keywords.get(lang) or definition.keywords.get(SOURCE_LANGUAGE) or []
        listed.append(PublicSurvey(version.survey_id, title, list(keywords)))
    return listed


@dataclass(frozen=True)
class AdminSurvey:
    """A survey as the administration page lists it."""

    id: str
    title: str
    version: int
    languages: int
    responses: int
    archived: bool


def admin_listing() -> list[AdminSurvey]:
    """Every survey (archived too) with its newest version and its number of responses."""
    from fieldscan.models import Response

    counts = dict(
        db.session.execute(
            select(SurveyVersion.survey_id, func.count(Response.id))
            .join(Response, Response.survey_version_id == SurveyVersion.id)
            .group_by(SurveyVersion.survey_id)
        ).all()
    )
    rows = []
    for version in current_versions(include_archived=True):
        definition = definition_of(version)
        rows.append(
            AdminSurvey(
                version.survey_id,
                version.survey.title,
                version.number,
                len(definition.languages),
                counts.get(version.survey_id, 0),
                version.survey.archived,
            )
        )
    return rows


def toggle_archived(survey_id: str, actor_id: int | None = None) -> bool:
    """Archive an open survey or reopen an archived one; returns the new state. Commits.

    :raises LookupError: unknown survey.
    """
    from fieldscan.audit.services import record

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise LookupError(survey_id)
    survey.archived = not survey.archived
    record(
        "survey.archive" if survey.archived else "survey.reopen",
        "survey",
        survey_id,
        actor_id=actor_id,
    )
    db.session.commit()
    return survey.archived
