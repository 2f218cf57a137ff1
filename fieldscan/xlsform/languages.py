"""XLSForm translation columns -> fieldscan languages, and text resolution per language.

pyxform keys translated text by the column's language name (``label::English (en)`` gives
``"English (en)"``); text in a column without ``::`` is keyed by the form's
``default_language`` setting, or ``"default"`` when the form sets none.

Rules (docs/xlsform-import.md):

- a language is recognized by its code: ``Name (code)`` as the XLSForm spec writes it, or a
  bare code (``label::es``, ``label::EN``, ``label::zh-Hant``), mapped with
  :func:`fieldscan.locales.normalize_language` (``zh``/``zh-Hant`` -> ``zh_Hant``);
- the survey ships the recognized languages fieldscan supports, in fieldscan's order;
  other languages (Swahili, French, names without a code) are left out, with a warning;
- when no language is recognized, the survey ships English (``en``) only, with the text
  of one language: the form's ``default_language`` setting when it names one, else a
  language called English, else the first language; a warning says so;
- a text missing in a shipped language falls back to the untranslated column, then to the
  main language, then to any language (counted per language in a warning).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldscan.locales import LANGUAGE_NAMES, LANGUAGES, SOURCE_LANGUAGE, fold, normalize_language

PYXFORM_DEFAULT = "default"
_CODE_IN_NAME = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\s*\)\s*$")
_BARE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
#: Translatable keys of survey elements, choices and binds in pyxform's JSON.
TEXT_KEYS = ("label", "hint")
BIND_TEXT_KEYS = ("jr:constraintMsg",)


def language_code(name: str) -> str | None:
    """The code a pyxform language name carries (``'Español (es)'`` -> ``'es'``), else None."""
    match = _CODE_IN_NAME.search(name)
    if match:
        return match.group(1)
    stripped = name.strip()
    return stripped if _BARE_CODE.match(stripped) else None


def fieldscan_language(name: str) -> str | None:
    """The fieldscan language of a pyxform language name, or None when unsupported/unknown."""
    code = language_code(name)
    return normalize_language(code) if code else None


def collect_language_names(element: Mapping[str, Any]) -> list[str]:
    """Every language name used by translatable text in pyxform's JSON, in order of use."""
    seen: dict[str, None] = {}
    for text in _texts(element):
        if isinstance(text, Mapping):
            for key in text:
                seen.setdefault(str(key), None)
    return list(seen)


def _texts(element: Mapping[str, Any]) -> Iterator[Any]:
    for key in TEXT_KEYS:
        if key in element:
            yield element[key]
    bind = element.get("bind")
    if isinstance(bind, Mapping):
        for key in BIND_TEXT_KEYS:
            if key in bind:
                yield bind[key]
    for choice in element.get("choices") or ():
        if isinstance(choice, Mapping) and "label" in choice:
            yield choice["label"]
    for column in element.get("columns") or ():
        if isinstance(column, Mapping) and "label" in column:
            yield column["label"]
    for child in element.get("children") or ():
        if isinstance(child, Mapping):
            yield from _texts(child)


