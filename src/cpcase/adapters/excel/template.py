"""A blank register to fill in: localised headers, dropdowns, and an instructions sheet.

The template's register sheet has exactly the columns of the export's register sheet, so a
filled template converts without a mapping file, and an export can be edited and converted
again.
"""

from __future__ import annotations

from pathlib import Path

from cpcase.adapters.excel._xlsxwrite import Style, Styled, XlsxWriter
from cpcase.adapters.excel.coerce import short_label, vocab_member
from cpcase.adapters.excel.columns import FIELDS_BY_KEY, FieldKind
from cpcase.adapters.excel.export import TEMPLATE_KEYS, ListsSheet, add_register_sheet
from cpcase.adapters.excel.mapping import BUILTIN_DEFAULTS
from cpcase.labels import Lang

__all__ = ["REQUIRED_KEYS", "write_template"]

#: Columns that must be filled in for a row to convert.
REQUIRED_KEYS = ("registration_date", "sex", "date_of_birth", "protection_concern_primary")

_KIND_FR = {
    FieldKind.TEXT: "texte",
    FieldKind.NAME: "texte (nom)",
    FieldKind.FULL_NAME: "texte (nom)",
    FieldKind.PHONE: "texte (téléphone)",
    FieldKind.DATE: "date jj/mm/aaaa",
    FieldKind.AGE: "nombre d'années (ou « 6 mois »)",
    FieldKind.BOOL: "Oui / Non",
    FieldKind.ENUM: "une valeur de la liste",
    FieldKind.MULTI: "une ou plusieurs valeurs de la liste, séparées par « ; »",
    FieldKind.CODE: "texte",
}
_KIND_EN = {
    FieldKind.TEXT: "text",
    FieldKind.NAME: "text (name)",
    FieldKind.FULL_NAME: "text (name)",
    FieldKind.PHONE: "text (telephone)",
    FieldKind.DATE: "date dd/mm/yyyy",
    FieldKind.AGE: "number of years (or '6 months')",
    FieldKind.BOOL: "Yes / No",
    FieldKind.ENUM: "one value from the list",
    FieldKind.MULTI: "one or more values from the list, separated by ';'",
    FieldKind.CODE: "text",
}


def write_template(path: Path | str, *, lang: Lang = "fr") -> Path:
    """Write a blank register (register sheet, instructions, hidden lists) to ``path``."""
    path = Path(path)
    fr = lang == "fr"
    with XlsxWriter(path) as book:
        lists = ListsSheet(book, lang)
        add_register_sheet(book, lists, lang)
        info = book.add_sheet("Instructions", widths=(34, 12, 34, 90), freeze_rows=0)
        info.append(
            [
                Styled(
                    "Registre d'enregistrement des cas — mode d'emploi"
                    if fr
                    else "Case registration register — how to fill it in",
                    Style.TITLE,
                )
            ]
        )
        for line in (
            (
                "Une ligne par enfant. Ne modifiez pas la ligne d'en-tête. Les dates au format "
                "jj/mm/aaaa. Le code du dossier est généré s'il est vide.",
                "Confidentiel : ce fichier contient des données personnelles d'enfants. "
                "Conservez-le sur un ordinateur protégé par un mot de passe (POS §6.1.2).",
                "Conversion : cpcase convert REGISTRE.xlsx -o SORTIE",
            )
            if fr
            else (
                "One row per child. Do not change the header row. Dates as dd/mm/yyyy. The case "
                "code is generated when empty.",
                "Confidential: this file holds children's personal data. Keep it on a "
                "password-protected computer (SOP §6.1.2).",
                "Conversion: cpcase convert REGISTER.xlsx -o OUT",
            )
        ):
            info.append([line])
        info.append([])
        info.append(
            [
                Styled("Colonne" if fr else "Column", Style.HEADER),
                Styled("Obligatoire" if fr else "Required", Style.HEADER),
                Styled("Saisie" if fr else "Entry", Style.HEADER),
                Styled(
                    "Valeurs possibles / aide" if fr else "Possible values / help", Style.HEADER
                ),
            ]
        )
        for key in TEMPLATE_KEYS:
            field = FIELDS_BY_KEY[key]
            required = key in REQUIRED_KEYS
            if key == "date_of_birth":
                need = "oui (ou l'âge)" if fr else "yes (or the age)"
            elif key in BUILTIN_DEFAULTS:
                need = "défaut : " if fr else "default: "
                assert field.vocab is not None  # noqa: S101 - defaults are vocabulary codes
                need += short_label(vocab_member(field.vocab, BUILTIN_DEFAULTS[key]), lang)
            else:
                need = ("oui" if fr else "yes") if required else ""
            kind = (_KIND_FR if fr else _KIND_EN)[field.kind]
            help_text = field.help_fr if fr else field.help_en
            if field.vocab is not None:
                choices = "; ".join(short_label(m, lang) for m in field.vocab)
                help_text = f"{help_text} {choices}".strip()
            info.append([field.label(lang), need, kind, Styled(help_text, Style.WRAP)])
        lists.write(book)
    return path
