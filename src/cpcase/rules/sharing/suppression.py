"""Small-cell suppression with complementary suppression for published statistics.

Aggregate statistics about abused children can identify a child when a cell is small ("one
girl aged 15-17 in Ménaka registered for sexual violence this month"). The Mali SOP asks for
disaggregated statistics by level of responsibility (§6.3 L1193–L1195) but is silent on
disclosure control; the requirements extraction recommends small-cell suppression
(mali-sop-2020-requirements.md §9.5 [INFERRED]). The threshold is policy data (default: counts
from 1 to 4 are suppressed).

Suppressing a small cell is not enough when the row and column totals are published: the cell
can be recovered by subtraction. This module therefore adds *complementary* suppressions until
no suppressed entry is determined by the published ones, and proves it by computing the exact
range every suppressed entry can take given everything published.

A table with margins is modelled as a circulation in a small flow network (a classic result
for two-way tables): source → row ``i`` carries the row total, row ``i`` → column ``j`` carries
cell ``(i, j)``, column ``j`` → sink carries the column total, and sink → source carries the
grand total. Published entries are fixed flows; suppressed entries are free non-negative flows.
The largest increase of a suppressed entry is the maximum flow that can circulate through it in
the residual network, so :func:`feasible_intervals` gives exact integer bounds (the transport
polytope is integral) with a few tiny max-flow runs.

Entries are addressed in the ``(R+1) × (C+1)`` grid that includes the margins: ``(i, C)`` is the
total of row ``i``, ``(R, j)`` the total of column ``j`` and ``(R, C)`` the grand total.

>>> t = CountTable(("girls", "boys"), ("0-4", "5-9", "10-14"), ((12, 2, 9), (10, 11, 8)))
>>> s = suppress(t, threshold=5)
>>> s.values
((12, None, None, 23), (10, None, None, 29), (22, 13, 17, 52))
>>> sorted(s.primary), sorted(s.complementary)
([(0, 1)], [(0, 2), (1, 1), (1, 2)])
>>> s.intervals()[(0, 1)]
(0, 11)
>>> all(lo < hi for lo, hi in s.intervals().values())
True
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping

import attrs

from cpcase.errors import CpcaseError

__all__ = [
    "CountTable",
    "Entry",
    "SuppressedTable",
    "SuppressionError",
    "feasible_intervals",
    "suppress",
]

#: ``(row, column)`` in the grid including margins.
Entry = tuple[int, int]


class SuppressionError(CpcaseError, ValueError):
    """A table cannot be suppressed as asked (malformed table or threshold)."""

    message = "invalid table for suppression"


def _check_table(
    row_labels: tuple[str, ...], col_labels: tuple[str, ...], cells: tuple[tuple[int, ...], ...]
) -> None:
    if not row_labels or not col_labels:
        raise SuppressionError("a table needs at least one row and one column")
    if len(cells) != len(row_labels):
        raise SuppressionError(f"{len(cells)} rows of cells for {len(row_labels)} row labels")
    for i, row in enumerate(cells):
        if len(row) != len(col_labels):
            raise SuppressionError(
                f"row {i} has {len(row)} cells for {len(col_labels)} column labels"
            )
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SuppressionError(f"cell ({i}, {j}) must be a non-negative integer count")


@attrs.frozen
class CountTable:
    """A two-way table of counts (rows × columns); margins are computed, never given."""

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]

    def __attrs_post_init__(self) -> None:
        _check_table(self.row_labels, self.col_labels, self.cells)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)`` without the margins."""
        return len(self.row_labels), len(self.col_labels)

    def grid(self) -> tuple[tuple[int, ...], ...]:
        """The ``(R+1) × (C+1)`` grid: cells, row totals (last column), column totals (last row)."""
        rows = [(*row, sum(row)) for row in self.cells]
        col_totals = tuple(sum(row[j] for row in rows) for j in range(len(self.col_labels) + 1))
        return (*(tuple(r) for r in rows), col_totals)