@dataclass
class LanguagePlan:
    """Which pyxform languages feed which fieldscan language."""

    languages: list[str]
    #: fieldscan language -> pyxform names giving its own text, in priority order.
    sources: dict[str, list[str]]
    #: The key of untranslated columns in pyxform's JSON.
    default_key: str
    #: pyxform names to fall back on for a text missing in a language, in order.
    fallbacks: list[str]
    warnings: list[str] = field(default_factory=list)
    #: fieldscan language -> how many texts fell back to another language.
    missing: dict[str, int] = field(default_factory=dict)

    def resolve(self, value: Any) -> dict[str, str] | None:
        """``{language: text}`` for every shipped language, or None when there is no text."""
        if value is None:
            return None
        if not isinstance(value, Mapping):
            text = _clean(value)
            if not text:
                return None
            # An untranslated text is only worth counting in a survey that ships translations.
            for lang in self.languages if len(self.languages) > 1 else ():
                if self.sources[lang] and self.default_key not in self.sources[lang]:
                    self.missing[lang] = self.missing.get(lang, 0) + 1
            return dict.fromkeys(self.languages, text)
        texts = {str(k): _clean(v) for k, v in value.items()}
        texts = {k: v for k, v in texts.items() if v}
        if not texts:
            return None
        out: dict[str, str] = {}
        for lang in self.languages:
            own = next((texts[name] for name in self.sources[lang] if name in texts), None)
            if own is None:
                if self.sources[lang]:
                    self.missing[lang] = self.missing.get(lang, 0) + 1
                own = next(
                    (texts[name] for name in self.fallbacks if name in texts),
                    next(iter(texts.values())),
                )
            out[lang] = own
        return out

    def missing_warnings(self) -> list[str]:
        """One warning per language for which some texts fell back to another language."""
        lines = []
        for lang in self.languages:
            count = self.missing.get(lang, 0)
            if count:
                names = ", ".join(repr(n) for n in self.sources[lang])
                texts = "1 text has" if count == 1 else f"{count} texts have"
                lines.append(
                    f"{texts} no {names} translation ({lang}); the untranslated or "
                    "main-language text is used instead"
                )
        return lines


def _clean(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


def plan_languages(names: Iterable[str], default_language: str | None) -> LanguagePlan:
    """Decide the survey's languages from the pyxform language names found in its texts."""
    default_key = default_language or PYXFORM_DEFAULT
    real = [n for n in names if n != PYXFORM_DEFAULT]
    by_code: dict[str, list[str]] = {}
    unsupported: list[str] = []
    without_code: list[str] = []
    for name in real:
        lang = fieldscan_language(name)
        if lang is not None:
            by_code.setdefault(lang, []).append(name)
        elif language_code(name) is not None:
            unsupported.append(name)
        else:
            without_code.append(name)
    warnings: list[str] = []
    if by_code:
        languages = [lang for lang in LANGUAGES if lang in by_code]
        main = SOURCE_LANGUAGE if SOURCE_LANGUAGE in by_code else languages[0]
        if default_key in real and fieldscan_language(default_key) in by_code:
            main = fieldscan_language(default_key) or main
        fallbacks = [PYXFORM_DEFAULT, *by_code[main], default_key]
        fallbacks += [n for lang in languages for n in by_code[lang]]
        sources = {lang: by_code[lang] for lang in languages}
        for name in unsupported:
            warnings.append(
                f"language {name!r} is not one fieldscan supports ({', '.join(LANGUAGES)}); "
                "its texts were left out"
            )
        for name in without_code:
            warnings.append(
                f"language {name!r} has no language code; its texts were left out (name the "
                f"columns like label::{name} (xx) with its code)"
            )
        return LanguagePlan(languages, sources, default_key, _unique(fallbacks), warnings)
    chosen = _pick_main(real, default_key)
    sources = {SOURCE_LANGUAGE: [chosen] if chosen else []}
    fallbacks = _unique([*([chosen] if chosen else []), PYXFORM_DEFAULT, default_key, *real])
    if real:
        listed = ", ".join(repr(n) for n in real)
        detail = (
            f"the {chosen!r} texts were imported as {LANGUAGE_NAMES[SOURCE_LANGUAGE]} "
            f"({SOURCE_LANGUAGE})"
        )
        if len(real) > 1:
            detail += "; the other languages were left out"
        warnings.append(
            f"no language column names a code fieldscan supports ({listed}): {detail}. Name "
            "the columns like label::English (en), label::Español (es) to import translations"
        )
    return LanguagePlan([SOURCE_LANGUAGE], sources, default_key, fallbacks, warnings)


def _pick_main(real: list[str], default_key: str) -> str | None:
    if default_key in real:
        return default_key
    english = next((n for n in real if fold(n) in ("english", "ingles")), None)
    if english:
        return english
    return real[0] if real else None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
