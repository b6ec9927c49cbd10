"""The validation report (``report.xlsx``) and ``summary.json``.

``report.xlsx`` has three sheets, in the language of the conversion:

- a summary (counts, the column mapping, defaults applied);
- the problems, one line each: row, cell, column, field, value, severity, problem, suggestion;
- the register's rows that have problems, as they were read, with each problem cell coloured
  (red: the row was rejected, yellow: warning, green: note) and commented.

The report is filled while the register is converted (nothing is re-read), and written
atomically at the end. ``summary.json`` holds counts only: no cell values, no names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpcase.adapters.excel._xlsxwrite import (
    _LETTERS,
    Style,
    Styled,
    XlsxWriter,
    atomic_write_bytes,
)
from cpcase.adapters.excel.cells import RawRow, column_letter
from cpcase.adapters.excel.columns import FIELDS_BY_KEY
from cpcase.adapters.excel.header import HeaderGuess
from cpcase.adapters.excel.mapping import ColumnMap
from cpcase.adapters.excel.problems import Problem, Severity

if TYPE_CHECKING:
    from cpcase.adapters.excel.convert import ConvertOptions, Summary

__all__ = ["ReportWriter", "write_summary"]

_HOW = {
    "fr": {
        "builtin": "reconnue",
        "mapping": "fichier de correspondance",
        "ignored": "ignorée (correspondance)",
        "duplicate": "doublon d'une colonne précédente",
        "unknown": "non reconnue",
        "empty": "sans en-tête",
    },
    "en": {
        "builtin": "recognised",
        "mapping": "mapping file",
        "ignored": "ignored (mapping)",
        "duplicate": "duplicate of an earlier column",
        "unknown": "not recognised",
        "empty": "no header",
    },
}
_CELL_STYLE = {
    Severity.ERROR: Style.ERROR,
    Severity.WARNING: Style.WARNING,
    Severity.NOTE: Style.NOTE,
}


def _t(lang: str, fr: str, en: str) -> str:
    return fr if lang == "fr" else en


class ReportWriter:
    """Collects problems row by row into ``report.xlsx``; nothing is written before
    :meth:`close`."""

    def __init__(
        self,
        path: Path,
        header: HeaderGuess,
        column_map: ColumnMap,
        options: ConvertOptions,
        *,
        sheet: str,
        register: str,
    ) -> None:
        self.lang = options.lang
        self.column_map = column_map
        self.header = header
        self.sheet = sheet
        self.register = register
        lang = self.lang
        self._book = XlsxWriter(path)
        self._summary = self._book.add_sheet(
            _t(lang, "Résumé", "Summary"), widths=(38, 60, 40, 30)
        )
        self._problems = self._book.add_sheet(
            _t(lang, "Problèmes", "Problems"),
            freeze_rows=1,
            autofilter=True,
            widths=(8, 9, 28, 28, 24, 16, 70, 40, 20),
        )
        self._problems.append(
            [
                _t(lang, "Ligne", "Row"),
                _t(lang, "Cellule", "Cell"),
                _t(lang, "Colonne", "Column"),
                _t(lang, "Champ", "Field"),
                _t(lang, "Valeur", "Value"),
                _t(lang, "Gravité", "Severity"),
                _t(lang, "Problème", "Problem"),
                _t(lang, "Suggestion", "Suggestion"),
                _t(lang, "Code", "Code"),
            ],
            style=Style.HEADER,
        )
        self._rows = self._book.add_sheet(
            _t(lang, "Lignes à corriger", "Rows to fix"), freeze_rows=1, autofilter=True
        )
        self._rows.append([_t(lang, "Ligne", "Row"), *header.names], style=Style.HEADER)
        # Register field key -> its label in the report's language (filled as keys are met).
        self._field_labels: dict[str | None, str] = {}
        self._severity_labels = {severity: severity.label(lang) for severity in Severity}

    def add(self, row: RawRow, problems: Sequence[Problem]) -> None:
        """Record the problems of one row (and the row itself, highlighted)."""
        # Called once per problem row of the register: labels are looked up once per writer
        # (``_field_labels``, ``_severity_labels``) and the common case of one problem per row
        # builds no more than it writes.
        lang = self.lang
        headers = self.header.names
        n_headers = len(headers)
        field_labels = self._field_labels
        severity_labels = self._severity_labels
        append_problem = self._problems.append
        worst: dict[int, Severity] = {}
        notes: dict[int, list[str]] = {}
        row_notes: list[str] = []
        for problem in problems:
            column = problem.column
            key = problem.field
            label = field_labels.get(key)
            if label is None:
                field = FIELDS_BY_KEY.get(key or "")
                label = field_labels[key] = field.label(lang) if field else (key or "")
            message = problem.message(lang)
            suggestion = problem.suggestion(lang)
            severity = problem.severity
            if column is None:
                cell = header = ""
            else:
                # problem.cell, without a property call for the usual columns
                cell = (
                    f"{_LETTERS[column]}{problem.row}"
                    if 0 <= column < len(_LETTERS)
                    else problem.cell
                )
                header = headers[column] if column < n_headers else ""
            append_problem(
                [
                    problem.row,
                    cell,
                    header,
                    label,
                    problem.value,
                    severity_labels[severity],
                    message,
                    suggestion,
                    problem.code.value,
                ]
            )
            text = f"{message} ({suggestion})" if suggestion else message
            if column is None:
                row_notes.append(text)
                continue
            seen = worst.get(column)
            if seen is None:
                worst[column] = severity
                notes[column] = [text]
                continue
            if severity.rank > seen.rank:
                worst[column] = severity
            notes[column].append(text)
        cells: list[Any] = [row.number, *row.cells]
        if worst:
            width = max(worst) + 2
            if width > len(cells):
                cells += [None] * (width - len(cells))
            for column, severity in worst.items():
                cells[column + 1] = Styled(cells[column + 1], _CELL_STYLE[severity])
        if row_notes:
            level = max((p.severity for p in problems if p.column is None), key=lambda s: s.rank)
            cells[0] = Styled(row.number, _CELL_STYLE[level])
        rows = self._rows
        number = rows.append(cells)
        for column, texts in notes.items():
            rows.comment(number, column + 1, texts[0] if len(texts) == 1 else "\n".join(texts))
        if row_notes:
            rows.comment(number, 0, "\n".join(row_notes))

    def close(self, summary: Summary) -> None:
        """Fill the summary sheet and write the file."""
        lang = self.lang
        s = self._summary
        s.append(
            [
                Styled(
                    _t(lang, "Rapport de conversion du registre", "Register conversion report"),
                    Style.TITLE,
                )
            ]
        )
        rows = [
            (_t(lang, "Fichier", "File"), summary.register),
            (_t(lang, "Feuille", "Sheet"), summary.sheet),
            (_t(lang, "Ligne d'en-tête", "Header row"), summary.header_row),
            (_t(lang, "Date de référence", "Reference date"), summary.today),
            (_t(lang, "Lignes lues", "Rows read"), summary.rows_read),
            (_t(lang, "Converties", "Converted"), summary.converted),
            (
                _t(lang, "Non éligibles (18 ans et plus), conservées", "Not eligible (18+), kept"),
                summary.not_eligible,
            ),
            (_t(lang, "Rejetées (à corriger)", "Rejected (to fix)"), summary.rejected),
            (
                _t(lang, "Converties avec avertissements", "Converted with warnings"),
                summary.rows_with_warnings,
            ),
            (
                _t(lang, "Lignes sans données reconnues", "Rows without recognised data"),
                summary.rows_blank,
            ),
        ]
        if summary.encoding:
            rows.append((_t(lang, "Encodage (CSV)", "Encoding (CSV)"), summary.encoding))
            rows.append(
                (
                    _t(lang, "Séparateur (CSV)", "Delimiter (CSV)"),
                    {"\t": "tab"}.get(summary.delimiter or "", summary.delimiter),
                )
            )
        for label, value in rows:
            s.append([Styled(label, Style.HEADER), value])
        s.append([])
        s.append([Styled(_t(lang, "Problèmes par type", "Problems by type"), Style.TITLE)])
        for code, count in sorted(summary.problems_by_code.items(), key=lambda kv: -kv[1]):
            s.append([code, count])
        if summary.defaults_applied:
            s.append([])
            s.append(
                [
                    Styled(
                        _t(
                            lang,
                            "Valeurs par défaut appliquées (colonne absente)",
                            "Defaults applied (column absent)",
                        ),
                        Style.TITLE,
                    )
                ]
            )
            for key, count in sorted(summary.defaults_applied.items()):
                field = FIELDS_BY_KEY.get(key)
                s.append([field.label(lang) if field else key, count])
        s.append([])
        s.append([Styled(_t(lang, "Colonnes", "Columns"), Style.TITLE)])
        s.append(
            [
                Styled(_t(lang, "Colonne", "Column"), Style.HEADER),
                Styled(_t(lang, "En-tête", "Header"), Style.HEADER),
                Styled(_t(lang, "Champ cpcase", "cpcase field"), Style.HEADER),
                Styled(_t(lang, "Reconnaissance", "Recognition"), Style.HEADER),
            ]
        )
        for letter, header, target, how in summary.columns:
            field = FIELDS_BY_KEY.get(target or "")
            label = field.label(lang) if field else (target or "")
            how_text = _HOW["fr" if lang == "fr" else "en"].get(how, how)
            s.append(
                [
                    letter,
                    header,
                    label,
                    Styled(how_text, Style.WARNING)
                    if target is None and how != "empty"
                    else how_text,
                ]
            )
        self._book.close()

    def abort(self) -> None:
        """Drop the report (nothing was written)."""
        self._book._closed = True


def write_summary(path: Path, summary: Summary) -> None:
    """``summary.json``, atomically."""
    data = json.dumps(summary.to_json(), ensure_ascii=False, indent=2) + "\n"
    atomic_write_bytes(path, [data.encode("utf-8")])


def column_name(index: int) -> str:
    """Excel letters of a 0-based column index (re-exported for report readers)."""
    return column_letter(index)
