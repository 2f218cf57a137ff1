"""Report figures from the newest analysis of each open question, counted in SQL.

Every figure is a count of *respondents* (responses): the answers of the newest finished
:class:`~fieldscan.models.AnalysisRun` of a question, joined through their
:class:`~fieldscan.models.AnswerTag` to the answer and its response (site, language,
channel, start date), filtered, and grouped by the database (themes and entities are JSON
lists, expanded with ``json_each`` on SQLite and ``json_array_elements_text`` on
PostgreSQL). A respondent counts once per theme (themes are multi-label).

Nothing leaves this module unsuppressed: counts go through :mod:`fieldscan.reports.privacy`
(tables with their totals, lists with theirs), shares are computed from shown numbers only,
and example answers are quoted for groups of 11 or more only, scrubbed.

One table per page cuts the respondents by themes: the overall theme counts of a page are
the row totals of its breakdown table, suppressed with it, so the two never disagree.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Text, cast, func, select, true

from fieldscan.analysis_jobs.services import latest_run
from fieldscan.extensions import db
from fieldscan.locales import normalize_language
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Channel,
    ClusterReview,
    Partner,
    PartnerMatch,
    Response,
    Site,
    SurveyVersion,
)
from fieldscan.partners.matching import stakeholder_map as _stakeholder_map
from fieldscan.reports.privacy import (
    SMALL_CELL,
    SUPPRESSED,
    Shown,
    Table,
    examples_allowed,
    scrub,
    share,
    standalone_count,
    suppress_counts,
    suppress_table,
)

#: The report names and the open question each one reads.
QUESTIONS = {"messengers": "trusted_messenger", "resources": "resources"}
#: Breakdowns of the theme tables.
BREAKDOWNS = ("language", "site", "month")
_SLUG = re.compile(r"^[a-z0-9_\-]{1,64}$")
_SURVEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


class ReportError(ValueError):
    """A filter is malformed (the page answers 400)."""


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the report to (GET parameters; none of them PHI)."""

    survey: str | None = None
    site: str | None = None
    language: str | None = None
    channel: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """Read and check the filter form; raises :class:`ReportError` on a bad value."""

        def text(name: str, pattern: re.Pattern[str]) -> str | None:
            value = (args.get(name) or "").strip()
            if value and not pattern.match(value):
                raise ReportError(name)
            return value or None

        language = (args.get("language") or "").strip() or None
        if language is not None:
            language = normalize_language(language)
            if language is None:
                raise ReportError("language")
        channel = (args.get("channel") or "").strip() or None
        if channel is not None and channel not in {c.value for c in Channel}:
            raise ReportError("channel")
        dates = []
        for name in ("from", "to"):
            value = (args.get(name) or "").strip()
            try:
                dates.append(date.fromisoformat(value) if value else None)
            except ValueError as error:
                raise ReportError(name) from error
        return cls(text("survey", _SURVEY), text("site", _SLUG), language, channel, *dates)

    def audit(self) -> dict[str, str]:
        """The filters for the audit trail and the export links (set ones only)."""
        values = asdict(self)
        names = {"date_from": "from", "date_to": "to"}
        return {names.get(k, k): str(v) for k, v in values.items() if v is not None}


def visible_sites(site_ids: list[int] | None) -> list[Site]:
    """The sites a reader may pick in the filter form."""
    query = select(Site).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids))
    return list(db.session.scalars(query))


def survey_ids() -> list[str]:
    """Surveys with stored responses (for the filter form)."""
    return list(
        db.session.scalars(
            select(SurveyVersion.survey_id).distinct().order_by(SurveyVersion.survey_id)
        )
    )


@lru_cache(maxsize=8)
def theme_labels(taxonomy_id: str) -> tuple[str, ...]:
    """The taxonomy's labels in its file's order (``none`` last)."""
    from analysis import default_taxonomies

    taxonomy = default_taxonomies().get(taxonomy_id)
    return tuple(taxonomy.labels) if taxonomy is not None else ()


# --- the filtered answers ------------------------------------------------------------------


