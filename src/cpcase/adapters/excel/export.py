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

**For an audience** (``audience=``, ``cpcase export --audience``): each case goes through
:func:`cpcase.rules.sharing.share` (the sharing matrix, consent checks, the actor's relation to
the case), and the workbook is built from the shared views only, never from the case itself.
Sheets and columns are those the matrix lets the audience see
(:func:`~cpcase.rules.sharing.disclosable_fields`); forms, nested tables and register columns it
may not see are left out. Refused cases are listed by case code (:class:`RefusedCase`) and the
exit status is 3, as for rejected rows in ``cpcase convert``. Every disclosure gets an audit
record, written as JSON Lines next to the workbook.
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from pydantic import BaseModel, TypeAdapter, ValidationError

from cpcase.adapters.excel._xlsxwrite import (
    SheetWriter,
    Style,
    Styled,
    XlsxWriter,
    atomic_write_bytes,
)
from cpcase.adapters.excel.coerce import short_label, vocab_member
from cpcase.adapters.excel.columns import FIELDS_BY_KEY, FieldKind, RegisterField
from cpcase.adapters.excel.errors import RegisterError
from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import FormError, SharingError
from cpcase.forms import CATALOGUE, FormRow
from cpcase.labels import LabelledEnum, Lang, field_label
from cpcase.rules.sharing import (
    Audience,
    AuditRecord,
    ConsentContext,
    Purpose,
    SharedView,
    SharingPolicy,
    ViewKind,
    default_policy,
    disclosable_fields,
    share,
)
from cpcase.vocab import ConsentGiverRelationship

__all__ = [
    "REGISTER_SOURCES",
    "TEMPLATE_KEYS",
    "WITHHELD",
    "CasesFileError",
    "ExportAudienceError",
    "ExportSummary",
    "ListsSheet",
    "RefusedCase",
    "export_cases",
    "iter_cases",
    "register_values",
]

MASK = "***"
#: An audience export's cell for a field the matrix shows this audience for other cases but
#: withheld for this one (a masked name, a field granted for another service type).
WITHHELD = {"fr": "(non communiqué)", "en": "(not shared)"}

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
#: Register columns read straight from the 1.B field of the same name.
_REGISTRATION_KEYS: tuple[str, ...] = (
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
)
#: For an audience export: the shared fields (``FORM:path``) a register column is made of. A
#: column is written only when the audience may see every one of them.
REGISTER_SOURCES: dict[str, tuple[str, ...]] = {
    "register_number": ("CASE:extra_fields",),
    "case_code": ("CASE:case_code",),
    **{key: (f"1.B:{key}",) for key in _REGISTRATION_KEYS},
    "caregiver_name": ("1.B:family_supports.relation_name",),
    "caregiver_relation": ("1.B:family_supports.relation",),
    "caregiver_phone": ("1.B:family_supports.relation_telephone",),
    "consent_child": ("1.A:givers.relationship", "1.A:givers.agreed"),
    "consent_caregiver": ("1.A:givers.relationship", "1.A:givers.agreed"),
    "consent_caregiver_relationship": ("1.A:givers.relationship",),
    "consent_date": ("1.A:consent_date",),
    "consent_mode": ("1.A:consent_mode",),
    "consent_scope": ("1.A:consent_scope",),
    "consent_recipients": ("1.A:recipients",),
    "caseworker": ("CASE:caseworker_id",),
    "supervisor": ("CASE:supervisor_id",),
    "organisation": ("CASE:organisation_id",),
    "case_status": ("CASE:status",),
}


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


