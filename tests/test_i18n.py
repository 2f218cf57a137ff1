"""Translations: complete catalogs in 12 languages, Hmong without CLDR, right-to-left."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from fieldscan import i18n_cli
from fieldscan.locales import (
    LANGUAGES,
    TRANSLATIONS_DIR,
    fold,
    format_locale,
    is_rtl,
    normalize_language,
    translate,
)

ROOT = Path(__file__).resolve().parent.parent


def test_every_catalog_is_complete():
    """The suite runs ``fieldscan i18n check``: nothing missing, fuzzy or mismatched."""
    assert i18n_cli.check_catalogs() == []


@pytest.mark.parametrize("domain", ["messages", "surveys"])
def test_templates_are_up_to_date_with_the_sources(domain):
    fresh = (
        i18n_cli.extract_messages()
        if domain == "messages"
        else i18n_cli.extract_surveys(ROOT / "surveys")
    )
    with (TRANSLATIONS_DIR / f"{domain}.pot").open("rb") as handle:
        committed = read_po(handle)
    fresh_ids = {m.id for m in fresh if m.id}
    committed_ids = {m.id for m in committed if m.id}
    assert fresh_ids - committed_ids == set(), "run 'fieldscan i18n extract' and 'update'"
    assert committed_ids - fresh_ids == set(), "run 'fieldscan i18n extract' and 'update'"


def test_the_twelve_threshold_languages_are_shipped():
    assert LANGUAGES == (
        "en",
        "es",
        "vi",
        "zh_Hant",
        "tl",
        "ko",
        "ar",
        "hy",
        "km",
        "fa",
        "ru",
        "hmn",
    )
    for lang in LANGUAGES:
        for domain in ("messages", "surveys"):
            assert (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{domain}.mo").exists()


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_interface_text_is_really_translated(lang):
    english = "This question needs an answer."
    assert translate(lang, english) != english


def test_hmong_uses_its_catalog_and_formats_with_a_fallback():
    assert translate("hmn", "Community health survey") != "Community health survey"
    assert str(format_locale("hmn")) == "en_US"
    assert str(format_locale("vi")) == "vi"


def test_right_to_left_languages():
    assert is_rtl("ar") and is_rtl("fa") and not is_rtl("hy") and not is_rtl("en")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh-TW", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("es-MX", "es"),
        ("fil", "tl"),
        ("HMN", "hmn"),
        ("fa_IR", "fa"),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_language_codes_are_normalized(code, expected):
    assert normalize_language(code) == expected


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("  Sí ", "si"),
        ("TIẾNG VIỆT", "tieng viet"),
        ("Niños", "ninos"),
        ("ĐÀ", "da"),
        ("中文", "中文"),
        ("Русский", "русский"),
        ("ភាសា ខ្មែរ", "ភាសា ខ្មែរ"),
    ],
)
def test_fold_is_case_accent_and_space_insensitive(text, folded):
    assert fold(text) == folded


def test_check_reports_placeholder_mismatch_and_fuzzy():
    message = Message("Hello {name}", "Hola {nombre}")
    assert any("placeholders" in issue for issue in i18n_cli._message_issues(message))
    fuzzy = Message("Hi", "Hola", flags=["fuzzy"])
    assert "fuzzy" in i18n_cli._message_issues(fuzzy)
    assert "not translated" in i18n_cli._message_issues(Message("Hi", ""))
    assert i18n_cli._message_issues(Message("Hi {n}", "Hola {n}")) == []


def test_new_catalog_for_hmong_has_one_plural_form():
    catalog: Catalog = i18n_cli._new_catalog("hmn", "messages")
    assert catalog.num_plurals == 1
    assert "medical interpreter" in catalog.header_comment
