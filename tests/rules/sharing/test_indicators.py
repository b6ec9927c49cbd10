"""The monthly data sheet: scope enforcement, counts worked by hand, suppression, compliance."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.rules.sharing import (
    Audience,
    Breakdown,
    CaseFacts,
    DeadlineOutcome,
    Indicator,
    Requester,
    Scope,
    ScopeLevel,
    ScopeNotPermitted,
    check_scope,
    default_policy,
    facts_from_case,
    monthly_sheet,
    monthly_sheet_from_cases,
    parse_month,
)
from cpcase.rules.sharing import indicators as indicators_module
from cpcase.vocab import RiskLevel, Sex

from . import _fixtures as fx

POLICY = default_policy()
MANAGER = Requester(Audience.ORG_MANAGER, organisation_id="TDH", region="mopti")
REGION = Requester(Audience.REGIONAL, region="mopti")
NATION = Requester(Audience.NATIONAL)
OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def _facts(n: int, *, tag: str, **kw: object) -> list[CaseFacts]:
    base: dict[str, object] = {
        "organisation_id": "TDH",
        "region": "mopti",
        "sex": Sex.FEMALE,
        "age_years": 12,
        "age_on": dt.date(2026, 10, 1),
        "primary_concern": "neglect",
        "risk_level": RiskLevel.MEDIUM,
        "registered_on": dt.date(2026, 10, 3),
        "opened_on": dt.date(2026, 10, 3),
    }
    base.update(kw)
    return [CaseFacts(case_code=f"C-{tag}-{i}", **base) for i in range(n)]  # type: ignore[arg-type]


def test_helpers_and_doctests() -> None:
    assert parse_month("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert parse_month("2024-02")[1] == dt.date(2024, 2, 29)
    for bad in ("2026-13", "26-10", "2026/10", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(bad)
    assert Scope.parse("org:TDH") == Scope(ScopeLevel.ORG, "TDH")
    assert Scope.parse("region:MOP") == Scope(ScopeLevel.REGION, "MOP")
    assert Scope.parse("national") == Scope(ScopeLevel.NATIONAL)
    assert str(Scope.parse("org:TDH")) == "org:TDH"
    with pytest.raises(ValueError, match="org:CODE"):
        Scope.parse("org:")
    assert doctest.testmod(indicators_module).failed == 0


# --- scope (SOP §6.3 L1195) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("requester", "scope"),
    [
        (MANAGER, "org:TDH"),
        (REGION, "region:mopti"),
        (REGION, "region:MOP"),  # case-code abbreviation of the same region
        (REGION, "org:TDH"),
        (NATION, "national"),
        (NATION, "region:gao"),
        (NATION, "org:ENDA"),
    ],
)
def test_allowed_scopes(requester: Requester, scope: str) -> None:
    check_scope(requester, Scope.parse(scope), POLICY)


@pytest.mark.parametrize(
    ("requester", "scope", "code"),
    [
        (MANAGER, "org:ENDA", "outside_own_organisation"),  # « pas d'une autre organisation »
        (MANAGER, "region:mopti", "outside_own_organisation"),
        (MANAGER, "national", "outside_own_organisation"),
        (REGION, "region:gao", "outside_own_region"),
        (REGION, "national", "outside_own_region"),
        (Requester(Audience.CASEWORKER, organisation_id="TDH"), "org:TDH", "no_rule"),
        (Requester(Audience.PROVIDER), "org:TDH", "no_rule"),
    ],
)
def test_refused_scopes(requester: Requester, scope: str, code: str) -> None:
    with pytest.raises(ScopeNotPermitted) as info:
        check_scope(requester, Scope.parse(scope), POLICY)
    assert info.value.code == code


def test_regional_directorate_sees_an_org_only_within_its_region() -> None:
    facts = _facts(6, tag="a") + _facts(7, tag="b", region="gao")
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=REGION, policy=POLICY
    )
    total = sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.AGE_BAND).values[-1][-1]
    assert total == 6  # the 7 TDH cases in Gao are outside the Mopti directorate's scope


# --- counts worked by hand ------------------------------------------------------------------


def test_counts_and_scope_filtering() -> None:
    facts = (
        _facts(9, tag="girls")  # 9 girls 10-14 registered and opened in October
        + _facts(6, tag="boys", sex=Sex.MALE, age_years=16, risk_level=RiskLevel.HIGH)
        + _facts(2, tag="old", registered_on=dt.date(2026, 8, 1), opened_on=dt.date(2026, 8, 1))
        + _facts(8, tag="enda", organisation_id="ENDA")  # another organisation: never counted
        + _facts(
            5,
            tag="closed",
            sex=Sex.MALE,
            registered_on=dt.date(2026, 5, 1),
            opened_on=dt.date(2026, 5, 1),
            closed_on=dt.date(2026, 10, 20),
            closure_reason="plan_goal_achieved",
        )
    )
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    reg = sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.AGE_BAND)
    assert reg.row_labels == ("0-4", "5-9", "10-14", "15-17", "18+", "unknown")
    assert reg.values[2] == (9, 0, 0, 0, 9)  # 10-14: female, male, other, unknown, total
    assert reg.values[3] == (0, 6, 0, 0, 6)  # 15-17
    assert reg.values[-1] == (9, 6, 0, 0, 15)
    active = sheet.table(Indicator.ACTIVE_CASELOAD, Breakdown.RISK_LEVEL)
    assert active.values[-1][-1] == 17  # 9 + 6 + 2 still open on 31 October; 5 closed
    closed = sheet.table(Indicator.CLOSED, Breakdown.CLOSURE_REASON)
    row = closed.row_labels.index("plan_goal_achieved")
    assert closed.values[row] == (0, 5, 0, 0, 5)
    # The two "old" cases are active but small (2 girls, medium): suppressed in the risk table.
    risk = sheet.table(Indicator.ACTIVE_CASELOAD, Breakdown.RISK_LEVEL)
    medium = risk.row_labels.index("medium")
    assert risk.values[medium][0] == 11  # 9 + 2 girls at medium risk
    vul = sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.VULNERABILITY)
    assert vul.row_labels == ("unknown",)


def test_small_cells_are_suppressed_and_not_recoverable() -> None:
    facts = _facts(9, tag="g") + _facts(2, tag="b", sex=Sex.MALE)
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    for t in sheet.tables:
        for lo, hi in t.table.intervals().values():
            assert hi is None or lo < hi
    reg = sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.AGE_BAND)
    assert reg.values[2][1] is None  # 2 boys: hidden
    assert reg.values[-1][1] is None  # and their total, which would give it back


def test_linked_tables_hide_the_same_totals_by_sex() -> None:
    facts = _facts(9, tag="g") + _facts(3, tag="b", sex=Sex.MALE, risk_level=RiskLevel.HIGH)
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    for indicator in Indicator:
        lasts = {
            tuple(v is None for v in t.table.values[-1])
            for t in sheet.tables
            if t.indicator is indicator and t.breakdown is not Breakdown.VULNERABILITY
        }
        assert len(lasts) == 1, indicator


def test_threshold_comes_from_the_policy() -> None:
    policy = POLICY.derive(statistics={"min_cell": 3})
    facts = _facts(9, tag="g") + _facts(3, tag="b", sex=Sex.MALE)
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=policy
    )
    assert sheet.threshold == 3
    assert sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.AGE_BAND).values[2][1] == 3


def test_events_count_every_referral() -> None:
    facts = _facts(
        6, tag="r", referrals_on=(dt.date(2026, 10, 2), dt.date(2026, 10, 9), dt.date(2026, 9, 1))
    )
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    refs = sheet.table(Indicator.REFERRALS, Breakdown.AGE_BAND)
    assert refs.values[-1][-1] == 12
    assert next(t.unit for t in sheet.tables if t.indicator is Indicator.REFERRALS) == "events"


# --- deadline compliance ----------------------------------------------------------------------


def _deadline(step: str, due: int, done: int | None) -> tuple[DeadlineOutcome, ...]:
    done_on = None if done is None else dt.date(2026, 10, done)
    return (DeadlineOutcome(step, dt.date(2026, 10, due), done_on),)


def test_compliance_rates() -> None:
    facts = (
        _facts(8, tag="ok", deadlines=_deadline("initial_assessment", 5, 5), deadlines_known=True)
        + _facts(6, tag="late", deadlines=_deadline("initial_assessment", 5, 9))
        + _facts(5, tag="plan", deadlines=_deadline("case_plan", 7, 6))
        + _facts(5, tag="miss", deadlines=_deadline("case_plan", 7, None))
        + _facts(3, tag="sept", deadlines=(DeadlineOutcome("review", dt.date(2026, 9, 5)),))
    )
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    rates = {r.step: (r.due, r.met, r.percent) for r in sheet.compliance}
    assert rates == {
        "case_plan": (10, 5, 50.0),
        "initial_assessment": (14, 8, pytest.approx(57.1)),
        "all": (24, 13, pytest.approx(54.2)),
    }  # the September review is not due in October
    assert sheet.notes == ("deadline_outcomes_incomplete",)  # "late", "plan"... lack the flag


def test_compliance_small_counts_are_suppressed_and_protected() -> None:
    facts = (
        _facts(8, tag="ok", deadlines=_deadline("initial_assessment", 5, 5))
        + _facts(6, tag="late", deadlines=_deadline("initial_assessment", 5, 9))
        + _facts(2, tag="plan", deadlines=_deadline("case_plan", 7, None))
    )
    sheet = monthly_sheet(
        facts, "2026-10", Scope.parse("org:TDH"), requester=MANAGER, policy=POLICY
    )
    rates = {r.step: r for r in sheet.compliance}
    assert rates["case_plan"].suppressed
    assert rates["case_plan"].percent is None
    table = sheet.compliance_table
    assert table is not None
    for lo, hi in table.intervals().values():
        assert hi is None or lo < hi
    # A published rate always rests on published counts.
    for r in sheet.compliance:
        if r.percent is not None:
            assert r.due is not None
            assert r.met is not None


# --- from case files ---------------------------------------------------------------------------


def test_facts_from_the_golden_case() -> None:
    facts = facts_from_case(fx.case(), as_of=dt.date(2026, 9, 30))
    assert (facts.region, facts.sex, facts.primary_concern) == (
        "mopti",
        Sex.FEMALE,
        "physical_abuse_violence",
    )
    assert facts.age_at(dt.date(2026, 9, 30)) == 12
    assert facts.opened_on == dt.date(2026, 9, 1)
    assert facts.referrals_on == (dt.date(2026, 9, 5),)
    assert facts.deadlines_known
    steps = {d.step: d for d in facts.deadlines}
    # High risk (SOP §4.3 L744): initial assessment before leaving the child, i.e. on the
    # registration day 2026-09-01; it was done on 09-02, so late. The full assessment was due
    # "immediately" after it (L745) and is not recorded: missed.
    assert steps["initial_assessment"].due == dt.date(2026, 9, 1)
    assert not steps["initial_assessment"].met
    assert steps["full_assessment"].done_on is None
    # As of August the file did not exist yet: nothing counted.
    early = facts_from_case(fx.case(), as_of=dt.date(2026, 8, 31))
    assert early.registered_on is None
    assert early.referrals_on == ()


def test_indicators_end_to_end_enforces_scope() -> None:
    cases = [fx.case()]
    sheet = monthly_sheet_from_cases(cases, "2026-09", Scope.parse("org:TDH"), requester=MANAGER)
    assert sheet.period == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert sheet.table(Indicator.REFERRALS, Breakdown.AGE_BAND).values[-1][-1] is None  # 1 < 5
    with pytest.raises(ScopeNotPermitted):
        monthly_sheet_from_cases(cases, "2026-09", Scope.parse("org:ENDA"), requester=MANAGER)


# --- properties --------------------------------------------------------------------------------

facts_strategy = st.builds(
    CaseFacts,
    case_code=st.text("ABC123", min_size=3, max_size=6),
    organisation_id=st.sampled_from(["TDH", "ENDA"]),
    region=st.sampled_from(["mopti", "gao"]),
    sex=st.none() | st.sampled_from(Sex),
    age_years=st.none() | st.integers(0, 19),
    age_on=st.just(dt.date(2026, 10, 1)),
    vulnerability_categories=st.lists(
        st.sampled_from(["mobility", "gbv_survivor", "talibe"]), max_size=2, unique=True
    ).map(tuple),
    primary_concern=st.none() | st.sampled_from(["neglect", "rape"]),
    risk_level=st.none() | st.sampled_from(RiskLevel),
    registered_on=st.none() | st.dates(dt.date(2026, 9, 1), dt.date(2026, 11, 30)),
    opened_on=st.none() | st.dates(dt.date(2026, 9, 1), dt.date(2026, 10, 31)),
    closed_on=st.none() | st.dates(dt.date(2026, 10, 1), dt.date(2026, 11, 30)),
    closure_reason=st.none() | st.sampled_from(["transferred", "deceased"]),
    referrals_on=st.lists(st.dates(*OCT), max_size=2).map(tuple),
)


@given(facts=st.lists(facts_strategy, max_size=40), scope=st.sampled_from(["org:TDH", "national"]))
def test_sheet_never_reveals_a_small_count(facts: list[CaseFacts], scope: str) -> None:
    requester = MANAGER if scope.startswith("org") else NATION
    sheet = monthly_sheet(facts, "2026-10", Scope.parse(scope), requester=requester, policy=POLICY)
    in_scope = [f for f in facts if scope == "national" or f.organisation_id == "TDH"]
    for t in sheet.tables:
        published = [v for row in t.table.values for v in row if v is not None]
        assert all(v == 0 or v >= POLICY.statistics.min_cell for v in published)
        for lo, hi in t.table.intervals().values():
            assert hi is None or lo < hi
    reg = sheet.table(Indicator.NEW_REGISTRATIONS, Breakdown.RISK_LEVEL).values[-1][-1]
    expected = sum(1 for f in in_scope if f.registered_on and OCT[0] <= f.registered_on <= OCT[1])
    assert reg is None or reg == expected
