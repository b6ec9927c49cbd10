"""Policy profiles: every deadline, ratio and threshold as cited data, loaded from TOML.

The seeds call their numbers examples ("un exemple d'échéancier", Mali SOP §4.3 L741; "consultez
vos propres protocoles", course L852), so no number lives in code. A profile is a TOML file shipped
in ``cpcase/rules/profiles/``; every value is an inline table with its citation::

    [deadlines.case_plan]
    anchor = { value = "full_assessment", cite = "Mali SOP 2020 §4.3 L746" }
    high = { value = "3d", cite = "Mali SOP 2020 §4.3 L746 « Dans les trois jours … »" }

A user (ministry, cluster, organisation) overrides any value with their own TOML file. Bare values
are accepted there; they are cited as coming from that file::

    [profile]
    extends = "mali-2020"

    [caseload]
    cases_per_caseworker_max = 20
    caseworkers_per_supervisor_max = { value = 5, cite = "Our HR policy 2025 §3" }

>>> policy = load_profile("mali-2020")
>>> str(policy.deadlines.case_plan.high.value), policy.deadlines.case_plan.high.cite[:13]
('3d', 'SOP §4.3 L746')
>>> policy.lookup("caseload.cases_per_caseworker_max").value
25
>>> load_profile("mali-2020").override({"caseload.cases_per_caseworker_max": "many"})
Traceback (most recent call last):
cpcase.errors.PolicyError: override: caseload.cases_per_caseworker_max: expected a positive integer, got str

Choices made where the seeds are ambiguous are values too (``[calendar]``, the ``anchor`` of each
deadline table, the ``none`` rows, ``risk.de_facto_high``, ``[risk_change]``), each with a note
saying it is a default, so they can be overridden like any other value.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar, cast

import attrs

from cpcase.errors import PolicyError, UnknownProfileError
from cpcase.labels import LabelledEnum
from cpcase.rules.calendars import Calendar, Duration
from cpcase.rules.factors import RiskFactor
from cpcase.vocab.core import RiskLevel
from cpcase.vocab.services import ClosureReason

__all__ = [
    "ARTICLE_50_LETTERS",
    "DEFAULT_PROFILE",
    "AnchorEvent",
    "CalendarPolicy",
    "Cell",
    "Cited",
    "ClosurePolicy",
    "DeadlinePolicy",
    "Directive",
    "EligibilityPolicy",
    "EmergencyPolicy",
    "LeadCaseworkerPolicy",
    "LevelTable",
    "MappingPolicy",
    "Policy",
    "ProfileInfo",
    "ReferralPolicy",
    "RiskChangePolicy",
    "RiskPolicy",
    "RiskRow",
    "SupervisionPolicy",
    "TaskPolicy",
    "list_profiles",
    "load_policy",
    "load_profile",
    "policy_from_toml",
]

T = TypeVar("T")
E = TypeVar("E", bound=LabelledEnum)

DEFAULT_PROFILE = "mali-2020"

#: The twelve situations of Art. 50 of Mali's Code de protection de l'enfant (SOP §4.2.2
#: L657–L703), by their letter in the article.
ARTICLE_50_LETTERS: tuple[str, ...] = tuple("abcdefghijkl")

_LEVELS: tuple[RiskLevel, ...] = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE)


class Directive(LabelledEnum):
    """A table cell that is not a delay: what the SOP says to do instead."""

    NOT_APPLICABLE = (
        "not_applicable",
        "Sans objet (aucune échéance)",
        "Not applicable (no deadline)",
        "cpcase",
    )
    RECOMMEND_CLOSURE = (
        "recommend_closure",
        "Aucune mesure requise ou clôture du cas recommandée",
        "No measure required, or case closure recommended",
        "Mali SOP 2020 §4.3 L745",
    )
    COMMUNITY_FOLLOW_UP = (
        "community_follow_up",
        "Suivi potentiel à l'aide de mécanismes communautaires",
        "Possible follow-up through community mechanisms",
        "Mali SOP 2020 §4.3 L746",
    )


#: A deadline-table cell: a delay/frequency, or a directive.
Cell = Duration | Directive


class AnchorEvent(LabelledEnum):
    """The event a deadline clock starts from."""

    IDENTIFICATION = ("identification", "Identification", "Identification", "SOP §4.3 L744")
    REGISTRATION = ("registration", "Enregistrement", "Registration", "SOP §4.3 L744")
    INITIAL_ASSESSMENT = (
        "initial_assessment",
        "Évaluation initiale",
        "Initial assessment",
        "SOP §4.3 L745",
    )
    FULL_ASSESSMENT = (
        "full_assessment",
        "Évaluation complète (fin)",
        "Full assessment (completed)",
        "SOP §4.3 L746",
    )
    CASE_PLAN = ("case_plan", "Plan de prise en charge", "Case plan", "SOP §5.3 L1058")
    PLAN_VALIDATION = (
        "plan_validation",
        "Validation du plan par le superviseur",
        "Plan validated by the supervisor",
        "SOP §3.3.1 L359",
    )
    PLAN_START = (
        "plan_start",
        "Début de la mise en œuvre du plan",
        "Start of plan implementation",
        "SOP §4.3 L747",
    )


_ALLOWED_ANCHORS: dict[str, tuple[AnchorEvent, ...]] = {
    "initial_assessment": (AnchorEvent.REGISTRATION, AnchorEvent.IDENTIFICATION),
    "initial_assessment_limit": (AnchorEvent.REGISTRATION, AnchorEvent.IDENTIFICATION),
    "full_assessment_start": (AnchorEvent.REGISTRATION, AnchorEvent.INITIAL_ASSESSMENT),
    "full_assessment": (AnchorEvent.REGISTRATION, AnchorEvent.INITIAL_ASSESSMENT),
    "case_plan": (AnchorEvent.FULL_ASSESSMENT,),
    "plan_validation": (AnchorEvent.CASE_PLAN,),
    "follow_up": (
        AnchorEvent.PLAN_START,
        AnchorEvent.PLAN_VALIDATION,
        AnchorEvent.CASE_PLAN,
        AnchorEvent.INITIAL_ASSESSMENT,
    ),
    "review": (AnchorEvent.PLAN_START, AnchorEvent.PLAN_VALIDATION, AnchorEvent.CASE_PLAN),
}


@attrs.frozen
class Cited(Generic[T]):
    """A policy value with its citation: ``key`` is its dotted path in the profile."""

    key: str
    value: T
    cite: str
    note: str = ""
    source: str = ""

    def display(self) -> str:
        """The value as written in a profile file."""
        return _display(self.value)


def _display(value: object) -> str:
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_display(v) for v in value) + "]"
    return str(value)


# --- value parsers -------------------------------------------------------------------------


class _Expected(Exception):
    """Raised by a parser: ``what`` describes the expected type."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