def _filtered(query, run: AnalysisRun, filters: Filters, site_ids: list[int] | None):
    """``query`` (which selects from answer_tags) joined to the responses and filtered."""
    query = (
        query.join(Answer, AnswerTag.answer_id == Answer.id)
        .join(Response, Answer.response_id == Response.id)
        .outerjoin(Site, Response.site_id == Site.id)
        .where(AnswerTag.run_id == run.id)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids or [-1]))
    if filters.site:
        query = query.where(Site.slug == filters.site)
    if filters.language:
        query = query.where(Response.language == filters.language)
    if filters.channel:
        query = query.where(Response.channel == Channel(filters.channel))
    if filters.survey:
        versions = select(SurveyVersion.id).where(SurveyVersion.survey_id == filters.survey)
        query = query.where(Response.survey_version_id.in_(versions))
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, UTC)
        query = query.where(Response.started_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, UTC)
        query = query.where(Response.started_at < end)
    return query


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


# --- theme tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A shown count and its share of the column's respondents (None: not shown)."""

    count: Shown
    share: float | None

    @property
    def hidden(self) -> bool:
        return self.count is SUPPRESSED


@dataclass(frozen=True)
class ThemeRow:
    theme: str
    total: Cell
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ThemeReport:
    """Theme counts of one question, broken down by ``by`` (language, site or month)."""

    question_id: str
    run: AnalysisRun | None
    by: str
    columns: tuple[str, ...]
    column_totals: tuple[Shown, ...]
    respondents: Shown
    rows: tuple[ThemeRow, ...]

    @property
    def empty(self) -> bool:
        return not self.rows

    def top(self, n: int = 5) -> list[ThemeRow]:
        """The most named themes with shown counts (``none`` left out)."""
        shown = [r for r in self.rows if not r.total.hidden and r.theme != "none"]
        return sorted(shown, key=lambda r: -int(r.total.count))[:n]  # type: ignore[arg-type]


def theme_report(
    question_id: str, filters: Filters, site_ids: list[int] | None, by: str = "language"
) -> ThemeReport:
    """Respondents per theme (and per ``by`` value), suppressed, with shares."""
    run = latest_run(question_id)
    if run is None:
        return ThemeReport(question_id, None, by, (), (), 0, ())
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
    counts: dict[tuple[str, str], int] = {}
    for g, theme, n in db.session.execute(cells_query):
        counts[(str(g or ""), str(theme))] = n
    if not totals:
        return ThemeReport(question_id, run, by, (), (), 0, ())
    labels = list(theme_labels(run.taxonomy_id))
    labels += sorted({t for _, t in counts} - set(labels))
    columns = sorted(totals)
    matrix = [[counts.get((c, t), 0) for c in columns] for t in labels]
    column_totals = [totals[c] for c in columns]
    complete = all(sum(row[j] for row in matrix) >= column_totals[j] for j in range(len(columns)))
    shown = suppress_table(
        Table(
            matrix,
            row_totals=[sum(row) for row in matrix],
            column_totals=column_totals,
            grand_total=sum(column_totals),
            multi_label_rows=True,
            labels_complete=complete,
        )
    )
    rows = tuple(
        ThemeRow(
            theme,
            Cell(shown.row_totals[i], share(shown.row_totals[i], shown.grand_total)),
            tuple(
                Cell(value, share(value, shown.column_totals[j]))
                for j, value in enumerate(shown.cells[i])
            ),
        )
        for i, theme in enumerate(labels)
    )
    return ThemeReport(
        question_id, run, by, tuple(columns), shown.column_totals, shown.grand_total, rows
    )


# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityRow:
    name: str
    kind: str
    count: Shown


def _entity_counts(run: AnalysisRun, filters: Filters, site_ids: list[int] | None) -> dict:
    element = _elements(AnswerTag.entities)
    query = _filtered(
        select(element.c.value, func.count(func.distinct(Response.id)))
        .select_from(AnswerTag)
        .join(element, true()),
        run,
        filters,
        site_ids,
    ).group_by(element.c.value)
    return {str(name): n for name, n in db.session.execute(query)}


