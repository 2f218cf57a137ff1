"""The report rollups give the figures of the live count over the answers, exactly: every
report, every filter (survey, site, language, channel, date ranges cutting months), raw and
suppressed, after a full build and after incremental tagging; the refresh command; the bench."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from fieldscan.accounts.services import get_or_create_site
from fieldscan.analysis_jobs.services import execute, queue_run, tag_new_answers
from fieldscan.extensions import db
from fieldscan.instruments.services import get_version
from fieldscan.models import (
    AnalysisRun,
    Answer,
    AnswerTag,
    Channel,
    Partner,
    PartnerRelationship,
    ReportRollup,
    Response,
    ResponseStatus,
    RunStatus,
    Survey,
    SurveyVersion,
)
from fieldscan.reports import aggregates, live, rollups
from fieldscan.reports.aggregates import Filters

ROOT = Path(__file__).resolve().parents[2]
SITES = ["valle_verde", "rio_claro", "oak_hollow"]
LANGUAGES = ["es", "en", "vi", "zh-Hant"]
ENTITIES = [
    ("Oak Hollow Food Bank", "org"),
    ("Banco de Comida de Oak Hollow", "org"),  # a second spelling of the same partner
    ("Rio Claro Public Library", "org"),
    ("Promotoras Unidas", "org"),
    ("Dr. Reyes", "person"),
]
THEMES = {
    "trusted_messenger": ["family", "clinician", "chw_promotora", "faith", "media", "none"],
    "resources": ["food", "housing", "library", "income_jobs", "health_coverage", "none"],
}
START = datetime(2026, 1, 20, tzinfo=UTC)


def _responses(rng: random.Random, versions: list[SurveyVersion], n: int) -> list[Response]:
    """``n`` responses spread over sites (and none), languages, channels and ~4 months, some
    at the very edges of a UTC day."""
    sites = [get_or_create_site(slug) for slug in SITES] + [None]
    made = []
    for _ in range(n):
        started = START + timedelta(days=rng.randrange(120))
        started += rng.choice(
            [timedelta(0), timedelta(hours=23, minutes=59, seconds=59)]
            + [timedelta(seconds=rng.randrange(86400))] * 3
        )
        response = Response(
            survey_version=rng.choice(versions),
            channel=rng.choice([Channel.sms, Channel.sms, Channel.web, Channel.tablet]),
            language=rng.choices(LANGUAGES, weights=[6, 4, 1, 1])[0],
            status=ResponseStatus.completed,
            site=rng.choices(sites, weights=[5, 3, 2, 1])[0],
            started_at=started,
        )
        made.append(response)
    db.session.add_all(made)
    db.session.flush()
    return made


def _tag(rng: random.Random, run: AnalysisRun, responses: list[Response], incremental: bool):
    """An answer to the run's question per response, tagged at random (1-3 themes, 0-3
    entities, now and then a repeated theme); returns the answer ids."""
    answers = [
        Answer(response_id=r.id, question_id=run.question_id, value="text", language=r.language)
        for r in responses
    ]
    db.session.add_all(answers)
    db.session.flush()
    rows = []
    for answer in answers:
        themes = rng.sample(THEMES[run.question_id], rng.randint(1, 3))
        if rng.random() < 0.05:
            themes.append(themes[0])
        names = [e for e, _ in rng.sample(ENTITIES, rng.choice([0, 0, 1, 1, 2, 3]))]
        rows.append(
            {
                "run_id": run.id,
                "answer_id": answer.id,
                "primary_theme": themes[0],
                "themes": themes,
                "cluster": -1,
                "entities": names,
                "incremental": incremental,
            }
        )
    db.session.execute(AnswerTag.__table__.insert(), rows)
    return [a.id for a in answers]


@pytest.fixture
def dataset(app, loaded_surveys):
    """Two surveys asking both questions, a done run of each question with random tags."""
    rng = random.Random(7)
    other = Survey(id="other_scan", title="Other scan")
    versions = [
        get_version("children_scan"),
        SurveyVersion(survey=other, number=1, content_hash="0" * 64, content={}),
    ]
    db.session.add(other)
    db.session.add(
        Partner(name="Oak Hollow Food Bank", kind="org", relationship=PartnerRelationship.current)
    )
    runs = {}
    for question_id in THEMES:
        run = AnalysisRun(
            question_id=question_id,
            taxonomy_id=question_id,
            status=RunStatus.done,
            summary={
                "clusters": [],
                "entities": [{"name": n, "kind": k, "count": 0} for n, k in ENTITIES],
            },
        )
        db.session.add(run)
        db.session.flush()
        _tag(rng, run, _responses(rng, versions, 450), incremental=False)
        rollups.rebuild(run)
        runs[question_id] = run
    db.session.commit()
    return rng, versions, runs


def _cases() -> list[tuple[Filters, list[int] | None]]:
    """Filters x visible sites: each filter alone, date ranges inside a month, across months
    with whole months inside, open at either end, on month edges, empty; combinations."""
    ids = sorted(s.id for s in (get_or_create_site(slug) for slug in SITES))
    d = date
    ranges = [
        (d(2026, 2, 3), d(2026, 2, 17)),
        (d(2026, 1, 25), d(2026, 4, 9)),
        (d(2026, 2, 1), d(2026, 3, 31)),
        (d(2026, 2, 28), d(2026, 3, 1)),
        (d(2026, 3, 10), None),
        (None, d(2026, 2, 14)),
        (d(2026, 3, 5), d(2026, 3, 4)),
    ]
    filters = [Filters(), Filters(date_from=d(2026, 1, 25), date_to=d(2026, 4, 9), language="es")]
    filters += [Filters(date_from=a, date_to=b) for a, b in ranges]
    filters += [
        Filters(language="es"),
        Filters(channel="web"),
        Filters(site="rio_claro"),
        Filters(survey="other_scan"),
        Filters(survey="children_scan", language="en", date_from=d(2026, 2, 10)),
        Filters(site="valle_verde", channel="sms", date_to=d(2026, 3, 20)),
    ]
    return [
        (filters[0], None),
        (filters[1], None),
        (Filters(site="rio_claro"), [ids[0], ids[1]]),
        (Filters(date_from=d(2026, 2, 15)), ids[:2]),
        *((f, None) for f in filters[2:]),
        (Filters(), [ids[0]]),
        (Filters(), []),
    ]


def _everything(filters: Filters, site_ids) -> dict:
    """Every report the pages show, as computed by the current count source."""
    out = {}
    for question in aggregates.QUESTIONS.values():
        for by in aggregates.BREAKDOWNS:
            out[question, by] = aggregates.theme_report(question, filters, site_ids, by)
        out[question, "entities"] = aggregates.entities(question, filters, site_ids)
    out["stakeholders"] = aggregates.stakeholders(filters, site_ids)
    for column in ("language", "channel"):
        out[column] = aggregates.respondents_by(column, filters, site_ids)
    return out


def _grouped(source, run, filters, site_ids) -> Counter:
    """The entity groups of ``source`` as {(entity set, site, language): respondents}."""
    found: Counter = Counter()
    for names, site, language, n in source.entity_groups(run, filters, site_ids):
        found[frozenset(names), site, language] += n
    return found


def _assert_same_as_live(monkeypatch, runs, reports: int = 4) -> int:
    """Raw counts in every case, and whole reports (suppressed) in the first ``reports`` cases,
    rollups vs live; returns how many non-zero theme cells were compared."""
    checked = 0
    for case, (filters, site_ids) in enumerate(_cases()):
        for run in runs.values():
            for by in aggregates.BREAKDOWNS:
                expected = live.theme_counts(run, filters, site_ids, by)
                assert rollups.theme_counts(run, filters, site_ids, by) == expected
                checked += len(expected[1])
            assert rollups.entity_counts(run, filters, site_ids) == live.entity_counts(
                run, filters, site_ids
            )
            for column in ("language", "channel"):
                assert rollups.respondent_counts(
                    run, filters, site_ids, column
                ) == live.respondent_counts(run, filters, site_ids, column)

            assert _grouped(rollups, run, filters, site_ids) == _grouped(
                live, run, filters, site_ids
            )
        if case >= reports:
            continue
        with monkeypatch.context() as patch:
            patch.setattr(aggregates, "_counts", live)
            expected = _everything(filters, site_ids)
        assert _everything(filters, site_ids) == expected, (filters, site_ids)
    return checked


def test_rollups_match_the_live_count_after_build_and_incremental_tags(dataset, monkeypatch):
    rng, versions, runs = dataset
    assert _assert_same_as_live(monkeypatch, runs) > 500  # non-trivial: many non-zero cells
    # a leader's view shows shown figures, not only suppressed ones
    report = aggregates.theme_report("resources", Filters(), None, "month")
    assert report.respondents == 450 and any(not row.total.hidden for row in report.rows)
    stakeholders = aggregates.stakeholders(Filters(), None)
    (bank,) = stakeholders["current_trusted"]  # both spellings, each respondent once
    bank_ids = {
        a
        for run in runs.values()
        for a, names in db.session.execute(
            sa.select(AnswerTag.answer_id, AnswerTag.entities).where(AnswerTag.run_id == run.id)
        )
        if {"Oak Hollow Food Bank", "Banco de Comida de Oak Hollow"} & set(names)
    }
    assert bank.mentions == len(bank_ids)

    before = db.session.scalar(sa.select(sa.func.count()).select_from(ReportRollup))
    for run in runs.values():
        new = _responses(rng, versions, 120)
        ids = _tag(rng, run, new, incremental=True)
        assert rollups.add_answers(run, ids) > 0
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportRollup)) > before
    _assert_same_as_live(monkeypatch, runs)
    assert aggregates.theme_report("resources", Filters(), None).respondents == 570

    # Rollups written before the ``total`` grain existed: counted again on the next read.
    db.session.execute(sa.delete(ReportRollup).where(ReportRollup.grain == "total"))
    run = runs["resources"]
    expected = live.theme_counts(run, Filters(), None, "language")
    assert rollups.theme_counts(run, Filters(), None, "language") == expected
    total = sa.select(sa.func.count()).where(
        ReportRollup.run_id == run.id, ReportRollup.grain == "total"
    )
    assert db.session.scalar(total) > 0


def test_analysis_job_keeps_rollups_fresh_and_refresh_rebuilds(app, loaded_surveys, runner):
    version = get_version("children_scan")
    site = get_or_create_site("valle_verde")

    def store(texts):
        for text in texts:
            response = Response(
                survey_version=version,
                channel=Channel.sms,
                language="es",
                status=ResponseStatus.completed,
                site=site,
            )
            response.answers.append(
                Answer(question_id="trusted_messenger", value=text, language="es")
            )
            db.session.add(response)
        db.session.commit()

    def same_as_live(run):
        for by in aggregates.BREAKDOWNS:
            counts = rollups.theme_counts(run, Filters(), None, by)
            assert counts == live.theme_counts(run, Filters(), None, by)
        return sum(counts[0].values())

    store(["mi mamá"] * 12 + ["el doctor de la clínica"] * 11)
    first = execute(queue_run("trusted_messenger"))
    assert same_as_live(first) == 23
    store(["mi hermana y la promotora"] * 3)
    assert tag_new_answers("trusted_messenger") == 3
    assert same_as_live(first) == 26

    second = execute(queue_run("trusted_messenger"))  # replaces the first run's rollups
    assert same_as_live(second) == 26
    assert set(db.session.scalars(sa.select(ReportRollup.run_id).distinct())) == {second.id}

    rows = db.session.scalar(sa.select(sa.func.count()).select_from(ReportRollup))
    db.session.execute(sa.delete(ReportRollup))
    db.session.commit()
    result = runner.invoke(args=["reports", "refresh"])
    assert result.exit_code == 0, result.output
    assert f"trusted_messenger: run {second.id} refreshed, {rows:,} rows" in result.output
    assert "resources: never analysed" in result.output
    assert same_as_live(second) == 26
    refused = runner.invoke(args=["reports", "refresh", "--question", "nope"])
    assert refused.exit_code == 2
    assert "no loaded survey asks an open question 'nope'" in refused.output

    db.session.execute(sa.delete(ReportRollup))  # a run done before the rollups existed
    db.session.commit()
    report = aggregates.theme_report("trusted_messenger", Filters(), None)
    assert report.respondents == 26


def test_bench_runs_at_a_tiny_size(db_backend, database_url, capsys):
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    args = ["--answers", "1000", "--repeat", "1"]
    if db_backend == "postgresql":  # a fresh schema of the test server, dropped afterwards
        args += ["--database", database_url.split("?")[0]]
    status = bench.main(args)  # 1 when a page misses 1 s: not the point at this size
    out = capsys.readouterr().out
    assert "rollups built" in out and "SELECT count(*)" in out
    pages = [line for line in out.splitlines() if line.startswith("/reports")]
    assert [line.split()[0] for line in pages] == [
        "/reports",
        "/reports/messengers",
        "/reports/resources",
        "/reports/resources?language=es&from=2025-02-10&to=2025-07-20",
        "/reports/stakeholders",
        "/reports/profile/site_1",
    ]
    assert all("same figures" in line and "ratio to live" in line for line in pages), out
    assert status == (1 if any("FAIL" in line for line in pages) else 0)
