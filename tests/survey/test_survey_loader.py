"""Loading survey files: validation issues, translation resolution, all-or-nothing dirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from fieldscan.survey import (
    DefinitionIssue,
    Survey,
    SurveyDefinitionError,
    load_directory,
    load_file,
)

Write = Callable[..., Path]

HEADER = """\
id: kids
title: {en: Kids, es: Niños}
languages: [en, es]
keywords: {en: [KIDS], es: [NINOS]}
questions:
"""


def issues_of(path: Path, **kwargs: object) -> list[DefinitionIssue]:
    with pytest.raises(SurveyDefinitionError) as info:
        load_file(path, **kwargs)  # type: ignore[arg-type]
    assert str(info.value) == "\n".join(str(issue) for issue in info.value.errors)
    return info.value.errors


def find(issues: list[DefinitionIssue], question: str | None, field: str | None) -> DefinitionIssue:
    matches = [i for i in issues if i.question == question and i.field == field]
    assert matches, f"no issue for {question}/{field} in {[str(i) for i in issues]}"
    return matches[0]


def test_kids_survey_loads_and_resolves_translations(kids: Survey) -> None:
    assert kids.id == "kids"
    assert kids.languages == ("en", "es", "vi")
    assert kids.title == {
        "en": "Our children's health",
        "es": "La salud de nuestros niños",
        "vi": "Sức khỏe con em chúng ta",
    }
    assert kids.question("services").choices[2].label == {"en": "WIC", "es": "WIC", "vi": "WIC"}
    assert kids.question("consent").choices[0].label == {"en": "Yes", "es": "Sí", "vi": "Có"}
    assert kids.keywords == {"en": ["KIDS"], "es": ["NINOS", "NIÑOS"], "vi": ["TRE EM"]}
    assert kids.text("completion", "es") == "¡Gracias!"
    assert kids.question("trusted").max_length == 20
    assert kids.question("phone").max_length is None
    assert kids.question("child_count").required is True


def test_error_format_names_file_question_and_field(write: Write) -> None:
    path = write(
        HEADER + "  - {id: age, type: integer, label: {en: Age, es: Edad}, min: 5, max: 0}\n"
    )
    issue = find(issues_of(path), "age", "max")
    assert str(issue) == f"{path}: question 'age': field 'max': must be at least min (5) (line 6)"
    assert issue.file == str(path)
    assert issue.line == 6


def test_schema_rules_are_all_reported(write: Write) -> None:
    path = write(
        """\
        id: Kids
        title: {en: Kids, es: Niños}
        languages: [en, es, zh-Hant, klingon]
        keywords: {en: [KIDS], es: [STOP], fr: [X]}
        channels: [sms]
        questions:
          - {id: a, type: text, label: {en: A, es: A}, taxonomy: 7, min: 1}
          - {id: b, type: select_one, label: {en: B, es: B}}
          - {id: c, type: integer, label: {en: C, es: C}, choices: [{value: x, label: X}]}
          - {id: d, type: select_multiple, label: {en: D, es: D},
             choices: [{value: x, label: X}, {value: x, label: Y}, {value: Bad, label: Z}]}
          - {id: e, type: group, label: {en: E, es: E}}
          - id: f
            type: group
            questions:
              - {id: a, type: note, label: {en: N, es: N}, required: false}
              - {id: g, type: phone, label: {en: G, es: G}, channels: [fax]}
          - {id: h, type: yes_no, label: {en: H, es: H}, required: "yes", wat: 1}
          - {id: i, type: pick_one, label: {en: I, es: I}}
          - {id: j, type: text}
          - {id: k, type: text, label: {en: K, es: K}, constraint_message: Why}
        """
    )
    issues = issues_of(path)
    expected = {
        (None, "id"): "must be a lower-case letter",
        (None, "languages"): "unknown language 'klingon'",
        (None, "keywords.es"): "'STOP' is reserved",
        (None, "keywords.fr"): "unknown language 'fr'",
        (None, "channels"): "unknown field",
        ("a", "taxonomy"): "must be text",
        ("a", "min"): "only integer questions have min and max",
        ("b", "choices"): "is required for a select question",
        ("c", "choices"): "only select_one and select_multiple questions have choices",
        ("d", "choices[2].value"): "'x' is repeated",
        ("d", "choices[3].value"): "must be lower-case letters",
        ("e", "questions"): "is required for a group",
        ("a", "id"): "'a' is already used by another question",
        ("a", "required"): "a note takes no answer",
        ("g", "channels"): "unknown channel 'fax'",
        ("h", "required"): "must be true or false",
        ("h", "wat"): "unknown field",
        ("i", "type"): "Must be one of",
        ("j", "label"): "is required",
        ("k", "constraint_message"): "has no constraint to explain",
    }
    found = {(i.question, i.field): i.message for i in issues}
    for key, text in expected.items():
        assert key in found, f"missing {key}: {[str(i) for i in issues]}"
        assert text in found[key]
    # the duplicate id is reported on the nested question, named by its group path
    nested = [i for i in issues if i.message.startswith("'a' is already used")]
    assert nested[0].line == 16


def test_nested_duplicate_is_attributed_to_the_nested_question(write: Write) -> None:
    path = write(
        HEADER
        + """\
  - {id: a, type: text, label: {en: A, es: A}}
  - id: grp
    type: group
    questions:
      - {id: a, type: text, label: {en: A2, es: A2}}
