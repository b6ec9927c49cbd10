"""Open a register file of any supported kind and pick its sheet.

The kind is decided from the file's first bytes, not its extension (a ".xls" that is really
an .xlsx, or an HTML page saved as ".xls", are common). Supported: .xlsx and .xlsm (streamed,
see :mod:`._xlsx`) and CSV (see :mod:`._csv`). Legacy .xls, .xlsb, OpenDocument .ods and
password-protected workbooks raise :class:`UnsupportedRegisterError` with the steps to convert.
"""

from __future__ import annotations

import difflib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, Protocol

from cpcase.adapters.excel._csvfile import CsvSheet
from cpcase.adapters.excel._text import fold
from cpcase.adapters.excel._xlsx import MergedRange, XlsxWorkbook
from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.errors import (
    CorruptRegisterError,
    RegisterTooLargeError,
    SheetNotFoundError,
    UnsupportedRegisterError,
)
from cpcase.adapters.excel.limits import DEFAULT_LIMITS, Limits

__all__ = ["RegisterFile", "Sheet", "sniff_kind"]

Kind = Literal["xlsx", "csv", "xls", "xlsb", "ods", "encrypted", "html", "zip", "empty"]

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_CONVERT_FR = (
    "ouvrez-le dans Excel ou LibreOffice puis « Fichier > Enregistrer sous » au format "
    "« Classeur Excel (.xlsx) » (ou en ligne de commande : "
    "soffice --headless --convert-to xlsx FICHIER)"
)
_CONVERT_EN = (
    "open it in Excel or LibreOffice and use 'File > Save As' with type 'Excel Workbook "
    "(.xlsx)' (or on the command line: soffice --headless --convert-to xlsx FILE)"
)


class Sheet(Protocol):
    """One sheet of a register: its name and its non-blank rows."""

    name: str
    merged: tuple[MergedRange, ...]
    row_count_estimate: int

    @property
    def date1904(self) -> bool:
        """Whether numeric dates count from 1904."""

    def head(self, max_rows: int = 30) -> list[RawRow]:
        """The first non-blank rows, cheaply."""

    def scan(self) -> None:
        """Check limits and collect merged ranges before :meth:`rows`."""

    def rows(self) -> Iterator[RawRow]:
        """Every non-blank row, in order."""