def _get(obj: Any, name: str) -> Any:
    """A field of a form (model) or of a shared form (dict of typed values); ``None`` if absent."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def register_values(case: CaseFile, lang: Lang = "fr") -> dict[str, Any]:
    """The register columns of one case (keys of :data:`TEMPLATE_KEYS`), typed values."""
    header = {
        "caseworker_id": case.caseworker_id,
        "supervisor_id": case.supervisor_id,
        "organisation_id": case.organisation_id,
        "status": case.status,
    }
    return _register_row(
        case.case_code, header, case.extra_fields, case.registration, case.consents, lang
    )


def _register_row(
    case_code: str,
    header: Mapping[str, Any],
    extra: Mapping[str, Any],
    reg: Any,
    consents: Sequence[Any],
    lang: Lang,
) -> dict[str, Any]:
    """Register columns from a case's header, 1.B and 1.A (models, or shared typed dicts)."""
    out: dict[str, Any] = {}
    if "register_number" in extra:
        out["register_number"] = extra["register_number"]
    out["case_code"] = case_code
    out["caseworker"] = header.get("caseworker_id")
    out["supervisor"] = header.get("supervisor_id")
    out["organisation"] = header.get("organisation_id")
    out["case_status"] = header.get("status")
    snapshot = extra.get("register_row")
    if reg is None and isinstance(snapshot, dict):
        for key, value in snapshot.items():
            field = FIELDS_BY_KEY.get(key)
            if field is None or key in ("case_code",):
                continue
            out[key] = _from_json(field, value)
        if _truthy(snapshot.get("hidden_name")):
            for key in ("name_first", "name_last", "name_nickname", "caregiver_name"):
                if out.get(key) is not None:
                    out[key] = MASK
        return out
    if reg is None:
        return out
    for name in _REGISTRATION_KEYS:
        value = _get(reg, name)
        if value is None or value == ():
            continue
        out[name] = value
    if not _get(reg, "hidden_name"):
        out.pop("hidden_name", None)
    if not _get(reg, "emergency_care_needed"):
        out.pop("emergency_care_needed", None)
    supports = _get(reg, "family_supports")
    if supports:
        member = supports[0]
        out["caregiver_name"] = _get(member, "relation_name")
        out["caregiver_relation"] = _get(member, "relation")
        out["caregiver_phone"] = _get(member, "relation_telephone")
    if consents:
        consent = consents[0]
        for giver in _get(consent, "givers") or ():
            if _get(giver, "relationship") is ConsentGiverRelationship.CHILD:
                out.setdefault("consent_child", _get(giver, "agreed"))
            elif "consent_caregiver" not in out:
                out["consent_caregiver"] = _get(giver, "agreed")
                out["consent_caregiver_relationship"] = _get(giver, "relationship")
        out["consent_date"] = _get(consent, "consent_date")
        out["consent_mode"] = _get(consent, "consent_mode")
        if _get(consent, "consent_scope"):
            out["consent_scope"] = _get(consent, "consent_scope")
        if _get(consent, "recipients"):
            out["consent_recipients"] = _get(consent, "recipients")
    if _get(reg, "hidden_name"):
        for key in ("name_first", "name_last", "name_nickname", "caregiver_name"):
            if out.get(key) is not None:
                out[key] = MASK
    return {k: v for k, v in out.items() if v is not None}


