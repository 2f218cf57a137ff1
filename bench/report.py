"""Benchmark: the leadership report pages on 1,000,000 answers, read from the rollups.

Fills a database with responses to both open questions (bulk: executemany on SQLite, COPY on
PostgreSQL): 8 sites, 12 languages, 2 channels, 12 months; each answer tagged with 1-3 themes,
about a third naming one or two of 40 organisations (some of them registry partners, under
two spellings). Builds the rollups the way the analysis job does (timed), signs in as
leadership and renders each page through the app several times (after one warm-up): p50 and
max ms, PASS when every render is under 1 s.

Baseline, measured in the same run: the same page counted the old way, live from the answers
(:mod:`fieldscan.reports.live`, rendered once), and a bare ``SELECT count(*) FROM answers``.
Prints each page's ratio to both, and whether the live page shows the same figures.

    .venv/bin/python bench/report.py                       # SQLite (WAL) in a temp dir
    .venv/bin/python bench/report.py --database postgresql+psycopg://postgres@127.0.0.1/test

``--database`` works in a new schema, dropped afterwards. Target: every page < 1 s.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench leader plum tree clinic"
LANGUAGES = ["es", "en", "vi", "zh_Hant", "tl", "ko", "ar", "hy", "km", "fa", "ru", "hmn"]
LANGUAGE_WEIGHTS = [40, 30, 6, 5, 4, 3, 3, 2, 2, 2, 2, 1]
SITES = [f"site_{n}" for n in range(1, 9)]
SITE_WEIGHTS = [30, 20, 15, 10, 10, 7, 5, 3]
THEMES = {
    "trusted_messenger": [
        "family", "friends_neighbors", "clinician", "chw_promotora", "faith", "school",
        "community_org", "media", "online_social", "public_health", "none",
    ],
    "resources": [
        "food", "housing", "transportation", "childcare_early", "school_youth", "library",
        "prenatal_parenting", "child_safety", "behavioral_health", "caregiving_home",
        "legal_immigration", "income_jobs", "health_coverage", "none",
    ],
}  # fmt: skip
ENTITIES = [(f"Community Organization {n}", "org") for n in range(1, 37)] + [
    ("Oak Hollow Food Bank", "org"),
    ("Banco de Comida de Oak Hollow", "org"),
    ("Rio Claro Public Library", "org"),
    ("Promotoras Unidas", "org"),
]
PARTNERS = [
    ("Oak Hollow Food Bank", "current"),
    ("Rio Claro Public Library", "current"),
    ("Community Organization 3", "prospective"),
    ("Sunrise Housing Coalition", "current"),
]
START = datetime(2025, 1, 1, tzinfo=UTC)
RESPONSE_COLUMNS = (
    "id uuid survey_version_id channel status language site_id started_at finished_at updated_at"
)
ANSWER_COLUMNS = "id response_id question_id value language created_at updated_at"
TAG_COLUMNS = "id run_id answer_id primary_theme themes cluster entities incremental"
_CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


def _app(url: str, instance: str):
    from flask_migrate import upgrade

    from fieldscan import create_app
    from fieldscan.instruments.services import load_surveys

    app = create_app(
        {
            "FIELDSCAN_DATABASE_URL": url,
            "FIELDSCAN_INSTANCE_PATH": instance,
            "FIELDSCAN_SECRET_KEY": "bench-secret",
            "FIELDSCAN_LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        load_surveys(app.config["SURVEYS_DIR"])
    return app


def _bulk(conn, table: sa.Table, columns: list[str], rows: list[tuple]) -> None:
    """Insert ``rows`` fast: COPY on PostgreSQL, executemany on SQLite."""
    if conn.dialect.name == "postgresql":
        as_json = [isinstance(table.c[name].type, sa.JSON) for name in columns]
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                pairs = zip(row, as_json, strict=True)
                copy.write_row([json.dumps(v) if j else v for v, j in pairs])
        return
    insert = table.insert()
    for i in range(0, len(rows), 50_000):
        conn.execute(insert, [dict(zip(columns, row, strict=True)) for row in rows[i : i + 50_000]])


def fill(answers: int, seed: int = 1) -> dict:
    """Responses answering both open questions (``answers`` answers in all), their tags and
    the two runs; returns the runs by question."""
    from fieldscan.accounts.services import get_or_create_site
    from fieldscan.extensions import db
    from fieldscan.instruments.services import get_version
    from fieldscan.models import AnalysisRun, Partner, PartnerRelationship, RunStatus

    rng = random.Random(seed)
    sites = [get_or_create_site(slug, slug.replace("_", " ").title()) for slug in SITES]
    db.session.add_all(
        Partner(name=name, kind="org", relationship=PartnerRelationship(relationship))
        for name, relationship in PARTNERS
    )
    version = get_version("children_scan")
    runs = {}
    for question_id in THEMES:
        runs[question_id] = AnalysisRun(
            question_id=question_id,
            taxonomy_id=question_id,
            status=RunStatus.done,
            taxonomy_version="1",
            code_version="bench",
            answer_count=answers // 2,
            finished_at=datetime.now(UTC),
            summary={"clusters": [], "entities": [{"name": n, "kind": k} for n, k in ENTITIES]},
        )
    db.session.add_all(runs.values())
    db.session.commit()

    tables = db.metadata.tables
    now = datetime.now(UTC)
    responses, answer_rows, tags = [], [], []
    answer_id = 0
    site_ids = [s.id for s in sites] + [None]
    weights_entities = [1 / (n + 1) for n in range(len(ENTITIES))]
    for response_id in range(1, answers // 2 + 1):
        started = START + timedelta(seconds=rng.randrange(365 * 86400))
        language = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        responses.append(
            (
                response_id, str(uuid.UUID(int=rng.getrandbits(128), version=4)), version.id,
                rng.choice(("sms", "sms", "web")), "completed", language,
                rng.choices(site_ids, [*SITE_WEIGHTS, 1])[0], started, started, now,
            )
        )  # fmt: skip
        for question_id, run in runs.items():
            answer_id += 1
            answer_rows.append((answer_id, response_id, question_id, "...", language, started, now))
            themes = rng.sample(THEMES[question_id], rng.choices((1, 2, 3), (5, 3, 1))[0])
            count = rng.choices((0, 1, 2), (66, 28, 6))[0]
            names = {e[0] for e in rng.choices(ENTITIES, weights_entities, k=count)}
            tags.append(
                (
                    answer_id, run.id, answer_id, themes[0], themes,
                    rng.randrange(-1, 30), sorted(names), False,
                )
            )  # fmt: skip
    conn = db.session.connection()
    for name, columns, rows in (
        ("responses", RESPONSE_COLUMNS, responses),
        ("answers", ANSWER_COLUMNS, answer_rows),
        ("answer_tags", TAG_COLUMNS, tags),
    ):
        _bulk(conn, tables[name], columns.split(), rows)
        if conn.dialect.name == "postgresql":  # ids given: move the sequence past them
            conn.execute(sa.text(f"SELECT setval('{name}_id_seq', (SELECT max(id) FROM {name}))"))
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return runs


def _sign_in(app):
    from fieldscan.accounts.services import create_user
    from fieldscan.extensions import db

    with app.app_context():
        create_user("leader@bench.example", "leadership", PASSWORD, None)
        db.session.commit()
    client = app.test_client()
    token = _CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"email": "leader@bench.example", "password": PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in answered {response.status_code}")
    return client


def _admin(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def _render(client, page: str) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(page)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{page} answered {response.status_code}")
    return elapsed, _CSRF.sub("", response.get_data(as_text=True))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; 1 when a page misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per page")
    parser.add_argument("--no-live", action="store_true", help="skip the live-count baseline")
    args = parser.parse_args(argv)

    from fieldscan.extensions import db
    from fieldscan.reports import aggregates, live, rollups

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        schema = None
        if url.startswith("postgresql"):
            schema = "bench_" + uuid.uuid4().hex[:8]
            _admin(url, f'CREATE SCHEMA "{schema}"')
            url = f"{url}?options=-csearch_path%3D{schema}"
        try:
            app = _app(url, tmp)
            print(f"database: {url.split('://')[0]}; {args.answers:,} answers")
            with app.app_context():
                start = time.perf_counter()
                runs = fill(args.answers)
                print(f"filled in {time.perf_counter() - start:.1f} s")
                start = time.perf_counter()
                rows = sum(rollups.rebuild(run) for run in runs.values())
                db.session.commit()
                build = time.perf_counter() - start
                print(f"rollups built: {rows:,} rows in {build:.1f} s")
                start = time.perf_counter()
                counted = db.session.scalar(sa.text("SELECT count(*) FROM answers"))
                bare = time.perf_counter() - start
                print(f"baseline SELECT count(*) FROM answers: {bare * 1000:.1f} ms ({counted:,})")
                db.session.remove()
            client = _sign_in(app)
            pages = [
                "/reports",
                "/reports/messengers",
                "/reports/resources",
                "/reports/resources?language=es&from=2025-02-10&to=2025-07-20",
                "/reports/stakeholders",
                f"/reports/profile/{SITES[0]}",
            ]
            failed = 0
            for page in pages:
                _render(client, page)  # warm-up: template compilation, caches
                timed = [_render(client, page) for _ in range(args.repeat)]
                times = [t for t, _ in timed]
                p50, worst = statistics.median(times), max(times)
                verdict = "PASS" if worst < 1.0 else "FAIL"
                failed += verdict == "FAIL"
                line = (
                    f"{page:<62} p50 {p50 * 1000:8.1f} ms  max {worst * 1000:8.1f} ms  "
                    f"{verdict} (< 1 s)  ratio to count(*) {p50 / bare:7.1f}"
                )
                if not args.no_live:
                    original = aggregates._counts
                    aggregates._counts = live
                    try:
                        live_time, live_html = _render(client, page)
                    finally:
                        aggregates._counts = original
                    same = "same figures" if live_html == timed[-1][1] else "FIGURES DIFFER"
                    failed += same != "same figures"
                    line += (
                        f"  ratio to live {p50 / live_time:.3f} (live {live_time:.2f} s, {same})"
                    )
                print(line)
            if schema is not None:
                with app.app_context():
                    db.engine.dispose()
        finally:
            if schema is not None:
                _admin(url.split("?")[0], f'DROP SCHEMA "{schema}" CASCADE')
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
