"""The XPath-subset expression evaluator: syntax errors, semantics, safety properties."""

from __future__ import annotations

import logging
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldscan.survey.expressions import MAX_DEPTH, Expression, ExpressionError, parse, truthy

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("${a} = 1 and ${b} > 2)", "unexpected ')'", 22),
        ("(${a} = 1", "missing ')' to close this '('", 1),
        ("${a} == 1", "'==' is not an operator here, use '='", 6),
        ("${a} && ${b}", "'&&' is not an operator here, use 'and'", 6),
        ("${a} AND ${b}", "unknown operator 'AND' (operators are lower-case: 'and')", 6),
        ("${a} = 'x", "unterminated string", 8),
        ("${a = 1", "expected a reference like ${question_id}", 1),
        ("foo(1)", "unknown function 'foo()'", 1),
        ("if(1, 2)", "if() takes 3 arguments, not 2", 1),
        ("not()", "not() takes 1 argument, not 0", 1),
        ("selected(${a})", "selected() takes 2 arguments, not 1", 1),
        ("coalesce(${a})", "coalesce() takes at least 2 arguments, not 1", 1),
        ("1 2", "unexpected '2'", 3),
        ("true", "'true' must be written true()", 1),
        ("${a} = ", "unexpected end of expression", 8),
        ("/data/a = 1", "paths are not supported; use ${question_id}", 1),
        ("../a", "'..' is not supported; use ${question_id}", 1),
        ("1 # 2", "unexpected character '#'", 3),
        ("${a} &gt; 1", "unexpected character '&'", 6),
        ("", "empty expression", 1),
        ("   ", "empty expression", 1),
        ("concat(1,)", "unexpected ')'", 10),
        ("regex(., '(a+)+$')", "regex pattern repeats a repetition", 1),
        ("regex(., '[a-')", "invalid regex pattern", 1),
        ("regex(., '" + "a" * 201 + "')", "regex pattern is longer than 200 characters", 1),
    ],
)
def test_syntax_errors_name_the_column(source: str, message: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert str(info.value).startswith(message)
    assert str(info.value).endswith(f"at column {column}")
    assert info.value.column == column
    assert info.value.position == column - 1


def test_nesting_is_bounded() -> None:
    parse("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * 500 + "1")


def test_long_flat_chains_do_not_recurse() -> None:
    expression = parse(" or ".join(f"${{q{i}}} = 'x'" for i in range(200)))
    assert expression.evaluate({"q199": "x"}) is True
    assert parse(" + ".join(["1"] * 900)).evaluate({}) == 900


def ev(source: str, answers: dict[str, object] | None = None, current: object = None) -> object:
    return parse(source).evaluate(answers or {}, current=current, today=TODAY)


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        # unanswered and skipped are the empty string
        ("${a} = ''", {}, True),
        ("${a} = ''", {"a": None}, True),
        ("${a} != ''", {"a": 0}, True),
        ("string-length(${a})", {}, 0),
        # numbers against numeric strings compare numerically
        ("${age} > 5", {"age": "12"}, True),
        ("${age} = '12'", {"age": 12}, True),
        ("${age} = '12.0'", {"age": 12}, True),
        ("${age} >= 18", {"age": 17}, False),
        ("${age} < 18", {}, False),  # '' is NaN: relational comparisons are false
        ("${age} > 'abc'", {"age": 3}, False),
        ("${age} = 'abc'", {"age": 3}, False),
        ("${age} != 'abc'", {"age": 3}, True),
        ("${code} = '007'", {"code": "007"}, True),
        ("${code} = 7", {"code": "007"}, True),
        ("'b' = 'b'", {}, True),
        # booleans: '' and 0 are false, other strings are true
        ("${a} and true()", {"a": ""}, False),
        ("${a} and true()", {"a": 0}, False),
        ("${a} and true()", {"a": "0"}, True),
        ("${a} or false()", {"a": []}, False),
        ("not(${a})", {}, True),
        ("true() = 'x'", {}, True),
        ("false() = ''", {}, True),
        # selected / count-selected on lists and space-separated strings
        ("selected(${s}, 'b')", {"s": ["a", "b"]}, True),
        ("selected(${s}, 'b')", {"s": "a b"}, True),
        ("selected(${s}, 'c')", {"s": "a b"}, False),
        ("selected(${s}, ' a ')", {"s": ["a"]}, True),
        ("selected(${s}, 'a')", {}, False),
        ("count-selected(${s})", {"s": ["a", "b", "c"]}, 3),
        ("count-selected(${s})", {"s": "a  b"}, 2),
        ("count-selected(${s})", {}, 0),
        ("${s} = 'a b'", {"s": ["a", "b"]}, True),
        # arithmetic
        ("1 + 2 * 3", {}, 7),
        ("(1 + 2) * 3", {}, 9),
        ("7 div 2", {}, 3.5),
        ("7 mod 3", {}, 1),
        ("-7 mod 3", {}, -1),
        ("- ${a} + 1", {"a": 3}, -2),
        ("1 - -1", {}, 2),
        ("10 - 2 - 3", {}, 5),
        ("int(-3.7)", {}, -3),
        ("int('4.9')", {}, 4),
        ("number('3.5') + 1", {}, 4.5),
        ("number('x')", {}, math.nan),
        ("${a} + 1", {}, math.nan),
        ("1 div 0", {}, math.inf),
        ("-1 div 0", {}, -math.inf),
        ("0 div 0", {}, math.nan),
        ("5 mod 0", {}, math.nan),
        # strings
        ("string-length('héllo')", {}, 5),
        ("string(12)", {}, "12"),
        ("string(1 div 2)", {}, "0.5"),
        ("concat('a', 1, ${x}, true())", {"x": ["p", "q"]}, "a1p qtrue"),
        ("coalesce(${a}, ${b}, 'z')", {"b": "y"}, "y"),
        ("coalesce(${a}, 'z')", {}, "z"),
        ("if(${a} = 'yes', 'A', 'B')", {"a": "yes"}, "A"),
        ("if(${a} = 'yes', 'A', 'B')", {}, "B"),
        # precedence: and binds tighter than or; comparison tighter than and
        ("true() or false() and false()", {}, True),
        ("1 < 2 = true()", {}, True),
        ("1 + 1 = 2 and 3 > 2", {}, True),
        # dates: today() comes from the caller; ISO strings compare as dates
        ("today() = '2024-06-15'", {}, True),
        ("${d} <= today()", {"d": "2024-06-14"}, True),
        ("${d} <= today()", {"d": "2024-06-16"}, False),
        ("${d} > '2020-01-01'", {"d": "2024-06-14"}, True),
        ("today() - ${d}", {"d": "2024-06-10"}, 5),
        ("string(today())", {}, "2024-06-15"),
        # regex (search, like ODK)
        ("regex(${z}, '^[0-9]{5}$')", {"z": "94110"}, True),
        ("regex(${z}, '^[0-9]{5}$')", {"z": "9411"}, False),
        ("regex(${z}, 'ab')", {"z": "xaby"}, True),
        ("regex(${z}, ${p})", {"z": "abc", "p": "b+"}, True),
        ("regex(${z}, ${p})", {"z": "abc", "p": "(b+)+"}, False),  # unsafe at runtime: false
        ("regex(${z}, ${p})", {"z": "abc", "p": "[b"}, False),
    ],
)
def test_semantics(source: str, answers: dict[str, object], expected: object) -> None:
    result = ev(source, answers)
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(result, float) and math.isnan(result)
    else:
        assert result == expected


