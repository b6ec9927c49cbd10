"""Small-cell suppression: unit cases and the property "nothing suppressed is recoverable".

Two oracles independent of the flow-network code in ``suppression.py`` check it:

* exact rational linear algebra: a suppressed entry is determined by the published margins'
  linear equations iff its unit vector lies in the row space of the constraint matrix restricted
  to the suppressed entries (necessary condition, any table size);
* brute-force enumeration of every non-negative integer completion of small tables, which also
  catches entries pinned by non-negativity (exact intervals).
"""

from __future__ import annotations

import doctest
import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.rules.sharing import suppression
from cpcase.rules.sharing.suppression import (
    CountTable,
    Entry,
    SuppressionError,
    feasible_intervals,
    suppress,
)


def _table(cells: list[list[int]]) -> CountTable:
    return CountTable(
        tuple(f"r{i}" for i in range(len(cells))),
        tuple(f"c{j}" for j in range(len(cells[0]))),
        tuple(tuple(r) for r in cells),
    )


def _constraints(n_rows: int, n_cols: int) -> list[dict[Entry, int]]:
    """The linear equations tying a table's cells to its margins (coefficients by entry)."""
    eqs: list[dict[Entry, int]] = []
    for i in range(n_rows):
        eq = {(i, j): 1 for j in range(n_cols)}
        eq[(i, n_cols)] = -1
        eqs.append(eq)
    for j in range(n_cols):
        eq = {(i, j): 1 for i in range(n_rows)}
        eq[(n_rows, j)] = -1
        eqs.append(eq)
    eq = {(i, n_cols): 1 for i in range(n_rows)}
    eq[(n_rows, n_cols)] = -1
    eqs.append(eq)
    return eqs


def _rank(rows: list[list[Fraction]]) -> int:
    m = [r[:] for r in rows]
    rank = 0
    n_cols = len(m[0]) if m else 0
    for c in range(n_cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][c] != 0:
                f = m[r][c] / m[rank][c]
                m[r] = [a - f * b for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def _linearly_determined(n_rows: int, n_cols: int, hidden: set[Entry], entry: Entry) -> bool:
    cols = sorted(hidden)
    a = [[Fraction(eq.get(e, 0)) for e in cols] for eq in _constraints(n_rows, n_cols)]
    unit = [Fraction(int(e == entry)) for e in cols]
    return _rank([*a, unit]) == _rank(a)


def _brute_intervals(
    grid: tuple[tuple[int, ...], ...], hidden: set[Entry], cap: int
) -> dict[Entry, tuple[int, int]]:
    """Min/max of each hidden entry over all non-negative integer completions (cells <= cap)."""
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    free = [(i, j) for i in range(n_rows) for j in range(n_cols) if (i, j) in hidden]
    lows: dict[Entry, int] = {}
    highs: dict[Entry, int] = {}
    for values in itertools.product(range(cap + 1), repeat=len(free)):
        cells = [list(r[:n_cols]) for r in grid[:n_rows]]
        for (i, j), v in zip(free, values, strict=True):
            cells[i][j] = v
        full = _table(cells).grid()
        if any(full[e[0]][e[1]] != grid[e[0]][e[1]] for e in _all(n_rows, n_cols) - hidden):
            continue
        for e in hidden:
            v = full[e[0]][e[1]]
            lows[e] = min(lows.get(e, v), v)
            highs[e] = max(highs.get(e, v), v)
    return {e: (lows[e], highs[e]) for e in hidden}


def _all(n_rows: int, n_cols: int) -> set[Entry]:
    return {(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1)}


tables = st.integers(1, 4).flatmap(
    lambda r: st.integers(1, 5).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(0, 30), min_size=c, max_size=c), min_size=r, max_size=r
        )
    )
)
small_tables = st.integers(1, 2).flatmap(
    lambda r: st.integers(1, 2).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(0, 4), min_size=c, max_size=c), min_size=r, max_size=r
        )
    )
)


def test_module_doctests() -> None:
    result = doctest.testmod(suppression)
    assert result.attempted > 0
    assert result.failed == 0


def test_small_cell_and_its_rectangle_are_hidden() -> None:
    s = suppress(_table([[12, 2, 9], [10, 11, 8]]), threshold=5)
    assert s.primary == {(0, 1)}
    # The cheapest rectangle through (0, 1) uses the column of 9/8, not the one of 12/10.
    assert s.complementary == {(0, 2), (1, 1), (1, 2)}
    assert s.values[2] == (22, 13, 17, 52)  # margins stay published
    assert s.intervals()[(0, 1)] == (0, 11)


