"""Errors raised when a register cannot be read at all (per-row problems go in the report).

Every error carries a machine-readable ``code``, the file, and where known the sheet and cell,
plus the message in French and English (:meth:`RegisterError.message_in`). Messages never quote
cell contents: a register holds children's names.

::

    RegisterImportError (cpcase.errors)
    └── RegisterError                 base of this module; .code .path .sheet .cell
        ├── UnsupportedRegisterError  .xls, .xlsb, .ods, password-protected, not a spreadsheet
        ├── CorruptRegisterError      truncated or damaged zip, malformed XML
        ├── UnsafeRegisterError       XML entity declarations (XXE), suspicious compression
        ├── RegisterTooLargeError     a size limit was exceeded (zip bomb defence)
        ├── RegisterEncodingError     a CSV that is not text in a known encoding
        ├── SheetNotFoundError        --sheet names no sheet (also a LookupError)
        ├── HeaderNotFoundError       no row looks like column names
        └── MappingFileError          the TOML mapping file is malformed
"""

from __future__ import annotations

from pathlib import Path

from cpcase.errors import RegisterImportError
from cpcase.labels import Lang

__all__ = [
    "CorruptRegisterError",
    "HeaderNotFoundError",
    "MappingFileError",
    "RegisterEncodingError",
    "RegisterError",
    "RegisterTooLargeError",
    "SheetNotFoundError",
    "UnsafeRegisterError",
    "UnsupportedRegisterError",
]


class RegisterError(RegisterImportError):
    """A register (or its mapping file) cannot be used; names file, sheet and cell, never values."""

    code = "register_error"

    def __init__(
        self,
        message_en: str,
        message_fr: str,
        *,
        path: Path | str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        code: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.sheet = sheet
        self.cell = cell
        if code is not None:
            self.code = code
        self.message_en = message_en
        self.message_fr = message_fr
        super().__init__(self.message_in("en"))

    def _where(self, lang: Lang) -> str:
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path.name)
        if self.sheet is not None:
            parts.append(f"{'feuille' if lang == 'fr' else 'sheet'} « {self.sheet} »")
        if self.cell is not None:
            parts.append(f"{'cellule' if lang == 'fr' else 'cell'} {self.cell}")
        return ", ".join(parts)

    def message_in(self, lang: Lang = "en") -> str:
        """The message in ``lang`` prefixed with the location (file, sheet, cell)."""
        text = self.message_fr if lang == "fr" else self.message_en
        where = self._where(lang)
        return f"{where}: {text}" if where else text


class UnsupportedRegisterError(RegisterError):
    """The file is not an .xlsx/.xlsm/.csv register; the message says how to convert it."""

    code = "unsupported_format"


class CorruptRegisterError(RegisterError):
    """The file is damaged: truncated zip, missing part or malformed XML."""

    code = "corrupt"


class UnsafeRegisterError(RegisterError):
    """The file contains constructs used in attacks (XML entity declarations, XXE)."""

    code = "unsafe"


class RegisterTooLargeError(RegisterError):
    """A safety limit (uncompressed size, rows, columns, cell length) was exceeded."""

    code = "too_large"


class RegisterEncodingError(RegisterError):
    """A CSV file is not text in UTF-8, UTF-16 or Windows-1252/Latin-1."""

    code = "encoding"


class SheetNotFoundError(RegisterError, LookupError):
    """The requested sheet does not exist; ``suggestions`` lists close names."""

    code = "sheet_not_found"

    def __init__(
        self,
        message_en: str,
        message_fr: str,
        *,
        path: Path | str | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        self.suggestions = suggestions
        super().__init__(message_en, message_fr, path=path)


class HeaderNotFoundError(RegisterError):
    """No row in the first rows of the sheet looks like column names."""

    code = "header_not_found"


class MappingFileError(RegisterError):
    """The TOML mapping file is malformed; the message names the key."""

    code = "mapping_file"
