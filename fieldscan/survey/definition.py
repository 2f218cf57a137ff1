"""Resolved survey definitions: frozen ``Survey``/``Question``/``Choice`` objects.

"Resolved" means every translatable text is a ``{language: text}`` dict covering every
shipped language. :meth:`Survey.to_content` gives the JSON form that is stored and hashed
(one ``SurveyVersion`` per distinct hash); :meth:`Survey.from_content` reads it back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldscan.locales import SOURCE_LANGUAGE, fold, normalize_language
from fieldscan.survey.expressions import Expression, parse
from fieldscan.survey.schema import CHANNELS, NON_ANSWER_TYPES, SELECT_TYPES

Text = dict[str, str]

#: Built-in labels of the ``yes_no`` choices, in every language fieldscan speaks.
YES_NO_LABELS: dict[str, tuple[str, str]] = {
    "en": ("Yes", "No"),
    "es": ("Sí", "No"),
    "vi": ("Có", "Không"),
    "zh_Hant": ("是", "否"),
    "tl": ("Oo", "Hindi"),
    "ko": ("예", "아니요"),
    "ar": ("نعم", "لا"),
    "hy": ("Այո", "Ոչ"),
    "km": ("បាទ/ចាស", "ទេ"),
    "fa": ("بله", "نه"),
    "ru": ("Да", "Нет"),
    "hmn": ("Yog", "Tsis yog"),
}


def yes_no_choices(languages: tuple[str, ...] | None = None) -> tuple[Choice, ...]:
    """The built-in ``yes``/``no`` choices, labelled in ``languages`` (default: all)."""
    langs = languages or tuple(YES_NO_LABELS)
    return (
        Choice("yes", {lang: YES_NO_LABELS[lang][0] for lang in langs if lang in YES_NO_LABELS}),
        Choice("no", {lang: YES_NO_LABELS[lang][1] for lang in langs if lang in YES_NO_LABELS}),
    )


def keyword_key(text: str) -> str:
    """How SMS keywords compare: case-, accent- and spacing-insensitively ("Tre em" = "TREEM")."""
    return fold(text).replace(" ", "")


def pick_text(text: Mapping[str, str] | None, language: str | None) -> str | None:
    """``text`` in ``language``, else the source language, else any language; None if unset."""
    if not text:
        return None
    lang = normalize_language(language) or language
    if lang in text:
        return text[lang]
    if SOURCE_LANGUAGE in text:
        return text[SOURCE_LANGUAGE]
    return next(iter(text.values()))


@dataclass(frozen=True)
class Choice:
    """A choice of a select (or the built-in yes/no) question."""

    value: str
    label: Text

    def text(self, language: str | None) -> str:
        """The label in ``language`` (with fallbacks)."""
        return pick_text(self.label, language) or self.value

    def __hash__(self) -> int:  # the label dict is unhashable; equal choices share a value
        return hash(self.value)


@dataclass(frozen=True)
class Placement:
    """Where a question sits: enclosing group ids, their relevance and channels."""

    groups: tuple[str, ...] = ()
    conditions: tuple[Expression, ...] = ()
    channels: frozenset[str] = frozenset(CHANNELS)


_TOP = Placement()


@dataclass(frozen=True)
class Question:
    """A question, note or group; groups hold their children in ``questions``.

    ``conditions`` (the question's own ``relevant`` and every enclosing group's) and
    ``effective_channels`` come from ``placement``, which :class:`Survey` sets.
    """

    id: str
    type: str
    label: Text | None = None
    hint: Text | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text | None = None
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    taxonomy: str | None = None
    channels: tuple[str, ...] = CHANNELS
    questions: tuple[Question, ...] = ()
    placement: Placement = field(default=_TOP, compare=False, repr=False)
    relevant_expression: Expression | None = field(init=False, compare=False, repr=False)
    constraint_expression: Expression | None = field(init=False, compare=False, repr=False)
    conditions: tuple[Expression, ...] = field(init=False, compare=False, repr=False)
    effective_channels: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Parsed once here (parse() is cached too) so every request reuses the trees.
        relevant = parse(self.relevant) if self.relevant else None
        constraint = parse(self.constraint) if self.constraint else None
        own = (relevant,) if relevant is not None else ()
        object.__setattr__(self, "relevant_expression", relevant)
        object.__setattr__(self, "constraint_expression", constraint)
        object.__setattr__(self, "conditions", self.placement.conditions + own)
        object.__setattr__(
            self, "effective_channels", self.placement.channels & frozenset(self.channels)
        )

    def __hash__(self) -> int:  # text dicts are unhashable; equal questions share an id
        return hash(self.id)

    @property
    def is_group(self) -> bool:
        """Whether this is a group."""
        return self.type == "group"

    @property
    def is_note(self) -> bool:
        """Whether this is a note (shown, never answered)."""
        return self.type == "note"

    @property
    def takes_answer(self) -> bool:
        """Whether respondents answer this (not a note or group)."""
        return self.type not in NON_ANSWER_TYPES

    @property
    def groups(self) -> tuple[str, ...]:
        """Ids of the enclosing groups, outermost first."""
        return self.placement.groups

    def text(self, field_name: str, language: str | None) -> str | None:
        """``label``/``hint``/``constraint_message`` in ``language``, falling back to English
        then any language; None when the question has no such text."""
        if field_name not in ("label", "hint", "constraint_message"):
            raise ValueError(f"{field_name!r} is not a text field of a question")
        return pick_text(getattr(self, field_name), language)

    def choice(self, value: str) -> Choice | None:
        """The choice with ``value``, or None."""
        return next((c for c in self.choices if c.value == value), None)

    def on_channel(self, channel: str | None) -> bool:
        """Whether this is asked on ``channel`` (None means any channel)."""
        return channel is None or channel in self.effective_channels

    def is_relevant(self, answers: Mapping[str, object], today: date | None = None) -> bool:
        """Whether its own and its groups' ``relevant`` expressions all hold."""
        return all(cond.is_true(answers, today=today) for cond in self.conditions)

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> Question:
        """Build from the resolved JSON form (see :meth:`to_content`)."""
        qtype = data["type"]
        choices = tuple(Choice(c["value"], dict(c["label"])) for c in data.get("choices", ()))
        if qtype == "yes_no" and not choices:
            choices = yes_no_choices()
        return cls(
            id=data["id"],
            type=qtype,
            label=_text(data.get("label")),
            hint=_text(data.get("hint")),
            required=bool(data.get("required", False)),
            relevant=data.get("relevant"),
            constraint=data.get("constraint"),
            constraint_message=_text(data.get("constraint_message")),
            choices=choices,
            min=data.get("min"),
            max=data.get("max"),
            max_length=data.get("max_length"),
            taxonomy=data.get("taxonomy"),
            channels=tuple(c for c in CHANNELS if c in data.get("channels", CHANNELS)),
            questions=tuple(cls.from_content(q) for q in data.get("questions", ())),
        )

    def to_content(self) -> dict[str, Any]:
        """The JSON-serializable resolved form; unset optional fields are left out."""
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("label", "hint"):
            if getattr(self, name) is not None:
                out[name] = dict(getattr(self, name))
        if self.takes_answer:
            out["required"] = self.required
        for name in ("relevant", "constraint"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.constraint_message is not None:
            out["constraint_message"] = dict(self.constraint_message)
        if self.type in SELECT_TYPES or self.type == "yes_no":
            out["choices"] = [{"value": c.value, "label": dict(c.label)} for c in self.choices]
        for name in ("min", "max", "max_length", "taxonomy"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        out["channels"] = list(self.channels)
        if self.is_group:
            out["questions"] = [q.to_content() for q in self.questions]
        return out


def _text(value: Mapping[str, str] | None) -> Text | None:
    return dict(value) if value is not None else None


def _place(question: Question, placement: Placement) -> Question:
    """A copy of ``question`` (and its children) that knows its enclosing groups."""
    if not question.is_group:
        return dataclasses.replace(question, placement=placement)
    own = (parse(question.relevant),) if question.relevant else ()
    inner = Placement(
        groups=(*placement.groups, question.id),
        conditions=placement.conditions + own,
        channels=placement.channels & frozenset(question.channels),
    )
    children = tuple(_place(child, inner) for child in question.questions)
    return dataclasses.replace(question, placement=placement, questions=children)


def _walk(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from _walk(question.questions)


@dataclass(frozen=True)
class Survey:
    """A resolved survey; build it with the loader or :meth:`from_content`.

    Frozen: treat the dicts and lists it holds (texts, keywords) as read-only too.
    """

    id: str
    title: Text
    languages: tuple[str, ...]
    keywords: dict[str, list[str]]
    questions: tuple[Question, ...]
    description: Text | None = None
    messages: dict[str, Text] = field(default_factory=dict)
    _all: tuple[Question, ...] = field(init=False, compare=False, repr=False)
    _index: dict[str, Question] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        placed = tuple(_place(q, _TOP) for q in self.questions)
        everything = tuple(_walk(placed))
        index: dict[str, Question] = {}
        for question in everything:
            if question.id in index:
                raise ValueError(f"question id {question.id!r} is used twice")
            index[question.id] = question
        object.__setattr__(self, "questions", placed)
        object.__setattr__(self, "_all", everything)
        object.__setattr__(self, "_index", index)

    def flat(self, include_groups: bool = False) -> tuple[Question, ...]:
        """Questions and notes in asking order, groups expanded (and listed if asked).

        Each question's ``conditions`` hold its effective relevance: its own ``relevant``
        and every enclosing group's.
        """
        if include_groups:
            return self._all
        return tuple(q for q in self._all if not q.is_group)

    def groups(self) -> tuple[Question, ...]:
        """Every group, outermost first."""
        return tuple(q for q in self._all if q.is_group)

    def question(self, question_id: str) -> Question:
        """The question, note or group with ``question_id`` (KeyError if none)."""
        return self._index[question_id]

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._index

    def __hash__(self) -> int:  # text dicts are unhashable; equal surveys share an id
        return hash(self.id)

    def text(self, field_name: str, language: str | None) -> str | None:
        """``title``, ``description``, ``intro`` or ``completion`` in ``language``."""
        if field_name in ("title", "description"):
            return pick_text(getattr(self, field_name), language)
        if field_name in ("intro", "completion"):
            return pick_text(self.messages.get(field_name), language)
        raise ValueError(f"{field_name!r} is not a text field of a survey")

    def taxonomies(self) -> dict[str, str]:
        """``{question_id: taxonomy}`` for the open questions that feed an analysis taxonomy."""
        return {q.id: q.taxonomy for q in self._all if q.taxonomy}

    def sms_questions(self) -> tuple[Question, ...]:
        """The answerable questions asked over SMS (group channels included)."""
        return tuple(q for q in self._all if q.takes_answer and q.on_channel("sms"))

    @classmethod
    def from_content(cls, data: Mapping[str, Any]) -> Survey:
        """Build from the resolved JSON form produced by :meth:`to_content`."""
        return cls(
            id=data["id"],
            title=dict(data["title"]),
            description=_text(data.get("description")),
            languages=tuple(data["languages"]),
            keywords={lang: list(words) for lang, words in data["keywords"].items()},
            messages={name: dict(text) for name, text in data.get("messages", {}).items()},
            questions=tuple(Question.from_content(q) for q in data["questions"]),
        )

    def to_content(self) -> dict[str, Any]:
        """The JSON-serializable resolved form that is stored and hashed."""
        out: dict[str, Any] = {"id": self.id, "title": dict(self.title)}
        if self.description is not None:
            out["description"] = dict(self.description)
        out["languages"] = list(self.languages)
        out["keywords"] = {lang: list(words) for lang, words in self.keywords.items()}
        if self.messages:
            out["messages"] = {name: dict(text) for name, text in self.messages.items()}
        out["questions"] = [q.to_content() for q in self.questions]
        return out

    def content_hash(self) -> str:
        """sha256 (hex) of the canonical JSON of :meth:`to_content`."""
        return hashlib.sha256(canonical_json(self.to_content()).encode("utf-8")).hexdigest()


def canonical_json(content: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, non-ASCII kept as is."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