def _truthy(value: Any) -> bool:
    """A stored yes/no (``True``, or text such as ``"Oui"`` kept in a register snapshot)."""
    if isinstance(value, str):
        return value.strip().casefold() in ("true", "oui", "yes", "x", "1")
    return bool(value)


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
    """Sheets created on first use: one per form code and one per nested table.

    With ``visible`` (an audience export: :func:`~cpcase.rules.sharing.disclosable_fields`),
    a sheet has only the columns the audience may see, and a nested table none of whose
    columns it may see gets no sheet.
    """

    def __init__(
        self, book: XlsxWriter, lang: Lang, visible: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self.book = book
        self.lang = lang
        self.visible = visible
        self._withheld = Styled(WITHHELD[lang], Style.NOTE)
        self._sheets: dict[str, tuple[SheetWriter, list[_Column]] | None] = {}

    def _sheet(
        self, key: str, title: str, model: type[BaseModel], lead: list[str], code: str, prefix: str
    ) -> tuple[SheetWriter, list[_Column]] | None:
        if key not in self._sheets:
            columns = _columns(model, self.lang)
            if self.visible is not None:
                paths = self.visible.get(code, frozenset())
                columns = [c for c in columns if f"{prefix}{c.name}" in paths]
                if prefix and not columns:
                    self._sheets[key] = None
                    return None
            sheet = self.book.add_sheet(title, freeze_rows=1, autofilter=True)
            sheet.append([*lead, *(c.label for c in columns)], style=Style.HEADER)
            self._sheets[key] = (sheet, columns)
        return self._sheets[key]

    def add(
        self,
        case_code: str,
        code: str,
        model: type[BaseModel],
        form: Any,
        position: int,
        *,
        masked: bool,
    ) -> None:
        """One form instance (a model, or a shared form's typed values) as one row."""
        lang = self.lang
        entry = CATALOGUE[code]
        case_label = "Code du dossier" if lang == "fr" else "Case code"
        number_label = "N°" if lang == "fr" else "No."
        found = self._sheet(
            code, f"{code} {entry.name(lang)}", model, [case_label, number_label], code, ""
        )
        assert found is not None  # noqa: S101 - only nested tables can be left out
        sheet, columns = found
        values: list[Any] = [case_code, position]
        for column in columns:
            if isinstance(form, Mapping) and column.name not in form:
                values.append(self._withheld)
                continue
            value = _get(form, column.name)
            if column.kind == "rows":
                values.append(len(value) if value else None)
                for index, row in enumerate(value or (), 1):
                    self._nested(case_code, code, column, position, index, row, masked=masked)
            else:
                values.append(_scalar(value, lang, column.name, masked=masked))
        sheet.append(values)

    def _nested(
        self,
        case_code: str,
        code: str,
        column: _Column,
        position: int,
        index: int,
        row: Any,
        *,
        masked: bool,
    ) -> None:
        lang = self.lang
        lead = [
            "Code du dossier" if lang == "fr" else "Case code",
            "N° du formulaire" if lang == "fr" else "Form No.",
            "N° de ligne" if lang == "fr" else "Row No.",
        ]
        model = column.inner if isinstance(row, Mapping) else type(row)
        found = self._sheet(
            f"{code}.{column.name}",
            f"{code} {column.label}",
            model,
            lead,
            code,
            f"{column.name}.",
        )
        if found is None:
            return
        sheet, columns = found
        values: list[Any] = [case_code, position, index]
        for nested in columns:
            if isinstance(row, Mapping) and nested.name not in row:
                values.append(self._withheld)
                continue
            value = _get(row, nested.name)
            if nested.kind == "rows":
                values.append(len(value) if value else None)
            else:
                values.append(_scalar(value, lang, nested.name, masked=masked))
        sheet.append(values)


# -- audience exports ---------------------------------------------------------------------------


class ExportAudienceError(RegisterError):
    """An audience export cannot start: the matrix gives this audience no record, or a needed
    detail (actor, recipient, a purpose) is missing. Nothing is written."""

    code = "export_audience"


@attrs.frozen
class RefusedCase:
    """A case that :func:`~cpcase.rules.sharing.share` refused for the export's audience.

    ``code`` is share()'s reason code (``consent_missing``, ``not_own_case``...), ``reasons``
    its details (``caregiver_consent_missing``...). Only the anonymised case code is kept.
    """

    case_code: str
    code: str
    reasons: tuple[str, ...] = ()

    def describe(self, lang: Lang = "fr") -> str:
        """``CODE  reason code (details): explanation`` in ``lang``."""
        detail = f" ({', '.join(self.reasons)})" if self.reasons else ""
        text = _REFUSALS.get(self.code.removeprefix("consent_"))
        if text is None:
            return f"{self.case_code}  {self.code}{detail}"
        explain = f" : {text[0]}" if lang == "fr" else f": {text[1]}"
        return f"{self.case_code}  {self.code}{detail}{explain}"


#: Pseudo form code of the case file's own header in shared views and disclosable fields.
_HEADER = "CASE"
#: Short bilingual explanations of share()'s refusal codes (consent codes without the prefix).
_REFUSALS: dict[str, tuple[str, str]] = {
    "missing": (
        "pas de consentement valide (1.A) ni de dérogation validée",
        "no valid consent (1.A) nor a signed-off override",
    ),
    "expired": ("le consentement a expiré", "the consent has expired"),
    "withdrawn": ("le consentement a été retiré", "the consent was withdrawn"),
    "used": ("consentement à usage unique déjà utilisé", "single-use consent already used"),
    "not_own_case": (
        "ce n'est pas un dossier de l'acteur (--actor)",
        "not a case of the actor (--actor)",
    ),
    "not_direct_supervisor": (
        "l'acteur n'est pas le superviseur direct du dossier",
        "the actor is not the case's direct supervisor",
    ),
    "other_organisation": ("dossier d'une autre organisation", "case of another organisation"),
    "recipient_required": (
        "destinataire à préciser (--recipient)",
        "name the recipient (--recipient)",
    ),
    "no_referral_to_recipient": (
        "aucun référencement (A.1) vers ce destinataire",
        "no referral (A.1) to this recipient",
    ),
    "no_transfer_to_recipient": (
        "aucun transfert (A.2) vers ce destinataire",
        "no transfer (A.2) to this recipient",
    ),
    "receiver_not_trained": (
        "le destinataire n'a pas d'équipe de gestion de cas formée",
        "the receiver has no trained case-management team",
    ),
    "required_form_missing": ("formulaire requis absent", "required form missing"),
}


def _field_adapters(model: type[BaseModel]) -> dict[str, TypeAdapter[Any]]:
    found = _ADAPTERS.get(model)
    if found is None:
        found = {
            n: TypeAdapter(i.annotation if i.annotation is not None else Any)
            for n, i in model.model_fields.items()
        }
        _ADAPTERS[model] = found
    return found


_ADAPTERS: dict[type[BaseModel], dict[str, TypeAdapter[Any]]] = {}


def _typed(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """A shared form's JSON values back to typed values (dates, vocabularies), field by field.

    Only what the view holds is read; a value that does not validate alone (a partly redacted
    nested object) is kept as the JSON that was shared, never replaced by the original.
    """
    adapters = _field_adapters(model)
    out: dict[str, Any] = {}
    for name, value in data.items():
        info = model.model_fields.get(name)
        if info is None or value is None:
            out[name] = value
            continue
        inner, many = _unwrap(info.annotation)
        if many and isinstance(inner, type) and issubclass(inner, BaseModel):
            out[name] = tuple(
                _typed(inner, row) if isinstance(row, Mapping) else row for row in value
            )
            continue
        try:
            out[name] = adapters[name].validate_python(value)
        except ValidationError:
            out[name] = value
    return out


def _is_masked(case: CaseFile) -> bool:
    """The caseworker masked the child's name (1.B, or a kept register row)."""
    if case.registration is not None:
        return case.registration.hidden_name
    snapshot = case.extra_fields.get("register_row")
    return isinstance(snapshot, dict) and _truthy(snapshot.get("hidden_name"))


def _withheld(refs: Sequence[str], sources: Mapping[str, Any]) -> bool:
    """Whether a register cell's source was withheld from this case's view.

    ``sources`` maps a form code to the shared form the register row is read from (``None``
    when the case has no such form: nothing withheld, nothing to show). A field is withheld
    when its form was shared without it, or when the shared rows lack the sub-field.
    """
    for ref in refs:
        code, _, path = ref.partition(":")
        form = sources.get(code)
        if form is None:
            continue
        head, _, sub = path.partition(".")
        if head not in form:
            return True
        rows = form[head]
        if sub and rows and isinstance(rows[0], Mapping) and sub not in rows[0]:
            return True
    return False


def _register_keys(visible: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    def seen(ref: str) -> bool:
        code, _, path = ref.partition(":")
        return path in visible.get(code, frozenset())

    return tuple(k for k in TEMPLATE_KEYS if all(seen(r) for r in REGISTER_SOURCES[k]))


def _purpose(audience: Audience, policy: SharingPolicy) -> Purpose:
    """The one purpose the matrix gives ``audience`` a record or list for."""
    purposes = [
        r.purpose
        for r in policy.rules
        if r.audience is audience and r.enabled and r.view is not ViewKind.AGGREGATE
    ]
    if len(purposes) == 1:
        return purposes[0]
    if not purposes:
        raise ExportAudienceError(
            f"audience {audience.value} receives no case records under policy "
            f"{policy.profile.id} (statistics only: use 'cpcase indicators')",
            f"le public {audience.value} ne reçoit aucun dossier selon la politique "
            f"{policy.profile.id} (statistiques seulement : utilisez « cpcase indicators »)",
        )
    names = ", ".join(p.value for p in purposes)
    raise ExportAudienceError(
        f"audience {audience.value}: choose the purpose ({names})",
        f"public {audience.value} : précisez la finalité ({names})",
    )


def _check_rule(
    audience: Audience, purpose: Purpose, policy: SharingPolicy, context: ConsentContext
) -> None:
    rule = policy.rule(audience, purpose)
    if rule is None or not rule.enabled:
        raise ExportAudienceError(
            f"policy {policy.profile.id} does not let {audience.value} see cases for "
            f"{purpose.value}",
            f"la politique {policy.profile.id} ne permet pas à {audience.value} de voir des "
            f"dossiers pour {purpose.value}",
        )
    if rule.view is ViewKind.AGGREGATE:
        raise ExportAudienceError(
            f"audience {audience.value} receives statistics only: use 'cpcase indicators'",
            f"le public {audience.value} ne reçoit que des statistiques : utilisez "
            "« cpcase indicators »",
        )
    if rule.requires_form is not None and context.recipient_id is None:
        raise ExportAudienceError(
            f"audience {audience.value}: name the receiving organisation or provider "
            f"(recipient_id / --recipient), as on the {rule.requires_form} form",
            f"public {audience.value} : indiquez l'organisation ou le prestataire "
            f"destinataire (--recipient), comme sur le formulaire {rule.requires_form}",
        )


# -- the workbook ---------------------------------------------------------------------------------


@attrs.frozen
class ExportSummary:
    """What an export wrote.

    ``cases`` is the number of cases in the workbook. With an audience, ``refused`` lists the
    cases share() refused (none of their data is written), ``audit`` holds one record per case
    disclosed, and ``audit_path`` says where they were written.
    """

    path: str
    cases: int
    sheets: tuple[str, ...]
    masked: int
    audience: Audience | None = None
    purpose: Purpose | None = None
    refused: tuple[RefusedCase, ...] = ()
    audit: tuple[AuditRecord, ...] = ()
    audit_path: str | None = None

    @property
    def read(self) -> int:
        """Cases read from the input (exported + refused)."""
        return self.cases + len(self.refused)

    @property
    def exit_code(self) -> int:
        """0 when every case was exported, 3 when share() refused some (as ``convert``)."""
        return 3 if self.refused else 0

    def render(self, lang: Lang = "fr") -> str:
        """A short human summary for the terminal (case codes only, never names)."""
        fr = lang == "fr"
        word = "dossiers exportés" if fr else "cases exported"
        lines = [f"{self.cases} {word} → {self.path}"]
        if self.audience is not None and self.purpose is not None:
            lines.append(
                (
                    f"Public : {self.audience.value} / {self.purpose.value} ; lus : {self.read} ; "
                    f"refusés : {len(self.refused)} ; journal d'audit : {self.audit_path or '-'}"
                )
                if fr
                else (
                    f"Audience: {self.audience.value} / {self.purpose.value}; read: {self.read}; "
                    f"refused: {len(self.refused)}; audit log: {self.audit_path or '-'}"
                )
            )
        return "\n".join(lines)

    def render_refused(self, lang: Lang = "fr") -> str:
        """The refused cases, one per line, and what to do (empty when none)."""
        if not self.refused:
            return ""
        n = len(self.refused)
        if lang == "fr":
            head = (
                f"{n} dossier(s) NON exporté(s) : le partage avec ce public a été refusé "
                "(code du dossier, motif) :"
            )
            foot = (
                "Aucune donnée de ces dossiers n'est dans le classeur. Le motif dit ce qui manque "
                "(consentement 1.A, dérogation validée par le superviseur, référencement A.1...) "
                "ou que ce public n'a pas accès au dossier."
            )
        else:
            head = (
                f"{n} case(s) NOT exported: sharing with this audience was refused "
                "(case code, reason):"
            )
            foot = (
                "None of their data is in the workbook. The reason says what is missing (consent "
                "1.A, an override signed off by the supervisor, a referral A.1...) or that this "
                "audience has no access to the case."
            )
        return "\n".join([head, *(f"  {r.describe(lang)}" for r in self.refused), foot])

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (counts and case codes only)."""
        return {
            "path": self.path,
            "cases": self.cases,
            "read": self.read,
            "masked": self.masked,
            "sheets": list(self.sheets),
            "audience": self.audience.value if self.audience else None,
            "purpose": self.purpose.value if self.purpose else None,
            "refused": [
                {"case_code": r.case_code, "code": r.code, "reasons": list(r.reasons)}
                for r in self.refused
            ],
            "audit_path": self.audit_path,
            "disclosures": len(self.audit),
            "exit_code": self.exit_code,
        }


class _Workbook:
    """The export being written: register sheet first, form sheets as they come, lists last."""

    def __init__(
        self, out: Path, lang: Lang, visible: Mapping[str, frozenset[str]] | None
    ) -> None:
        self.lang = lang
        self.visible = visible
        self.book = XlsxWriter(out)
        self.lists = ListsSheet(self.book, lang)
        keys = TEMPLATE_KEYS if visible is None else _register_keys(visible)
        self.register = add_register_sheet(self.book, self.lists, lang, keys=keys)
        self.fields = [FIELDS_BY_KEY[k] for k in keys]
        self.forms = _FormSheets(self.book, lang, visible)
        self.withheld = Styled(WITHHELD[lang], Style.NOTE)
        self.risk_sheet: SheetWriter | None = None
        self.other_sheet: SheetWriter | None = None

    def add_case(self, case: CaseFile) -> bool:
        """Everything in ``case`` (no audience); returns whether its name is masked."""
        lang = self.lang
        values = register_values(case, lang)
        self.register.append([_cell(f, values.get(f.key), lang) for f in self.fields])
        masked = bool(case.registration is not None and case.registration.hidden_name)
        for attr in CaseFile.FORM_ATTRIBUTES.values():
            held = getattr(case, attr)
            if held is None or held == ():
                continue
            for position, form in enumerate(held if isinstance(held, tuple) else (held,), 1):
                self.forms.add(
                    case.case_code, form.form_code, type(form), form, position, masked=masked
                )
        fields = tuple(RiskDecision.model_fields)
        self._risk(case.case_code, case.risk_history, fields)
        self._others(case.case_code, case.extra_fields)
        return masked

    def add_view(self, view: SharedView, *, masked: bool) -> None:
        """Only what ``view`` holds; ``masked`` (from the case itself) can only hide more."""
        lang = self.lang
        shared = view.to_json()
        header = _typed(CaseFile, shared["header"])
        forms = [
            (f["form_code"], _typed(CATALOGUE[f["form_code"]].model, f["fields"]))
            for f in shared["forms"]
        ]
        reg = next((data for code, data in forms if code == "1.B"), None)
        consents = [data for code, data in forms if code == "1.A"]
        extra = header.get("extra_fields") or {}
        values = _register_row(view.case_code, header, extra, reg, consents, lang)
        if masked:
            for key in ("name_first", "name_last", "name_nickname", "caregiver_name"):
                if values.get(key) is not None:
                    values[key] = MASK
        sources = {_HEADER: header, "1.B": reg, "1.A": consents[0] if consents else None}
        self.register.append(
            [
                self.withheld
                if _withheld(REGISTER_SOURCES[f.key], sources)
                else _cell(f, values.get(f.key), lang)
                for f in self.fields
            ]
        )
        positions: dict[str, int] = {}
        for code, data in forms:
            positions[code] = positions.get(code, 0) + 1
            model = CATALOGUE[code].model
            self.forms.add(view.case_code, code, model, data, positions[code], masked=masked)
        case_paths = self.visible.get(_HEADER, frozenset()) if self.visible is not None else ()
        fields = tuple(n for n in RiskDecision.model_fields if f"risk_history.{n}" in case_paths)
        self._risk(view.case_code, header.get("risk_history") or (), fields)
        self._others(view.case_code, extra)

    def _risk(self, case_code: str, history: Sequence[Any], fields: tuple[str, ...]) -> None:
        if not history:
            return
        lang = self.lang
        if self.risk_sheet is None:
            self.risk_sheet = self.book.add_sheet(
                "Niveaux de risque" if lang == "fr" else "Risk levels",
                freeze_rows=1,
                autofilter=True,
            )
            self.risk_sheet.append(
                [
                    "Code du dossier" if lang == "fr" else "Case code",
                    *(field_label(RiskDecision, n, lang) for n in fields),
                ],
                style=Style.HEADER,
            )
        for decision in history:
            self.risk_sheet.append(
                [
                    case_code,
                    *(
                        self.withheld
                        if isinstance(decision, Mapping) and n not in decision
                        else _scalar(_get(decision, n), lang, n)
                        for n in fields
                    ),
                ]
            )

    def _others(self, case_code: str, extra: Mapping[str, Any]) -> None:
        others = {k: v for k, v in extra.items() if k not in ("register_number", "register_row")}
        if not others:
            return
        lang = self.lang
        if self.other_sheet is None:
            self.other_sheet = self.book.add_sheet(
                "Autres champs" if lang == "fr" else "Other fields",
                freeze_rows=1,
                autofilter=True,
            )
            self.other_sheet.append(
                [
                    "Code du dossier" if lang == "fr" else "Case code",
                    "Champ" if lang == "fr" else "Field",
                    "Valeur" if lang == "fr" else "Value",
                ],
                style=Style.HEADER,
            )
        for key, value in others.items():
            self.other_sheet.append([case_code, key, _scalar(value, lang, key)])

    def close(self) -> tuple[str, ...]:
        self.lists.write(self.book)
        self.book.close()
        return tuple(s.title for s in self.book.sheets)


def export_cases(
    cases: Path | str,
    out: Path | str,
    *,
    lang: Lang = "fr",
    progress: Callable[[int], None] | None = None,
    audience: Audience | None = None,
    purpose: Purpose | None = None,
    consent_context: ConsentContext | None = None,
    now: dt.datetime | None = None,
    policy: SharingPolicy | None = None,
    audit: Path | str | None = None,
) -> ExportSummary:
    """Write the case files of the JSON Lines file ``cases`` to the workbook ``out``.

    The input is only read; the workbook is written atomically (nothing is left behind if a
    line is invalid: :class:`CasesFileError` names it).

    With ``audience``, every case goes through :func:`~cpcase.rules.sharing.share` for that
    audience and ``purpose`` (default: the only one the policy gives the audience), as
    ``consent_context.actor_id`` at ``now`` (default: the current time), under ``policy``
    (default: mali-2020). The workbook holds only the shared views: the register columns,
    form sheets and nested tables the matrix lets the audience see (others are left out, not
    left blank), and only the cases share() accepts. Refused cases are listed in
    :attr:`ExportSummary.refused`, never silently dropped. Each disclosure gets an audit record
    (:attr:`ExportSummary.audit`); with ``audit`` they are also written there as JSON Lines,
    atomically, before the workbook (if the workbook then fails, the log over-states what was
    disclosed, never under-states it). Earlier disclosures in
    ``consent_context.prior_disclosures`` and this export's own count for single-use consents.
    """
    out = Path(out)
    if audience is None:
        if purpose is not None or consent_context is not None or audit is not None:
            raise ExportAudienceError(
                "purpose, consent context and audit log need an audience",
                "finalité, contexte de consentement et journal d'audit demandent un public",
            )
        return _export_all(cases, out, lang, progress)
    pol = policy or default_policy()
    pur = purpose or _purpose(audience, pol)
    if consent_context is None:
        raise ExportAudienceError(
            "an audience export needs the person disclosing (consent_context / --actor)",
            "un export pour un public demande la personne qui communique (--actor)",
        )
    _check_rule(audience, pur, pol, consent_context)
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ExportAudienceError(
            "the disclosure time must carry a time zone",
            "l'heure de communication doit préciser le fuseau horaire",
        )
    visible = disclosable_fields(audience, pur, service=consent_context.service, policy=pol)
    prior: dict[str, list[AuditRecord]] = {}
    for record in consent_context.prior_disclosures:
        prior.setdefault(record.case_code, []).append(record)
    book = _Workbook(out, lang, visible)
    refused: list[RefusedCase] = []
    records: list[AuditRecord] = []
    count = masked_count = 0
    for read, case in enumerate(iter_cases(cases), 1):
        # share() only looks at earlier disclosures of the same case (single-use consents).
        ctx = attrs.evolve(consent_context, prior_disclosures=tuple(prior.get(case.case_code, ())))
        try:
            view, record = share(case, audience, pur, consent_context=ctx, now=moment, policy=pol)
        except SharingError as exc:
            refused.append(
                RefusedCase(
                    case.case_code,
                    str(getattr(exc, "code", type(exc).__name__)),
                    tuple(getattr(exc, "reasons", ())),
                )
            )
        else:
            masked = _is_masked(case)
            book.add_view(view, masked=masked)
            masked_count += masked
            count += 1
            records.append(record)
            prior.setdefault(case.case_code, []).append(record)
        if progress is not None and read % 1000 == 0:
            progress(read)
    if audit is not None:
        atomic_write_bytes(
            Path(audit),
            [(json.dumps(r.to_json(), ensure_ascii=False) + "\n").encode() for r in records],
        )
    sheets = book.close()
    return ExportSummary(
        path=str(out),
        cases=count,
        sheets=sheets,
        masked=masked_count,
        audience=audience,
        purpose=pur,
        refused=tuple(refused),
        audit=tuple(records),
        audit_path=str(audit) if audit is not None else None,
    )


def _export_all(
    cases: Path | str, out: Path, lang: Lang, progress: Callable[[int], None] | None
) -> ExportSummary:
    book = _Workbook(out, lang, None)
    count = 0
    masked_count = 0
    for case in iter_cases(cases):
        count += 1
        masked_count += book.add_case(case)
        if progress is not None and count % 1000 == 0:
            progress(count)
    sheets = book.close()
    return ExportSummary(path=str(out), cases=count, sheets=sheets, masked=masked_count)
