"""Choosing the conversation language by SMS: switch words, the numbered menu, menu replies.

A message switches language when the WHOLE message names one of the twelve languages, in
its own name (``Español``, ``中文``, ``ខ្មែរ``), in English (``SPANISH``), or in a common
unaccented or variant spelling (``ESPANOL``, ``TIENG VIET``, ``中文(繁體)``, ``HAYEREN``).
Names compare folded (case and Latin accents ignored), ignoring spaces and punctuation,
with Arabic/Persian letter variants unified (:mod:`fieldscan.sms.words`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fieldscan.locales import LANGUAGE_NAMES, LANGUAGES, normalize_language
from fieldscan.sms.words import LANGUAGE_SWITCH_WORDS, normalize, word_key


def _build() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for name in (LANGUAGE_NAMES[lang], *LANGUAGE_SWITCH_WORDS.get(lang, ())):
            key = word_key(name)
            if names.get(key, lang) != lang:
                raise ValueError(f"language name {name!r} names two languages")
            names[key] = lang
    return names


_NAMES = _build()
#: A menu reply: the number, optionally followed by "." or ")" and the language's name.
_NUMBERED = re.compile(r"(\d{1,3})[.)]?(?: (.+))?", re.ASCII)


def detect_language_switch(text: str) -> str | None:
    """The fieldscan language code the whole message ``text`` names, or None.

    ``"ESPANOL"`` -> ``"es"``, ``"tiếng việt"`` -> ``"vi"``, ``"繁體中文"`` -> ``"zh_Hant"``.
    """
    key = word_key(text)
    return _NAMES.get(key) if key else None


def _name(language: str) -> str:
    code = normalize_language(language)
    if code is None or code not in LANGUAGE_NAMES:
        raise ValueError(f"unknown language {language!r}")
    return LANGUAGE_NAMES[code]


def language_menu(languages: Sequence[str]) -> str:
    """The numbered menu of ``languages`` in their own names, one per line.

    ``language_menu(["en", "es"])`` -> ``"1 English\\n2 Español"``. The caller adds the
    (localized) instruction above it. Raises ValueError on an unknown language code.
    """
    return "\n".join(f"{number} {_name(lang)}" for number, lang in enumerate(languages, 1))


def parse_language_choice(text: str, languages: Sequence[str]) -> str | None:
    """The language chosen by a reply to :func:`language_menu`, or None.

    Accepts the menu number (``"2"``, ``" 2. "``, ``"#2"``, in any script's digits), a
    language name or switch word (``"Español"``, ``"spanish"``), or both (``"2 Español"``,
    when they agree). Only languages in ``languages`` are returned.
    """
    codes = [normalize_language(lang) or lang for lang in languages]
    numbered = _NUMBERED.fullmatch(normalize(text))
    if numbered:
        index, rest = int(numbered[1]), numbered[2]
        if not 1 <= index <= len(codes):
            return None
        chosen = codes[index - 1]
        if rest and detect_language_switch(rest) != chosen:
            return None
        return chosen
    named = detect_language_switch(text)
    return named if named in codes else None