"""
    )
    issue = find(issues_of(path), "a", "id")
    assert issue.line == 10


def test_languages_are_normalized(write: Write) -> None:
    path = write(
        """\
        id: kids
        title: {en: Kids, zh-TW: 兒童, fil: Bata}
        languages: [en, zh-Hant, fil]
        keywords: {en: [KIDS], zh_hant: [兒童], tl: [BATA]}
        questions:
          - {id: a, type: text, label: {en: A, zh_Hant: 甲, tl: A}}
        """
    )
    survey = load_file(path)
    assert survey.languages == ("en", "zh_Hant", "tl")
    assert survey.title == {"en": "Kids", "zh_Hant": "兒童", "tl": "Bata"}
    assert set(survey.keywords) == {"en", "zh_Hant", "tl"}


def test_keywords_must_cover_every_language(write: Write) -> None:
    path = write(
        HEADER.replace("es: [NINOS]", "es: []") + "  - {id: a, type: note, label: {en: A, es: A}}\n"
    )
    assert "non-empty list" in find(issues_of(path), None, "keywords.es").message
    path = write(
        HEADER.replace(", es: [NINOS]", "") + "  - {id: a, type: note, label: {en: A, es: A}}\n"
    )
    assert find(issues_of(path), None, "keywords.es").message == "every language needs a keyword"


def test_yaml_11_booleans_stay_text(write: Write) -> None:
    path = write(
        HEADER
        + """\
  - id: q
    type: select_one
    label: {en: Yes or no, es: Sí o no}
    choices:
      - {value: yes, label: {en: Yes, es: Sí}}
      - {value: no, label: {en: No, es: No}}
      - {value: 3, label: {en: On, es: Off}}