_Parser = Callable[[object], Any]


def _p_int(minimum: int) -> _Parser:
    what = "a positive integer" if minimum >= 1 else f"an integer >= {minimum}"

    def parse(raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
            raise _Expected(what)
        return raw

    return parse


def _p_bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise _Expected("true or false")
    return raw


def _p_choice(*choices: str) -> _Parser:
    what = "one of " + ", ".join(repr(c) for c in choices)

    def parse(raw: object) -> str:
        if not isinstance(raw, str) or raw not in choices:
            raise _Expected(what)
        return raw

    return parse


def _p_country(raw: object) -> str:
    if not isinstance(raw, str) or (raw and (len(raw) != 2 or not raw.isupper())):
        raise _Expected('an ISO 3166 country code such as "ML" or "CF", or ""')
    return raw


def _p_cell(raw: object) -> Cell:
    if isinstance(raw, str):
        directive = _member(Directive, raw)
        if directive is not None:
            return directive
        try:
            return Duration.parse(raw)
        except ValueError:
            pass
    raise _Expected(
        'a duration such as "24h", "3d", "1w", "2mo", a frequency such as "2/1w", '
        "or one of " + ", ".join(repr(d.value) for d in Directive)
    )


def _member(enum: type[E], code: str) -> E | None:
    """The member of ``enum`` whose code is ``code``, or None."""
    return cast("E | None", enum._value2member_map_.get(code))


def _p_duration(raw: object) -> Duration:
    if isinstance(raw, str):
        try:
            return Duration.parse(raw)
        except ValueError:
            pass
    raise _Expected('a duration such as "24h", "3d", "1w" or "2mo"')


def _p_enum(enum: type[LabelledEnum]) -> _Parser:
    what = "one of " + ", ".join(repr(m.value) for m in enum)

    def parse(raw: object) -> LabelledEnum:
        member = _member(enum, raw) if isinstance(raw, str) else None
        if member is None:
            raise _Expected(what)
        return member

    return parse


def _p_list(item: _Parser, what: str) -> _Parser:
    def parse(raw: object) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise _Expected(f"a list of {what}")
        try:
            return tuple(item(v) for v in raw)
        except _Expected:
            raise _Expected(f"a list of {what}") from None

    return parse


_p_letters = _p_list(_p_choice(*ARTICLE_50_LETTERS), "Art. 50 letters 'a'…'l'")
_p_factors = _p_list(_p_enum(RiskFactor), "risk-factor codes")
_p_weekdays = _p_list(
    _p_choice("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "weekday names ('sat', 'sun'…)"
)
_p_str_list = _p_list(lambda v: v if isinstance(v, str) and v else _fail("text"), "text")
_p_level = _p_enum(RiskLevel)


def _fail(what: str) -> Any:
    raise _Expected(what)


def _leaf(parse: _Parser, doc: str) -> dict[str, Any]:
    """Field metadata of a cited leaf value: its parser and a one-line description."""
    return {"parse": parse, "doc": doc}


def _section(cls: type) -> dict[str, Any]:
    """Field metadata of a nested section."""
    return {"section": cls}


def _mapping(cls: type, keys: tuple[str, ...], doc: str) -> dict[str, Any]:
    """Field metadata of a table of sections keyed by ``keys``."""
    return {"mapping": cls, "keys": keys, "doc": doc}


# --- the policy model ----------------------------------------------------------------------


@attrs.frozen
class ProfileInfo:
    """Identity of a resolved profile (not rule values, so not cited one by one)."""

    id: str
    title_fr: str
    title_en: str
    sources: tuple[str, ...]
    extends: str | None = None
    files: tuple[str, ...] = ()


@attrs.frozen
class CalendarPolicy:
    """How durations are counted (Mali requirements §1.1 note (b): [AMBIGUOUS])."""

    days: Cited[Literal["calendar", "working"]] = attrs.field(
        metadata=_leaf(
            _p_choice("calendar", "working"), "count days as calendar days or working days"
        )
    )
    holidays_country: Cited[str] = attrs.field(
        metadata=_leaf(
            _p_country, "country whose public holidays are not working days ('' for none)"
        )
    )
    weekend: Cited[tuple[str, ...]] = attrs.field(
        metadata=_leaf(_p_weekdays, "non-working weekdays")
    )
    week_days: Cited[int] = attrs.field(metadata=_leaf(_p_int(1), "days in one week ('1w')"))
    month: Cited[Literal["calendar", "30d"]] = attrs.field(
        metadata=_leaf(
            _p_choice("calendar", "30d"), "a month ('1mo') is a calendar month or 30 days"
        )
    )


@attrs.frozen
class LevelTable:
    """One row of a deadline table: a cell per risk level, and the event the clock starts from."""

    anchor: Cited[AnchorEvent] = attrs.field(
        metadata=_leaf(_p_enum(AnchorEvent), "event the clock starts from")
    )
    high: Cited[Cell] = attrs.field(metadata=_leaf(_p_cell, "high risk"))
    medium: Cited[Cell] = attrs.field(metadata=_leaf(_p_cell, "medium risk"))
    low: Cited[Cell] = attrs.field(metadata=_leaf(_p_cell, "low risk"))
    none: Cited[Cell] = attrs.field(metadata=_leaf(_p_cell, "no risk"))

    def cell(self, level: RiskLevel) -> Cited[Cell]:
        """The cell for ``level``."""
        return cast("Cited[Cell]", getattr(self, level.value))


@attrs.frozen
class DeadlinePolicy:
    """The step deadlines by risk level (Mali SOP §4.3 table, L741–L748)."""

    initial_assessment: LevelTable = attrs.field(metadata=_section(LevelTable))
    initial_assessment_limit: LevelTable = attrs.field(metadata=_section(LevelTable))
    full_assessment_start: LevelTable = attrs.field(metadata=_section(LevelTable))
    full_assessment: LevelTable = attrs.field(metadata=_section(LevelTable))
    case_plan: LevelTable = attrs.field(metadata=_section(LevelTable))
    plan_validation: LevelTable = attrs.field(metadata=_section(LevelTable))
    follow_up: LevelTable = attrs.field(metadata=_section(LevelTable))
    review: LevelTable = attrs.field(metadata=_section(LevelTable))

    def table(self, name: str) -> LevelTable:
        """The table called ``name`` (e.g. ``"case_plan"``)."""
        return cast("LevelTable", getattr(self, name))


DEADLINE_TABLES: tuple[str, ...] = tuple(f.name for f in attrs.fields(DeadlinePolicy))


@attrs.frozen
class EmergencyPolicy:
    """Emergency-care clocks (Mali SOP §5.1.1–§5.1.2)."""

    sets_risk_high: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "emergency care sets the risk level to high")
    )
    imminent_danger_initial_assessment: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "initial assessment when the child's life is threatened")
    )
    requisition: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "police requisition delivered within")
    )
    emergency_shelter_max: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "longest emergency shelter stay")
    )
    post_discharge_visit: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "home visit after health discharge")
    )
    hcr_transit_max: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "HCR transit-centre stay, default")
    )
    hcr_transit_asylum_seeker_max: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "HCR stay, asylum seeker")
    )
    safe_house_contact: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "contact a child placed in a safe house")
    )


