"""The Babel extractor finds every translatable string, with real line numbers."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract

from fieldscan.survey.babel_extract import extract_surveys, iter_translatable_strings

MIXED = """\
id: mixed
title: Mixed survey
languages: [en, es]
keywords:
  en: [MIXED]
  es: [MEZCLA]
messages:
  intro: |
    Hello there.
  completion: {en: Bye, es: Adiós}
questions:
  - id: q1
    type: select_one
    label: Pick one
    hint: {en: A hint, es: Una pista}
    constraint: ". != 'b'"
    constraint_message: Not that one
    choices:
      - {value: a, label: Apple}
      - {value: b, label: {en: Banana, es: Plátano}}
  - id: g
    type: group
    label: Group label
    questions:
      - id: yn
        type: yes_no
        label: "Yes?"
"""


def test_extractor_yields_strings_lines_and_comments() -> None:
    found = list(extract_surveys(io.BytesIO(MIXED.encode()), {}, [], {}))
    assert found == [
        (2, None, "Mixed survey", ["mixed / title"]),
        (8, None, "Hello there.", ["mixed / messages.intro"]),
        (14, None, "Pick one", ["mixed / q1 / label"]),
        (17, None, "Not that one", ["mixed / q1 / constraint_message"]),
        (19, None, "Apple", ["mixed / q1 / choices[a].label"]),
        (23, None, "Group label", ["mixed / g / label"]),
        (27, None, "Yes?", ["mixed / yn / label"]),
    ]


def test_extractor_works_through_babel() -> None:
    messages = list(extract(extract_surveys, io.BytesIO(MIXED.encode())))
    assert [(m[0], m[1]) for m in messages][:2] == [(2, "Mixed survey"), (8, "Hello there.")]
    assert messages[0][2] == ["mixed / title"]


def test_kids_strings_match_the_catalog_the_loader_needs(
    kids_data: SimpleNamespace,
    write: Callable[..., Path],
) -> None:
    strings = iter_translatable_strings(write(kids_data.yaml))
    assert set(strings) == set(kids_data.translations["es"])
    assert len(strings) == len(set(strings))  # distinct, in file order
    assert strings[0] == "Our children's health"


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text('id: x\ntitle: "unterminated\n')
    with open(path, "rb") as handle, pytest.raises(ValueError, match="broken.yaml: line 3"):
        list(extract_surveys(handle, {}, [], {}))