def test_no_small_cells_means_nothing_suppressed() -> None:
    s = suppress(_table([[5, 6], [7, 0]]), threshold=5)
    assert s.suppressed == frozenset()
    assert s.values == ((5, 6, 11), (7, 0, 7), (12, 6, 18))


def test_zero_is_not_a_small_cell() -> None:
    assert suppress(_table([[0, 9], [9, 9]]), threshold=5).suppressed == frozenset()


def test_small_margin_is_suppressed_and_protected() -> None:
    # Row 0 totals 4 (< 5): its total and its small cells must go, and stay unrecoverable.
    s = suppress(_table([[1, 3, 0], [20, 30, 40]]), threshold=5)
    assert {(0, 0), (0, 1), (0, 3)} <= s.primary
    assert all(lo < (hi if hi is not None else lo + 1) for lo, hi in s.intervals().values())


def test_one_row_table_hides_column_total_too() -> None:
    # With one row, each column total equals its cell: hiding the cell means hiding the total.
    s = suppress(_table([[3, 10, 12]]), threshold=5)
    assert (0, 0) in s.suppressed
    assert (1, 0) in s.suppressed


def test_threshold_one_suppresses_nothing() -> None:
    assert suppress(_table([[1, 2], [3, 4]]), threshold=1).suppressed == frozenset()


def test_forced_entries_are_suppressed_and_protected() -> None:
    s = suppress(_table([[10, 20], [30, 40]]), threshold=5, force=[(0, 2)])
    assert (0, 2) in s.primary
    assert len(s.suppressed) >= 2


def test_published_rows_mark_suppressed() -> None:
    s = suppress(_table([[12, 2, 9], [10, 11, 8]]), threshold=5)
    rows = s.published_rows(mark="x")
    assert rows[0] == ("", "c0", "c1", "c2", "Total")
    assert rows[1] == ("r0", "12", "x", "x", "23")
    assert rows[3] == ("Total", "22", "13", "17", "52")


@pytest.mark.parametrize(
    ("cells", "threshold", "force"),
    [
        ([[1, -2]], 5, ()),
        ([[1, 2], [3]], 5, ()),
        ([[True, 2]], 5, ()),
        ([[1, 2]], 0, ()),
        ([[1, 2]], 5, [(5, 5)]),
    ],
)
def test_bad_input_is_refused(cells: list[list[int]], threshold: int, force: list[Entry]) -> None:
    with pytest.raises(SuppressionError):
        suppress(
            CountTable(
                tuple(f"r{i}" for i in range(len(cells))),
                tuple(f"c{j}" for j in range(len(cells[0]))),
                tuple(tuple(r) for r in cells),
            ),
            threshold=threshold,
            force=force,
        )


@given(cells=tables, threshold=st.integers(2, 6))
def test_no_suppressed_entry_is_determined_by_published_entries(
    cells: list[list[int]], threshold: int
) -> None:
    table = _table(cells)
    s = suppress(table, threshold=threshold)
    n_rows, n_cols = table.shape
    grid = table.grid()
    # Every small non-zero entry is suppressed; everything published is exact.
    for i, j in _all(n_rows, n_cols):
        v = grid[i][j]
        if 0 < v < threshold:
            assert s.values[i][j] is None
        elif (i, j) not in s.suppressed:
            assert s.values[i][j] == v
    # Oracle 1: linear algebra alone cannot pin any suppressed entry.
    hidden = set(s.suppressed)
    for entry in hidden:
        assert not _linearly_determined(n_rows, n_cols, hidden, entry)
    # And the exact bounds (which include non-negativity) leave each one a range.
    for lo, hi in s.intervals().values():
        assert hi is None or lo < hi


@given(cells=small_tables, data=st.data())
def test_intervals_match_brute_force(cells: list[list[int]], data: st.DataObject) -> None:
    table = _table(cells)
    n_rows, n_cols = table.shape
    grid = table.grid()
    entries = sorted(_all(n_rows, n_cols))
    hidden = set(data.draw(st.sets(st.sampled_from(entries), max_size=len(entries))))
    cap = grid[n_rows][n_cols] + 3
    got = feasible_intervals(grid, hidden)
    want = _brute_intervals(grid, hidden, cap)
    for entry in hidden:
        lo, hi = got[entry]
        assert lo == want[entry][0]
        if hi is None:
            assert want[entry][1] >= cap  # grows as far as the enumeration allows
        else:
            assert hi == want[entry][1]
