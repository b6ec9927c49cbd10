"""CaseFile <-> Primero v2 case record for ``primeromodule-cp`` (pure, data-driven).

**Forward** (:func:`map_case`, :func:`case_to_primero`): a :class:`~cpcase.case.CaseFile`
becomes the ``data`` object of a create request: always ``id`` and ``module_id``, our case code
in ``cpims_id``, the registration (names, sex, age, date of birth, ``estimated``, concerns,
separation, displacement, location code), the latest consent (the consent tick boxes derived
from its scope, recipients, legal basis), the case-level risk, the latest action plan with its
activities, every service row, every follow-up row and the latest closure. Server-computed
fields are never produced. ``data.id`` and every subform ``unique_id`` are UUIDv5 values from
the organisation, the case code and the row's identity, so re-imports never duplicate.

Option ids and Primero field names are **data**: ``mapping_cpims_interagency.toml`` holds the
CPIMS+ interagency defaults (equal to the vocabularies' ``.cpims`` ids) and a deployment
overrides any key with its own TOML (:func:`load_mapping`). A value that has no option and no
fallback is a :class:`MappingGap`: it is reported, never silently dropped.

Our risk level ``none`` has no CPIMS+ option: ``risk_level`` is sent empty and every risk
decision (date, level, who, why) is also kept as a row of ``notes_section`` with the subject
``cpcase risk decision``, from which the full history is read back (configurable).

**Reverse** (:func:`primero_to_case`): a Primero record becomes a CaseFile. With ``base`` (the
local file pushed earlier) the mapped values read from Primero replace the base's values
(rows matched by ``unique_id``); without it a skeleton file is built (case code, organisation,
status, risk history). Every Primero field that the resulting file does not reproduce exactly
is kept verbatim in ``extra_fields["primero"]`` (including Primero's own ``id``), so nothing is
lost and pushing the file back changes nothing on the server.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import tomllib
import uuid
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs
from pydantic import BaseModel, ConfigDict, ValidationError

from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import PrimeroError
from cpcase.forms import (
    FormBase,
)
from cpcase.labels import LabelledEnum
from cpcase.vocab import (
    ActivityStatus,
    AgeStatus,
    CaseStatus,
    ClosureReason,
    ConsentRecipient,
    ConsentScope,
    DisplacementStatus,
    FollowUpContactType,
    FollowUpType,
    LegitimateBasis,
    ProtectionConcern,
    RiskLevel,
    SeparationStatus,
    ServiceCategory,
    ServiceDeliveryMode,
    Sex,
)

__all__ = [
    "DEFAULT_MAPPING_FILE",
    "MappedCase",
    "MappingConfig",
    "MappingGap",
    "PrimeroMapping",
    "PullResult",
    "case_to_primero",
    "default_mapping",
    "load_mapping",
    "map_case",
    "primero_to_case",
    "same_value",
]

DEFAULT_MAPPING_FILE: Final = "mapping_cpims_interagency.toml"

_ENUMS: dict[str, type[LabelledEnum]] = {
    e.__name__: e
    for e in (
        ActivityStatus,
        AgeStatus,
        CaseStatus,
        ClosureReason,
        ConsentRecipient,
        DisplacementStatus,
        FollowUpContactType,
        FollowUpType,
        LegitimateBasis,
        ProtectionConcern,
        RiskLevel,
        SeparationStatus,
        ServiceCategory,
        ServiceDeliveryMode,
        Sex,
    )
}


# --------------------------------------------------------------------------------------------
# Configuration (TOML data)


class _Fallback(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    option: str
    other_field: str


class MappingConfig(BaseModel):
    """The mapping data: field names, option tables, fallbacks (validated TOML)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    module_id: str
    id_field: str
    namespace: uuid.UUID
    default_organisation: str
    risk_note_subject: str
    fields: dict[str, str]
    fallbacks: dict[str, _Fallback]
    booleans: dict[str, dict[str, str]]
    options: dict[str, dict[str, str | bool]]


