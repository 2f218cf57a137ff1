"""Normalisation, tokenisation and SMS spelling."""

from __future__ import annotations

import pytest

from analysis._doc import prepare, split_compound
from analysis._text import normalize, romanize, skeleton, tokenize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Clínica FAMILIAR", "clinica familiar"),
        ("bà ngoại", "ba ngoai"),
        ("Đài phát thanh", "dai phat thanh"),
        ("ＷＩＣ", "wic"),  # full-width letters
        ("St. Mary’s", "st. marys"),
        ("  two   spaces ", "two spaces"),
        ("أمي", "امي"),  # alef variants unified
        ("کتابخانه", "كتابخانه"),  # Persian kaf -> Arabic kaf, one form for both
        ("Ռիո", "ռիո"),  # Armenian keeps its letters, only case changes
        ("教會", "教會"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_tokenize_splits_scripts_and_keeps_numbers():
    tokens = tokenize("Harbor社區中心, 101.5 FM 👵🏽 medi-cal")
    assert [t.norm for t in tokens] == [
        "harbor",
        "社區中心",
        ",",
        "101.5",
        "fm",
        "👵",
        "medi",
        "cal",
    ]
    assert [t.script for t in tokens][:2] == ["latin", "han"]


def test_token_offsets_point_into_the_text():
    text = "Dr. Ñúñez at Sol’s"
    for tok in tokenize(text):
        assert text[tok.start : tok.start + len(tok.orig)] == tok.orig


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("my mom n my tia", "en", ["my", "mom", "and", "my", "tia"]),
        ("help w rent thru the county", "en", ["help", "with", "rent", "through", "the", "county"]),
        ("igl sn pedro", "es", ["iglesia", "san", "pedro"]),
        ("dr lee", "en", ["doctor", "lee"]),
        ("x youtube", "es", ["por", "youtube"]),
        ("pa mi niña", "es", ["para", "mi", "nina"]),
        ("food bank ng harbor", "tl", ["food", "bank", "ng", "harbor"]),  # 'ng' is Tagalog
    ],
)
def test_sms_spelling(text, lang, words):
    assert prepare("1", text, lang).norms == words


def test_url_is_split_into_words():
    doc = prepare("1", "www.harborfoodbank.org", "en")
    assert doc.norms == ["harbor", "food", "bank"]
    assert "url" in doc.flags


def test_split_compound_keeps_unknown_parts_whole():
    assert split_compound("zqimmigrantlegal", frozenset({"immigrant", "legal"})) == [
        "zq",
        "immigrant",
        "legal",
    ]


def test_markup_and_phone_are_flagged_and_removed():
    doc = prepare("1", "<script>alert(1)</script> call 555-123-4567", "en")
    assert {"markup", "phone"} <= doc.flags
    assert "script" not in doc.norms and "555" not in doc.norms


def test_romanize_and_skeleton_match_names_across_scripts():
    assert romanize("박") == "bak"
    assert skeleton("Alta Vista") == skeleton("알타비스타")
    assert skeleton("Alta Vista") == skeleton("Альта Виста")
    assert skeleton("Kim") == skeleton("김")
