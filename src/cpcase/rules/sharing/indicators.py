"""The monthly data sheet (*fiche mensuelle*): counts, disaggregations, deadline compliance.

Organisations send monthly case-management sheets to the regional directorate (DRPFEF), which
validates them and sends them on to the central level (Mali SOP 2020 §3.2 L320); disaggregated
statistics are visible according to each actor's level of responsibility: an organisation's
manager sees only their organisation, the DNPEF sees everything (§6.3 L1193–L1195). The seed
does not list the sheet's variables (requirements §8.3 [SILENT]); the set here is the minimum the
requirements infer from the SOP rules:

* new registrations, cases opened, cases closed (and by closure reason), active caseload at the
  end of the month, referrals made, counter-referrals received, transfers out and in;
* each disaggregated by sex × age band, sex × risk level, sex × primary protection concern and
  sex × vulnerability category (a child may have several categories: that table counts mentions);
* deadline compliance percentages per step, from the deadline engine's outcomes.

Every table goes through small-cell suppression with complementary suppression
(:mod:`.suppression`); tables of one indicator share their totals by sex, so those are suppressed
consistently across the tables (otherwise a total hidden in one table could be read in another).

This module works on :class:`CaseFacts`, the few facts statistics need (no names, no free
text); :func:`facts_from_case` builds them from a case file as it stood at the month's end, and
:func:`monthly_sheet_from_cases` does both steps for a batch of case files.

>>> parse_month("2026-10")
(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
>>> str(Scope.parse("region:MOP")), Scope.parse("national").level.value
('region:MOP', 'national')
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import attrs

from cpcase.case import CaseFile
from cpcase.codes import DEFAULT_CASE_CODE_FORMAT
from cpcase.errors import CaseCodeError, NotPermitted
from cpcase.forms import FileTransfer
from cpcase.labels import LabelledEnum
from cpcase.rules.policy import Policy, load_profile
from cpcase.rules.schedule import TaskKind, schedule
from cpcase.rules.sharing.matrix import (
    AccessScope,
    Audience,
    Purpose,
    SharingPolicy,
    ViewKind,
    code_member,
    load_sharing_policy,
)
from cpcase.rules.sharing.suppression import CountTable, SuppressedTable, suppress
from cpcase.vocab import CaseStatus, EligibilityOutcome, Region, RiskLevel, Sex

__all__ = [
    "COMPLIANCE_KINDS",
    "Breakdown",
    "CaseFacts",
    "ComplianceRate",
    "DeadlineOutcome",
    "Indicator",
    "IndicatorTable",
    "MonthlySheet",
    "Requester",
    "Scope",
    "ScopeLevel",
    "ScopeNotPermitted",
    "check_scope",
    "facts_from_case",
    "monthly_sheet",
    "monthly_sheet_from_cases",
    "parse_month",
]

_SOP = "Mali SOP 2020"
UNKNOWN = "unknown"


class Indicator(LabelledEnum):
    """Counts on the monthly sheet (requirements §8.3 [INFERRED] from SOP L368, L1104)."""

    NEW_REGISTRATIONS = (
        "new_registrations",
        "Nouveaux enregistrements",
        "New registrations",
        f"{_SOP} §5.1 L899",
    )
    OPENED = ("opened", "Dossiers ouverts", "Cases opened", f"{_SOP} §3.3.2 L368")
    CLOSED = ("closed", "Dossiers clôturés", "Cases closed", f"{_SOP} §3.3.2 L368; L1104")
    ACTIVE_CASELOAD = (
        "active_caseload",
        "Dossiers actifs en fin de mois",
        "Active cases at month end",
        f"{_SOP} §3.3.1 L375–L378",
    )
    REFERRALS = (
        "referrals",
        "Référencements effectués",
        "Referrals made",
        f"{_SOP} §3.4.2.3 L592–L601",
    )
    COUNTER_REFERRALS = (
        "counter_referrals",
        "Contre-référencements reçus",
        "Counter-referrals received",
        f"{_SOP} §3.4.2 L558",
    )
    TRANSFERS_OUT = (
        "transfers_out",
        "Transferts sortants",
        "Transfers out",
        f"{_SOP} §3.4.2 L559; §5.6 L1109",
    )
    TRANSFERS_IN = ("transfers_in", "Transferts entrants", "Transfers in", f"{_SOP} §3.4.2 L559")


class Breakdown(LabelledEnum):
    """Row variable of a disaggregated table (columns are always sex)."""

    AGE_BAND = ("age_band", "Tranche d'âge", "Age band", "requirements §8.3")
    RISK_LEVEL = ("risk_level", "Niveau de risque", "Risk level", f"{_SOP} §4.3")
    PRIMARY_CONCERN = (
        "primary_concern",
        "Problème de protection principal",
        "Primary protection concern",
        f"{_SOP} L935",
    )
    VULNERABILITY = (
        "vulnerability",
        "Catégorie de vulnérabilité (mentions)",
        "Vulnerability category (mentions)",
        f"{_SOP} §1.2 L91–L100",
    )
    CLOSURE_REASON = (
        "closure_reason",
        "Motif de clôture",
        "Closure reason",
        f"{_SOP} §5.6 L1106–L1112",
    )


_EVENTS = frozenset(
    {
        Indicator.REFERRALS,
        Indicator.COUNTER_REFERRALS,
        Indicator.TRANSFERS_OUT,
        Indicator.TRANSFERS_IN,
    }
)
_SEX_COLUMNS = (Sex.FEMALE.value, Sex.MALE.value, Sex.OTHER.value, UNKNOWN)


@attrs.frozen
class DeadlineOutcome:
    """One deadline from the deadline engine: the step, its due date and when it was done."""

    step: str
    due: dt.date
    done_on: dt.date | None = None

    @property
    def met(self) -> bool:
        """Done on or before the due date."""
        return self.done_on is not None and self.done_on <= self.due


@attrs.frozen(kw_only=True)
class CaseFacts:
    """What statistics need from one case file: no names, no free text, no contacts."""

    case_code: str
    organisation_id: str | None = None
    region: str | None = None
    sex: Sex | None = None
    date_of_birth: dt.date | None = None
    age_years: int | None = None
    age_on: dt.date | None = None
    vulnerability_categories: tuple[str, ...] = ()
    primary_concern: str | None = None
    risk_level: RiskLevel | None = None
    registered_on: dt.date | None = None
    opened_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: str | None = None
    referrals_on: tuple[dt.date, ...] = ()
    counter_referrals_on: tuple[dt.date, ...] = ()
    transfers_out_on: tuple[dt.date, ...] = ()
    transfers_in_on: tuple[dt.date, ...] = ()
    deadlines: tuple[DeadlineOutcome, ...] = ()
    deadlines_known: bool = False

    def age_at(self, day: dt.date) -> int | None:
        """Age in whole years on ``day`` (from the birth date, else from a dated age)."""
        if self.date_of_birth is not None:
            dob = self.date_of_birth
            before = (day.month, day.day) < (dob.month, dob.day)
            return day.year - dob.year - int(before)
        if self.age_years is not None and self.age_on is not None:
            return self.age_years + max(0, (day - self.age_on).days) // 365
        return self.age_years

    def is_active_on(self, day: dt.date) -> bool:
        """Open on ``day``: opened on or before it and not closed by then."""
        return (
            self.opened_on is not None
            and self.opened_on <= day
            and (self.closed_on is None or self.closed_on > day)
        )


class ScopeLevel(LabelledEnum):
    """Level of aggregation requested."""

    ORG = ("org", "Organisation", "Organisation", f"{_SOP} §6.3 L1195")
    REGION = ("region", "Région", "Region", f"{_SOP} §3.2 L320")
    NATIONAL = ("national", "National", "National", f"{_SOP} §6.3 L1195")


_SCOPE = re.compile(r"^(org|region):([A-Za-z0-9_.-]{1,64})$|^national$")


@attrs.frozen
class Scope:
    """What a sheet covers: ``org:ORG``, ``region:REGION`` or ``national``."""

    level: ScopeLevel
    code: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Read ``org:ORG``, ``region:mopti`` (or ``region:MOP``) or ``national``."""
        match = _SCOPE.match(text.strip())
        if match is None:
            raise ValueError(f"scope {text!r} must be org:CODE, region:CODE or national")
        if match.group(1) is None:
            return cls(ScopeLevel.NATIONAL)
        return cls(code_member(ScopeLevel, match.group(1)), match.group(2))

    def __str__(self) -> str:
        return self.level.value if self.code is None else f"{self.level.value}:{self.code}"