@attrs.frozen
class ReferralPolicy:
    """Referral follow-up (Mali SOP §3.4.2.3; requirements §9.7)."""

    counter_referral_after: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "flag a referral without counter-referral after")
    )
    transfers_warning_at: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "warn when a child's file has been transferred this often")
    )


@attrs.frozen
class ClosurePolicy:
    """Closure rules (Mali SOP §5.6 L1100–L1121; course L1087–L1111)."""

    reasons: Cited[tuple[ClosureReason, ...]] = attrs.field(
        metadata=_leaf(_p_list(_p_enum(ClosureReason), "closure-reason codes"), "reasons allowed")
    )
    inactivity: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "no activity for this long: propose closure")
    )
    lost_to_follow_up_min: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "lost to follow-up: earliest closure after the last contact")
    )
    min_reviews: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "case reviews held before closure")
    )
    min_transition_follow_ups: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "follow-up visits after the last review, before closure")
    )
    supervisor_validation: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "supervisor validates closure in a closure meeting")
    )
    closure_interview: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "closure interview and feedback forms")
    )
    main_forms: Cited[tuple[str, ...]] = attrs.field(
        metadata=_leaf(_p_str_list, "main forms that a file must hold before closure")
    )
    close_at_age_limit: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "the case closes at the age limit")
    )
    death_report_required: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "a death must be reported to the government CP department")
    )
    declined_requires_safety: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "closure on refusal needs no danger and recorded progress")
    )
    post_closure_visit: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "check visit after closure")
    )


