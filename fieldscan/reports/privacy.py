"""Report privacy: CMS cell-size suppression and the rules for example answers. Pure Python.

No count 1..:data:`SMALL_CELL` is shown or derivable from totals and shares (CMS):

- Primary: every count 1..10, cell or total, is :data:`SUPPRESSED`. Zeros are shown (CMS allows
  0; it describes no one); complements are never 0 either, so a reader knows hidden >= 1.
- Complementary: rows, columns and the two lines of totals are *lines*. No line keeps exactly
  one hidden entry, and where a line adds up and shows its total its hidden members never sum
  to 1..10: hide the smallest non-zero shown member (else the total), to a fixed point.
- Audit: lines combine (two rows minus two columns; counts pinned at their floor of 1), so the
  checks of :func:`is_safe` and an exact test (:func:`_pinned`) follow, a complement per leak.
- Shares come from shown numbers only (:func:`share`), so they never tell more than counts.
- Multi-label categories (themes) do not add up: nothing follows by subtraction across them.
  But a theme count is <= its total, and when all labels are listed (``none`` too) they cover
  it, so a lone hidden theme is >= total - the shown ones (pinned if that is 10, or if the rest
  are 0): those lines keep the one-entry rule. Two hidden themes only bound their sum, and the
  group rule needs a sum, so it applies to lines that add up.
- Per table: two tables cutting the same people two ways can be differenced; show one.

Example answers: groups of 11 or more only (:func:`examples_allowed`), after :func:`scrub`. A URL
becomes its domain: the organisation (``cdc.gov``) is what an answer names; paths and queries
can name people (``facebook.com/maria.lopez``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias
from urllib.parse import urlsplit

from fieldscan.reports.cycles import on_cycles as _on_cycles

#: Counts from 1 to this are never shown, nor derivable (CMS cell-size suppression).
SMALL_CELL = 10
Suppressed = enum.Enum("Suppressed", {"SUPPRESSED": "suppressed"})
#: A count not shown. The UI words it ("<11" from SMALL_CELL); it also stands for complements
#: of 11 or more, so the footnote should say "1 to 10, or hidden to protect such a count".
SUPPRESSED = Suppressed.SUPPRESSED
Shown: TypeAlias = "int | Suppressed"


def display_count(value: Shown) -> str | None:
    """The digits of a shown count; None for a suppressed one (the UI renders the marker)."""
    return None if value is SUPPRESSED else str(value)


def share(numerator: Shown, denominator: Shown) -> float | None:
    """``numerator / denominator``, or None when either is suppressed or the denominator is 0."""
    if numerator is SUPPRESSED or denominator is SUPPRESSED or denominator == 0:
        return None
    return numerator / denominator  # type: ignore[operator]


def standalone_count(count: int) -> int | None:
    """A count shown with no total or share beside it: None when it is 1..10."""
    return None if 0 < count <= SMALL_CELL else count


def examples_allowed(group_size: int) -> bool:
    """Whether example answers may be quoted for a group of ``group_size`` respondents."""
    return group_size > SMALL_CELL


class _Line(NamedTuple):
    members: tuple[int, ...]  # positions in the flat list of values
    total: int
    additive: bool  # total == sum(members); else label counts, each <= total
    covering: bool  # (labels) the members add up to at least the total
    side: int = 1  # rows +1, columns -1: a cycle of changes alternates sides (see _pinned)

    def terms(self) -> list[tuple[int, int]]:
        """The line as ``sum(members) - total``: (position, coefficient) pairs."""
        return [(m, 1) for m in self.members] + [(self.total, -1)]

    def equation(self, nonzero: list[bool]) -> bool:
        """Adds up, or covers its total with one possibly non-zero member (x <= total <= x)."""
        return self.additive or (self.covering and sum(nonzero) <= 1)


def _flat(table: Table | SuppressedTable | SuppressedCounts) -> tuple[list, list[_Line]]:
    """Values in one list (cells, row totals, column totals, grand; or counts, total), lines."""
    if isinstance(table, SuppressedCounts):
        size, flags = len(table.counts), (not table.multi_label, table.labels_complete)
        return [*table.counts, table.total], [_Line(tuple(range(size)), size, *flags)]
    m, n, complete = len(table.cells), len(table.cells[0]), table.labels_complete
    rows, columns = not table.multi_label_columns, not table.multi_label_rows  # lines add up
    r0, c0, grand = m * n, m * n + m, m * n + m + n
    lines = [_Line(tuple(range(i * n, i * n + n)), r0 + i, rows, complete) for i in range(m)]
    lines += [_Line(tuple(range(j, r0, n)), c0 + j, columns, complete, -1) for j in range(n)]
    lines += [_Line(tuple(range(r0, c0)), grand, columns, complete, 1)]
    lines += [_Line(tuple(range(c0, grand)), grand, rows, complete, -1)]
    cells = [v for row in table.cells for v in row]
    return [*cells, *table.row_totals, *table.column_totals, table.grand_total], lines


def _validate(values: list, lines: list[_Line]) -> None:
    if any(type(v) is not int or v < 0 for v in values):
        raise ValueError("counts must be non-negative integers")
    for line in lines:
        members, total = [values[p] for p in line.members], values[line.total]
        if line.additive and sum(members) != total:
            raise ValueError(f"total {total} is not the sum of {members}")
        if not line.additive and (max(members) > total or line.covering and sum(members) < total):
            raise ValueError(f"label counts {members} exceed or (labels_complete) miss {total}")


@dataclass(frozen=True)
class Table:
    """Counts (rows x columns) and the row, column and grand totals the report shows (sums when
    left out). ``multi_label_rows``: one respondent can be in several rows (themes), so column
    and grand totals count respondents and must be given. ``labels_complete``: every label
    (``none`` too) is a row (column), so together they cover those totals."""

    cells: Sequence[Sequence[int]]
    row_totals: Sequence[int] | None = None
    column_totals: Sequence[int] | None = None
    grand_total: int | None = None
    multi_label_rows: bool = False
    multi_label_columns: bool = False
    labels_complete: bool = True

    def __post_init__(self) -> None:
        cells = tuple(map(tuple, self.cells))
        rows = tuple(self.row_totals or [sum(r) for r in cells])
        columns = tuple(self.column_totals or [sum(c) for c in zip(*cells, strict=True)])
        multi = (self.multi_label_columns, self.multi_label_rows)
        given = (self.row_totals, self.column_totals, self.grand_total)
        if any(m and g is None for m, g in zip((*multi, all(multi)), given, strict=True)):
            raise ValueError("totals over multi-label categories count respondents: give them")
        if not columns or {len(r) for r in cells} != {len(columns)} or len(rows) != len(cells):
            raise ValueError("a table needs cells, rows of one length and a total for each")
        grand = sum(rows if multi[0] else columns) if self.grand_total is None else self.grand_total
        self.__dict__.update(cells=cells, row_totals=rows, column_totals=columns, grand_total=grand)
        _validate(*_flat(self))


@dataclass(frozen=True)
class SuppressedTable:
    """A :class:`Table` as shown: counts or :data:`SUPPRESSED`; shares by :func:`share`."""

    cells: tuple[tuple[Shown, ...], ...]
    row_totals: tuple[Shown, ...]
    column_totals: tuple[Shown, ...]
    grand_total: Shown
    multi_label_rows: bool = False
    multi_label_columns: bool = False
    labels_complete: bool = True


@dataclass(frozen=True)
class SuppressedCounts:
    """Counts (e.g. per theme) and their total as shown; shares by :func:`share`."""

    counts: tuple[Shown, ...]
    total: Shown
    multi_label: bool = False
    labels_complete: bool = True


def suppress_table(table: Table) -> SuppressedTable:
    """Suppress small counts in ``table`` and every count that would give one away."""
    values, lines = _flat(table)
    shown = _suppress(values, lines)
    m, n = len(table.cells), len(table.cells[0])
    flags = (table.multi_label_rows, table.multi_label_columns, table.labels_complete)
    cells = tuple(tuple(shown[i * n : i * n + n]) for i in range(m))
    return SuppressedTable(
        cells, tuple(shown[m * n : m * n + m]), tuple(shown[m * n + m : -1]), shown[-1], *flags
    )


def suppress_counts(
    counts: Sequence[int], total: int | None = None, *, multi_label: bool = False,
    labels_complete: bool = True,
) -> SuppressedCounts:  # fmt: skip
    """Suppress a list of counts and its total (respondents, which ``multi_label`` needs)."""
    if total is None and multi_label:
        raise ValueError("the total of multi-label counts is respondents: give it")
    total = sum(counts) if total is None else total
    values, lines = _flat(SuppressedCounts(tuple(counts), total, multi_label, labels_complete))
    _validate(values, lines)
    shown = _suppress(values, lines)
    return SuppressedCounts(tuple(shown[:-1]), shown[-1], multi_label, labels_complete)


def is_safe(table: SuppressedTable | SuppressedCounts) -> bool:
    """Whether a reader sees no count 1..10 in ``table`` and works none out: no hidden value
    follows by elimination over the lines that are equations, and no hidden group sums to 1..10
    (a line's total minus its shown members, or elimination)."""
    known, lines = _flat(table)
    if any(v is not SUPPRESSED and 0 < v <= SMALL_CELL for v in known):
        return False
    return not _leaks([None if v is SUPPRESSED else v for v in known], lines)


def _suppress(values: list[int], lines: list[_Line]) -> list[Shown]:
    """``values`` with primary suppressions, then complements one at a time: by the line rules,
    and when they find nothing, by the audit, until that finds nothing either."""
    hidden = {p for p, v in enumerate(values) if 0 < v <= SMALL_CELL}
    while True:
        for line in lines:
            alone = sum(p in hidden for p in (*line.members, line.total)) == 1
            group = sum(values[p] for p in line.members if p in hidden)
            small = line.additive and line.total not in hidden and 0 < group <= SMALL_CELL
            if (alone or small) and (pick := _complement(values, hidden, [line])) is not None:
                break
        else:
            known = [None if p in hidden else v for p, v in enumerate(values)]
            leaks = _leaks(known, lines) or [(p, None) for p in _pinned(values, hidden, lines)]
            if not leaks:
                return [SUPPRESSED if p in hidden else v for p, v in enumerate(values)]
            at, index = leaks[0]
            near = [ln for ln in lines if at in (*ln.members, ln.total)]
            pick = _complement(values, hidden, near if index is None else [lines[index]])
            if pick is None:
                pick = _complement(values, hidden, lines)
            if pick is None:  # all counts hidden (a conservative pin can outlive complements)
                return [SUPPRESSED if v else 0 for v in values]
        hidden.add(pick)


def _complement(values: list[int], hidden: set[int], lines: list[_Line]) -> int | None:
    """The smallest non-zero shown member of ``lines``, else their smallest shown total."""
    for pool in ([p for ln in lines for p in ln.members], [ln.total for ln in lines]):
        options = [(values[p], p) for p in pool if p not in hidden and values[p] > 0]
        if options:
            return min(options)[1]
    return None


def _leaks(known: list[int | None], lines: list[_Line]) -> list[tuple[int, int | None]]:
    """(position, line index or None) for each thing a reader works out from ``known``. Integer
    Gauss-Jordan: the lines form a network matrix (totally unimodular), so pivots are +-1."""
    pivots: list[tuple[int, dict[int, int], int]] = []
    for line in (ln for ln in lines if ln.equation([known[m] != 0 for m in ln.members])):
        row = {p: a for p, a in line.terms() if known[p] is None}
        rhs = -sum(a * known[p] for p, a in line.terms() if known[p])  # type: ignore[misc]
        for pivot, prow, prhs in pivots:
            if factor := row.get(pivot):
                row = {q: c for q in row | prow if (c := row.get(q, 0) - factor * prow.get(q, 0))}
                rhs -= factor * prhs
        if row:
            pivot = min(row)
            scale = row[pivot]  # +-1, its own inverse
            row, rhs = {q: c * scale for q, c in row.items()}, rhs * scale
            for k, (other, prow, prhs) in enumerate(pivots):
                if factor := prow.get(pivot):
                    prow = {
                        q: c for q in prow | row if (c := prow.get(q, 0) - factor * row.get(q, 0))
                    }
                    pivots[k] = (other, prow, prhs - factor * rhs)
            pivots.append((pivot, row, rhs))
    leaks: list[tuple[int, int | None]] = [
        (pivot, None)
        for pivot, row, rhs in pivots
        if len(row) == 1 or (set(row.values()) == {1} and 0 < rhs <= SMALL_CELL)
    ]
    for index, line in enumerate(lines):
        unknown = [m for m in line.members if known[m] is None]
        total = known[line.total]
        rest = None if total is None else total - sum(known[m] or 0 for m in line.members)
        if line.additive and unknown and rest is not None and 0 < rest <= SMALL_CELL:
            leaks.append((unknown[0], index))
    return leaks


def _pinned(values: list[int], hidden: set[int], lines: list[_Line]) -> list[int]:
    """Hidden positions that all tables fitting what is shown agree on (exact, given counts).

    Lines are nodes, hidden values edges (a covering label line adds a slack >= 0 to a free node,
    which also ends values in one line and stands for label lines that need not cover). Another
    fitting table differs by cycles of +-1 steps that keep line sums; a step may lower a value
    only above its floor (1; slack 0), and no step passes a label count equal to its total.
    """
    free, slack = -1, {}
    ends: dict[int, list[tuple[int, int]]] = {p: [] for p in hidden}
    up_tight, down_tight = set(), set()
    for index, line in enumerate(lines):
        equation = line.equation([m in hidden or values[m] > 0 for m in line.members])
        for p, a in line.terms():
            if p in hidden:
                ends[p].append((index if equation or line.covering else free, a))
        if not equation:
            equal = {m for m in line.members if values[m] == values[line.total]}
            up_tight |= equal & hidden  # both hidden: neither moves (conservative)
            down_tight |= {line.total} & hidden if equal else set()
            if line.covering:
                ends[-1 - index] = [(index, -1)]
                slack[-1 - index] = sum(values[m] for m in line.members) - values[line.total] + 1
    out: dict[int, list[tuple[int, int]]] = {}  # node -> [(edge, next node)]
    for p, end in ends.items():
        (u, a), (v, b) = end + [(free, 1)] * (2 - len(end))
        for here, there, ca, cb in ((u, v, a, b), (v, u, b, a)):
            if here != free:
                steps = [-lines[here].side * ca]
            else:
                steps = [lines[there].side * cb] if there != free else [1, -1]
            lower = slack.get(p, values[p] if p >= 0 else 0) > 1 and p not in down_tight
            for step in steps:
                if (step > 0 and p not in up_tight) or (step < 0 and lower):
                    out.setdefault(here, []).append((p, there))
    arcs = [(p, here, there) for here in out for p, there in out[here]]
    return sorted(hidden - _on_cycles(out, arcs))


def _domain(match: re.Match[str]) -> str:
    """A URL's host, with the sentence punctuation that followed it."""
    url = match.group()
    tail = url[len(url.rstrip(".,;:!?)]}'\"»」』）。，！？")) :]
    url = url[: len(url) - len(tail)]
    return (urlsplit(url if "//" in url else "//" + url).hostname or url) + tail


def _phone(match: re.Match[str]) -> str:
    """``[phone]`` for 7 to 15 digits (not a range of years such as 2019-2024)."""
    years = re.fullmatch(rf"(?:19|20)\d\d{_SEP}(?:19|20)\d\d", match.group())
    digits = len(re.findall(r"\d", match.group()))
    return "[phone]" if 7 <= digits <= 15 and not years else match.group()


def _slash_date(match: re.Match[str]) -> str:
    """``[date]`` for m/d or d/m, but not 24/7 nor the fractions 1/2, 1/3, 2/3, 1/4, 3/4."""
    a, b = (int(x) for x in re.findall(r"\d+", match.group())[-2:])
    ordinary = (a, b) == (24, 7) or a < b <= 4 or 0 in (a, b) or min(a, b) > 12 or max(a, b) > 31
    return match.group() if ordinary else "[date]"


# fmt: off
_SEP = "[ \\t.\\-\u2010-\u2015\u2212\uff0d\u3000\uff0e]"  # between the digits of a phone number
_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril"
          r"|mayo|junio|julio|agosto|sep?tiembre|octubre|noviembre|diciembre)\b\.?")
