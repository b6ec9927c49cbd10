"""schedule(): risk changes, emergency clocks, referrals, closure clocks, statuses (hand-worked)."""

from __future__ import annotations

import datetime as dt

from rules_builders import (
    case,
    closure,
    follow_ups,
    in_depth,
    initial,
    plan,
    referral,
    registration,
    reopening,
    review,
)

from cpcase.rules.policy import load_profile
from cpcase.rules.schedule import (
    EmergencyEpisode,
    EpisodeKind,
    Task,
    TaskKind,
    TaskStatus,
    by_urgency,
    pending,
    schedule,
)
from cpcase.vocab import (
    ActivityStatus,
    CaseStatus,
    ClosureReason,
    ReferralStatus,
    RiskLevel,
    Step,
)

D = dt.date
K = TaskKind
S = TaskStatus
MALI = load_profile("mali-2020")
R = D(2024, 3, 4)


def of(tasks: tuple[Task, ...], kind: TaskKind) -> list[Task]:
    return [t for t in tasks if t.kind is kind]


def assessed(level: RiskLevel, *changes: tuple[dt.date, RiskLevel]):  # type: ignore[no-untyped-def]
    """Registered 4 March at ``level``, initial assessment 5 March, full assessment pending."""
    return case(
        risks=[(R, level), *changes],
        registration=registration(R),
        initial_assessment=initial(D(2024, 3, 5), level),
    )


# --- risk changes -------------------------------------------------------------------------


def test_escalation_counts_from_the_original_anchor() -> None:
    """LOW → HIGH on 10 March: the full assessment was due 5 April, now 5 March (IA + 0 h)."""
    before = of(schedule(assessed(RiskLevel.LOW), MALI, D(2024, 3, 10)), K.FULL_ASSESSMENT)[0]
    assert before.due == D(2024, 4, 5)
    after = of(
        schedule(assessed(RiskLevel.LOW, (D(2024, 3, 10), RiskLevel.HIGH)), MALI, D(2024, 3, 10)),
        K.FULL_ASSESSMENT,
    )[0]
    assert (after.due, after.status) == (D(2024, 3, 5), S.OVERDUE)
    assert after.rule == "deadlines.full_assessment.high"
    assert after.risk_level is RiskLevel.HIGH


def test_escalation_from_the_change_when_the_profile_says_so() -> None:
    """risk_change.on_escalation = "change_time": the high delay counts from the change."""
    policy = MALI.override({"risk_change.on_escalation": "change_time"})
    c = assessed(RiskLevel.LOW, (D(2024, 3, 10), RiskLevel.HIGH))
    assert of(schedule(c, policy, D(2024, 3, 10)), K.FULL_ASSESSMENT)[0].due == D(2024, 3, 10)
    # ...but never later than the old deadline:
    late = assessed(RiskLevel.MEDIUM, (D(2024, 3, 11), RiskLevel.HIGH))
    assert of(schedule(late, policy, D(2024, 3, 11)), K.FULL_ASSESSMENT)[0].due == D(2024, 3, 11)
    medium = of(schedule(assessed(RiskLevel.MEDIUM), policy, D(2024, 3, 11)), K.FULL_ASSESSMENT)
    assert medium[0].due == D(2024, 3, 12)


def _monitored(*changes: tuple[dt.date, RiskLevel]):  # type: ignore[no-untyped-def]
    """Plan validated 11 March, last follow-up Tuesday 12 March."""
    level = RiskLevel.MEDIUM if not changes else changes[0][1]
    return case(
        risks=list(changes),
        registration=registration(R),
        initial_assessment=initial(D(2024, 3, 5), level),
        in_depth_assessments=[in_depth(D(2024, 3, 5), D(2024, 3, 6), level)],
        action_plans=[plan(D(2024, 3, 8), approved=D(2024, 3, 11))],
        follow_ups=[follow_ups([D(2024, 3, 12)])],
    )


def next_follow_up(c, today: dt.date) -> Task:  # type: ignore[no-untyped-def]
    (t,) = [
        t
        for t in of(schedule(c, MALI, today), K.FOLLOW_UP)
        if t.status in (S.UPCOMING, S.DUE, S.OVERDUE)
    ]
    return t


