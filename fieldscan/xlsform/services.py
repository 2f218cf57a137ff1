"""Importing an XLSForm into the database: the importer, then ``store_definition``.

All or nothing: a refused form stores nothing; an accepted one is stored as a new
``SurveyVersion`` (or recognized as unchanged) and committed in one transaction with its
audit event. The command line and the upload page both call :func:`import_and_store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from fieldscan.audit.services import record
from fieldscan.extensions import db
from fieldscan.instruments import services as instruments
from fieldscan.models import Survey
from fieldscan.survey import keyword_key
from fieldscan.xlsform.importer import ImportResult, import_xlsform

SOURCE_PREFIX = "xlsform:"


@dataclass(frozen=True)
class StoredImport:
    """The importer's result and, unless refused or a dry run, what was stored."""

    result: ImportResult
    stored: instruments.LoadOutcome | None = None

    @property
    def ok(self) -> bool:
        """Whether the form was accepted."""
        return self.result.ok


def taken_keywords() -> dict[str, str]:
    """SMS keywords of every stored survey (archived ones too): ``{keyword_key: survey_id}``."""
    taken: dict[str, str] = {}
    for version in instruments.current_versions(include_archived=True):
        definition = instruments.definition_of(version)
        for words in definition.keywords.values():
            for word in words:
                taken.setdefault(keyword_key(word), version.survey_id)
    return taken


def _require_schema() -> None:
    try:
        db.session.execute(select(Survey.id).limit(1))
    except (OperationalError, ProgrammingError) as exc:
        db.session.rollback()
        raise instruments.SchemaMissingError(
            "the database is not set up: run 'fieldscan db upgrade' first"
        ) from exc


def import_and_store(
    data: bytes,
    filename: str,
    *,
    survey_id: str | None = None,
    dry_run: bool = False,
    max_bytes: int,
    actor_id: int | None = None,
    actor_label: str = "",
) -> StoredImport:
    """Import ``data`` and, when accepted and not ``dry_run``, store it and commit.

    :raises fieldscan.instruments.services.SchemaMissingError: before anything else when
        the database has not been created.
    """
    _require_schema()
    # Some browsers send the whole Windows path: keep the file name only.
    name = PurePath(filename.replace("\\", "/")).name or "form"
    result = import_xlsform(
        data, name, survey_id=survey_id, taken_keywords=taken_keywords(), max_bytes=max_bytes
    )
    if not result.ok or result.definition is None:
        return StoredImport(result)
    definition = result.definition
    existing = db.session.get(Survey, definition.id)
    if existing is not None and not (existing.source or "").startswith(SOURCE_PREFIX):
        message = (
            f"{name}: survey {definition.id!r} already exists and was loaded from "
            f"{existing.source or 'a definition file'}, not imported from an XLSForm; "
            "choose another id (--id)"
        )
        return StoredImport(ImportResult(None, result.warnings, result.unsupported, [message]))
    source = (SOURCE_PREFIX + name)[:500]
    if existing is not None and existing.source != source:
        earlier = existing.source[len(SOURCE_PREFIX) :]
        note = (
            f"survey {definition.id!r} was imported from {earlier}; this form replaces it "
            "(use --id to keep both)"
        )
        result = ImportResult(definition, [note, *result.warnings], result.unsupported, [])
    if dry_run:
        return StoredImport(result)
    try:
        outcome = instruments.store_definition(definition, source=source)
        record(
            "survey.import_xlsform",
            "survey",
            definition.id,
            actor_id=actor_id,
            actor_label=actor_label,
            details={"version": outcome.version, "created": outcome.created, "file": name[:200]},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    current = instruments.get_version(definition.id)
    if not outcome.created and current is not None and current.number != outcome.version:
        # Versions are content-addressed: an older content is found, not stored again.
        note = (
            f"this content is version {outcome.version} of {definition.id!r}, but version "
            f"{current.number} stays the current one; change the form to make a new version"
        )
        result = ImportResult(definition, [*result.warnings, note], result.unsupported, [])
    return StoredImport(result, outcome)


def report_lines(stored: StoredImport) -> list[tuple[str, str]]:
    """``(kind, text)`` lines of the report, for the command line and the page."""
    result = stored.result
    lines = [("unsupported", text) for text in result.unsupported]
    lines += [("warning", text) for text in result.warnings]
    lines += [("error", text) for text in result.errors]
    return lines
