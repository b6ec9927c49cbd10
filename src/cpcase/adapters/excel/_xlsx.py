"""Streaming .xlsx/.xlsm reader: python-calamine speed with memory that does not grow with rows.

python-calamine parses a whole worksheet into memory before handing back the first row (about
2 KB per 20-column row). To keep memory flat, the worksheet XML is decompressed incrementally,
cut at ``</row>`` boundaries into blocks of a few megabytes, and each block is parsed by calamine
as a tiny stand-alone workbook that shares the original styles (for date formats), shared
strings and date system. Row numbers come from the ``r`` attributes, so they stay exact.

Before any row is returned, a first pass over the compressed worksheet checks the safety limits
(actual, not declared, sizes), collects merged ranges (they are stored after the rows) and
counts rows for the progress bar. The small XML parts (workbook, relationships) are parsed with
defusedxml; any DTD or entity declaration is refused, in every part.

Calamine reads error cells as empty strings; blocks are rewritten so that error cells come back
as their text (``#N/A``), which the reader turns into :class:`~cpcase.adapters.excel.cells.ExcelError`.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import attrs
import python_calamine as pc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from cpcase.adapters.excel.cells import EXCEL_ERRORS, CellValue, ExcelError, RawRow
from cpcase.adapters.excel.errors import (
    CorruptRegisterError,
    RegisterTooLargeError,
    UnsafeRegisterError,
)
from cpcase.adapters.excel.limits import Limits

__all__ = ["MergedRange", "XlsxSheet", "XlsxWorkbook"]

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_OFFICE_DOC = _NS_REL + "/officeDocument"
_READ = 1 << 20  # decompressed bytes per read
_BLOCK = 4 << 20  # target block size handed to calamine
_INLINE_TABLE_BYTES = 8 << 20  # shared-strings tables up to this size go inline in blocks
_HEAD_BYTES = 1 << 20  # enough for the first rows when sniffing a sheet
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_MERGE = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=[\"']([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?[\"']"
)
_ROOT_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_WITHOUT_REF = re.compile(rb"<(?:\w+:)?row(?=[\s>/])(?![^>]*\br=)")
_END_OF_ROWS = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_DECL = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")

_CELL_FIX: dict[Any, Any] = {"": None, **{code: ExcelError(code) for code in EXCEL_ERRORS}}
_ERROR_TEXTS = frozenset(EXCEL_ERRORS)


@attrs.frozen
class MergedRange:
    """A merged range, 1-based rows and 0-based columns, inclusive."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n - 1


def _has_declaration(data: bytes) -> bool:
    return any(marker in data for marker in _DECL)


class _Limited:
    """Counts decompressed bytes of one zip part and stops at the limits."""

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, path: Path):
        self._info = info
        self._limits = limits
        self._path = path
        self._stream = zf.open(info)
        self.total = 0

    def read(self, size: int) -> bytes:
        try:
            data = self._stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise CorruptRegisterError(
                f"the part {self._info.filename} is damaged or the file is truncated ({exc})",
                f"la partie {self._info.filename} est endommagée ou le fichier est incomplet "
                f"({exc}) ; ouvrez-le dans Excel et enregistrez-le à nouveau",
                path=self._path,
            ) from exc
        self.total += len(data)
        if self.total > self._limits.max_uncompressed_bytes:
            raise RegisterTooLargeError(
                f"the part {self._info.filename} expands beyond "
                f"{self._limits.max_uncompressed_bytes} bytes (possible zip bomb)",
                f"la partie {self._info.filename} dépasse {self._limits.max_uncompressed_bytes} "
                "octets une fois décompressée (possible bombe zip)",
                path=self._path,
            )
        compressed = max(self._info.compress_size, 1)
        if self.total > 1 << 20 and self.total / compressed > self._limits.max_compression_ratio:
            raise UnsafeRegisterError(
                f"the part {self._info.filename} is compressed more than "
                f"{self._limits.max_compression_ratio:g}:1 (possible zip bomb)",
                f"la partie {self._info.filename} est compressée à plus de "
                f"{self._limits.max_compression_ratio:g}:1 (possible bombe zip)",
                path=self._path,
            )
        return data

    def close(self) -> None:
        self._stream.close()