def sniff_kind(path: Path) -> Kind:
    """The kind of register file at ``path`` from its content."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        return "empty"
    if head.startswith(_CFB):
        with path.open("rb") as fh:
            body = fh.read(8 << 20)
        return "encrypted" if _ENCRYPTED in body else "xls"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
                    return "ods"
        except (zipfile.BadZipFile, OSError, EOFError):
            return "xlsx"  # a damaged zip: the xlsx reader reports it clearly
        if "xl/workbook.bin" in names:
            return "xlsb"
        if any(n.startswith("xl/") for n in names) or "[Content_Types].xml" in names:
            return "xlsx"
        return "zip"
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")):
        return "html"
    return "csv"


def _unsupported(path: Path, kind: Kind) -> UnsupportedRegisterError:
    what = {
        "xls": ("a legacy Excel 97-2003 workbook (.xls)", "un classeur Excel 97-2003 (.xls)"),
        "xlsb": ("an Excel binary workbook (.xlsb)", "un classeur Excel binaire (.xlsb)"),
        "ods": ("an OpenDocument spreadsheet (.ods)", "un classeur OpenDocument (.ods)"),
        "html": (
            "a web page or XML file saved with a spreadsheet extension",
            "une page web ou un fichier XML enregistré avec une extension de tableur",
        ),
        "zip": (
            "a zip archive that is not an Excel workbook",
            "une archive zip qui n'est pas un classeur Excel",
        ),
    }
    if kind == "encrypted":
        return UnsupportedRegisterError(
            "the workbook is password-protected: open it in Excel, remove the password "
            "('File > Info > Protect Workbook > Encrypt with Password', clear the field), save "
            "it as .xlsx on a protected computer, and convert that copy",
            "le classeur est protégé par un mot de passe : ouvrez-le dans Excel, retirez le mot "
            "de passe (« Fichier > Informations > Protéger le classeur > Chiffrer avec mot de "
            "passe », videz le champ), enregistrez-le en .xlsx sur un ordinateur protégé et "
            "convertissez cette copie",
            path=path,
            code="password_protected",
        )
    if kind == "empty":
        return UnsupportedRegisterError("the file is empty", "le fichier est vide", path=path)
    en, fr = what.get(kind, ("an unsupported file", "un fichier non pris en charge"))
    return UnsupportedRegisterError(
        f"this is {en}; cpcase reads .xlsx, .xlsm and .csv: {_CONVERT_EN}",
        f"ce fichier est {fr} ; cpcase lit les formats .xlsx, .xlsm et .csv : {_CONVERT_FR}",
        path=path,
    )


class RegisterFile:
    """An opened register (.xlsx, .xlsm or .csv). Use as a context manager; read-only."""

    def __init__(
        self,
        path: Path | str,
        *,
        limits: Limits = DEFAULT_LIMITS,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.limits = limits
        if not self.path.is_file():
            raise CorruptRegisterError(
                "no such file", "fichier introuvable", path=self.path, code="not_found"
            )
        if self.path.stat().st_size > limits.max_file_bytes:
            raise RegisterTooLargeError(
                f"the file is larger than {limits.max_file_bytes} bytes",
                f"le fichier dépasse {limits.max_file_bytes} octets",
                path=self.path,
            )
        kind = sniff_kind(self.path)
        self._book: XlsxWorkbook | None = None
        self._csv: CsvSheet | None = None
        if kind == "xlsx":
            self.kind: Literal["xlsx", "csv"] = "xlsx"
            self._book = XlsxWorkbook(self.path, limits)
        elif kind == "csv":
            self.kind = "csv"
            self._csv = CsvSheet(self.path, limits, encoding=encoding, delimiter=delimiter)
        else:
            raise _unsupported(self.path, kind)

    def __enter__(self) -> RegisterFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the file."""
        if self._book is not None:
            self._book.close()

    @property
    def sheet_names(self) -> tuple[str, ...]:
        """Sheet names (a CSV has one, named after the file)."""
        if self._book is not None:
            return self._book.sheet_names
        return (self._csv.name,) if self._csv is not None else ()

    @property
    def visible_sheet_names(self) -> tuple[str, ...]:
        """Sheets that are not hidden."""
        if self._book is not None:
            return self._book.visible_sheet_names
        return self.sheet_names

    @property
    def encoding(self) -> str | None:
        """The CSV encoding detected (``None`` for workbooks)."""
        return self._csv.encoding if self._csv is not None else None

    @property
    def delimiter(self) -> str | None:
        """The CSV delimiter detected (``None`` for workbooks)."""
        return self._csv.delimiter if self._csv is not None else None

    def sheet(self, name: str) -> Sheet:
        """The sheet called ``name``, matched ignoring case, accents and spacing."""
        if self._csv is not None:
            return self._csv
        if self._book is None:  # pragma: no cover - one of the two is always set
            raise LookupError(name)
        names = self._book.sheet_names
        if name in names:
            return self._book.sheet(name)
        folded = {fold(n): n for n in names}
        if fold(name) in folded:
            return self._book.sheet(folded[fold(name)])
        close = tuple(
            folded[f] for f in difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.6)
        )
        listing = ", ".join(f"« {n} »" for n in names)
        hint_en = f"; did you mean {' or '.join(close)}?" if close else ""
        hint_fr = f" ; vouliez-vous dire {' ou '.join(close)} ?" if close else ""
        raise SheetNotFoundError(
            f"no sheet named « {name} »; the sheets are {listing}{hint_en}",
            f"aucune feuille ne s'appelle « {name} » ; les feuilles sont {listing}{hint_fr}",
            path=self.path,
            suggestions=close,
        )