def test_follow_up_escalation_and_deescalation() -> None:
    """MEDIUM contact due 19 March; HIGH on the 14th → 15 March (12 + 3.5 d). Lowered from HIGH
    to LOW on the 13th: the pending contact stays due on the 15th (default "keep"); with
    "change_time" it is counted from the change: 13 + 14 = 27 March."""
    base = _monitored((R, RiskLevel.MEDIUM))
    assert next_follow_up(base, D(2024, 3, 12)).due == D(2024, 3, 19)
    up = _monitored((R, RiskLevel.MEDIUM), (D(2024, 3, 14), RiskLevel.HIGH))
    assert next_follow_up(up, D(2024, 3, 14)).due == D(2024, 3, 15)
    down = _monitored((R, RiskLevel.HIGH), (D(2024, 3, 13), RiskLevel.LOW))
    t = next_follow_up(down, D(2024, 3, 13))
    assert (t.due, t.rule) == (D(2024, 3, 15), "deadlines.follow_up.high")
    relaxed = MALI.override({"risk_change.on_deescalation": "change_time"})
    (t,) = [x for x in of(schedule(down, relaxed, D(2024, 3, 13)), K.FOLLOW_UP) if x.pending]
    assert (t.due, t.rule) == (D(2024, 3, 27), "deadlines.follow_up.low")


def test_lower_level_applies_to_the_next_interval() -> None:
    """After a contact made at the lower level, the next one is due at the lower frequency."""
    c = case(
        risks=[(R, RiskLevel.HIGH), (D(2024, 3, 13), RiskLevel.LOW)],
        registration=registration(R),
        initial_assessment=initial(D(2024, 3, 5), RiskLevel.HIGH),
        in_depth_assessments=[in_depth(D(2024, 3, 5), D(2024, 3, 6), RiskLevel.HIGH)],
        action_plans=[plan(D(2024, 3, 8), approved=D(2024, 3, 11))],
        follow_ups=[follow_ups([D(2024, 3, 12), D(2024, 3, 14)])],
    )
    t = next_follow_up(c, D(2024, 3, 14))
    assert (t.anchor, t.due, t.rule) == (D(2024, 3, 14), D(2024, 3, 28), "deadlines.follow_up.low")


def test_a_temporary_escalation_gives_no_extra_time() -> None:
    """LOW, raised to HIGH on the 6th, back to LOW on the 7th (change_time): the deadline the
    LOW level had from the anchor still holds; going back restores it rather than restarting."""
    relaxed = MALI.override({"risk_change.on_deescalation": "change_time"})
    c = assessed(RiskLevel.LOW, (D(2024, 3, 6), RiskLevel.HIGH), (D(2024, 3, 7), RiskLevel.LOW))
    (full,) = of(schedule(c, relaxed, D(2024, 3, 7)), K.FULL_ASSESSMENT)
    # HIGH was due on the 5th, already passed on the 7th: the lowering comes too late.
    assert (full.due, full.status) == (D(2024, 3, 5), S.OVERDUE)
    medium = assessed(
        RiskLevel.LOW, (D(2024, 3, 6), RiskLevel.MEDIUM), (D(2024, 3, 7), RiskLevel.LOW)
    )
    (full,) = of(schedule(medium, relaxed, D(2024, 3, 7)), K.FULL_ASSESSMENT)
    # MEDIUM due 12 March is released by the lowering; LOW from the anchor (5 April) still
    # holds and is earlier than LOW from the change (7 April).
    assert (full.due, full.rule) == (D(2024, 4, 5), "deadlines.full_assessment.low")


def test_lowering_the_risk_after_the_deadline_forgives_nothing() -> None:
    """HIGH contact due 15 March; lowered to LOW on the 20th: still overdue since the 15th."""
    c = _monitored((R, RiskLevel.HIGH), (D(2024, 3, 20), RiskLevel.LOW))
    t = next_follow_up(c, D(2024, 3, 20))
    assert (t.due, t.status) == (D(2024, 3, 15), S.OVERDUE)


