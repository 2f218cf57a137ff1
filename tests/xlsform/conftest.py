"""Fixtures for the XLSForm import tests: the shared corpus, forms built in memory, clients."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from fieldscan.extensions import db
from fieldscan.models import Survey, SurveyVersion
from tests.conftest import IN_CI, SHARED

CORPUS = SHARED / "xlsforms"

Rows = Sequence[Sequence[object]]


@pytest.fixture
def corpus() -> Path:
    """The shared folder of real XLSForms; skipped when absent (a failure in CI)."""
    if not CORPUS.is_dir():
        message = f"the XLSForm corpus {CORPUS} is not here"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: it is required)")
        pytest.skip(message)
    return CORPUS


def csv_form(survey: Rows, choices: Rows | None = None, settings: Rows | None = None) -> bytes:
    """An XLSForm in pyxform's CSV layout: each sheet's rows (header first) under its name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if not rows:
            continue
        writer.writerow([name])
        for row in rows:
            writer.writerow(["", *row])
    return out.getvalue().encode("utf-8")


def xlsx_form(survey: Rows, choices: Rows | None = None, settings: Rows | None = None) -> bytes:
    """The same form as an .xlsx workbook (openpyxl writes shared strings inline or not)."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "survey"
    for row in survey:
        first.append(list(row))
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored_counts() -> tuple[int, int]:
    """How many surveys and survey versions the database holds."""
    db.session.expire_all()
    surveys = db.session.scalar(sa.select(sa.func.count()).select_from(Survey))
    versions = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyVersion))
    return surveys, versions


@pytest.fixture
def admin_client(client, make_user, sign_in):
    """A client signed in as an administrator."""
    make_user("admin", site=None)
    assert sign_in(client, "admin@clinic.example").status_code == 302
    return client
