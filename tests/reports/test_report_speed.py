"""What keeps the report pages fast gives the same answers as the slow way: the cycle test of
the suppression audit, the completed counts read from their index, the taxonomy labels read
without importing the analysis package."""

from __future__ import annotations

import random

import sqlalchemy as sa

from fieldscan.accounts.services import get_or_create_site
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.models import Channel, Response, ResponseStatus, Survey, SurveyVersion
from fieldscan.reports import aggregates, cycles, privacy, services
from fieldscan.reports.privacy import Table


def _reference_on_cycles(out, arcs):
    """The plain definition: a search back from every arc (what ``_on_cycles`` shortens)."""
    return {p for p, here, there in arcs if here in cycles.reach(out, there, p)}


def _random_table(rng: random.Random) -> Table:
    m, n = rng.randint(2, 9), rng.randint(2, 8)
    scale = rng.choice([3, 8, 25, 200])
    cells = [
        [int(rng.expovariate(1 / scale)) if rng.random() < 0.85 else 0 for _ in range(n)]
        for _ in range(m)
    ]
    if rng.random() < 0.5:
        return Table(cells)
    # themes: multi-label rows, respondents per column at least the largest theme
    columns = [max(max(row[j] for row in cells), 1) + rng.randint(0, 4) for j in range(n)]
    complete = all(sum(row[j] for row in cells) >= columns[j] for j in range(n))
    return Table(
        cells,
        row_totals=[sum(row) for row in cells],
        column_totals=columns,
        grand_total=sum(columns),
        multi_label_rows=True,
        labels_complete=complete,
    )


def test_the_cycle_shortcut_suppresses_exactly_like_the_search(monkeypatch):
    rng = random.Random(11)
    tables = [_random_table(rng) for _ in range(60)]
    fast = [privacy.suppress_table(t) for t in tables]
    with monkeypatch.context() as patch:
        patch.setattr(privacy, "_on_cycles", _reference_on_cycles)
        slow = [privacy.suppress_table(t) for t in tables]
    assert fast == slow
    hidden = sum(v is privacy.SUPPRESSED for t in fast for row in t.cells for v in row)
    assert hidden > 50  # the audit had complements to pick, not only small cells
    assert all(privacy.is_safe(t) for t in fast)


def test_completed_counts_merge_versions_and_hide_small_cells(app, loaded_surveys):
    survey = Survey(id="other_scan", title="Other scan")
    first = get_version("children_scan")
    versions = [
        SurveyVersion(survey=survey, number=n, content_hash=str(n) * 64, content={}) for n in (1, 2)
    ]
    db.session.add(survey)
    north, south = get_or_create_site("north"), get_or_create_site("south")
    plan = [
        (versions[0], north, ResponseStatus.completed, 7),
        (versions[1], north, ResponseStatus.completed, 6),  # 13 over both versions
        (versions[1], None, ResponseStatus.completed, 12),
        (first, south, ResponseStatus.completed, 4),
        (first, south, ResponseStatus.in_progress, 30),  # not completed: not counted
    ]
    for version, site, status, n in plan:
        db.session.add_all(
            Response(survey_version=version, channel=Channel.web, language="en", status=status,
                     site=site)
            for _ in range(n)
        )  # fmt: skip
    db.session.commit()
    counts = services.completed_counts(None)
    # (no site sorts first on SQLite, last on PostgreSQL: NULL order, as before)
    assert sorted((c.survey_id, c.site, c.completed) for c in counts) == [
        ("children_scan", "South", None),  # 4: suppressed
        ("other_scan", "", 12),
        ("other_scan", "North", 13),
    ]
    assert [c.completed for c in services.completed_counts([north.id])] == [13]
    assert services.completed_counts([]) == []
    index = {i["name"] for i in sa.inspect(db.session.connection()).get_indexes("responses")}
    assert "ix_responses_status_version_site" in index


def test_report_labels_are_the_taxonomy_files_labels():
    from analysis import default_taxonomies

    shipped = default_taxonomies()
    assert set(shipped) == set(aggregates.QUESTIONS.values())
    for taxonomy_id, taxonomy in shipped.items():
        assert aggregates._shipped_labels(taxonomy_id) == tuple(taxonomy.labels)
    assert aggregates._shipped_labels("no_such_taxonomy") == ()
    assert aggregates._shipped_labels("../etc") == ()
