"""Loading survey YAML files into resolved :class:`Survey` objects.

Each file goes through: UTF-8 decoding and YAML parsing, schema validation, translation
resolution (English source strings are looked up in the ``surveys`` gettext domain),
expression checks, and the SMS path limit. Problems are collected rather than stopping at
the first, and reported together in :class:`SurveyDefinitionError`.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

from fieldscan import locales
from fieldscan.locales import SOURCE_LANGUAGE
from fieldscan.survey import yaml_source
from fieldscan.survey.definition import Survey, keyword_key, yes_no_choices
from fieldscan.survey.expressions import ExpressionError, parse
from fieldscan.survey.schema import (
    MESSAGE_NAMES,
    NON_ANSWER_TYPES,
    QUESTION_TEXT_FIELDS,
    SURVEY_TEXT_FIELDS,
    check_survey,
)

#: Most questions a survey may ask over SMS.
MAX_SMS_QUESTIONS = 12
DOMAIN = "surveys"


@dataclass(frozen=True)
class DefinitionIssue:
    """One problem in a survey file; ``question``/``field``/``line``/``language`` may be None."""

    file: str
    question: str | None
    field: str | None
    message: str
    line: int | None = None
    language: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.question is not None:
            parts.append(f"question {self.question!r}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        text = ": ".join([*parts, self.message])
        return f"{text} (line {self.line})" if self.line is not None else text


class SurveyDefinitionError(ValueError):
    """One or more survey files are invalid; ``errors`` lists every issue found."""

    def __init__(self, errors: list[DefinitionIssue]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(issue) for issue in self.errors))


Catalogs = Callable[[str], NullTranslations]


def _catalog_source(translations_dir: str | Path | None) -> Catalogs:
    if translations_dir is None:
        return lambda lang: locales.translations(lang, DOMAIN)
    cache: dict[str, NullTranslations] = {}

    def load(lang: str) -> NullTranslations:
        if lang not in cache:
            cache[lang] = Translations.load(str(translations_dir), [lang], DOMAIN)
        return cache[lang]

    return load


def load_file(path: str | Path, *, translations_dir: str | Path | None = None) -> Survey:
    """Load and resolve one survey file, or raise :class:`SurveyDefinitionError`."""
    survey, issues = _load(Path(path), _catalog_source(translations_dir))
    if issues or survey is None:
        raise SurveyDefinitionError(issues)
    return survey


def load_directory(path: str | Path, *, translations_dir: str | Path | None = None) -> list[Survey]:
    """Load every ``*.yaml``/``*.yml`` in ``path`` (sorted by name); all or nothing.

    Besides each file's own checks: file names must be ``<id>.yaml``, survey ids must be
    unique, and no keyword may start two surveys (compared with :func:`keyword_key`).
    """
    directory = Path(path)
    if not directory.is_dir():
        raise NotADirectoryError(f"{directory}: not a directory")
    catalogs = _catalog_source(translations_dir)
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    surveys: list[Survey] = []
    issues: list[DefinitionIssue] = []
    ids: dict[str, str] = {}  # survey id -> file
    keywords: dict[str, tuple[str, str]] = {}  # keyword_key -> (survey id, file)
    for file in files:
        survey, found = _load(file, catalogs)
        issues.extend(found)
        if survey is not None:
            surveys.append(survey)
            issues.extend(_cross_check(file, survey, ids, keywords))
    if issues:
        raise SurveyDefinitionError(issues)
    return surveys


def _cross_check(
    file: Path, survey: Survey, ids: dict[str, str], keywords: dict[str, tuple[str, str]]
) -> list[DefinitionIssue]:
    """File name, unique survey id and keyword clashes with the surveys seen before."""
    name = str(file)
    issues: list[DefinitionIssue] = []
    if file.stem != survey.id:
        message = f"the file must be named {survey.id}{file.suffix}"
        issues.append(DefinitionIssue(name, None, "id", message))
    if survey.id in ids:
        message = f"survey id {survey.id!r} is also used by {ids[survey.id]}"
        issues.append(DefinitionIssue(name, None, "id", message))
    ids.setdefault(survey.id, name)
    for lang, words in survey.keywords.items():
        for word in words:
            owner = keywords.setdefault(keyword_key(word), (survey.id, name))
            if owner[0] != survey.id:
                message = f"keyword {word!r} also starts survey {owner[0]!r} ({owner[1]})"
                issues.append(DefinitionIssue(name, None, f"keywords.{lang}", message, None, lang))
    return issues


def _load(path: Path, catalogs: Catalogs) -> tuple[Survey | None, list[DefinitionIssue]]:
    name = str(path)
    try:
        text = yaml_source.decode(path.read_bytes())
        node = yaml_source.compose(text)
        if node is None:
            return None, [DefinitionIssue(name, None, None, "the file is empty")]
        raw = yaml_source.construct(node)
    except yaml_source.SourceError as exc:
        return None, [DefinitionIssue(name, None, None, exc.message, line=exc.line)]
    lines = yaml_source.line_map(node)
    data, problems = check_survey(raw)
    if data is None:
        return None, [
            DefinitionIssue(
                name, p.question, p.field, p.message, yaml_source.line_of(lines, p.path)
            )
            for p in problems
        ]
    resolver = _Resolver(name, data["languages"], catalogs, lines)
    content = resolver.survey(data)
    issues = resolver.issues + _check_expressions(name, data, lines)
    sms = sum(1 for _ in _sms_questions(data["questions"]))
    if sms > MAX_SMS_QUESTIONS:
        message = f"{sms} questions are asked over SMS; at most {MAX_SMS_QUESTIONS} are allowed"
        issues.append(DefinitionIssue(name, None, "channels", message))
    if issues:
        return None, issues
    try:
        return Survey.from_content(content), []
    except (ValueError, KeyError) as exc:  # a bug guard; the checks above should catch all
        return None, [DefinitionIssue(name, None, None, f"cannot build the survey: {exc}")]


def _sms_questions(
    questions: list[dict[str, Any]], inherited: bool = True
) -> Iterator[dict[str, Any]]:
    """Answerable questions on the SMS path (a group's channels apply to its questions)."""
    for question in questions:
        on_sms = inherited and "sms" in question["channels"]
        if question["type"] == "group":
            yield from _sms_questions(question["questions"], on_sms)
        elif on_sms and question["type"] not in NON_ANSWER_TYPES:
            yield question


class _Resolver:
    """Turns translatable values into ``{language: text}`` for every shipped language."""

    def __init__(
        self, file: str, languages: list[str], catalogs: Catalogs, lines: dict[Any, int]
    ) -> None:
        self.file = file
        self.languages = languages
        self.catalogs = catalogs
        self.lines = lines
        self.issues: list[DefinitionIssue] = []
        self.missing_catalogs: set[str] = set()

    def survey(self, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": data["id"]}
        for name in SURVEY_TEXT_FIELDS:
            if name in data:
                out[name] = self.text(data[name], None, name, (name,))
        out["languages"] = list(self.languages)
        out["keywords"] = {lang: data["keywords"][lang] for lang in self.languages}
        messages = data.get("messages") or {}
        if messages:
            out["messages"] = {
                key: self.text(messages[key], None, f"messages.{key}", ("messages", key))
                for key in MESSAGE_NAMES
                if key in messages
            }
        out["questions"] = [
            self.question(q, ("questions", i)) for i, q in enumerate(data["questions"])
        ]
        return out

    def question(self, data: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
        out = dict(data)
        qid = data["id"]
        for name in QUESTION_TEXT_FIELDS:
            if name in data:
                out[name] = self.text(data[name], qid, name, (*path, name))
        if "choices" in data:
            out["choices"] = [
                {
                    "value": choice["value"],
                    "label": self.text(
                        choice["label"],
                        qid,
                        f"choices[{choice['value']}].label",
                        (*path, "choices", i, "label"),
                    ),
                }
                for i, choice in enumerate(data["choices"])
            ]
        if data["type"] == "yes_no":
            out["choices"] = [
                {"value": c.value, "label": c.label} for c in yes_no_choices(tuple(self.languages))
            ]
        if "questions" in data:
            out["questions"] = [
                self.question(q, (*path, "questions", i)) for i, q in enumerate(data["questions"])
            ]
        return out

    def text(
        self, value: str | dict[str, str], question: str | None, field: str, path: tuple[Any, ...]
    ) -> dict[str, str]:
        line = yaml_source.line_of(self.lines, path)
        out: dict[str, str] = {}
        for lang in self.languages:
            if isinstance(value, dict):
                if lang in value:
                    out[lang] = value[lang]
                else:
                    given = ", ".join(value)
                    self.issue(question, field, f"no {lang!r} text (given: {given})", line, lang)
            elif lang == SOURCE_LANGUAGE:
                out[lang] = value
            else:
                translated = self.translate(value, lang)
                if translated is not None:
                    out[lang] = translated
                elif lang not in self.missing_catalogs:
                    short = value if len(value) <= 60 else value[:57] + "..."
                    self.issue(question, field, f"no {lang!r} translation of {short!r}", line, lang)
        return out

    def translate(self, msgid: str, lang: str) -> str | None:
        catalog = self.catalogs(lang)
        if not isinstance(catalog, gettext.GNUTranslations):
            if lang not in self.missing_catalogs:  # one issue per language, not per string
                self.missing_catalogs.add(lang)
                self.issue(
                    None, "languages",
                    f"no compiled {DOMAIN!r} catalog for {lang!r} ({lang}/LC_MESSAGES/{DOMAIN}.mo)",
                    yaml_source.line_of(self.lines, ("languages",)), lang,
                )  # fmt: skip
            return None
        # gettext returns the msgid itself when it has no entry, and a translation may
        # legitimately equal the English ("WIC"), so ask the catalog whether it has one.
        if msgid not in getattr(catalog, "_catalog", {}):
            return None
        translated = catalog.gettext(msgid)
        return translated if translated.strip() else None

    def issue(
        self, question: str | None, field: str, message: str, line: int | None, lang: str | None
    ) -> None:
        self.issues.append(DefinitionIssue(self.file, question, field, message, line, lang))


def _iter_questions(
    questions: list[dict[str, Any]], path: tuple[Any, ...], groups: tuple[str, ...] = ()
) -> Iterator[tuple[dict[str, Any], tuple[Any, ...], tuple[str, ...]]]:  # noqa: E501
    for index, question in enumerate(questions):
        here = (*path, index)
        yield question, here, groups
        if "questions" in question:
            inner = (*groups, question["id"])
            yield from _iter_questions(question["questions"], (*here, "questions"), inner)


def _check_expressions(
    file: str, data: dict[str, Any], lines: dict[Any, int]
) -> list[DefinitionIssue]:
    """Syntax, unknown/unanswerable references, self-references and ``.`` in relevance."""
    all_questions = list(_iter_questions(data["questions"], ("questions",)))
    types = {q["id"]: q["type"] for q, _, _ in all_questions}
    inside: dict[str, set[str]] = {}  # group id -> ids of everything inside it
    for q, _, groups in all_questions:
        for group in groups:
            inside.setdefault(group, set()).add(q["id"])
    issues: list[DefinitionIssue] = []
    for question, path, _ in all_questions:
        qid = question["id"]
        for field in ("relevant", "constraint"):
            if field not in question:
                continue
            line = yaml_source.line_of(lines, (*path, field))

            def add(
                message: str, qid: str = qid, field: str = field, line: int | None = line
            ) -> None:
                issues.append(DefinitionIssue(file, qid, field, message, line))

            try:
                expression = parse(question[field])
            except ExpressionError as exc:
                add(f"invalid expression: {exc}")
                continue
            if field == "relevant" and expression.uses_current:
                add("'.' (the answer being checked) can only be used in a constraint")
            for ref in sorted(expression.references()):
                if ref == qid:
                    hint = "; use '.' for the answer being checked" if field == "constraint" else ""
                    add(f"refers to the question itself{hint}")
                elif ref not in types:
                    add(f"refers to unknown question {ref!r}")
                elif types[ref] in NON_ANSWER_TYPES:
                    add(f"refers to {ref!r}, a {types[ref]} that has no answer")
                elif ref in inside.get(qid, ()):
                    add(f"refers to {ref!r}, which is inside this group")
    return issues
