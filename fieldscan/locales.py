"""The languages fieldscan speaks, and gettext catalogs loaded without Flask.

This module is pure (no Flask) so that the survey engine, the SMS sender and
background jobs can translate text outside a request. ``fieldscan.i18n`` builds
the Flask-Babel integration on top of it.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

#: The Medi-Cal threshold languages, in the order menus list them.
LANGUAGES: tuple[str, ...] = (
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

#: The language a survey's source text is written in.
SOURCE_LANGUAGE = "en"

#: Languages written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa"})

#: Each language's name in that language (endonym), for menus and switches.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "vi": "Tiếng Việt",
    "zh_Hant": "中文",
    "tl": "Tagalog",
    "ko": "한국어",
    "ar": "العربية",
    "hy": "Հայերեն",
    "km": "ខ្មែរ",
    "fa": "فارسی",
    "ru": "Русский",
    "hmn": "Hmoob",
}

#: Babel has no CLDR data for some languages (Hmong); dates and numbers in them
#: are formatted with this locale instead, while their own catalogs still apply.
FORMAT_FALLBACK: dict[str, str] = {"hmn": "en_US"}

#: Other spellings of language codes seen in the wild (BCP 47, XLSForm, browsers).
_ALIASES: dict[str, str] = {
    "zh-hant": "zh_Hant",
    "zh_hant": "zh_Hant",
    "zh-tw": "zh_Hant",
    "zh_tw": "zh_Hant",
    "zh-hk": "zh_Hant",
    "zh_hk": "zh_Hant",
    "zh": "zh_Hant",
    "fil": "tl",
    "hmn": "hmn",
    "mww": "hmn",
    "hnj": "hmn",
}

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAINS = ("messages", "surveys")


def normalize_language(code: str | None) -> str | None:
    """Return the fieldscan language code for ``code`` (``'zh-TW'`` -> ``'zh_Hant'``), or None."""
    if not code:
        return None
    raw = code.strip().replace(" ", "")
    low = raw.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    for lang in LANGUAGES:
        if low == lang.lower():
            return lang
    base = low.replace("-", "_").split("_")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    return base if base in LANGUAGES else None


def is_rtl(language: str) -> bool:
    """Whether ``language`` is written right to left."""
    return language in RTL_LANGUAGES


def format_locale(language: str) -> Locale:
    """The Babel locale used to format dates and numbers for ``language``."""
    try:
        return Locale.parse(FORMAT_FALLBACK.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_US")


@functools.lru_cache(maxsize=64)
def translations(language: str, domain: str = "messages") -> NullTranslations:
    """The compiled catalog of ``domain`` for ``language`` (a no-op one when missing).

    Works for languages without CLDR data, since gettext looks catalogs up by name.
    """
    return Translations.load(str(TRANSLATIONS_DIR), [language], domain)


def gettext(language: str, message: str, domain: str = "messages", **params: object) -> str:
    """Translate ``message`` into ``language`` and fill ``{name}`` placeholders."""
    text = translations(language, domain).gettext(message)
    return text.format(**params) if params else text


def ngettext(language: str, singular: str, plural: str, n: int, **params: object) -> str:
    """Plural-aware :func:`gettext`; ``{n}`` is available to the message."""
    text = translations(language, "messages").ngettext(singular, plural, n)
    return text.format(n=n, **params)


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of ``text`` for matching words.

    Latin letters lose their accents ("Sí" -> "si", "Tiếng Việt" -> "tieng viet");
    marks on letters of other scripts (Khmer vowel signs, Arabic harakat) are kept
    because they are part of the spelling there; runs of white space become one space.
    """
    out: list[str] = []
    base_is_latin = False
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch):
            if not base_is_latin:
                out.append(ch)
            continue
        base_is_latin = _is_latin(ch)
        out.append(_LATIN_EXTRA.get(ch, ch))
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


@functools.lru_cache(maxsize=4096)
def _is_latin(ch: str) -> bool:
    # Cached per character: looking up a character's name is slow, and texts reuse few.
    return "LATIN" in unicodedata.name(ch, "")


#: Latin letters that do not decompose into a base letter and a mark.
_LATIN_EXTRA = {"đ": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe"}


#: Aliases under names the catalog extractor knows take the language first.
translate = gettext
translate_plural = ngettext


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark ``message`` for extraction without translating it here (translated later)."""
    return message
