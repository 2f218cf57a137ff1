"""Response exports: CSV and XLSX, labels in the chosen language, injection-safe."""

from __future__ import annotations

import csv

import pytest

from fieldscan.exports.tables import neutralize
from fieldscan.locales import translate
from tests.fixtures_sms import Phone

ANSWERS_ES = [
    "NINOS",
    '=HYPERLINK("http://evil","x")',
    "el banco de comida",
    "1 4",
    "no",
    "si",
    "4",
    "2",
    "1",
    "si",
]


@pytest.fixture
def completed_in_spanish(sms_app):
    phone = Phone(sms_app.test_client(), "+14155550101")
    for text in ANSWERS_ES:
        status, _ = phone.send(text)
        assert status == 200
    return sms_app


def _rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_sms_conversation_appears_in_the_csv_export(completed_in_spanish, tmp_path):
    out = tmp_path / "children.csv"
    result = completed_in_spanish.test_cli_runner().invoke(
        args=[
            "export",
            "responses",
            "--survey",
            "children_scan",
            "--format",
            "csv",
            "--output",
            str(out),
            "--language",
            "es",
        ]
    )
    assert result.exit_code == 0, result.output
    header, row = _rows(out)
    record = dict(zip(header, row, strict=True))
    assert record["channel"] == "sms" and record["status"] == "completed"
    assert record["language"] == "es"
    trusted_label = translate(
        "es", "Who do you trust most for advice about your child's health?", domain="surveys"
    )
    assert record[trusted_label].startswith("'=HYPERLINK")  # neutralized formula
    assert record[trusted_label + ""] == neutralize('=HYPERLINK("http://evil","x")')
    used = translate(
        "es", "In the last 12 months, which of these did your family use?", domain="surveys"
    )
    school = translate("es", "School programs", domain="surveys")
    library = translate("es", "The library", domain="surveys")
    assert record[f"{used}: {school}"] == "1" and record[f"{used}: {library}"] == "0"
    assert record[translate("es", "How old is your youngest child?", domain="surveys")] == "4"


def test_export_in_english_by_default_and_xlsx(completed_in_spanish, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "children.xlsx"
    result = completed_in_spanish.test_cli_runner().invoke(
        args=[
            "export",
            "responses",
            "--survey",
            "children_scan",
            "--format",
            "xlsx",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert "Who do you trust most for advice about your child's health?" in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["How old is your youngest child?"] == 4  # a number, not text
    assert str(row["Who do you trust most for advice about your child's health?"]).startswith("'=")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--survey", "nope"], "not loaded"),
        (["--survey", "children_scan", "--language", "xx"], "not a known language"),
        (["--survey", "children_scan", "--format", "pdf"], "pdf"),
    ],
)
def test_export_refuses_bad_input_and_writes_nothing(sms_app, tmp_path, args, message):
    out = tmp_path / "out.csv"
    result = sms_app.test_cli_runner().invoke(
        args=["export", "responses", *args, "--output", str(out)]
    )
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralized(value):
    assert neutralize(value) == "'" + value
    assert neutralize("plain") == "plain" and neutralize(-1) == -1 and neutralize(None) is None
