"""XPath 1.0 value semantics for survey expressions (conversions, comparisons, regex safety).

Answers reach expressions as plain Python values (``str``, ``int``, ``list`` for
select_multiple, ``None`` for unanswered, ``date`` from ``today()``). Every helper here
is total: it returns an XPath-ish result (``NaN``, ``''``, ``False``) for any input
instead of raising, because a respondent's data must never crash a survey.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from datetime import date, datetime

#: Longest accepted regex pattern, in characters.
MAX_REGEX_LENGTH = 200
#: Longest subject a regex is run on. Nested quantifiers are rejected, but patterns
#: with overlapping adjacent quantifiers can still be polynomial; capping the subject
#: keeps the worst case bounded (answers are far shorter than this).
MAX_REGEX_SUBJECT = 5000

_EPOCH = date(1970, 1, 1)
_NUMBER = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*\Z")
_ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*\Z")

try:  # the regex parser is private; without it we only lose the nested-quantifier check
    import re._parser as _sre_parse  # type: ignore[import-not-found]
    from re._constants import MAXREPEAT  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Python versions
    _sre_parse = None
    MAXREPEAT = None


def to_string(value: object) -> str:
    """XPath ``string()``: '' for unanswered, space-joined values for lists, 'true'/'false'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(to_string(item) for item in value)
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - arbitrary objects may have a broken __str__
        return ""


def _format_number(value: float) -> str:
    # XPath prints integral numbers without a fraction ("3", not "3.0").
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def to_number(value: object) -> float:
    """XPath ``number()``: NaN for anything that is not a number; dates become days since 1970.

    ISO date strings count as dates because date answers are stored as ISO strings and
    forms compare them with ``today()`` or do arithmetic on them, as typed ODK answers allow.
    """
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, datetime):
        return float((value.date() - _EPOCH).days)
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    text = value if isinstance(value, str) else to_string(value)
    if len(text) > 400:  # no real number is that long; avoids slow conversions
        return math.nan
    if _NUMBER.match(text):
        try:
            return float(text)
        except ValueError:
            return math.nan
    parsed = parse_iso_date(text)
    if parsed is not None:
        return float((parsed - _EPOCH).days)
    return math.nan


def parse_iso_date(text: str) -> date | None:
    """The date of an ISO ``YYYY-MM-DD`` string, or None."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def truthy(value: object) -> bool:
    """XPath ``boolean()``: '', 0, NaN, unanswered and empty selections are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) > 0
    if isinstance(value, date):
        return True
    return to_string(value) != ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(op: str, left: object, right: object) -> bool:
    """XPath comparison: booleans win, then numbers (and dates), else strings for = and !=.

    Relational operators always compare numerically, so a non-numeric string gives NaN
    and the comparison is false, as in XPath.
    """
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = truthy(left) == truthy(right)
        elif (
            _is_number(left)
            or _is_number(right)
            or isinstance(left, date)
            or isinstance(right, date)
        ):
            equal = to_number(left) == to_number(right)  # NaN never equals anything
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b  # ">="


def arithmetic(op: str, left: object, right: object) -> float:
    """``+ - * div mod`` on numbers, with IEEE results (Infinity, NaN) instead of errors."""
    a, b = to_number(left), to_number(right)
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            if b == 0:
                if a == 0 or math.isnan(a):
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        if b == 0 or math.isinf(a) or math.isnan(b):  # "mod": XPath truncates like fmod
            return math.nan
        return math.fmod(a, b)
    except (ArithmeticError, ValueError):
        return math.nan


def selected_values(value: object) -> list[str]:
    """The values of a select answer: a list, or a space-separated string (XLSForm storage)."""
    if isinstance(value, list | tuple):
        return [to_string(item).strip() for item in value if to_string(item).strip()]
    return to_string(value).split()


def xpath_int(value: object) -> float:
    """XPath/ODK ``int()``: truncates toward zero; NaN and infinities pass through."""
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return number
    return float(math.trunc(number))


def iter_strings(values: Iterable[object]) -> Iterable[str]:
    """``to_string`` of each value (for ``concat``)."""
    return (to_string(value) for value in values)


class UnsafePatternError(ValueError):
    """A regex pattern that is too long, invalid, or prone to catastrophic backtracking."""


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compile a ``regex()`` pattern after the safety checks, or raise UnsafePatternError."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise UnsafePatternError(f"regex pattern is longer than {MAX_REGEX_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafePatternError(f"invalid regex pattern: {exc}") from None
    if _sre_parse is not None and _has_nested_repeat(_sre_parse.parse(pattern)):
        raise UnsafePatternError(
            "regex pattern repeats a repetition (like '(a+)+'), which can hang; simplify it"
        )
    return compiled


def _has_nested_repeat(parsed: object, inside_repeat: bool = False) -> bool:
    # Python's re has no timeout, so reject the shapes that backtrack exponentially:
    # a variable-length repetition inside another repetition.
    if _sre_parse is None:
        return False
    for op, arg in parsed:  # type: ignore[attr-defined]
        name = getattr(op, "name", str(op))
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            variable = low != high
            if inside_repeat and variable:
                return True
            outer = high == MAXREPEAT or high > 10
            if _has_nested_repeat(sub, inside_repeat or outer):
                return True
            continue
        for sub in _subpatterns(arg):
            if _has_nested_repeat(sub, inside_repeat):
                return True
    return False


def _subpatterns(arg: object) -> Iterable[object]:
    if isinstance(arg, _sre_parse.SubPattern):
        yield arg
    elif isinstance(arg, list | tuple):
        for item in arg:
            yield from _subpatterns(item)


def regex_matches(subject: object, pattern: object) -> bool:
    """ODK ``regex(value, pattern)``: whether the pattern matches anywhere in the value."""
    compiled = pattern if isinstance(pattern, re.Pattern) else None
    if compiled is None:
        try:
            compiled = compile_regex(to_string(pattern))
        except UnsafePatternError:
            return False
    text = to_string(subject)
    if len(text) > MAX_REGEX_SUBJECT:
        return False
    return compiled.search(text) is not None
