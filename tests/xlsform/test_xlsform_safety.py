"""Hostile files are refused before pyxform, openpyxl or xlrd reads them."""

from __future__ import annotations

import io
import zipfile

import pytest

from fieldscan.xlsform import import_xlsform, reading
from fieldscan.xlsform.safety import (
    DEFAULT_MAX_BYTES,
    MAX_ZIP_MEMBERS,
    UnsafeFileError,
    check_file,
    max_bytes_setting,
)
from tests.xlsform.conftest import csv_form, xlsx_form

FORM = [["type", "name", "label"], ["text", "name", "Your name?"]]


@pytest.fixture
def no_pyxform(monkeypatch):
    """Fail the test if a file gets as far as pyxform."""

    def refuse(*args, **kwargs):
        raise AssertionError("pyxform must not read this file")

    monkeypatch.setattr("fieldscan.xlsform.importer.read_form", refuse)
    return refuse


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """A copy of the zip ``data`` with some members replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = (replace or {}).get(info.filename, source.read(info.filename))
            target.writestr(info.filename, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, content in (add or {}).items():
            target.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_plain_xlsx_passes():
    data = xlsx_form(FORM)
    assert check_file(data, "form.xlsx").kind == "xlsx"
    assert import_xlsform(data, "form.xlsx").ok


def test_a_zip_bomb_is_refused_before_parsing(tmp_path, no_pyxform):
    # A highly compressible large member: 30 MB of one byte compresses about 1000 times.
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b"A" * 30_000_000 + b"</a>")
    data = bomb.read_bytes()
    assert len(data) < DEFAULT_MAX_BYTES
    result = import_xlsform(data, "bomb.xlsx")
    assert not result.ok
    assert "xl/worksheets/sheet1.xml" in result.errors[0] and "zip bomb" in result.errors[0]


def test_too_many_zip_members_are_refused(no_pyxform):
    data = _rezip(xlsx_form(FORM), add={f"xl/media/x{i}.bin": b"" for i in range(MAX_ZIP_MEMBERS)})
    result = import_xlsform(data, "many.xlsx")
    assert not result.ok and "parts" in result.errors[0]


def test_too_much_uncompressed_data_in_all_is_refused(no_pyxform, monkeypatch):
    monkeypatch.setattr("fieldscan.xlsform.safety.MAX_UNCOMPRESSED", 10_000)
    data = _rezip(xlsx_form(FORM), add={"xl/media/big.bin": bytes(range(256)) * 60})
    result = import_xlsform(data, "big.xlsx")
    assert not result.ok and "unpacks to" in result.errors[0]


DOCTYPE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol2;</t></si></sst>'
)
EXTERNAL = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t>'
    b"</si></sst>"
)


@pytest.mark.parametrize("payload", [DOCTYPE, EXTERNAL], ids=["billion-laughs", "external"])
def test_xml_entities_in_shared_strings_are_refused(no_pyxform, payload):
    data = _rezip(xlsx_form(FORM), add={"xl/sharedStrings.xml": payload})
    result = import_xlsform(data, "xxe.xlsx")
    assert not result.ok
    assert "xl/sharedStrings.xml" in result.errors[0]
    assert "DOCTYPE" in result.errors[0]


def test_a_doctype_in_any_part_is_refused(no_pyxform):
    base = xlsx_form(FORM)
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        workbook = archive.read("xl/workbook.xml")
    doctype = b'<!DOCTYPE workbook [<!ENTITY e "x">]>'
    if workbook.startswith(b"<?xml"):
        end = workbook.index(b"?>") + 2
        poisoned = workbook[:end] + doctype + workbook[end:]
    else:
        poisoned = doctype + workbook
    result = import_xlsform(_rezip(base, replace={"xl/workbook.xml": poisoned}), "wb.xlsx")
    assert not result.ok and "xl/workbook.xml" in result.errors[0]


def test_malformed_xml_is_refused(no_pyxform):
    data = _rezip(xlsx_form(FORM), replace={"xl/workbook.xml": b"<workbook><oops></workbook>"})
    result = import_xlsform(data, "bad.xlsx")
    assert not result.ok and "not well-formed XML" in result.errors[0]


def test_oversized_files_are_refused(no_pyxform):
    data = csv_form(FORM) + b"," * 5000
    result = import_xlsform(data, "big.csv", max_bytes=1000)
    assert not result.ok and "at most 1,000 bytes" in result.errors[0]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"survey,\n,type\n", "form.xlsx", "not an .xlsx workbook"),
        (b"PK\x03\x04garbage", "form.xlsx", "not a readable zip archive"),
        (b"just text", "form.xls", "not an Excel 97-2003 .xls workbook"),
        ("survey,\n,type,name,label\n,text,q,Ünïcode\n".encode("latin-1"), "f.csv", "UTF-8"),
        (b"survey,\x00\n", "f.csv", "NUL"),
        (b"a,b,c,d,e\n1,2,3,4,5\n", "f.csv", "no 'survey' sheet"),
        (b"", "f.csv", "empty"),
        (b"<html/>", "form.ods", "only .xlsx, .xls and .csv"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(no_pyxform, data, name, message):
    with pytest.raises(UnsafeFileError) as caught:
        check_file(data, name)
    assert message in str(caught.value)


def test_a_csv_byte_order_mark_is_removed():
    data = b"\xef\xbb\xbf" + csv_form(FORM)
    assert not check_file(data, "f.csv").data.startswith(b"\xef\xbb\xbf")
    assert import_xlsform(data, "f.csv").ok


def test_python_warnings_from_the_readers_become_report_lines(monkeypatch):
    import warnings

    real = reading._run_pyxform

    def noisy(*args, **kwargs):
        warnings.warn("something odd in the workbook", UserWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reading, "_run_pyxform", noisy)
    result = import_xlsform(csv_form(FORM), "f.csv")
    assert result.ok
    assert "pyxform: while reading the workbook: something odd in the workbook" in result.warnings


def test_the_size_setting():
    assert max_bytes_setting({}) == DEFAULT_MAX_BYTES
    assert max_bytes_setting({"FIELDSCAN_XLSFORM_MAX_BYTES": "1000"}) == 1000
    with pytest.raises(ValueError):
        max_bytes_setting({"FIELDSCAN_XLSFORM_MAX_BYTES": "lots"})
    with pytest.raises(ValueError):
        max_bytes_setting({"FIELDSCAN_XLSFORM_MAX_BYTES": "0"})
