"""Report figures from the newest analysis of each open question.

Every figure is a count of *respondents* (responses): the answers of the newest finished
:class:`~fieldscan.models.AnalysisRun` of a question, by their response's survey, site,
language, channel and start date. Theme, entity and respondent counts are sums over the
pre-aggregated :class:`~fieldscan.models.ReportRollup` rows that the analysis job keeps
(:mod:`fieldscan.reports.rollups`; :mod:`fieldscan.reports.live` counts the same from the
answers, for the tests and the benchmark). A respondent counts once per theme (themes are
multi-label). Clusters are counted from the answers (:func:`_filtered`), in
:mod:`fieldscan.reports.clusters`.

Nothing leaves this module unsuppressed: counts go through :mod:`fieldscan.reports.privacy`
(tables with their totals, lists with theirs), shares are computed from shown numbers only,
and example answers are quoted for groups of 11 or more only, scrubbed.

One table per page cuts the respondents by themes: the overall theme counts of a page are
the row totals of its breakdown table, suppressed with it, so the two never disagree.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select

from fieldscan.analysis_jobs.services import latest_run
from fieldscan.extensions import db
from fieldscan.locales import normalize_language
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Channel,
    Partner,
    PartnerMatch,
    Response,
    Site,
    SurveyVersion,
)
from fieldscan.partners.matching import stakeholder_map as _stakeholder_map
from fieldscan.reports import rollups as _counts
from fieldscan.reports.privacy import (
    SMALL_CELL,
    SUPPRESSED,
    Shown,
    Table,
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


def theme_labels(taxonomy_id: str) -> tuple[str, ...]:
    """The taxonomy's labels in its file's order, then themes staff promoted (``none`` last)."""
    from fieldscan.reports.taxonomy_overlay import with_staff_themes

    return with_staff_themes(taxonomy_id, _shipped_labels(taxonomy_id))


@lru_cache(maxsize=8)
def _shipped_labels(taxonomy_id: str) -> tuple[str, ...]:
    """The label ids of the bundled ``taxonomy.yaml``, in order (as ``analysis`` reads them).

    Read from the file rather than through ``analysis.default_taxonomies``: importing the
    ``analysis`` package loads scikit-learn and SciPy (seconds), which a report page does not
    need (tests check the two agree).
    """
    import yaml

    spec = importlib.util.find_spec("analysis")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        return ()
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "taxonomies" / taxonomy_id / "taxonomy.yaml"
    if not _SLUG.match(taxonomy_id) or not path.is_file():
        return ()
    meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    labels = [
        str(entry.get("id", "") if isinstance(entry, dict) else entry).strip()
        for entry in meta.get("labels") or []
    ]
    return tuple(label for label in labels if label)


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
    totals, counts = _counts.theme_counts(run, filters, site_ids, by)
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


@dataclass(frozen=True)
class NamedEntities:
    """The names listed, and how many others are left out to protect privacy."""

    rows: list[EntityRow]
    unlisted: int


def named_entities(question_id: str, filters: Filters, site_ids: list[int] | None) -> NamedEntities:
    """The organisations and people the run found, counted in the filtered answers only.

    A name is listed only when more than ``SMALL_CELL`` respondents give it: a rarely
    named person (a neighbour, a relative, a nickname) could point to the respondent, and
    listing a name at all would show that someone gave it. The others are only counted.
    """
    run = latest_run(question_id)
    if run is None or not run.summary:
        return NamedEntities([], 0)
    counts, respondents = _counts.entity_counts(run, filters, site_ids)
    named = [e for e in run.summary.get("entities") or [] if counts.get(e["name"], 0) > 0]
    found = [e for e in named if counts[e["name"]] > SMALL_CELL]
    if not found:
        return NamedEntities([], len(named))
    found.sort(key=lambda e: (-counts[e["name"]], e["name"].casefold()))
    shown = suppress_counts(
        [counts[e["name"]] for e in found],
        respondents,
        multi_label=True,
        labels_complete=False,
    )
    rows = [
        EntityRow(e["name"], str(e.get("kind") or ""), value)
        for e, value in zip(found, shown.counts, strict=True)
    ]
    return NamedEntities(rows, len(named) - len(found))


def entities(question_id: str, filters: Filters, site_ids: list[int] | None) -> list[EntityRow]:
    """The listed names of :func:`named_entities` (the report's table and its downloads)."""
    return named_entities(question_id, filters, site_ids).rows


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


def _merge_same_names(found: list[dict]) -> list[dict]:
    """One entry per name and kind: the two open questions name many of the same places."""
    merged: dict[tuple[str, str], dict] = {}
    for entity in found:
        key = (" ".join(entity["name"].casefold().split()), str(entity.get("kind") or ""))
        if key in merged:
            merged[key]["count"] += entity["count"]
            merged[key]["answer_ids"] = merged[key]["answer_ids"] + entity["answer_ids"]
        else:
            merged[key] = dict(entity)
    return list(merged.values())


def _without_own_sites(found: list[dict]) -> list[dict]:
    """Leave out the organisation's own clinics: patients trust them, but they are not
    partners to win (a near-exact name, e.g. "eastside family clinic")."""
    own = [site.casefold() for site in db.session.scalars(select(Site.name))]
    return [
        entity
        for entity in found
        if not any(fuzz.token_sort_ratio(entity["name"].casefold(), site) >= 90 for site in own)
    ]


def stakeholders(filters: Filters, site_ids: list[int] | None) -> dict[str, list[StakeholderItem]]:
    """The stakeholder map of the messengers and resources patients name (filtered), against
    the partner registry the reader may see; mentions and where they come from, suppressed."""
    found: list[dict] = []
    # Respondents who name the same set of entities form one id, weighted by how many they
    # are: the matcher counts a partner once per respondent naming any of its spellings (a
    # union of sets), without an id per person; a partner's sites and languages are the sums
    # over its sets.
    places: list[tuple[Counter, Counter]] = []  # (sites, languages) of each set id
    weights: dict[str, int] = {}
    for question_id in QUESTIONS.values():
        run = latest_run(question_id)
        if run is None or not run.summary:
            continue
        sets: dict[tuple[str, ...], tuple[Counter, Counter]] = {}
        for names, site, language, n in _counts.entity_groups(run, filters, site_ids):
            key = tuple(sorted(set(names)))
            sites, languages = sets.get(key) or sets.setdefault(key, (Counter(), Counter()))
            sites[site] += n
            languages[language] += n
        ids: dict[str, list[str]] = defaultdict(list)
        counts: Counter = Counter()
        for names, (sites, languages) in sets.items():
            group, n = str(len(places)), sum(sites.values())
            places.append((sites, languages))
            weights[group] = n
            for name in names:
                ids[name].append(group)
                counts[name] += n
        for entity in run.summary.get("entities") or []:
            if ids.get(entity["name"]):
                found.append(
                    {
                        "name": entity["name"],
                        "kind": entity.get("kind"),
                        "count": counts[entity["name"]],
                        "answer_ids": ids[entity["name"]],
                    }
                )
    found = _without_own_sites(_merge_same_names(found))
    partners = select(Partner).order_by(Partner.name)
    if site_ids is not None:
        partners = partners.where(Partner.site_id.is_(None) | Partner.site_id.in_(site_ids))
    registry = list(db.session.scalars(partners))
    confirmations = list(db.session.scalars(select(PartnerMatch)))
    result = _stakeholder_map(found, registry, confirmations, weights=weights)

    def where(answer_ids: list[str], index: int) -> list[tuple[str, int | None]]:
        counter: Counter = Counter()
        for group in answer_ids:
            counter.update(places[int(group)][index])
        ordered = sorted(counter.items(), key=lambda kn: (-kn[1], kn[0]))  # ties: by name
        return [(k, standalone_count(n)) for k, n in ordered if k]

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
    rows = _counts.respondent_counts(run, filters, site_ids, column)
    if not rows:
        return []
    shown = suppress_counts([n for _, n in rows])
    return [
        CountRow(k, value, share(value, shown.total))
        for (k, _), value in zip(rows, shown.counts, strict=True)
    ]


__all__ = ["SMALL_CELL"]
