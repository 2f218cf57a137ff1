"""Golden files: the exports of the deterministic data set, compared with tests/exports/golden/.

CSV is compared as text, XLSX by cell values (the golden is a JSON list of rows, not a
workbook: bytes change with openpyxl versions and zip timestamps), FHIR as parsed JSON with
the bundle's random id normalized (every other time comes from the frozen clock).

After an intended change, regenerate them and review the diff:

    FIELDSCAN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/exports/test_exports_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATING = os.environ.get("FIELDSCAN_UPDATE_GOLDEN") == "1"
SURVEY = "children_scan"
LANGUAGES = ("en", "es")


def run_export(app, tmp_path: Path, fmt: str, language: str) -> Path:
    out = tmp_path / f"{SURVEY}_{language}.{fmt}"
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "responses",
            "--survey",
            SURVEY,
            "--format",
            fmt,
            "--output",
            str(out),
            "--language",
            language,
        ]
    )
    assert result.exit_code == 0, result.output
    return out


def csv_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def xlsx_values(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def fhir_normalized(path: Path) -> dict:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert bundle["identifier"]["value"] == f"urn:uuid:{bundle['id']}"
    bundle["id"] = "BUNDLE-ID"
    bundle["identifier"]["value"] = "urn:uuid:BUNDLE-ID"
    return bundle


#: format -> (golden file suffix, read the export, serialize for the golden, parse the golden)
FORMATS = {
    "csv": (".csv", csv_text, lambda text: text, lambda text: text),
    "xlsx": (
        ".xlsx.json",
        xlsx_values,
        lambda values: json.dumps(values, ensure_ascii=False, indent=1) + "\n",
        json.loads,
    ),
    "fhir": (
        ".fhir.json",
        fhir_normalized,
        lambda bundle: json.dumps(bundle, ensure_ascii=False, indent=1) + "\n",
        json.loads,
    ),
}


def golden_path(fmt: str, language: str) -> Path:
    return GOLDEN / f"{SURVEY}_{language}{FORMATS[fmt][0]}"


@pytest.mark.skipif(UPDATING, reason="FIELDSCAN_UPDATE_GOLDEN=1: regenerating, not comparing")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_matches_its_golden_file(golden_data, tmp_path, fmt, language):
    _, read, _, parse = FORMATS[fmt]
    path = golden_path(fmt, language)
    assert path.exists(), f"{path} is missing: run with FIELDSCAN_UPDATE_GOLDEN=1"
    expected = parse(path.read_text(encoding="utf-8"))
    assert read(run_export(golden_data, tmp_path, fmt, language)) == expected


@pytest.mark.skipif(not UPDATING, reason="set FIELDSCAN_UPDATE_GOLDEN=1 to regenerate")
def test_regenerate_golden_files(golden_data, tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("regenerated once, from SQLite")
    GOLDEN.mkdir(exist_ok=True)
    for fmt, (_, read, dump, _) in FORMATS.items():
        for language in LANGUAGES:
            text = dump(read(run_export(golden_data, tmp_path, fmt, language)))
            golden_path(fmt, language).write_text(text, encoding="utf-8", newline="")


@pytest.mark.skipif(UPDATING, reason="FIELDSCAN_UPDATE_GOLDEN=1: regenerating, not comparing")
def test_golden_files_hold_no_phone_numbers():
    for path in GOLDEN.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.name.endswith(".fhir.json"):
            assert "415-555-0123" not in text and "[phone]" in text
        else:  # the tables hold answers as given (for staff), neutralized for spreadsheets
            assert "'=HYPERLINK" in text