@attrs.frozen
class CaseloadPolicy:
    """Caseload and supervision ratios."""

    cases_per_caseworker_target: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "open cases per caseworker, target")
    )
    cases_per_caseworker_max: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "open cases per caseworker, maximum")
    )
    caseworkers_per_supervisor_target: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "caseworkers per supervisor, target")
    )
    caseworkers_per_supervisor_max: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "caseworkers per supervisor, maximum")
    )
    over_limit: Cited[Literal["warn", "block"]] = attrs.field(
        metadata=_leaf(_p_choice("warn", "block"), "assignment beyond the maximum: warn or block")
    )
    workload_review_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "supervisor reviews each workload every")
    )


@attrs.frozen
class SupervisionPolicy:
    """Supervision cadences."""

    team_meeting_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "case-management team meeting every")
    )
    individual_supervision_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "individual supervision every")
    )
    supervisor_case_review_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "supervisor case review every")
    )
    emergency_cm_meeting_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "case-management meeting in emergencies every")
    )


@attrs.frozen
class MappingPolicy:
    """Service-map refresh (Mali SOP §3.4.1 L466)."""

    refresh_every: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "refresh the service map every")
    )
    refresh_every_emergency_zone: Cited[Cell] = attrs.field(
        metadata=_leaf(_p_cell, "… in emergency-affected zones")
    )


@attrs.frozen
class EligibilityPolicy:
    """Eligibility thresholds (Mali SOP §4.2, §5.1.2)."""

    age_limit: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "a child is younger than this (years)")
    )
    presume_minor: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "presume minority when the age is uncertain")
    )
    uasc_self_reliance_min_age: Cited[int] = attrs.field(
        metadata=_leaf(
            _p_int(0), "unaccompanied child older than this may manage alone with a mentor"
        )
    )
    always_eligible: Cited[tuple[str, ...]] = attrs.field(
        metadata=_leaf(_p_letters, "Art. 50 situations that are always eligible")
    )
    profile_alone_triggers: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "a vulnerability profile alone opens a case")
    )
    transfer_requires_trained_team: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "transfer only to an organisation with a trained CM team")
    )


@attrs.frozen
class RiskRow:
    """One row of the §4.3 risk matrix: example factors per level for one Art. 50 situation."""

    high: Cited[tuple[RiskFactor, ...]] = attrs.field(
        metadata=_leaf(_p_factors, "factors placing the child at high")
    )
    medium: Cited[tuple[RiskFactor, ...]] = attrs.field(metadata=_leaf(_p_factors, "… at medium"))
    low: Cited[tuple[RiskFactor, ...]] = attrs.field(metadata=_leaf(_p_factors, "… at low"))
    none: Cited[tuple[RiskFactor, ...]] = attrs.field(metadata=_leaf(_p_factors, "… at no risk"))

    def factors(self, level: RiskLevel) -> tuple[RiskFactor, ...]:
        """The factors listed for ``level``."""
        return cast("Cited[tuple[RiskFactor, ...]]", getattr(self, level.value)).value


