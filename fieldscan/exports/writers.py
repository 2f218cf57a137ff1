"""Writing a :class:`ResponseTable` as CSV or XLSX, atomically (never a half-written file)."""

from __future__ import annotations

import csv
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

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
    with _atomic(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([neutralize(c.header) for c in table.columns])
        writer.writerows(["" if v is None else v for v in row] for row in table.rows)


def write_xlsx(table: ResponseTable, path: Path) -> None:
    """An XLSX workbook with one sheet of responses (openpyxl, write-only mode)."""
    from openpyxl import Workbook

    with _atomic(path) as tmp:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("responses")
        sheet.append([neutralize(c.header) for c in table.columns])
        for row in table.rows:
            sheet.append(row)
        workbook.save(tmp)