def test_level_decided_by_the_task_itself_does_not_apply_to_it() -> None:
    """Registered at medium 09:00; the initial assessment next day 08:00 rates HIGH: its own
    deadline stays the medium 24 h (the HIGH "before leaving the child" would make it late)."""
    c = case(
        registration=registration(R, time=dt.time(9, 0), risk=RiskLevel.MEDIUM),
        initial_assessment=initial(D(2024, 3, 5), RiskLevel.HIGH, time=dt.time(8, 0)),
    )
    ia = of(schedule(c, MALI, D(2024, 3, 5)), K.INITIAL_ASSESSMENT)[0]
    assert ia.rule == "deadlines.initial_assessment.medium"
    assert ia.status is S.DONE_ON_TIME
    # The full assessment, anchored on that assessment, follows the new HIGH level.
    full = of(schedule(c, MALI, D(2024, 3, 5)), K.FULL_ASSESSMENT)[0]
    assert (full.rule, full.due) == ("deadlines.full_assessment.high", D(2024, 3, 5))


def test_revised_to_none_turns_the_deadline_into_a_closure_recommendation() -> None:
    """A pending full assessment when the risk is revised to none: closure recommended."""
    c = assessed(RiskLevel.LOW, (D(2024, 3, 8), RiskLevel.NONE))
    tasks = schedule(c, MALI, D(2024, 3, 8))
    assert not of(tasks, K.FULL_ASSESSMENT)
    (rec,) = of(tasks, K.CLOSURE_RECOMMENDED)
    assert rec.rule == "deadlines.full_assessment.none"
    assert rec.advisory


# --- emergencies --------------------------------------------------------------------------


def test_emergency_clocks() -> None:
    """Requisition 72 h, shelter 72 h, HCR 3 / 14 days (none with specific needs)."""
    c = case(registration=registration(R))
    start = dt.datetime(2024, 3, 4, 14, 0)  # noqa: DTZ001 - wall-clock times
    episodes = [
        EmergencyEpisode(EpisodeKind.REQUISITION, start, ref="req"),
        EmergencyEpisode(
            EpisodeKind.EMERGENCY_SHELTER,
            start,
            dt.datetime(2024, 3, 8, 9, 0),  # noqa: DTZ001 - wall-clock times
            ref="sh",
        ),
        EmergencyEpisode(EpisodeKind.HCR_TRANSIT, R, ref="hcr"),
        EmergencyEpisode(EpisodeKind.HCR_TRANSIT, R, asylum_seeker=True, ref="asy"),
        EmergencyEpisode(
            EpisodeKind.HCR_TRANSIT, R, asylum_seeker=True, specific_needs=True, ref="spec"
        ),
    ]
    tasks = schedule(c, MALI, dt.datetime(2024, 3, 7, 15, 0), episodes=episodes)  # noqa: DTZ001
    req = of(tasks, K.REQUISITION)[0]
    assert (req.due_at, req.status, req.rule) == (
        dt.datetime(2024, 3, 7, 14, 0),  # noqa: DTZ001
        S.OVERDUE,
        "emergency.requisition",
    )
    shelter = of(tasks, K.EMERGENCY_SHELTER_EXIT)[0]
    assert (shelter.due_at, shelter.status) == (dt.datetime(2024, 3, 7, 14, 0), S.DONE_LATE)  # noqa: DTZ001
    hcr = {t.ref: t for t in of(tasks, K.HCR_TRANSIT_EXIT)}
    assert hcr["hcr"].due == D(2024, 3, 7)
    assert hcr["asy"].due == D(2024, 3, 18)
    assert hcr["asy"].rule == "emergency.hcr_transit_asylum_seeker_max"
    assert "spec" not in hcr