@attrs.frozen
class SuppressedTable:
    """A table ready to publish: suppressed entries are ``None`` in :attr:`values`.

    ``primary`` holds the entries suppressed because they are small (``0 < n < threshold``) or
    forced; ``complementary`` the entries suppressed only to protect them.
    """

    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    values: tuple[tuple[int | None, ...], ...]
    primary: frozenset[Entry]
    complementary: frozenset[Entry]
    threshold: int
    _true: tuple[tuple[int, ...], ...] = attrs.field(repr=False, eq=False, alias="true_grid")

    @property
    def suppressed(self) -> frozenset[Entry]:
        """Every suppressed entry (primary and complementary)."""
        return self.primary | self.complementary

    def intervals(self) -> dict[Entry, tuple[int, int | None]]:
        """Exact ``(low, high)`` range of each suppressed entry given the published ones."""
        return feasible_intervals(self._true, self.suppressed)

    def published_rows(self, *, mark: str = "x") -> tuple[tuple[str, ...], ...]:
        """Text rows for a report: a header, the rows and a total row; ``mark`` for suppressed."""
        header = ("", *self.col_labels, "Total")
        body = [
            (label, *(mark if v is None else str(v) for v in row))
            for label, row in zip((*self.row_labels, "Total"), self.values, strict=True)
        ]
        return (header, *body)


# --- the flow network ---------------------------------------------------------------------------

_SOURCE, _SINK = 0, 1


