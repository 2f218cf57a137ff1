"""Report tables as rows for the pages and the CSV/XLSX downloads (already suppressed).

The downloads are built from the very figures the pages show (:mod:`aggregates`), so a file
never tells more than its page; text cells are neutralized against formula injection.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fieldscan.exports.tables import Column, ResponseTable, neutralize
from fieldscan.exports.writers import csv_to_stream, xlsx_to_stream
from fieldscan.i18n import _, current_language, lazy_gettext
from fieldscan.locales import LANGUAGE_NAMES, LANGUAGES
from fieldscan.partners import inventory
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


#: The stakeholder map's groups, as the page heads them.
STAKEHOLDER_GROUPS = {
    "current_trusted": lazy_gettext("Current partners patients also name"),
    "prospective": lazy_gettext("Prospective partners: named by many, not partners yet"),
    "unmentioned_partners": lazy_gettext("Partners nobody mentions"),
}

#: Channel names for people (:class:`~fieldscan.models.Channel` values as keys).
CHANNEL_NAMES = {
    "sms": lazy_gettext("Text message (SMS)"),
    "web": lazy_gettext("Web form"),
    "tablet": lazy_gettext("Interview on a tablet"),
}


def theme_name(theme: str) -> str:
    """A theme's name for people."""
    name = THEME_NAMES.get(theme)
    if name is None:  # a theme staff promoted from a cluster: the name they gave it
        name = staff_theme_name(theme)
    return str(name) if name is not None else theme.replace("_", " ")


def language_name(code: str) -> str:
    """A language as its speakers write it ("Español"), as the language switcher shows it."""
    return LANGUAGE_NAMES.get(code, code)


def channel_name(channel: str) -> str:
    """How a response was collected, in words."""
    name = CHANNEL_NAMES.get(channel)
    return str(name) if name is not None else channel


def partner_word(question: str, value: str) -> str:
    """A registry partner's kind or relationship in the reader's language (the partner
    inventory's labels); a kind the analysis gave a name ("person") stays as it is."""
    question = {"kind": inventory.KIND_QUESTION, "relationship": inventory.RELATIONSHIP_QUESTION}[
        question
    ]
    return inventory.label(question, value, current_language())


def column_namer(by: str, site_names: dict[str, str]):
    """A function naming the columns of a table broken down ``by`` language, site or month:
    a language's own name, a site's name (not its slug); months stay ``YYYY-MM``."""

    def name(key: str) -> str:
        if by == "language":
            return language_name(key)
        if by == "site":
            return site_names.get(key) or (key or str(_("No site")))
        return key

    return name


def site_names(site_ids: list[int] | None) -> dict[str, str]:
    """Slug -> name of the sites the reader may see."""
    return {site.slug: site.name for site in aggregates.visible_sites(site_ids)}


def shown(value) -> str:
    """A count as the reader sees it: digits, or "<11" for a suppressed one."""
    if value is SUPPRESSED or value is None:
        return f"<{SMALL_CELL + 1}"
    return str(value)


def percent(value: float | None) -> str:
    """A share as a whole percentage; empty when it cannot be shown."""
    return "" if value is None else f"{round(value * 100)}%"


def cell_text(cell: aggregates.Cell) -> str:
    """A breakdown cell: "12 (40%)", "<11", or "0". A zero reads "0" whether or not its
    column's total is shown (a share of nobody adds nothing), so zeros look alike."""
    if cell.count == 0:
        return "0"
    text = shown(cell.count)
    return f"{text} ({percent(cell.share)})" if cell.share is not None else text


def cell_share(cell: aggregates.Cell, column_total) -> str:
    """A breakdown cell's share in a download: a zero is 0% of any column with respondents,
    shown total or not (it tells nothing about the total), so every zero reads alike."""
    if cell.count == 0 and column_total != 0:
        return "0%"
    return percent(cell.share)


def top_themes(report: aggregates.ThemeReport, n: int = 5) -> list[aggregates.ThemeRow]:
    """The most named themes for the community profile: themes with respondents only.

    Shown counts first, largest first; suppressed themes (1 to 10 respondents, or hidden to
    protect such a count) fill the places left, as "<11", never as their number. Themes with
    no respondents and "No one / not sure" are left out.
    """
    named = [row for row in report.rows if row.theme != "none" and row.total.count != 0]
    counted = sorted(
        (row for row in named if not row.total.hidden),
        key=lambda row: -int(row.total.count),  # type: ignore[arg-type]
    )
    hidden = [row for row in named if row.total.hidden]
    return (counted + hidden)[:n]


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
    # Larger groups first, then the menus' order (by code, the names would read shuffled).
    languages = sorted(
        aggregates.respondents_by("language", filters, site_ids),
        key=lambda row: (
            row.count is SUPPRESSED,
            -int(row.count) if row.count is not SUPPRESSED else 0,  # type: ignore[arg-type]
            LANGUAGES.index(row.key) if row.key in LANGUAGES else len(LANGUAGES),
        ),
    )
    # Not "languages": that name is base.html's list of the language switcher.
    return {
        "respondent_languages": languages,
        "answered_by": aggregates.respondents_by("channel", filters, site_ids),
        "top_messengers": top_themes(messengers),
        "top_needs": top_themes(needs),
        "coverage": {key: len(items) for key, items in buckets.items()},
    }


# --- downloads ------------------------------------------------------------------------------


def _theme_table(report: aggregates.ThemeReport, column_name) -> ResponseTable:
    headers = [_("Theme"), _("Respondents"), _("Share of respondents")]
    for column in report.columns:
        name = column_name(column)
        headers += [f"{name}: {_('Respondents')}", f"{name}: {_('Share')}"]
    rows = []
    for row in report.rows:
        line = [theme_name(row.theme), shown(row.total.count), percent(row.total.share)]
        for cell, total in zip(row.cells, report.column_totals, strict=True):
            line += [shown(cell.count), cell_share(cell, total)]
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
            aggregates.theme_report(aggregates.QUESTIONS[name], filters, site_ids, by),
            column_namer(by, site_names(site_ids)),
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
                        str(STAKEHOLDER_GROUPS.get(bucket, bucket)),
                        item.name,
                        partner_word("kind", item.kind),
                        "" if bucket == "unmentioned_partners" else shown(item.mentions),
                        "; ".join(f"{k} ({shown(n)})" for k, n in item.sites),
                        "; ".join(f"{language_name(k)} ({shown(n)})" for k, n in item.languages),
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
                    "; ".join(f"{language_name(k)} ({shown(n)})" for k, n in c.languages),
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