def test_home_visit_the_day_after_discharge() -> None:
    """An emergency referral's counter-referral is the discharge (SOP L832); visit next day."""
    visited = case(
        registration=registration(R),
        referrals=[referral(R, counter=D(2024, 3, 6), emergency=True)],
        follow_ups=[follow_ups([D(2024, 3, 7)])],
    )
    (t,) = of(schedule(visited, MALI, D(2024, 3, 10)), K.POST_DISCHARGE_VISIT)
    assert (t.due, t.done_on, t.status) == (D(2024, 3, 7), D(2024, 3, 7), S.DONE_ON_TIME)
    missed = case(
        registration=registration(R),
        referrals=[referral(R, counter=D(2024, 3, 6), emergency=True)],
    )
    (t,) = of(schedule(missed, MALI, D(2024, 3, 10)), K.POST_DISCHARGE_VISIT)
    assert t.status is S.OVERDUE


# --- referrals, activities, closure clocks ------------------------------------------------


def test_counter_referrals() -> None:
    """Referrals without counter-referral after 14 days; declined/cancelled ones are not chased."""
    c = case(
        registration=registration(R),
        referrals=[
            referral(D(2024, 3, 5), entry="late"),
            referral(D(2024, 3, 5), entry="back", counter=D(2024, 3, 12)),
            referral(D(2024, 3, 5), entry="no", status=ReferralStatus.DECLINED_BY_PROVIDER),
        ],
    )
    tasks = {t.ref: t for t in of(schedule(c, MALI, D(2024, 3, 25)), K.COUNTER_REFERRAL)}
    assert set(tasks) == {"late", "back"}
    assert (tasks["late"].due, tasks["late"].status) == (D(2024, 3, 19), S.OVERDUE)
    assert tasks["back"].status is S.DONE_ON_TIME
    assert tasks["late"].rule == "referrals.counter_referral_after"


def test_plan_activity_deadlines() -> None:
    """Each activity of the latest plan is due on its own deadline; completion dates come from
    follow-up updates; cancelled activities are dropped."""
    done_update = (
        D(2024, 4, 2),
        {"activity_updates": [{"activity_ref": "a1", "interventions_status": "completed"}]},
    )
    c = case(
        registration=registration(R),
        action_plans=[
            plan(
                D(2024, 3, 8),
                activities=[
                    ("a1", D(2024, 4, 1), ActivityStatus.ONGOING),
                    ("a2", D(2024, 4, 1), ActivityStatus.PENDING),
                    ("a3", D(2024, 4, 1), ActivityStatus.CANCELLED),
                    ("a4", D(2024, 5, 1), ActivityStatus.COMPLETED),
                ],
            )
        ],
        follow_ups=[follow_ups([done_update])],
    )
    tasks = {t.ref: t for t in of(schedule(c, MALI, D(2024, 4, 5)), K.PLAN_ACTIVITY)}
    assert set(tasks) == {"a1", "a2", "a4"}
    assert (tasks["a1"].done_on, tasks["a1"].status) == (D(2024, 4, 2), S.DONE_LATE)
    assert tasks["a2"].status is S.OVERDUE
    assert tasks["a4"].status is S.DONE_ON_TIME
    no_tasks = MALI.override({"tasks.plan_activities": False})
    assert not of(schedule(c, no_tasks, D(2024, 4, 5)), K.PLAN_ACTIVITY)


def test_inactivity_and_lost_to_follow_up() -> None:
    """Closure review 3 months after the last activity (SOP L1102); a child not seen at the last
    contact may be closed 3 months after the last time they were seen (L1111)."""
    c = case(
        registration=registration(R),
        follow_ups=[follow_ups([D(2024, 3, 10), (D(2024, 4, 10), {"child_was_seen": False})])],
    )
    tasks = schedule(c, MALI, D(2024, 7, 11))
    (inactive,) = of(tasks, K.INACTIVITY_CLOSURE_REVIEW)
    assert (inactive.due, inactive.status) == (D(2024, 7, 10), S.OVERDUE)
    (lost,) = of(tasks, K.LOST_TO_FOLLOW_UP_CLOSURE)
    assert (lost.due, lost.status, lost.advisory) == (D(2024, 6, 10), S.DUE, True)
    seen = case(registration=registration(R), follow_ups=[follow_ups([D(2024, 3, 10)])])
    assert not of(schedule(seen, MALI, D(2024, 7, 11)), K.LOST_TO_FOLLOW_UP_CLOSURE)
    proposed = case(
        registration=registration(R),
        reviews=[review(D(2024, 3, 20), RiskLevel.LOW, close=ClosureReason.LOST_TO_FOLLOW_UP)],
    )
    (lost,) = of(schedule(proposed, MALI, D(2024, 3, 21)), K.LOST_TO_FOLLOW_UP_CLOSURE)
    assert lost.due == D(2024, 6, 4)  # registration + 3 months: never seen at a follow-up