@attrs.frozen
class RiskPolicy:
    """Risk suggestion parameters and the §4.3 matrix."""

    very_young_child_under: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(1), "'very young child' below this age")
    )
    default_level: Cited[RiskLevel] = attrs.field(
        metadata=_leaf(_p_level, "level for a situation with no factor")
    )
    emergency_level: Cited[RiskLevel] = attrs.field(
        metadata=_leaf(_p_level, "level of an emergency situation")
    )
    de_facto_high: Cited[tuple[str, ...]] = attrs.field(
        metadata=_leaf(_p_letters, "situations that are priorities whatever the factors")
    )
    aggravating_any: Cited[tuple[RiskFactor, ...]] = attrs.field(
        metadata=_leaf(_p_factors, "factors that raise any situation to high")
    )
    matrix: tuple[tuple[str, RiskRow], ...] = attrs.field(
        metadata=_mapping(RiskRow, ARTICLE_50_LETTERS, "factor examples per Art. 50 situation")
    )

    def row(self, letter: str) -> RiskRow | None:
        """The matrix row for situation ``letter``, if the profile has one."""
        for key, row in self.matrix:
            if key == letter:
                return row
        return None


@attrs.frozen
class RiskChangePolicy:
    """What a change of risk level does to pending deadlines (requirements §9.2 [INFERRED])."""

    on_escalation: Cited[Literal["original_anchor", "change_time"]] = attrs.field(
        metadata=_leaf(
            _p_choice("original_anchor", "change_time"),
            "higher level: new delay counted from the original event or from the change",
        )
    )
    on_deescalation: Cited[Literal["keep", "change_time", "original_anchor"]] = attrs.field(
        metadata=_leaf(
            _p_choice("keep", "change_time", "original_anchor"),
            "lower level: keep pending deadlines, or count the new delay from the change/event",
        )
    )


@attrs.frozen
class TaskPolicy:
    """Presentation of tasks."""

    due_soon: Cited[Duration] = attrs.field(
        metadata=_leaf(_p_duration, "a task is 'due' this long before its date")
    )
    plan_activities: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "each plan activity's own deadline is a task")
    )


@attrs.frozen
class LeadCaseworkerPolicy:
    """Weights for ranking lead caseworkers of child survivors (CSA module 7, L106–L112)."""

    preference: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "points: preferred by the child or caregiver")
    )
    competence: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "points: trained to support child survivors")
    )
    supervision: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "points: quality supervision available")
    )
    joint_supervision_complex: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "points: joint CP/GBV supervision for a complex case")
    )
    gender: Cited[int] = attrs.field(metadata=_leaf(_p_int(0), "points: gender the child wishes"))
    safe_space: Cited[int] = attrs.field(
        metadata=_leaf(_p_int(0), "points: safe, confidential space")
    )
    refugee_best_interests_cp: Cited[int] = attrs.field(
        metadata=_leaf(
            _p_int(0), "points: CP caseworker for a refugee child in BIA/BID procedures"
        )
    )
    require_training: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "untrained candidates are not suitable")
    )
    require_safe_space: Cited[bool] = attrs.field(
        metadata=_leaf(_p_bool, "candidates without a safe space are not")
    )


