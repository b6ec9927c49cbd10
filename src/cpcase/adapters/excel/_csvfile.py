"""CSV registers: encoding and delimiter detection, streamed rows with the same values as .xlsx.

French Excel writes CSV in Windows-1252 with ``;`` separators; other tools write UTF-8 (with or
without a byte-order mark) and ``,``; "Unicode text" exports are UTF-16 with tabs. The encoding
is decided over the whole file before any row is returned (a first pass that decodes without
keeping anything), so a "é" on line 80,000 cannot switch the encoding half-way.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from cpcase.adapters.excel._xlsx import MergedRange
from cpcase.adapters.excel.cells import EXCEL_ERRORS, CellValue, ExcelError, RawRow
from cpcase.adapters.excel.errors import RegisterEncodingError, RegisterTooLargeError
from cpcase.adapters.excel.limits import Limits

__all__ = ["CsvSheet", "detect_delimiter", "detect_encoding"]

_SNIFF = 64 * 1024
_DELIMITERS = (";", ",", "\t", "|")
_FIX: dict[str, CellValue] = {"": None, **{code: ExcelError(code) for code in EXCEL_ERRORS}}


def _fails(data_path: Path, encoding: str, skip: int) -> str | None:
    """Decode the whole file incrementally; the position of the first failure, or None."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with data_path.open("rb") as fh:
        fh.seek(skip)
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return f"byte {skip + offset + exc.start}"
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"byte {skip + offset} (end of file)"
    return None


def detect_encoding(path: Path, *, forced: str | None = None) -> tuple[str, int]:
    """``(encoding, bytes to skip)`` for the CSV at ``path``.

    A byte-order mark decides; otherwise UTF-8 if the whole file decodes, else Windows-1252,
    else Latin-1 (which decodes anything). NUL bytes without a BOM mean the file is not text
    in any of these encodings (UTF-16 without BOM, or a binary file renamed .csv).
    """
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    if forced is not None:
        try:
            codecs.lookup(forced)
        except LookupError:
            raise RegisterEncodingError(
                f"unknown encoding {forced!r}",
                f"encodage inconnu {forced!r}",
                path=path,
            ) from None
        skip = 3 if forced.lower().replace("_", "-") in ("utf-8-sig",) else 0
        failure = _fails(path, forced, skip)
        if failure is not None:
            raise RegisterEncodingError(
                f"the file is not valid {forced} text (at {failure})",
                f"le fichier n'est pas un texte {forced} valide (à l'octet {failure})",
                path=path,
            )
        return forced, skip
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[tuple[str, int], ...] = (("utf-8", 3),)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = (("utf-16", 0),)
    elif b"\x00" in head:
        raise RegisterEncodingError(
            "the file is not text (it contains NUL bytes): if it comes from Excel, save it as "
            "'CSV UTF-8' or as .xlsx",
            "le fichier n'est pas du texte (il contient des octets nuls) : s'il vient d'Excel, "
            "enregistrez-le en « CSV UTF-8 » ou en .xlsx",
            path=path,
        )
    else:
        candidates = (("utf-8", 0), ("cp1252", 0), ("latin-1", 0))
    for encoding, skip in candidates:
        if _fails(path, encoding, skip) is None:
            return encoding, skip
    raise RegisterEncodingError(
        "the file is not valid text in its declared encoding (byte-order mark)",
        "le fichier n'est pas un texte valide dans l'encodage annoncé (marque d'ordre des octets)",
        path=path,
    )


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def detect_delimiter(sample: str) -> str:
    """The delimiter among ``; , tab |`` that splits the sample's lines most consistently.

    The most common non-zero count per line wins for each candidate; candidates are ranked by
    how many lines share that count, then by the count. ``;`` wins ties (French Excel).
    """
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if lines and lines[0].lower().startswith("sep=") and len(lines[0]) == 5:
        return lines[0][4]
    best: tuple[int, int, int] = (0, 0, 0)
    choice = ";"
    for rank, delimiter in enumerate(_DELIMITERS):
        counts = Counter(_count_outside_quotes(line, delimiter) for line in lines)
        counts.pop(0, None)
        if not counts:
            continue
        count, lines_with = counts.most_common(1)[0]
        score = (lines_with, count, -rank)
        if score > best:
            best, choice = score, delimiter
    return choice


class CsvSheet:
    """A CSV file seen as one sheet named after the file."""

    date1904 = False

    def __init__(
        self,
        path: Path,
        limits: Limits,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
    ) -> None:
        self.path = path
        self.limits = limits
        self.name = path.stem
        self.merged: tuple[MergedRange, ...] = ()
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise RegisterTooLargeError(
                f"the file is larger than {limits.max_file_bytes} bytes",
                f"le fichier dépasse {limits.max_file_bytes} octets",
                path=path,
            )
        self.encoding, self._skip = detect_encoding(path, forced=encoding)
        with path.open("rb") as fh:
            fh.seek(self._skip)
            sample = fh.read(_SNIFF).decode(self.encoding, errors="replace")
        self.delimiter = delimiter or detect_delimiter(sample)
        first = sample.split("\n", 1)[0].strip().lower()
        self._sep_line = first.startswith("sep=") and len(first) == 5
        self.row_count_estimate = max(sample.count("\n"), 1) * max(size // max(len(sample), 1), 1)

    def scan(self) -> None:
        """Nothing to pre-scan: the encoding was checked over the whole file on opening."""

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        limits = self.limits
        with self.path.open("rb") as raw:
            raw.seek(self._skip)
            text = io.TextIOWrapper(raw, encoding=self.encoding, newline="")
            if self._sep_line:
                text.readline()
            reader = csv.reader(text, delimiter=self.delimiter, strict=False)
            number = 0
            old_limit = csv.field_size_limit()
            csv.field_size_limit(limits.max_cell_chars + 1)
            try:
                for fields in reader:
                    number += 1
                    if number > limits.max_rows + 1:
                        raise RegisterTooLargeError(
                            f"the file has more than {limits.max_rows} rows",
                            f"le fichier a plus de {limits.max_rows} lignes",
                            path=self.path,
                        )
                    if len(fields) > limits.max_columns:
                        raise RegisterTooLargeError(
                            f"row {number} has more than {limits.max_columns} columns",
                            f"la ligne {number} a plus de {limits.max_columns} colonnes",
                            path=self.path,
                        )
                    yield number, fields
            except csv.Error as exc:
                raise RegisterTooLargeError(
                    f"row {number + 1}: a cell is longer than {limits.max_cell_chars} "
                    "characters or the quoting is broken",
                    f"ligne {number + 1} : une cellule dépasse {limits.max_cell_chars} "
                    "caractères ou les guillemets sont mal fermés",
                    path=self.path,
                ) from exc
            finally:
                csv.field_size_limit(old_limit)

    def rows(self, max_rows: int | None = None) -> Iterator[RawRow]:
        """Non-blank records as rows (record numbers are the row numbers Excel would show)."""
        fix = _FIX.get
        seen = 0
        for number, fields in self._records():
            row: list[CellValue] = [fix(v, v) for v in fields]
            while row and row[-1] is None:
                row.pop()
            if not row:
                continue
            yield RawRow(number, tuple(row))
            seen += 1
            if max_rows is not None and seen >= max_rows:
                return

    def head(self, max_rows: int = 30) -> list[RawRow]:
        """The first ``max_rows`` non-blank rows."""
        return list(self.rows(max_rows))
