"""Report tables as rows for the pages and the CSV/XLSX downloads (already suppressed).

The downloads are built from the very figures the pages show (:mod:`aggregates`), so a file
never tells more than its page; text cells are neutralized against formula injection.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fieldscan.exports.tables import Column, ResponseTable, neutralize
from fieldscan.exports.writers import csv_to_stream, xlsx_to_stream
from fieldscan.i18n import _, lazy_gettext
from fieldscan.reports import aggregates, supports
from fieldscan.reports import clusters as cluster_service
from fieldscan.reports.privacy import SMALL_CELL, SUPPRESSED
from fieldscan.reports.taxonomy_overlay import staff_theme_name

#: Theme names for people (taxonomy label ids as keys).
THEME_NAMES = {
    # trusted_messenger
    "family": lazy_gettext("Family"),
    "friends_neighbors": lazy_gettext("Friends and neighbors"),
    "clinician": lazy_gettext("Doctors, nurses and clinic staff"),
    "chw_promotora": lazy_gettext("Community health workers and promotoras"),
    "faith": lazy_gettext("Faith leaders and communities"),
    "school": lazy_gettext("Schools and teachers"),
    "community_org": lazy_gettext("Community organizations"),
    "media": lazy_gettext("Radio, TV and newspapers"),
    "online_social": lazy_gettext("Online and social media"),
    "public_health": lazy_gettext("Public health"),
    "none": lazy_gettext("No one / not sure"),
    # resources
    "food": lazy_gettext("Food"),
    "housing": lazy_gettext("Housing"),
    "transportation": lazy_gettext("Transportation"),
    "childcare_early": lazy_gettext("Child care and early learning"),
    "school_youth": lazy_gettext("School and youth programs"),
    "library": lazy_gettext("Library"),
    "prenatal_parenting": lazy_gettext("Prenatal care and parenting"),
    "child_safety": lazy_gettext("Child safety"),
    "behavioral_health": lazy_gettext("Behavioral health"),
    "caregiving_home": lazy_gettext("Caregiving and help at home"),
    "legal_immigration": lazy_gettext("Legal and immigration help"),
    "income_jobs": lazy_gettext("Income and jobs"),
    "health_coverage": lazy_gettext("Health coverage"),
}


def theme_name(theme: str) -> str:
    """A theme's name for people."""
    name = THEME_NAMES.get(theme)
    if name is None:  # a theme staff promoted from a cluster: the name they gave it
        name = staff_theme_name(theme)
    return str(name) if name is not None else theme.replace("_", " ")


def shown(value) -> str:
    """A count as the reader sees it: digits, or "<11" for a suppressed one."""
    if value is SUPPRESSED or value is None:
        return f"<{SMALL_CELL + 1}"
    return str(value)


def percent(value: float | None) -> str:
    """A share as a whole percentage; empty when it cannot be shown."""
    return "" if value is None else f"{round(value * 100)}%"


# --- page helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportLine:
    support: str
    themes: list[tuple[str, str, str]]  # (theme name, count shown, share shown)


def supports_lineup(report: aggregates.ThemeReport) -> list[SupportLine]:
    """Each Community Support and the resource needs (shown counts) it can meet."""
    rows = {row.theme: row for row in report.rows}
    lines = []
    for support_id, name in supports.SUPPORTS:
        themes = [
            (theme_name(t), shown(rows[t].total.count), percent(rows[t].total.share))
            for t in supports.THEMES_BY_SUPPORT[support_id]
            if t in rows
        ]
        lines.append(SupportLine(str(name), themes))
    return lines


def unsupported_rows(report: aggregates.ThemeReport) -> list[aggregates.ThemeRow]:
    """Resource themes no Community Support meets."""
    left = set(supports.unsupported([row.theme for row in report.rows]))
    return [row for row in report.rows if row.theme in left]


