"""A small streaming .xlsx writer: constant work per cell, no temporary files, atomic output.

openpyxl's write-only mode spools every sheet to a temporary file in the system temp directory;
with registers that would leave children's names in /tmp if the process died. This writer keeps
each sheet as an in-memory raw-deflate stream (so several sheets can be filled at once while
memory stays at the compressed size), then assembles the zip container itself into a temporary
file *in the destination directory*, fsyncs it and renames it over the target.

Features are the ones registers need: inline strings, numbers, booleans, real dates, formulas
with cached values and error cells (for synthetic registers), a fixed style sheet (header,
dates, highlighted cells, text that must never be read as a formula), frozen header row,
autofilter, column widths, merged cells, list data validations, hidden sheets and cell comments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import struct
import tempfile
import time
import zlib
from collections.abc import Iterable, Sequence
from enum import IntEnum
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs

from cpcase.adapters.excel.cells import ExcelError, column_letter

__all__ = ["Formula", "Style", "Styled", "XlsxWriter", "atomic_write_bytes", "neutralise"]

_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel serials are naive local time
_EPOCH_DATE = dt.date(1899, 12, 30)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
#: First characters that make spreadsheet software treat text as a formula (CSV injection).
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


class Style(IntEnum):
    """The fixed cell styles (indices into ``cellXfs``)."""

    DEFAULT = 0
    HEADER = 1
    DATE = 2
    DATETIME = 3
    TIME = 4
    TEXT = 5  # quotePrefix: shown and edited as text, never a formula
    TITLE = 6
    WRAP = 7
    ERROR = 8
    ERROR_DATE = 9
    ERROR_TEXT = 10
    WARNING = 11
    WARNING_DATE = 12
    WARNING_TEXT = 13
    NOTE = 14
    INTEGER = 15


#: The ``s`` attribute of a cell, by style (the default style, 0, writes none).
_STYLE_ATTR = {style: f' s="{int(style)}"' for style in Style}

_FILL = {"none": 0, "error": 2, "warning": 3, "header": 4, "note": 5}
# (numFmtId, fontId, fillId, quotePrefix, wrap, bold-border)
_XF: dict[Style, tuple[int, int, str, bool, bool]] = {
    Style.DEFAULT: (0, 0, "none", False, False),
    Style.HEADER: (0, 1, "header", False, True),
    Style.DATE: (14, 0, "none", False, False),
    Style.DATETIME: (22, 0, "none", False, False),
    Style.TIME: (21, 0, "none", False, False),
    Style.TEXT: (49, 0, "none", True, False),
    Style.TITLE: (0, 2, "none", False, False),
    Style.WRAP: (0, 0, "none", False, True),
    Style.ERROR: (0, 0, "error", False, False),
    Style.ERROR_DATE: (14, 0, "error", False, False),
    Style.ERROR_TEXT: (49, 0, "error", True, False),
    Style.WARNING: (0, 0, "warning", False, False),
    Style.WARNING_DATE: (14, 0, "warning", False, False),
    Style.WARNING_TEXT: (49, 0, "warning", True, False),
    Style.NOTE: (0, 0, "note", False, False),
    Style.INTEGER: (1, 0, "none", False, False),
}


@attrs.frozen
class Formula:
    """A formula with the value Excel would have cached (registers are read by cached value)."""

    text: str
    cached: str | float | bool | ExcelError | None = None


@attrs.frozen
class Styled:
    """A value with an explicit style."""

    value: Any
    style: Style


def neutralise(text: str) -> bool:
    """Whether ``text`` starts like a formula and must be written as literal text."""
    return text.startswith(INJECTION_PREFIXES)


_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_COMMENTS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<authors><author>cpcase</author></authors><commentList>"
)
_SHAPES_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel">'
    '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
    'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
    '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)
_SPACE_CHARS = frozenset(" \t\n\r\u00a0")
#: How many distinct unstyled text values a sheet remembers the markup of (then it starts over).
_TEXT_TAILS = 4096


def _letters(count: int) -> list[str]:
    return [column_letter(i) for i in range(count)]


_LETTERS = _letters(1024)
#: The start of a cell's markup up to its row number, by column, UTF-8.
_OPEN_CELL = [f'<c r="{letter}'.encode() for letter in _LETTERS]


def _esc(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return text
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text.translate(_ESCAPES)


#: First characters of the formula prefixes (a quick test before ``str.startswith``).
_INJECTION_FIRST = frozenset(prefix[0] for prefix in INJECTION_PREFIXES)
#: First characters for which text may need a style or xml:space.
_SLOW_FIRST = _INJECTION_FIRST | _SPACE_CHARS


def _text_tail(value: str, style: Style | None) -> str:
    """The markup of a text cell after ``<c r="REF``: style, formula guard, escaping."""
    s = style
    if value[:1] in _INJECTION_FIRST and value.startswith(INJECTION_PREFIXES):
        s = _TEXT_STYLE.get(style or Style.DEFAULT, Style.TEXT)
    text = value if _NEEDS_ESCAPE.search(value) is None else _esc(value)
    sattr = (_STYLE_ATTR.get(s) or f' s="{int(s)}"') if s else ""
    if text and (text[0] in _SPACE_CHARS or text[-1] in _SPACE_CHARS):
        return f'"{sattr} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'"{sattr} t="inlineStr"><is><t>{text}</t></is></c>'