def test_current_value_and_defaults() -> None:
    assert ev(". > 3", current=5) is True
    assert ev(". = ''") is True
    assert ev("string-length() = 3", current="abc") is True
    assert ev("number() + 1", current="2") == 3
    assert ev("string()", current=["a", "b"]) == "a b"
    assert parse("string-length(.) > 0").uses_current
    assert parse("string-length() > 0").uses_current
    assert not parse("${a} > 0").uses_current


def test_references_and_source() -> None:
    expression = parse("selected(${a}, 'x') and ${b} > ${ a } or . = 1")
    assert expression.references() == {"a", "b"}
    assert expression.source == "selected(${a}, 'x') and ${b} > ${ a } or . = 1"
    assert parse("1").references() == set()
    assert parse("${a} = 1") == parse("${a} = 1")


def test_today_defaults_to_the_real_date() -> None:
    assert parse("today()").evaluate({}) == date.today()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", False), (None, False), (0, False), (0.0, False), (math.nan, False), ([], False),
        (False, False), ("0", True), ("false", True), (1, True), (-2.5, True), (["a"], True),
        (TODAY, True), (True, True),
    ],
)  # fmt: skip
def test_truthy(value: object, expected: bool) -> None:
    assert truthy(value) is expected


VALID_EXPRESSIONS = [
    "${a} = 'yes'",
    "${a} != '' and ${b} > 3",
    "selected(${s}, 'x') or count-selected(${s}) >= 2",
    "string-length(${t}) <= 10",
    "number(${a}) + int(${b}) * 2 div ${c} mod 3 - -${a}",
    "concat(${a}, '-', ${b}) = coalesce(${c}, 'z')",
    "if(${a}, ${b}, ${c}) = string(${d})",
    "not(${a}) and true() or false()",
    "today() - ${d} > 30",
    "regex(${t}, '^[0-9]+$') and regex(${t}, ${p})",
    ". >= ${a} and . <= today()",
    "${a} < ${b} and ${b} >= ${c} and ${c} = ${d}",
]

leaf_values = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.dates() | st.lists(st.text(max_size=5), max_size=4) | st.just(object())
    | st.binary(max_size=5) | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    | st.sampled_from(["", "0", "1e400", "-", "2024-02-30", "2024-02-29", " 5 ", "NaN", "x" * 6000])
)  # fmt: skip
answer_dicts = st.dictionaries(st.sampled_from(list("abcdstp")), leaf_values, max_size=7)


@settings(database=None, max_examples=300, deadline=None)
@given(answers=answer_dicts, current=leaf_values, today=st.none() | st.dates())
def test_evaluation_never_raises(
    answers: dict[str, object], current: object, today: object
) -> None:
    # evaluate() has a last-resort guard that logs; the values themselves must not need it.
    failures = _Collect()
    logger = logging.getLogger("fieldscan.survey.expressions")
    logger.addHandler(failures)
    try:
        for source in VALID_EXPRESSIONS:
            truthy(parse(source).evaluate(answers, current=current, today=today))
    finally:
        logger.removeHandler(failures)
    assert failures.records == []


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


TOKENS = [
    "${a}", "${b}", ".", "'x'", '"y"', "1", "2.5", ".5", "=", "!=", "<", "<=", ">", ">=",
    "and", "or", "div", "mod", "+", "-", "*", "(", ")", ",", "not(", "selected(", "if(",
    "count-selected(", "concat(", "regex(", "today()", "true()", "AND", "==", "$", "{", "}",
    "'", '"', "..", "/", "&", "!", " ", "\u0663", "²",
]  # fmt: skip


@settings(database=None, max_examples=500, deadline=None)
@given(text=st.text(max_size=60) | st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_parse_only_raises_expression_error(text: str) -> None:
    try:
        expression = parse(text)
    except ExpressionError as exc:
        assert 0 <= exc.position <= len(text)
        return
    assert isinstance(expression, Expression)
    expression.evaluate({"a": "1", "b": ["x"]}, current="2", today=TODAY)
