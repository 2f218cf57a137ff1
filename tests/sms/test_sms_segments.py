"""SMS segment measurement: GSM-7 vs UCS-2, unit counts, segment boundaries, suggestions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldscan.sms.segments import (
    GSM_BASIC,
    GSM_EXTENSION,
    PART_UNITS,
    SINGLE_UNITS,
    measure,
    naive_segments,
    split_segments,
    suggest_gsm,
)


def test_the_gsm_tables_are_exactly_gsm_03_38():
    # 128 code points in the basic table minus the escape; 9 printable extensions + form feed.
    assert len(GSM_BASIC) == 127
    assert sorted(GSM_EXTENSION) == sorted("\f^{}\\[~]|€")
    assert set("éèùìòÇØøÅåÄÖÑÜäöñüàßÆæÉ¡¿§¤£¥@Δ_ΦΓΛΩΠΨΣΘΞ\n\r") <= GSM_BASIC
    # Common letters that are NOT in the default alphabet.
    assert not set("áíóúçâêôãõ`") & (GSM_BASIC | GSM_EXTENSION)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, 3 questions: reply STOP to stop.",
        "¡Gracias! ¿Niño, año, pingüino? No: mamà, Mañana, José.",
        "Straße, Ärzte, Öl, Ñu, Ørsted, Åse, Émile, §3",
        "Cost: 5€ {a} [b] ~c~ |d| ^e^ \\f",
    ],
)
def test_gsm_texts(text):
    info = measure(text)
    assert info.encoding == "GSM-7"
    assert info.characters_forcing_ucs2 == ()


def test_ucs2_lists_distinct_forcing_characters_in_order_of_first_appearance():
    info = measure("ça va? Sí, ça… 😀 sí")
    assert info.encoding == "UCS-2"
    assert info.characters_forcing_ucs2 == ("ç", "í", "…", "😀")


def test_capital_c_cedilla_is_gsm_but_small_is_not():
    assert measure("Ç").encoding == "GSM-7"
    assert measure("ç").encoding == "UCS-2"


def test_extension_characters_count_two_septets():
    assert measure("{}").units == 4
    assert measure("a€b").units == 4
    assert measure("\f").units == 2
    assert measure("a" * 158 + "€").segments == 1  # exactly 160 septets
    assert measure("a" * 159 + "€").segments == 2  # 161 septets


def test_ucs2_counts_utf16_code_units():
    assert measure("á").units == 1
    assert measure("😀").units == 2  # a surrogate pair
    assert measure("👍🏽").units == 4  # emoji + skin tone modifier, both astral
    assert measure("中文").units == 2
    assert measure("{á}").units == 3  # in UCS-2 the brackets are one unit each


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm_boundaries(length, segments):
    info = measure("a" * length)
    assert (info.encoding, info.units, info.segments) == ("GSM-7", length, segments)


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_boundaries(length, segments):
    info = measure("á" * length)
    assert (info.encoding, info.units, info.segments) == ("UCS-2", length, segments)


def test_empty_text_has_no_segments():
    assert measure("").segments == 0
    assert split_segments("") == []


def test_an_escape_pair_is_never_split_across_segments():
    text = "a" * 152 + "€" + "a" * 152  # 306 septets: naively 2 segments
    info = measure(text)
    assert info.units == 306 and naive_segments(info.units, info.encoding) == 2
    assert info.segments == 3  # € does not fit after 152 septets, so it opens segment 2
    parts = split_segments(text)
    assert parts == ["a" * 152, "€" + "a" * 151, "a"]
    assert "".join(parts) == text


def test_an_escape_pair_that_fits_exactly_stays():
    parts = split_segments("a" * 151 + "€" + "a" * 10)
    assert parts == ["a" * 151 + "€", "a" * 10]


def test_a_surrogate_pair_is_never_split_across_segments():
    text = "á" * 66 + "😀" + "á" * 66  # 134 code units: naively 2 segments
    info = measure(text)
    assert info.units == 134 and naive_segments(info.units, info.encoding) == 2
    assert info.segments == 3
    assert split_segments(text) == ["á" * 66, "😀" + "á" * 65, "á"]


# Runs of plain letters, extension characters, a GSM-less accent and emoji, so that pairs
# land on segment boundaries often.
_PIECES = st.sampled_from(["a", "aaaaaaaaaa", "€", "{", "\f", "á", "😀", "👍🏽", "中"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=120).map("".join))
def test_packing_keeps_every_pair_whole_and_never_beats_the_textbook_count(text):
    info = measure(text)
    parts = split_segments(text)
    assert "".join(parts) == text
    assert len(parts) == info.segments
    assert info.segments >= naive_segments(info.units, info.encoding)
    if len(parts) > 1:
        for part in parts:
            # Each part measured in the whole text's encoding fits a concatenated segment.
            units = sum(
                (2 if c in GSM_EXTENSION else 1)
                if info.encoding == "GSM-7"
                else (2 if ord(c) > 0xFFFF else 1)
                for c in part
            )
            assert 0 < units <= PART_UNITS[info.encoding]
    else:
        assert info.units <= SINGLE_UNITS[info.encoding]


def test_emoji_fill_a_single_segment_by_code_units():
    assert measure("😀" * 35).segments == 1  # 70 units
    assert measure("😀" * 35 + "a").segments == 2  # 71 units


def test_the_whole_text_switches_to_ucs2_for_one_character():
    info = measure("a" * 100 + "’")
    assert info.encoding == "UCS-2"
    assert info.units == 101
    assert info.segments == 2


# --- suggestions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It’s “fine” — really…", 'It\'s "fine" - really...'),
        ("Pages 3–5", "Pages 3-5"),
        ("Call\u00a0us", "Call us"),
        ("Thanks 😊 see you", "Thanks see you"),
        ("Thanks! 😊", "Thanks!"),
        ("😊 Hi", "Hi"),
        ("Great 👍🏽.", "Great."),
        ("Love ❤️ it", "Love it"),
        ("¡Gracias! “Sí” no, ‘mañana’…", None),  # í stays: accents are part of the words
        ("¡Hola! ¿Todo bien, niño? 😀", "¡Hola! ¿Todo bien, niño?"),  # ¡ ¿ ñ are GSM-7
    ],
)
def test_suggest_gsm(text, expected):
    suggestion = suggest_gsm(text)
    assert suggestion == expected
    if suggestion is not None:
        assert measure(suggestion).encoding == "GSM-7"


@pytest.mark.parametrize(
    "text",
    [
        "Already plain GSM-7, nothing to do.",
        "¿Cómo está? “Bien”",  # ó and á cannot be replaced without changing the words
        "Quý vị có muốn “tham gia” không?",
        "您好 — 謝謝",
        "😀",  # nothing would be left
        "Fa\u00e7ade",  # ç
    ],
)
def test_no_suggestion_when_it_would_not_make_gsm(text):
    assert suggest_gsm(text) is None
