"""Report privacy: cell-size suppression (property-tested against an independent reader) and
the scrubbing of example answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from fieldscan.reports.privacy import (
    SMALL_CELL,
    SUPPRESSED,
    SuppressedCounts,
    SuppressedTable,
    Table,
    display_count,
    examples_allowed,
    is_safe,
    scrub,
    share,
    standalone_count,
    suppress_counts,
    suppress_table,
)

# --- an independent reader: what can be worked out from a shown table -----------------------
# Its own model of the table (keys, not positions), numpy ranks for exact derivation, and
# linear programs for the range of every hidden count (hidden counts are >= 1: zeros are shown).


def _lines(shown: SuppressedTable | SuppressedCounts) -> tuple[dict, list]:
    """Shown values by key, and lines as (members, total, adds up, labels cover the total)."""
    if isinstance(shown, SuppressedCounts):
        values = {("n", k): v for k, v in enumerate(shown.counts)} | {("t",): shown.total}
        members = [("n", k) for k in range(len(shown.counts))]
        return values, [(members, ("t",), not shown.multi_label, shown.labels_complete)]
    m, n = len(shown.cells), len(shown.cells[0])
    values = {("c", i, j): shown.cells[i][j] for i in range(m) for j in range(n)}
    values |= {("r", i): shown.row_totals[i] for i in range(m)}
    values |= {("k", j): shown.column_totals[j] for j in range(n)}
    values[("g",)] = shown.grand_total
    exclusive_rows, exclusive_columns = not shown.multi_label_rows, not shown.multi_label_columns
    cover = shown.labels_complete
    lines = [
        ([("c", i, j) for j in range(n)], ("r", i), exclusive_columns, cover) for i in range(m)
    ]
    lines += [([("c", i, j) for i in range(m)], ("k", j), exclusive_rows, cover) for j in range(n)]
    lines.append(([("r", i) for i in range(m)], ("g",), exclusive_rows, cover))
    lines.append(([("k", j) for j in range(n)], ("g",), exclusive_columns, cover))
    return values, lines


def reader_finds(shown: SuppressedTable | SuppressedCounts, truth: dict | None = None) -> list:
    """Everything the reader learns that it must not: shown small counts, derived hidden
    counts, hidden groups of a line that sum to 1..10, hidden counts pinned by the bounds."""
    values, lines = _lines(shown)
    found = [("shown", k) for k, v in values.items() if v is not SUPPRESSED and 0 < v <= 10]
    hidden = [k for k, v in values.items() if v is SUPPRESSED]
    if not hidden:
        return found
    col = {k: i for i, k in enumerate(hidden)}
    eq, eq_rhs, le, le_rhs = [], [], [], []

    def add(terms: list, rows: list, rhs: list) -> None:
        row, r = np.zeros(len(hidden)), 0.0
        for key, a in terms:
            if key in col:
                row[col[key]] += a
            else:
                r -= a * values[key]
        if row.any():
            rows.append(row)
            rhs.append(r)

    for members, total, adds_up, cover in lines:
        terms = [(k, 1) for k in members] + [(total, -1)]
        if adds_up:
            add(terms, eq, eq_rhs)
            if values[total] is not SUPPRESSED:
                rest = values[total] - sum(values[k] for k in members if k not in col)
                if any(k in col for k in members) and 0 < rest <= SMALL_CELL:
                    found.append(("group", total, rest))
        else:
            for k in members:
                add([(k, 1), (total, -1)], le, le_rhs)
            if cover:
                add([(k, -a) for k, a in terms], le, le_rhs)
    if eq:
        rank = np.linalg.matrix_rank(np.array(eq))
        for key, i in col.items():
            unit = np.eye(len(hidden))[i]
            if np.linalg.matrix_rank(np.vstack([eq, unit])) == rank:
                found.append(("derived", key))
    if truth is not None and not found:
        found += _pinned_by_bounds(hidden, eq, eq_rhs, le, le_rhs, truth)
    return found


def _pinned_by_bounds(hidden: list, eq: list, eq_rhs: list, le: list, le_rhs: list, truth: dict):
    """Hidden counts whose smallest and largest possible values (linear programs) agree. Counts
    that a few random objectives already move away from the truth are not pinned."""
    bounds = {
        "A_eq": np.array(eq) if eq else None,
        "b_eq": eq_rhs or None,
        "A_ub": np.array(le) if le else None,
        "b_ub": le_rhs or None,
        "bounds": [(1, None)] * len(hidden),
        "method": "highs",
    }
    true = np.array([truth[k] for k in hidden], dtype=float)
    moved = np.zeros(len(hidden), dtype=bool)
    for c in np.random.default_rng(7).choice([-1.0, 1.0], size=(4, len(hidden))):
        result = linprog(c, **bounds)
        if result.status == 0:
            moved |= np.abs(result.x - true) > 0.5
    pinned = []
    for i in np.flatnonzero(~moved):
        unit = np.eye(len(hidden))[i]
        low, high = linprog(unit, **bounds), linprog(-unit, **bounds)
        assert low.status == 0, low.message
        if high.status == 0 and -high.fun - low.fun < 0.5:
            pinned.append(("pinned", hidden[i], low.fun))
    return pinned


# --- tables ----------------------------------------------------------------------------------

COUNT = st.one_of(st.just(0), st.integers(1, 10), st.integers(11, 60), st.integers(11, 500))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """Tables 1x1 to 8x8: plain, or with multi-label rows or columns (themes)."""
    m, n = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    cells = draw(st.lists(st.lists(COUNT, min_size=n, max_size=n), min_size=m, max_size=m))
    kind = draw(st.sampled_from(["plain", "multi_rows", "multi_columns"]))
    complete = draw(st.booleans())

    def respondents(counts: list[int]) -> int:
        most = max(counts)
        return draw(st.integers(most, sum(counts) if complete else most + 40))

    if kind == "multi_columns":
        totals = [respondents(row) for row in cells]
        return Table(cells, row_totals=totals, multi_label_columns=True, labels_complete=complete)
    if kind == "multi_rows":
        totals = [respondents(list(column)) for column in zip(*cells, strict=True)]
        return Table(cells, column_totals=totals, multi_label_rows=True, labels_complete=complete)
    return Table(cells)


def truth_of(table: Table) -> dict:
    m, n = len(table.cells), len(table.cells[0])
    truth = {("c", i, j): table.cells[i][j] for i in range(m) for j in range(n)}
    truth |= {("r", i): v for i, v in enumerate(table.row_totals)}  # type: ignore[arg-type]
    truth |= {("k", j): v for j, v in enumerate(table.column_totals)}  # type: ignore[arg-type]
    return truth | {("g",): table.grand_total}


PROPERTY = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@PROPERTY
@given(tables())
def test_no_small_count_is_shown_or_derivable(table: Table) -> None:
    shown = suppress_table(table)
    assert reader_finds(shown, truth_of(table)) == []
    assert is_safe(shown)
    assert (
        suppress_table(Table(**{**table.__dict__, "cells": [list(r) for r in table.cells]}))
        == shown
    )
    m, n = len(shown.cells), len(shown.cells[0])
    for i in range(m):
        for j in range(n):
            cell, truth = shown.cells[i][j], table.cells[i][j]
            assert cell in (truth, SUPPRESSED) and (cell is SUPPRESSED or not 0 < cell <= 10)
            for total in (shown.row_totals[i], shown.column_totals[j], shown.grand_total):
                ratio = share(cell, total)
                if SUPPRESSED in (cell, total) or total == 0:
                    assert ratio is None  # a share never stands in for a hidden count
                else:
                    assert ratio == cell / total


@PROPERTY
@given(st.lists(COUNT, min_size=1, max_size=12), st.booleans(), st.booleans(), st.data())
def test_lists_of_counts(counts: list[int], multi: bool, complete: bool, data: st.DataObject):
    high = sum(counts) if complete else max(counts) + 40
    total = data.draw(st.integers(max(counts), high)) if multi else None
    shown = suppress_counts(counts, total, multi_label=multi, labels_complete=complete)
    truth = {("n", k): v for k, v in enumerate(counts)}
    truth[("t",)] = sum(counts) if total is None else total
    assert reader_finds(shown, truth) == [] and is_safe(shown)
    assert all(s in (c, SUPPRESSED) for s, c in zip(shown.counts, counts, strict=True))


# --- examples --------------------------------------------------------------------------------

S = SUPPRESSED


def test_small_counts_and_their_complements_are_hidden_and_zeros_shown() -> None:
    shown = suppress_table(Table([[5, 20, 30], [40, 3, 50], [60, 70, 0]]))
    assert shown.cells == ((S, S, 30), (S, S, 50), (60, 70, 0))
    assert (shown.row_totals, shown.column_totals, shown.grand_total) == (
        (55, 93, 130),
        (105, 93, 80),
        278,
    )
    assert is_safe(shown)


def test_a_small_total_is_hidden() -> None:
    shown = suppress_table(Table([[4, 3], [0, 50]]))
    assert shown.row_totals[0] is S and shown.column_totals[0] is S
    assert reader_finds(shown) == []


def test_two_rows_minus_a_column_give_no_count_away() -> None:
    # Line by line each hidden count has a partner, yet row totals 1 and 3 (hidden) add up to
    # the grand total minus row 2, and column 1 then yields the 9: the audit hides more.
    table = Table([[53, 0, 0], [0, 7, 8], [5, 9, 0]])
    unsafe = SuppressedTable(
        ((S, 0, 0), (0, S, S), (S, S, 0)), (S, 15, S), (58, S, S), 82
    )  # fmt: skip
    assert not is_safe(unsafe) and ("derived", ("c", 2, 1)) in reader_finds(unsafe)
    shown = suppress_table(table)
    assert is_safe(shown) and reader_finds(shown, truth_of(table)) == []


def test_counts_at_their_floor_of_one_are_not_pinned() -> None:
    # 1 + 1 = 26 - 24: two ones whose sum follows from the totals, so both are known exactly.
    table = Table([[1, 5, 0], [1, 19, 0], [7, 0, 48]])
    unsafe = SuppressedTable(((S, S, 0), (S, S, 0), (S, 0, S)), (S, S, 55), (S, 24, S), 81)
    assert reader_finds(unsafe, truth_of(table))[0][:2] == ("pinned", ("c", 0, 0))
    assert reader_finds(suppress_table(table), truth_of(table)) == []


def test_multi_label_counts_never_leave_one_theme_hidden() -> None:
    # 50 respondents, every answer labelled: a lone hidden theme would be >= 50 - 45 = 5.
    shown = suppress_counts([45, 5, 0], 50, multi_label=True)
    assert shown.counts == (S, S, 0) and shown.total == 50
    shown = suppress_counts([40, 5, 20], 50, multi_label=True, labels_complete=False)
    assert shown.counts == (40, S, S) and share(shown.counts[0], shown.total) == 0.8
    assert suppress_counts([5, 20, 30, 0]) == SuppressedCounts((S, S, 30, 0), 55)


def test_tables_are_checked() -> None:
    for bad in (
        {"cells": [[1, 2], [3]]},
        {"cells": [[-1]]},
        {"cells": [[]]},
        {"cells": [[1, 2]], "row_totals": [4]},
        {"cells": [[1, 2]], "multi_label_columns": True},
        {"cells": [[5, 6]], "row_totals": [12], "multi_label_columns": True},
    ):
        with pytest.raises(ValueError):
            Table(**bad)  # type: ignore[arg-type]
    table = Table([[5, 6]], row_totals=[9], multi_label_columns=True)
    assert table.grand_total == 9 and table.column_totals == (5, 6)


def test_display_helpers() -> None:
    assert display_count(S) is None and display_count(0) == "0" and display_count(120) == "120"
    assert [standalone_count(c) for c in (0, 1, 10, 11)] == [0, None, None, 11]
    assert share(S, 10) is None and share(5, S) is None and share(0, 0) is None
    assert not examples_allowed(0) and not examples_allowed(10) and examples_allowed(11)


# --- scrub -----------------------------------------------------------------------------------

SCRUBBED = [
    ("call me 555-0143", "call me [phone]"),
    ("(555) 123-4567 or 555.123.4567 or +1 555 123 4567", "[phone] or [phone] or [phone]"),
    ("i call 1-800-555-0199 for rides", "i call [phone] for rides"),
    ("mi cel es +52 55 1234 5678", "mi cel es [phone]"),
    ("５５５－０１４３ nhé", "[phone] nhé"),
    ("số điện thoại 090 123 4567, gọi 0912.345.678", "số điện thoại [phone], gọi [phone]"),
    ("電話138 0013 8000，打13800138000找我", "電話[phone]，打[phone]找我"),
    ("010-1234-5678로 전화주세요", "[phone]로 전화주세요"),
    ("maria.lopez@gmail.com y juan＠yahoo.com", "[email] y [email]"),
    ("email pedro (at) hotmail.com", "email [email]"),
    ("https://www.cdc.gov/flu/index.html.", "www.cdc.gov."),
    ("see facebook.com/maria.lopez.123 and bit.ly/3xYz", "see facebook.com and bit.ly"),
    ("vvimmigrantlegal.org", "vvimmigrantlegal.org"),
    ("I live at 123 Main St.", "I live at [address]"),
    ("4550 W. Olive Ave Apt 5, Valle Verde", "[address], Valle Verde"),
    ("P.O. Box 123 or apartado postal 12", "[address] or [address]"),
    ("vivo en Calle 5 #123 col. centro", "vivo en [address] col. centro"),
    ("av. juarez 45 y Avenida de la Reforma 123 int. 4", "[address] y [address]"),
    ("nhà ở số 5 đường Lê Lợi", "nhà ở [address]"),
    ("我住在中山路123號", "我住在[address]"),
    ("台北市民生東路三段45巷6號", "台北市[address]"),
    ("on 3/14/2024, 2024-03-14 or 14.03.2024", "on [date], [date] or [date]"),
    ("come on 3/14 at 6pm", "come on [date] at 6pm"),
    ("Tuesday, March 14 and the 14th of March", "[date] and [date]"),
    ("el 14 de marzo de 2024, lunes 14 de marzo", "[date], [date]"),
    ("ngày 14 tháng 3 năm 2024", "[date]"),
    ("2024年3月14日 and 三月十四日 and 3月14号", "[date] and [date] and [date]"),
    ("3월 14일에 갔어요", "[date]에 갔어요"),
]

ORDINARY = [
    "Escucha La Voz de Río Claro 98.3 y ve Univision",
    "car seat check at fire station 3",
    "She is 28 weeks pregnant, 3 kids, WIC, 211, section 8",
    "Head Start for her 4 year old until 6pm",
    "radio viet 1230",
    "211 is open 24/7 and 1/2 the price",
    "from 2019-2024 she lived in March 2020 covid",
    "211 and st marys has food on saturdays",
    "en la calle con mis 3 hijos, los sábados 3 veces",
    "Le revisaron el asiento en la estación de bomberos número 3",
    "$1,200 rent and 3.5 miles",
    "bé 3 tháng tuổi, có 2 đường đi",
    "3個月大的寶寶，小孩有WIC。",
    "pantry on main st every other week",
    "First 5 home visits every 2 weeks",
]


@pytest.mark.parametrize(("text", "expected"), SCRUBBED)
def test_scrub_replaces_identifiers(text: str, expected: str) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize("text", ORDINARY)
def test_scrub_keeps_ordinary_numbers(text: str) -> None:
    assert scrub(text) == text
