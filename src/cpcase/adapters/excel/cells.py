"""What the readers yield: rows of plain cell values, identical whatever the file format.

Readers normalise everything format-specific so that coercion sees one vocabulary of values:

- empty cells and empty strings are ``None``;
- numbers are ``float`` (Excel stores every number as a double; CSV numbers stay ``str`` and
  the coercers parse them);
- cells formatted as dates are ``datetime.date`` (midnight) or ``datetime.datetime``;
  times are ``datetime.time``;
- error cells (``#N/A``, ``#DIV/0!``...) and the same text in a CSV are :class:`ExcelError`;
- formulas are read as their cached values, never evaluated.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import attrs

__all__ = ["EXCEL_ERRORS", "CellValue", "ExcelError", "RawRow", "cell_ref", "column_letter"]

#: Error values Excel displays (and writes into CSV exports).
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


@attrs.frozen(slots=True)
class ExcelError:
    """An Excel error value such as ``#N/A`` (a formula that failed, or that text in a CSV)."""

    code: str

    def __str__(self) -> str:
        return self.code


CellValue = (
    str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | ExcelError | None
)


class RawRow(NamedTuple):
    """One non-blank row: its 1-based row number in the sheet and its cells from column A."""

    number: int
    cells: tuple[CellValue, ...]


def column_letter(index: int) -> str:
    """Excel column letters of 0-based column ``index``: 0 → "A", 26 → "AA".

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """Excel reference of 1-based ``row`` and 0-based ``column``: (14, 2) → "C14"."""
    return f"{column_letter(column)}{row}"
