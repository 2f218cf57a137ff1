"""Reading an XLSForm with pyxform, which alone judges whether the form is valid.

The file goes through pyxform's own pipeline, as ``pyxform.xls2xform.convert`` runs it
(without the Java validator): the backend reader (``xls2json_backends.get_xlsform``),
``xls2json.workbook_to_json`` (the survey sheet, choices, settings, translations and most
checks), then ``builder.create_survey_element_from_dict`` and ``Survey.to_xml`` (references,
includes, choice lists). Whatever pyxform refuses is refused with its own message, located
on a sheet and row where pyxform or the workbook tells us.

pyxform's conversion warnings and any Python warnings raised while it runs (openpyxl's
"Unknown extension ..." for instance) are collected into the report; none escapes.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

_ROW = re.compile(r"^\[row : (\d+)\]\s*", re.S)
_ON_SHEET = re.compile(r"^On the '([^']+)' sheet,?\s*", re.I)
_DUPLICATE_HEADER = re.compile(r"^Duplicate column header: (.+)$")
_NOT_INCLUDED = "This section has not been included."


class PyxformRefusedError(ValueError):
    """pyxform refused the form; ``messages`` name the sheet and row where known."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass
class PyxformForm:
    """What pyxform made of a valid form."""

    json: dict[str, Any]
    settings: dict[str, Any]
    survey_rows: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def read_form(data: bytes, kind: str, filename: str) -> PyxformForm:
    """Run pyxform on checked bytes (see :mod:`fieldscan.xlsform.safety`)."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            form = _run_pyxform(data, kind, filename, found)
        finally:
            python_warnings = [str(w.message) for w in caught]
    for text in python_warnings:
        found.append(f"while reading the workbook: {text}")
    form.warnings = _tidy_warnings(found)
    return form


def _run_pyxform(data: bytes, kind: str, filename: str, found: list[str]) -> PyxformForm:
    # Imported here so that any warning raised on import is captured as well.
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    stem = PurePath(filename).stem or "form"
    try:
        workbook = get_xlsform(io.BytesIO(data), file_type=f".{kind}")
    except PyXFormError as exc:
        raise PyxformRefusedError([_locate(str(exc), data, kind, None)]) from None
    except Exception as exc:  # noqa: BLE001 - a reader crash on odd input is a refusal too
        raise PyxformRefusedError([f"pyxform cannot read this file: {_crash(exc)}"]) from None
    try:
        pyxform_json = workbook_to_json(
            workbook_dict=workbook,
            form_name=None,
            fallback_form_name=stem,
            default_language=None,
            warnings=found,
        )
        survey = create_survey_element_from_dict(copy.deepcopy(pyxform_json))
        survey.to_xml(validate=False, pretty_print=False, warnings=found)
    except PyXFormError as exc:
        raise PyxformRefusedError([_locate(str(exc), data, kind, workbook)]) from None
    except Exception as exc:  # noqa: BLE001 - pyxform crashing on a form is a refusal too
        raise PyxformRefusedError([f"pyxform cannot convert this form: {_crash(exc)}"]) from None
    settings_rows = getattr(workbook, "settings", None) or []
    settings = dict(settings_rows[0]) if settings_rows else {}
    rows = list(getattr(workbook, "survey", None) or [])
    return PyxformForm(pyxform_json, settings, rows)


def _crash(exc: Exception) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _locate(message: str, data: bytes, kind: str, workbook: Any) -> str:
    """pyxform's message, prefixed by the sheet and row it concerns where we can tell."""
    message = " ".join(message.split())
    row_match = _ROW.match(message)
    if row_match:
        rest = message[row_match.end() :]
        sheet_match = _ON_SHEET.match(rest)
        # pyxform prefixes "[row : N]" without naming a sheet only for survey-sheet rows.
        sheet = sheet_match.group(1) if sheet_match else "survey"
        if sheet_match:
            rest = rest[sheet_match.end() :]
            rest = rest[:1].upper() + rest[1:]
        return f"'{sheet}' sheet, row {row_match.group(1)}: {rest}"
    duplicate = _DUPLICATE_HEADER.match(message)
    if duplicate:
        sheet = _sheet_with_duplicate_header(data, kind, duplicate.group(1).strip())
        where = f"'{sheet}' sheet, row 1" if sheet else "a header row"
        return f"{where}: {message}"
    if message.startswith(_NOT_INCLUDED):
        rows = [
            f"'survey' sheet, row {number}: type {_cell(row, 'type')!r} {_cell(row, 'name')!r}: "
            f"{message}"
            for number, row in enumerate(getattr(workbook, "survey", None) or [], start=2)
            if _cell(row, "type").strip().lower().startswith("include")
        ]
        if rows:
            return "; ".join(rows)
    return message


def _cell(row: dict[str, Any], column: str) -> str:
    """A survey-sheet cell by column name, whatever the header's case."""
    return next((str(v) for k, v in row.items() if str(k).strip().lower() == column), "")


def _sheet_with_duplicate_header(data: bytes, kind: str, header: str) -> str | None:
    """The sheet whose header row repeats ``header`` (pyxform's message names none)."""
    try:
        for name, cells in _header_rows(data, kind):
            cleaned = [" ".join(str(c).split()) for c in cells if c not in (None, "")]
            if cleaned.count(header) > 1:
                return name
    except Exception:  # noqa: BLE001 - only a nicer message is at stake
        return None
    return None


def _header_rows(data: bytes, kind: str):
    if kind == "xlsx":
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                first = next(sheet.iter_rows(max_row=1, values_only=True), ())
                yield sheet.title, list(first)
        finally:
            book.close()
    elif kind == "xls":
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        try:
            for index in range(book.nsheets):
                sheet = book.sheet_by_index(index)
                yield sheet.name, sheet.row_values(0) if sheet.nrows else []
        finally:
            book.release_resources()
    else:
        name, header = None, None
        for row in csv.reader(io.StringIO(data.decode("utf-8"), newline="")):
            if row and row[0].strip():
                name, header = row[0].strip(), None
            elif name and header is None and any(c.strip() for c in row[1:]):
                header = row[1:]
                yield name, header


def _tidy_warnings(found: list[str]) -> list[str]:
    """pyxform's warnings one per line, located like errors, without repeats."""
    out: list[str] = []
    for warning in found:
        for line in str(warning).splitlines():
            line = " ".join(line.split())
            if not line:
                continue
            located = _locate(line, b"", "", None) if _ROW.match(line) else line
            text = f"pyxform: {located}"
            if text not in out:
                out.append(text)
    return out