_DAYS = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)day"
_WEEKDAY = rf"(?:(?:{_DAYS}|lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo),?\s+)?"
_DAY = r"(?:(?:the|el)\s+)?(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:,?\s+(?:de\s+)?\d{4})?"
_WORD = (r"(?!(?:and|or|at|the|to|for|from|in|on|with|by|of|my|her|his|y|o|en|a|con|mis?|sus?"
         rf"|para|por|que)\b)[{_LATIN}][\w'’.-]*")  # in a street name, not a little word
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|apto|depto|int|interior|#)\.?\s*#?\s*\w{1,5}\b)?"
_CJK = "[\\d一二三四五六七八九十〇零]{1,3}"
_PATTERNS = [  # (pattern, replacement) in order: URLs, e-mail, addresses, dates, phone numbers
    (r"\b(?:https?|ftp)://[^\s<>\"]+", _domain),
    (r"[\w.%+\-]+\s?(?:@|＠|\[at\]|\(at\))\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+", "[email]"),
    (r"\b(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:com|org|net|gov|edu|us|io|info"
     r"|ly|gl|me|co|app|mx|vn|tw|cn|kr|ph)\b(?:[/?#][^\s<>\"]*)?", _domain),
    (r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box|apartado(?:\s+postal)?|apdo\.?)\s*#?\s*\d+",
     "[address]"),
    (r"(?<!\w)\d{1,6}[a-z]?(?:-\d+)?\s+(?:(?:[nsew]|north|south|east|west)\.?\s+)?"
     rf"(?:(?:{_WORD}|\d+(?:st|nd|rd|th))\s+){{1,3}}(?:st(?:reet)?|ave(?:nue)?|blvd|boulevard"
     r"|rd|road|dr(?:ive)?|ln|lane|way|ct|court|pl(?:ace)?|pkwy|parkway|hwy|highway|cir(?:cle)?"
     rf"|ter(?:race)?|trl|trail)\b\.?{_UNIT}", "[address]"),
    (r"\b(?:calle|avenida|avda\.?|av\.?|bulevar|boulevard|blvd\.?|calzada|calz\.?|privada"
     rf"|callej[oó]n|carretera|carr\.?)\s+(?:(?:de|del|la|las|los|el|\d{{1,2}}\s+de\s+{_MONTH}"
     rf"|{_WORD})\s+){{0,3}}(?:#|n[oº°]\.?|n[uú]m(?:ero|\.)?)?\s*\d{{1,5}}[a-z]?\b{_UNIT}",
     "[address]"),
    (rf"(?:số\s+)?\d{{1,5}}(?:/\d{{1,4}})?\s+(?:đường|phố)\s+(?P<name>[{_LATIN}]\w*)"
     rf"(?:\s+[{_LATIN}]\w*){{0,2}}", lambda m: m[0] if m["name"][:1].islower() else "[address]"),
    (r"(?:(?![在住到去的我是於从從和跟往市區区縣县])[\u4e00-\u9fff]){1,5}(?:路|街|大道)"
     rf"(?:{_CJK}段)?(?:\d+[巷弄])*\d+\s*[號号](?:\d+[樓楼])?", "[address]"),
    (rf"(?<!\d){_WEEKDAY}(?:\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}"
     r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2}))(?![\d/.-]?\d)", "[date]"),
    (rf"(?<![\d/]){_WEEKDAY}\d{{1,2}}/\d{{1,2}}(?![\d/])", _slash_date),
    (rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}{_YEAR}", "[date]"),
    (rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+|de\s+)?{_MONTH}{_YEAR}", "[date]"),
    (rf"\b{_DAYS},?\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)\b", "[date]"),
    (r"(?:\bngày\s+\d{1,2}(?:\s*tháng\s*\d{1,2}|\s*/\s*\d{1,2})|(?<!\d)\d{1,2}\s+tháng\s+"
     r"\d{1,2}(?=\s+năm))(?:\s*năm\s*\d{4}|/\d{2,4})?", "[date]"),
    (rf"(?:\d{{2,4}}\s*[年년]\s*)?{_CJK}\s*[月월]\s*{_CJK}\s*[日号號일]"
     r"(?:\s*[(（]?(?:星期|週|周)[一二三四五六日天][)）]?)?", "[date]"),
    (rf"(?<![\d{_LATIN}+＋.,/])(?:[+＋]\s?\d{{1,3}}{_SEP}?)?(?:[(（]\s?\d{{1,4}}\s?[)）]{_SEP}?)?"
     rf"\d{{1,12}}(?:{_SEP}{{1,2}}\d{{1,12}}){{0,5}}(?![\d{_LATIN}])", _phone),
]
_RULES = [(re.compile(pattern, re.IGNORECASE), replace) for pattern, replace in _PATTERNS]
# fmt: on


def scrub(text: str) -> str:
    """``text`` with phone numbers, e-mail and street addresses and dates replaced by the same
    tokens in every language (``[phone]``, ``[email]``, ``[address]``, ``[date]``) and URLs by
    their domain. Digits of any script count; ordinary numbers ("98.3 FM", "3 kids") stay."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
