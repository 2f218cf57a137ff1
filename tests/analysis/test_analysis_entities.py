"""Entity extraction and merging, with invented local names only."""

from __future__ import annotations

from analysis import EntityExtractor
from analysis._doc import prepare


def entities(texts, lang="en"):
    items = [(t, lang) if isinstance(t, str) else t for t in texts]
    docs = [prepare(str(i), t, lg) for i, (t, lg) in enumerate(items)]
    found = EntityExtractor().fit(docs).entities_
    return [(e.kind, sorted(e.docs)) for e in found], found


def test_org_merges_across_spellings_languages_and_short_forms():
    texts = [
        ("Harbor Food Bank on Fridays", "en"),
        ("banco de comida de harbor", "es"),
        ("food bank ở Harbor", "vi"),
        ("harbor food bank", "en"),
        ("Harbor社區中心", "zh_Hant"),
    ]
    kinds, found = entities(texts)
    assert ("food", [0, 1, 2, 3]) in kinds
    assert found[0].name == "Harbor Food Bank"


def test_initialisms_are_learned_from_the_corpus():
    texts = [
        "Mesa Alta Public Library",
        "biblioteca de mesa alta",
        "ma library for printing",
        "the Mesa Alta Wellness Center",
        "ma wellness center",
    ]
    kinds, _ = entities(texts)
    assert ("public", [0, 1, 2]) in kinds
    assert ("clinic", [3, 4]) in kinds


def test_generic_nouns_are_not_entities():
    kinds, _ = entities(
        [
            "the clinic",
            "church",
            "food pantry",
            "la enfermera de la escuela",
            "the library",
            "my doctor",
        ]
    )
    assert kinds == []


def test_statewide_programs_and_platforms_are_not_entities():
    kinds, _ = entities(
        ["WIC and CalFresh", "Medi-Cal", "the Facebook group", "Head Start", "211", "Univision"]
    )
    assert kinds == []


def test_people_merge_by_title_and_name():
    texts = ["Pastor Ruth Okafor", "pastor ruth", "Ruth Okafor, the pastor", "dr lee", "Dr. Lee"]
    kinds, found = entities(texts)
    assert ("person", [0, 1, 2]) in kinds
    assert ("person", [3, 4]) in kinds
    assert {e.role for e in found} == {"faith", "clinician"}


def test_spanish_diminutive_and_nickname():
    kinds, _ = entities(
        [
            ("la promotora Carmen", "es"),
            ("carmencita la promotora", "es"),
            ("Rebecca Stone", "en"),
            ("nurse Becky", "en"),
            ("Nurse Rebecca", "en"),
        ]
    )
    assert ("person", [0, 1]) in kinds
    assert ("person", [2, 3, 4]) in kinds


def test_saint_names_and_numbers():
    kinds, _ = entities(
        [
            "St. Anthony's pantry",
            "iglesia de sta anita",
            "st anthonys",
            "fire station 12",
            "estación de bomberos número 12",
            "station 12",
        ]
    )
    assert ("church", [0, 2]) in kinds
    assert ("public", [3, 4, 5]) in kinds


def test_korean_and_chinese_titles():
    texts = [
        ("새빛교회 박은수 목사님", "ko"),
        ("박목사님이요", "ko"),
        ("박 목사님", "ko"),
        ("新希望教會的王牧師", "zh_Hant"),
        ("王牧師", "zh_Hant"),
    ]
    kinds, found = entities(texts)
    assert ("person", [0, 1, 2]) in kinds
    assert ("person", [3, 4]) in kinds
    assert ("church", [0]) in kinds


def test_cross_script_names_merge():
    texts = [
        ("Alta Vista Housing Authority", "en"),
        ("알타비스타 주택청", "ko"),
        ("alta vista housing authority", "en"),
    ]
    kinds, _ = entities(texts)
    assert ("public", [0, 1, 2]) in kinds


def test_radio_frequency_and_capitalised_name():
    texts = ["Radio Sol 101.5", "escucho la Radio Sol", "radio sol", "Radio Sol on 101.5"]
    kinds, _ = entities(texts)
    assert ("media", [0, 1, 2, 3]) in kinds


def test_bare_name_after_it_is_known():
    texts = [
        "Roosevelt Elementary",
        "escuela roosevelt",
        "after school at roosevelt",
        "en la roosevelt",
    ]
    kinds, _ = entities(texts)
    assert ("school", [0, 1, 2, 3]) in kinds


def test_places_are_not_people():
    kinds, _ = entities(["she moved from Fresno", "family in Oaxaca", "Mexico"])
    assert kinds == []