def _edges(n_rows: int, n_cols: int) -> dict[Entry, tuple[int, int]]:
    """Map each grid entry to its arc ``(tail, head)`` in the circulation network."""
    row_node = [2 + i for i in range(n_rows)]
    col_node = [2 + n_rows + j for j in range(n_cols)]
    arcs: dict[Entry, tuple[int, int]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            arcs[(i, j)] = (row_node[i], col_node[j])
        arcs[(i, n_cols)] = (_SOURCE, row_node[i])
    for j in range(n_cols):
        arcs[(n_rows, j)] = (col_node[j], _SINK)
    arcs[(n_rows, n_cols)] = (_SINK, _SOURCE)
    return arcs


def _max_flow(capacity: Mapping[tuple[int, int], int], source: int, sink: int, limit: int) -> int:
    """Edmonds–Karp max flow from ``source`` to ``sink``, stopping once ``limit`` is reached."""
    residual: dict[int, dict[int, int]] = {}
    for (u, v), cap in capacity.items():
        residual.setdefault(u, {})
        residual.setdefault(v, {})
        residual[u][v] = residual[u].get(v, 0) + cap
        residual[v].setdefault(u, 0)
    if source not in residual or sink not in residual:
        return 0
    flow = 0
    while flow < limit:
        parent: dict[int, int] = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, cap in residual[u].items():
                if cap > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        push = limit - flow
        v = sink
        while v != source:
            u = parent[v]
            push = min(push, residual[u][v])
            v = u
        v = sink
        while v != source:
            u = parent[v]
            residual[u][v] -= push
            residual[v][u] += push
            v = u
        flow += push
    return flow


def _interval(
    grid: tuple[tuple[int, ...], ...], hidden: frozenset[Entry], entry: Entry
) -> tuple[int, int | None]:
    """Exact ``(low, high)`` range of the suppressed ``entry`` (``high`` ``None``: unbounded)."""
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    arcs = _edges(n_rows, n_cols)
    infinity = sum(sum(row) for row in grid) + 1
    tail, head = arcs[entry]
    value = grid[entry[0]][entry[1]]
    capacity: dict[tuple[int, int], int] = {}
    for other in hidden:
        if other == entry:
            continue
        u, v = arcs[other]
        # A free (suppressed) flow can grow without bound and shrink down to zero.
        capacity[(u, v)] = capacity.get((u, v), 0) + infinity
        capacity[(v, u)] = capacity.get((v, u), 0) + grid[other[0]][other[1]]
    # Growing the entry means circulating flow head -> ... -> tail; shrinking, the reverse.
    up = _max_flow(capacity, head, tail, infinity)
    down = _max_flow(capacity, tail, head, value) if value > 0 else 0
    return value - down, None if up >= infinity else value + up


def feasible_intervals(
    grid: tuple[tuple[int, ...], ...], suppressed: Iterable[Entry]
) -> dict[Entry, tuple[int, int | None]]:
    """Exact range of each suppressed entry of ``grid`` knowing every other entry.

    ``grid`` is the full ``(R+1) × (C+1)`` table with margins (see :meth:`CountTable.grid`).
    The result maps each suppressed entry to ``(low, high)``; ``high`` is ``None`` when the entry
    is unbounded (e.g. when the grand total and a whole row are suppressed). An entry is
    *recoverable* exactly when ``low == high``.
    """
    hidden = frozenset(suppressed)
    return {entry: _interval(grid, hidden, entry) for entry in sorted(hidden)}


def _recoverable(
    grid: tuple[tuple[int, ...], ...], hidden: frozenset[Entry], entry: Entry
) -> bool:
    low, high = _interval(grid, hidden, entry)
    return high is not None and low == high


def _cheapest_cycle(
    grid: tuple[tuple[int, ...], ...], hidden: frozenset[Entry], entry: Entry
) -> list[Entry]:
    """Published entries to suppress so that ``entry`` can grow: the cheapest cycle through it.

    Growing ``entry`` by one unit needs a path from its head back to its tail in which each
    entry is either increased (always possible for a suppressed entry) or decreased (possible
    only if it is non-zero). Already-suppressed entries cost nothing; a published interior cell
    costs its count plus one, so small cells are preferred (least information lost); a margin
    costs more than any interior path, so totals are hidden only when nothing else works.
    """
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    arcs = _edges(n_rows, n_cols)
    margin_cost = sum(sum(row) for row in grid) + n_rows * n_cols + 1
    moves: dict[int, list[tuple[int, Entry]]] = {}
    for other, (u, v) in arcs.items():
        if other == entry:
            continue
        moves.setdefault(u, []).append((v, other))  # increase ``other``
        if grid[other[0]][other[1]] > 0:
            moves.setdefault(v, []).append((u, other))  # decrease ``other``

    def cost(e: Entry) -> int:
        if e in hidden:
            return 0
        value = grid[e[0]][e[1]]
        return value + 1 + (margin_cost if e[0] == n_rows or e[1] == n_cols else 0)

    tail, head = arcs[entry]
    best: dict[int, tuple[int, tuple[Entry, ...]]] = {head: (0, ())}
    frontier: list[tuple[int, tuple[Entry, ...], int]] = [(0, (), head)]
    while frontier:
        dist, path, node = heapq.heappop(frontier)
        if node == tail:
            return [e for e in path if e not in hidden]
        if best.get(node, (dist, path)) < (dist, path):
            continue
        for nxt, e in moves.get(node, []):
            cand = (dist + cost(e), (*path, e))
            if nxt not in best or cand < best[nxt]:
                best[nxt] = cand
                heapq.heappush(frontier, (cand[0], cand[1], nxt))
    # Unreachable: col -> sink -> source -> row is always a path of increases.
    raise SuppressionError("no complementary suppression found")


def suppress(
    table: CountTable, *, threshold: int = 5, force: Iterable[Entry] = ()
) -> SuppressedTable:
    """Suppress small entries of ``table`` and enough others that none can be recovered.

    Entries (cells and margins) with ``0 < n < threshold`` are suppressed (primary), as are the
    entries in ``force`` (used to keep margins shared by linked tables consistent). Then, while
    some suppressed entry is determined by the published ones, a complementary entry in its row or
    column is suppressed along the cheapest cycle through it, which frees it to vary. Each round
    frees at least the exposed entry and never un-suppresses anything, so the loop ends.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise SuppressionError("threshold must be a positive integer")
    grid = table.grid()
    n_rows, n_cols = table.shape
    every = {(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1)}
    forced = frozenset(force)
    unknown = forced - every
    if unknown:
        raise SuppressionError(f"forced entries outside the table: {sorted(unknown)}")
    primary = forced | {e for e in every if 0 < grid[e[0]][e[1]] < threshold}
    hidden = frozenset(primary)
    # Suppressing more only widens every range, so an entry once shown free stays free: only
    # the entries not yet shown free are re-checked after each round.
    unproven = sorted(hidden)
    while unproven:
        entry = unproven[0]
        if not _recoverable(grid, hidden, entry):
            unproven.pop(0)
            continue
        added = set(_cheapest_cycle(grid, hidden, entry)) - hidden
        hidden = hidden | added
        unproven = sorted(set(unproven) | added)
    values = tuple(
        tuple(None if (i, j) in hidden else grid[i][j] for j in range(n_cols + 1))
        for i in range(n_rows + 1)
    )
    return SuppressedTable(
        row_labels=table.row_labels,
        col_labels=table.col_labels,
        values=values,
        primary=frozenset(primary),
        complementary=hidden - primary,
        threshold=threshold,
        true_grid=grid,
    )
