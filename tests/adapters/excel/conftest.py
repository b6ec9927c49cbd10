"""Fixtures for register tests: workbooks written from readable markdown tables (pyxform style).

A table cell is read as:

- empty → no cell;
- ``d:2023-03-12`` → a date cell; ``dt:2023-03-12T10:30`` → a date-time cell;
- ``f:=DATEDIF(E2,B2,"Y")|12`` → a formula whose cached value is 12 (``|#N/A`` for an error);
- ``e:#N/A`` → an error cell;
- ``s:12`` → the text "12" (not a number);
- ``n:12`` or a plain number (``12``, ``7.5``) → a number;
- anything else → text (``\\|`` for a literal bar, ``\\n`` for a line break).

All names in fixtures are invented.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from cpcase.adapters.excel._xlsxwrite import Formula, XlsxWriter
from cpcase.adapters.excel.cells import ExcelError

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def parse_cell(text: str) -> Any:
    """One markdown cell → a value for :class:`XlsxWriter`."""
    text = text.strip().replace("\\n", "\n").replace("\\|", "|")
    if not text:
        return None
    if text.startswith("d:"):
        return dt.date.fromisoformat(text[2:])
    if text.startswith("dt:"):
        return dt.datetime.fromisoformat(text[3:])
    if text.startswith("f:"):
        formula, _, cached = text[2:].partition("|")
        value: Any = None
        if cached.startswith("#"):
            value = ExcelError(cached)
        elif _NUMBER.match(cached):
            value = float(cached)
        elif cached:
            value = cached
        return Formula(formula, value)
    if text.startswith("e:"):
        return ExcelError(text[2:])
    if text.startswith("s:"):
        return text[2:]
    if text.startswith("n:"):
        return float(text[2:])
    if _NUMBER.match(text):
        return float(text)
    return text


def md_rows(md: str) -> list[list[Any]]:
    """Rows of a markdown table (each line ``| a | b |``; a line of only bars is a blank row)."""
    rows: list[list[Any]] = []
    for line in md.strip("\n").splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("|"):
            raise ValueError(f"not a table line: {line!r}")
        inner = line[1:-1] if line.endswith("|") and not line.endswith("\\|") else line[1:]
        cells = re.split(r"(?<!\\)\|", inner)
        rows.append([parse_cell(c) for c in cells])
    return rows


def write_md_workbook(
    path: Path,
    sheets: dict[str, str],
    *,
    merges: dict[str, Sequence[tuple[int, int, int, int]]] | None = None,
    hidden: Sequence[str] = (),
) -> Path:
    """Write ``{sheet name: markdown table}`` to ``path``; merges are (row1, col1, row2, col2)
    with 1-based rows and 0-based columns."""
    with XlsxWriter(path) as book:
        for name, md in sheets.items():
            sheet = book.add_sheet(name, hidden=name in hidden)
            for row in md_rows(md):
                sheet.append(row)
            for merge in (merges or {}).get(name, ()):
                sheet.merge(*merge)
    return path


def write_csv(path: Path, md: str, *, delimiter: str = ";", encoding: str = "utf-8") -> Path:
    """The same table as a CSV file (values as Excel would print them)."""
    lines = []
    for row in md_rows(md):
        cells = []
        for value in row:
            if value is None:
                text = ""
            elif isinstance(value, dt.date):
                text = value.strftime("%d/%m/%Y")
            elif isinstance(value, float):
                text = str(int(value)) if value == int(value) else str(value)
            elif isinstance(value, Formula):
                text = str(value.cached) if value.cached is not None else ""
                if isinstance(value.cached, float) and value.cached == int(value.cached):
                    text = str(int(value.cached))
            else:
                text = str(value)
            if any(ch in text for ch in (delimiter, '"', "\n")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def md_workbook(tmp_path: Path) -> Callable[..., Path]:
    """``md_workbook(md, name="registre.xlsx", sheet="Registre", merges=...)`` → path."""

    def make(
        md: str,
        name: str = "registre.xlsx",
        sheet: str = "Registre",
        merges: Sequence[tuple[int, int, int, int]] = (),
    ) -> Path:
        return write_md_workbook(tmp_path / name, {sheet: md}, merges={sheet: merges})

    return make


@pytest.fixture
def md_csv(tmp_path: Path) -> Callable[..., Path]:
    """``md_csv(md, name="registre.csv", delimiter=";", encoding="utf-8")`` → path."""

    def make(
        md: str, name: str = "registre.csv", delimiter: str = ";", encoding: str = "utf-8"
    ) -> Path:
        return write_csv(tmp_path / name, md, delimiter=delimiter, encoding=encoding)

    return make


def to_shared_strings(path: Path) -> Path:
    """Rewrite a workbook's inline strings into a shared-strings table, as Excel writes them."""
    import zipfile

    pattern = re.compile(
        r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>'
        r"(.*?)</t></is></c>",
        re.S,
    )
    strings: list[str] = []
    index: dict[str, int] = {}

    def swap(match: re.Match[str]) -> str:
        text = match.group(3)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index[text]}</v></c>'

    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = pattern.sub(swap, parts[name].decode("utf-8")).encode("utf-8")
    sst = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings)
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    ).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


@pytest.fixture
def shared_strings() -> Callable[[Path], Path]:
    """``shared_strings(path)`` rewrites the workbook with a shared-strings table."""
    return to_shared_strings