def _respondents(run: AnalysisRun, filters: Filters, site_ids: list[int] | None) -> int:
    query = _filtered(
        select(func.count(func.distinct(Response.id))).select_from(AnswerTag),
        run,
        filters,
        site_ids,
    )
    return int(db.session.scalar(query) or 0)


def entities(question_id: str, filters: Filters, site_ids: list[int] | None) -> list[EntityRow]:
    """The organisations and people the run found, counted in the filtered answers only."""
    run = latest_run(question_id)
    if run is None or not run.summary:
        return []
    counts = _entity_counts(run, filters, site_ids)
    found = [e for e in run.summary.get("entities") or [] if counts.get(e["name"], 0) > 0]
    if not found:
        return []
    found.sort(key=lambda e: (-counts[e["name"]], e["name"].casefold()))
    shown = suppress_counts(
        [counts[e["name"]] for e in found],
        _respondents(run, filters, site_ids),
        multi_label=True,
        labels_complete=False,
    )
    return [
        EntityRow(e["name"], str(e.get("kind") or ""), value)
        for e, value in zip(found, shown.counts, strict=True)
    ]


# --- stakeholder map -----------------------------------------------------------------------


@dataclass
class StakeholderItem:
    name: str
    kind: str
    mentions: int | None  # None: 1..10, not shown
    confirmed: bool
    relationship: str = ""
    sites: list[tuple[str, int | None]] = field(default_factory=list)
    languages: list[tuple[str, int | None]] = field(default_factory=list)


def stakeholders(filters: Filters, site_ids: list[int] | None) -> dict[str, list[StakeholderItem]]:
    """The stakeholder map of the messengers and resources patients name (filtered), against
    the partner registry the reader may see; mentions and where they come from, suppressed."""
    found: list[dict] = []
    places: dict[str, tuple[str, str]] = {}
    for question_id in QUESTIONS.values():
        run = latest_run(question_id)
        if run is None or not run.summary:
            continue
        element = _elements(AnswerTag.entities)
        query = _filtered(
            select(element.c.value, Answer.id, func.coalesce(Site.name, ""), Response.language)
            .select_from(AnswerTag)
            .join(element, true()),
            run,
            filters,
            site_ids,
        )
        ids: dict[str, list[str]] = defaultdict(list)
        for name, answer_id, site, language in db.session.execute(query):
            ids[str(name)].append(str(answer_id))
            places[str(answer_id)] = (site, language)
        for entity in run.summary.get("entities") or []:
            if ids.get(entity["name"]):
                found.append(
                    {
                        "name": entity["name"],
                        "kind": entity.get("kind"),
                        "count": len(ids[entity["name"]]),
                        "answer_ids": ids[entity["name"]],
                    }
                )
    partners = select(Partner).order_by(Partner.name)
    if site_ids is not None:
        partners = partners.where(Partner.site_id.is_(None) | Partner.site_id.in_(site_ids))
    registry = list(db.session.scalars(partners))
    confirmations = list(db.session.scalars(select(PartnerMatch)))
    result = _stakeholder_map(found, registry, confirmations)

    def where(answer_ids: list[str], index: int) -> list[tuple[str, int | None]]:
        counter = Counter(places[a][index] for a in answer_ids if a in places)
        return [(k, standalone_count(n)) for k, n in counter.most_common() if k]

    out: dict[str, list[StakeholderItem]] = {}
    for bucket, items in result.items():
        out[bucket] = [
            StakeholderItem(
                str(item["name"]),
                str(item.get("kind") or ""),
                standalone_count(int(item.get("mentions") or 0)),
                bool(item.get("confirmed")),
                str(item.get("relationship") or ""),
                where(item.get("answer_ids") or [], 0),
                where(item.get("answer_ids") or [], 1),
            )
            for item in items
        ]
    return out


# --- respondents by language and channel (the community profile) ---------------------------


@dataclass(frozen=True)
class CountRow:
    key: str
    count: Shown
    share: float | None