class XlsxWorkbook:
    """An opened .xlsx/.xlsm file: sheet list, date system, shared parts. Never modifies it."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        try:
            self._zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CorruptRegisterError(
                "the file is not a valid .xlsx: the zip archive is truncated or damaged",
                "le fichier n'est pas un .xlsx valide : l'archive zip est incomplète ou "
                "endommagée ; ouvrez-le dans Excel et enregistrez-le à nouveau",
                path=path,
            ) from exc
        try:
            self._load()
        except BaseException:
            self._zf.close()
            raise

    # -- parts ------------------------------------------------------------------------------

    def _info(self, name: str) -> zipfile.ZipInfo | None:
        try:
            return self._zf.getinfo(name)
        except KeyError:
            return None

    def read_part(self, name: str, max_bytes: int) -> bytes:
        """The whole decompressed part ``name`` (bounded by ``max_bytes`` and the limits)."""
        info = self._info(name)
        if info is None:
            raise CorruptRegisterError(
                f"the part {name} is missing", f"la partie {name} est absente", path=self.path
            )
        stream = _Limited(self._zf, info, self.limits, self.path)
        chunks: list[bytes] = []
        size = 0
        try:
            while data := stream.read(_READ):
                size += len(data)
                if size > max_bytes:
                    raise RegisterTooLargeError(
                        f"the part {name} is larger than {max_bytes} bytes",
                        f"la partie {name} dépasse {max_bytes} octets",
                        path=self.path,
                    )
                chunks.append(data)
        finally:
            stream.close()
        data = b"".join(chunks)
        if _has_declaration(data):
            raise UnsafeRegisterError(
                f"the part {name} declares XML entities or a DTD (XXE attack pattern); refused",
                f"la partie {name} déclare des entités XML ou une DTD (schéma d'attaque XXE) ; "
                "fichier refusé",
                path=self.path,
            )
        return data

    def _xml(self, name: str) -> Element:
        data = self.read_part(name, 64 << 20)
        try:
            return fromstring(data, forbid_dtd=True)
        except DefusedXmlException as exc:
            raise UnsafeRegisterError(
                f"the part {name} declares XML entities or a DTD (XXE attack pattern); refused",
                f"la partie {name} déclare des entités XML ou une DTD (schéma d'attaque XXE) ; "
                "fichier refusé",
                path=self.path,
            ) from exc
        except ParseError as exc:
            raise CorruptRegisterError(
                f"the part {name} is not well-formed XML ({exc})",
                f"la partie {name} n'est pas du XML valide ({exc})",
                path=self.path,
            ) from exc

    def _rels(self, owner: str) -> dict[str, tuple[str, str]]:
        folder, base = posixpath.split(owner)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if self._info(rels_name) is None:
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self._xml(rels_name):
            if rel.tag != f"{{{_NS_PKG_REL}}}Relationship":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
        return out

    def _load(self) -> None:
        root_rels = self._rels("")
        workbook = next(
            (t for typ, t in root_rels.values() if typ.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if self._info(workbook) is None:
            raise CorruptRegisterError(
                "the archive has no workbook part: it is not an Excel workbook",
                "l'archive ne contient pas de classeur : ce n'est pas un fichier Excel",
                path=self.path,
            )
        rels = self._rels(workbook)
        root = self._xml(workbook)
        pr = root.find(f"{{{_NS_MAIN}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        self.sheets: list[tuple[str, str, bool]] = []  # (name, part, visible)
        sheets = root.find(f"{{{_NS_MAIN}}}sheets")
        for sheet in sheets if sheets is not None else ():
            rid = sheet.get(f"{{{_NS_REL}}}id", "")
            typ, part = rels.get(rid, ("", ""))
            if not typ.endswith("/worksheet") or self._info(part) is None:
                continue  # chart sheets, dialog sheets, macro sheets
            visible = sheet.get("state", "visible") == "visible"
            self.sheets.append((sheet.get("name", ""), part, visible))
        self._styles: bytes | None = None
        self._strings: bytes | None = None
        self._inline: list[bytes] | None = None  # see inline_strings
        for typ, part in rels.values():
            if typ.endswith("/styles") and self._info(part) is not None:
                self._styles = self.read_part(part, 64 << 20)
            elif typ.endswith("/sharedStrings") and self._info(part) is not None:
                self._strings = self.read_part(part, self.limits.max_shared_strings_bytes)

    # -- public -----------------------------------------------------------------------------

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """Worksheet names in workbook order (chart sheets excluded)."""
        return tuple(name for name, _, _ in self.sheets)

    @property
    def visible_sheet_names(self) -> tuple[str, ...]:
        """Worksheets that are not hidden."""
        return tuple(name for name, _, visible in self.sheets if visible)

    def sheet(self, name: str) -> XlsxSheet:
        """The worksheet called ``name`` (exact name; see the reader for fuzzy lookup)."""
        for sheet_name, part, _ in self.sheets:
            if sheet_name == name:
                return XlsxSheet(self, sheet_name, part)
        raise KeyError(name)

    def close(self) -> None:
        """Release the file."""
        self._zf.close()

    # -- shared strings ---------------------------------------------------------------------

    def inline_strings(self) -> list[bytes] | None:
        """The shared strings as inline-string cell content (``<is><t>…</t></is>``), read once
        by calamine itself so that each string is exactly what calamine gives for it; ``None``
        when there are none, or when one would not survive the trip (characters XML cannot
        hold, ``_xHHHH_`` escapes), and blocks then carry the whole table instead.

        Excel saves text in this table: handing it to calamine with every block parsed it
        again for each block, which made blocks large and a 100k-row register 37% slower."""
        if self._inline is not None:
            return self._inline or None
        self._inline = []
        strings = self._strings
        if strings is None or len(strings) > _INLINE_TABLE_BYTES:
            return None  # (a very large table would cost more memory than it saves time)
        count = strings.count(b"<si>") + strings.count(b"<si ")
        if count == 0:  # none, or written with a namespace prefix: blocks carry the table
            return None
        cells = b"".join(
            b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (i + 1, i + 1, i)
            for i in range(count)
        )
        sheet = (
            (
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS_MAIN}"><sheetData>'
            ).encode()
            + cells
            + b"</sheetData></worksheet>"
        )
        try:
            with pc.CalamineWorkbook.from_filelike(self._mini_workbook(sheet)) as wb:
                values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except pc.CalamineError:
            return None
        table: list[bytes] = []
        for row in values[:count]:
            text = row[0] if row else ""
            if not isinstance(text, str) or _NOT_INLINE.search(text):
                return None
            table.append(
                b'<is><t xml:space="preserve">' + _escape_text(text).encode() + b"</t></is>"
            )
        if len(table) != count:
            return None
        self._inline = table
        return table

    # -- mini workbooks for calamine -------------------------------------------------------

    def _mini_workbook(self, sheet_xml: bytes, *, shared: bool = True) -> BinaryIO:
        strings = shared and self._strings is not None
        styles = self._styles is not None
        overrides = [
            ("/xl/workbook.xml", "sheet.main+xml"),
            ("/xl/worksheets/sheet1.xml", "worksheet+xml"),
        ]
        if styles:
            overrides.append(("/xl/styles.xml", "styles+xml"))
        if strings:
            overrides.append(("/xl/sharedStrings.xml", "sharedStrings+xml"))
        content_types = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(
                f'<Override PartName="{p}" ContentType="application/'
                f'vnd.openxmlformats-officedocument.spreadsheetml.{t}"/>'
                for p, t in overrides
            )
            + "</Types>"
        )
        rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        wb_rels = [("worksheet", "worksheets/sheet1.xml")]
        if styles:
            wb_rels.append(("styles", "styles.xml"))
        if strings:
            wb_rels.append(("sharedStrings", "sharedStrings.xml"))
        rels_xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{_NS_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{rel}{t}" Target="{target}"/>'
                for i, (t, target) in enumerate(wb_rels, 1)
            )
            + "</Relationships>"
        )
        workbook = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
            f'<workbookPr date1904="{1 if self.date1904 else 0}"/>'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        root_rels = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{_NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_OFFICE_DOC}" Target="xl/workbook.xml"/>'
            "</Relationships>"
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as mini:
            mini.writestr("[Content_Types].xml", content_types)
            mini.writestr("_rels/.rels", root_rels)
            mini.writestr("xl/workbook.xml", workbook)
            mini.writestr("xl/_rels/workbook.xml.rels", rels_xml)
            if self._styles is not None:
                mini.writestr("xl/styles.xml", self._styles)
            if strings and self._strings is not None:
                mini.writestr("xl/sharedStrings.xml", self._strings)
            mini.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        buffer.seek(0)
        return buffer


class _Merges:
    """Merged ranges still to come (``pending``, smallest first row last) and the ones being
    filled (``active``) while rows are read in order."""

    __slots__ = ("active", "pending")

    def __init__(self, merged: tuple[MergedRange, ...]) -> None:
        self.pending = list(reversed(merged))  # pop from the end: smallest min_row first
        self.active: list[tuple[MergedRange, CellValue]] = []

    def touches(self, number: int) -> bool:
        """Whether row ``number`` is inside or starts a merged range (a blank row is kept)."""
        return bool(self.active) or bool(self.pending and self.pending[-1].min_row <= number)


class XlsxSheet:
    """One worksheet, read as a stream of non-blank rows (merged ranges filled in)."""

    def __init__(self, book: XlsxWorkbook, name: str, part: str) -> None:
        self.book = book
        self.name = name
        self._part = part
        self._scanned = False
        self.merged: tuple[MergedRange, ...] = ()
        self.row_count_estimate = 0

    @property
    def date1904(self) -> bool:
        """Whether the workbook counts dates from 1904 (old Mac Excel)."""
        return self.book.date1904

    def _open(self) -> _Limited:
        info = self.book._info(self._part)
        if info is None:  # checked when the workbook was loaded
            raise CorruptRegisterError(
                f"the part {self._part} is missing",
                f"la partie {self._part} est absente",
                path=self.book.path,
                sheet=self.name,
            )
        return _Limited(self.book._zf, info, self.book.limits, self.book.path)

    # -- first pass -------------------------------------------------------------------------

    def scan(self) -> None:
        """Check limits over the whole part, collect merged ranges, count rows."""
        if self._scanned:
            return
        limits = self.book.limits
        stream = self._open()
        rows = 0
        head = b""
        tail = bytearray()
        in_tail = False
        carry = b""
        try:
            while data := stream.read(_READ):
                if len(head) < 65536:
                    head += data[: 65536 - len(head)]
                if in_tail:
                    tail += data
                else:
                    window = carry + data
                    rows += data.count(b"row>")
                    match = _END_OF_ROWS.search(window) if b"sheetData" in window else None
                    if match is not None:
                        in_tail = True
                        tail += window[match.end() :]
                    carry = data[-32:]
                if len(tail) > 64 * limits.max_merged_ranges + (1 << 20):
                    raise RegisterTooLargeError(
                        "the sheet has too much content after its rows",
                        "la feuille contient trop d'éléments après ses lignes",
                        path=self.book.path,
                        sheet=self.name,
                    )
        finally:
            stream.close()
        if _has_declaration(head):
            raise UnsafeRegisterError(
                "the sheet declares XML entities or a DTD (XXE attack pattern); refused",
                "la feuille déclare des entités XML ou une DTD (schéma d'attaque XXE) ; "
                "fichier refusé",
                path=self.book.path,
                sheet=self.name,
            )
        if rows > limits.max_rows + 1:
            raise RegisterTooLargeError(
                f"the sheet has more than {limits.max_rows} rows",
                f"la feuille a plus de {limits.max_rows} lignes",
                path=self.book.path,
                sheet=self.name,
            )
        merged: list[MergedRange] = []
        for match in _MERGE.finditer(bytes(tail)):
            c1, r1, c2, r2 = match.groups()
            merged.append(
                MergedRange(
                    min_row=int(r1),
                    min_col=_col_index(c1),
                    max_row=int(r2 or r1),
                    max_col=_col_index(c2 or c1),
                )
            )
            if len(merged) > limits.max_merged_ranges:
                raise RegisterTooLargeError(
                    f"the sheet has more than {limits.max_merged_ranges} merged ranges",
                    f"la feuille a plus de {limits.max_merged_ranges} plages fusionnées",
                    path=self.book.path,
                    sheet=self.name,
                )
        merged.sort(key=lambda m: (m.min_row, m.min_col))
        self.merged = tuple(merged)
        self.row_count_estimate = rows
        self._scanned = True

    # -- blocks -----------------------------------------------------------------------------

    def _blocks(
        self, *, max_bytes: int | None = None, block_bytes: int | None = None
    ) -> Iterator[tuple[bytes, bytes, bytes]]:
        """(prologue, rows-block, epilogue) triples covering the sheet's rows in order.

        Blocks hold about ``block_bytes`` of XML (default 4 MB), and at least twice the shared
        strings, which calamine parses again with each block."""
        limits = self.book.limits
        strings = len(self.book._strings or b"")
        if strings and self.book.inline_strings() is not None:
            strings = 0  # blocks carry their strings inline
        block_size: float = max(block_bytes or _BLOCK, 2 * strings)
        read_size = min(_READ, int(block_size))
        stream = self._open()
        buf = b""
        prologue = b""
        epilogue = b""
        close_row = b"</row>"
        started = False
        done = False
        read = 0
        try:
            while not done:
                data = stream.read(read_size)
                read += len(data)
                if data:
                    buf += data
                if not started:
                    match = re.search(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>", buf)
                    if match is None:
                        if not data:
                            raise CorruptRegisterError(
                                "the sheet has no data section (sheetData)",
                                "la feuille n'a pas de section de données (sheetData)",
                                path=self.book.path,
                                sheet=self.name,
                            )
                        if len(buf) > 16 << 20:
                            raise CorruptRegisterError(
                                "the sheet header is too long",
                                "l'en-tête de la feuille est trop long",
                                path=self.book.path,
                                sheet=self.name,
                            )
                        continue
                    head = buf[: match.start()]
                    if _has_declaration(head):
                        raise UnsafeRegisterError(
                            "the sheet declares XML entities or a DTD (XXE attack pattern); "
                            "refused",
                            "la feuille déclare des entités XML ou une DTD (schéma d'attaque "
                            "XXE) ; fichier refusé",
                            path=self.book.path,
                            sheet=self.name,
                        )
                    prefix = match.group(1)
                    root = _ROOT_PREFIX.search(head)
                    root_prefix = (root.group(1) or b"") if root else b""
                    prologue = _DIMENSION.sub(b"", head) + b"<" + prefix + b"sheetData>"
                    close_row = b"</" + prefix + b"row>"
                    epilogue = b"</" + prefix + b"sheetData></" + root_prefix + b"worksheet>"
                    if match.group(2):  # <sheetData/>
                        return
                    buf = buf[match.end() :]
                    started = True
                    if _ROW_WITHOUT_REF.search(buf[:65536]):
                        # Rows numbered only by their position: a block boundary would lose
                        # the numbering, so the sheet is read as one block.
                        block_size = float("inf")
                close = b"</" + epilogue[2:].split(b">", 1)[0] + b">"  # </x:sheetData>
                end_of_rows = buf.find(close)
                if end_of_rows >= 0:
                    block = buf[:end_of_rows]
                    if block.strip():
                        yield prologue, block, epilogue
                    return
                if not data:
                    raise CorruptRegisterError(
                        "the sheet ends before its rows are closed (truncated file)",
                        "la feuille se termine avant la fin de ses lignes (fichier incomplet)",
                        path=self.book.path,
                        sheet=self.name,
                    )
                if len(buf) >= block_size or (max_bytes is not None and read >= max_bytes):
                    cut = buf.rfind(close_row)
                    if cut < 0:
                        if len(buf) > 4 * block_size + limits.max_cell_chars * 8:
                            raise RegisterTooLargeError(
                                "a single row of the sheet is too large",
                                "une seule ligne de la feuille est trop grande",
                                path=self.book.path,
                                sheet=self.name,
                            )
                        continue
                    cut += len(close_row)
                    yield prologue, buf[:cut], epilogue
                    buf = buf[cut:]
                    if max_bytes is not None and read >= max_bytes:
                        done = True
        finally:
            stream.close()

    def _parse(
        self, prologue: bytes, block: bytes, epilogue: bytes
    ) -> tuple[int, int, list[list[Any]]]:
        if b't="e"' in block or b"t='e'" in block:
            block = _error_cells_as_text(block)
        shared = True
        if self.book._strings is not None:
            table = self.book.inline_strings()
            inlined = _inline_shared(block, table) if table is not None else None
            if inlined is not None:
                block, shared = inlined, False
        try:
            with pc.CalamineWorkbook.from_filelike(
                self.book._mini_workbook(prologue + block + epilogue, shared=shared)
            ) as wb:
                sheet = wb.get_sheet_by_index(0)
                start = sheet.start
                values = sheet.to_python(skip_empty_area=True)
        except pc.CalamineError as exc:
            raise CorruptRegisterError(
                f"the sheet's XML is malformed ({type(exc).__name__})",
                f"le XML de la feuille est invalide ({type(exc).__name__})",
                path=self.book.path,
                sheet=self.name,
            ) from exc
        if start is None:
            return 0, 0, []
        return start[0], start[1], values

    def _rows(self, *, max_bytes: int | None = None, fill_merged: bool) -> Iterator[RawRow]:
        merges = _Merges(self.merged) if fill_merged else None
        for prologue, block, epilogue in self._blocks(max_bytes=max_bytes):
            yield from self._block_rows(prologue, block, epilogue, merges)

    def blocks(self, block_bytes: int | None = None) -> Iterator[tuple[bytes, bytes, bytes]]:
        """The sheet's rows as (prologue, rows, epilogue) XML blocks of about ``block_bytes``
        (default a few megabytes), in order, for :meth:`parse_block` (in another process when
        converting in parallel)."""
        self.scan()
        return self._blocks(block_bytes=block_bytes)

    def parse_block(self, prologue: bytes, block: bytes, epilogue: bytes) -> list[RawRow]:
        """The non-blank rows of one block from :meth:`blocks`. Merged ranges are not filled:
        only for sheets whose merged ranges all lie above the rows being converted."""
        return list(self._block_rows(prologue, block, epilogue, None))

    def _block_rows(
        self, prologue: bytes, block: bytes, epilogue: bytes, merges: _Merges | None
    ) -> Iterator[RawRow]:
        fix = _CELL_FIX.get
        max_cols = self.book.limits.max_columns
        max_chars = self.book.limits.max_cell_chars
        row0, col0, values = self._parse(prologue, block, epilogue)
        errors = b">#" in block  # error cells or "#N/A" typed as text
        if values and col0 + len(values[0]) > max_cols:
            raise RegisterTooLargeError(
                f"the sheet has more than {max_cols} columns",
                f"la feuille a plus de {max_cols} colonnes",
                path=self.book.path,
                sheet=self.name,
            )
        if len(block) > max_chars and max(map(len, block.split(b"row>"))) > max_chars:
            self._check_lengths(row0, col0, values, max_chars)
        pad: list[CellValue] = [None] * col0
        number = row0
        for raw in values:
            number += 1
            row: list[CellValue]
            if errors and not _ERROR_TEXTS.isdisjoint(raw):
                row = [fix(v, v) if v.__class__ is str else v for v in raw]
            elif "" in raw:
                row = [None if v == "" else v for v in raw]
            else:
                row = raw
            if row.count(None) == len(row) and (merges is None or not merges.touches(number)):
                continue
            if col0:
                row = pad + row
            if merges is not None and (merges.pending or merges.active):
                row, merges.active = _fill_merged(number, row, merges.pending, merges.active)
            while row and row[-1] is None:
                row.pop()
            if row:
                yield RawRow(number, tuple(row))

    def _check_lengths(self, row0: int, col0: int, values: list[list[Any]], limit: int) -> None:
        """Refuse a cell longer than ``limit`` (only called for blocks holding a long row)."""
        for offset, raw in enumerate(values):
            for col, value in enumerate(raw):
                if value.__class__ is str and len(value) > limit:
                    raise RegisterTooLargeError(
                        f"a cell is longer than {limit} characters",
                        f"une cellule dépasse {limit} caractères",
                        path=self.book.path,
                        sheet=self.name,
                        cell=f"{_letters(col0 + col)}{row0 + offset + 1}",
                    )

    def head(self, max_rows: int = 30) -> list[RawRow]:
        """The first ``max_rows`` non-blank rows, reading only the start of the sheet."""
        out: list[RawRow] = []
        for row in self._rows(max_bytes=_HEAD_BYTES, fill_merged=self._scanned):
            out.append(row)
            if len(out) >= max_rows:
                break
        return out

    def rows(self) -> Iterator[RawRow]:
        """Every non-blank row in order, merged ranges filled from their top-left cell."""
        self.scan()
        return self._rows(fill_merged=True)


# Shared-string cells as Excel writes them: <c r="B2" s="3" t="s"><v>17</v></c>.
_SHARED_CELL = re.compile(rb'<c(\s[^>]*?)\st="s"([^>]*)><v>(\d+)</v></c>')
_SHARED_LEFT = re.compile(rb"""\st=["']s["']""")
# Characters an inline string cannot carry back unchanged (XML 1.0 forbids most control
# characters; "_xHHHH_" is OOXML's escape for them; a carriage return would come back as a
# line feed).
_NOT_INLINE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline_shared(block: bytes, table: list[bytes]) -> bytes | None:
    """``block`` with its shared-string cells turned into inline-string cells from ``table``,
    or ``None`` when some cell does not have the plain form (the block then goes to calamine
    with the whole table)."""
    size = len(table)
    failed = False

    def inline(match: re.Match[bytes]) -> bytes:
        nonlocal failed
        index = int(match[3])
        if index >= size:
            failed = True
            return match[0]
        return b"<c" + match[1] + b' t="inlineStr"' + match[2] + b">" + table[index] + b"</c>"

    out = _SHARED_CELL.sub(inline, block)
    if failed or _SHARED_LEFT.search(out):
        return None
    return out


def _error_cells_as_text(block: bytes) -> bytes:
    """``t="e"`` → ``t="str"`` on cell start tags, so that calamine keeps the error's text.

    Finds the rare attribute with plain byte searches and checks that it sits in a ``<c``
    start tag (not in inline text), rather than running a pattern over the whole block.
    """
    hits: list[int] = []
    for needle in (b't="e"', b"t='e'"):
        at = block.find(needle)
        while at >= 0:
            tag = block.rfind(b"<", 0, at)
            if (
                at > 0
                and block[at - 1 : at].isspace()
                and tag >= 0
                and block.rfind(b">", tag, at) < 0
                and _CELL_TAG.match(block, tag)
            ):
                hits.append(at)
            at = block.find(needle, at + 5)
    if not hits:
        return block
    hits.sort()
    parts: list[bytes] = []
    done = 0
    for at in hits:
        quote = block[at + 2 : at + 3]
        parts.append(block[done : at + 2])  # up to and including t=
        parts.append(quote + b"str" + quote)
        done = at + 5
    parts.append(block[done:])
    return b"".join(parts)


def _letters(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _fill_merged(
    number: int,
    row: list[CellValue],
    pending: list[MergedRange],
    active: list[tuple[MergedRange, CellValue]],
) -> tuple[list[CellValue], list[tuple[MergedRange, CellValue]]]:
    """Copy each merged range's top-left value into the range's other cells of this row.

    A row that is blank apart from merged cells stays blank (a merged region label does not
    create a data row).
    """
    active = [(m, v) for m, v in active if m.max_row >= number]
    while pending and pending[-1].min_row <= number:
        merge = pending.pop()
        if merge.max_row < number:
            continue
        value = row[merge.min_col] if merge.min_col < len(row) else None
        if merge.min_row == number:
            active.append((merge, value))
    if not active:
        return row, active
    if not any(
        v is not None
        for i, v in enumerate(row)
        if not any(m.min_col <= i <= m.max_col for m, _ in active)
    ) and all(m.min_row < number for m, _ in active):
        return row, active
    width = max(m.max_col for m, _ in active) + 1
    if len(row) < width:
        row = row + [None] * (width - len(row))
    for merge, value in active:
        if value is None:
            continue
        for col in range(merge.min_col, merge.max_col + 1):
            if row[col] is None:
                row[col] = value
    return row, active
