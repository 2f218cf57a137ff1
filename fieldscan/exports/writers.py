"""Writing a :class:`ResponseTable` as CSV or XLSX, atomically (never a half-written file)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from fieldscan.exports.tables import ResponseTable, neutralize


@contextmanager
def _atomic(path: Path):
    """A temporary file beside ``path`` that replaces it only when writing succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_csv(table: ResponseTable, path: Path) -> None:
    """UTF-8 CSV with a BOM (spreadsheets then read the non-Latin scripts right)."""
    with _atomic(path) as tmp, open(tmp, "wb") as out:
        csv_to_stream(table, out)


def csv_to_stream(table: ResponseTable, out: IO[bytes]) -> None:
    """Write ``table`` as CSV (UTF-8 with a BOM) to a binary stream."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([neutralize(c.header) for c in table.columns])
        writer.writerows(["" if v is None else v for v in row] for row in table.rows)
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller


def write_xlsx(table: ResponseTable, path: Path) -> None:
    """An XLSX workbook with one sheet of responses (openpyxl, write-only mode)."""
    with _atomic(path) as tmp, open(tmp, "wb") as out:
        xlsx_to_stream(table, out)


def xlsx_to_stream(table: ResponseTable, out: IO[bytes]) -> None:
    """Write ``table`` as an XLSX workbook to a binary (seekable) stream."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append([neutralize(c.header) for c in table.columns])
    for row in table.rows:
        sheet.append(row)
    workbook.save(out)
