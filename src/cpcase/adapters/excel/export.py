"""Export case files (``cases.jsonl``) to Excel: a register sheet plus one sheet per form.

- **Registre / Register**: one row per case, the same columns as the blank template, so an
  exported workbook can be edited and converted again (``cpcase convert``).
- **One sheet per form** present (1.A, 1.B...), one row per form instance (repeated forms give
  several rows), every field with its localised label; nested tables (consent givers, family
  supports, plan activities...) get their own sheet keyed by case code and position.
- **Risk history** and **other fields** (fields kept from other systems) sheets.

Dates are real Excel dates; vocabulary columns get dropdowns from a hidden "Listes" sheet; the
header row is frozen and filtered; widths follow the content. A masked name (1.B
``hidden_name``, SOP §6.1.2 L1142) is written as ``***`` everywhere in that case. Text that
starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is written as literal text that
Excel will not evaluate, even after editing (quote-prefix style).
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
from pydantic import BaseModel

from cpcase.adapters.excel._xlsxwrite import SheetWriter, Style, XlsxWriter
from cpcase.adapters.excel.coerce import short_label, vocab_member
from cpcase.adapters.excel.columns import FIELDS_BY_KEY, FieldKind, RegisterField
from cpcase.adapters.excel.errors import RegisterError
from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import FormError
from cpcase.forms import CATALOGUE, FormBase, FormRow
from cpcase.labels import LabelledEnum, Lang, field_label
from cpcase.vocab import ConsentGiverRelationship

__all__ = [
    "TEMPLATE_KEYS",
    "CasesFileError",
    "ExportSummary",
    "ListsSheet",
    "export_cases",
    "iter_cases",
    "register_values",
]

MASK = "***"

#: Register columns of the template and of the export's register sheet, in order.
TEMPLATE_KEYS: tuple[str, ...] = (
    "register_number",
    "case_code",
    "registration_date",
    "identification_date",
    "identification_source",
    "identified_by",
    "referring_organisation",
    "name_first",
    "name_last",
    "name_nickname",
    "hidden_name",
    "sex",
    "date_of_birth",
    "age",
    "age_status",
    "has_birth_certificate_or_id",
    "nationality",
    "displacement_status",
    "region",
    "location_current",
    "community_of_origin",
    "lives_in_community_of_origin",
    "vulnerability_categories",
    "dominant_profile",
    "protection_situations",
    "protection_concern_primary",
    "protection_concerns_secondary",
    "separation_status",
    "disability_or_chronic_illness",
    "child_mother",
    "care_arrangement",
    "caregiver_name",
    "caregiver_relation",
    "caregiver_phone",
    "emergency_care_needed",
    "immediate_needs",
    "risk_level",
    "eligible_cm",
    "eligibility_outcome",
    "eligibility_reason",
    "consent_obtained",
    "consent_child",
    "consent_caregiver",
    "consent_caregiver_relationship",
    "consent_date",
    "consent_mode",
    "consent_scope",
    "consent_recipients",
    "caseworker",
    "supervisor",
    "organisation",
    "case_status",
)
_NAME_FIELDS = frozenset({"name", "name_first", "name_last", "name_nickname", "name_other"})


class CasesFileError(RegisterError):
    """A line of a cases file is not a valid case file (names the line and fields)."""

    code = "cases_file"


def _yes_no(value: bool, lang: Lang) -> str:  # noqa: FBT001 - a value, not a switch
    if lang == "fr":
        return "Oui" if value else "Non"
    return "Yes" if value else "No"


def _masked(name: str) -> bool:
    return name in _NAME_FIELDS or name.endswith("_name") or name.startswith("name_")


def iter_cases(path: Path | str) -> Iterator[CaseFile]:
    """Case files from a JSON Lines file, one by one (blank lines skipped)."""
    path = Path(path)
    try:
        handle = path.open("r", encoding="utf-8")
    except FileNotFoundError:
        raise CasesFileError("no such file", "fichier introuvable", path=path) from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield CaseFile.parse_json(line)
            except FormError as exc:
                fields = ", ".join(p for p, *_ in exc.problems) or "JSON"
                raise CasesFileError(
                    f"line {number}: not a valid case file ({fields})",
                    f"ligne {number} : dossier invalide ({fields})",
                    path=path,
                ) from None


# -- register values ---------------------------------------------------------------------------


def _label_value(value: Any, lang: Lang) -> Any:
    if isinstance(value, LabelledEnum):
        return short_label(value, lang)
    if isinstance(value, bool):
        return _yes_no(value, lang)
    if isinstance(value, tuple):
        return "; ".join(str(_label_value(v, lang)) for v in value) or None
    return value


def register_values(case: CaseFile, lang: Lang = "fr") -> dict[str, Any]:
    """The register columns of one case (keys of :data:`TEMPLATE_KEYS`), typed values."""
    out: dict[str, Any] = {}
    extra = case.extra_fields
    if "register_number" in extra:
        out["register_number"] = extra["register_number"]
    out["case_code"] = case.case_code
    out["caseworker"] = case.caseworker_id
    out["supervisor"] = case.supervisor_id
    out["organisation"] = case.organisation_id
    out["case_status"] = case.status
    reg = case.registration
    snapshot = extra.get("register_row")
    if reg is None and isinstance(snapshot, dict):
        for key, value in snapshot.items():
            field = FIELDS_BY_KEY.get(key)
            if field is None or key in ("case_code",):
                continue
            out[key] = _from_json(field, value)
        return out
    if reg is None:
        return out
    for name in (
        "registration_date",
        "identification_date",
        "identification_source",
        "identified_by",
        "referring_organisation",
        "name_first",
        "name_last",
        "name_nickname",
        "hidden_name",
        "sex",
        "date_of_birth",
        "age",
        "age_status",
        "has_birth_certificate_or_id",
        "nationality",
        "displacement_status",
        "region",
        "location_current",
        "community_of_origin",
        "lives_in_community_of_origin",
        "vulnerability_categories",
        "dominant_profile",
        "protection_situations",
        "protection_concern_primary",
        "protection_concerns_secondary",
        "separation_status",
        "disability_or_chronic_illness",
        "child_mother",
        "care_arrangement",
        "emergency_care_needed",
        "immediate_needs",
        "risk_level",
        "eligible_cm",
        "eligibility_outcome",
        "eligibility_reason",
        "consent_obtained",
    ):
        value = getattr(reg, name)
        if value is None or value == ():
            continue
        out[name] = value
    if not reg.hidden_name:
        out.pop("hidden_name", None)
    if not reg.emergency_care_needed:
        out.pop("emergency_care_needed", None)
    if reg.family_supports:
        member = reg.family_supports[0]
        out["caregiver_name"] = member.relation_name
        out["caregiver_relation"] = member.relation
        out["caregiver_phone"] = member.relation_telephone
    if case.consents:
        consent = case.consents[0]
        for giver in consent.givers:
            if giver.relationship is ConsentGiverRelationship.CHILD:
                out.setdefault("consent_child", giver.agreed)
            elif "consent_caregiver" not in out:
                out["consent_caregiver"] = giver.agreed
                out["consent_caregiver_relationship"] = giver.relationship
        out["consent_date"] = consent.consent_date
        out["consent_mode"] = consent.consent_mode
        if consent.consent_scope:
            out["consent_scope"] = consent.consent_scope
        if consent.recipients:
            out["consent_recipients"] = consent.recipients
    if reg.hidden_name:
        for key in ("name_first", "name_last", "name_nickname", "caregiver_name"):
            if out.get(key) is not None:
                out[key] = MASK
    return {k: v for k, v in out.items() if v is not None}


def _from_json(field: RegisterField, value: Any) -> Any:
    """A value stored in ``extra_fields["register_row"]`` back to its register type."""
    if value is None:
        return None
    if field.kind is FieldKind.DATE and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if field.vocab is not None:
        if isinstance(value, list):
            return tuple(vocab_member(field.vocab, v) for v in value)
        return vocab_member(field.vocab, value)
    return value


def _cell(field: RegisterField, value: Any, lang: Lang) -> Any:
    if value is None:
        return None
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return value
    if field.kind is FieldKind.PHONE or field.kind is FieldKind.CODE:
        return str(value)
    return _label_value(value, lang)


# -- dropdown lists -------------------------------------------------------------------------------


class ListsSheet:
    """The hidden "Listes" sheet: one column per vocabulary, referenced by dropdowns."""

    def __init__(self, book: XlsxWriter, lang: Lang) -> None:
        self.lang = lang
        self._columns: list[list[str]] = []
        self._refs: dict[str, str] = {}
        self.title = "Listes" if lang == "fr" else "Lists"

    def source(self, field: RegisterField) -> str:
        """A dropdown source for ``field`` (a range of the lists sheet)."""
        from cpcase.adapters.excel.cells import column_letter

        key = field.key if field.vocab is None else field.vocab.__name__
        if key not in self._refs:
            if field.kind is FieldKind.BOOL:
                values = [_yes_no(True, self.lang), _yes_no(False, self.lang)]  # noqa: FBT003
            elif field.vocab is not None:
                values = [short_label(m, self.lang) for m in field.vocab]
            else:
                raise ValueError(f"{field.key} has no list of values")
            col = column_letter(len(self._columns))
            self._columns.append([key, *values])
            self._refs[key] = f"'{self.title}'!${col}$2:${col}${len(values) + 1}"
        return self._refs[key]

    def write(self, book: XlsxWriter) -> None:
        """Append the lists sheet (hidden) to ``book``."""
        sheet = book.add_sheet(self.title, hidden=True, auto_width_rows=1)
        depth = max((len(c) for c in self._columns), default=0)
        for i in range(depth):
            sheet.append([c[i] if i < len(c) else None for c in self._columns])


def add_register_sheet(
    book: XlsxWriter,
    lists: ListsSheet,
    lang: Lang,
    *,
    title: str | None = None,
    keys: Sequence[str] = TEMPLATE_KEYS,
) -> SheetWriter:
    """A register sheet: localised header, frozen, filtered, with dropdowns and input hints."""
    sheet = book.add_sheet(
        title or ("Registre" if lang == "fr" else "Register"),
        freeze_rows=1,
        autofilter=True,
        widths=[max(12.0, min(len(FIELDS_BY_KEY[k].label(lang)) * 1.1 + 2, 40.0)) for k in keys],
    )
    sheet.append([FIELDS_BY_KEY[k].label(lang) for k in keys], style=Style.HEADER)
    for col, key in enumerate(keys):
        field = FIELDS_BY_KEY[key]
        hint = field.help_fr if lang == "fr" else field.help_en
        if field.kind in (FieldKind.ENUM, FieldKind.BOOL):
            sheet.validation_list(
                col, lists.source(field), prompt_title=field.label(lang)[:32], prompt=hint
            )
    return sheet


# -- per-form sheets ----------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, is_tuple) of a field annotation such as ``tuple[X, ...] | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
        return annotation, False
    if origin is tuple:
        inner = typing.get_args(annotation)
        if inner:
            return inner[0], True
    return annotation, False


@attrs.frozen
class _Column:
    name: str
    label: str
    kind: str  # "scalar", "rows"
    inner: Any


def _columns(model: type[BaseModel], lang: Lang) -> list[_Column]:
    out: list[_Column] = []
    for name, info in model.model_fields.items():
        inner, many = _unwrap(info.annotation)
        label = field_label(model, name, lang)
        if many and isinstance(inner, type) and issubclass(inner, FormRow):
            out.append(_Column(name, label, "rows", inner))
        else:
            out.append(_Column(name, label, "scalar", inner))
    return out


def _scalar(value: Any, lang: Lang, name: str, *, masked: bool = False) -> Any:
    if value is None or value == ():
        return None
    if masked and _masked(name) and isinstance(value, str):
        return MASK
    if isinstance(value, bool):
        return _yes_no(value, lang)
    if isinstance(value, LabelledEnum):
        return short_label(value, lang)
    if isinstance(value, (dt.date, dt.time, int, float)):
        return value
    if isinstance(value, tuple):
        if value and isinstance(value[0], BaseModel):
            return len(value)
        return "; ".join(str(_scalar(v, lang, name, masked=masked)) for v in value)
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"), ensure_ascii=False)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _FormSheets:
    """Sheets created on first use: one per form code and one per nested table."""

    def __init__(self, book: XlsxWriter, lang: Lang) -> None:
        self.book = book
        self.lang = lang
        self._sheets: dict[str, tuple[SheetWriter, list[_Column]]] = {}

    def _sheet(
        self, key: str, title: str, model: type[BaseModel], lead: list[str]
    ) -> tuple[SheetWriter, list[_Column]]:
        if key not in self._sheets:
            columns = _columns(model, self.lang)
            sheet = self.book.add_sheet(title, freeze_rows=1, autofilter=True)
            sheet.append([*lead, *(c.label for c in columns)], style=Style.HEADER)
            self._sheets[key] = (sheet, columns)
        return self._sheets[key]

    def add(self, case: CaseFile, form: FormBase, position: int, *, masked: bool) -> None:
        lang = self.lang
        code = form.form_code
        entry = CATALOGUE[code]
        case_label = "Code du dossier" if lang == "fr" else "Case code"
        number_label = "N°" if lang == "fr" else "No."
        sheet, columns = self._sheet(
            code, f"{code} {entry.name(lang)}", type(form), [case_label, number_label]
        )
        values: list[Any] = [case.case_code, position]
        for column in columns:
            value = getattr(form, column.name)
            if column.kind == "rows":
                values.append(len(value) if value else None)
                for index, row in enumerate(value, 1):
                    self._nested(case, code, column, position, index, row, masked=masked)
            else:
                values.append(_scalar(value, lang, column.name, masked=masked))
        sheet.append(values)

    def _nested(
        self,
        case: CaseFile,
        code: str,
        column: _Column,
        position: int,
        index: int,
        row: FormRow,
        *,
        masked: bool,
    ) -> None:
        lang = self.lang
        lead = [
            "Code du dossier" if lang == "fr" else "Case code",
            "N° du formulaire" if lang == "fr" else "Form No.",
            "N° de ligne" if lang == "fr" else "Row No.",
        ]
        sheet, columns = self._sheet(
            f"{code}.{column.name}", f"{code} {column.label}", type(row), lead
        )
        values: list[Any] = [case.case_code, position, index]
        for nested in columns:
            value = getattr(row, nested.name)
            if nested.kind == "rows":
                values.append(len(value) if value else None)
            else:
                values.append(_scalar(value, lang, nested.name, masked=masked))
        sheet.append(values)


@attrs.frozen
class ExportSummary:
    """What an export wrote."""

    path: str
    cases: int
    sheets: tuple[str, ...]
    masked: int


def export_cases(
    cases: Path | str,
    out: Path | str,
    *,
    lang: Lang = "fr",
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write the case files of the JSON Lines file ``cases`` to the workbook ``out``.

    The input is only read; the workbook is written atomically (nothing is left behind if a
    line is invalid: :class:`CasesFileError` names it).
    """
    out = Path(out)
    book = XlsxWriter(out)
    lists = ListsSheet(book, lang)
    register = add_register_sheet(book, lists, lang)
    fields = [FIELDS_BY_KEY[k] for k in TEMPLATE_KEYS]
    forms = _FormSheets(book, lang)
    risk_sheet: SheetWriter | None = None
    other_sheet: SheetWriter | None = None
    count = 0
    masked_count = 0
    for case in iter_cases(cases):
        count += 1
        values = register_values(case, lang)
        register.append([_cell(f, values.get(f.key), lang) for f in fields])
        masked = bool(case.registration is not None and case.registration.hidden_name)
        masked_count += masked
        for code, attr in CaseFile.FORM_ATTRIBUTES.items():
            held = getattr(case, attr)
            if held is None or held == ():
                continue
            for position, form in enumerate(held if isinstance(held, tuple) else (held,), 1):
                forms.add(case, form, position, masked=masked)
            del code
        if case.risk_history:
            if risk_sheet is None:
                risk_sheet = book.add_sheet(
                    "Niveaux de risque" if lang == "fr" else "Risk levels",
                    freeze_rows=1,
                    autofilter=True,
                )
                risk_sheet.append(
                    [
                        "Code du dossier" if lang == "fr" else "Case code",
                        *(field_label(RiskDecision, n, lang) for n in RiskDecision.model_fields),
                    ],
                    style=Style.HEADER,
                )
            for decision in case.risk_history:
                risk_sheet.append(
                    [
                        case.case_code,
                        *(
                            _scalar(getattr(decision, n), lang, n)
                            for n in RiskDecision.model_fields
                        ),
                    ]
                )
        others = {
            k: v
            for k, v in case.extra_fields.items()
            if k not in ("register_number", "register_row")
        }
        if others:
            if other_sheet is None:
                other_sheet = book.add_sheet(
                    "Autres champs" if lang == "fr" else "Other fields",
                    freeze_rows=1,
                    autofilter=True,
                )
                other_sheet.append(
                    [
                        "Code du dossier" if lang == "fr" else "Case code",
                        "Champ" if lang == "fr" else "Field",
                        "Valeur" if lang == "fr" else "Value",
                    ],
                    style=Style.HEADER,
                )
            for key, value in others.items():
                other_sheet.append([case.case_code, key, _scalar(value, lang, key)])
        if progress is not None and count % 1000 == 0:
            progress(count)
    lists.write(book)
    book.close()
    return ExportSummary(
        path=str(out),
        cases=count,
        sheets=tuple(s.title for s in book.sheets),
        masked=masked_count,
    )
