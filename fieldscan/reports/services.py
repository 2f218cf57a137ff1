"""Report queries. Counts only; the privacy rules for small cells live here too."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from fieldscan.extensions import db
from fieldscan.models import Response, ResponseStatus, Site, SurveyVersion

#: Counts from 1 to this are never shown (CMS cell-size suppression).
SMALL_CELL = 10


@dataclass(frozen=True)
class ResponseCount:
    """Completed responses of one survey at one site."""

    survey_id: str
    site: str
    completed: int | None  # None: suppressed (1 to SMALL_CELL)


def suppress(count: int) -> int | None:
    """``count``, or None when it is a small cell that must not be shown."""
    return None if 0 < count <= SMALL_CELL else count


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
        ResponseCount(survey, site or "", suppress(count))
        for survey, site, count in db.session.execute(query)
    ]
