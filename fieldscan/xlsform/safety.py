"""Checks an uploaded XLSForm file must pass before pyxform (or openpyxl/xlrd) reads it.

- **size**: at most ``max_bytes`` (``FIELDSCAN_XLSFORM_MAX_BYTES``, default 5 MB);
- **type**: the extension is ``.xlsx``, ``.xls`` or ``.csv`` and the bytes agree with it
  (a zip archive, an OLE2 compound file, UTF-8 text);
- **xlsx zip bombs**: at most :data:`MAX_ZIP_MEMBERS` members, at most
  :data:`MAX_UNCOMPRESSED` bytes uncompressed in all, no member over
  :data:`MAX_MEMBER_UNCOMPRESSED`, no large member compressed more than :data:`MAX_RATIO`
  times, no encryption and no compression method other than stored or deflated. The sizes
  come from the zip directory; Python's ``zipfile`` (which openpyxl uses) never inflates a
  member beyond its declared size, and the scan below counts what it reads as well;
- **XML entity attacks** (billion laughs, external entities): every XML part of an xlsx is
  parsed first with defusedxml's parser, which refuses any DTD, entity declaration or
  external reference. This replaces ``defusedxml.defuse_stdlib()``, which would change
  XML parsing for the whole process;
- **csv**: UTF-8 (a byte-order mark is removed), no NUL bytes, at most
  :data:`MAX_CSV_LINES` lines, and a ``survey`` sheet in pyxform's CSV layout (the first
  column names the sheets), so a data export is refused with a clear message.

Pure: bytes in, the (possibly normalized) bytes and the file kind out, or
:class:`UnsafeFileError` with messages for the person who uploaded the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_MEMBER_UNCOMPRESSED = 50 * 1024 * 1024
#: Compression ratio allowed for members over :data:`RATIO_FLOOR` bytes uncompressed;
#: spreadsheet XML compresses 5 to 30 times, zip bombs hundreds or thousands of times.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_CSV_LINES = 50_000
_CHUNK = 64 * 1024

KINDS = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class UnsafeFileError(ValueError):
    """The file is refused before any parser reads it; ``messages`` says why."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks: its kind and the bytes to hand to pyxform."""

    kind: str
    data: bytes


def max_bytes_setting(config: object) -> int:
    """``FIELDSCAN_XLSFORM_MAX_BYTES`` from a config mapping or the environment, else 5 MB."""
    import os

    value = None
    if hasattr(config, "get"):
        value = config.get("FIELDSCAN_XLSFORM_MAX_BYTES")  # type: ignore[attr-defined]
    if value in (None, ""):
        value = os.environ.get("FIELDSCAN_XLSFORM_MAX_BYTES")
    if value in (None, ""):
        return DEFAULT_MAX_BYTES
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError(
            f"FIELDSCAN_XLSFORM_MAX_BYTES must be a whole number of bytes, not {value!r}"
        ) from None
    if number <= 0:
        raise ValueError("FIELDSCAN_XLSFORM_MAX_BYTES must be positive")
    return number


def kind_of(filename: str) -> str | None:
    """``xlsx``, ``xls`` or ``csv`` from the file name's extension, else None."""
    return KINDS.get(PurePath(filename).suffix.lower())


