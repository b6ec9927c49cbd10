"""Cell-level problems found while converting a register, with French and English messages.

A :class:`Problem` locates one issue (sheet, row, column, cell reference), keeps the offending
value for the report, and carries a machine-readable :class:`ProblemCode` and a
:class:`Severity`. Errors reject the row; warnings and notes do not.

Messages are templates over *positions and labels only* (row numbers, column letters, field
labels, counts): they never contain cell values, so summaries and logs hold no names.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import attrs

from cpcase.adapters.excel.cells import column_letter
from cpcase.labels import LabelledEnum, Lang

__all__ = ["Problem", "ProblemCode", "Severity"]


class Severity(LabelledEnum):
    """How serious a problem is: an error rejects the row, a warning or a note does not."""

    ERROR = ("error", "Erreur (ligne rejetée)", "Error (row rejected)")
    WARNING = ("warning", "Avertissement", "Warning")
    NOTE = ("note", "Remarque", "Note")

    @property
    def rank(self) -> int:
        """error=2, warning=1, note=0."""
        return _SEVERITY_RANK[self._value_]


_SEVERITY_RANK = {"error": 2, "warning": 1, "note": 0}


class ProblemCode(LabelledEnum):
    """What went wrong. ``label_fr``/``label_en`` are message templates (``str.format``).

    Placeholders: ``{field}`` (field label), ``{row}`` (another row number), ``{max}``,
    ``{expected}`` (an example of a valid value), ``{age}``, ``{detail}``.
    """

    REQUIRED_MISSING = (
        "required_missing",
        "« {field} » est obligatoire et la cellule est vide",
        "'{field}' is required and the cell is empty",
    )
    DATE_UNREADABLE = (
        "date_unreadable",
        "« {field} » : date illisible (attendu jj/mm/aaaa, par ex. {expected})",
        "'{field}': unreadable date (expected dd/mm/yyyy, e.g. {expected})",
    )
    DATE_IMPOSSIBLE = (
        "date_impossible",
        "« {field} » : cette date n'existe pas ({detail})",
        "'{field}': this date does not exist ({detail})",
    )
    DATE_IN_FUTURE = (
        "date_in_future",
        "« {field} » : la date est dans le futur",
        "'{field}': the date is in the future",
    )
    DATE_IMPLAUSIBLE = (
        "date_implausible",
        "« {field} » : date invraisemblable ({detail})",
        "'{field}': implausible date ({detail})",
    )
    DATE_PARTIAL = (
        "date_partial",
        "« {field} » : date incomplète ({detail}) ; le jour manquant est fixé et l'âge est "
        "marqué comme estimé",
        "'{field}': partial date ({detail}); the missing day is set and the age is marked "
        "estimated",
    )
    AGE_UNREADABLE = (
        "age_unreadable",
        "« {field} » : âge illisible (attendu par ex. « 12 », « 12 ans » ou « 6 mois »)",
        "'{field}': unreadable age (expected e.g. '12', '12 years' or '6 months')",
    )
    AGE_ADULT = (
        "age_adult",
        "L'enfant a {age} ans ou plus : non éligible (18 ans et plus), enregistré et signalé",
        "The person is {age} or older: not eligible (18 and over), kept and flagged",
    )
    AGE_MISMATCH = (
        "age_mismatch",
        "L'âge ne correspond pas à la date de naissance ; la date de naissance est retenue",
        "The age does not match the date of birth; the date of birth is used",
    )
    NUMBER_UNREADABLE = (
        "number_unreadable",
        "« {field} » : nombre illisible",
        "'{field}': unreadable number",
    )
    YES_NO_UNREADABLE = (
        "yes_no_unreadable",
        "« {field} » : attendu Oui ou Non (ou X pour oui)",
        "'{field}': expected Yes or No (or X for yes)",
    )
    VALUE_NOT_IN_LIST = (
        "value_not_in_list",
        "« {field} » : valeur inconnue ; valeurs possibles : {expected_fr}",
        "'{field}': unknown value; possible values: {expected_en}",
    )
    EXCEL_ERROR = (
        "excel_error",
        "« {field} » : la cellule contient une erreur Excel ({detail}) ; corrigez la formule",
        "'{field}': the cell holds an Excel error ({detail}); fix the formula",
    )
    TEXT_TOO_LONG = (
        "text_too_long",
        "« {field} » : texte trop long (plus de {max} caractères)",
        "'{field}': text too long (more than {max} characters)",
    )
    VALUE_IGNORED = (
        "value_ignored",
        "« {field} » : valeur non reprise ({detail}) ; le reste de la ligne est converti",
        "'{field}': value not imported ({detail}); the rest of the row is converted",
    )
    CASE_CODE_INVALID = (
        "case_code_invalid",
        "« {field} » : code de dossier invalide (format attendu {expected})",
        "'{field}': invalid case code (expected format {expected})",
    )
    DUPLICATE_NUMBER = (
        "duplicate_number",
        "Doublon possible : même numéro que la ligne {row}",
        "Possible duplicate: same number as row {row}",
    )
    DUPLICATE_CHILD = (
        "duplicate_child",
        "Doublon possible : même nom, date de naissance et sexe que la ligne {row}",
        "Possible duplicate: same name, date of birth and sex as row {row}",
    )
    FORM_RULE = (
        "form_rule",
        "« {field} » : {detail}",
        "'{field}': {detail}",
    )
    PHONE_AS_NUMBER = (
        "phone_as_number",
        "« {field} » : numéro saisi comme nombre ; un 0 initial a pu être perdu (saisissez les "
        "numéros comme texte)",
        "'{field}': phone typed as a number; a leading 0 may be lost (type numbers as text)",
    )
    NAME_SPLIT = (
        "name_split",
        "« {field} » : nom complet découpé (dernier mot = nom de famille)",
        "'{field}': full name split (last word = last name)",
    )
    NO_DATA = (
        "no_data",
        "La ligne n'a aucune donnée dans les colonnes reconnues : elle est ignorée",
        "The row has no data in the recognised columns: it is skipped",
    )
    TOO_MANY_PROBLEMS = (
        "too_many_problems",
        "Plus de {max} problèmes sur cette ligne ; les suivants ne sont pas listés",
        "More than {max} problems in this row; the rest are not listed",
    )

    def render(self, lang: Lang, params: dict[str, Any]) -> str:
        """The message in ``lang`` with ``params`` filled in (missing ones left as "?")."""
        template = self.label_fr if lang == "fr" else self.label_en
        try:
            # Templates have named fields only: format_map reads ``params`` without a copy.
            return template.format_map(params)
        except (KeyError, IndexError):
            return template.format_map(_Missing(params))


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


#: Column letters by 0-based index (a report computes one per problem).
_column_letter = lru_cache(maxsize=4096)(column_letter)


@attrs.frozen
class Problem:
    """One problem in one cell (or in a whole row when ``column`` is ``None``).

    ``row`` is the sheet row number (1-based), ``column`` the 0-based column index, ``field``
    the register field key (see :mod:`.columns`), ``value`` the cell text as read (for the
    report only; never logged). ``params`` fill the message template.
    """

    row: int
    column: int | None
    code: ProblemCode
    severity: Severity
    field: str | None = None
    value: str | None = None
    params: dict[str, Any] = attrs.field(factory=dict)
    suggestion_fr: str | None = None
    suggestion_en: str | None = None

    @property
    def cell(self) -> str:
        """Cell reference such as "C14" (or "14" for a whole-row problem)."""
        column = self.column
        return str(self.row) if column is None else f"{_column_letter(column)}{self.row}"

    def message(self, lang: Lang = "fr") -> str:
        """The problem in ``lang`` (a value that was left out says so)."""
        params = self.params
        text = self.code.render(lang, params)
        if params.get("ignored"):
            text += " — valeur non reprise" if lang == "fr" else " — value not imported"
        return text

    def suggestion(self, lang: Lang = "fr") -> str | None:
        """A suggested fix in ``lang``, if any."""
        return self.suggestion_fr if lang == "fr" else self.suggestion_en