def _merge_tables(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge_tables(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _config_from_toml(data: Mapping[str, Any], source: str) -> MappingConfig:
    meta = dict(data.get("meta", {}))
    raw = {
        **meta,
        "fields": data.get("fields", {}),
        "fallbacks": data.get("fallbacks", {}),
        "booleans": data.get("booleans", {}),
        "options": data.get("options", {}),
    }
    try:
        config = MappingConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(p) for p in e["loc"]) + ": " + e["msg"]
            for e in exc.errors(include_input=False, include_url=False)
        )
        raise PrimeroError(f"mapping {source}: {problems}") from None
    for enum_name, table in config.options.items():
        enum = _ENUMS.get(enum_name)
        if enum is None:
            raise PrimeroError(f"mapping {source}: unknown option table [options.{enum_name}]")
        unknown = sorted(set(table) - {m.value for m in enum})
        if unknown:
            raise PrimeroError(
                f"mapping {source}: [options.{enum_name}] has unknown codes: {', '.join(unknown)}"
            )
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise PrimeroError(f"mapping {path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PrimeroError(f"mapping {path}: invalid TOML ({exc})") from None


def _default_data() -> dict[str, Any]:
    text = (
        resources.files("cpcase.adapters.primero")
        .joinpath(DEFAULT_MAPPING_FILE)
        .read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


@functools.cache
def default_mapping() -> PrimeroMapping:
    """The CPIMS+ interagency defaults (``mapping_cpims_interagency.toml``)."""
    return PrimeroMapping(_config_from_toml(_default_data(), DEFAULT_MAPPING_FILE))


def load_mapping(path: Path | None = None) -> PrimeroMapping:
    """The defaults, with the tables of the TOML file ``path`` merged over them key by key."""
    data = _default_data()
    source = DEFAULT_MAPPING_FILE
    if path is not None:
        data = _merge_tables(data, _read_toml(Path(path)))
        source = str(path)
    return PrimeroMapping(_config_from_toml(data, source))


def _by_code(enum: type[LabelledEnum], code: str) -> LabelledEnum | None:
    """The member of ``enum`` whose code is ``code``, or ``None``."""
    for member in enum:
        if member.value == code:
            return member
    return None


def _risk(code: object) -> RiskLevel:
    for member in RiskLevel:
        if member.value == code:
            return member
    raise ValueError("unknown risk level")


_GAP: Final = object()  # a member with no option and no fallback
# json.dumps(..., ensure_ascii=False, sort_keys=True) builds this encoder on every call.
_NOTE_JSON: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


class PrimeroMapping:
    """A validated mapping with its lookup tables built (immutable once built)."""

    def __init__(self, config: MappingConfig) -> None:
        self.config = config
        self._forward: dict[type[LabelledEnum], dict[str, str | None]] = {}
        self._reverse: dict[type[LabelledEnum], dict[str, LabelledEnum]] = {}
        for enum in _ENUMS.values():
            table = config.options.get(enum.__name__, {})
            forward: dict[str, str | None] = {}
            reverse: dict[str, LabelledEnum] = {}
            for member in enum:
                if member.value in table:
                    value = table[member.value]
                    if value is True:
                        raise PrimeroError(
                            f"mapping: [options.{enum.__name__}] {member.value} = true is not "
                            "allowed (use an option id, or false for an empty value)"
                        )
                    forward[member.value] = value if isinstance(value, str) else None
                elif member.cpims is not None and enum.__name__ not in config.options:
                    forward[member.value] = member.cpims
                if forward.get(member.value) is not None:
                    reverse.setdefault(str(forward[member.value]), member)
            self._forward[enum] = forward
            self._reverse[enum] = reverse

    @property
    def module_id(self) -> str:
        """The Primero module (``primeromodule-cp``)."""
        return self.config.module_id

    @property
    def id_field(self) -> str:
        """The Primero field that holds our case code."""
        return self.config.id_field

    def field(self, path: str) -> str | None:
        """Primero field name for cpcase ``path`` (``None``: not sent)."""
        return self.config.fields.get(path) or None

    def option(self, member: LabelledEnum) -> object:
        """Option id of ``member``: a string, ``None`` (explicit empty) or the gap marker."""
        return self._forward[type(member)].get(member.value, _GAP)

    def member(self, enum: type[LabelledEnum], option_id: object) -> LabelledEnum | None:
        """The member sent as ``option_id`` (first match), or ``None``."""
        if not isinstance(option_id, str):
            return None
        return self._reverse[enum].get(option_id)

    def empty_member(self, enum: type[LabelledEnum]) -> LabelledEnum | None:
        """The member sent as an explicit empty value (``false`` in the table), if any."""
        for code, value in self._forward[enum].items():
            if value is None:
                return _by_code(enum, code)
        return None

    def uuid(self, *parts: str) -> str:
        """A deterministic UUIDv5 in the mapping's namespace."""
        # Same bytes as str(uuid.uuid5(namespace, name)), without building a UUID object (this
        # runs several times per case when a register is converted).
        raw = bytearray(
            hashlib.sha1(
                self.config.namespace.bytes + ":".join(parts).encode("utf-8"),
                usedforsecurity=False,
            ).digest()[:16]
        )
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def paths(self) -> tuple[str, ...]:
        """Every mapped cpcase path (for documentation and coverage checks)."""
        return tuple(sorted(p for p, name in self.config.fields.items() if name))


# --------------------------------------------------------------------------------------------
# Field specifications (the structure; names and options come from the data)


@attrs.frozen
class _Spec:
    """One mapped value: ``path`` (cpcase path, key of the TOML ``fields`` table), ``attr`` on
    the source model, ``kind`` of conversion, the vocabulary for options; ``get`` for values
    derived from several attributes (sent, never read back)."""

    path: str
    attr: str
    kind: str
    enum: type[LabelledEnum] | None = None
    get: Callable[[Any, Any], Any] | None = None

    @property
    def reverse(self) -> bool:
        return self.get is None


def _scope(scope: ConsentScope) -> Callable[[Any, Any], Any]:
    return lambda form, _parent: scope in form.consent_scope


def _objective(row: Any, plan: Any) -> Any:
    if row.objective_ref is None:
        return None
    for objective in plan.specific_objectives:
        if objective.row_id == row.objective_ref:
            return objective.description
    return None


_REGISTRATION: Final = (
    _Spec("registration.registration_date", "registration_date", "date"),
    _Spec("registration.identification_date", "identification_date", "date"),
    _Spec("registration.name_first", "name_first", "text"),
    _Spec("registration.name_last", "name_last", "text"),
    _Spec("registration.name_nickname", "name_nickname", "text"),
    _Spec("registration.hidden_name", "hidden_name", "bool"),
    _Spec("registration.sex", "sex", "option", Sex),
    _Spec("registration.date_of_birth", "date_of_birth", "date"),
    _Spec("registration.age", "age", "int"),
    _Spec("registration.age_status", "age_status", "option_tick", AgeStatus),
    _Spec("registration.displacement_status", "displacement_status", "option", DisplacementStatus),
    _Spec("registration.location_current", "location_current", "text"),
    _Spec(
        "registration.protection_concerns",
        "protection_concern_primary",
        "concerns",
        ProtectionConcern,
    ),
    _Spec("registration.separation_status", "separation_status", "option", SeparationStatus),
)
_CONSENT: Final = (
    _Spec(
        "consent.consent_for_services",
        "",
        "bool",
        get=lambda form, _p: form.consent_for_services,
    ),
    _Spec(
        "consent.disclosure_other_orgs",
        "",
        "bool",
        get=lambda form, _p: form.disclosure_other_orgs,
    ),
    _Spec(
        "consent.consent_reporting", "", "yesno", get=_scope(ConsentScope.STATISTICAL_REPORTING)
    ),
    _Spec("consent.consent_for_tracing", "", "yesno", get=_scope(ConsentScope.FAMILY_TRACING)),
    _Spec("consent.recipients", "recipients", "options", ConsentRecipient),
    _Spec("consent.legitimate_basis", "legitimate_basis", "options", LegitimateBasis),
    _Spec("consent.consent_notes", "consent_notes", "text"),
)
_PLAN: Final = (_Spec("plan.date_case_plan", "date_case_plan", "date"),)
_ACTIVITY: Final = (
    _Spec(
        "plan.activities.intervention_service_to_be_provided",
        "intervention_service_to_be_provided",
        "text",
    ),
    _Spec("plan.activities.objective", "", "text", get=_objective),
    _Spec("plan.activities.deadline", "deadline", "date"),
    _Spec(
        "plan.activities.case_plan_provider_and_contact_details",
        "case_plan_provider_and_contact_details",
        "text",
    ),
    _Spec(
        "plan.activities.interventions_status", "interventions_status", "option", ActivityStatus
    ),
    _Spec("plan.activities.intervention_service_success", "intervention_service_success", "text"),
)
_SERVICE: Final = (
    _Spec("services.service_type", "service_type", "option", ServiceCategory),
    _Spec("services.service_referral", "service_referral", "option", ServiceDeliveryMode),
    _Spec("services.service_referral_notes", "service_referral_notes", "text"),
    _Spec("services.service_expected_outcome", "service_expected_outcome", "text"),
    _Spec("services.service_provider", "service_provider", "text"),
    _Spec("services.service_location", "service_location", "text"),
    _Spec("services.service_response_day_time", "service_response_day_time", "datetime"),
    _Spec("services.service_appointment_date", "service_appointment_date", "date"),
    _Spec("services.service_implemented", "service_implemented", "bool_option"),
    _Spec("services.service_implemented_day_time", "service_implemented_day_time", "datetime"),
    _Spec("services.details_service_provided", "details_service_provided", "text"),
)
_FOLLOW_UP: Final = (
    _Spec("follow_ups.followup_date", "followup_date", "date"),
    _Spec("follow_ups.followup_type", "followup_type", "option", FollowUpType),
    _Spec("follow_ups.followed_up_through", "followed_up_through", "option", FollowUpContactType),
    _Spec("follow_ups.child_was_seen", "child_was_seen", "yesno"),
    _Spec("follow_ups.purpose_followup", "purpose_followup", "text"),
    _Spec("follow_ups.outcome_followup", "outcome_followup", "text"),
    _Spec("follow_ups.followup_needed_by_date", "followup_needed_by_date", "date"),
    _Spec("follow_ups.recommend_case_closed", "recommend_case_closed", "bool"),
)
_CLOSURE: Final = (
    _Spec("closure.date_closure", "date_closure", "date"),
    _Spec("closure.closure_reason", "closure_reason", "option", ClosureReason),
    _Spec("closure.closure_details", "closure_details", "text"),
    _Spec("closure.closure_current_situation", "closure_current_situation", "text"),
)


@attrs.frozen
class _RowGroup:
    """Repeated rows: forms held in ``attr`` (all of them, or only the latest), rows in
    ``rows_attr``, sent as the subform at ``path``."""

    path: str
    code: str
    attr: str
    rows_attr: str
    specs: tuple[_Spec, ...]
    latest_only: bool = False


_ROW_GROUPS: Final = (
    _RowGroup("plan.activities", "3.A", "action_plans", "activities", _ACTIVITY, latest_only=True),
    _RowGroup("services", "4.A", "services", "services_section", _SERVICE),
    _RowGroup("follow_ups", "5.A", "follow_ups", "followup_subform_section", _FOLLOW_UP),
)


# --------------------------------------------------------------------------------------------
# Results


@attrs.frozen
class MappingGap:
    """A value with no CPIMS+ equivalent: not sent. ``path`` is the cpcase path (the name to
    give ``--allow-drop``), ``code`` the value's code, ``pointer`` where it would have gone."""

    path: str
    code: str
    pointer: str


@attrs.frozen
class MappedCase:
    """A case mapped to Primero: ``body`` (the create ``data`` object), the fields to be
    emptied on the server when ours are empty (``clearable``) and the :class:`MappingGap`\\ s."""

    key: str
    body: dict[str, Any]
    clearable: frozenset[str] = frozenset()
    gaps: tuple[MappingGap, ...] = ()

    @property
    def record_id(self) -> str:
        """Primero's ``data.id``."""
        return str(self.body["id"])

    def create_body(self) -> dict[str, Any]:
        """``{"data": {...}}``: the JSON body of ``POST /api/v2/cases``."""
        return {"data": self.body}


@attrs.frozen
class PullResult:
    """A case read back from Primero, with ``warnings`` (``(path, message)``) for Primero
    values that could not be applied to the typed forms (they are kept in extras)."""

    case: CaseFile
    warnings: tuple[tuple[str, str], ...] = ()


# --------------------------------------------------------------------------------------------
# Conversions


def _date_str(value: dt.date) -> str:
    return value.isoformat()


def _datetime_str(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00.000Z"


class _NoValue(Exception):
    """A Primero value that cannot be read back into our type."""


def _parse_date(value: object) -> dt.date:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise _NoValue
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _NoValue from None


def _to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise _NoValue


class _Writer:
    """Builds one body; collects gaps and the top-level fields sent empty on purpose."""

    def __init__(self, mapping: PrimeroMapping, body: dict[str, Any]) -> None:
        self.m = mapping
        self.body = body
        self.gaps: list[MappingGap] = []
        self.clearable: set[str] = set()

    def value(
        self, spec: _Spec, source: Any, parent: Any, pointer: str, row: dict[str, Any]
    ) -> None:
        """Put ``spec``'s value from ``source`` into ``row`` (a body or a subform row)."""
        name = self.m.config.fields.get(spec.path)  # as PrimeroMapping.field, inlined (hot)
        if not name:
            return
        raw = spec.get(source, parent) if spec.get is not None else getattr(source, spec.attr)
        if spec.kind == "concerns":
            concerns = [raw, *source.protection_concerns_secondary]
            ids = []
            for member in concerns:
                option = self.m.option(member)
                if isinstance(option, str):
                    if option not in ids:
                        ids.append(option)
                else:
                    self.gaps.append(MappingGap(spec.path, member.value, f"{pointer}/{name}"))
            if ids:
                row[name] = ids
            return
        if raw is None:
            return
        kind = spec.kind
        if kind == "text" or kind == "int" or kind == "bool":
            row[name] = raw
        elif kind == "date":
            row[name] = _date_str(raw)
        elif kind == "datetime":
            row[name] = _datetime_str(raw)
        elif kind == "yesno":
            row[name] = "true" if raw else "false"
        elif kind == "bool_option":
            table = self.m.config.booleans.get(spec.path, {})
            option = table.get("true" if raw else "false")
            if option is None:
                self.gaps.append(MappingGap(spec.path, str(raw).lower(), f"{pointer}/{name}"))
            else:
                row[name] = option
        elif kind == "options":
            ids = []
            for member in raw:
                option = self.m.option(member)
                if isinstance(option, str):
                    if option not in ids:
                        ids.append(option)
                elif option is _GAP:
                    self.gaps.append(MappingGap(spec.path, member.value, f"{pointer}/{name}"))
            if ids:
                row[name] = ids
        elif kind in ("option", "option_tick"):
            option = self.m.option(raw)
            fallback = self.m.config.fallbacks.get(spec.path)
            if option is _GAP and fallback is not None:
                row[name] = fallback.option
                row[fallback.other_field] = raw.value
            elif option is _GAP:
                self.gaps.append(MappingGap(spec.path, raw.value, f"{pointer}/{name}"))
            elif option is None:
                row[name] = None
                if row is self.body:
                    self.clearable.add(name)
            else:
                row[name] = option == "true" if kind == "option_tick" else option
        else:  # pragma: no cover - the spec tables use only the kinds above
            raise AssertionError(kind)


def _form_keys(forms: Sequence[FormBase]) -> list[str]:
    """Stable per-form keys (``entry_id``, else the form date; repeats get ``#2``, ``#3``)."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for form in forms:
        base = form.entry_id or form.form_date.isoformat()
        seen[base] = seen.get(base, 0) + 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


def _record_id(case: CaseFile, m: PrimeroMapping) -> str:
    kept = case.extra_fields.get("primero")
    if isinstance(kept, Mapping) and isinstance(kept.get("id"), str):
        return str(kept["id"])
    return m.uuid("case", case.organisation_id, case.case_code)


def _row_uid(m: PrimeroMapping, case: CaseFile, group: str, form_key: str, row_id: str) -> str:
    # From the record id (itself from organisation + case code), so rows stay stable when a
    # pulled file keeps Primero's own id.
    return m.uuid("row", _record_id(case, m), group, form_key, row_id)


def _latest(case: CaseFile, code: str) -> Any:
    return case.latest(code)


def _group_forms(case: CaseFile, group: _RowGroup) -> list[tuple[str, Any]]:
    forms = list(case.forms(group.code))
    keys = _form_keys(forms)
    pairs = list(zip(keys, forms, strict=True))
    if group.latest_only:
        latest = case.latest(group.code)
        pairs = [(k, f) for k, f in pairs if f is latest]
    return pairs


def map_case(case: CaseFile, mapping: PrimeroMapping | None = None) -> MappedCase:
    """Map ``case`` to a Primero create body, with its gaps (see the module docstring)."""
    m = mapping or default_mapping()
    record_id = _record_id(case, m)
    body: dict[str, Any] = {"id": record_id, "module_id": m.module_id}
    w = _Writer(m, body)
    body[m.id_field] = case.case_code
    if name := m.field("case.status"):
        option = m.option(case.status)
        if isinstance(option, str):
            body[name] = option
        else:
            w.gaps.append(MappingGap("case.status", case.status.value, f"/{name}"))
    _map_risk(case, m, body, w, record_id)
    for code, specs in _SINGLE_FORMS:
        form = _latest(case, code)
        if form is not None:
            for spec in specs:
                w.value(spec, form, case, "", body)
    for group in _ROW_GROUPS:
        name = m.field(group.path)
        if name is None:
            continue
        rows: list[dict[str, Any]] = []
        for form_key, form in _group_forms(case, group):
            for row in getattr(form, group.rows_attr):
                out: dict[str, Any] = {
                    "unique_id": m.uuid("row", record_id, group.path, form_key, row.row_id)
                }
                for spec in group.specs:
                    w.value(spec, row, form, f"/{name}/{len(rows)}", out)
                rows.append(out)
        if rows:
            body[name] = rows
    return MappedCase(
        key=case.case_code, body=body, clearable=frozenset(w.clearable), gaps=tuple(w.gaps)
    )


def _map_risk(
    case: CaseFile, m: PrimeroMapping, body: dict[str, Any], w: _Writer, record_id: str
) -> None:
    if not case.risk_history:
        return
    name = m.field("case.risk_level")
    if name is not None:
        option = m.option(case.risk_history[-1].level)
        if isinstance(option, str):
            body[name] = option
        elif option is None:
            body[name] = None
            w.clearable.add(name)
        else:
            w.gaps.append(MappingGap("case.risk_level", case.risk_history[-1].level.value, name))
    notes = m.field("case.risk_notes")
    subject = m.config.risk_note_subject
    if notes is None or not subject:
        return
    rows = []
    for i, decision in enumerate(case.risk_history):
        payload = {
            "seq": i,
            "level": decision.level.value,
            "decided_by": decision.decided_by,
            "suggested_level": decision.suggested_level.value
            if decision.suggested_level
            else None,
            "justification": decision.justification,
            "source_form": decision.source_form,
        }
        rows.append(
            {
                "unique_id": m.uuid("risk", record_id, str(i)),
                "note_date": decision.decided_on.isoformat(),
                "note_subject": subject,
                "note_text": _NOTE_JSON.encode(
                    {k: v for k, v in payload.items() if v is not None}
                ),
            }
        )
    body[notes] = rows


def case_to_primero(case: CaseFile, mapping: PrimeroMapping | None = None) -> dict[str, Any]:
    """``{"data": {...}}``: the create body for ``case`` (gaps are left out: use
    :func:`map_case` to see them)."""
    return map_case(case, mapping).create_body()


# --------------------------------------------------------------------------------------------
# Reverse


def same_value(ours: Any, theirs: Any) -> bool:
    """Equality as Primero stores values: lists of scalars compare as sets, booleans strictly."""
    if isinstance(ours, list) and isinstance(theirs, list):
        if all(not isinstance(x, dict | list) for x in (*ours, *theirs)):
            return sorted(map(json.dumps, ours)) == sorted(map(json.dumps, theirs))
        return bool(ours == theirs)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    return bool(ours == theirs)


class _Reader:
    def __init__(self, mapping: PrimeroMapping, today: dt.date) -> None:
        self.m = mapping
        self.today = today
        self.warnings: list[tuple[str, str]] = []

    def read(self, spec: _Spec, data: Mapping[str, Any], current: Any) -> Any:
        """The typed value of ``spec`` in ``data``; ``_NoValue`` to keep ``current``."""
        name = self.m.field(spec.path)
        if name is None or name not in data or not spec.reverse:
            raise _NoValue
        raw = data[name]
        kind = spec.kind
        if raw is None:
            if kind in ("option", "option_tick") and spec.enum is not None:
                empty = self.m.empty_member(spec.enum)
                if empty is not None and current in (empty, None):
                    raise _NoValue
            if kind == "concerns":
                raise _NoValue
            return None
        if kind == "text":
            if not isinstance(raw, str):
                raise _NoValue
            return raw
        if kind == "int":
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise _NoValue
            return raw
        if kind == "bool":
            if not isinstance(raw, bool):
                raise _NoValue
            return raw
        if kind == "yesno":
            return _to_bool(raw)
        if kind in ("date", "datetime"):
            return _parse_date(raw)
        if kind == "bool_option":
            table = self.m.config.booleans.get(spec.path, {})
            for flag, option in table.items():
                if option == raw:
                    return flag == "true"
            raise _NoValue
        if spec.enum is None:
            raise _NoValue
        if kind == "option_tick":
            if not isinstance(raw, bool):
                raise _NoValue
            member = self.m.member(spec.enum, "true" if raw else "false")
        elif kind == "option":
            member = self.m.member(spec.enum, raw)
            fallback = self.m.config.fallbacks.get(spec.path)
            if member is None and fallback is not None and raw == fallback.option:
                other = data.get(fallback.other_field)
                if isinstance(other, str):
                    member = _by_code(spec.enum, other)
        elif kind == "options":
            if not isinstance(raw, list):
                raise _NoValue
            members = []
            for item in raw:
                found = self.m.member(spec.enum, item)
                if found is None:
                    raise _NoValue
                members.append(found)
            return tuple(members)
        else:
            raise _NoValue
        if member is None:
            raise _NoValue
        return member

    def apply(
        self,
        obj: Any,
        specs: Sequence[_Spec],
        data: Mapping[str, Any],
        where: str,
    ) -> Any:
        """``obj`` with the values of ``data`` applied (``obj`` itself if none apply or the
        result would be invalid)."""
        changes: dict[str, Any] = {}
        for spec in specs:
            if spec.kind == "concerns":
                name = self.m.field(spec.path)
                raw = data.get(name) if name else None
                if isinstance(raw, list) and raw:
                    members = [self.m.member(ProtectionConcern, x) for x in raw]
                    if all(x is not None for x in members):
                        changes["protection_concern_primary"] = members[0]
                        changes["protection_concerns_secondary"] = tuple(members[1:])
                continue
            try:
                value = self.read(spec, data, getattr(obj, spec.attr) if spec.attr else None)
            except _NoValue:
                continue
            changes[spec.attr] = value
        changes = {k: v for k, v in changes.items() if getattr(obj, k) != v}
        if not changes:
            return obj
        try:
            return type(obj).model_validate(
                {**dict(obj), **changes}, context={"today": self.today}
            )
        except ValidationError:
            self.warnings.append((where, "Primero values break a form rule; kept in extras"))
            return obj


_SINGLE_FORMS: Final = (
    ("1.B", _REGISTRATION),
    ("1.A", _CONSENT),
    ("3.A", _PLAN),
    ("6.A", _CLOSURE),
)


def _risk_from_notes(
    rows: object, subject: str, warnings: list[tuple[str, str]]
) -> tuple[RiskDecision, ...] | None:
    if not subject or not isinstance(rows, list):
        return None
    found: list[tuple[int, RiskDecision]] = []
    for row in rows:
        if not isinstance(row, Mapping) or row.get("note_subject") != subject:
            continue
        try:
            payload = json.loads(str(row.get("note_text")))
            decision = RiskDecision(
                level=_risk(payload["level"]),
                decided_on=_parse_date(row.get("note_date")),
                decided_by=payload.get("decided_by"),
                suggested_level=(
                    _risk(payload["suggested_level"]) if payload.get("suggested_level") else None
                ),
                justification=payload.get("justification"),
                source_form=payload.get("source_form"),
            )
            found.append((int(payload["seq"]), decision))
        except (ValueError, KeyError, TypeError, _NoValue, ValidationError, PrimeroError):
            warnings.append(("case.risk_notes", "a risk note could not be read; kept in extras"))
    if not found:
        return None
    found.sort(key=lambda pair: pair[0])
    history = tuple(d for _, d in found)
    if [d.decided_on for d in history] != sorted(d.decided_on for d in history):
        warnings.append(("case.risk_notes", "risk notes out of date order; kept in extras"))
        return None
    return history


_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")


def _skeleton(record: Mapping[str, Any], m: PrimeroMapping) -> CaseFile:
    code = record.get(m.id_field)
    if not (isinstance(code, str) and 3 <= len(code) <= 64 and _CODE_RE.match(code)):
        short = str(record.get("short_id") or record.get("case_id_display") or "")
        short = re.sub(r"[^A-Z0-9]", "", short.upper())
        code = f"CPIMS-{short or str(record.get('id', 'X'))[:8].upper()}"
    org = record.get("owned_by_agency_id")
    org = org if isinstance(org, str) and 0 < len(org.strip()) <= 200 else None
    return CaseFile(
        case_code=code,
        organisation_id=org or m.config.default_organisation,
        extra_fields={"primero": {"id": str(record.get("id"))}} if record.get("id") else {},
    )


def _leftovers(record: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """Every Primero value that ``sent`` does not reproduce identically."""
    out: dict[str, Any] = {}
    for key, theirs in record.items():
        if theirs is None or theirs == []:
            continue
        ours = sent.get(key)
        if (
            isinstance(theirs, list)
            and isinstance(ours, list)
            and all(isinstance(r, Mapping) for r in (*theirs, *ours))
        ):
            by_uid = {r.get("unique_id"): r for r in ours}
            kept = []
            for row in theirs:
                mine = by_uid.get(row.get("unique_id"))
                if mine is None:
                    kept.append(dict(row))
                    continue
                cells = {
                    c: v
                    for c, v in row.items()
                    if c != "unique_id"
                    and v is not None
                    and not (c in mine and same_value(mine[c], v))
                }
                if cells:
                    kept.append({"unique_id": row.get("unique_id"), **cells})
            if kept:
                out[key] = kept
        elif key not in sent or not same_value(ours, theirs):
            out[key] = theirs
    return out


def primero_to_case(
    record: Mapping[str, Any],
    *,
    today: dt.date,
    base: CaseFile | None = None,
    mapping: PrimeroMapping | None = None,
) -> PullResult:
    """Read a Primero case record back into a :class:`CaseFile` (see the module docstring).

    ``today`` bounds "not in the future" checks and dates a risk decision taken in Primero
    (pure function: no clock).
    """
    m = mapping or default_mapping()
    reader = _Reader(m, today)
    case = base if base is not None else _skeleton(record, m)
    # Working copies of every form attribute, as lists; replaced by index.
    work: dict[str, list[Any]] = {}
    for attr in CaseFile.FORM_ATTRIBUTES.values():
        value = getattr(case, attr)
        work[attr] = list(value) if isinstance(value, tuple) else [value]

    def index_of(attr: str, form: Any) -> int:
        original = getattr(case, attr)
        held = original if isinstance(original, tuple) else (original,)
        return next(i for i, f in enumerate(held) if f is form)

    # Values we could not send leave Primero's defaults in place (status "open"...): never
    # read those back over our own value.
    unsent = {g.pointer for g in map_case(case, m).gaps}
    view = {k: v for k, v in record.items() if f"/{k}" not in unsent}
    updates: dict[str, Any] = {}
    if (name := m.field("case.status")) and name in view:
        member = m.member(CaseStatus, record[name])
        if isinstance(member, CaseStatus):
            updates["status"] = member
    for code, specs in _SINGLE_FORMS:
        form = case.latest(code)
        if form is None:
            continue
        attr = CaseFile.FORM_ATTRIBUTES[code]
        i = index_of(attr, form)
        work[attr][i] = reader.apply(work[attr][i], specs, view, code)
    for group in _ROW_GROUPS:
        name = m.field(group.path)
        rows = record.get(name) if name else None
        if not isinstance(rows, list):
            continue
        by_uid = {r.get("unique_id"): r for r in rows if isinstance(r, Mapping)}
        for form_key, form in _group_forms(case, group):
            i = index_of(group.attr, form)
            current = work[group.attr][i]
            old_rows = getattr(current, group.rows_attr)
            new_rows = []
            for row in old_rows:
                theirs = by_uid.get(_row_uid(m, case, group.path, form_key, row.row_id))
                where = f"{group.path}.{row.row_id}"
                new_rows.append(
                    row if theirs is None else reader.apply(row, group.specs, theirs, where)
                )
            if all(a is b for a, b in zip(new_rows, old_rows, strict=True)):
                continue
            try:
                work[group.attr][i] = type(current).model_validate(
                    {**dict(current), group.rows_attr: tuple(new_rows)},
                    context={"today": today},
                )
            except ValidationError:
                reader.warnings.append((group.path, "updated rows break a form rule"))
    for attr, forms in work.items():
        original = getattr(case, attr)
        if isinstance(original, tuple):
            if any(a is not b for a, b in zip(forms, original, strict=True)):
                updates[attr] = tuple(forms)
        elif forms[0] is not original:
            updates[attr] = forms[0]
    history = _risk_from_notes(
        record.get(m.field("case.risk_notes") or ""), m.config.risk_note_subject, reader.warnings
    )
    if history is None:
        history = case.risk_history
    level_name = m.field("case.risk_level")
    if level_name and record.get(level_name) is not None:
        member = m.member(RiskLevel, record[level_name])
        current_level = history[-1].level if history else None
        if isinstance(member, RiskLevel) and member != current_level:
            if history and history[-1].decided_on > today:
                reader.warnings.append(("case.risk_level", "risk history is dated after today"))
            else:
                history = (*history, RiskDecision(level=member, decided_on=today))
    if history != case.risk_history:
        updates["risk_history"] = history
    if updates:
        try:
            case = CaseFile.model_validate({**dict(case), **updates})
        except ValidationError:
            reader.warnings.append(
                ("case", "Primero values break a case-file rule; kept in extras")
            )
    # Everything the file does not reproduce exactly is kept verbatim, and always the id.
    sent = map_case(case, m).body
    leftovers = _leftovers(record, sent)
    if record.get("id"):
        leftovers["id"] = record["id"]
    extras = {k: v for k, v in case.extra_fields.items() if k != "primero"}
    extras["primero"] = leftovers
    case = CaseFile.model_validate({**dict(case), "extra_fields": extras})
    return PullResult(case=case, warnings=tuple(reader.warnings))