@attrs.frozen
class Requester:
    """Who asks for statistics: an aggregate audience and the organisation/region they belong to."""

    audience: Audience
    organisation_id: str | None = None
    region: str | None = None


class ScopeNotPermitted(NotPermitted):
    """The requester may not see statistics at the requested scope (SOP §6.3 L1195)."""

    message = "statistics scope not permitted"

    def __init__(self, msg: str, *, code: str) -> None:
        super().__init__(msg)
        self.code = code


def _same_region(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and _region_key(a) == _region_key(b)


def _region_key(code: str) -> str:
    folded = code.strip().casefold()
    for member in Region:
        if folded in (member.value, member.abbrev.casefold()):
            return member.value
    return folded


def check_scope(requester: Requester, scope: Scope, policy: SharingPolicy) -> None:
    """Raise :class:`ScopeNotPermitted` unless ``requester`` may see statistics at ``scope``.

    The policy's ``statistics`` rule for the audience decides the widest scope: an organisation
    manager sees their own organisation only, a regional directorate its region (and the
    organisations' sheets in it), the national directorate everything (SOP §6.3 L1195).
    """
    rule = policy.rule(requester.audience, Purpose.STATISTICS)
    if rule is None or not rule.enabled or rule.view is not ViewKind.AGGREGATE:
        raise ScopeNotPermitted(
            f"audience {requester.audience.value} may not receive statistics", code="no_rule"
        )
    if rule.scope is AccessScope.NATIONAL:
        return
    if rule.scope is AccessScope.ORGANISATION:
        if scope.level is ScopeLevel.ORG and scope.code == requester.organisation_id:
            return
        raise ScopeNotPermitted(
            f"an organisation manager sees only their own organisation, not {scope}",
            code="outside_own_organisation",
        )
    if rule.scope is AccessScope.REGION:
        if scope.level is ScopeLevel.REGION and _same_region(scope.code, requester.region):
            return
        if scope.level is ScopeLevel.ORG and requester.region is not None:
            return  # restricted to the requester's region when cases are selected
        raise ScopeNotPermitted(
            f"a regional directorate sees only its own region, not {scope}",
            code="outside_own_region",
        )
    raise ScopeNotPermitted(
        f"rule scope {rule.scope.value} does not allow statistics", code="bad_rule_scope"
    )


def _in_scope(facts: CaseFacts, scope: Scope, requester: Requester) -> bool:
    if requester.audience is Audience.REGIONAL and not _same_region(
        facts.region, requester.region
    ):
        return False
    if scope.level is ScopeLevel.ORG:
        return facts.organisation_id == scope.code
    if scope.level is ScopeLevel.REGION:
        return _same_region(facts.region, scope.code)
    return True


def parse_month(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-10"`` → first and last day of that month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"month {month!r} must look like YYYY-MM")
    year, mon = int(match.group(1)), int(match.group(2))
    return dt.date(year, mon, 1), dt.date(year, mon, calendar.monthrange(year, mon)[1])


@attrs.frozen
class IndicatorTable:
    """One published table: an indicator broken down by a variable (rows) and sex (columns)."""

    indicator: Indicator
    breakdown: Breakdown
    unit: str
    table: SuppressedTable


@attrs.frozen
class ComplianceRate:
    """Share of deadlines falling due in the month that were met; ``None`` where suppressed."""

    step: str
    due: int | None
    met: int | None
    percent: float | None
    suppressed: bool


@attrs.frozen
class MonthlySheet:
    """The monthly data sheet for one scope: suppressed tables, compliance and notes."""

    scope: Scope
    month: str
    period: tuple[dt.date, dt.date]
    threshold: int
    tables: tuple[IndicatorTable, ...]
    compliance: tuple[ComplianceRate, ...]
    compliance_table: SuppressedTable | None
    notes: tuple[str, ...]

    def table(self, indicator: Indicator, breakdown: Breakdown) -> SuppressedTable:
        """The table for ``indicator`` by ``breakdown``."""
        for t in self.tables:
            if t.indicator is indicator and t.breakdown is breakdown:
                return t.table
        raise KeyError(f"{indicator.value} by {breakdown.value}")

    def rows(self, *, mark: str = "x") -> list[tuple[str, ...]]:
        """Flat rows for CSV/Excel: indicator, breakdown, category, one column per sex, total."""
        out: list[tuple[str, ...]] = [
            ("indicator", "unit", "breakdown", "category", *_SEX_COLUMNS, "total")
        ]
        for t in self.tables:
            body = t.table.published_rows(mark=mark)[1:]
            for row in body:
                out.append((t.indicator.value, t.unit, t.breakdown.value, *row))
        return out

    def compliance_rows(self, *, mark: str = "x") -> list[tuple[str, ...]]:
        """Flat rows for the deadline-compliance section: step, due, met, percent."""
        out: list[tuple[str, ...]] = [("step", "due", "met", "percent")]
        for c in self.compliance:
            out.append(
                (
                    c.step,
                    mark if c.due is None else str(c.due),
                    mark if c.met is None else str(c.met),
                    mark if c.percent is None else f"{c.percent:.1f}",
                )
            )
        return out


def _age_label(age: int | None, bands: Sequence[tuple[int, int]]) -> str:
    if age is None or age < 0:
        return UNKNOWN
    for low, high in bands:
        if low <= age <= high:
            return f"{low}-{high}"
    return f"{bands[-1][1] + 1}+"


def _sex(facts: CaseFacts) -> str:
    return facts.sex.value if facts.sex is not None else UNKNOWN


def _labels_for(breakdown: Breakdown, bands: Sequence[tuple[int, int]]) -> tuple[str, ...]:
    if breakdown is Breakdown.AGE_BAND:
        return (*(f"{lo}-{hi}" for lo, hi in bands), f"{bands[-1][1] + 1}+", UNKNOWN)
    if breakdown is Breakdown.RISK_LEVEL:
        return (*(r.value for r in RiskLevel), UNKNOWN)
    return ()


def _row_keys(
    facts: CaseFacts, breakdown: Breakdown, day: dt.date, bands: Sequence[tuple[int, int]]
) -> tuple[str, ...]:
    if breakdown is Breakdown.AGE_BAND:
        return (_age_label(facts.age_at(day), bands),)
    if breakdown is Breakdown.RISK_LEVEL:
        return (facts.risk_level.value if facts.risk_level else UNKNOWN,)
    if breakdown is Breakdown.PRIMARY_CONCERN:
        return (facts.primary_concern or UNKNOWN,)
    if breakdown is Breakdown.CLOSURE_REASON:
        return (facts.closure_reason or UNKNOWN,)
    return facts.vulnerability_categories or (UNKNOWN,)


# (facts, first, last) -> the dates (events) or the reference day (children) counted in the month
_Counter = Callable[[CaseFacts, dt.date, dt.date], tuple[dt.date, ...]]


def _within(days: Iterable[dt.date | None], first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    return tuple(d for d in days if d is not None and first <= d <= last)


_COUNTERS: dict[Indicator, _Counter] = {
    Indicator.NEW_REGISTRATIONS: lambda f, a, b: _within([f.registered_on], a, b),
    Indicator.OPENED: lambda f, a, b: _within([f.opened_on], a, b),
    Indicator.CLOSED: lambda f, a, b: _within([f.closed_on], a, b),
    Indicator.ACTIVE_CASELOAD: lambda f, a, b: (b,) if f.is_active_on(b) else (),
    Indicator.REFERRALS: lambda f, a, b: _within(f.referrals_on, a, b),
    Indicator.COUNTER_REFERRALS: lambda f, a, b: _within(f.counter_referrals_on, a, b),
    Indicator.TRANSFERS_OUT: lambda f, a, b: _within(f.transfers_out_on, a, b),
    Indicator.TRANSFERS_IN: lambda f, a, b: _within(f.transfers_in_on, a, b),
}


def _build(
    facts: Sequence[CaseFacts],
    indicator: Indicator,
    breakdown: Breakdown,
    first: dt.date,
    last: dt.date,
    bands: Sequence[tuple[int, int]],
) -> CountTable:
    counts: Counter[tuple[str, str]] = Counter()
    count = _COUNTERS[indicator]
    for f in facts:
        for day in count(f, first, last):
            for key in _row_keys(f, breakdown, day, bands):
                counts[(key, _sex(f))] += 1
    rows = list(_labels_for(breakdown, bands))
    rows += sorted({k for k, _ in counts} - set(rows))
    if not rows:
        rows = [UNKNOWN]
    cells = tuple(tuple(counts[(r, c)] for c in _SEX_COLUMNS) for r in rows)
    return CountTable(tuple(rows), _SEX_COLUMNS, cells)


def _suppress_linked(tables: Sequence[CountTable], threshold: int) -> list[SuppressedTable]:
    """Suppress tables sharing their last row (totals by sex) so that it is hidden consistently."""
    forced_cols: set[int] = set()
    while True:
        results = [
            suppress(t, threshold=threshold, force={(t.shape[0], j) for j in forced_cols})
            for t in tables
        ]
        hidden = {
            j
            for s, t in zip(results, tables, strict=True)
            for (i, j) in s.suppressed
            if i == t.shape[0]
        }
        if hidden <= forced_cols:
            return results
        forced_cols |= hidden


def _compliance(
    facts: Sequence[CaseFacts], first: dt.date, last: dt.date, threshold: int
) -> tuple[tuple[ComplianceRate, ...], SuppressedTable | None]:
    """Deadlines due in the month, per step, as a steps × (met, missed) suppressed table.

    A percentage is published only where both the step's total and its "met" count are: a
    rate over a published total would otherwise give a suppressed count back.
    """
    due: Counter[str] = Counter()
    met: Counter[str] = Counter()
    for f in facts:
        for d in f.deadlines:
            if first <= d.due <= last:
                due[d.step] += 1
                met[d.step] += int(d.met)
    steps = sorted(due)
    if not steps:
        return (), None
    table = CountTable(
        tuple(steps), ("met", "missed"), tuple((met[s], due[s] - met[s]) for s in steps)
    )
    published = suppress(table, threshold=threshold)
    rates = []
    for i, step in enumerate((*steps, "all")):
        n, m = published.values[i][2], published.values[i][0]
        if n is None or m is None or n == 0:
            rates.append(ComplianceRate(step, n, None, None, suppressed=True))
        else:
            rates.append(ComplianceRate(step, n, m, round(100.0 * m / n, 1), suppressed=False))
    return tuple(rates), published


# --- from case files ---------------------------------------------------------------------------

#: Deadline kinds whose on-time rate goes on the sheet (requirements §8.3 [INFERRED]).
COMPLIANCE_KINDS = (
    TaskKind.INITIAL_ASSESSMENT,
    TaskKind.FULL_ASSESSMENT,
    TaskKind.CASE_PLAN,
    TaskKind.PLAN_VALIDATION,
    TaskKind.FOLLOW_UP,
    TaskKind.REVIEW,
)


def _as_of(case: CaseFile, day: dt.date) -> CaseFile:
    """The file as it stood at the end of ``day``: later forms and decisions left out."""
    data: dict[str, object] = dict(case)
    for attr in CaseFile.FORM_ATTRIBUTES.values():
        value = getattr(case, attr)
        if isinstance(value, tuple):
            data[attr] = tuple(f for f in value if f.form_date <= day)
        elif value is not None and value.form_date > day:
            data[attr] = None
    data["risk_history"] = tuple(r for r in case.risk_history if r.decided_on <= day)
    if case.status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED) and not any(
        c.date_closure <= day for c in case.closures
    ):
        data["status"] = CaseStatus.OPEN
    return CaseFile.model_validate(data)


def _region_of(case: CaseFile) -> str | None:
    reg = case.registration
    if reg is not None and reg.region is not None:
        return reg.region.value
    try:
        abbrev = DEFAULT_CASE_CODE_FORMAT.parse(case.case_code).region
    except CaseCodeError:
        return None
    return _region_key(abbrev)


def _risk_on(case: CaseFile, day: dt.date) -> RiskLevel | None:
    """The caseworker's level in force on ``day`` (decisions, then the latest form that set one)."""
    decided = [r for r in case.risk_history if r.decided_on <= day]
    if decided:
        return decided[-1].level
    dated: list[tuple[dt.date, RiskLevel]] = []
    reg = case.registration
    if reg is not None and reg.risk_level is not None:
        dated.append((reg.registration_date, reg.risk_level))
    if case.initial_assessment is not None:
        ia = case.initial_assessment
        dated.append((ia.assessment_date, ia.risk_level))
    dated.extend((r.review_date, r.risk_level) for r in case.reviews)
    dated = [d for d in dated if d[0] <= day]
    return max(dated, key=lambda d: d[0])[1] if dated else None


def _opened_on(case: CaseFile, day: dt.date) -> dt.date | None:
    openings: list[dt.date] = []
    if case.cover_page is not None:
        openings.append(case.cover_page.date_opened)
    reg = case.registration
    if reg is not None and reg.eligibility_outcome is EligibilityOutcome.CASE_OPENED:
        openings.append(reg.registration_date)
    openings.extend(b.reopen_date for b in case.reopenings)
    openings = [d for d in openings if d <= day]
    return max(openings) if openings else None


def _closure_on(case: CaseFile, day: dt.date) -> tuple[dt.date, str] | None:
    """The closure in force at ``day`` (none if reopened since), with its reason."""
    closures = [c for c in case.closures if c.date_closure <= day]
    if not closures:
        return None
    last = max(closures, key=lambda c: c.date_closure)
    if any(last.date_closure < b.reopen_date <= day for b in case.reopenings):
        return None
    return last.date_closure, last.closure_reason.value


def facts_from_case(
    case: CaseFile, *, as_of: dt.date, rules_policy: Policy | None = None
) -> CaseFacts:
    """The statistics facts of ``case`` as it stood on ``as_of`` (usually a month's last day).

    Deadline outcomes come from the deadline engine (:func:`cpcase.rules.schedule.schedule`)
    run on the file as it stood on ``as_of``, the day after: a deadline due in the month and not
    met by then counts as missed.
    """
    snap = _as_of(case, as_of)
    reg = snap.registration
    policy = rules_policy or _default_rules_policy()
    tasks = schedule(snap, policy, as_of + dt.timedelta(days=1))
    deadlines = tuple(
        DeadlineOutcome(t.kind.value, t.due, t.done_on)
        for t in tasks
        if t.kind in COMPLIANCE_KINDS and not t.advisory and t.due <= as_of
    )
    own = {snap.organisation_id}
    transfers_in = tuple(t.transfer_date for t in snap.transfers if _receiver_ids(t) & own)
    transfers_out = tuple(t.transfer_date for t in snap.transfers if not _receiver_ids(t) & own)
    counter = tuple(
        r.counter_referral.service_date
        for r in snap.referrals
        if r.counter_referral is not None and r.counter_referral.service_date is not None
    )
    closure = _closure_on(snap, as_of)
    return CaseFacts(
        case_code=case.case_code,
        organisation_id=case.organisation_id,
        region=_region_of(case),
        sex=reg.sex if reg is not None else None,
        date_of_birth=reg.date_of_birth if reg is not None else None,
        age_years=reg.age if reg is not None else None,
        age_on=reg.registration_date if reg is not None else None,
        vulnerability_categories=tuple(v.value for v in reg.vulnerability_categories)
        if reg is not None
        else (),
        primary_concern=reg.protection_concern_primary.value if reg is not None else None,
        risk_level=_risk_on(snap, as_of),
        registered_on=reg.registration_date if reg is not None else None,
        opened_on=_opened_on(snap, as_of),
        closed_on=closure[0] if closure else None,
        closure_reason=closure[1] if closure else None,
        referrals_on=tuple(r.referral_date for r in snap.referrals),
        counter_referrals_on=counter,
        transfers_out_on=transfers_out,
        transfers_in_on=transfers_in,
        deadlines=deadlines,
        deadlines_known=True,
    )


def _receiver_ids(form: FileTransfer) -> set[str]:
    return {x for x in (form.receiving_provider_id, form.receiving_organisation) if x}


@functools.cache
def _default_rules_policy() -> Policy:
    return load_profile("mali-2020")


def monthly_sheet_from_cases(
    cases: Iterable[CaseFile],
    month: str,
    scope: Scope,
    *,
    requester: Requester,
    policy: SharingPolicy | None = None,
    rules_policy: Policy | None = None,
) -> MonthlySheet:
    """The monthly sheet straight from case files (scope checked before anything is read)."""
    pol = policy or _default_sharing_policy()
    check_scope(requester, scope, pol)
    _, last = parse_month(month)
    facts = (facts_from_case(c, as_of=last, rules_policy=rules_policy) for c in cases)
    return monthly_sheet(facts, month, scope, requester=requester, policy=pol)


@functools.cache
def _default_sharing_policy() -> SharingPolicy:
    return load_sharing_policy("mali-2020")


def monthly_sheet(
    facts: Iterable[CaseFacts],
    month: str,
    scope: Scope,
    *,
    requester: Requester,
    policy: SharingPolicy,
) -> MonthlySheet:
    """The monthly sheet for ``scope``, after checking that ``requester`` may see it.

    Cases outside the scope (another organisation, another region) are left out before anything
    is counted. Tables are suppressed with the policy's ``statistics.min_cell`` threshold.
    """
    check_scope(requester, scope, policy)
    first, last = parse_month(month)
    selected = [f for f in facts if _in_scope(f, scope, requester)]
    bands = policy.statistics.age_bands
    threshold = policy.statistics.min_cell
    tables: list[IndicatorTable] = []
    for indicator in Indicator:
        unit = "events" if indicator in _EVENTS else "children"
        linked = [Breakdown.AGE_BAND, Breakdown.RISK_LEVEL, Breakdown.PRIMARY_CONCERN]
        if indicator is Indicator.CLOSED:
            linked.append(Breakdown.CLOSURE_REASON)
        built = [_build(selected, indicator, b, first, last, bands) for b in linked]
        for b, s in zip(linked, _suppress_linked(built, threshold), strict=True):
            tables.append(IndicatorTable(indicator, b, unit, s))
        vuln = _build(selected, indicator, Breakdown.VULNERABILITY, first, last, bands)
        tables.append(
            IndicatorTable(
                indicator, Breakdown.VULNERABILITY, "mentions", suppress(vuln, threshold=threshold)
            )
        )
    notes: list[str] = []
    if selected and not all(f.deadlines_known for f in selected):
        notes.append("deadline_outcomes_incomplete")
    rates, compliance_table = _compliance(selected, first, last, threshold)
    return MonthlySheet(
        scope=scope,
        month=month,
        period=(first, last),
        threshold=threshold,
        tables=tuple(tables),
        compliance=rates,
        compliance_table=compliance_table,
        notes=tuple(notes),
    )
