"""Fixtures for the pure analysis tests (no app, no database)."""

from __future__ import annotations

import pytest

from tests.analysis.helpers import DATA, DEVDATA, read_rows


@pytest.fixture(scope="session")
def dev_rows() -> list[dict]:
    path = DEVDATA / "answers.csv"
    if not path.is_file():
        pytest.skip(f"development corpus not found at {path}")
    return read_rows(path)


@pytest.fixture(scope="session")
def dev_result(dev_rows) -> dict:
    from analysis import analyze

    records = [
        {"id": r["id"], "question": r["question"], "text": r["text"], "language": r["language"]}
        for r in dev_rows
    ]
    return analyze(records, random_state=0)


@pytest.fixture(scope="session")
def invented_result() -> tuple[list[dict], dict]:
    from analysis import analyze, read_answers_csv

    records = read_answers_csv(DATA / "invented.csv")
    return records, analyze(records, random_state=0)
