"""Language switch words, the numbered language menu and replies to it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldscan.locales import LANGUAGE_NAMES, LANGUAGES
from fieldscan.sms.languages import detect_language_switch, language_menu, parse_language_choice
from fieldscan.sms.words import LANGUAGE_SWITCH_WORDS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_endonym_and_switch_word_names_its_language(lang: str) -> None:
    for name in (LANGUAGE_NAMES[lang], *LANGUAGE_SWITCH_WORDS[lang]):
        assert detect_language_switch(name) == lang, name
        assert detect_language_switch(name.upper()) == lang, name
        assert detect_language_switch(f" {name.lower()}! ") == lang, name


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ENGLISH", "en"), ("english", "en"), ("Inglés", "en"), ("INGLES", "en"),
        ("ESPAÑOL", "es"), ("espanol", "es"), ("Spanish", "es"),
        ("TIẾNG VIỆT", "vi"), ("tieng viet", "vi"), ("TIENGVIET", "vi"), ("Vietnamese", "vi"),
        ("中文", "zh_Hant"), ("中文(繁體)", "zh_Hant"), ("中文（繁體）", "zh_Hant"),
        ("繁體中文", "zh_Hant"), ("Chinese", "zh_Hant"), ("粵語", "zh_Hant"), ("廣東話", "zh_Hant"),
        ("TAGALOG", "tl"), ("Filipino", "tl"),
        ("한국어", "ko"), ("korean", "ko"),
        ("العربية", "ar"), ("عربي", "ar"), ("عربى", "ar"), ("العربيه", "ar"), ("Arabic", "ar"),
        ("ՀԱՅԵՐԵՆ", "hy"), ("Հայերեն", "hy"), ("hayeren", "hy"), ("ARMENIAN", "hy"),
        ("ខ្មែរ", "km"), ("ភាសាខ្មែរ", "km"), ("KHMER", "km"),
        ("فارسی", "fa"), ("فارسي", "fa"), ("FARSI", "fa"), ("Persian", "fa"),
        ("РУССКИЙ", "ru"), ("русский", "ru"), ("Russian", "ru"), ("по-русски", "ru"),
        ("HMOOB", "hmn"), ("Hmong", "hmn"),
        ("ＥＮＧＬＩＳＨ", "en"), ("Español 🙂", "es"), ("\u200bខ្មែរ\u200b", "km"),
    ],
)  # fmt: skip
def test_language_switch_in_scripts_and_without_accents(text: str, lang: str) -> None:
    assert detect_language_switch(text) == lang


@pytest.mark.parametrize(
    "text",
    ["", " ", "2", "en", "es", "viet", "Việt", "Mong", "english please", "I speak Spanish",
     "yes", "no", "sí", "STOP", "kids", "中", "한국"],
)  # fmt: skip
def test_other_messages_are_not_language_switches(text: str) -> None:
    assert detect_language_switch(text) is None


def test_language_menu_numbers_the_languages_in_their_own_names() -> None:
    assert language_menu(["en", "es", "vi"]) == "1 English\n2 Español\n3 Tiếng Việt"
    menu = language_menu(LANGUAGES).splitlines()
    assert len(menu) == 12
    assert menu[3] == "4 中文"
    assert menu[-1] == "12 Hmoob"
    assert language_menu(("zh-TW", "fil")) == "1 中文\n2 Tagalog"
    assert language_menu([]) == ""


def test_language_menu_refuses_unknown_languages() -> None:
    with pytest.raises(ValueError, match="xx"):
        language_menu(["en", "xx"])


SHIPPED = ("en", "es", "km")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "en"), ("2", "es"), (" 2. ", "es"), ("#2", "es"), ("2)", "es"), ("(2)", "es"),
        ("２", "es"), ("۲", "es"), ("٢", "es"), ("២", "es"), ("2️⃣", "es"), ("02", "es"),
        ("3", "km"), ("3.", "km"),
        ("Español", "es"), ("spanish", "es"), ("ESPANOL!", "es"), ("ខ្មែរ", "km"),
        ("2 Español", "es"), ("2. Español", "es"),
        ("0", None), ("4", None), ("99", None), ("1000", None), ("2 English", None),
        ("中文", None), ("Tagalog", None), ("", None), ("two", None), ("1 2", None),
    ],
)  # fmt: skip
def test_parse_language_choice(text: str, expected: str | None) -> None:
    assert parse_language_choice(text, SHIPPED) == expected


def test_parse_language_choice_follows_the_menu_order() -> None:
    languages = ["vi", "en"]
    assert language_menu(languages).splitlines()[0] == "1 Tiếng Việt"
    assert parse_language_choice("1", languages) == "vi"
    assert parse_language_choice("tieng viet", languages) == "vi"
    assert parse_language_choice("2", ["zh-TW", "en"]) == "en"
    assert parse_language_choice("中文", ["zh-TW", "en"]) == "zh_Hant"


@settings(max_examples=300, database=None, deadline=None)
@given(st.text(max_size=40))
def test_language_functions_never_raise(text: str) -> None:
    assert detect_language_switch(text) in (None, *LANGUAGES)
    assert parse_language_choice(text, LANGUAGES) in (None, *LANGUAGES)
