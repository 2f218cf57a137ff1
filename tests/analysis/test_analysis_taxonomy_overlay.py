"""Extending a taxonomy with staff themes and terms; phrases and descriptions for cluster edits."""

from __future__ import annotations

import pickle

import pytest

from analysis import (
    ScanAnalyzer,
    TaxonomyError,
    ThemeTagger,
    contains_phrase,
    default_taxonomies,
    describe_answers,
)


@pytest.fixture
def base():
    return default_taxonomies()["resources"]


def test_extended_adds_labels_before_none_and_leaves_the_original(base):
    tax = base.extended({"baby_gear": "Baby gear"}, {"baby_gear": ["stroller*"]}, "staff.1")
    assert tax.labels == [*base.labels[:-1], "baby_gear", "none"]
    assert tax.version == f"{base.version}+staff.1" and tax.descriptions["baby_gear"] == "Baby gear"
    assert tax.terms["*"] == {"baby_gear": ["stroller*"]}
    assert "baby_gear" not in base.labels and "*" not in base.terms
    assert base.extended({}, {}, "staff.0") is base
    more = tax.extended({}, {"food": ["panaderia"]}, "staff.2")
    assert more.terms["*"] == {"baby_gear": ["stroller*"], "food": ["panaderia"]}
    assert more.labels_of("Panadería") == {"food"} and base.labels_of("panaderia") == set()


@pytest.mark.parametrize(
    ("labels", "terms"),
    [
        ({"food": "Food again"}, {}),
        ({"Baby Gear": "x"}, {}),
        ({}, {"nothing_like_it": ["x"]}),
        ({}, {"none": ["nada"]}),
    ],
)
def test_extended_rejects_bad_labels_and_terms(base, labels, terms):
    with pytest.raises(TaxonomyError):
        base.extended(labels, terms, "staff.1")


def test_tagger_uses_overlay_terms_in_every_language(base):
    texts = ["a double stroller please", "una carriola doble", "food bank"]
    tax = base.extended({"baby_gear": "Baby gear"}, {"baby_gear": ["stroller*", "carriola"]}, "s.1")
    tagger = ThemeTagger(tax).fit()
    assert tagger.predict(texts, ["en", "es", "en"]) == [["baby_gear"], ["baby_gear"], ["food"]]
    # The same tag with other content must not reuse the cached index of the first overlay.
    other = base.extended({"gear": "Gear"}, {"gear": ["carriola"]}, "s.1")
    assert ThemeTagger(other).fit().predict(texts[1:2], ["es"]) == [["gear"]]
    assert ThemeTagger(base).fit().predict(texts[:1], ["en"]) != [["baby_gear"]]


def test_a_fitted_analyzer_with_an_overlay_survives_pickling(base):
    tax = base.extended({"baby_gear": "Baby gear"}, {"baby_gear": ["stroller*"]}, "staff.1")
    records = [{"id": str(i), "text": "a double stroller", "language": "en"} for i in range(3)]
    model = pickle.loads(pickle.dumps(ScanAnalyzer(tax).fit(records)))
    out = model.transform([{"id": "9", "text": "strollers for twins", "language": "en"}])
    assert out["themes"] == {"9": ["baby_gear"]}


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("Necesito PAÑALES", "pañales", True),
        ("bà ngoại tôi", "ba ngoai", True),
        ("ngoại bà", "ba ngoai", False),
        ("بالمسجد", "المسجد", False),  # a clitic in front is another word here
        ("المسجد الكبير", "المسجد", True),
        ("أمي", "امي", True),  # alef forms unified
        ("我需要尿布和奶粉", "尿布", True),
        ("strollers", "stroller*", True),
        ("strollers", "stroller", False),
        ("food", "", False),
    ],
)
def test_contains_phrase(text, phrase, expected):
    assert contains_phrase(text, phrase) is expected


def test_describe_answers_counts_answers_not_distinct_texts():
    out = describe_answers([("diaper bank", "en")] * 3 + [("el banco de pañales", "es")] * 2)
    assert out["size"] == 5 and out["languages"] == {"en": 3, "es": 2}
    assert out["top_terms"] == ["bank", "diaper", "banco", "panales"]  # by answers, then a-z
    assert out["top_terms_by_language"] == {"en": ["bank", "diaper"]}
