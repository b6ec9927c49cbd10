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
    if best + 1 < len(candidates) and candidates[best + 1].number == row.number + 1:
        combined = _combine(names, _names(candidates[best + 1]))
        score = _matches(combined, extra)
        below = _matches(_names(candidates[best + 1]), extra)
        if score > guess.matched and below < score:
            guess = HeaderGuess(row.number + 1, tuple(combined), score, rows_used=2)
    return guess


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
