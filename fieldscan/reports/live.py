"""The report counts computed live from the answers: the reference for the rollups.

The pages read :mod:`fieldscan.reports.rollups`. This module answers the same calls the way
the reports did before them: the run's tags joined to the answers and responses, filtered,
themes and entities expanded with ``json_each`` (SQLite) or ``json_array_elements_text``
(PostgreSQL), ``COUNT(DISTINCT response.id)``. The tests check that both give the same
figures, and ``bench/report.py`` times the pages on both (its baseline). Slow on large data
(every page scans every answer of the run); not used by the app.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import Text, cast, func, select, true

from fieldscan.extensions import db
from fieldscan.models import AnalysisRun, Answer, AnswerTag, Response, Site
from fieldscan.reports.aggregates import _filtered

if TYPE_CHECKING:
    from fieldscan.reports.aggregates import Filters


def _elements(column):
    """The JSON list ``column`` as a table of its text elements (column ``value``)."""
    if db.engine.dialect.name == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").alias("element")
    return func.json_each(column).table_valued("value").alias("element")


def _month(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _group_column(by: str):
    if by == "site":
        return func.coalesce(Site.slug, "")
    if by == "month":
        return _month(Response.started_at)
    return Response.language


def theme_counts(run: AnalysisRun, filters: Filters, site_ids, by: str) -> tuple[dict, dict]:
    """Like :func:`fieldscan.reports.rollups.theme_counts`, from the answers."""
    group = _group_column(by).label("grp")
    element = _elements(AnswerTag.themes)
    cells_query = _filtered(
        select(group, element.c.value, func.count(func.distinct(Response.id)))
        .select_from(AnswerTag)
        .join(element, true()),
        run,
        filters,
        site_ids,
    ).group_by(group, element.c.value)
    totals_query = _filtered(
        select(group, func.count(func.distinct(Response.id))).select_from(AnswerTag),
        run,
        filters,
        site_ids,
    ).group_by(group)
    totals = {str(g or ""): n for g, n in db.session.execute(totals_query)}
    counts = {(str(g or ""), str(t)): n for g, t, n in db.session.execute(cells_query)}
    return totals, counts


def entity_counts(run: AnalysisRun, filters: Filters, site_ids) -> tuple[dict[str, int], int]:
    """Like :func:`fieldscan.reports.rollups.entity_counts`, from the answers."""
    element = _elements(AnswerTag.entities)
    query = _filtered(
        select(element.c.value, func.count(func.distinct(Response.id)))
        .select_from(AnswerTag)
        .join(element, true()),
        run,
        filters,
        site_ids,
    ).group_by(element.c.value)
    respondents = _filtered(
        select(func.count(func.distinct(Response.id))).select_from(AnswerTag),
        run,
        filters,
        site_ids,
    )
    counts = {str(name): n for name, n in db.session.execute(query)}
    return counts, int(db.session.scalar(respondents) or 0)


def entity_groups(run: AnalysisRun, filters: Filters, site_ids) -> list[tuple]:
    """Like :func:`fieldscan.reports.rollups.entity_groups`, from the answers: one group per
    answer that names an entity."""
    element = _elements(AnswerTag.entities)
    query = _filtered(
        select(element.c.value, Answer.id, func.coalesce(Site.name, ""), Response.language)
        .select_from(AnswerTag)
        .join(element, true()),
        run,
        filters,
        site_ids,
    )
    names: dict[int, list[str]] = defaultdict(list)
    places: dict[int, tuple[str, str]] = {}
    for name, answer_id, site, language in db.session.execute(query):
        if str(name) not in names[answer_id]:
            names[answer_id].append(str(name))
        places[answer_id] = (str(site), str(language))
    return [(tuple(names[a]), *places[a], 1) for a in names]


def respondent_counts(
    run: AnalysisRun, filters: Filters, site_ids, column: str
) -> list[tuple[str, int]]:
    """Like :func:`fieldscan.reports.rollups.respondent_counts`, from the answers."""
    group = (Response.language if column == "language" else cast(Response.channel, Text)).label(
        "grp"
    )
    query = (
        _filtered(
            select(group, func.count(func.distinct(Response.id))).select_from(AnswerTag),
            run,
            filters,
            site_ids,
        )
        .group_by(group)
        .order_by(group)
    )
    return [(str(k), n) for k, n in db.session.execute(query)]