_SECTIONS: dict[str, type] = {
    "calendar": CalendarPolicy,
    "deadlines": DeadlinePolicy,
    "emergency": EmergencyPolicy,
    "referrals": ReferralPolicy,
    "closure": ClosurePolicy,
    "caseload": CaseloadPolicy,
    "supervision": SupervisionPolicy,
    "mapping": MappingPolicy,
    "eligibility": EligibilityPolicy,
    "risk": RiskPolicy,
    "risk_change": RiskChangePolicy,
    "tasks": TaskPolicy,
    "lead_caseworker": LeadCaseworkerPolicy,
}

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@attrs.frozen(eq=False)
class Policy:
    """A resolved policy profile: frozen, typed, every value :class:`Cited`.

    Build one with :func:`load_profile`, :func:`load_policy` or :meth:`override`; never by hand.
    Two policies are equal when their values and citations are equal.
    """

    profile: ProfileInfo
    calendar: CalendarPolicy
    deadlines: DeadlinePolicy
    emergency: EmergencyPolicy
    referrals: ReferralPolicy
    closure: ClosurePolicy
    caseload: CaseloadPolicy
    supervision: SupervisionPolicy
    mapping: MappingPolicy
    eligibility: EligibilityPolicy
    risk: RiskPolicy
    risk_change: RiskChangePolicy
    tasks: TaskPolicy
    lead_caseworker: LeadCaseworkerPolicy
    _raw: dict[str, Any] = attrs.field(alias="raw", repr=False)
    _index: dict[str, Cited[Any]] = attrs.field(init=False, repr=False)
    _calendar: Calendar = attrs.field(init=False, repr=False)
    _memo: dict[str, Any] = attrs.field(init=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        index: dict[str, Cited[Any]] = {}
        for name in _SECTIONS:
            _collect(getattr(self, name), index)
        object.__setattr__(self, "_index", index)
        cal = self.calendar
        object.__setattr__(
            self,
            "_calendar",
            Calendar(
                working_days=cal.days.value == "working",
                weekend=frozenset(_WEEKDAYS.index(d) for d in cal.weekend.value),
                holidays_country=cal.holidays_country.value or None,
                week_days=cal.week_days.value,
                month_mode=cal.month.value,
            ),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.profile == other.profile and self._index == other._index

    def __hash__(self) -> int:
        return hash((self.profile.id, len(self._index)))

    @property
    def id(self) -> str:
        """The profile id, e.g. ``"mali-2020"``."""
        return self.profile.id

    def memo(self, key: str, build: Callable[[Policy], T]) -> T:
        """A value derived from this policy, built once (rule modules cache lookup tables)."""
        try:
            return cast("T", self._memo[key])
        except KeyError:
            value = self._memo[key] = build(self)
            return value

    @property
    def clock(self) -> Calendar:
        """The :class:`Calendar` built from ``[calendar]``."""
        return self._calendar

    def lookup(self, key: str) -> Cited[Any]:
        """The cited value at dotted ``key``; raises :class:`PolicyError` if there is none."""
        try:
            return self._index[key]
        except KeyError:
            raise PolicyError(f"{self.id}: no policy value {key!r}") from None

    def has(self, key: str) -> bool:
        """Whether dotted ``key`` names a value of this policy."""
        return key in self._index

    def items(self) -> Iterator[tuple[str, Cited[Any]]]:
        """Every ``(key, cited value)`` in file order."""
        return iter(self._index.items())

    def override(self, changes: Mapping[str, object], *, source: str = "override") -> Policy:
        """A new policy with dotted-key ``changes`` applied and re-validated.

        Values may be bare (cited as ``source``) or ``{"value": …, "cite": …}`` tables.
        """
        if not changes:
            return self
        nested: dict[str, Any] = {}
        for key, value in changes.items():
            parts = key.split(".")
            node = nested
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise PolicyError(f"{source}: {key}: conflicting keys")
            node[parts[-1]] = value
        over = _normalise_document(nested, source=source, strict=False)
        merged = _merge(self._raw, over)
        info = attrs.evolve(self.profile, files=(*self.profile.files, source))
        return _build_policy(merged, info)


def _collect(section: object, index: dict[str, Cited[Any]]) -> None:
    for f in attrs.fields(cast("type[attrs.AttrsInstance]", type(section))):
        value = getattr(section, f.name)
        if isinstance(value, Cited):
            index[value.key] = value
        elif "mapping" in f.metadata:
            for _key, row in value:
                _collect(row, index)
        elif attrs.has(type(value)):
            _collect(value, index)


# --- loading -------------------------------------------------------------------------------


@attrs.frozen
class _RawLeaf:
    """A leaf as read from a file, before type checking."""

    value: object
    cite: str
    note: str
    source: str


def _normalise_leaf(raw: object, key: str, *, source: str, strict: bool) -> _RawLeaf:
    if isinstance(raw, dict):
        unknown = set(raw) - {"value", "cite", "note"}
        if unknown or "value" not in raw:
            raise PolicyError(
                f"{source}: {key}: expected a value or a table with keys value, cite, note"
                + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")
            )
        cite, note = raw.get("cite", ""), raw.get("note", "")
        if not isinstance(cite, str) or not isinstance(note, str):
            raise PolicyError(f"{source}: {key}: cite and note must be text")
        value = raw["value"]
    else:
        if strict:
            raise PolicyError(f"{source}: {key}: a shipped profile must cite every value")
        value, cite, note = raw, "", ""
    if strict and not cite.strip():
        raise PolicyError(f"{source}: {key}: missing citation (cite = …)")
    return _RawLeaf(value, cite or f"override: {source}", note, source)


def _normalise(cls: type, raw: object, path: str, *, source: str, strict: bool) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {path}: expected a table")
    fields = {f.name: f for f in attrs.fields(cls) if f.init and not f.name.startswith("_")}
    out: dict[str, Any] = {}
    for name, value in raw.items():
        key = f"{path}.{name}"
        f = fields.get(name)
        if f is None:
            raise PolicyError(
                f"{source}: unknown key {key!r} (expected one of: {', '.join(fields)})"
            )
        md = f.metadata
        if "section" in md:
            out[name] = _normalise(md["section"], value, key, source=source, strict=strict)
        elif "mapping" in md:
            if not isinstance(value, dict):
                raise PolicyError(f"{source}: {key}: expected a table")
            rows: dict[str, Any] = {}
            for row_key, row in value.items():
                if row_key not in md["keys"]:
                    raise PolicyError(
                        f"{source}: unknown key '{key}.{row_key}' "
                        f"(expected one of: {', '.join(md['keys'])})"
                    )
                rows[row_key] = _normalise(
                    md["mapping"], row, f"{key}.{row_key}", source=source, strict=strict
                )
            out[name] = rows
        else:
            out[name] = _normalise_leaf(value, key, source=source, strict=strict)
    return out


_PROFILE_KEYS = {"id", "title_fr", "title_en", "extends", "sources"}


def _normalise_document(doc: Mapping[str, Any], *, source: str, strict: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in doc.items():
        if name == "profile":
            if not isinstance(value, dict):
                raise PolicyError(f"{source}: profile: expected a table")
            for k, v in value.items():
                if k not in _PROFILE_KEYS:
                    raise PolicyError(
                        f"{source}: unknown key 'profile.{k}' "
                        f"(expected one of: {', '.join(sorted(_PROFILE_KEYS))})"
                    )
                ok = (
                    isinstance(v, list) and all(isinstance(s, str) for s in v)
                    if k == "sources"
                    else isinstance(v, str)
                )
                if not ok:
                    expected = "a list of text" if k == "sources" else "text"
                    raise PolicyError(
                        f"{source}: profile.{k}: expected {expected}, got {type(v).__name__}"
                    )
            out["profile"] = dict(value)
        elif name in _SECTIONS:
            out[name] = _normalise(_SECTIONS[name], value, name, source=source, strict=strict)
        else:
            raise PolicyError(
                f"{source}: unknown key {name!r} "
                f"(expected one of: profile, {', '.join(_SECTIONS)})"
            )
    return out


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if key == "profile":
            merged["profile"] = {**base.get("profile", {}), **value}
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(cls: type, raw: Mapping[str, Any], path: str, files: str) -> Any:
    kwargs: dict[str, Any] = {}
    for f in attrs.fields(cls):
        if not f.init or f.name.startswith("_"):
            continue
        key = f"{path}.{f.name}"
        md = f.metadata
        if f.name not in raw:
            if "mapping" in md:
                kwargs[f.name] = ()
                continue
            raise PolicyError(f"{files}: missing key {key!r} ({md.get('doc', 'a table')})")
        value = raw[f.name]
        if "section" in md:
            kwargs[f.name] = _build(md["section"], value, key, files)
        elif "mapping" in md:
            kwargs[f.name] = tuple(
                (k, _build(md["mapping"], value[k], f"{key}.{k}", files))
                for k in md["keys"]
                if k in value
            )
        else:
            leaf = cast("_RawLeaf", value)
            try:
                parsed = md["parse"](leaf.value)
            except _Expected as exc:
                raise PolicyError(
                    f"{leaf.source}: {key}: expected {exc.what}, got {type(leaf.value).__name__}"
                ) from None
            kwargs[f.name] = Cited(key, parsed, leaf.cite, leaf.note, leaf.source)
    return cls(**kwargs)


def _level_hours(cell: Cell, week_days: int) -> float | None:
    return cell.nominal_hours(week_days=week_days) if isinstance(cell, Duration) else None


def _check(policy: Policy) -> None:
    """Cross-field rules a profile must satisfy (raise :class:`PolicyError` naming the key)."""
    src = ", ".join(policy.profile.files) or policy.id
    week = policy.calendar.week_days.value
    for name in DEADLINE_TABLES:
        table = policy.deadlines.table(name)
        if table.anchor.value not in _ALLOWED_ANCHORS[name]:
            allowed = ", ".join(a.value for a in _ALLOWED_ANCHORS[name])
            raise PolicyError(f"{src}: deadlines.{name}.anchor: expected one of {allowed}")
        # A higher risk never gets a longer delay (the escalation property relies on it).
        previous: tuple[RiskLevel, float] | None = None
        for level in _LEVELS:
            hours = _level_hours(table.cell(level).value, week)
            if hours is None:
                continue
            if previous is not None and hours < previous[1]:
                higher = previous[0]
                raise PolicyError(
                    f"{src}: deadlines.{name}.{level.value}: a lower risk level cannot have a "
                    f"shorter delay: {level.value} ({table.cell(level).display()}) is shorter "
                    f"than {higher.value} ({table.cell(higher).display()})"
                )
            previous = (level, hours)
    for who in ("cases_per_caseworker", "caseworkers_per_supervisor"):
        target = policy.lookup(f"caseload.{who}_target").value
        maximum = policy.lookup(f"caseload.{who}_max").value
        if target > maximum:
            raise PolicyError(f"{src}: caseload.{who}_target: must not exceed {who}_max")
    country = policy.calendar.holidays_country.value
    if country and policy.calendar.days.value == "working":
        # Only working-day calendars need the holidays package (imported lazily: it is slow).
        import holidays

        try:
            holidays.country_holidays(country)
        except NotImplementedError:
            raise PolicyError(
                f"{src}: calendar.holidays_country: {country!r} is not supported by holidays"
            ) from None
    if len(policy.calendar.weekend.value) >= 7:
        raise PolicyError(f"{src}: calendar.weekend: at least one working day is needed")


def _build_policy(raw: dict[str, Any], info: ProfileInfo) -> Policy:
    files = ", ".join(info.files) or info.id
    sections = {
        name: _build(cls, raw.get(name, {}), name, files) for name, cls in _SECTIONS.items()
    }
    policy = Policy(profile=info, raw=raw, **sections)
    _check(policy)
    return policy


def _profile_dir() -> Any:
    return resources.files("cpcase.rules").joinpath("profiles")


def list_profiles() -> tuple[str, ...]:
    """Names of the profiles shipped with cpcase (e.g. ``"mali-2020"``), sorted."""
    return tuple(
        sorted(
            p.name[: -len(".toml")] for p in _profile_dir().iterdir() if p.name.endswith(".toml")
        )
    )


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None


@functools.lru_cache(maxsize=32)
def _raw_profile(name: str) -> tuple[dict[str, Any], ProfileInfo]:
    if name not in list_profiles():
        raise UnknownProfileError(
            f"unknown policy profile {name!r} (available: {', '.join(list_profiles())})"
        )
    source = f"{name}.toml"
    doc = _read_toml(_profile_dir().joinpath(source).read_text(encoding="utf-8"), source)
    return _resolve(doc, source=source, strict=True)


def _resolve(
    doc: Mapping[str, Any],
    *,
    source: str,
    strict: bool,
    base: str | None = None,
    default_base: str | None = None,
) -> tuple[dict[str, Any], ProfileInfo]:
    canon = _normalise_document(doc, source=source, strict=strict)
    meta = canon.get("profile", {})
    base_name = base or meta.get("extends") or default_base
    if base_name:
        base_raw, base_info = _raw_profile(base_name)
        merged = _merge(base_raw, canon)
        files: tuple[str, ...] = (*base_info.files, source)
        sources = (*base_info.sources, *meta.get("sources", ()))
        title_fr = meta.get("title_fr", base_info.title_fr)
        title_en = meta.get("title_en", base_info.title_en)
        default_id = f"{base_info.id}+{Path(source).stem}"
    else:
        merged, files, sources = canon, (source,), tuple(meta.get("sources", ()))
        title_fr, title_en = meta.get("title_fr", ""), meta.get("title_en", "")
        default_id = Path(source).stem
    info = ProfileInfo(
        id=meta.get("id", default_id),
        title_fr=title_fr,
        title_en=title_en,
        sources=sources,
        extends=base_name,
        files=files,
    )
    return merged, info


@functools.lru_cache(maxsize=32)
def load_profile(name: str = DEFAULT_PROFILE) -> Policy:
    """The shipped profile ``name``; raises :class:`UnknownProfileError` for an unknown name."""
    raw, info = _raw_profile(name)
    return _build_policy(raw, info)


def policy_from_toml(text: str, *, source: str = "<string>", base: str | None = None) -> Policy:
    """A policy from TOML ``text`` that overrides a shipped profile.

    The base is ``base`` if given, else the text's ``[profile] extends``, else the default
    profile (``mali-2020``). Errors name ``source``, the dotted key and the expected type.
    """
    doc = _read_toml(text, source)
    raw, info = _resolve(doc, source=source, strict=False, base=base, default_base=DEFAULT_PROFILE)
    return _build_policy(raw, info)


def load_policy(path: str | Path, *, base: str | None = None) -> Policy:
    """A policy from a user's override file at ``path`` (see :func:`policy_from_toml`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read policy file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: policy file is not UTF-8 text") from None
    return policy_from_toml(text, source=str(path), base=base)
