"""Schema check: what would Primero silently drop or reject, before anything is written.

Primero keeps only the fields the service account's role may write on the record's module
(strong params), then validates the rest against a JSON schema built from the forms; anything
else is **dropped without an error**. :class:`CaseSchema` is built from the server's own
configuration (``GET /api/v2/forms?record_type=case&module_id=...`` and
``GET /api/v2/lookups?per=1000``, plus the role's form permissions when the account may read
them) and reports, for each record, every field that would be dropped and every value that
would be rejected (422), with machine-readable :class:`IssueCode` reasons::

    schema = CaseSchema.load(client)
    report = schema.check_many((case_code, body) for ...)
    if report.blocking(allow_drop={"services_section.service_type_other"}):
        raise PrimeroSchemaError(report.render(), report=report)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from cpcase.adapters.primero.client import (
    UPDATE_FORBIDDEN_FIELDS,
    PrimeroClient,
    is_server_computed,
)
from cpcase.adapters.primero.errors import PrimeroAPIError
from cpcase.labels import LabelledEnum, Lang

__all__ = ["CaseSchema", "FieldSpec", "IssueCode", "SchemaIssue", "SchemaReport"]

_SRC = "Primero API notes §1.6"


class IssueCode(LabelledEnum):
    """Why a value would not reach Primero intact (``loses_data``: silently dropped;
    ``rejects_record``: the whole record would get a 422)."""

    UNKNOWN_FIELD = (
        "unknown_field",
        "Champ inconnu du module : ignoré sans erreur",
        "Field unknown to the module: silently dropped",
        _SRC,
    )
    READ_ONLY_FIELD = (
        "read_only_field",
        "Champ en lecture seule (ou absent) pour le rôle du compte : ignoré sans erreur",
        "Field read-only (or not granted) for the account's role: silently dropped",
        _SRC,
    )
    NOT_WRITABLE_TYPE = (
        "not_writable_type",
        "Type de champ non modifiable par l'API (séparateur, pièce jointe) : ignoré",
        "Field type not writable through the API (separator, attachment): dropped",
        _SRC,
    )
    COMPUTED_FIELD = (
        "computed_field",
        "Champ calculé par le serveur : jamais envoyé",
        "Field computed by the server: never sent",
        _SRC,
    )
    CREATE_ONLY_FIELD = (
        "create_only_field",
        "Champ modifiable seulement à la création : ignoré en mise à jour",
        "Field settable only on create: dropped on update",
        _SRC,
    )
    WRONG_SHAPE = (
        "wrong_shape",
        "Forme de valeur incorrecte (liste au lieu d'une valeur, ou l'inverse) : ignorée",
        "Wrong value shape (a list for a single value, or the reverse): dropped",
        _SRC,
    )
    MISSING_MODULE = (
        "missing_module",
        "module_id absent : presque tous les champs seraient ignorés",
        "module_id missing: almost every field would be dropped",
        _SRC,
    )
    INVALID_OPTION = (
        "invalid_option",
        "Valeur hors de la liste d'options : enregistrement rejeté (422)",
        "Value is not an option id: record rejected (422)",
        _SRC,
    )
    INVALID_TYPE = (
        "invalid_type",
        "Type de valeur incorrect : enregistrement rejeté (422)",
        "Wrong value type: record rejected (422)",
        _SRC,
    )
    INVALID_DATE = (
        "invalid_date",
        "Date mal formée (AAAA-MM-JJ attendu) : enregistrement rejeté (422)",
        "Malformed date (YYYY-MM-DD expected): record rejected (422)",
        _SRC,
    )
    OUT_OF_RANGE = (
        "out_of_range",
        "Nombre hors limites (entier 32 bits) : enregistrement rejeté (422)",
        "Number out of range (32-bit integer): record rejected (422)",
        _SRC,
    )
    MISSING_UNIQUE_ID = (
        "missing_unique_id",
        "Ligne de sous-formulaire sans unique_id : dupliquée à chaque nouvel envoi",
        "Subform row without unique_id: duplicated on every re-push",
        _SRC,
    )

    @property
    def loses_data(self) -> bool:
        """True when the value would be silently dropped."""
        return self in _DROPS

    @property
    def rejects_record(self) -> bool:
        """True when the record would be rejected with a 422."""
        return self in _REJECTS


_DROPS = frozenset(
    {
        IssueCode.UNKNOWN_FIELD,
        IssueCode.READ_ONLY_FIELD,
        IssueCode.NOT_WRITABLE_TYPE,
        IssueCode.COMPUTED_FIELD,
        IssueCode.CREATE_ONLY_FIELD,
        IssueCode.WRONG_SHAPE,
        IssueCode.MISSING_MODULE,
    }
)
_REJECTS = frozenset(
    {
        IssueCode.INVALID_OPTION,
        IssueCode.INVALID_TYPE,
        IssueCode.INVALID_DATE,
        IssueCode.OUT_OF_RANGE,
    }
)

_WRITABLE_TYPES = frozenset(
    {
        "text_field",
        "textarea",
        "radio_button",
        "tick_box",
        "select_box",
        "numeric_field",
        "date_field",
        "subform",
        "tally_field",
        "calculated",
    }
)
_CORE_FIELDS = frozenset(
    {"id", "status", "state", "record_state", "case_status_reopened", "module_id", "owned_by"}
)
_STATUS_VALUES = frozenset({"open", "closed", "transferred", "identified"})
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT32 = (-2_147_483_648, 2_147_483_647)


@attrs.frozen
class SchemaIssue:
    """One problem: which record (``key``), where (``pointer``, a JSON pointer), which field
    (``field``, dotted through subforms: ``services_section.service_type``), why (``code``) and
    what the server expects (``expected``). Never holds the value itself."""

    key: str
    pointer: str
    field: str
    code: IssueCode
    expected: str = ""

    def describe(self, lang: Lang = "en") -> str:
        """One line for people: field, reason in ``lang``, expectation."""
        where = f"{self.key}: " if self.key else ""
        extra = f" [{self.expected}]" if self.expected else ""
        return f"{where}{self.pointer} — {self.code.label(lang)}{extra}"


@attrs.frozen
class FieldSpec:
    """One field as Primero will treat it on write."""

    name: str
    type: str
    form: str
    writable: bool
    multi: bool = False
    options: frozenset[str] | None = None
    option_source: str = ""
    include_time: bool = False
    subform: Mapping[str, FieldSpec] | None = None

    def expected(self) -> str:
        """What a valid value looks like (for reports)."""
        if self.type == "date_field":
            return "ISO date-time" if self.include_time else "YYYY-MM-DD"
        if self.type == "tick_box":
            return "true or false"
        if self.type == "numeric_field":
            return "whole number"
        if self.options is not None:
            what = self.option_source or "inline options"
            return f"{'list of ' if self.multi else ''}option id from {what}"
        if self.type == "subform":
            return "list of rows"
        return "text"


@attrs.frozen
class SchemaReport:
    """Every issue found in a batch, with helpers to decide what to do."""

    issues: tuple[SchemaIssue, ...] = ()
    permissions_known: bool = True

    def dropped_fields(self) -> frozenset[str]:
        """Dotted names of fields that would be silently dropped somewhere in the batch."""
        return frozenset(i.field for i in self.issues if i.code.loses_data)

    def blocking(self, allow_drop: Iterable[str] = ()) -> tuple[SchemaIssue, ...]:
        """Drop issues not covered by ``allow_drop`` (these make a push refuse to run)."""
        allowed = frozenset(allow_drop)
        return tuple(i for i in self.issues if i.code.loses_data and i.field not in allowed)

    def rejected_keys(self) -> frozenset[str]:
        """Record keys that Primero would reject with a 422."""
        return frozenset(i.key for i in self.issues if i.code.rejects_record)

    def for_key(self, key: str) -> tuple[SchemaIssue, ...]:
        """Issues of one record."""
        return tuple(i for i in self.issues if i.key == key)

    def render(self, lang: Lang = "en", *, limit: int = 50) -> str:
        """A readable summary: dropped fields first (with counts), then rejected records."""
        lines: list[str] = []
        if not self.permissions_known:
            lines.append(
                "warning: the role's form permissions could not be read; read-only forms "
                "cannot be detected (a field on a read-only form would still be dropped)"
            )
        dropped: dict[tuple[str, IssueCode], int] = {}
        for issue in self.issues:
            if issue.code.loses_data:
                dropped[(issue.field, issue.code)] = dropped.get((issue.field, issue.code), 0) + 1
        for (field, code), count in sorted(dropped.items(), key=lambda x: x[0][0]):
            lines.append(f"drop  {field}: {code.label(lang)} ({count} record(s))")
        rejects = [i for i in self.issues if i.code.rejects_record]
        for issue in rejects[:limit]:
            lines.append("422   " + issue.describe(lang))
        if len(rejects) > limit:
            lines.append(f"...   {len(rejects) - limit} more rejected value(s)")
        return "\n".join(lines) if lines else "schema: no field dropped or rejected"


def _valid_date(value: str, *, with_time: bool) -> bool:
    if with_time:
        if _DATE.match(value) or "T" not in value:
            return False
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class CaseSchema:
    """Writable fields of one module, with their types and option ids."""

    def __init__(
        self,
        fields: Mapping[str, FieldSpec],
        *,
        module_id: str,
        permissions_known: bool = True,
    ) -> None:
        self.fields = dict(fields)
        self.module_id = module_id
        self.permissions_known = permissions_known

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def from_api(
        cls,
        forms: Sequence[Mapping[str, Any]],
        lookups: Sequence[Mapping[str, Any]],
        *,
        module_id: str,
        form_permissions: Mapping[str, str] | None = None,
    ) -> CaseSchema:
        """Build from ``/forms`` and ``/lookups`` payloads; ``form_permissions`` maps form
        unique ids to ``"r"``/``"rw"`` (``None``: unknown, every module form is assumed
        writable and the report says so)."""
        options_of = {
            str(lk.get("unique_id")): frozenset(str(v.get("id")) for v in lk.get("values") or [])
            for lk in lookups
        }
        by_id = {f.get("id"): f for f in forms}
        by_uid = {f.get("unique_id"): f for f in forms}

        def spec(raw: Mapping[str, Any], form: str, *, writable: bool) -> FieldSpec:
            ftype = str(raw.get("type") or "")
            source = str(raw.get("option_strings_source") or "")
            options: frozenset[str] | None = None
            if source.startswith("lookup "):
                options = options_of.get(source.split(" ", 1)[1], frozenset())
            elif raw.get("option_strings_text"):
                options = frozenset(
                    str(o.get("id")) for o in raw["option_strings_text"] if isinstance(o, Mapping)
                )
            sub: dict[str, FieldSpec] | None = None
            if ftype == "subform":
                nested = by_id.get(raw.get("subform_section_id")) or by_uid.get(
                    raw.get("subform_section_unique_id") or raw.get("name")
                )
                sub = {}
                for nf in (nested or {}).get("fields") or []:
                    child = spec(nf, form, writable=writable)
                    sub[child.name] = child
            return FieldSpec(
                name=str(raw.get("name")),
                type=ftype,
                form=form,
                writable=writable and ftype in _WRITABLE_TYPES,
                multi=bool(raw.get("multi_select")),
                options=options,
                option_source=source.split(" ", 1)[1] if source.startswith("lookup ") else source,
                include_time=bool(raw.get("date_include_time")),
                subform=sub,
            )

        fields: dict[str, FieldSpec] = {}
        for form in forms:
            if form.get("is_nested") or module_id not in (form.get("module_ids") or [module_id]):
                continue
            if form.get("parent_form", "case") != "case":
                continue
            uid = str(form.get("unique_id"))
            writable = form_permissions is None or form_permissions.get(uid) == "rw"
            for raw in form.get("fields") or []:
                field = spec(raw, uid, writable=writable)
                # A field on several forms is writable if any of its forms is.
                if field.name not in fields or (
                    field.writable and not fields[field.name].writable
                ):
                    fields[field.name] = field
        return cls(fields, module_id=module_id, permissions_known=form_permissions is not None)

    @classmethod
    def load(
        cls, client: PrimeroClient, *, module_id: str | None = None, user_name: str | None = None
    ) -> CaseSchema:
        """Load forms, lookups and (when readable) the role's form permissions."""
        module = module_id or client.module_id
        forms = client.get_forms(record_type="case", module_id=module)
        lookups = list(client.iter_lookups())
        permissions: dict[str, str] | None = None
        name = user_name or getattr(client.auth, "user_name", None)
        if name:
            try:
                user = client.find_user(str(name))
                if user is not None and user.get("id") is not None:
                    detail = client.get_user(user["id"], extended=True)
                    raw = detail.get("permitted_form")
                    if isinstance(raw, Mapping):
                        permissions = {str(k): str(v) for k, v in raw.items()}
            except PrimeroAPIError:
                permissions = None  # the role may not read users: say so in the report
        return cls.from_api(forms, lookups, module_id=module, form_permissions=permissions)

    # -- checking ---------------------------------------------------------------------------

    def check(
        self, record: Mapping[str, Any], *, key: str = "", update: bool = False
    ) -> tuple[SchemaIssue, ...]:
        """Issues for one record body (the ``data`` object of a create, or a PATCH)."""
        issues: list[SchemaIssue] = []

        def add(pointer: str, field: str, code: IssueCode, expected: str = "") -> None:
            issues.append(SchemaIssue(key, pointer, field, code, expected))

        if not update and not record.get("module_id"):
            add("/module_id", "module_id", IssueCode.MISSING_MODULE, self.module_id)
        for name, value in record.items():
            pointer = f"/{name}"
            if is_server_computed(name):
                add(pointer, name, IssueCode.COMPUTED_FIELD)
                continue
            if update and name in UPDATE_FORBIDDEN_FIELDS:
                add(pointer, name, IssueCode.CREATE_ONLY_FIELD)
                continue
            if name in _CORE_FIELDS:
                self._check_core(name, value, pointer, add)
                continue
            spec = self.fields.get(name)
            if spec is None:
                add(pointer, name, IssueCode.UNKNOWN_FIELD)
                continue
            self._check_field(spec, value, pointer, name, add)
        return tuple(issues)

    def check_many(
        self, records: Iterable[tuple[str, Mapping[str, Any]]], *, update: bool = False
    ) -> SchemaReport:
        """A report over ``(key, body)`` pairs."""
        issues: list[SchemaIssue] = []
        for key, body in records:
            issues.extend(self.check(body, key=key, update=update))
        return SchemaReport(tuple(issues), permissions_known=self.permissions_known)

    def _check_core(self, name: str, value: Any, pointer: str, add: Any) -> None:
        if not _scalar(value):
            add(pointer, name, IssueCode.WRONG_SHAPE)
        elif name == "id" and not (isinstance(value, str) and _UUID.match(value)):
            add(pointer, name, IssueCode.INVALID_TYPE, "lower-case UUID")
        elif name == "status" and value not in _STATUS_VALUES:
            add(pointer, name, IssueCode.INVALID_OPTION, "open, closed, transferred, identified")
        elif name in ("record_state", "state") and not isinstance(value, bool):
            add(pointer, name, IssueCode.INVALID_TYPE, "true or false")
        elif name == "module_id" and value != self.module_id:
            add(pointer, name, IssueCode.INVALID_OPTION, self.module_id)

    def _check_field(self, spec: FieldSpec, value: Any, pointer: str, path: str, add: Any) -> None:
        if not spec.writable:
            code = (
                IssueCode.NOT_WRITABLE_TYPE
                if spec.type not in _WRITABLE_TYPES
                else IssueCode.READ_ONLY_FIELD
            )
            add(pointer, path, code, spec.form)
            return
        t = spec.type
        expected = spec.expected()
        if t == "subform":
            if value is None:
                return
            if not isinstance(value, list):
                add(pointer, path, IssueCode.WRONG_SHAPE, expected)
                return
            for i, row in enumerate(value):
                row_pointer = f"{pointer}/{i}"
                if not isinstance(row, Mapping):
                    add(row_pointer, path, IssueCode.WRONG_SHAPE, "an object per row")
                    continue
                uid = row.get("unique_id")
                if uid is None:
                    add(row_pointer, path, IssueCode.MISSING_UNIQUE_ID)
                elif not (isinstance(uid, str) and _UUID.match(uid)):
                    add(f"{row_pointer}/unique_id", path, IssueCode.INVALID_TYPE, "UUID")
                for sub_name, sub_value in row.items():
                    if sub_name in ("unique_id", "_destroy"):
                        if sub_name == "_destroy" and not (
                            sub_value is None or isinstance(sub_value, bool)
                        ):
                            add(f"{row_pointer}/_destroy", path, IssueCode.INVALID_TYPE, "boolean")
                        continue
                    sub_spec = (spec.subform or {}).get(sub_name)
                    sub_path = f"{path}.{sub_name}"
                    sub_pointer = f"{row_pointer}/{sub_name}"
                    if sub_spec is None:
                        add(sub_pointer, sub_path, IssueCode.UNKNOWN_FIELD)
                    else:
                        self._check_field(sub_spec, sub_value, sub_pointer, sub_path, add)
            return
        if t == "select_box" and spec.multi:
            if value is None:
                return
            if not isinstance(value, list) or not all(_scalar(v) for v in value):
                add(pointer, path, IssueCode.WRONG_SHAPE, expected)
                return
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    add(f"{pointer}/{i}", path, IssueCode.INVALID_TYPE, expected)
                elif spec.options is not None and item not in spec.options:
                    add(f"{pointer}/{i}", path, IssueCode.INVALID_OPTION, expected)
            return
        if t == "tally_field":
            if not (value is None or isinstance(value, Mapping)):
                add(pointer, path, IssueCode.WRONG_SHAPE, "object of counts")
            return
        if not _scalar(value):
            add(pointer, path, IssueCode.WRONG_SHAPE, expected)
            return
        if t in ("text_field", "textarea"):
            if value is not None and not isinstance(value, str):
                add(pointer, path, IssueCode.INVALID_TYPE, expected)
        elif t == "date_field":
            if value is not None and not (
                isinstance(value, str) and _valid_date(value, with_time=spec.include_time)
            ):
                add(pointer, path, IssueCode.INVALID_DATE, expected)
        elif t == "tick_box":
            if not isinstance(value, bool):
                add(pointer, path, IssueCode.INVALID_TYPE, expected)
        elif t == "numeric_field":
            if value is None:
                return
            if not isinstance(value, int) or isinstance(value, bool):
                add(pointer, path, IssueCode.INVALID_TYPE, expected)
            elif not _INT32[0] <= value <= _INT32[1]:
                add(pointer, path, IssueCode.OUT_OF_RANGE, expected)
        elif t == "select_box":
            if value is None:
                return
            if not isinstance(value, str):
                add(pointer, path, IssueCode.INVALID_TYPE, expected)
            elif spec.options is not None and value not in spec.options:
                add(pointer, path, IssueCode.INVALID_OPTION, expected)
        elif t == "radio_button":
            if value is None:
                return
            if isinstance(value, bool):
                if spec.options is None or not spec.options <= {"true", "false"}:
                    add(pointer, path, IssueCode.INVALID_TYPE, expected)
            elif not isinstance(value, str):
                add(pointer, path, IssueCode.INVALID_TYPE, expected)
            elif spec.options is not None and value not in spec.options:
                add(pointer, path, IssueCode.INVALID_OPTION, expected)
