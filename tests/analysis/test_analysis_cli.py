"""``fieldscan analyze`` and the CSV reader."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analysis import AnswerFileError, read_answers_csv
from fieldscan.analysis_cli import analyze_command


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_cli_writes_the_contract_json(tmp_path):
    src = write(
        tmp_path / "a.csv",
        "id,question,text,language\n"
        "1,resources,Harbor Food Bank,en\n2,resources,idk,en\n"
        "3,trusted_messenger,mi mamá,es\n",
    )
    out = tmp_path / "out.json"
    result = CliRunner().invoke(analyze_command, ["--input", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["questions"]["resources"]["themes"] == {"1": ["food"], "2": ["none"]}
    assert data["questions"]["trusted_messenger"]["themes"] == {"3": ["family"]}
    assert not list(tmp_path.glob(".out.json.*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,text\n1,hello\n", "row 1: missing column(s): question"),
        ("id,question,text\n1,resources,ok\n,resources,no id\n", "row 3: empty id"),
        ("id,question,text\n1,resources,a\n1,resources,b\n", "row 3: duplicate id '1'"),
        ("id,question,text\n1,resources,a,extra\n", "row 2: 4 fields"),
        ("", "row 1: the file is empty"),
        (b"id,question,text\n1,resources,ok\n2,resources,caf\xe9\n", "row 3: not valid UTF-8"),
    ],
)
def test_bad_csv_fails_with_one_line_naming_the_row(tmp_path, content, message):
    src = write(tmp_path / "bad.csv", content)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(analyze_command, ["--input", str(src), "--output", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_file(tmp_path):
    result = CliRunner().invoke(
        analyze_command, ["--input", str(tmp_path / "nope.csv"), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code != 0 and "cannot read the file" in result.output


def test_reader_keeps_empty_text_and_optional_columns(tmp_path):
    src = write(tmp_path / "a.csv", "\ufeffID,Question,Text,Site,extra\n7,resources,,north,x\n")
    assert read_answers_csv(src) == [
        {"id": "7", "question": "resources", "text": "", "site": "north"}
    ]


def test_reader_error_carries_the_row(tmp_path):
    src = write(tmp_path / "a.csv", "id,question,text\n1,,x\n")
    with pytest.raises(AnswerFileError) as info:
        read_answers_csv(src)
    assert info.value.row == 2


def test_progress_on_stderr_for_large_inputs(tmp_path, monkeypatch):
    import fieldscan.analysis_cli as cli

    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 2)
    rows = "".join(f"{i},resources,wic {i}\n" for i in range(5))
    src = write(tmp_path / "a.csv", "id,question,text\n" + rows)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(analyze_command, ["--input", str(src), "--output", str(out)])
    assert result.exit_code == 0
    assert "analyze: 5 answers" in result.stderr
