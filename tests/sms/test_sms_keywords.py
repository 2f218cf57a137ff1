"""Survey keyword look-up: whole words across scripts, accents and spacing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldscan.sms.keywords import KeywordIndex, KeywordMatch
from fieldscan.survey import Survey

ROOT = Path(__file__).resolve().parents[2]


def survey(
    survey_id: str, keywords: dict[str, list[str]], channels: list[str] | None = None
) -> Survey:
    """A one-question survey with ``keywords``, built from the resolved content form."""
    languages = list(keywords)
    question: dict[str, Any] = {"id": "q", "type": "text", "label": dict.fromkeys(languages, "Q")}
    if channels is not None:
        question["channels"] = channels
    return Survey.from_content(
        {
            "id": survey_id,
            "title": dict.fromkeys(languages, survey_id),
            "languages": languages,
            "keywords": keywords,
            "questions": [question],
        }
    )


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex.from_surveys(
        [
            survey(
                "kids",
                {
                    "en": ["KIDS"],
                    "es": ["NINOS", "NIÑOS"],
                    "vi": ["TRE EM"],
                    "zh_Hant": ["兒童", "儿童"],
                    "ko": ["어린이"],
                    "ar": ["أطفال"],
                    "hy": ["ԵՐԵԽԱ", "EREKHA"],
                    "km": ["កូន"],
                    "fa": ["کودک"],
                    "ru": ["ДЕТИ"],
                    "hmn": ["MENYUAM"],
                },
            ),  # fmt: skip
            survey("baby", {"en": ["BABY"], "es": ["BEBÉ"], "vi": ["EMBE"], "tl": ["SANGGOL"]}),
            survey("care", {"en": ["BABY CARE"], "km": ["ផ្ទៃពោះ"]}),
            survey("staff", {"en": ["PARTNER"]}, channels=["web", "tablet"]),
        ]
    )


def ids(matches: list[KeywordMatch]) -> list[tuple[str, str]]:
    return [(m.survey_id, m.language) for m in matches]


@pytest.mark.parametrize(
    "text",
    ["kids", "KIDS", "Kids!", "KIDS please", "  kids  ", "kids, please", "¿kids?", "ＫＩＤＳ",
     "kids 🙂", "Kids.\nthanks"],
)  # fmt: skip
def test_whole_word_matches(index: KeywordIndex, text: str) -> None:
    assert ids(index.match(text)) == [("kids", "en")]


@pytest.mark.parametrize(
    "text", ["kidsX", "skids", "kid", "my kids", "", " ", "!!!", "2", "STOP", "baby2"]
)
def test_non_matches(index: KeywordIndex, text: str) -> None:
    assert index.match(text) == []


@pytest.mark.parametrize("text", ["niños", "NIÑOS", "  niños ", "ninos", "Niños por favor"])
def test_accents_are_ignored(index: KeywordIndex, text: str) -> None:
    assert ids(index.match(text)) == [("kids", "es")]


@pytest.mark.parametrize("text", ["tre em", "TREEM", "Trẻ em", "trẻ  em ơi", "TRẺEM"])
def test_spacing_is_ignored(index: KeywordIndex, text: str) -> None:
    assert ids(index.match(text)) == [("kids", "vi")]


def test_keyword_typed_with_spaces_added() -> None:
    idx = KeywordIndex.from_surveys([survey("s", {"vi": ["TREEM"], "es": ["BEBE"]})])
    assert ids(idx.match("Trẻ em")) == [("s", "vi")]
    assert ids(idx.match("be be")) == [("s", "es")]
    assert idx.match("tre emx") == []
    assert ids(idx.match("be be!")) == [("s", "es")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("兒童", ("kids", "zh_Hant")), ("儿童", ("kids", "zh_Hant")),
        ("兒童調查", ("kids", "zh_Hant")), ("兒童。", ("kids", "zh_Hant")),
        ("어린이", ("kids", "ko")), ("어린이 설문", ("kids", "ko")),
        ("أطفال", ("kids", "ar")), ("اطفال", ("kids", "ar")), ("إطفال!", ("kids", "ar")),
        ("اطـفـال", ("kids", "ar")),
        ("کودک", ("kids", "fa")), ("كودك", ("kids", "fa")),
        ("ԵՐԵԽԱ", ("kids", "hy")), ("երեխա", ("kids", "hy")), ("erekha", ("kids", "hy")),
        ("កូន", ("kids", "km")), ("កូនខ្ញុំ", ("kids", "km")), ("\u200bកូន\u200bខ្ញុំ", ("kids", "km")),
        ("ДЕТИ", ("kids", "ru")), ("дети!", ("kids", "ru")),
        ("menyuam", ("kids", "hmn")), ("Bebé", ("baby", "es")), ("bebe", ("baby", "es")),
        ("ផ្ទៃពោះ", ("care", "km")),
    ],
)  # fmt: skip
def test_scripts(index: KeywordIndex, text: str, expected: tuple[str, str]) -> None:
    assert ids(index.match(text)) == [expected]


def test_spaced_scripts_need_a_word_boundary(index: KeywordIndex) -> None:
    assert index.match("어린이집") == []  # Korean is written with spaces
    assert index.match("детишки") == []
    assert index.match("我的兒童") == []  # must start with the keyword


def test_khmer_keyword_must_not_end_inside_a_syllable() -> None:
    idx = KeywordIndex.from_surveys([survey("s", {"km": ["កូ"]})])
    assert ids(idx.match("កូន")) == [("s", "km")]  # a following consonant starts anew
    idx = KeywordIndex.from_surveys([survey("s", {"km": ["ក"]})])
    assert idx.match("កូន") == []  # a vowel sign follows: inside the syllable
    assert idx.match("ក្រុម") == []  # a subscript (coeng) follows


def test_longest_keyword_wins(index: KeywordIndex) -> None:
    assert ids(index.match("baby")) == [("baby", "en")]
    assert ids(index.match("Baby care")) == [("care", "en")]
    assert ids(index.match("babycare please")) == [("care", "en")]
    assert ids(index.match("baby carex")) == [("baby", "en")]


def test_keyword_in_several_languages_gives_one_match_per_language() -> None:
    idx = KeywordIndex.from_surveys(
        [survey("s", {"en": ["BEBE"], "es": ["BEBÉ", "BEBE"], "tl": ["BATA"]})]
    )
    assert ids(idx.match("bebe")) == [("s", "en"), ("s", "es")]
    assert ids(idx.match("bata")) == [("s", "tl")]


def test_surveys_without_sms_questions_are_left_out(index: KeywordIndex) -> None:
    assert index.match("partner") == []
    assert "staff" not in index.survey_ids
    every = KeywordIndex.from_surveys(
        [survey("staff", {"en": ["PARTNER"]}, ["web"])], sms_only=False
    )
    assert ids(every.match("partner")) == [("staff", "en")]


def test_contains_and_len(index: KeywordIndex) -> None:
    assert "niños" in index
    assert "Tre em" in index
    assert "kid" not in index
    assert 3 not in index
    assert len(KeywordIndex([])) == 0
    assert KeywordIndex([]).match("kids") == []


def test_listing(index: KeywordIndex) -> None:
    assert index.listing().splitlines() == [
        "KIDS / NINOS / TRE EM / 兒童",
        "BABY / BEBÉ / EMBE",
        "BABY CARE",
    ]
    assert index.listing(("km", "en")).splitlines()[0] == "កូន / KIDS"
    assert index.listing(("ru",)).splitlines() == ["ДЕТИ", "BABY", "BABY CARE"]


def test_shipped_surveys(shipped: list[Survey]) -> None:
    idx = KeywordIndex.from_surveys(shipped)
    assert idx.listing() == "KIDS / NINOS / TREEM / 兒童\nBABY / BEBE / BAU / 懷孕"
    for item in shipped:
        for lang, words in item.keywords.items():
            for word in words:
                expected = [] if not item.sms_questions() else [(item.id, lang)]
                assert ids(idx.match(word)) == expected, word
                assert ids(idx.match(f"{word.lower()}!")) == expected, word
    assert ids(idx.match("Niños")) == [("children_scan", "es")]
    assert ids(idx.match("Trẻ em")) == [("children_scan", "vi")]
    assert ids(idx.match("bầu")) == [("prenatal_scan", "vi")]
    assert ids(idx.match("РЕБЁНОК")) == [("children_scan", "ru")]
    assert ids(idx.match("كودك")) == [("children_scan", "fa")]


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(max_size=40))
def test_match_never_raises(text: str) -> None:
    index = KeywordIndex.from_surveys(
        [survey("s", {"en": ["KIDS"], "km": ["កូន"], "zh_Hant": ["兒童"]})]
    )
    assert all(isinstance(m, KeywordMatch) for m in index.match(text))
