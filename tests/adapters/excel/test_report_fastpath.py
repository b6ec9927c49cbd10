"""The writer's fast path for unstyled rows gives each cell exactly the markup of the general
path (used for styled rows), whatever the values and however full its cache of text markup.

``Style.DEFAULT`` is style 0, which writes no ``s`` attribute: a row appended with it must be
byte for byte the row appended without a style.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from cpcase.adapters.excel import _xlsxwrite
from cpcase.adapters.excel._xlsxwrite import Formula, Style, Styled, XlsxWriter
from cpcase.adapters.excel.cells import ExcelError

# Characters the writer treats specially: XML specials, controls it drops, formula prefixes,
# spaces it keeps with xml:space, non-characters, and text beyond Latin-1 and the BMP; they
# are tried anywhere in a text, and in particular first and last.
_SPECIAL = list(" \t\r\n\u00a0=+-@<>&\x00\x01\x0b\x1f\ufffe\uffff\uff1d")
_ALPHABET = st.sampled_from([*_SPECIAL, *"ab'\"é—\U0001f600"])
_TEXT = st.one_of(
    st.text(_ALPHABET, max_size=8),
    st.builds(
        lambda first, middle, last: first + middle + last,
        st.sampled_from(["", *_SPECIAL]),
        st.text(st.sampled_from(list("ab é—\U0001f600")), max_size=6),
        st.sampled_from(["", *_SPECIAL]),
    ),
)
_PLAIN = st.one_of(
    st.none(),
    _TEXT,
    _TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),  # noqa: DTZ001 - Excel times are naive
    st.times(),
    st.sampled_from([ExcelError("#N/A"), ExcelError("#DIV/0!")]),
    st.builds(Formula, st.just("=A1+1"), st.one_of(st.none(), st.floats(), _TEXT)),
)
_VALUE = st.one_of(_PLAIN, st.builds(Styled, _PLAIN, st.sampled_from(list(Style))))
_ROWS = st.lists(st.lists(_VALUE, max_size=30), min_size=1, max_size=12)


def _sheet_rows(rows: list[list[Any]], style: Style | None) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.xlsx"
        with XlsxWriter(path) as book:
            sheet = book.add_sheet("Rows", widths=(10,))
            for values in rows:
                sheet.append(values, style=style)
            # The same rows again, after the first ones filled the cache.
            for values in rows:
                sheet.append(values, style=style)
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    return re.findall(r"<row .*?</row>", xml, re.S)


@given(_ROWS)
def test_unstyled_rows_match_the_general_path(rows: list[list[Any]]) -> None:
    assert _sheet_rows(rows, None) == _sheet_rows(rows, Style.DEFAULT)


@given(_ROWS)
def test_unstyled_rows_match_when_the_cache_keeps_starting_over(rows: list[list[Any]]) -> None:
    general = _sheet_rows(rows, Style.DEFAULT)
    with mock.patch.object(_xlsxwrite, "_TEXT_TAILS", 2):
        assert _sheet_rows(rows, None) == general


def test_repeated_text_is_written_in_full_each_time() -> None:
    rows = [["Gao", "=1", " Gao", "Gao"], ["Gao", "a&b", "=1"]]
    assert _sheet_rows(rows, None)[:2] == [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Gao</t></is></c>'
        '<c r="B1" s="5" t="inlineStr"><is><t>=1</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t xml:space="preserve"> Gao</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>Gao</t></is></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Gao</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>a&amp;b</t></is></c>'
        '<c r="C2" s="5" t="inlineStr"><is><t>=1</t></is></c></row>',
    ]