def _attr(text: str) -> str:
    return _ILLEGAL.sub("", text).translate(_ATTR_ESCAPES)


def _styles_xml() -> bytes:
    fonts = (
        '<fonts count="3">'
        '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>'
        "</fonts>"
    )
    fills = (
        '<fills count="6">'
        '<fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFE2EFDA"/>'
        '<bgColor indexed="64"/></patternFill></fill>'
        "</fills>"
    )
    xfs = []
    for style in Style:
        num, font, fill, prefix, wrap = _XF[style]
        attrs_ = f'numFmtId="{num}" fontId="{font}" fillId="{_FILL[fill]}" borderId="0" xfId="0"'
        if num:
            attrs_ += ' applyNumberFormat="1"'
        if font:
            attrs_ += ' applyFont="1"'
        if fill != "none":
            attrs_ += ' applyFill="1"'
        if prefix:
            attrs_ += ' quotePrefix="1"'
        if wrap:
            xfs.append(
                f'<xf {attrs_} applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>'
            )
        else:
            xfs.append(f"<xf {attrs_}/>")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + fonts
        + fills
        + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">' + "".join(xfs) + "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ).encode()


_DATE_STYLE = {
    Style.DEFAULT: Style.DATE,
    Style.ERROR: Style.ERROR_DATE,
    Style.WARNING: Style.WARNING_DATE,
}
_TEXT_STYLE = {
    Style.DEFAULT: Style.TEXT,
    Style.ERROR: Style.ERROR_TEXT,
    Style.WARNING: Style.WARNING_TEXT,
    Style.HEADER: Style.HEADER,
}


class _Deflated:
    """A zip member being compressed in memory: raw deflate bytes, CRC and sizes."""

    def __init__(self, level: int = 1) -> None:
        # Level 1: about three times faster than zlib's default for files ~10% larger.
        self._comp = zlib.compressobj(level, zlib.DEFLATED, -15)
        self._parts: list[bytes] = []
        self.crc = 0
        self.size = 0
        # Encoded pieces waiting to be compressed, about 64 KB at a time. zlib's raw deflate
        # stream depends only on the bytes and the level, not on how they are cut into
        # compress() calls (tests/adapters/excel/test_report_golden.py checks it).
        self._pending: list[bytes] = []
        self._pending_len = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._pending.append(data)
        self._pending_len += len(data)
        if self._pending_len > 1 << 16:
            self.flush()

    def write_bytes(self, data: bytes) -> None:
        """Append UTF-8 ``data`` (rows are assembled from markup encoded once per value)."""
        self._pending.append(data)
        self._pending_len += len(data)
        if self._pending_len > 1 << 16:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_len = 0
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        out = self._comp.compress(data)
        if out:
            self._parts.append(out)

    def finish(self) -> list[bytes]:
        self.flush()
        self._parts.append(self._comp.flush())
        return self._parts


@attrs.define
class _Validation:
    col: int
    first_row: int
    last_row: int
    source: str  # formula: a range on another sheet or a quoted list
    prompt_title: str = ""
    prompt: str = ""
    strict: bool = True


