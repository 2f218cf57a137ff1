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
    """Completed responses per survey and site, small cells suppressed.

    Counted per survey version and site id first, from the covering index
    ``ix_responses_status_version_site`` alone; the few groups are then named and summed.
    """
    counted = select(Response.survey_version_id, Response.site_id, func.count().label("n")).where(
        Response.status == ResponseStatus.completed
    )
    if site_ids is not None:
        counted = counted.where(Response.site_id.in_(site_ids))
    counted = counted.group_by(Response.survey_version_id, Response.site_id).subquery()
    query = (
        select(SurveyVersion.survey_id, Site.name, func.sum(counted.c.n))
        .select_from(counted)
        .join(SurveyVersion, counted.c.survey_version_id == SurveyVersion.id)
        .outerjoin(Site, counted.c.site_id == Site.id)
        .group_by(SurveyVersion.survey_id, Site.name)
        .order_by(SurveyVersion.survey_id, Site.name)
    )
    return [
        ResponseCount(survey, site or "", standalone_count(int(count)))
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