def check_file(data: bytes, filename: str, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedFile:
    """Run every check for ``data`` named ``filename``; raise :class:`UnsafeFileError`."""
    kind = kind_of(filename)
    if kind is None:
        raise UnsafeFileError(["only .xlsx, .xls and .csv XLSForms can be imported"])
    if len(data) > max_bytes:
        raise UnsafeFileError(
            [f"the file is {len(data):,} bytes; at most {max_bytes:,} bytes are accepted"]
        )
    if not data:
        raise UnsafeFileError(["the file is empty"])
    if kind == "xlsx":
        check_xlsx(data)
    elif kind == "xls":
        if not data.startswith(_OLE2):
            hint = " (it is a zip archive: rename it to .xlsx)" if data.startswith(_ZIP) else ""
            raise UnsafeFileError([f"this is not an Excel 97-2003 .xls workbook{hint}"])
    else:
        data = check_csv(data)
    return CheckedFile(kind, data)


def check_xlsx(data: bytes) -> None:
    """Refuse zip bombs and XML with DTDs or entities in an ``.xlsx`` file."""
    if not data.startswith(_ZIP):
        hint = " (it is an .xls workbook: rename it)" if data.startswith(_OLE2) else ""
        raise UnsafeFileError([f"this is not an .xlsx workbook (not a zip archive){hint}"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnsafeFileError([f"the .xlsx file is not a readable zip archive ({exc})"]) from None
    with archive:
        members = archive.infolist()
        _check_members(members)
        names = {info.filename for info in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UnsafeFileError(["the zip archive is not an Excel workbook (no xl/workbook.xml)"])
        for info in members:
            if info.filename.lower().endswith(_XML_SUFFIXES):
                _scan_xml(archive, info)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnsafeFileError(
            [f"the .xlsx archive has {len(members)} parts; at most {MAX_ZIP_MEMBERS} are accepted"]
        )
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise UnsafeFileError(["the .xlsx file is encrypted or password-protected"])
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeFileError(
                [f"{info.filename}: unusual zip compression; save the workbook again in Excel"]
            )
        if info.file_size > MAX_MEMBER_UNCOMPRESSED:
            raise UnsafeFileError(
                [
                    f"{info.filename}: {info.file_size:,} bytes uncompressed; at most "
                    f"{MAX_MEMBER_UNCOMPRESSED:,} are accepted (possible zip bomb)"
                ]
            )
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise UnsafeFileError(
                    [
                        f"{info.filename}: compressed {ratio:,.0f} times; at most {MAX_RATIO} "
                        "times is accepted (possible zip bomb)"
                    ]
                )
        total += info.file_size
    if total > MAX_UNCOMPRESSED:
        raise UnsafeFileError(
            [
                f"the .xlsx file unpacks to {total:,} bytes; at most {MAX_UNCOMPRESSED:,} are "
                "accepted (possible zip bomb)"
            ]
        )


class _Discard:
    """A parser target that keeps nothing: the scan only needs the parser's verdict."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        """Ignore an element start."""

    def end(self, tag: str) -> None:
        """Ignore an element end."""

    def data(self, text: str) -> None:
        """Ignore text."""

    def close(self) -> None:
        """Nothing to return."""


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    parser = DefusedXMLParser(
        target=_Discard(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size or read > MAX_MEMBER_UNCOMPRESSED:
                    raise UnsafeFileError([f"{info.filename}: larger than declared (zip bomb)"])
                parser.feed(chunk)
        parser.close()
    except (DTDForbidden, EntitiesForbidden) as exc:
        kind = (
            "a document type declaration (DOCTYPE)"
            if isinstance(exc, DTDForbidden)
            else ("an XML entity declaration")
        )
        raise UnsafeFileError(
            [f"{info.filename}: contains {kind}, which Excel never writes (an XML entity attack?)"]
        ) from None
    except ExternalReferenceForbidden:
        raise UnsafeFileError(
            [f"{info.filename}: refers to an external XML resource (an XML entity attack?)"]
        ) from None
    except ParseError as exc:
        raise UnsafeFileError([f"{info.filename}: not well-formed XML ({exc})"]) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        # zlib errors, CRC mismatches (a member bigger than declared), truncated archives.
        raise UnsafeFileError([f"{info.filename}: cannot be unpacked ({exc})"]) from None


def check_csv(data: bytes) -> bytes:
    """UTF-8 text in pyxform's CSV layout with a ``survey`` sheet; returns it without a BOM."""
    if data.startswith(_ZIP) or data.startswith(_OLE2):
        raise UnsafeFileError(["this is an Excel workbook, not a .csv file: use .xlsx or .xls"])
    if b"\x00" in data:
        raise UnsafeFileError(["the .csv file contains NUL bytes; it is not text"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsafeFileError(
            [f"the .csv file is not UTF-8 text (byte {exc.start + 1}); save it as CSV UTF-8"]
        ) from None
    lines = text.count("\n") + 1
    if lines > MAX_CSV_LINES:
        raise UnsafeFileError(
            [f"the .csv file has {lines:,} lines; at most {MAX_CSV_LINES:,} are accepted"]
        )
    try:
        sheets = {
            row[0].strip().lower()
            for row in csv.reader(io.StringIO(text, newline=""))
            if row and row[0].strip()
        }
    except csv.Error as exc:
        raise UnsafeFileError([f"the .csv file cannot be read: {exc}"]) from None
    if "survey" not in sheets:
        raise UnsafeFileError(
            [
                "the .csv file is not an XLSForm: it has no 'survey' sheet (in an XLSForm CSV "
                "the first column names each sheet: survey, choices, settings). Is it a data "
                "export?"
            ]
        )
    return text.encode("utf-8")