def test_eighteenth_birthday() -> None:
    """Exact from the date of birth (29 February → 1 March); estimated from the age."""
    leap = case(registration=registration(R, dob=D(2008, 2, 29), age=None))
    (t,) = of(schedule(leap, MALI, R), K.AGE_LIMIT)
    assert (t.due, t.reasons) == (D(2026, 3, 1), ())
    estimated = case(registration=registration(R, age=15))
    (t,) = of(schedule(estimated, MALI, R), K.AGE_LIMIT)
    assert t.due == D(2027, 3, 4)
    assert [r.code for r in t.reasons] == ["estimated_birthday"]


def test_closed_reopened_and_not_eligible_files() -> None:
    """A closed file has no step tasks; a reopened one restarts at its reopening; a file
    recorded as not eligible has no task at all."""
    closed = case(registration=registration(R), closures=[closure(D(2024, 3, 20), approved=True)])
    assert schedule(closed, MALI, D(2024, 3, 25)) == ()
    proposed = case(registration=registration(R), closures=[closure(D(2024, 3, 20))])
    assert schedule(proposed, MALI, D(2024, 3, 25))  # a draft 6.A only proposes the closure
    reopened = case(
        registration=registration(R),
        closures=[closure(D(2024, 3, 20), approved=True)],
        reopenings=[reopening(D(2024, 5, 2), RiskLevel.MEDIUM)],
    )
    (ia,) = of(schedule(reopened, MALI, D(2024, 5, 2)), K.INITIAL_ASSESSMENT)
    assert (ia.anchor, ia.due) == (D(2024, 5, 2), D(2024, 5, 3))
    at_assessment = case(
        registration=registration(R),
        initial_assessment=initial(R, RiskLevel.MEDIUM),
        closures=[closure(D(2024, 3, 20), approved=True)],
        reopenings=[reopening(D(2024, 5, 2), RiskLevel.MEDIUM, restart=Step.ASSESSMENT)],
    )
    tasks = schedule(at_assessment, MALI, D(2024, 5, 2))
    assert not of(tasks, K.INITIAL_ASSESSMENT)
    (full,) = of(tasks, K.FULL_ASSESSMENT)
    assert (full.anchor, full.due) == (D(2024, 5, 2), D(2024, 5, 9))
    refused = case(registration=registration(R), status=CaseStatus.NOT_ELIGIBLE)
    assert schedule(refused, MALI, R) == ()


def test_statuses_and_ordering() -> None:
    """upcoming / due (2 days before) / overdue, most urgent first; pending() drops done tasks."""
    c = case(
        registration=registration(R),
        referrals=[
            referral(D(2024, 3, 1), entry="r-over"),
            referral(D(2024, 3, 6), entry="r-due"),
            referral(D(2024, 3, 12), entry="r-later"),
            referral(D(2024, 3, 1), entry="r-done", counter=D(2024, 3, 2)),
        ],
    )
    tasks = of(schedule(c, MALI, D(2024, 3, 18)), K.COUNTER_REFERRAL)
    status = {t.ref: t.status for t in tasks}
    assert status == {
        "r-over": S.OVERDUE,  # due 15 March
        "r-due": S.DUE,  # due 20 March, within 2 days
        "r-later": S.UPCOMING,  # due 26 March
        "r-done": S.DONE_ON_TIME,
    }
    assert [t.ref for t in by_urgency(tasks)] == ["r-over", "r-due", "r-later", "r-done"]
    assert {t.ref for t in pending(tasks)} == {"r-over", "r-due", "r-later"}