"""
    )
    question = load_file(path).question("q")
    assert [c.value for c in question.choices] == ["yes", "no", "3"]
    assert question.choices[0].label == {"en": "Yes", "es": "Sí"}
    assert question.choices[2].label == {"en": "On", "es": "Off"}


def test_missing_translation_names_file_question_field_and_language(
    kids_data: SimpleNamespace, write: Write, tmp_path: Path
) -> None:
    partial = {lang: dict(messages) for lang, messages in kids_data.translations.items()}
    del partial["vi"]["WIC"]
    del partial["es"]["How old is the youngest?"]
    translations = kids_data.compile(tmp_path / "partial", partial)
    path = write(kids_data.yaml)
    issues = issues_of(path, translations_dir=translations)
    assert len(issues) == 3  # WIC appears in two questions
    label = find(issues, "youngest_age", "label")
    assert label.language == "es"
    line = kids_data.yaml.splitlines().index("        label: How old is the youngest?") + 1
    assert str(label) == (
        f"{path}: question 'youngest_age': field 'label': no 'es' translation of "
        f"'How old is the youngest?' (line {line})"
    )
    wic = [i for i in issues if i.field == "choices[wic].label"]
    assert {i.question for i in wic} == {"services", "main_service"}
    assert {i.language for i in wic} == {"vi"}


def test_identical_translation_is_not_missing(kids: Survey) -> None:
    # "WIC" is translated as "WIC": present in the catalog, so accepted.
    assert kids.question("main_service").choices[2].label["es"] == "WIC"


def test_missing_catalog_is_reported_once_per_language(
    kids_data: SimpleNamespace, write: Write, tmp_path: Path
) -> None:
    translations = kids_data.compile(tmp_path / "only_es", {"es": kids_data.translations["es"]})
    issues = issues_of(write(kids_data.yaml), translations_dir=translations)
    assert len(issues) == 1
    assert issues[0].language == "vi"
    assert issues[0].field == "languages"
    assert "no compiled 'surveys' catalog for 'vi'" in issues[0].message


def test_mapping_text_must_cover_every_language(write: Write) -> None:
    path = write(HEADER + "  - {id: a, type: text, label: {en: A}, hint: {es: Pista}}\n")
    issues = issues_of(path)
    assert find(issues, "a", "label").message == "no 'es' text (given: en)"
    assert find(issues, "a", "hint").language == "en"


def test_mapping_languages_outside_the_survey_are_dropped(write: Write) -> None:
    path = write(HEADER + "  - {id: a, type: text, label: {en: A, es: A, vi: A}}\n")
    assert load_file(path).question("a").label == {"en": "A", "es": "A"}


@pytest.mark.parametrize(
    ("relevant", "constraint", "field", "message"),
    [
        ("${a} = 1 and (", None, "relevant", "invalid expression: unexpected end of expression"),
        ("${nope} = 1", None, "relevant", "refers to unknown question 'nope'"),
        (". = 1", None, "relevant", "'.' (the answer being checked) can only be used"),
        ("${b} = 1", None, "relevant", "refers to the question itself"),
        (None, "${b} > 1", "constraint", "refers to the question itself; use '.'"),
        ("${n} = 1", None, "relevant", "refers to 'n', a note that has no answer"),
        (None, ". == 1", "constraint", "invalid expression: '==' is not an operator"),
    ],
)
def test_expression_checks(
    write: Write, relevant: str | None, constraint: str | None, field: str, message: str
) -> None:
    extra = ""
    if relevant:
        extra += f', relevant: "{relevant}"'
    if constraint:
        extra += f', constraint: "{constraint}"'
    path = write(
        HEADER
        + "  - {id: a, type: integer, label: {en: A, es: A}}\n"
        + "  - {id: n, type: note, label: {en: N, es: N}}\n"
        + "  - {id: b, type: integer, label: {en: B, es: B}"
        + extra
        + "}\n"
    )
    issue = find(issues_of(path), "b", field)
    assert message in issue.message
    assert issue.line == 8


def test_group_relevance_cannot_use_its_own_questions(write: Write) -> None:
    path = write(
        HEADER
        + """\
  - id: g
    type: group
    relevant: "${inner} = 1"
    questions:
      - {id: inner, type: integer, label: {en: I, es: I}}
