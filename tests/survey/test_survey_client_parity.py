"""The offline client (client plans + static/js/xpath.js + runner.js) against the engine.

Python and JS are run on the same inputs and must agree: expression values (shipped
instruments and a synthetic survey using every operator and function), next-step
sequences along random answer paths, and answer validation. The JS side runs in one
long-lived node process per module (tests/js/parity.mjs, one JSON request per line).
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldscan.survey import (
    Question,
    Survey,
    applicable_answers,
    load_directory,
    match_choice,
    next_step,
    previous_question,
    validate_answer,
)
from fieldscan.survey import xpath_values as xv
from fieldscan.survey.client_plan import client_plan, expression_ast, regex_to_js
from fieldscan.survey.expressions import Expression, parse
from fieldscan.survey.xpath_nodes import Node

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "js" / "parity.mjs"
UNIT_TESTS = ROOT / "tests" / "js" / "runner.test.mjs"
NODE = shutil.which("node")
LANGS = ("en", "es", "ar")

PARITY = settings(
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def require_node() -> str:
    if NODE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not on PATH; CI must run the JS client parity tests")
        pytest.skip("node is not on PATH: JS client parity tests need node (v18+)")
    return NODE


class NodeHarness:
    """tests/js/parity.mjs in a child process: one JSON request and reply per line."""

    def __init__(self, node: str) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [node, str(HARNESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )

    def run(self, plan: dict[str, Any], cases: list[dict[str, Any]], mode: str) -> list[Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"plan": plan, "mode": mode, "cases": cases}
        self.proc.stdin.write(json.dumps(request) + "\n")  # ASCII JSON: one line, any text
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the node harness died:\n{self.errors()}")
        reply = json.loads(line)
        if "error" in reply:
            raise AssertionError(f"the node harness failed:\n{reply['error']}")
        assert len(reply["results"]) == len(cases)
        return reply["results"]

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()

    def close(self) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:  # pragma: no cover - a hung harness
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
        errors = self.errors()
        self.stderr.close()
        return errors


@pytest.fixture(scope="module")
def js() -> Iterator[NodeHarness]:
    harness = NodeHarness(require_node())
    yield harness
    errors = harness.close()
    assert "survey expression failed" not in errors, errors


# --- surveys -------------------------------------------------------------------------------


def text(en: str) -> dict[str, str]:
    return {"en": en, "es": f"{en} (es)", "ar": f"{en} (ar)"}


def question(qid: str, qtype: str, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": qid, "type": qtype, "label": text(qid.replace("_", " "))}
    if qtype in ("select_one", "select_multiple"):
        values = fields.pop("values", ("a", "b", "c"))
        out["choices"] = [{"value": v, "label": text(f"choice {v}")} for v in values]
    out.update(fields)
    return out


def survey(sid: str, questions: list[dict[str, Any]]) -> Survey:
    return Survey.from_content(
        {
            "id": sid,
            "title": text(sid),
            "languages": list(LANGS),
            "keywords": {"en": [sid.upper()]},
            "messages": {"intro": text("Hello"), "completion": text("Thanks")},
            "questions": questions,
        }
    )


#: Relevance expressions: every operator and function, and the odd corners of XPath values.
EXPRESSIONS = [
    "${n} > 3", "${n} >= 3 and ${n} <= 10", "${n} < 2 or ${t} = 'x'", "${t} != ''",
    "${t} = ${n}", "${n} = 3", "${t} < ${n}", "${t} >= ${d}", "${s1} = 'b'", "${yn} = 'yes'",
    "${yn} = true()", "${t} != false()", "${sm} = 'a b'", "${sm} = ${t}", "${n} + 1",
    "${n} - 1.5", "${t} * 2", "${n} div 2", "${n} div 0", "-${n} div 0", "0 div 0",
    "${t} div ${n}", "${n} mod 3", "${t} mod ${n}", "${n} mod 0", "-${n}", "- - ${t}",
    "1 div int(-0.5)", "1 div (0 * -1)", "not(${yn} = 'no')", "not(${sm})",
    "selected(${sm}, 'a')", "selected(${t}, ${s1})", "selected(${sm}, ' b ')",
    "count-selected(${sm}) >= 2", "count-selected(${t})", "string-length(${t})",
    "string-length(${sm})", "string-length()", "number(${t})", "number(${t}) + 0.1",
    "number(${d})", "number(${yn} = 'yes')", "int(${t})", "int(${n} div 3)", "string(${n})",
    "string(${n} div 7)", "string(${t} * 1000000000000)", "string(${sm})",
    "string(${t} = ${n})", "concat(${t}, '-', ${n}, ${sm}, ${yn}, ${d})", "concat()",
    "concat(${n} * 0.1, '|', 1 div 3, '|', 0.00001 * ${n}, '|', ${n} * 100000000000000000)",
    "coalesce(${t}, ${n}, 'none')", "coalesce(${sm}, ${yn})", "if(${n} > 2, ${t}, ${sm})",
    "if(${t}, 'y', 'n')", "true()", "false() or ${yn}", "today()", "today() - ${d}",
    "${d} < today()", "${d} = '2024-01-01'", "${d} > 19000", "today() = ${t}",
    "today() > ${t}", "concat(today(), ${d})", "regex(${t}, '^[0-9]{3}$')",
    r"regex(${t}, '\d+')", r"regex(${t}, '^\w+\s\w+$')", "regex(${t}, '(?i)^ab')",
    r"regex(${t}, '(a|b)\1')", r"regex(${t}, '\bx')", r"regex(${t}, '\Bb')",
    "regex(${t}, 'a$')", "regex(${t}, '(?m)^b$')", r"regex(${t}, '[^\W\d]')",
    "regex(${t}, '.{2}')", "regex(${t}, '(?s)a.b')", "regex(${sm}, 'a b')", "regex(${n}, 5)",
    "${n} = ${t} = true()", "1 + 2 * 3 - 4 div 2 mod 3", "(${n} or ${t}) and not(${sm})",
    "999999999999999999999 > ${n}", "9" * 320 + " * ${n}", "1.5 = '1.5'", ".5 + 5.",
    "${p} != ''",
]  # fmt: skip
#: Constraints (they read the answer being checked, ``.``).
CONSTRAINTS = [
    ". > 0", ". = ${t}", "string-length(.) <= 3", "string-length()", "number() = 2",
    "number()", "string()", "selected(., 'a') and count-selected(.) < 3",
    "not(selected(., 'none') and count-selected(.) > 1)", "regex(., '^[a-z]+$')",
    ". <= today()", "concat(., .)", ". mod 2 = 0", "int(.) = .", "-.", ". + ${n}",
]  # fmt: skip
#: Uses a pattern known only at run time, which the JS can only approximate.
APPROXIMATE = "regex(${t}, ${s1})"

BASE = [
    question("t", "text"),
    question("n", "integer"),
    question("s1", "select_one"),
    question("sm", "select_multiple", values=("a", "b", "c", "none")),
    question("yn", "yes_no"),
    question("d", "date"),
    question("p", "phone"),
]


@functools.cache
def expression_survey() -> Survey:
    notes = [question(f"e{i}", "note", relevant=e) for i, e in enumerate(EXPRESSIONS)]
    checks = [question(f"c{i}", "text", constraint=c) for i, c in enumerate(CONSTRAINTS)]
    inner = {"id": "g_b", "type": "group", "relevant": "${n} > 0", "questions": notes[5:8]}
    outer = {
        "id": "g_a", "type": "group", "relevant": "${yn} = 'yes'",
        "questions": [*notes[:5], inner],
    }  # fmt: skip
    approximate = question("approx", "note", relevant=APPROXIMATE)
    return survey("exprs", [*BASE, outer, *notes[8:], *checks, approximate])


@functools.cache
def flow_survey() -> Survey:
    return survey(
        "flow",
        [
            question("welcome", "note"),
            question("consent", "yes_no", required=True),
            question("bye", "note", relevant="${consent} = 'no'"),
            {
                "id": "kids",
                "type": "group",
                "relevant": "${consent} = 'yes'",
                "questions": [
                    question("count", "integer", min=0, max=5, required=True),
                    question("ages_note", "note", relevant="${count} > 0"),
                    question(
                        "youngest",
                        "integer",
                        min=0,
                        max=17,
                        relevant="${count} > 0",
                        constraint=". <= 17",
                    ),
                    {
                        "id": "inner",
                        "type": "group",
                        "relevant": "${count} > 1",
                        "channels": ["web", "tablet"],
                        "questions": [
                            question("twins", "yes_no"),
                            question("inner_note", "note"),
                        ],
                    },
                ],
            },  # fmt: skip
            question("sms_only", "select_one", channels=["sms"]),
            question("follow_sms", "text", relevant="${sms_only} = 'a'"),
            question(
                "services",
                "select_multiple",
                relevant="${consent} = 'yes'",
                values=("school", "library", "wic", "none"),
            ),  # fmt: skip
            question(
                "main",
                "select_one",
                relevant="count-selected(${services}) > 1",
                values=("school", "library", "wic"),
            ),  # fmt: skip
            question("when", "date", relevant="${consent} = 'yes'", constraint=". <= today()"),
            question("web_only", "phone", channels=["web"], required=True),
            question("nobody", "text", relevant="${main} = ''"),
            question("after_note", "note", relevant="${when} != ''"),
            question("last", "text", required=True, relevant="${consent} = 'yes'"),
            question("end_note", "note"),
        ],
    )


@functools.cache
def validation_survey() -> Survey:
    return survey(
        "checks",
        [
            question("one", "select_one", required=True, values=("a", "b", "10")),
            question("yn", "yes_no"),
            question("multi", "select_multiple", values=("a", "b", "none"),
                     constraint="not(selected(., 'none') and count-selected(.) > 1)",
                     constraint_message=text("None means none")),
            question("num", "integer", min=1, max=10, required=True),
            question("low", "integer", min=0),
            question("high", "integer", max=5),
            question("free", "integer", constraint=". mod 2 = 0"),
            question("when", "date", constraint=". <= today()",
                     constraint_message=text("Not in the future")),
            question("tel", "phone"),
            question("words", "text", max_length=10, constraint="string-length(.) > 1"),
            question("words_req", "text", required=True),
        ],
    )  # fmt: skip


@functools.cache
def shipped() -> list[Survey]:
    # The real instruments with the real (compiled) catalogs; `make test` compiles them.
    return load_directory(ROOT / "surveys")


# --- values --------------------------------------------------------------------------------

TODAY = date(2024, 6, 15)
ODD_TEXT = [
    "", " ", "0", "1", " 3 ", "-2", "-0", "1.5", ".5", "5.", "-.5", "1e3", "007", "٣", "١٢.٥",
    "\u3000 7 \u3000", "\x1c3", "3\x85", "𝟙𝟚", "१२", "2024-01-15", " 2024-02-29 ", "2023-02-29",
    "0000-01-01", "٢٠٢٤-٠١-٠١", "yes", "no", "true", "false", "NaN", "Infinity", "a b",
    " a  b ", "a\x1cb", "school library", "none", "none school", "Sí", "\u00a0a\u00a0",
    "abc\n", "abc\nd", "b\nb", "a\nb", "12345", "123", "12a45", "ÀÉ", "émile", "x_y", "_",
    "ab", "AB", "Ab cd", "xa", "axb", "bb", "aa", "a.b", "a\nb", "\u2028", "\t", "x" * 12,
]  # fmt: skip
ALPHABET = "ab xyAB019_-.\n\t\u00a0\u3000\x1c\x85٣é𝟙İıKkSsſ\u212a\u2028"
TEXT = st.one_of(st.sampled_from(ODD_TEXT), st.text(alphabet=ALPHABET, max_size=10))
INTS = st.one_of(
    st.integers(-30, 30),
    st.sampled_from([10**15, -(10**15), 999_999_999_999_999, 2**53 - 1, 19_000, 19_723]),
)
# Integral floats are left out: JSON cannot tell 3.0 from 3 (the JS reads ints).
FLOATS = st.one_of(
    st.sampled_from([0.5, -0.5, 1e-7, 2.5e-5, 1.0000001, 123456.789, 1.5e15 + 0.5]),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: not f.is_integer()),
)
SCALARS = st.one_of(TEXT, INTS, FLOATS, st.booleans(), st.none())
JUNK = st.one_of(SCALARS, st.lists(st.one_of(TEXT, INTS, st.none()), max_size=4))
DAYS = st.one_of(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1970, 1, 1), TODAY]),
)
PHONES = st.sampled_from(["+12135550123", "+13105550199", "+442071838750"])


def typed(q: Question) -> st.SearchStrategy[Any]:
    """Values the engine could have stored for ``q``."""
    values = [c.value for c in q.choices]
    if q.type in ("select_one", "yes_no"):
        return st.sampled_from(values)
    if q.type == "select_multiple":
        return st.lists(st.sampled_from(values), unique=True, max_size=len(values))
    if q.type == "integer":
        low = -20 if q.min is None else q.min
        return st.integers(low, max(low, 40 if q.max is None else q.max))
    if q.type == "date":
        return DAYS.map(date.isoformat)
    if q.type == "phone":
        return PHONES
    return TEXT


def answer_for(q: Question) -> st.SearchStrategy[Any]:
    return st.one_of(typed(q), typed(q), st.none(), JUNK)


@st.composite
def answer_dicts(draw: st.DrawFn, survey: Survey) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in survey.flat():
        if q.takes_answer and draw(st.integers(0, 3)):
            answers[q.id] = draw(answer_for(q))
    if draw(st.integers(0, 5)) == 0:  # notes, groups and unknown ids are ignored
        answers[draw(st.sampled_from([q.id for q in survey.flat(True)] + ["nope"]))] = "x"
    return roundtrip(answers)


@functools.cache
def plan_of(survey: Survey, lang: str) -> dict[str, Any]:
    return client_plan(survey, lang)


def roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value))


def norm(value: object) -> list[Any]:
    """What parity.mjs reports for a JS value, from the Python value."""
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int | float):
        negative_zero = isinstance(value, float) and value == 0 and math.copysign(1, value) < 0
        return ["num", xv.to_string(value), negative_zero]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, list | tuple):
        return ["list", [norm(item) for item in value]]
    return ["other", str(value)]


# --- (a) expressions -------------------------------------------------------------------------


def python_expressions(
    survey: Survey, plan: dict[str, Any], answers: dict[str, Any], current: Any, today: date
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in plan["items"]:
        q = survey.question(item["id"])
        if not q.conditions:
            relevant = None
        elif len(q.conditions) == 1:
            relevant = norm(q.conditions[0].evaluate(answers, today=today))
        else:
            relevant = norm(q.is_relevant(answers, today))
        expression = q.constraint_expression if q.takes_answer else None
        constraint = (
            None if expression is None else norm(expression.evaluate(answers, current, today))
        )
        out[q.id] = {"relevant": relevant, "constraint": constraint}
    return out


def check_expressions(
    js: NodeHarness, survey: Survey, cases: list[tuple[dict[str, Any], Any, date]]
) -> None:
    plan = plan_of(survey, "en")
    inexact = set(plan["approximate"])
    requests = [
        {"answers": a, "current": roundtrip(c), "today": t.isoformat()} for a, c, t in cases
    ]
    results = js.run(plan, requests, "expr")
    for (answers, current, today), got in zip(cases, results, strict=True):
        want = python_expressions(survey, plan, answers, roundtrip(current), today)
        for item_id in inexact:
            want.pop(item_id)
            got.pop(item_id)
        for item_id, expected in want.items():
            q = survey.question(item_id)
            source = [c.source for c in q.conditions], q.constraint
            assert got[item_id] == expected, (item_id, source, answers, current, today)


@PARITY
@given(data=st.data())
def test_shipped_instrument_expressions_match(js: NodeHarness, data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(shipped()), label="instrument")
    cases = [(data.draw(answer_dicts(instrument)), data.draw(JUNK), data.draw(DAYS))]
    for q in instrument.flat():  # and a plausible value for each constraint to check
        if q.constraint_expression is not None:
            cases.append((data.draw(answer_dicts(instrument)), data.draw(typed(q)), TODAY))
    check_expressions(js, instrument, cases)


def test_shipped_instruments_have_expressions_to_compare() -> None:
    sources = [c.source for s in shipped() for q in s.flat() for c in q.conditions]
    sources += [q.constraint for s in shipped() for q in s.flat() if q.constraint]
    assert len(sources) >= 3


@PARITY
@given(
    answers=answer_dicts(expression_survey()),
    current=st.one_of(JUNK, TEXT, st.lists(st.sampled_from(["a", "b", "none"]), max_size=3)),
    today=DAYS,
)
def test_every_operator_and_function_matches(
    js: NodeHarness, answers: dict[str, Any], current: Any, today: date
) -> None:
    check_expressions(js, expression_survey(), [(answers, current, today)])


def test_expression_survey_uses_every_function_and_operator() -> None:
    from fieldscan.survey.expressions import FUNCTIONS

    sources = " ".join([*EXPRESSIONS, *CONSTRAINTS])
    for name in FUNCTIONS:
        assert f"{name}(" in sources, name
    for op in (" = ", " != ", " < ", " <= ", " > ", " >= ", " and ", " or ", " + ", " - ",
               " * ", " div ", " mod ", "-$", "-."):  # fmt: skip
        assert op in sources, op


# --- regex() patterns ----------------------------------------------------------------------

PATTERNS = [
    r"^[0-9]{3}$", r"\d+", r"^\w+\s\w+$", r"(?i)^ab", r"(a|b)\1", r"\bx", r"\Bb", r"a$",
    r"(?m)^b$", r"[^\W\d]", r".{2}", r"(?s)a.b", r"^\S+$", r"[\s\d]", r"[^\s]", r"\D",
    r"(?a)\w+", r"(?a)[\d\s]", r"(?P<x>a)(?P=x)", r"a{,2}b", r"a{2,}?", r"a{", r"(?x) a b # c",
    r"(?=a)\w", r"(?<!a)b", r"(?<=a|b)x", r"[-a]", r"[a\-z]", r"\A\d\Z", r"^$", r"",
    r"[é-ü]", r"(?i)[A-Z]+", r"x*", r"(?:ab)+", r"\.", r"[.]", r"[^a-c]+", r"\u00e9",
    r"(?m)\d$", r"\w\b", r"(?i)k", r"(?i)[^a-c]", r"(?i)S+", r"a(?i:b)c", r"(?ai)[k-m]",
    r"(?i)[\w.]", r"(?i)\u0130",
]  # fmt: skip


@PARITY
@given(subjects=st.lists(TEXT, min_size=1, max_size=8))
def test_regex_translations_match_python(js: NodeHarness, subjects: list[str]) -> None:
    cases = []
    for pattern in PATTERNS:
        source, flags = regex_to_js(pattern) or ("<none>", "")
        assert source != "<none>", pattern
        for subject in subjects:
            cases.append({"source": source, "flags": flags, "subject": subject})
    results = js.run({}, cases, "regex")
    expected = [bool(re.search(p, s)) for p in PATTERNS for s in subjects]
    for case, want, got in zip(cases, expected, results, strict=True):
        assert got == want, case


def test_python_only_regex_constructs_are_flagged_approximate() -> None:
    for pattern in (r"a++", r"(?>a)", r"(a)?(?(1)b|c)", r"(?i)(a)\1", "(?i)[\U00010400a]"):
        assert regex_to_js(pattern) is None, pattern
    plan = client_plan(expression_survey(), "en")
    assert plan["approximate"] == ["approx"]


# --- (b) next-step sequences ---------------------------------------------------------------


def python_flow(survey: Survey, answers: dict[str, Any], today: date) -> dict[str, Any]:
    step = next_step(survey, answers, "tablet", today)
    current = step.question.id if step.question else None
    end = previous_question(survey, answers, None, "tablet", today)
    before = previous_question(survey, answers, current, "tablet", today) if current else None
    return {
        "item": current,
        "notes": [n.id for n in step.notes],
        "complete": step.complete,
        "progress": [step.progress.number, step.progress.total],
        "applicable": applicable_answers(survey, answers, today),
        "previous_end": end.id if end else None,
        "previous_current": before.id if before else None,
        "is_complete": step.complete,
    }


def random_path(data: st.DataObject, survey: Survey, today: date) -> list[dict[str, Any]]:
    """Answer states along a path a respondent could take: answering, skipping, going
    back to change an answer, and answers arriving from other channels or devices."""
    answerable = [q for q in survey.flat() if q.takes_answer]
    answers: dict[str, Any] = {}
    states = []
    for _ in range(len(answerable) + 6):
        states.append(roundtrip(answers))
        step = next_step(survey, answers, "tablet", today)
        action = data.draw(st.sampled_from(["answer"] * 5 + ["skip", "back", "other", "drop"]))
        if step.question is None and action in ("answer", "skip"):
            if data.draw(st.booleans()):
                break
            action = "back"
        if action == "answer" and step.question is not None:
            answers[step.question.id] = data.draw(typed(step.question))
        elif action == "skip" and step.question is not None:
            answers[step.question.id] = None
        elif action == "back":
            current = step.question.id if step.question else None
            before = previous_question(survey, answers, current, "tablet", today)
            if before is not None:
                answers[before.id] = data.draw(answer_for(before))
        elif action == "other":
            q = data.draw(st.sampled_from(answerable))
            answers[q.id] = data.draw(answer_for(q))
        elif action == "drop" and answers:
            del answers[data.draw(st.sampled_from(sorted(answers)))]
    states.append(roundtrip(answers))
    return states


@PARITY
@given(data=st.data(), today=DAYS)
def test_next_step_sequences_match(js: NodeHarness, data: st.DataObject, today: date) -> None:
    instruments = [flow_survey(), validation_survey(), *shipped()]
    instrument = data.draw(st.sampled_from(instruments), label="instrument")
    plan = plan_of(instrument, data.draw(st.sampled_from(instrument.languages)))
    states = random_path(data, instrument, today)
    cases = [{"answers": a, "today": today.isoformat()} for a in states]
    for answers, got in zip(states, js.run(plan, cases, "flow"), strict=True):
        assert got == python_flow(instrument, answers, today), (instrument.id, answers)


def test_flow_known_sequence(js: NodeHarness) -> None:
    plan = client_plan(flow_survey(), "es")
    steps = [
        {},
        {"consent": "yes"},
        {"consent": "yes", "count": 2},
        {"consent": "yes", "count": 2, "youngest": 3, "twins": None, "sms_only": "a"},
        {"consent": "no"},
        {"consent": "yes", "count": None},  # a required question skipped is asked again
    ]
    got = js.run(plan, [{"answers": a, "today": "2024-06-15"} for a in steps], "flow")
    summary = [(g["item"], g["notes"], g["progress"]) for g in got]
    assert summary == [  # "nobody" is relevant while "main" is unanswered
        ("consent", ["welcome"], [1, 2]),
        ("count", [], [2, 6]),
        ("youngest", ["ages_note"], [3, 8]),
        ("follow_sms", ["inner_note"], [5, 9]),  # relevant through an SMS answer
        ("nobody", ["bye"], [2, 2]),
        ("count", [], [2, 6]),
    ]
    assert got == [python_flow(flow_survey(), a, TODAY) for a in steps]


# --- (c) validation --------------------------------------------------------------------------

#: Structured inputs per question: accepted, skipped and refused ones.
VALIDATION_TABLE: dict[str, list[Any]] = {
    "one": ["a", " b ", "10", 10, "zz", "", None, "   ", True, ["a"], {"x": 1}],
    "yn": ["yes", "no", " no ", True, False, "maybe", "", None, 1.5],
    "multi": [["a", "b"], ["b", "a", "b"], [" a "], ["none"], ["none", "a"], ["zz"], ["a", "zz"],
              [], [""], [None, " "], "a", "zz", 7, True, 2.5, {"x": 1}, [True]],
    "num": [1, 10, "5", " 7 ", "+3", "٣", "007", 0, 11, "11", -1, "1.5", 2.5, "x", True, "",
            None, "1234567890123456"],
    "low": [0, 1000, -1, "-1", "-0", ""],
    "high": [5, -100, 6, "6"],
    "free": [2, 3, "4", "٤", 2.5, "-8", None],
    "when": ["2024-06-15", "2024-02-29", "2023-02-29", "2024-13-01", "6/1/2024", "06/01/2024",
             "2024-06-16", "2999-01-01", "٢٠٢٤-٠١-٠١", "0000-01-01", "tomorrow", 20240101, "",
             None],
    "tel": ["(213) 555-0123", "213.555.0123", "+1 213 555 0123", "12135550123",
            "+442071838750", 2135550123, "abc", "12", "", None, True],
    "words": ["hi", "  hello  ", "x", "0123456789", "0123456789a", 42, 2.5, True, ["a"], "",
              "e\u0301t\u00e9"],
    "words_req": ["ok", "", "   ", None],
}  # fmt: skip


def python_validation(survey: Survey, qid: str, raw: Any, lang: str, answers: Any) -> Any:
    result = validate_answer(survey, qid, raw, lang, "tablet", answers=answers, today=TODAY)
    return {
        "ok": result.ok,
        "value": result.value,
        "error": result.error,
        "skipped": result.skipped,
    }


def only_the_engine_reads(q: Question, raw: Any, lang: str) -> bool:
    if isinstance(raw, str) and re.search(r"[\s,;、，،؛]", raw.strip()):
        return True
    entries = raw if isinstance(raw, list) else [raw]
    texts = [str(e) if isinstance(e, int) and not isinstance(e, bool) else e for e in entries]
    return any(
        isinstance(t, str)
        and t.strip() not in {c.value for c in q.choices}
        and match_choice(q, t, lang, "tablet") is not None
        for t in texts
    )


@pytest.mark.parametrize("lang", ["es", "ar", "en"])
def test_validation_table_matches(js: NodeHarness, lang: str) -> None:
    survey = validation_survey()
    plan = client_plan(survey, lang)
    cases = [
        {"item": qid, "raw": raw, "answers": {}, "today": TODAY.isoformat()}
        for qid, raws in VALIDATION_TABLE.items()
        for raw in raws
    ]
    results = js.run(plan, cases, "validate")
    for case, got in zip(cases, results, strict=True):
        want = python_validation(survey, case["item"], case["raw"], lang, {})
        assert got == want, (lang, case["item"], case["raw"])
    errors = {got["error"] for got in results if got["error"]}
    assert len(errors) >= 12  # every kind of message showed up, in this language


@PARITY
@given(data=st.data(), lang=st.sampled_from(["es", "ar"]))
def test_js_accepts_a_subset_of_the_engine_with_its_messages(
    js: NodeHarness, data: st.DataObject, lang: str
) -> None:
    """Whatever the JS accepts the engine accepts as the same value (a phone number only
    passes a lighter check), and whatever the engine refuses the JS refuses, word for word.

    Left out: select_multiple input with an entry only the engine's SMS-style matcher
    accepts (a choice number, letter or label: the JS takes values only, so it names that
    entry in its message where the engine goes on to a later one), and strings with
    spaces (one value to the JS, several words to the engine)."""
    survey = validation_survey()
    questions = [q for q in survey.flat() if q.takes_answer]
    cases = []
    for _ in range(12):
        q = data.draw(st.sampled_from(questions))
        raw = roundtrip(data.draw(st.one_of(typed(q), JUNK)))
        if q.type == "select_multiple" and only_the_engine_reads(q, raw, lang):
            continue
        cases.append({"item": q.id, "raw": raw, "answers": {}, "today": TODAY.isoformat()})
    results = js.run(plan_of(survey, lang), cases, "validate")
    for case, got in zip(cases, results, strict=True):
        want = python_validation(survey, case["item"], case["raw"], lang, {})
        phone = survey.question(case["item"]).type == "phone"
        if got["ok"] and not (phone and not want["ok"]):
            assert want == got, case
        if not want["ok"] and not (phone and got["ok"]):
            assert got == want, case


# --- the plan itself -----------------------------------------------------------------------


def test_plan_is_json_with_texts_in_the_language() -> None:
    plan = client_plan(flow_survey(), "ar")
    assert json.loads(json.dumps(plan, allow_nan=False)) == plan
    assert (plan["format"], plan["survey"], plan["language"], plan["dir"]) == (
        1,
        "flow",
        "ar",
        "rtl",
    )
    assert plan["title"] == "flow (ar)" and plan["completion"] == "Thanks (ar)"
    assert plan["description"] is None
    ids = [item["id"] for item in plan["items"]]
    assert "sms_only" not in ids and "web_only" not in ids and "kids" not in ids
    assert plan["off_channel"] == {"sms_only": None, "web_only": None}
    assert plan["order"][:5] == ["welcome", "consent", "bye", "kids", "count"]
    consent = plan["items"][1]
    assert consent["choices"] == [{"value": "yes", "label": "نعم"}, {"value": "no", "label": "لا"}]
    assert consent["messages"] == {
        "invalid": "يرجى الإجابة بنعم أو لا.",
        "required": "هذا السؤال يحتاج إلى إجابة.",
    }
    twins = next(item for item in plan["items"] if item["id"] == "twins")
    assert twins["relevant"] == [
        "op",
        ["op", ["ref", "consent"], "=", ["str", "yes"]],
        "and",
        ["op", ["ref", "count"], ">", ["num", 1.0]],
    ]
    assert client_plan(flow_survey(), "es", "web")["dir"] == "ltr"
    assert "web_only" in [i["id"] for i in client_plan(flow_survey(), "es", "web")["items"]]


def test_plan_messages_come_from_the_engine_in_each_language() -> None:
    survey = validation_survey()
    for lang in LANGS:
        items = {item["id"]: item for item in client_plan(survey, lang)["items"]}
        assert items["multi"]["messages"]["constraint"] == f"None means none ({lang})".replace(
            " (en)", ""
        )
        assert "{answer}" in items["multi"]["messages"]["not_a_choice"]
        assert items["words"]["max_length"] == 10 and "10" in items["words"]["messages"]["too_long"]
        fallback = validate_answer(survey, "free", 3, lang, "tablet").error
        assert items["free"]["messages"]["constraint"] == fallback


def test_plan_refuses_unknown_languages_and_channels() -> None:
    with pytest.raises(ValueError, match="not offered"):
        client_plan(flow_survey(), "vi")
    with pytest.raises(ValueError, match="unknown channel"):
        client_plan(flow_survey(), "es", "fax")
    assert client_plan(flow_survey(), "es-MX")["language"] == "es"


def test_exporter_refuses_unknown_nodes() -> None:
    class Mystery(Node):
        pass

    with pytest.raises(TypeError, match="Mystery"):  # a node type added to the engine later
        expression_ast(Expression("mystery", Mystery()))
    assert expression_ast(parse("-${a} div .")) == (
        ["op", ["neg", ["ref", "a"]], "div", ["cur"]],
        True,
    )


# --- the JS unit tests -----------------------------------------------------------------------


def test_js_unit_tests_pass() -> None:
    node = require_node()
    done = subprocess.run(
        [node, "--test", str(UNIT_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
