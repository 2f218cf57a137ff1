"""Client plans: one survey, in one language on one channel, for the offline JS runner.

A tablet that is offline cannot ask the server's engine what comes next, so the server
hands it a *plan*: the survey's items with their texts already resolved, every ``relevant``
and ``constraint`` expression exported from the engine's own parsed trees as a JSON AST,
and the exact error messages the engine would give, obtained by calling the engine. The
runner in ``fieldscan/static/js/runner.js`` (with ``xpath.js``) executes a plan with the
same semantics as :mod:`fieldscan.survey.engine` and :mod:`fieldscan.survey.answers`; the
JS never holds a message of its own and never parses an expression. On sync the server
re-validates every answer with the engine (``validate_answer``, ``applicable_answers``),
so a plan is a convenience for the respondent, never a source of truth.

Serving a plan (for the interview pages): the plan is a pure function of the survey
version's content, the language, the channel and the compiled ``messages`` catalog, so
it can be cached per (version id, language, channel). Serve it as JSON together with the
version the answers must be synced against::

    plan = client_plan(survey, language, "tablet")
    return jsonify({**plan, "survey_version": version.number})

and in the page::

    import { createRunner } from "/static/js/runner.js";
    const runner = createRunner(plan);           // {today: "YYYY-MM-DD"} to pin the date
    const step = runner.nextStep(answers);       // {item, notes, complete, progress}
    const result = runner.validate(step.item.id, rawValue, answers);

Plan format (``format`` 1)::

    {"format": 1, "survey": "kids", "language": "es", "channel": "tablet", "dir": "ltr",
     "title": "...", "description": "..." | null, "intro": ... | null, "completion": ...,
     "items": [
       {"id": "age", "type": "integer", "label": "...", "hint": null, "required": true,
        "choices": [], "min": 0, "max": 17, "max_length": null,
        "relevant": ["op", ["ref", "count"], ">", ["num", 0]],
        "constraint": ["op", ["cur"], "<=", ["num", 17]],
        "messages": {"required": "...", "invalid": "...", "constraint": "..."}},
       ...],
     "order": ["every", "question", "note", "and", "group", "id", "in", "flat", "order"],
     "off_channel": {"sms_only_q": <relevance AST or null>},
     "approximate": ["ids whose expressions the JS can only approximate"]}

Items are the questions and notes of ``survey.flat()`` asked on the channel, in order.
``relevant`` is the effective relevance (enclosing groups' conditions, outermost first,
then the item's own), or null when always relevant. ``max_length`` is the effective
limit of a text question. ``messages`` holds, per item, only the keys that can occur:
``required`` (required questions), ``invalid`` (any answerable type), ``not_a_choice``
(select_multiple; ``{answer}`` stands for the offending value), ``too_long`` (text) and
``constraint`` (questions with a constraint). ``order`` and ``off_channel`` exist for
``applicable()``, which, like the engine, clears answers on every channel and in flat
order. ``approximate`` lists items whose expressions use a ``regex()`` the JS cannot
reproduce exactly (a pattern computed at run time, or a Python-only construct such as
possessive repeats): the runner then uses the pattern as a JavaScript regex as is.

Answers are JSON on the tablet, so an integral number in an answer is read as an int (the
engine stores integer answers as ints; JSON cannot tell 3.0 from 3).

AST nodes (lists, first element the kind)::

    ["num", 1.5]            number literal (a float; "Infinity" for an overflowing one)
    ["str", "text"]         string literal
    ["ref", "question_id"]  ${question_id}: the answer, '' when unanswered or skipped
    ["cur"]                 .  (the answer being checked by a constraint)
    ["neg", node]           unary minus
    ["op", a, "+", b, "-", c]            a left-to-right chain of one precedence level,
                                         exactly the engine's Chain (and/or short-circuit)
    ["fn", "selected", [node, ...]]      a function call, arguments as nodes
    ["re", "js source", "u"]             regex() pattern, translated at export time from
                                         Python's own regex parse tree (2nd argument only)
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from fieldscan.locales import is_rtl, normalize_language
from fieldscan.survey.answers import validate_answer
from fieldscan.survey.definition import Question, Survey
from fieldscan.survey.expressions import Expression
from fieldscan.survey.schema import CHANNELS, DEFAULT_MAX_LENGTH
from fieldscan.survey.xpath_nodes import Call, Chain, Current, Literal, Negate, Node, Ref

try:  # the regex parser is private; without it every regex() is exported as approximate
    import re._casefix as _casefix  # type: ignore[import-not-found]
    import re._constants as _sre_constants  # type: ignore[import-not-found]
    import re._parser as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Python versions
    _sre_parse = None
    _sre_constants = None
    _casefix = None

__all__ = ["PLAN_FORMAT", "client_plan", "expression_ast", "regex_to_js"]

#: Version of the plan format; the runner refuses plans of another format.
PLAN_FORMAT = 1

#: Stands for the respondent's value in the ``not_a_choice`` message.
ANSWER_PLACEHOLDER = "{answer}"


def client_plan(survey: Survey, language: str, channel: str = "tablet") -> dict[str, Any]:
    """The JSON-serializable plan of ``survey`` in ``language`` on ``channel`` (see above).

    Raises ValueError for a language the survey does not ship or an unknown channel.
    """
    lang = normalize_language(language)
    if lang is None or lang not in survey.languages:
        raise ValueError(f"survey {survey.id!r} is not offered in {language!r}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; use one of {', '.join(CHANNELS)}")
    items: list[dict[str, Any]] = []
    approximate: list[str] = []
    off_channel: dict[str, Any] = {}
    for question in survey.flat():
        if not question.on_channel(channel):
            if question.takes_answer:
                off_channel[question.id] = relevance_ast(question)[0]
            continue
        item, exact = _item(survey, question, lang, channel)
        items.append(item)
        if not exact:
            approximate.append(question.id)
    return {
        "format": PLAN_FORMAT,
        "survey": survey.id,
        "language": lang,
        "channel": channel,
        "dir": "rtl" if is_rtl(lang) else "ltr",
        "title": survey.text("title", lang),
        "description": survey.text("description", lang),
        "intro": survey.text("intro", lang),
        "completion": survey.text("completion", lang),
        "items": items,
        "order": [q.id for q in survey.flat(include_groups=True)],
        "off_channel": off_channel,
        "approximate": approximate,
    }


def _item(
    survey: Survey, question: Question, lang: str, channel: str
) -> tuple[dict[str, Any], bool]:
    relevant, relevant_exact = relevance_ast(question)
    constraint, constraint_exact = (
        expression_ast(question.constraint_expression)
        if question.constraint_expression is not None and question.takes_answer
        else (None, True)
    )
    item = {
        "id": question.id,
        "type": question.type,
        "label": question.text("label", lang),
        "hint": question.text("hint", lang),
        "required": question.required if question.takes_answer else False,
        "choices": [{"value": c.value, "label": c.text(lang)} for c in question.choices],
        "min": question.min if question.type == "integer" else None,
        "max": question.max if question.type == "integer" else None,
        "max_length": (question.max_length or DEFAULT_MAX_LENGTH)
        if question.type == "text"
        else None,
        "relevant": relevant,
        "constraint": constraint,
        "messages": _messages(survey, question, lang, channel) if question.takes_answer else {},
    }
    return item, relevant_exact and constraint_exact


def relevance_ast(question: Question) -> tuple[list[Any] | None, bool]:
    """The effective relevance of ``question`` as one AST (None: always), and exactness.

    Several conditions become an ``and`` chain, which the engine's Chain evaluates to
    exactly ``all(truthy(c) for c in conditions)``, as ``Question.is_relevant`` does.
    """
    exported = [expression_ast(cond) for cond in question.conditions]
    exact = all(ok for _, ok in exported)
    if not exported:
        return None, exact
    if len(exported) == 1:
        return exported[0][0], exact
    chain: list[Any] = ["op", exported[0][0]]
    for ast, _ in exported[1:]:
        chain += ["and", ast]
    return chain, exact


def expression_ast(expression: Expression) -> tuple[list[Any], bool]:
    """``expression``'s parsed tree as a JSON AST, and whether the JS reproduces it exactly.

    Walks the engine's own nodes (never re-parses the source); an unknown node type raises
    TypeError so that a new engine feature cannot be silently dropped from plans.
    """
    exporter = _Exporter()
    return exporter.node(expression._root), exporter.exact  # the parsed tree


class _Exporter:
    def __init__(self) -> None:
        self.exact = True

    def node(self, node: Node) -> list[Any]:
        if isinstance(node, Literal):
            return self.literal(node.value)
        if isinstance(node, Ref):
            return ["ref", node.name]
        if isinstance(node, Current):
            return ["cur"]
        if isinstance(node, Negate):
            return ["neg", self.node(node.operand)]
        if isinstance(node, Chain):
            out: list[Any] = ["op", self.node(node.first)]
            for op, operand in node.rest:
                out += [op, self.node(operand)]
            return out
        if isinstance(node, Call):
            args = [self.node(arg) for arg in node.args]
            if node.name == "regex":
                translated = regex_to_js(node.pattern.pattern) if node.pattern else None
                if translated is None:
                    self.exact = False  # run-time or Python-only pattern: see the docstring
                else:
                    args[1] = ["re", *translated]
            return ["fn", node.name, args]
        raise TypeError(f"cannot export expression node {type(node).__name__}")

    @staticmethod
    def literal(value: object) -> list[Any]:
        if isinstance(value, str):
            return ["str", value]
        if isinstance(value, float) and not math.isfinite(value):
            return ["num", "Infinity" if value > 0 else "-Infinity"]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return ["num", float(value)]
        raise TypeError(f"cannot export literal {value!r}")


# --- messages, by calling the engine -------------------------------------------------------

#: A raw value no normalizer accepts (not text, not a number, not a list, not empty).
_UNACCEPTABLE = {"not": "an answer"}


def _messages(survey: Survey, question: Question, lang: str, channel: str) -> dict[str, str]:
    """The engine's error texts for ``question`` in ``lang``, captured by validating
    inputs the engine is known to refuse (its messages depend only on the question)."""

    def error(raw: object, target: Survey = survey) -> str:
        result = validate_answer(target, question.id, raw, lang, channel)
        if result.ok or result.error is None:  # pragma: no cover - engine changed
            raise AssertionError(f"the engine accepted probe {raw!r} for {question.id!r}")
        return result.error

    messages = {"invalid": error(_UNACCEPTABLE)}
    if question.required:
        messages["required"] = error(None)
    if question.type == "select_multiple":
        messages["not_a_choice"] = error([ANSWER_PLACEHOLDER])
    if question.type == "text":
        messages["too_long"] = error("x" * ((question.max_length or DEFAULT_MAX_LENGTH) + 1))
    if question.constraint_expression is not None:
        # The same question as text with a constraint that always fails: the engine then
        # answers with this question's constraint message (or its default) for any text.
        probe = dataclasses.replace(
            question, type="text", constraint="false()", required=False, choices=(),
            min=None, max=None, max_length=None, channels=CHANNELS,
        )  # fmt: skip
        one = Survey(id=survey.id, title={}, languages=(lang,), keywords={}, questions=(probe,))
        messages["constraint"] = error("x", one)
    return messages


# --- regex() patterns ----------------------------------------------------------------------

# Python's str-pattern classes, as JS (u flag) class contents: \s is str.isspace(), \w is
# str.isalnum() or '_' (which is exactly letters and numbers), \d is str.isdecimal().
_UNI = {
    "DIGIT": "\\p{Nd}",
    "SPACE": "\\t-\\r\\u{1c}-\\u{20}\\u{85}\\u{a0}\\u{1680}\\u{2000}-\\u{200a}"
    "\\u{2028}\\u{2029}\\u{202f}\\u{205f}\\u{3000}",
    "WORD": "\\p{L}\\p{N}_",
}
_ASCII = {"DIGIT": "0-9", "SPACE": "\\t-\\r ", "WORD": "A-Za-z0-9_"}
_BMP = 0xFFFF


class _UntranslatableError(Exception):
    pass


def regex_to_js(pattern: str) -> tuple[str, str] | None:
    """``(source, flags)`` of a JavaScript RegExp (``u`` flag) that matches exactly what
    Python's ``re.search(pattern, ...)`` matches, or None when there is no such
    translation here (possessive or atomic groups, conditionals, case-insensitive
    back-references or non-BMP class members).

    Built from Python's own parse tree, so escapes, ``{`` literals, verbose mode and
    named groups are already resolved; literals are emitted as ``\\u{...}`` escapes.
    Case-insensitive matching is spelled out as the exact characters Python's matcher
    accepts (its simple lower-case mapping plus its extra cases), not JS's ``i`` flag,
    whose case folding differs (Python's ``(?i)[A-Z]`` matches 'İ', JS's does not).
    """
    if _sre_parse is None:  # pragma: no cover - other Python versions
        return None
    try:
        parsed = _sre_parse.parse(pattern)
    except Exception:  # noqa: BLE001 - the engine refuses such patterns anyway
        return None
    try:
        return _Translator().seq(parsed, parsed.state.flags), "u"
    except _UntranslatableError:
        return None


class _Translator:
    def seq(self, items: Any, flags: int) -> str:
        return "".join(self.item(op.name, av, flags) for op, av in items)

    @staticmethod
    def classes(flags: int) -> dict[str, str]:
        return _ASCII if flags & _sre_constants.SRE_FLAG_ASCII else _UNI

    def item(self, name: str, av: Any, flags: int) -> str:
        c = _sre_constants
        fold = _CaseFold.of(flags)
        if name in ("LITERAL", "NOT_LITERAL"):
            negate = "^" if name == "NOT_LITERAL" else ""
            if fold is not None and fold.iscased(av):
                return f"[{negate}{_ranges(fold.matching({av}))}]"
            return f"[{negate}{_lit(av)}]" if negate else _lit(av)
        if name == "ANY":
            return "[\\s\\S]" if flags & c.SRE_FLAG_DOTALL else "[^\\n]"
        if name == "IN":
            return self.in_class(av, flags, fold)
        if name == "BRANCH":
            return "(?:" + "|".join(self.seq(alt, flags) for alt in av[1]) + ")"
        if name == "SUBPATTERN":
            group, add, remove, sub = av
            inner = flags & ~_sre_parse.TYPE_FLAGS if add & _sre_parse.TYPE_FLAGS else flags
            body = self.seq(sub, (inner | add) & ~remove)
            return f"({body})" if group is not None else f"(?:{body})"
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = av
            bound = f"{{{low},}}" if high == c.MAXREPEAT else f"{{{low},{high}}}"
            lazy = "?" if name == "MIN_REPEAT" else ""
            return f"(?:{self.seq(sub, flags)}){bound}{lazy}"
        if name in ("ASSERT", "ASSERT_NOT"):
            direction, sub = av
            kind = ("<" if direction < 0 else "") + ("=" if name == "ASSERT" else "!")
            return f"(?{kind}{self.seq(sub, flags)})"
        if name == "GROUPREF" and fold is None:
            return f"(?:\\{av})"
        if name == "AT":
            return self.at(av.name, flags)
        raise _UntranslatableError  # POSSESSIVE_REPEAT, ATOMIC_GROUP, GROUPREF_EXISTS, ...

    def at(self, name: str, flags: int) -> str:
        multiline = flags & _sre_constants.SRE_FLAG_MULTILINE
        w = f"[{self.classes(flags)['WORD']}]"
        if name == "AT_BEGINNING_STRING" or (name == "AT_BEGINNING" and not multiline):
            return "^"
        if name == "AT_BEGINNING":
            return "(?:^|(?<=\\n))"
        if name == "AT_END_STRING":
            return "$"
        if name == "AT_END":  # Python's $ also matches before a final newline
            return "(?=\\n|$)" if multiline else "(?=\\n?$)"
        if name == "AT_BOUNDARY":
            return f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"
        if name == "AT_NON_BOUNDARY":  # and, in Python 3.11, never in an empty string
            return f"(?:(?<={w})(?={w})|(?<!{w})(?!{w})(?:(?<=[\\s\\S])|(?=[\\s\\S])))"
        raise _UntranslatableError

    def in_class(self, items: Any, flags: int, fold: _CaseFold | None) -> str:
        classes = self.classes(flags)
        negate = False
        inside: list[str] = []  # fits in one [...]
        alone: list[str] = []  # single-character matchers of their own
        codes: set[int] = set()  # literal and range members
        for op, av in items:
            name = op.name
            if name == "NEGATE":
                negate = True
            elif name == "LITERAL":
                codes.add(av)
                inside.append(_lit(av))
            elif name == "RANGE":
                codes.update(range(av[0], av[1] + 1))
                inside.append(f"{_lit(av[0])}-{_lit(av[1])}")
            elif name == "CATEGORY":
                category = av.name.removeprefix("CATEGORY_")
                if category.startswith("NOT_"):
                    alone.append(f"[^{classes[category.removeprefix('NOT_')]}]")
                else:
                    inside.append(classes[category])
            else:
                raise _UntranslatableError
        if fold is not None and any(fold.iscased(code) for code in codes):
            if max(codes) > _BMP:  # Python matches these by other rules
                raise _UntranslatableError
            members = _ranges(fold.matching(codes))
            inside = [members, *(part for part in inside if part in classes.values())]
        if not alone:
            return f"[{'^' if negate else ''}{''.join(inside)}]"
        options = ([f"[{''.join(inside)}]"] if inside else []) + alone
        if negate:
            return f"(?:(?!{'|'.join(options)})[\\s\\S])"
        return f"(?:{'|'.join(options)})"


class _CaseFold:
    """How Python's matcher compares characters case-insensitively (re/_compiler.py):
    a cased character matches every character whose simple lower-case form equals its
    lower-case form, or one of that form's extra cases (like 's' and long 's')."""

    def __init__(self, ascii_only: bool) -> None:
        import _sre  # the matcher's own case tables

        self.iscased = _sre.ascii_iscased if ascii_only else _sre.unicode_iscased
        self.tolower = _sre.ascii_tolower if ascii_only else _sre.unicode_tolower
        self.fixes: dict[int, tuple[int, ...]] = {} if ascii_only else _casefix._EXTRA_CASES
        limit = 0x80 if ascii_only else 0x110000
        preimages: dict[int, list[int]] = {}
        for code in range(limit):
            lower = self.tolower(code)
            if lower != code:
                preimages.setdefault(lower, []).append(code)
        self.preimages = preimages

    @classmethod
    def of(cls, flags: int) -> _CaseFold | None:
        if not flags & _sre_constants.SRE_FLAG_IGNORECASE:
            return None
        ascii_only = not flags & _sre_constants.SRE_FLAG_UNICODE
        if ascii_only not in _FOLDS:
            _FOLDS[ascii_only] = cls(ascii_only)
        return _FOLDS[ascii_only]

    def matching(self, codes: set[int]) -> list[int]:
        """Every character Python matches against any of ``codes`` ignoring case."""
        targets: set[int] = set()
        for code in codes:
            lower = self.tolower(code)
            targets.add(lower)
            targets.update(self.fixes.get(lower, ()))
        out = {t for t in targets if self.tolower(t) == t}
        for target in targets:
            out.update(self.preimages.get(target, ()))
        return sorted(out)


_FOLDS: dict[bool, _CaseFold] = {}


def _ranges(codes: list[int]) -> str:
    """Sorted code points as JS class members, runs written as ranges."""
    out: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(_lit(codes[i]) if i == j else f"{_lit(codes[i])}-{_lit(codes[j])}")
        i = j + 1
    return "".join(out)


def _lit(code: int) -> str:
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\u{{{code:x}}}"
