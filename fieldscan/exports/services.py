"""One export as a file to download: CSV, XLSX or FHIR, limited to the sites a user sees.

The routes stay thin: they check the role, call :func:`export_file` and send what it
returns. The file is built completely (in memory, spilling to a temporary file when large)
before anything is sent, so a failure never sends half a file and the database work is
over when streaming starts.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import IO

from fieldscan import clock
from fieldscan.exports import fhir, tables, writers
from fieldscan.exports.tables import ExportError

FORMATS = ("csv", "xlsx", "fhir")

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "fhir": fhir.MEDIA_TYPE,
}
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "fhir": "fhir.json"}

#: Files up to this size stay in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

__all__ = ["EXTENSIONS", "FORMATS", "MEDIA_TYPES", "ExportError", "ExportFile", "export_file"]


@dataclass
class ExportFile:
    """A finished export: the file (positioned at its start), its name, media type, number
    of responses, language and size in bytes."""

    stream: IO[bytes]
    filename: str
    media_type: str
    rows: int
    language: str
    size: int


def filename(survey_id: str, fmt: str, language: str) -> str:
    """``children_scan_es_2026-03-02.csv``: survey, language, today (UTC), format."""
    return f"{survey_id}_{language}_{clock.now().date().isoformat()}.{EXTENSIONS[fmt]}"


def export_file(
    survey_id: str,
    fmt: str,
    language: str | None,
    site_ids: list[int] | None,
    *,
    base_url: str | None = None,
    publisher: str | None = None,
) -> ExportFile:
    """Build the export of ``survey_id`` in ``fmt`` with responses of ``site_ids`` only.

    :raises ExportError: the survey is not loaded or does not ship ``language``.
    :raises ValueError: ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    try:
        if fmt == "fhir":
            export = fhir.build_export(
                survey_id, language, site_ids, base_url=base_url, publisher=publisher
            )
            text = io.TextIOWrapper(stream, encoding="utf-8", write_through=True)
            rows = export.write_to(text)
            text.flush()
            text.detach()
            resolved = export.language
        else:
            table = tables.response_table(survey_id, language, site_ids)
            (writers.csv_to_stream if fmt == "csv" else writers.xlsx_to_stream)(table, stream)
            rows = len(table.rows)
            resolved = language or tables.SOURCE_LANGUAGE
        size = stream.tell()
        stream.seek(0)
    except BaseException:
        stream.close()
        raise
    return ExportFile(
        stream, filename(survey_id, fmt, resolved), MEDIA_TYPES[fmt], rows, resolved, size
    )
