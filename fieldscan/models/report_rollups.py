"""Pre-aggregated respondent counts that the report pages read instead of the answers.

Every report figure is a count of respondents to one open question, narrowed by survey, site,
language, channel and start date, and cut by themes, entities, language, site or month. A
respondent answers a question once, so they fall in exactly one (survey, site, language,
channel, day) cell of a run: any filter and any breakdown of the reports is a SUM over the
rows of those cells, exact. Kinds of rows (``key``):

- ``all`` (``''``): respondents whose answer the run tagged (the column totals);
- ``theme`` (a theme label): respondents with that theme; themes are multi-label, so a
  respondent counts once under each of their themes (never twice under one);
- ``entities`` (a JSON list of entity names, sorted, distinct): respondents whose answer names
  exactly that set. Sets rather than one row per entity, because the stakeholder map counts a
  partner once per respondent who names *any* of its spellings: a union, which per-entity
  counts cannot give; per-entity counts are sums over the sets that contain the name.

Grains: ``day`` rows keep the exact start day (UTC), ``month`` rows the same counts summed per
month (``day`` = the 1st), ``total`` rows summed over all days (``day`` = :data:`TOTAL_DAY`).
Pages without a date range read the totals (the month rows when they break down by month);
a date range reads the whole months inside it from ``month`` rows and its partial months from
``day`` rows, so the range stays exact to the day. Rows are written in the order of the unique
key, so the rows one page reads lie together.

Rows belong to a run (deleted with it) and are rebuilt by the analysis job
(:mod:`fieldscan.reports.rollups`). ``site_id`` 0 stands for "no site" (NULLs would be distinct
in the unique key that the incremental upsert needs); it is not a foreign key.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldscan.extensions import db

#: Row kinds and grains (see the module docstring).
KINDS = ("all", "theme", "entities")
GRAINS = ("day", "month", "total")
#: The ``day`` of ``total`` rows (a fixed date: the column is part of the unique key).
TOTAL_DAY = date(1, 1, 1)


class ReportRollup(db.Model):
    """Respondents of one run in one (grain, kind, day, survey, site, language, channel, key)."""

    __tablename__ = "report_rollups"
    # The unique key is also the index every report query uses: run, grain and kind are
    # equalities, day is the range of a date filter; the rest narrows within it.
    __table_args__ = (
        UniqueConstraint(
            "run_id",
            "grain",
            "kind",
            "day",
            "survey_id",
            "site_id",
            "language",
            "channel",
            "key",
            name="uq_report_rollups_cell",
        ),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The analysis run whose tags are counted.
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    #: ``day``, ``month`` or ``total``.
    grain: Mapped[str] = mapped_column(String(8))
    #: ``all``, ``theme`` or ``entities``.
    kind: Mapped[str] = mapped_column(String(16))
    #: The UTC start day of the responses (the 1st of the month for ``month`` rows,
    #: :data:`TOTAL_DAY` for ``total`` rows).
    day: Mapped[date] = mapped_column(Date)
    #: The survey (not the version: the report filters by survey).
    survey_id: Mapped[str] = mapped_column(String(64))
    #: The response's site; 0 when it has none.
    site_id: Mapped[int]
    #: The language the survey was answered in.
    language: Mapped[str] = mapped_column(String(16))
    #: How the responses were collected (``Channel`` value).
    channel: Mapped[str] = mapped_column(String(32))
    #: The theme label, the JSON list of entity names, or ``''`` (kind ``all``).
    key: Mapped[str] = mapped_column(Text)
    #: How many respondents.
    respondents: Mapped[int]

    def __repr__(self) -> str:
        return f"<ReportRollup run {self.run_id} {self.grain} {self.kind} {self.key!r}>"