class SheetWriter:
    """One worksheet being written row by row."""

    def __init__(
        self,
        book: XlsxWriter,
        index: int,
        title: str,
        *,
        freeze_rows: int,
        autofilter: bool,
        hidden: bool,
        widths: Sequence[float] | None,
        auto_width_rows: int,
    ) -> None:
        self.book = book
        self.index = index
        self.title = title
        self.hidden = hidden
        self.freeze_rows = freeze_rows
        self.autofilter = autofilter
        self._widths: list[float] = list(widths or ())
        self._auto_rows = auto_width_rows if widths is None else 0
        self._buffer: list[tuple[Sequence[Any], Style | None, float | None]] = []
        self._out = _Deflated()
        self._started = False
        self.rows_written = 0
        self.max_cols = 0
        self._merges: list[str] = []
        self._validations: list[_Validation] = []
        # Comments are compressed as they come (they can be many in a report).
        self.comment_count = 0
        self._comments: _Deflated | None = None
        self._shapes: _Deflated | None = None
        # Unstyled text value -> its cell markup after the reference, UTF-8 (see _row).
        self._text_tails: dict[str, bytes] = {}

    # -- public ------------------------------------------------------------------------------

    def append(
        self, values: Sequence[Any], *, style: Style | None = None, height: float | None = None
    ) -> int:
        """Write the next row; returns its 1-based row number."""
        self.rows_written += 1
        if len(values) > self.max_cols:
            self.max_cols = len(values)
        if not self._started:
            self._buffer.append((values, style, height))
            if len(self._buffer) >= max(self._auto_rows, 1):
                self._start()
        else:
            self._row(self.rows_written, values, style, height)
        return self.rows_written

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a range (1-based rows, 0-based columns)."""
        self._merges.append(
            f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
        )

    def validation_list(
        self,
        col: int,
        source: str,
        *,
        first_row: int = 2,
        last_row: int = 1_048_576,
        prompt_title: str = "",
        prompt: str = "",
        strict: bool = True,
    ) -> None:
        """A dropdown on column ``col`` from ``source`` (e.g. ``'Listes'!$A$2:$A$9``)."""
        self._validations.append(
            _Validation(col, first_row, last_row, source, prompt_title, prompt, strict)
        )

    def comment(self, row: int, col: int, text: str) -> None:
        """A cell comment (note) on 1-based ``row``, 0-based ``col``."""
        if self._comments is None or self._shapes is None:
            self._comments, self._shapes = _Deflated(), _Deflated()
            self._comments.write(_COMMENTS_HEAD)
            self._shapes.write(_SHAPES_HEAD)
        k = self.comment_count
        self.comment_count += 1
        letters = _LETTERS[col] if col < len(_LETTERS) else column_letter(col)
        self._comments.write(
            f'<comment ref="{letters}{row}" authorId="0"><text><t xml:space="preserve">'
            f"{_esc(text)}</t></text></comment>"
        )
        r = row - 1
        self._shapes.write(
            f'<v:shape id="_x0000_s{1025 + k}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:144pt;'
            'height:79pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"/></v:textbox><x:ClientData ObjectType="Note">'
            "<x:MoveWithCells/><x:SizeWithCells/>"
            f"<x:Anchor>{col + 1}, 15, {r}, 2, {col + 3}, 15, {r + 4}, 16</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{col}</x:Column>"
            "</x:ClientData></v:shape>"
        )

    def _comment_streams(self) -> tuple[_Deflated, _Deflated] | None:
        if self._comments is None or self._shapes is None:
            return None
        self._comments.write("</commentList></comments>")
        self._shapes.write("</xml>")
        return self._comments, self._shapes

    # -- internals ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        if self._auto_rows:
            widths: list[float] = []
            for values, _, _ in self._buffer:
                for i, value in enumerate(values):
                    if isinstance(value, Styled):
                        value = value.value
                    if value is None:
                        length = 0.0
                    elif isinstance(value, (dt.date, dt.datetime)):
                        length = 11.0
                    else:
                        text = str(value)
                        length = float(max((len(p) for p in text.split("\n")), default=0))
                    while len(widths) <= i:
                        widths.append(8.0)
                    widths[i] = max(widths[i], min(length * 1.1 + 2, 60.0))
            self._widths = widths
        out = self._out
        out.write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        )
        out.write('<sheetViews><sheetView workbookViewId="0"')
        if self.index == 0:
            out.write(' tabSelected="1"')
        if self.freeze_rows:
            top = f"A{self.freeze_rows + 1}"
            out.write(
                f'><pane ySplit="{self.freeze_rows}" topLeftCell="{top}" activePane="bottomLeft" '
                f'state="frozen"/><selection pane="bottomLeft" activeCell="{top}" '
                f'sqref="{top}"/></sheetView></sheetViews>'
            )
        else:
            out.write("/></sheetViews>")
        out.write('<sheetFormatPr defaultRowHeight="15"/>')
        if self._widths:
            out.write("<cols>")
            for i, width in enumerate(self._widths):
                out.write(
                    f'<col min="{i + 1}" max="{i + 1}" width="{width:.1f}" customWidth="1"/>'
                )
            out.write("</cols>")
        out.write("<sheetData>")
        for number, (values, style, height) in enumerate(self._buffer, 1):
            self._row(number, values, style, height)
        self._buffer.clear()

    def _row(
        self, number: int, values: Sequence[Any], style: Style | None, height: float | None
    ) -> None:
        num = str(number)
        head = (
            f'<row r="{num}">'
            if height is None
            else f'<row r="{num}" ht="{height}" customHeight="1">'
        )
        if style is not None or len(values) > len(_OPEN_CELL):
            letters = _LETTERS if len(values) <= len(_LETTERS) else _letters(len(values))
            cell = self._cell
            body = "".join(
                [
                    cell(letter + num, value, style)
                    for letter, value in zip(letters, values, strict=False)
                    if value is not None
                ]
            )
            self._out.write(f"{head}{body}</row>")
            return
        # Unstyled rows, most of a sheet, are assembled from UTF-8 pieces. The markup of a text
        # cell after its reference is encoded once per value and remembered (registers repeat
        # values a lot); numbers are made here; any other cell goes through _cell. Every cell
        # gets exactly the markup _cell would give it.
        num_b = num.encode()
        parts = [head.encode()]
        append = parts.append
        extend = parts.extend
        tails = self._text_tails
        for col, value in enumerate(values):
            if type(value) is str:
                tail = tails.get(value)
                if tail is None:
                    if len(tails) >= _TEXT_TAILS:
                        tails.clear()
                    if (
                        value
                        and value[0] not in _SLOW_FIRST
                        and value[-1] not in _SPACE_CHARS
                        and _NEEDS_ESCAPE.search(value) is None
                    ):  # plain text: what _text_tail gives it, without the call
                        tail = f'" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
                    else:
                        tail = _text_tail(value, None).encode()
                    tails[value] = tail
                extend((_OPEN_CELL[col], num_b, tail))
            elif value is None:
                continue
            elif type(value) is float or type(value) is int:
                append(f'<c r="{_LETTERS[col]}{num}"><v>{value!r}</v></c>'.encode())
            else:
                append(self._cell(_LETTERS[col] + num, value, None).encode())
        append(b"</row>")
        self._out.write_bytes(b"".join(parts))

    def _cell(self, ref: str, value: Any, style: Style | None) -> str:
        """The markup of one non-None cell at ``ref`` (may be empty)."""
        cell_style = style
        cls = value.__class__
        if cls is Styled:
            cell_style = value.style
            value = value.value
            cls = value.__class__
            if value is None:
                if cell_style is not None:
                    return f'<c r="{ref}" s="{int(cell_style)}"/>'
                return ""
        if cls is str:
            return f'<c r="{ref}{_text_tail(value, cell_style)}'
        if cls is float or cls is int:
            sattr = f' s="{int(cell_style)}"' if cell_style else ""
            return f'<c r="{ref}"{sattr}><v>{value!r}</v></c>'
        if cls is dt.date:
            s = _DATE_STYLE.get(cell_style or Style.DEFAULT, cell_style or Style.DATE)
            return f'<c r="{ref}" s="{int(s)}"><v>{(value - _EPOCH_DATE).days}</v></c>'
        if cls is bool:
            sattr = f' s="{int(cell_style)}"' if cell_style else ""
            return f'<c r="{ref}"{sattr} t="b"><v>{int(value)}</v></c>'
        if cls is dt.datetime:
            delta = value.replace(tzinfo=None) - _EPOCH
            serial = delta.days + delta.seconds / 86400
            return f'<c r="{ref}" s="{int(Style.DATETIME)}"><v>{serial!r}</v></c>'
        if cls is dt.time:
            serial = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            return f'<c r="{ref}" s="{int(Style.TIME)}"><v>{serial!r}</v></c>'
        if cls is Formula:
            return self._formula(ref, value, cell_style)
        if cls is ExcelError:
            return f'<c r="{ref}" t="e"><v>{_esc(value.code)}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{_esc(str(value))}</t></is></c>'

    def _formula(self, ref: str, formula: Formula, style: Style | None) -> str:
        sattr = f' s="{int(style)}"' if style else ""
        text = _esc(formula.text.lstrip("="))
        cached = formula.cached
        if cached is None:
            return f'<c r="{ref}"{sattr}><f>{text}</f></c>'
        if isinstance(cached, ExcelError):
            return f'<c r="{ref}"{sattr} t="e"><f>{text}</f><v>{_esc(cached.code)}</v></c>'
        if isinstance(cached, bool):
            return f'<c r="{ref}"{sattr} t="b"><f>{text}</f><v>{int(cached)}</v></c>'
        if isinstance(cached, (int, float)):
            return f'<c r="{ref}"{sattr}><f>{text}</f><v>{cached!r}</v></c>'
        return f'<c r="{ref}"{sattr} t="str"><f>{text}</f><v>{_esc(str(cached))}</v></c>'

    def _finish(self, legacy_drawing: str | None) -> list[bytes]:
        self._start()
        self._text_tails.clear()
        out = self._out
        out.write("</sheetData>")
        if self.autofilter and self.max_cols:
            last = max(self.rows_written, 1)
            out.write(
                f'<autoFilter ref="A{self.freeze_rows or 1}:'
                f'{column_letter(self.max_cols - 1)}{last}"/>'
            )
        if self._merges:
            out.write(f'<mergeCells count="{len(self._merges)}">')
            for ref in self._merges:
                out.write(f'<mergeCell ref="{ref}"/>')
            out.write("</mergeCells>")
        if self._validations:
            out.write(f'<dataValidations count="{len(self._validations)}">')
            for v in self._validations:
                letters = column_letter(v.col)
                prompt = ""
                if v.prompt:
                    prompt = (
                        f' showInputMessage="1" promptTitle="{_attr(v.prompt_title[:32])}" '
                        f'prompt="{_attr(v.prompt[:255])}"'
                    )
                style = "" if v.strict else ' errorStyle="warning"'
                out.write(
                    f'<dataValidation type="list" allowBlank="1" showErrorMessage="1"{style}'
                    f'{prompt} sqref="{letters}{v.first_row}:{letters}{v.last_row}">'
                    f"<formula1>{_esc(v.source)}</formula1></dataValidation>"
                )
            out.write("</dataValidations>")
        out.write(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/>'
        )
        if legacy_drawing:
            out.write(f'<legacyDrawing r:id="{legacy_drawing}"/>')
        out.write("</worksheet>")
        return out.finish()


def atomic_write_bytes(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``path`` atomically: temp file in the same directory, fsync, rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _dos_time(moment: time.struct_time) -> tuple[int, int]:
    dos_time = (moment.tm_hour << 11) | (moment.tm_min << 5) | (moment.tm_sec // 2)
    dos_date = ((moment.tm_year - 1980) << 9) | (moment.tm_mon << 5) | moment.tm_mday
    return dos_time, dos_date


class XlsxWriter:
    """Build an .xlsx file; sheets can be filled in any order; written atomically on close.

    Use as a context manager: on an exception nothing is written.
    """

    def __init__(self, path: Path | str, *, fixed_time: time.struct_time | None = None) -> None:
        self.path = Path(path)
        self.sheets: list[SheetWriter] = []
        self._defined_names: list[str] = []
        self._closed = False
        self._time = fixed_time or time.localtime()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._closed = True

    def add_sheet(
        self,
        title: str,
        *,
        freeze_rows: int = 0,
        autofilter: bool = False,
        hidden: bool = False,
        widths: Sequence[float] | None = None,
        auto_width_rows: int = 50,
    ) -> SheetWriter:
        """A new sheet (titles are cut to Excel's 31 characters and made unique)."""
        clean = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"
        existing = {s.title.lower() for s in self.sheets}
        base, n = clean, 2
        while clean.lower() in existing:
            suffix = f" ({n})"
            clean = base[: 31 - len(suffix)] + suffix
            n += 1
        sheet = SheetWriter(
            self,
            len(self.sheets),
            clean,
            freeze_rows=freeze_rows,
            autofilter=autofilter,
            hidden=hidden,
            widths=widths,
            auto_width_rows=auto_width_rows,
        )
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        """Assemble and write the file atomically."""
        if self._closed:
            return
        self._closed = True
        members: list[tuple[str, list[bytes], int, int]] = []

        def add_text(name: str, data: bytes) -> None:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append(
                (name, [comp.compress(data), comp.flush()], zlib.crc32(data), len(data))
            )

        content_types = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="vml" '
            'ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        ]
        wb_rels = []
        sheets_xml = []
        defined = []
        comment_parts = 0
        for i, sheet in enumerate(self.sheets, 1):
            legacy = None
            streams = sheet._comment_streams()
            if streams is not None:
                comment_parts += 1
                legacy = "rId1"
                self._comment_parts(
                    sheet, comment_parts, streams, members, add_text, content_types
                )
            parts = sheet._finish(legacy)
            members.append((f"xl/worksheets/sheet{i}.xml", parts, sheet._out.crc, sheet._out.size))
            content_types.append(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            )
            wb_rels.append(
                f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
            )
            state = ' state="hidden"' if sheet.hidden else ""
            sheets_xml.append(
                f'<sheet name="{_attr(sheet.title)}" sheetId="{i}"{state} r:id="rId{i}"/>'
            )
            if sheet.autofilter and sheet.max_cols:
                quoted = sheet.title.replace("'", "''")
                defined.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i - 1}" '
                    f'hidden="1">{_esc(f"{chr(39)}{quoted}{chr(39)}")}!$A${sheet.freeze_rows or 1}'
                    f":${column_letter(sheet.max_cols - 1)}${max(sheet.rows_written, 1)}"
                    "</definedName>"
                )
        n = len(self.sheets)
        wb_rels.append(
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        content_types.append("</Types>")
        first_visible = next((i for i, s in enumerate(self.sheets) if not s.hidden), 0)
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<workbookPr/><bookViews><workbookView activeTab="'
            f'{first_visible}"/></bookViews><sheets>'
            + "".join(sheets_xml)
            + "</sheets>"
            + (f"<definedNames>{''.join(defined)}</definedNames>" if defined else "")
            + "</workbook>"
        )
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", self._time)
        core = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator>cpcase</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            "</cp:coreProperties>"
        )
        app = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>cpcase</Application></Properties>'
        )
        root_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(wb_rels)
            + "</Relationships>"
        )
        head: list[tuple[str, list[bytes], int, int]] = []
        members, head = head, members
        add_text("[Content_Types].xml", "".join(content_types).encode())
        add_text("_rels/.rels", root_rels.encode())
        add_text("docProps/core.xml", core.encode())
        add_text("docProps/app.xml", app.encode())
        add_text("xl/workbook.xml", workbook.encode())
        add_text("xl/_rels/workbook.xml.rels", rels.encode())
        add_text("xl/styles.xml", _styles_xml())
        members.extend(head)
        atomic_write_bytes(self.path, self._zip(members))

    def _comment_parts(
        self,
        sheet: SheetWriter,
        number: int,
        streams: tuple[_Deflated, _Deflated],
        members: list[tuple[str, list[bytes], int, int]],
        add_text: Any,
        content_types: list[str],
    ) -> None:
        comments, shapes = streams
        parts = comments.finish()
        members.append((f"xl/comments{number}.xml", parts, comments.crc, comments.size))
        parts = shapes.finish()
        members.append((f"xl/drawings/vmlDrawing{number}.vml", parts, shapes.crc, shapes.size))
        add_text(
            f"xl/worksheets/_rels/sheet{sheet.index + 1}.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/vmlDrawing" '
                f'Target="../drawings/vmlDrawing{number}.vml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                f'2006/relationships/comments" Target="../comments{number}.xml"/>'
                "</Relationships>"
            ).encode(),
        )
        content_types.append(
            f'<Override PartName="/xl/comments{number}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>'
        )

    def _zip(self, members: list[tuple[str, list[bytes], int, int]]) -> Iterable[bytes]:
        dos_time, dos_date = _dos_time(self._time)
        offset = 0
        central: list[bytes] = []
        for name, parts, crc, size in members:
            encoded = name.encode("utf-8")
            compressed = sum(len(p) for p in parts)
            if size >= 0xFFFFFFFF or compressed >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
                raise OverflowError("workbook part larger than 4 GiB")
            header = struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0x0800,
                8,
                dos_time,
                dos_date,
                crc & 0xFFFFFFFF,
                compressed,
                size,
                len(encoded),
                0,
            )
            yield header + encoded
            yield from parts
            central.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0x0800,
                    8,
                    dos_time,
                    dos_date,
                    crc & 0xFFFFFFFF,
                    compressed,
                    size,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + encoded
            )
            offset += len(header) + len(encoded) + compressed
        directory = b"".join(central)
        yield directory
        yield struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0
        )
