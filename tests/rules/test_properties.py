"""Properties of the rules, checked with hypothesis over every shipped profile.

- adding an aggravating factor never lowers the suggested risk;
- a higher risk level never yields a later deadline, and escalation never postpones one;
- schedule() is deterministic and never reads the clock;
- every task cites a rule that exists in the policy.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules_builders import case, follow_ups, in_depth, initial, plan, registration, review

from cpcase.case import CaseFile
from cpcase.rules.factors import RiskFactor
from cpcase.rules.policy import Policy, list_profiles, load_profile
from cpcase.rules.risk import RiskFacts, aggravating_factors, suggest_risk_level
from cpcase.rules.schedule import Task, schedule
from cpcase.testing import case_files
from cpcase.vocab import ProtectionSituation, RiskLevel, Sex

PROFILES = [load_profile(name) for name in list_profiles()]
profiles = st.sampled_from(PROFILES)
LEVELS = [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]  # by rank


# --- risk -----------------------------------------------------------------------------------

risk_facts = st.builds(
    RiskFacts,
    situations=st.frozensets(st.sampled_from(list(ProtectionSituation)), max_size=3),
    factors=st.frozensets(st.sampled_from(list(RiskFactor)), max_size=6),
    age_years=st.none() | st.integers(0, 17),
    sex=st.none() | st.sampled_from(list(Sex)),
    emergency=st.booleans(),
)


@given(policy=profiles, facts=risk_facts, data=st.data())
def test_aggravating_factor_never_lowers_the_suggestion(
    policy: Policy, facts: RiskFacts, data: st.DataObject
) -> None:
    """For any facts, adding one aggravating factor gives a level at least as high."""
    candidates = sorted(aggravating_factors(facts.situations, policy))
    if not candidates:
        candidates = sorted(policy.risk.aggravating_any.value) or [RiskFactor.IMMINENT_DANGER]
    extra = data.draw(st.sampled_from(candidates))
    before = suggest_risk_level(facts, policy).level
    more = RiskFacts(
        situations=facts.situations,
        factors=facts.factors | {extra},
        age_years=facts.age_years,
        sex=facts.sex,
        emergency=facts.emergency,
    )
    after = suggest_risk_level(more, policy).level
    assert after.rank >= before.rank
    if extra in aggravating_factors(facts.situations, policy) and facts.situations:
        assert after is RiskLevel.HIGH


# --- a skeleton case file with controllable dates and level ---------------------------------

REG = dt.date(2024, 1, 8)


@st.composite
def skeletons(draw: st.DrawFn) -> dict[str, Any]:
    """Offsets (days after registration) of the events of a case; None = not happened yet."""
    ia = draw(st.integers(0, 5))
    start = ia + draw(st.integers(0, 10))
    done = start + draw(st.integers(0, 40)) if draw(st.booleans()) else None
    plan_day = (
        done + draw(st.integers(0, 20)) if done is not None and draw(st.booleans()) else None
    )
    approved = (
        plan_day + draw(st.integers(0, 20))
        if plan_day is not None and draw(st.booleans())
        else None
    )
    contacts = sorted(draw(st.lists(st.integers(ia, ia + 150), max_size=6, unique=True)))
    reviews = sorted(draw(st.lists(st.integers(ia, ia + 200), max_size=3, unique=True)))
    return {
        "ia": ia,
        "start": start,
        "done": done,
        "plan": plan_day,
        "approved": approved,
        "contacts": contacts,
        "reviews": reviews,
        "today": draw(st.integers(0, 260)),
    }


def day(offset: int) -> dt.date:
    return REG + dt.timedelta(days=offset)


def build(s: dict[str, Any], level: RiskLevel, *changes: tuple[dt.date, RiskLevel]) -> CaseFile:
    forms: dict[str, Any] = {
        "registration": registration(REG, time=dt.time(9, 30)),
        "initial_assessment": initial(day(s["ia"]), level),
        "in_depth_assessments": [
            in_depth(day(s["start"]), day(s["done"]) if s["done"] is not None else None, level)
        ],
    }
    if s["plan"] is not None:
        approved = day(s["approved"]) if s["approved"] is not None else None
        forms["action_plans"] = [plan(day(s["plan"]), approved=approved)]
    if s["contacts"]:
        forms["follow_ups"] = [follow_ups([day(c) for c in s["contacts"]])]
    if s["reviews"]:
        forms["reviews"] = [review(day(r), level) for r in s["reviews"]]
    return case(risks=[(REG, level), *changes], **forms)


def deadlines(
    tasks: tuple[Task, ...],
) -> dict[tuple[str, dt.date | None, str | None], dt.datetime]:
    """Risk-table deadlines keyed by (kind, anchor, ref) -> due instant."""
    out = {}
    for t in tasks:
        if t.rule.startswith("deadlines.") and not t.advisory:
            out[(t.kind.value, t.anchor, t.ref)] = t.due_at or dt.datetime.combine(
                t.due, dt.time.max
            )
    return out


@given(
    policy=profiles,
    s=skeletons(),
    levels=st.lists(st.sampled_from(LEVELS), min_size=2, max_size=2, unique=True),
)
def test_higher_risk_never_yields_a_later_deadline(
    policy: Policy, s: dict[str, Any], levels: list[RiskLevel]
) -> None:
    """The same file at a higher level: every deadline is the same or earlier."""
    low, high = sorted(levels, key=lambda lv: lv.rank)
    today = day(s["today"])
    at_low = deadlines(schedule(build(s, low), policy, today))
    at_high = deadlines(schedule(build(s, high), policy, today))
    for key in at_low.keys() & at_high.keys():
        assert at_high[key] <= at_low[key], key


@given(
    policy=profiles,
    s=skeletons(),
    base=st.sampled_from(LEVELS[:-1]),
    data=st.data(),
)
def test_escalation_never_postpones_a_deadline(
    policy: Policy, s: dict[str, Any], base: RiskLevel, data: st.DataObject
) -> None:
    """Recording a higher level at any date moves no deadline later."""
    higher = data.draw(st.sampled_from([lv for lv in LEVELS if lv.rank > base.rank]))
    when = day(data.draw(st.integers(1, 220)))
    today = day(s["today"])
    before = deadlines(schedule(build(s, base), policy, today))
    after = deadlines(schedule(build(s, base, (when, higher)), policy, today))
    for key in before.keys() & after.keys():
        assert after[key] <= before[key], key


# --- determinism, clock, citations ----------------------------------------------------------

_CLOCK = frozenset(
    {"today", "now", "utcnow", "time", "time_ns", "monotonic", "perf_counter", "localtime"}
)


@contextmanager
def clock_forbidden() -> Iterator[list[str]]:
    """Record every call of a clock-reading builtin made while the block runs."""
    calls: list[str] = []

    def watch(frame: types.FrameType, event: str, arg: object) -> None:
        if event != "c_call" or getattr(arg, "__name__", "") not in _CLOCK:
            return
        # Attribute the call to the innermost package on the stack: cpcase code (directly or
        # through a library it called), not hypothesis' own tracer running on top of it.
        f: types.FrameType | None = frame
        while f is not None:
            name = f.f_code.co_filename
            if "/hypothesis/" in name:
                return
            if "/cpcase/" in name:
                calls.append(f"{arg!r} from {name}:{f.f_lineno}")
                return
            f = f.f_back

    sys.setprofile(watch)
    try:
        yield calls
    finally:
        sys.setprofile(None)


@given(policy=profiles, c=case_files(), today=st.dates(dt.date(2015, 1, 1), dt.date(2027, 1, 1)))
def test_schedule_is_deterministic_never_reads_the_clock_and_cites_rules(
    policy: Policy, c: CaseFile, today: dt.date
) -> None:
    """Any valid case file: same answer twice, no clock read, every rule in the policy."""
    with clock_forbidden() as calls:
        first = schedule(c, policy, today)
        second = schedule(c, policy, today)
    assert calls == []
    assert first == second
    for t in first:
        assert policy.has(t.rule), t.rule
        assert t.case_code == c.case_code
        if t.due_at is not None:
            assert t.due_at.date() == t.due


@given(policy=profiles, s=skeletons(), level=st.sampled_from(LEVELS))
def test_rich_files_cite_rules_that_exist(
    policy: Policy, s: dict[str, Any], level: RiskLevel
) -> None:
    """The hand-shaped skeleton files too (every step present)."""
    with clock_forbidden() as calls:
        tasks = schedule(build(s, level), policy, day(s["today"]))
    assert calls == []
    assert tasks
    assert all(policy.has(t.rule) for t in tasks)


def test_schedule_survives_a_clock_that_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    """With date.today / datetime.now replaced by functions that raise, schedule() still works."""

    class NoToday(dt.date):
        @classmethod
        def today(cls) -> NoToday:
            raise AssertionError("schedule read the clock (date.today)")

    class NoNow(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> NoNow:
            raise AssertionError("schedule read the clock (datetime.now)")

        @classmethod
        def today(cls) -> NoNow:
            raise AssertionError("schedule read the clock (datetime.today)")

    shim = types.SimpleNamespace(
        date=NoToday, datetime=NoNow, time=dt.time, timedelta=dt.timedelta, UTC=dt.UTC
    )
    s = {
        "ia": 1,
        "start": 2,
        "done": 9,
        "plan": 12,
        "approved": 14,
        "contacts": [20, 30],
        "reviews": [40],
        "today": 60,
    }
    expected = schedule(build(s, RiskLevel.MEDIUM), load_profile(), day(60))
    module = importlib.import_module("cpcase.rules.schedule")  # the package re-exports schedule()
    monkeypatch.setattr(module, "dt", shim)
    assert schedule(build(s, RiskLevel.MEDIUM), load_profile(), day(60)) == expected
