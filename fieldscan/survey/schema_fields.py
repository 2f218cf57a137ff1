"""Marshmallow field types for survey YAML: translatable text, strict scalars, lists.

Split from :mod:`fieldscan.survey.schema` to keep modules small; the schema re-exports the
constants defined here.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields

from fieldscan.locales import LANGUAGES, fold, normalize_language

CHOICE_VALUE = re.compile(r"[a-z0-9_]{1,64}\Z")
CHANNELS = ("sms", "web", "tablet")

#: Carrier-reserved SMS words (opt-out/help); a survey keyword must never shadow them.
RESERVED_KEYWORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "start", "unstop", "help",
     "info", "yes", "revoke", "optout"}
)  # fmt: skip


def clean_text(text: str) -> str:
    """Translatable text as used for msgids: surrounding white space removed."""
    return text.strip()


class Translatable(fields.Field):
    """English source text (``str``) or a ``{language: text}`` mapping; keys normalized."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not clean_text(value):
                raise ValidationError("must not be empty")
            return clean_text(value)
        if not isinstance(value, dict):
            # YAML turns unquoted 12 or 3.5 into numbers; say how to keep them as text.
            raise ValidationError("must be text (quote numbers) or a mapping of language to text")
        out: dict[str, str] = {}
        errors: list[str] = []
        for key, text in value.items():
            lang = normalize_language(key) if isinstance(key, str) else None
            if lang is None:
                errors.append(f"unknown language {key!r}; use one of {', '.join(LANGUAGES)}")
            elif lang in out:
                errors.append(f"language {key!r} is given twice")
            elif not isinstance(text, str) or not clean_text(text):
                errors.append(f"the {lang!r} text must be non-empty text")
            else:
                out[lang] = clean_text(text)
        if errors:
            raise ValidationError(errors)
        if not out:
            raise ValidationError("must give the text in at least one language")
        return out


class StrictBoolean(fields.Field):
    """``true``/``false`` only (YAML 1.1 words like ``yes`` are not booleans in our loader)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("must be true or false")
        return value


class StrictInteger(fields.Field):
    """A whole number (not a bool, not 12.5, not "12")."""

    def __init__(self, minimum: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("must be a whole number")
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"must be at least {self.minimum}")
        return value


class ChoiceValue(fields.Field):
    """A choice value; unquoted numbers (XLSForm codes like ``1``) are taken as text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or not CHOICE_VALUE.match(value):
            raise ValidationError("must be lower-case letters, digits or _ (at most 64)")
        return value


class LanguageList(fields.Field):
    """The shipped languages, normalized (``zh-Hant`` -> ``zh_Hant``), without repeats."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValidationError("must be a non-empty list of language codes")
        out: list[str] = []
        errors: list[str] = []
        for code in value:
            lang = normalize_language(code) if isinstance(code, str) else None
            if lang is None:
                errors.append(f"unknown language {code!r}; use one of {', '.join(LANGUAGES)}")
            elif lang in out:
                errors.append(f"language {code!r} is listed twice")
            else:
                out.append(lang)
        if errors:
            raise ValidationError(errors)
        return out


class ChannelList(fields.Field):
    """A non-empty subset of sms/web/tablet, returned in canonical order."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            raise ValidationError(f"must be a non-empty list of: {', '.join(CHANNELS)}")
        bad = [item for item in value if item not in CHANNELS]
        if bad:
            raise ValidationError(f"unknown channel {bad[0]!r}; use {', '.join(CHANNELS)}")
        if len(set(value)) != len(value):
            raise ValidationError("lists a channel twice")
        return [channel for channel in CHANNELS if channel in value]


class Keywords(fields.Field):
    """``{language: [KEYWORD, ...]}`` with normalized language keys and stripped keywords."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict) or not value:
            raise ValidationError("must map each language to a list of keywords")
        out: dict[str, list[str]] = {}
        errors: dict[str, list[str]] = {}
        for key, words in value.items():
            name = str(key)
            lang = normalize_language(key) if isinstance(key, str) else None
            problems = errors.setdefault(name, [])
            if lang is None:
                problems.append(f"unknown language {key!r}")
            elif lang in out:
                problems.append("language given twice")
            elif not isinstance(words, list) or not words:
                problems.append("must be a non-empty list of keywords")
            elif not all(isinstance(w, str) and w.strip() for w in words):
                problems.append("keywords must be non-empty text")
            else:
                reserved = [w for w in words if fold(w) in RESERVED_KEYWORDS]
                if reserved:
                    problems.append(f"{reserved[0]!r} is reserved for SMS opt-out and help")
                out[lang] = [" ".join(w.split()) for w in words]
        errors = {k: v for k, v in errors.items() if v}
        if errors:
            raise ValidationError(errors)
        return out
