"""The report rollups (:class:`~fieldscan.models.ReportRollup`): built, kept fresh, and read.

Building counts in Python from the run's tags (one pass over them, streamed): a response has
one answer per question and a run one tag per answer, so each tagged answer is one respondent
in one cell, and counting it once under ``all``, once per distinct theme and once under its
entity set gives the same numbers as ``COUNT(DISTINCT response.id)`` over the answers. One
code path builds a run in full and adds newly tagged answers, so the two cannot disagree.

- :func:`rebuild` replaces a run's rows (the analysis job calls it in the transaction that
  stores the tags, and drops the rows of the question's older runs there too);
- :func:`add_answers` adds the counts of answers tagged later (an upsert that adds, on
  SQLite and PostgreSQL);
- the count functions (:func:`theme_counts` ...) are what :mod:`fieldscan.reports.aggregates`
  reads; :mod:`fieldscan.reports.live` answers the same calls from the answers themselves.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, false, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from fieldscan.extensions import db
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    ReportRollup,
    Response,
    Site,
    SurveyVersion,
)
from fieldscan.models.report_rollups import TOTAL_DAY

if TYPE_CHECKING:
    from fieldscan.reports.aggregates import Filters

#: Rows per INSERT batch, and answer ids per IN list (well under SQLite's variable limit).
_BATCH = 5000
_CELL = ("day", "survey_id", "site_id", "language", "channel", "kind", "key")  # a day cell
_UNIQUE = ["run_id", "grain", "kind", "day", "survey_id", "site_id", "language", "channel", "key"]


# --- building ------------------------------------------------------------------------------


def _count(run_id: int, answer_ids: list[int] | None, progress: Callable | None) -> Counter:
    """Respondents per day cell (``_CELL``) of the run's tags (of ``answer_ids`` only)."""
    query = (
        select(
            AnswerTag.themes,
            AnswerTag.entities,
            Response.started_at,
            SurveyVersion.survey_id,
            Response.site_id,
            Response.language,
            Response.channel,
        )
        .join(Answer, AnswerTag.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .join(SurveyVersion, Response.survey_version_id == SurveyVersion.id)
        .where(AnswerTag.run_id == run_id)
    )
    chunks: Iterable = (
        [query]
        if answer_ids is None
        else (
            query.where(AnswerTag.answer_id.in_(answer_ids[i : i + _BATCH]))
            for i in range(0, len(answer_ids), _BATCH)
        )
    )
    cells: Counter = Counter()
    seen = 0
    for chunk in chunks:
        for themes, entities, started, survey, site, language, channel in db.session.execute(
            chunk.execution_options(yield_per=20000)
        ):
            cell = (started.astimezone(UTC).date(), survey, site or 0, language, channel.value)
            cells[(*cell, "all", "")] += 1
            for theme in set(themes or ()):  # distinct: a respondent counts once per theme
                cells[(*cell, "theme", str(theme))] += 1
            if entities:
                cells[(*cell, "entities", entity_key(entities))] += 1
            seen += 1
            if progress is not None and seen % 100_000 == 0:
                progress(seen)
    return cells


def entity_key(names: Iterable[str]) -> str:
    """The ``key`` of an entity set: its distinct names, sorted, as a JSON list."""
    return json.dumps(sorted({str(n) for n in names}), ensure_ascii=False, separators=(",", ":"))


def _rows(run_id: int, cells: Counter) -> list[dict]:
    """Day rows and, summed, month rows and total rows of ``cells``; in the order of the
    unique key, so that a page's rows (one grain and kind) lie together in the table and a
    read touches few pages."""
    months: Counter = Counter()
    totals: Counter = Counter()
    for (day, *rest), n in cells.items():
        months[(day.replace(day=1), *rest)] += n
        totals[(TOTAL_DAY, *rest)] += n
    rows = [
        (grain, cell[5], *cell[:5], cell[6], n)  # grain, kind, day ... channel, key
        for grain, counted in (("day", cells), ("month", months), ("total", totals))
        for cell, n in counted.items()
    ]
    rows.sort(key=lambda row: row[:-1])
    columns = ("grain", "kind", "day", "survey_id", "site_id", "language", "channel", "key")
    return [
        {"run_id": run_id, **dict(zip(columns, row[:-1], strict=True)), "respondents": row[-1]}
        for row in rows
    ]


def rebuild(run: AnalysisRun, progress: Callable[[int], None] | None = None) -> int:
    """Replace the rollups of ``run`` from its tags, and drop those of the question's older
    runs (reports read the newest run only). Flushes, does not commit (the caller's
    transaction also holds the tags). ``progress(answers counted)`` every 100,000 answers.
    Returns the number of rows written."""
    older = select(AnalysisRun.id).where(
        AnalysisRun.question_id == run.question_id, AnalysisRun.id < run.id
    )
    db.session.execute(
        delete(ReportRollup).where(
            or_(ReportRollup.run_id == run.id, ReportRollup.run_id.in_(older))
        )
    )
    rows = _rows(run.id, _count(run.id, None, progress))
    table = ReportRollup.__table__
    for i in range(0, len(rows), _BATCH):
        db.session.execute(table.insert(), rows[i : i + _BATCH])
    return len(rows)


def add_answers(run: AnalysisRun, answer_ids: list[int]) -> int:
    """Add the counts of ``answer_ids`` (just tagged by ``run``) to its rollups: insert new
    cells, add to existing ones. Call once per answer (the caller's transaction holds both).
    Returns the number of rows touched."""
    if not answer_ids:
        return 0
    rows = _rows(run.id, _count(run.id, sorted(answer_ids), None))
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    for i in range(0, len(rows), _BATCH):
        statement = dialect.insert(ReportRollup.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=_UNIQUE,
            set_={"respondents": ReportRollup.respondents + statement.excluded.respondents},
        )
        db.session.execute(statement, rows[i : i + _BATCH])
    return len(rows)


def ensure(run: AnalysisRun) -> None:
    """Build the rollups of a run that has tags but none (a run done before the rollups
    existed, e.g. right after the upgrade); the caller's request commits them."""
    # Total rows: a run counted before that grain existed is counted again.
    has_rows = exists().where(ReportRollup.run_id == run.id, ReportRollup.grain == "total")
    has_tags = exists().where(AnswerTag.run_id == run.id)
    if not db.session.scalar(select(has_rows)) and db.session.scalar(select(has_tags)):
        rebuild(run)


# --- reading -------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    if (day.year, day.month) == (9999, 12):
        return date.max  # no next month to read whole; the days up to the end do
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _period(filters: Filters, by_month: bool = False):
    """The rows of the date range: ``month`` rows of the whole months inside it, ``day`` rows
    of its partial months at either end (exact to the day, few rows); with no range, the
    ``total`` rows (``month`` rows when grouped by month)."""
    r = ReportRollup
    start = filters.date_from
    end = None  # exclusive
    if filters.date_to is not None and filters.date_to < date.max:
        end = filters.date_to + timedelta(days=1)
    if start is None and end is None:
        return r.grain == ("month" if by_month else "total")
    if start is not None and end is not None and start >= end:
        return false()  # an empty range
    whole_from = None if start is None else start if start.day == 1 else _next_month(start)
    whole_to = None if end is None else _month_start(end)
    if whole_from is not None and whole_to is not None and whole_from >= whole_to:
        return (r.grain == "day") & (r.day >= start) & (r.day < end)  # no whole month
    month = r.grain == "month"
    if whole_from is not None:
        month = month & (r.day >= whole_from)
    if whole_to is not None:
        month = month & (r.day < whole_to)
    ranges = [month]
    if start is not None and start < whole_from:
        ranges.append((r.grain == "day") & (r.day >= start) & (r.day < whole_from))
    if end is not None and whole_to < end:
        ranges.append((r.grain == "day") & (r.day >= whole_to) & (r.day < end))
    return or_(*ranges)


def _select(
    run: AnalysisRun, kinds: tuple[str, ...], filters: Filters, site_ids, *columns, by_month=False
):
    """SUM(respondents) per ``columns`` over the filtered rows of ``kinds`` of ``run``."""
    ensure(run)
    r = ReportRollup
    query = (
        select(*columns, func.sum(r.respondents))
        .select_from(r)
        .where(r.run_id == run.id, r.kind.in_(kinds), _period(filters, by_month))
    )
    if site_ids is not None:
        query = query.where(r.site_id.in_(site_ids or [-1]))
    if filters.site:
        query = query.where(r.site_id.in_(select(Site.id).where(Site.slug == filters.site)))
    if filters.language:
        query = query.where(r.language == filters.language)
    if filters.channel:
        query = query.where(r.channel == filters.channel)
    if filters.survey:
        query = query.where(r.survey_id == filters.survey)
    return query.group_by(*columns) if columns else query


def _month():
    if db.engine.dialect.name == "postgresql":
        return func.to_char(ReportRollup.day, "YYYY-MM")
    return func.strftime("%Y-%m", ReportRollup.day)


def theme_counts(run: AnalysisRun, filters: Filters, site_ids, by: str) -> tuple[dict, dict]:
    """({group: respondents}, {(group, theme): respondents}) of the filtered answers, grouped
    by ``by`` (language, site or month)."""
    r = ReportRollup
    if by == "site":
        group = func.coalesce(Site.slug, "")
    elif by == "month":
        group = _month()
    else:
        group = r.language
    query = _select(
        run, ("all", "theme"), filters, site_ids, group, r.kind, r.key, by_month=by == "month"
    )
    if by == "site":
        query = query.outerjoin(Site, Site.id == r.site_id)
    totals: dict[str, int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for g, kind, key, n in db.session.execute(query):
        if kind == "all":
            totals[str(g or "")] += int(n)
        else:
            counts[(str(g or ""), str(key))] += int(n)
    return dict(totals), dict(counts)


def entity_counts(run: AnalysisRun, filters: Filters, site_ids) -> tuple[dict[str, int], int]:
    """({entity name: respondents naming it}, respondents) of the filtered answers."""
    r = ReportRollup
    counts: Counter = Counter()
    respondents = 0
    query = _select(run, ("all", "entities"), filters, site_ids, r.kind, r.key)
    for kind, key, n in db.session.execute(query):
        if kind == "all":
            respondents += int(n)
        else:
            for name in json.loads(key):
                counts[name] += int(n)
    return dict(counts), respondents


def entity_groups(run: AnalysisRun, filters: Filters, site_ids) -> list[tuple]:
    """(entity names, site name, language, respondents) of the filtered answers that name an
    entity: respondents who name the same set at a site in a language form one group."""
    r = ReportRollup
    site = func.coalesce(Site.name, "")
    query = _select(run, ("entities",), filters, site_ids, r.key, site, r.language).outerjoin(
        Site, Site.id == r.site_id
    )
    sets: dict[str, tuple[str, ...]] = {}  # each set recurs at many sites and languages
    return [
        (sets.get(key) or sets.setdefault(key, tuple(json.loads(key))), name, language, int(n))
        for key, name, language, n in db.session.execute(query)
    ]


def respondent_counts(
    run: AnalysisRun, filters: Filters, site_ids, column: str
) -> list[tuple[str, int]]:
    """(language or channel, respondents) of the filtered answers, ordered by the first."""
    r = ReportRollup
    group = r.language if column == "language" else r.channel
    query = _select(run, ("all",), filters, site_ids, group).order_by(group)
    return [(str(k), int(n)) for k, n in db.session.execute(query)]
