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
import keyword
import operator
import re
import tomllib
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
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

# Hex digit of a SHA-1 digest's byte 8 (high nibble) -> the UUID variant digit (RFC 4122: the
# two high bits are 10).
_VARIANT: Final = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _uuid5(namespace: hashlib._Hash, name: str) -> str:
    """``str(uuid.uuid5(ns, name))``, from ``namespace``: the SHA-1 state after the bytes of
    ``ns`` (copied, never changed). No UUID object is built: this runs for every record, risk
    note and subform row of a register."""
    digest = namespace.copy()
    digest.update(name.encode())
    h = digest.hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


class PrimeroMapping:
    """A validated mapping with its lookup tables built (immutable once built)."""

    def __init__(self, config: MappingConfig) -> None:
        self.config = config
        self._namespace = hashlib.sha1(config.namespace.bytes, usedforsecurity=False)
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
        """A deterministic UUIDv5 in the mapping's namespace, named by ``parts`` joined by
        ``:``."""
        return _uuid5(self._namespace, ":".join(parts))

    @functools.cached_property
    def compiled(self) -> _Compiled:
        """The forward mapping compiled into flat steps (built on first use)."""
        return _Compiled(self)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled without the compiled steps (rebuilt on first use).
        return {k: v for k, v in self.__dict__.items() if k not in ("compiled", "_namespace")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._namespace = hashlib.sha1(self.config.namespace.bytes, usedforsecurity=False)

    def paths(self) -> tuple[str, ...]:
        """Every mapped cpcase path (for documentation and coverage checks)."""
        return tuple(sorted(p for p, name in self.config.fields.items() if name))


# --------------------------------------------------------------------------------------------
# Field specifications (the structure; names and options come from the data)


@attrs.frozen
class _Spec:
    """One mapped value: ``path`` (cpcase path, key of the TOML ``fields`` table), ``attr`` on
    the source model, ``kind`` of conversion, the vocabulary for options; ``get`` for values
    derived from several attributes, ``within`` for "is this member in the tuple ``attr``"
    (both sent, never read back)."""

    path: str
    attr: str
    kind: str
    enum: type[LabelledEnum] | None = None
    get: Callable[[Any, Any], Any] | None = None
    within: LabelledEnum | None = None

    @property
    def reverse(self) -> bool:
        return self.get is None and self.within is None


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
# The four tick boxes derived from the consent scope (``consent_for_services`` and
# ``disclosure_other_orgs`` are also ConsentForm properties, with the same definition).
_CONSENT: Final = (
    _Spec(
        "consent.consent_for_services",
        "consent_scope",
        "bool",
        within=ConsentScope.REFERRAL_TO_SERVICES,
    ),
    _Spec(
        "consent.disclosure_other_orgs",
        "consent_scope",
        "bool",
        within=ConsentScope.SHARE_WITH_THIRD_PARTIES,
    ),
    _Spec(
        "consent.consent_reporting",
        "consent_scope",
        "yesno",
        within=ConsentScope.STATISTICAL_REPORTING,
    ),
    _Spec(
        "consent.consent_for_tracing",
        "consent_scope",
        "yesno",
        within=ConsentScope.FAMILY_TRACING,
    ),
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


class _Compiled:
    """The forward mapping of one :class:`PrimeroMapping`, compiled once from the spec tables
    and the TOML data (a register conversion maps every row: walking the specs, looking up
    field names and option tables per value cost more than the values themselves).

    The sent specs become one Python function, :attr:`fill` (its text is :attr:`source`), that
    puts every mapped form and subform row of a case into its body, in the order of the spec
    tables: for each value a few straight lines read it, skip ``None`` and store it as it is,
    as its ISO text or through its option table (see :class:`_FillWriter`).
    Anything but the plain case (a member without an option id, an empty boolean option...)
    goes to :func:`_write_slow`, which applies the full rules (fallback, explicit empty, gap).
    Specs whose field is not sent are left out.
    """

    def __init__(self, m: PrimeroMapping) -> None:
        fields = m.config.fields
        self.status_name: str | None = fields.get("case.status") or None
        self.status_table = self._options(m, CaseStatus)
        self.module_id = m.config.module_id
        self.id_field = m.config.id_field
        self.risk_name: str | None = fields.get("case.risk_level") or None
        self.risk_table = self._options(m, RiskLevel)
        notes = fields.get("case.risk_notes") or None
        self.note_subject = m.config.risk_note_subject
        self.notes_name = notes if self.note_subject else None
        self.note_texts = _NoteTexts()
        self.namespace = m._namespace
        self.source, self.fill = _FillWriter(m).build()

    @staticmethod
    def _options(m: PrimeroMapping, enum: type[LabelledEnum], *, tick: bool = False) -> _Lookup:
        """Member -> value sent, for the members of ``enum`` that have an option id."""
        table = _Lookup()
        for member in enum:
            option = m.option(member)
            if isinstance(option, str):
                table[member] = option == "true" if tick else option
        return table


_Fill = Callable[
    [CaseFile, dict[str, Any], dict[str, Any], str, list["MappingGap"], set[str]], None
]
_SLOW: Final = object()  # an option table's answer for a member without an option id


class _Lookup(dict[Any, Any]):
    """Option table: ``table[member]`` is the value sent, or :data:`_SLOW`."""

    def __missing__(self, key: object) -> object:
        return _SLOW


class _Cache(dict[Any, str]):
    """``cache[value]``: ``text(value)``, remembered (dates repeat across a register)."""

    def __init__(self, text: Callable[[Any], str]) -> None:
        super().__init__()
        self.text = text

    def __missing__(self, key: Any) -> str:
        if len(self) >= 50_000:
            self.clear()
        value = self[key] = self.text(key)
        return value


def _date_text(value: dt.date) -> str:
    return value.isoformat()


def _datetime_text(value: dt.date) -> str:
    return f"{value.isoformat()}T00:00:00.000Z"


_ISO_DATES: Final = _Cache(_date_text)
_ISO_DATETIMES: Final = _Cache(_datetime_text)

# The tuple of secondary concerns, sent after the primary concern (spec kind ``concerns``).
_SECONDARY_CONCERNS: Final = "protection_concerns_secondary"


def _holds_tuple(attr: str) -> bool:
    """Whether CaseFile ``attr`` holds a tuple of forms (else one form or ``None``)."""
    annotation = CaseFile.model_fields[attr].annotation
    if typing.get_origin(annotation) is tuple:
        return True
    args = typing.get_args(annotation)
    if len(args) == 2 and type(None) in args:
        return False
    raise TypeError(f"CaseFile.{attr}: neither a tuple of forms nor an optional form")


def _identifier(attr: str) -> str:
    """``attr``, checked to be a plain attribute name (it is written into generated code)."""
    if not attr.isidentifier() or keyword.iskeyword(attr):
        raise TypeError(f"spec attribute {attr!r} is not an attribute name")
    return attr


class _FillWriter:
    """Writes and compiles ``fill(case, c, body, record_id, gaps, clearable)`` for a mapping
    (``c`` is ``case.__dict__``).

    Only our own attribute names (from the spec tables, checked by :func:`_identifier`) are
    written into the text; every value from the mapping data (field names, option tables,
    specs) is a variable of the function's namespace (``n3``, ``t4``...), so a deployment's
    TOML cannot change the code. Field values are read from the models' ``__dict__`` (where
    pydantic keeps them: an attribute read costs twice as much). Single forms write into
    ``body`` with pointer ``""``; subform rows get their ``unique_id`` first and the pointer
    ``/<subform>/<index>``.
    """

    def __init__(self, m: PrimeroMapping) -> None:
        self.m = m
        self.env: dict[str, Any] = {
            "_SLOW": _SLOW,
            "_form_keys": _form_keys,
            "_option_list": _option_list,
            "_uuid5": _uuid5,
            "_write_slow": _write_slow,
            "m": m,
            "ns": m._namespace,
        }
        self.lines = ["def fill(case, c, body, record_id, gaps, clearable):"]

    def bind(self, prefix: str, value: object) -> str:
        """A new namespace variable holding ``value``."""
        name = f"{prefix}{len(self.env)}"
        self.env[name] = value
        return name

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def sent(self, specs: Sequence[_Spec]) -> list[tuple[_Spec, str]]:
        fields = self.m.config.fields
        return [(spec, name) for spec in specs if (name := fields.get(spec.path))]

    def build(self) -> tuple[str, _Fill]:
        for code, specs in _SINGLE_FORMS:
            self.form(code, self.sent(specs))
        for group in _ROW_GROUPS:
            name = self.m.config.fields.get(group.path)
            if name:
                self.group(group, name, self.sent(group.specs))
        self.line(1, "return None")
        source = "\n".join(self.lines) + "\n"
        compiled = compile(source, "<cpcase primero mapping: fill>", "exec")
        exec(compiled, self.env)  # noqa: S102 - our own text; the mapping data is only bound
        fill: _Fill = self.env["fill"]
        return source, fill

    def form(self, code: str, steps: list[tuple[_Spec, str]]) -> None:
        """The latest form ``code`` into the body (as ``case.latest(code)``)."""
        if not steps:
            return
        attr = CaseFile.FORM_ATTRIBUTES[code]
        self.line(1, f"src = c[{_identifier(attr)!r}]")
        if _holds_tuple(attr):
            self.line(1, "if src:")
            latest = f"case.latest({self.bind('k', code)})"
            self.line(2, f"src = src[0] if len(src) == 1 else {latest}")
        else:
            self.line(1, "if src is not None:")
        self.line(2, "d = src.__dict__")
        for spec, name in steps:
            self.step(2, spec, name, row="body", parent="case", pointer='""', top=True)

    def group(self, group: _RowGroup, name: str, steps: list[tuple[_Spec, str]]) -> None:
        """Every row of the forms held in ``group.attr`` (or of the latest one) as a subform."""
        attr = CaseFile.FORM_ATTRIBUTES[group.code]
        self.line(1, f"held = c[{_identifier(attr)!r}]")
        if _holds_tuple(attr):
            self.line(1, "if held:")
        else:
            self.line(1, "if held is not None:")
            self.line(2, "held = (held,)")
        self.line(2, "rows = []")
        if group.latest_only:
            self.line(2, "only = len(held) > 1")
            self.line(2, f"latest = case.latest({self.bind('k', group.code)}) if only else None")
        self.line(2, "for key, parent in zip(_form_keys(held), held, strict=True):")
        if group.latest_only:
            self.line(3, "if only and parent is not latest:")
            self.line(4, "continue")
        self.line(3, f"for src in parent.{_identifier(group.rows_attr)}:")
        self.line(4, "d = src.__dict__")
        parts = f"('row', record_id, {self.bind('p', group.path)}, key, d['row_id'])"
        self.line(4, f"row = {{'unique_id': _uuid5(ns, ':'.join({parts}))}}")
        pointer = f"{self.bind('p', f'/{name}/')} + str(len(rows))"
        for spec, field_name in steps:
            self.step(4, spec, field_name, row="row", parent="parent", pointer=pointer, top=False)
        self.line(4, "rows.append(row)")
        self.line(2, "if rows:")
        self.line(3, f"body[{self.bind('n', name)}] = rows")

    def step(
        self, depth: int, spec: _Spec, name: str, *, row: str, parent: str, pointer: str, top: bool
    ) -> None:
        """The lines that send one value of ``src`` as field ``name`` of ``row``."""
        n = self.bind("n", name)
        kind = spec.kind
        slow = (
            f"_write_slow(m, {self.bind('s', spec)}, v, {n}, {row}, {pointer}, gaps, "
            f"{'clearable' if top else 'None'})"
        )
        if spec.within is not None:
            test = f"{self.bind('w', spec.within)} in d[{_identifier(spec.attr)!r}]"
            if kind == "bool":
                self.line(depth, f"{row}[{n}] = {test}")
            elif kind == "yesno":
                self.line(depth, f"{row}[{n}] = 'true' if {test} else 'false'")
            else:  # pragma: no cover - the spec tables use only the kinds above
                raise TypeError(f"spec {spec.path}: kind {kind!r} with a member test")
            return
        if kind == "concerns":
            # Every concern, the primary one first (as RegistrationForm.protection_concerns).
            secondary = _identifier(_SECONDARY_CONCERNS)
            self.line(depth, f"v = (d[{_identifier(spec.attr)!r}], *d[{secondary!r}])")
            self.list_lines(depth, spec, row, n, slow)
            return
        if spec.get is not None:
            self.line(depth, f"v = {self.bind('g', spec.get)}(src, {parent})")
        else:
            self.line(depth, f"v = d[{_identifier(spec.attr)!r}]")
        self.line(depth, "if v:" if kind == "options" else "if v is not None:")
        depth += 1
        if kind in ("text", "int", "bool"):
            self.line(depth, f"{row}[{n}] = v")
        elif kind in ("date", "datetime"):
            cache = self.bind("iso", _ISO_DATES if kind == "date" else _ISO_DATETIMES)
            self.line(depth, f"{row}[{n}] = {cache}[v]")
        elif kind == "yesno":
            self.line(depth, f"{row}[{n}] = 'true' if v else 'false'")
        elif kind == "bool_option":
            flags = self.m.config.booleans.get(spec.path, {})
            options = self.bind("b", (flags.get("false"), flags.get("true")))
            self.line(depth, f"if (o := {options}[1 if v else 0]) is not None:")
            self.line(depth + 1, f"{row}[{n}] = o")
            self.line(depth, "else:")
            self.line(depth + 1, slow)
        elif spec.enum is not None and kind in ("option", "option_tick"):
            table = self.bind("t", _Compiled._options(self.m, spec.enum, tick=kind != "option"))
            self.line(depth, f"if (o := {table}[v]) is not _SLOW:")
            self.line(depth + 1, f"{row}[{n}] = o")
            self.line(depth, "else:")
            self.line(depth + 1, slow)
        elif kind == "options":
            self.list_lines(depth, spec, row, n, slow)
        else:  # pragma: no cover - the spec tables use only the kinds above
            raise TypeError(f"spec {spec.path}: kind {kind!r} without a conversion")

    def list_lines(self, depth: int, spec: _Spec, row: str, n: str, slow: str) -> None:
        """The option ids of the members in the tuple ``v`` (not empty) as a list."""
        if spec.enum is None:  # pragma: no cover - the spec tables give every list its enum
            raise TypeError(f"spec {spec.path}: a list of options without a vocabulary")
        table = self.bind("t", _Compiled._options(self.m, spec.enum))
        self.line(depth, f"if len(v) == 1 and (o := {table}[v[0]]) is not _SLOW:")
        self.line(depth + 1, f"{row}[{n}] = [o]")
        self.line(depth, f"elif (o := _option_list({table}, v)) is not _SLOW:")
        self.line(depth + 1, f"{row}[{n}] = o")
        self.line(depth, "else:")
        self.line(depth + 1, slow)


def _option_list(table: _Lookup, members: Iterable[Any]) -> object:
    """The option ids of ``members`` (first occurrence order), or :data:`_SLOW` when one has no
    option id or there are none."""
    ids: list[str] = []
    for member in members:
        option = table[member]
        if option is _SLOW:
            return _SLOW
        if option not in ids:
            ids.append(option)
    return ids or _SLOW


def _write_slow(
    m: PrimeroMapping,
    spec: _Spec,
    raw: Any,
    name: str,
    row: dict[str, Any],
    pointer: str,
    gaps: list[MappingGap],
    clearable: set[str] | None,
) -> None:
    """The full rules for a value the fast path did not send: fallbacks, explicit empties and
    gaps (``clearable`` is ``None`` in subform rows)."""
    kind = spec.kind
    if kind in ("options", "concerns"):
        # ``raw`` holds every member (the primary concern first). An explicit empty is left
        # out of a list of options, but is a gap among the concerns.
        ids: list[str] = []
        for member in raw:
            option = m.option(member)
            if isinstance(option, str):
                if option not in ids:
                    ids.append(option)
            elif kind == "concerns" or option is _GAP:
                gaps.append(MappingGap(spec.path, member.value, f"{pointer}/{name}"))
        if ids:
            row[name] = ids
    elif kind == "bool_option":
        option = m.config.booleans.get(spec.path, {}).get("true" if raw else "false")
        if option is None:
            gaps.append(MappingGap(spec.path, str(raw).lower(), f"{pointer}/{name}"))
        else:
            row[name] = option
    else:  # option, option_tick
        option = m.option(raw)
        fallback = m.config.fallbacks.get(spec.path)
        if option is _GAP and fallback is not None:
            row[name] = fallback.option
            row[fallback.other_field] = raw.value
        elif option is _GAP:
            gaps.append(MappingGap(spec.path, raw.value, f"{pointer}/{name}"))
        elif option is None:
            row[name] = None
            if clearable is not None:
                clearable.add(name)
        else:  # a member of another vocabulary than the spec's (not produced by the forms)
            row[name] = option == "true" if kind == "option_tick" else option


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
    if kept is not None and isinstance(kept, Mapping) and isinstance(kept.get("id"), str):
        return str(kept["id"])
    return m.uuid("case", case.organisation_id, case.case_code)


def _row_uid(m: PrimeroMapping, case: CaseFile, group: str, form_key: str, row_id: str) -> str:
    # From the record id (itself from organisation + case code), so rows stay stable when a
    # pulled file keeps Primero's own id.
    return m.uuid("row", _record_id(case, m), group, form_key, row_id)


def _group_forms(case: CaseFile, group: _RowGroup) -> list[tuple[str, Any]]:
    forms = list(case.forms(group.code))
    keys = _form_keys(forms)
    pairs = list(zip(keys, forms, strict=True))
    if group.latest_only:
        latest = case.latest(group.code)
        pairs = [(k, f) for k, f in pairs if f is latest]
    return pairs


# The string encoder of json.dumps(..., ensure_ascii=False).
_encode_str: Final[Callable[[str], str]] = json.encoder.encode_basestring


def _note_text(seq: int, decision: RiskDecision) -> str:
    """``json.dumps(payload, ensure_ascii=False, sort_keys=True)`` of a risk decision without
    its ``None`` values, written directly (same bytes, several times faster)."""
    parts = []
    if decision.decided_by is not None:
        parts.append('"decided_by": ' + _encode_str(decision.decided_by))
    if decision.justification is not None:
        parts.append('"justification": ' + _encode_str(decision.justification))
    # Members are str: encoded as their codes.
    parts.append('"level": ' + _encode_str(decision.level))
    parts.append(f'"seq": {seq}')
    if decision.source_form is not None:
        parts.append('"source_form": ' + _encode_str(decision.source_form))
    if decision.suggested_level:
        parts.append('"suggested_level": ' + _encode_str(decision.suggested_level))
    return "{" + ", ".join(parts) + "}"


# Everything _note_text reads from a decision (its __dict__) but the date.
_NOTE_FIELDS: Final = operator.itemgetter(
    "level", "decided_by", "justification", "source_form", "suggested_level"
)


class _NoteTexts(dict[tuple[int, tuple[Any, ...]], str]):
    """:func:`_note_text` by ``(seq, _NOTE_FIELDS(decision.__dict__))``: a register repeats a
    few decisions (the same level, caseworker and source form). At most 4,096 are kept."""

    def remember(self, key: tuple[int, tuple[Any, ...]], text: str) -> str:
        if len(self) >= 4096:
            self.clear()
        self[key] = text
        return text


def _map(case: CaseFile, m: PrimeroMapping) -> tuple[dict[str, Any], set[str], list[MappingGap]]:
    """Body, clearable top-level fields and gaps of ``case`` (see :func:`map_case`)."""
    plan = m.compiled
    c = case.__dict__  # the field values (reading them as attributes costs twice as much)
    if c["extra_fields"].get("primero") is None:
        record_id = _uuid5(
            plan.namespace, ":".join(("case", c["organisation_id"], c["case_code"]))
        )
    else:
        record_id = _record_id(case, m)
    body: dict[str, Any] = {"id": record_id, "module_id": plan.module_id}
    gaps: list[MappingGap] = []
    clearable: set[str] = set()
    body[plan.id_field] = c["case_code"]
    if (name := plan.status_name) is not None:
        option = plan.status_table.get(c["status"])
        if option is not None:
            body[name] = option
        else:
            gaps.append(MappingGap("case.status", c["status"].value, f"/{name}"))
    history = c["risk_history"]
    if history:
        if (name := plan.risk_name) is not None:
            level = history[-1].level
            option = plan.risk_table.get(level)
            if option is not None:
                body[name] = option
            elif m.option(level) is None:
                body[name] = None
                clearable.add(name)
            else:
                gaps.append(MappingGap("case.risk_level", level.value, name))
        if (name := plan.notes_name) is not None:
            subject = plan.note_subject
            texts = plan.note_texts
            notes = []
            for i, decision in enumerate(history):
                values = decision.__dict__
                text = texts.get(key := (i, _NOTE_FIELDS(values)))
                if text is None:
                    text = texts.remember(key, _note_text(i, decision))
                notes.append(
                    {
                        "unique_id": _uuid5(plan.namespace, f"risk:{record_id}:{i}"),
                        "note_date": _ISO_DATES[values["decided_on"]],
                        "note_subject": subject,
                        "note_text": text,
                    }
                )
            body[name] = notes
    plan.fill(case, c, body, record_id, gaps, clearable)
    return body, clearable, gaps


def map_case(case: CaseFile, mapping: PrimeroMapping | None = None) -> MappedCase:
    """Map ``case`` to a Primero create body, with its gaps (see the module docstring)."""
    body, clearable, gaps = _map(case, mapping or default_mapping())
    return MappedCase(
        key=case.case_code, body=body, clearable=frozenset(clearable), gaps=tuple(gaps)
    )


def case_to_primero(case: CaseFile, mapping: PrimeroMapping | None = None) -> dict[str, Any]:
    """``{"data": {...}}``: the create body for ``case`` (gaps are left out: use
    :func:`map_case` to see them)."""
    return {"data": _map(case, mapping or default_mapping())[0]}


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
