"""Find the header row (title rows above, blank columns, two-row headers) and the register sheet.

The header is the row, among the first rows, whose cells name the most known fields. When the
row just below names fields under a merged group header ("Consentement" over "Enfant" and
"Parent"), the two rows are combined ("Consentement Enfant").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from cpcase.adapters.excel._text import clean_text
from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.columns import match_header

__all__ = ["HeaderGuess", "find_header", "score_rows"]

#: How many non-blank rows are searched for the header.
HEADER_SEARCH_ROWS = 30


@attrs.frozen
class HeaderGuess:
    """Where the header is: its last row number, the column names, and how many were known."""

    row: int
    names: tuple[str, ...]
    matched: int
    rows_used: int = 1


def _names(row: RawRow) -> list[str]:
    return [clean_text(str(v)).replace("\n", " ") if v is not None else "" for v in row.cells]


def _matches(names: Sequence[str], extra: Mapping[str, str] | None) -> int:
    seen: set[str] = set()
    for name in names:
        if not name:
            continue
        key = match_header(name, extra)
        if key is not None:
            seen.add(key)
    return len(seen)


def score_rows(rows: Sequence[RawRow], extra: Mapping[str, str] | None = None) -> list[int]:
    """How many distinct known fields each row names (a title row repeated by a merge names
    at most one)."""
    return [_matches(_names(row), extra) for row in rows]


def find_header(
    rows: Sequence[RawRow],
    extra: Mapping[str, str] | None = None,
    *,
    header_row: int | None = None,
) -> HeaderGuess | None:
    """The header among ``rows`` (the first rows of a sheet), or ``None`` if none names at
    least two known fields. ``header_row`` forces the row number.
    """
    if header_row is not None:
        for row in rows:
            if row.number == header_row:
                names = _names(row)
                return HeaderGuess(header_row, tuple(names), _matches(names, extra))
        return None
    candidates = list(rows[:HEADER_SEARCH_ROWS])
    scores = score_rows(candidates, extra)
    if not scores or max(scores) < 2:
        return None
    best = scores.index(max(scores))
    row = candidates[best]
    names = _names(row)
    guess = HeaderGuess(row.number, tuple(names), scores[best])
    for upper_i in (best - 1, best):
        lower_i = upper_i + 1
        if upper_i < 0 or lower_i >= len(candidates):
            continue
        upper, lower = candidates[upper_i], candidates[lower_i]
        if lower.number != upper.number + 1:
            continue
        top, below = _names(upper), _names(lower)
        combined = _combine(top, below)
        score = _matches(combined, extra)
        single = max(scores[upper_i], scores[lower_i])
        better = score > single or (score == single and _grouped(top, below))
        if better and score >= guess.matched:
            guess = HeaderGuess(lower.number, tuple(combined), score, rows_used=2)
    return guess


def _grouped(top: list[str], below: list[str]) -> bool:
    """Whether ``top`` holds a group label over several distinct sub-headers in ``below``."""
    for i in range(1, min(len(top), len(below))):
        if (
            top[i]
            and top[i] == top[i - 1]
            and below[i]
            and below[i - 1]
            and below[i] != below[i - 1]
        ):
            return True
    return False


def _combine(top: list[str], below: list[str]) -> list[str]:
    """Two-row header: a group name over sub-names ("Consentement" + "Enfant")."""
    width = max(len(top), len(below))
    top = top + [""] * (width - len(top))
    below = below + [""] * (width - len(below))
    out: list[str] = []
    group = ""
    for upper, lower in zip(top, below, strict=True):
        if upper:
            group = upper
        if lower and upper and upper != lower:
            out.append(f"{upper} {lower}")
        elif lower:
            out.append(f"{group} {lower}" if group and not upper else lower)
        else:
            out.append(upper)
            group = upper
    return out
