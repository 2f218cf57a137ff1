"""Report queries. Counts only; the privacy rules live in :mod:`fieldscan.reports.privacy`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from fieldscan.extensions import db
from fieldscan.instruments.services import current_versions, definition_of, get_version
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.models import Response, ResponseStatus, Site, SurveyVersion
from fieldscan.reports.privacy import SMALL_CELL as SMALL_CELL  # re-exported for the pages
from fieldscan.reports.privacy import standalone_count


@dataclass(frozen=True)
class ResponseCount:
    """Completed responses of one survey at one site."""

    survey_id: str
    site: str
    completed: int | None  # None: suppressed (1 to SMALL_CELL)


def completed_counts(site_ids: list[int] | None) -> list[ResponseCount]:
    """Completed responses per survey and site, small cells suppressed."""
    query = (
        select(SurveyVersion.survey_id, Site.name, func.count(Response.id))
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .outerjoin(Site, Response.site_id == Site.id)
        .where(Response.status == ResponseStatus.completed)
        .group_by(SurveyVersion.survey_id, Site.name)
        .order_by(SurveyVersion.survey_id, Site.name)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    return [
        ResponseCount(survey, site or "", standalone_count(count))
        for survey, site, count in db.session.execute(query)
    ]


@dataclass(frozen=True)
class ExportChoice:
    """A survey that can be downloaded: its title and languages for the download form."""

    survey_id: str
    title: str
    languages: tuple[str, ...]
    default_language: str


def export_choices(language: str) -> list[ExportChoice]:
    """Every loaded survey (archived ones too: their answers stay), titled in ``language``."""
    choices = []
    for version in current_versions(include_archived=True):
        definition = definition_of(version)
        default = language if language in definition.languages else SOURCE_LANGUAGE
        choices.append(
            ExportChoice(
                version.survey_id,
                definition.text("title", language) or version.survey_id,
                definition.languages,
                default,
            )
        )
    return choices


def survey_missing(survey_id: str) -> bool:
    """Whether no version of ``survey_id`` is loaded."""
    return get_version(survey_id) is None