def profile(filters: aggregates.Filters, site_ids: list[int] | None) -> dict:
    """A site's community profile (``filters.site`` set): languages, channels, top
    messengers and needs, and how many partners patients name."""
    messengers = aggregates.theme_report(aggregates.QUESTIONS["messengers"], filters, site_ids)
    needs = aggregates.theme_report(aggregates.QUESTIONS["resources"], filters, site_ids)
    buckets = aggregates.stakeholders(filters, site_ids)
    return {
        "languages": aggregates.respondents_by("language", filters, site_ids),
        "answered_by": aggregates.respondents_by("channel", filters, site_ids),
        "top_messengers": messengers.top(),
        "top_needs": needs.top(),
        "coverage": {key: len(items) for key, items in buckets.items()},
    }


# --- downloads ------------------------------------------------------------------------------


def _theme_table(report: aggregates.ThemeReport) -> ResponseTable:
    headers = [_("Theme"), _("Respondents"), _("Share of respondents")]
    for column in report.columns:
        headers += [f"{column}: {_('Respondents')}", f"{column}: {_('Share')}"]
    rows = []
    for row in report.rows:
        line = [theme_name(row.theme), shown(row.total.count), percent(row.total.share)]
        for cell in row.cells:
            line += [shown(cell.count), percent(cell.share)]
        rows.append(line)
    totals = [_("All respondents"), shown(report.respondents), ""]
    for value in report.column_totals:
        totals += [shown(value), ""]
    if report.rows:
        rows.append(totals)
    return _table(headers, rows)


def _table(headers: list[str], rows: list[list[object]]) -> ResponseTable:
    return ResponseTable(
        [Column(str(h)) for h in headers], [[neutralize(v) for v in row] for row in rows]
    )


def build(
    name: str, filters: aggregates.Filters, site_ids: list[int] | None, by: str
) -> ResponseTable:
    """The table of report ``name`` as the page shows it."""
    if name == "overview":
        name = "messengers"
    if name in aggregates.QUESTIONS:
        return _theme_table(
            aggregates.theme_report(aggregates.QUESTIONS[name], filters, site_ids, by)
        )
    if name == "entities":
        found = aggregates.entities(aggregates.QUESTIONS["messengers"], filters, site_ids)
        return _table(
            [_("Name"), _("Kind"), _("Respondents")],
            [[e.name, e.kind, shown(e.count)] for e in found],
        )
    if name == "stakeholders":
        rows = []
        for bucket, items in aggregates.stakeholders(filters, site_ids).items():
            for item in items:
                rows.append(
                    [
                        bucket,
                        item.name,
                        item.kind,
                        "" if bucket == "unmentioned_partners" else shown(item.mentions),
                        "; ".join(f"{k} ({shown(n)})" for k, n in item.sites),
                        "; ".join(f"{k} ({shown(n)})" for k, n in item.languages),
                    ]
                )
        return _table(
            [_("Group"), _("Name"), _("Kind"), _("Mentions"), _("Sites"), _("Languages")], rows
        )
    rows = []
    for question, found in (
        (q, cluster_service.clusters(q, filters, site_ids)) for q in aggregates.QUESTIONS.values()
    ):
        for c in found:
            rows.append(
                [
                    question,
                    f"#{c.cluster_id}",
                    c.name,
                    theme_name(c.theme),
                    ", ".join(c.terms),
                    shown(c.size),
                    "; ".join(f"{k} ({shown(n)})" for k, n in c.languages),
                    _("yes") if c.verified else _("no"),
                ]
            )
    return _table(
        [
            _("Question"),
            _("Cluster"),
            _("Name"),
            _("Theme"),
            _("Terms"),
            _("Respondents"),
            _("Languages"),
            _("Verified"),
        ],
        rows,
    )


def encode(table: ResponseTable, fmt: str) -> tuple[bytes, str]:
    """The table as file bytes and their media type."""
    out = io.BytesIO()
    if fmt == "xlsx":
        xlsx_to_stream(table, out)
        return out.getvalue(), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    csv_to_stream(table, out)
    return out.getvalue(), "text/csv; charset=utf-8"
