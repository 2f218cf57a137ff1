"""Benchmark: SMS conversation turns through the whole webhook vs a minimal insert endpoint.

Each turn goes through signature validation, conversation state, answer validation, the
inserts and TwiML. The baseline is a minimal Flask endpoint that inserts one row into the
same database, measured in the same run. Prints turns per second of both, their ratio and
p50/p99 latency.

    .venv/bin/python bench/sms_webhook.py                       # SQLite (WAL) in a temp dir
    .venv/bin/python bench/sms_webhook.py --database postgresql+psycopg://postgres@127.0.0.1/test

Target: ratio >= 0.5 and p99 < 50 ms on SQLite in WAL mode.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, request
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-auth-token"
PUBLIC = "https://bench.example"
# One realistic Spanish children_scan conversation: keyword, answers, completion.
TURNS = [
    "NINOS",
    "mi mama y la promotora de la clinica",
    "el banco de comida y WIC",
    "1 4",
    "no",
    "si",
    "4",
    "2",
    "1",
    "si",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _fieldscan_app(url: str, instance: str):
    from flask_migrate import upgrade

    from fieldscan import create_app
    from fieldscan.instruments.services import load_surveys

    app = create_app(
        {
            "FIELDSCAN_DATABASE_URL": url,
            "FIELDSCAN_INSTANCE_PATH": instance,
            "FIELDSCAN_SECRET_KEY": "bench-secret",
            "TWILIO_AUTH_TOKEN": TOKEN,
            "FIELDSCAN_PUBLIC_URL": PUBLIC,
            "FIELDSCAN_LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        load_surveys(app.config["SURVEYS_DIR"])
    return app


def _baseline_app(url: str) -> Flask:
    """The least a webhook can do: read the form, insert one row, answer."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = sa.Table(
        "bench_baseline",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sid", sa.String(64), unique=True),
        sa.Column("body", sa.Text),
    )
    metadata.drop_all(engine)
    metadata.create_all(engine)
    app = Flask("baseline")

    @app.post("/baseline")
    def baseline():
        with engine.begin() as conn:
            conn.execute(
                table.insert().values(sid=request.form["MessageSid"], body=request.form["Body"])
            )
        return "<Response/>", 200, {"Content-Type": "application/xml"}

    return app


def _requests(conversations: int) -> list[tuple[str, dict, dict]]:
    validator = RequestValidator(TOKEN)
    prepared = []
    for n in range(conversations):
        number = f"+1415555{n:04d}"
        for body in TURNS:
            params = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": "AC" + "0" * 32,
                "From": number,
                "To": "+15005550006",
                "Body": body,
            }
            signature = validator.compute_signature(PUBLIC + "/sms/twilio/inbound", params)
            prepared.append((body, params, {"X-Twilio-Signature": signature}))
    return prepared


def _run(client, path: str, prepared) -> list[float]:
    latencies = []
    for _body, params, headers in prepared:
        start = time.perf_counter()
        response = client.post(path, data=params, headers=headers, base_url=PUBLIC)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return latencies


def _report(name: str, latencies: list[float]) -> float:
    rate = len(latencies) / sum(latencies)
    print(
        f"{name:>10}: {len(latencies):5d} turns  {rate:8.1f} turns/s  "
        f"p50 {statistics.median(latencies) * 1000:6.2f} ms  "
        f"p99 {_percentile(latencies, 0.99) * 1000:6.2f} ms"
    )
    return rate


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: SQLite in a temp dir)")
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/bench.db"
        if url.startswith("postgresql"):
            schema = "bench_" + uuid.uuid4().hex[:8]
            with sa.create_engine(url).begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = f"{url}?options=-csearch_path%3D{schema}"
        app = _fieldscan_app(url, tmp)
        baseline = _baseline_app(url).test_client()
        webhook = app.test_client()
        print(
            f"database: {url.split('?')[0].split('://')[0]}; "
            f"{args.conversations} conversations of {len(TURNS)} turns",
            file=sys.stderr,
        )
        _run(webhook, "/sms/twilio/inbound", _requests(args.warmup))
        _run(baseline, "/baseline", _requests(args.warmup))
        prepared = _requests(args.conversations)
        # Interleaved, turn by turn: both endpoints see the same machine at the same moment,
        # so a busy neighbour slows both instead of skewing the ratio.
        base_latencies, hook_latencies = [], []
        for turn in prepared:
            base_latencies += _run(baseline, "/baseline", [turn])
            hook_latencies += _run(webhook, "/sms/twilio/inbound", [turn])
        base_rate = _report("baseline", base_latencies)
        hook_rate = _report("webhook", hook_latencies)
        kinds = {"keyword": [], "answer": [], "last answer": []}
        for index, latency in enumerate(hook_latencies):
            turn = index % len(TURNS)
            kind = "keyword" if turn == 0 else "last answer" if turn == len(TURNS) - 1 else "answer"
            kinds[kind].append(latency * 1000)
        print(
            "webhook p50 by turn: "
            + ", ".join(f"{k} {statistics.median(v):.2f} ms" for k, v in kinds.items())
        )
        p99 = _percentile(hook_latencies, 0.99) * 1000
        print(
            f"ratio webhook/baseline: {hook_rate / base_rate:.2f} (target >= 0.5); "
            f"webhook p99 {p99:.1f} ms (target < 50 ms)"
        )
        if url.startswith("postgresql"):
            with sa.create_engine(url.split("?")[0]).begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