"""
    )
    assert "inside this group" in find(issues_of(path), "g", "relevant").message


def test_sms_path_is_limited(write: Write) -> None:
    many = "".join(f"  - {{id: q{i}, type: text, label: {{en: Q, es: Q}}}}\n" for i in range(13))
    issue = find(issues_of(write(HEADER + many)), None, "channels")
    assert "13 questions are asked over SMS; at most 12" in issue.message
    web_only = many.replace("}}\n", "}, channels: [web]}\n", 1)
    assert len(load_file(write(HEADER + web_only)).sms_questions()) == 12
    grouped = (
        "  - {id: g, type: group, channels: [web, tablet], questions: [\n"
        + many.replace("  - {", "      {").replace("}}\n", "}},\n")
        + "    ]}\n"
    )
    assert load_file(write(HEADER + grouped)).sms_questions() == ()


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (b"", "the file is empty", None),
        (b"# only a comment\n", "the file is empty", None),
        (b"- a\n- b\n", "the file must be a mapping", None),
        (
            HEADER.encode() + b'  - {id: a, type: text, label: "unterminated',
            "is the file truncated?",
            6,
        ),
        ("title: Niños".encode()[:-3], "ends in the middle of a character", 1),
        (b"id: kids\ntitle: \xff\xfe\n", "not valid UTF-8 (byte 0xff)", 2),
        (b"id: kids\nid: other\n", "found the key 'id' twice", 2),
        (b"id: kids\ntitle: \x00\n", "control character U+0000", 2),
        (b"id: kids\n---\nid: other\n", "expected a single document", 2),
        (b"id: [kids\n", "invalid YAML", 2),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(
    tmp_path: Path, content: bytes, message: str, line: int | None
) -> None:
    path = tmp_path / "kids.yaml"
    path.write_bytes(content)
    issues = issues_of(path)
    assert len(issues) == 1
    assert message in issues[0].message
    assert issues[0].line == line
    assert str(issues[0]).startswith(f"{path}: ")


def test_truncated_files_are_refused(
    kids_data: SimpleNamespace, write: Write, catalogs: Path, tmp_path: Path
) -> None:
    data = kids_data.yaml.encode()
    path = tmp_path / "cut" / "kids.yaml"
    path.parent.mkdir()
    # Cut mid-string, mid-label (the shortened text has no translation) and mid-mapping.
    for marker in (b'"${child_count} >', b"How old is the", b"{value: library, lab"):
        path.write_bytes(data[: data.index(marker) + len(marker)])
        with pytest.raises(SurveyDefinitionError, match=str(path)):
            load_file(path, translations_dir=catalogs)
    # A cut can land where the prefix is itself a valid, shorter survey; most do not.
    refused = 0
    cuts = range(40, len(data) - 1, 37)
    for cut in cuts:
        path.write_bytes(data[:cut])
        try:
            load_file(path, translations_dir=catalogs)
        except SurveyDefinitionError as exc:
            refused += 1
            assert all(issue.file == str(path) for issue in exc.errors)
    assert refused > 0.8 * len(cuts)


def test_content_round_trips_and_hash_tracks_translations(
    kids_data: SimpleNamespace, write: Write, catalogs: Path, tmp_path: Path
) -> None:
    path = write(kids_data.yaml)
    survey = load_file(path, translations_dir=catalogs)
    assert load_file(path, translations_dir=catalogs).content_hash() == survey.content_hash()
    changed = {lang: dict(messages) for lang, messages in kids_data.translations.items()}
    changed["es"]["Thank you!"] = "¡Muchas gracias!"
    other = load_file(path, translations_dir=kids_data.compile(tmp_path / "changed", changed))
    assert other.content_hash() != survey.content_hash()


def test_load_directory_is_all_or_nothing(
    kids_data: SimpleNamespace, write: Write, catalogs: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "surveys"
    write(kids_data.yaml, "kids.yaml")
    write(HEADER.replace("kids", "teens").replace("KIDS", "TEENS").replace("NINOS", "JOVENES")
          + "  - {id: a, type: note, label: {en: A, es: A}}\n", "teens.yml")  # fmt: skip
    (folder / "README.txt").write_text("not a survey")
    surveys = load_directory(folder, translations_dir=catalogs)
    assert [s.id for s in surveys] == ["kids", "teens"]

    broken = "  - {id: a, type: integer, label: X, min: 3, max: 1}\n"
    write(HEADER.replace("kids", "broken") + broken, "broken.yaml")
    write(HEADER.replace("kids", "untranslated") + "  - {id: b, type: integer, label: X}\n",
          "untranslated.yaml")  # fmt: skip
    with pytest.raises(SurveyDefinitionError) as info:
        load_directory(folder, translations_dir=catalogs)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert "broken.yaml: question 'a': field 'max': must be at least min (3)" in lines[0]
    assert "untranslated.yaml: question 'b': field 'label': no 'es' translation" in lines[1]


def test_load_directory_checks_ids_file_names_and_keyword_clashes(
    write: Write, tmp_path: Path
) -> None:
    folder = tmp_path / "surveys"
    note = "  - {id: a, type: note, label: {en: A, es: A}}\n"
    write(HEADER + note, "kids.yaml")
    write(HEADER.replace("[KIDS]", "[Kíds]").replace("NINOS", "OTRO") + note, "other.yaml")
    with pytest.raises(SurveyDefinitionError) as info:
        load_directory(folder)
    messages = [str(issue) for issue in info.value.errors]
    assert any("other.yaml: field 'id': the file must be named kids.yaml" in m for m in messages)
    assert any("other.yaml: field 'id': survey id 'kids' is also used by" in m for m in messages)
    other = HEADER.replace("[KIDS]", "[Kíds]").replace("NINOS", "OTRO") + note
    write(other.replace("id: kids", "id: other"), "other.yaml")
    with pytest.raises(SurveyDefinitionError) as info:
        load_directory(folder)
    (issue,) = info.value.errors
    assert issue.field == "keywords.en"
    assert issue.message.startswith("keyword 'Kíds' also starts survey 'kids'")
    # spacing does not matter either
    write(other.replace("id: kids", "id: other").replace("[Kíds]", "[K I D S]"), "other.yaml")
    with pytest.raises(SurveyDefinitionError, match="keyword 'K I D S' also starts"):
        load_directory(folder)


def test_load_directory_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_directory(tmp_path / "missing")
    assert load_directory(tmp_path) == []