def respondents_by(column: str, filters: Filters, site_ids: list[int] | None) -> list[CountRow]:
    """Respondents to the trusted messenger question by ``language`` or ``channel``."""
    run = latest_run(QUESTIONS["messengers"])
    if run is None:
        return []
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
    rows = [(str(k), n) for k, n in db.session.execute(query)]
    if not rows:
        return []
    shown = suppress_counts([n for _, n in rows])
    return [
        CountRow(k, value, share(value, shown.total))
        for (k, _), value in zip(rows, shown.counts, strict=True)
    ]


# --- clusters ------------------------------------------------------------------------------


@dataclass
class ClusterRow:
    cluster_id: int
    label: str
    name: str
    theme: str
    terms: list[str]
    size: Shown
    languages: list[tuple[str, Shown]]
    examples: list[str]
    verified: bool


def clusters(question_id: str, filters: Filters, site_ids: list[int] | None) -> list[ClusterRow]:
    """The run's clusters, sized in the filtered answers; examples of 11 or more, scrubbed."""
    run = latest_run(question_id)
    if run is None or not run.summary:
        return []
    query = _filtered(
        select(
            AnswerTag.cluster, Response.language, func.count(func.distinct(Response.id))
        ).select_from(AnswerTag),
        run,
        filters,
        site_ids,
    ).group_by(AnswerTag.cluster, Response.language)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for cluster_id, language, n in db.session.execute(query):
        counts[int(cluster_id)][str(language)] = n
    described = {int(c["id"]): c for c in run.summary.get("clusters") or []}
    ids = sorted(set(counts) | set(described))
    languages = sorted({lang for per in counts.values() for lang in per})
    if not ids or not languages:
        return []
    shown = suppress_table(Table([[counts[i].get(lang, 0) for lang in languages] for i in ids]))
    reviews = {
        r.cluster_id: r
        for r in db.session.scalars(select(ClusterReview).where(ClusterReview.run_id == run.id))
    }
    out = []
    for row, cluster_id in enumerate(ids):
        if cluster_id not in described:
            continue  # answers in no cluster (-1), or tagged after the run
        info = described[cluster_id]
        size = sum(counts[cluster_id].values())
        review = reviews.get(cluster_id)
        out.append(
            ClusterRow(
                cluster_id,
                str(info.get("label") or ""),
                (review.name if review and review.name else str(info.get("label") or "")),
                str(info.get("theme") or ""),
                list(info.get("top_terms") or []),
                shown.row_totals[row],
                [
                    (lang, shown.cells[row][j])
                    for j, lang in enumerate(languages)
                    if counts[cluster_id].get(lang)
                ],
                _examples(run, cluster_id, filters, site_ids) if examples_allowed(size) else [],
                bool(review and review.verified),
            )
        )
    return out


def _examples(run, cluster_id: int, filters: Filters, site_ids, n: int = 3) -> list[str]:
    query = (
        _filtered(
            select(Answer.value).select_from(AnswerTag).where(AnswerTag.cluster == cluster_id),
            run,
            filters,
            site_ids,
        )
        .order_by(Answer.id)
        .limit(50)
    )
    examples: list[str] = []
    for value in db.session.scalars(query):
        if isinstance(value, str) and value.strip():
            text = scrub(value.strip())
            if text.casefold() not in {e.casefold() for e in examples}:
                examples.append(text)
        if len(examples) == n:
            break
    return examples


def review_cluster(
    question_id: str,
    cluster_id: int,
    user_id: int,
    *,
    name: str | None = None,
    verified: bool | None = None,
) -> ClusterReview | None:
    """Rename or verify a cluster of the newest run (the caller audits and commits)."""
    run = latest_run(question_id)
    if run is None or not run.summary:
        return None
    if cluster_id not in {int(c["id"]) for c in run.summary.get("clusters") or []}:
        return None
    review = db.session.scalars(
        select(ClusterReview).where(
            ClusterReview.run_id == run.id, ClusterReview.cluster_id == cluster_id
        )
    ).first()
    if review is None:
        review = ClusterReview(run_id=run.id, cluster_id=cluster_id, verified=False)
        db.session.add(review)
    if name is not None:
        review.name = name.strip()[:200] or None
    if verified is not None:
        review.verified = verified
    review.updated_by = user_id
    db.session.flush()
    return review


__all__ = ["SMALL_CELL"]
