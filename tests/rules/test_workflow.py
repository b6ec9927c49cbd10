"""The workflow state machine (Mali requirements §9.1) and the facts read from case files."""

from __future__ import annotations

import datetime as dt

import pytest
from rules_builders import (
    case,
    closure,
    follow_ups,
    in_depth,
    initial,
    plan,
    registration,
    reopening,
    review,
)

from cpcase.rules.policy import load_profile
from cpcase.rules.workflow import (
    WorkflowFacts,
    WorkflowState,
    can_transition,
    case_next_steps,
    next_steps,
    workflow_facts,
)
from cpcase.vocab import CaseStatus, ClosureReason, EligibilityOutcome, RiskLevel

D = dt.date
W = WorkflowState
MALI = load_profile("mali-2020")
IA = load_profile("interagency-2014")
R = D(2024, 3, 4)


def targets(facts: WorkflowFacts, policy=MALI) -> dict[WorkflowState, list[str]]:  # type: ignore[no-untyped-def]
    return {
        t.target: [r.code for r in t.reasons] for t in next_steps(facts, policy) if not t.allowed
    }


def allowed(facts: WorkflowFacts, policy=MALI) -> set[WorkflowState]:  # type: ignore[no-untyped-def]
    return {t.target for t in next_steps(facts, policy) if t.allowed}


def test_registration_and_eligibility_exits() -> None:
    """Opening needs the CM eligibility decision and the consent to share (L889, L900); a
    transfer needs a trained receiver (L564); emergency care sets the level high (L805)."""
    registered = WorkflowFacts(state=W.REGISTERED)
    blocked = targets(registered)
    assert blocked[W.OPEN] == ["eligibility_not_case_opened", "consent_missing"]
    assert W.EMERGENCY_CARE in allowed(registered)
    (emergency,) = [t for t in next_steps(registered, MALI) if t.target is W.EMERGENCY_CARE]
    assert [r.code for r in emergency.reasons] == ["emergency_sets_high"]
    opened = WorkflowFacts(
        state=W.EMERGENCY_CARE, eligibility=EligibilityOutcome.CASE_OPENED, consent_recorded=True
    )
    assert W.OPEN in allowed(opened)
    transfer = WorkflowFacts(
        state=W.REGISTERED, eligibility=EligibilityOutcome.TRANSFERRED, consent_recorded=True
    )
    assert targets(transfer)[W.TRANSFERRED_OUT] == ["receiver_not_trained"]
    trained = WorkflowFacts(
        state=W.REGISTERED,
        eligibility=EligibilityOutcome.TRANSFERRED,
        consent_recorded=True,
        receiver_has_trained_cm_team=True,
    )
    assert W.TRANSFERRED_OUT in allowed(trained)
    refused = WorkflowFacts(
        state=W.REGISTERED, eligibility=EligibilityOutcome.NOT_ELIGIBLE_RECORDED
    )
    assert W.NOT_ELIGIBLE in allowed(refused)  # recorded, no consent needed
    assert W.REGISTERED in allowed(WorkflowFacts(state=W.NOT_ELIGIBLE))  # the child comes back


def test_steps_and_guards() -> None:
    """Initial assessment with a level; plan with objectives and complete activities; the
    supervisor's signature, the validation meeting and the agreement (L359, L1060, L1064)."""
    assert targets(WorkflowFacts(state=W.OPEN))[W.INITIAL_ASSESSMENT_DONE] == [
        "initial_assessment_missing",
        "risk_level_missing",
    ]
    plan_facts = WorkflowFacts(state=W.FULL_ASSESSMENT_DONE, plan_has_objectives=True)
    assert targets(plan_facts)[W.PLAN_DRAFTED] == ["activity_without_deadline_or_responsible"]
    drafted = WorkflowFacts(state=W.PLAN_DRAFTED, risk_level=RiskLevel.MEDIUM)
    assert targets(drafted)[W.PLAN_VALIDATED] == [
        "plan_not_signed",
        "no_validation_meeting",
        "no_contract",
    ]
    assert targets(drafted)[W.IMPLEMENTATION] == ["plan_validation_required"]
    # The course has no plan-validation step: implementation may start from the drafted plan.
    assert W.IMPLEMENTATION in allowed(drafted, IA)
    # Non-linear: re-assessment and plan revision during implementation (course L46).
    assert {W.FULL_ASSESSMENT_DONE, W.PLAN_DRAFTED} <= {
        t.target for t in next_steps(WorkflowFacts(state=W.IMPLEMENTATION), MALI)
    }


def test_closure_and_reopening() -> None:
    """Closure reasons must be the profile's; closed files can always be reopened (L1121)."""
    proposing = WorkflowFacts(state=W.IMPLEMENTATION, closure_reason=ClosureReason.TURNED_18)
    assert targets(proposing)[W.CLOSURE_PROPOSED] == ["closure_reason_not_allowed"]
    assert W.CLOSURE_PROPOSED in allowed(proposing, IA)
    inactive = WorkflowFacts(
        state=W.IMPLEMENTATION,
        closure_reason=ClosureReason.INACTIVE_3_MONTHS,
        inactive_for_closure=True,
    )
    (t,) = [x for x in next_steps(inactive, MALI) if x.target is W.CLOSURE_PROPOSED]
    assert [r.code for r in t.reasons] == ["inactive_must_propose"]
    assert allowed(WorkflowFacts(state=W.CLOSED)) == {W.REOPENED}
    nope = can_transition(WorkflowFacts(state=W.CLOSED), W.OPEN, MALI)
    assert (nope.allowed, nope.reasons[0].code) == (False, "no_such_transition")


@pytest.mark.parametrize(
    ("forms", "state"),
    [
        ({}, W.IDENTIFIED),
        ({"registration": registration(R)}, W.OPEN),
        (
            {"registration": registration(R), "initial_assessment": initial(R, RiskLevel.LOW)},
            W.INITIAL_ASSESSMENT_DONE,
        ),
        (
            {
                "registration": registration(R),
                "initial_assessment": initial(R, RiskLevel.LOW),
                "in_depth_assessments": [in_depth(R, D(2024, 3, 8), RiskLevel.LOW)],
            },
            W.FULL_ASSESSMENT_DONE,
        ),
        (
            {
                "registration": registration(R),
                "action_plans": [plan(D(2024, 3, 10))],
            },
            W.PLAN_DRAFTED,
        ),
        (
            {
                "registration": registration(R),
                "action_plans": [plan(D(2024, 3, 10), approved=D(2024, 3, 11))],
            },
            W.PLAN_VALIDATED,
        ),
        (
            {
                "registration": registration(R),
                "action_plans": [plan(D(2024, 3, 10), approved=D(2024, 3, 11))],
                "follow_ups": [follow_ups([D(2024, 3, 14)])],
            },
            W.IMPLEMENTATION,
        ),
        (
            {
                "registration": registration(R),
                "reviews": [
                    review(D(2024, 4, 1), RiskLevel.NONE, close=ClosureReason.PLAN_GOAL_ACHIEVED)
                ],
            },
            W.CLOSURE_PROPOSED,
        ),
        (
            {"registration": registration(R), "closures": [closure(D(2024, 4, 2), approved=True)]},
            W.CLOSED,
        ),
        (
            {
                "registration": registration(R),
                "closures": [closure(D(2024, 4, 2), approved=True)],
                "reopenings": [reopening(D(2024, 5, 1), RiskLevel.MEDIUM)],
            },
            W.REOPENED,
        ),
    ],
    ids=lambda v: v.value if isinstance(v, WorkflowState) else "",
)
def test_state_read_from_the_file(forms: dict[str, object], state: WorkflowState) -> None:
    """workflow_facts() places a file at the furthest step its forms show."""
    assert workflow_facts(case(**forms), MALI, D(2024, 6, 1)).state is state


def test_facts_from_files() -> None:
    """Eligibility exits, statuses and closure blockers are read from the file."""
    referred = registration(R).model_copy(
        update={"eligibility_outcome": EligibilityOutcome.REFERRED, "eligible_cm": None}
    )
    assert workflow_facts(case(registration=referred), MALI, R).state is W.REFERRED_OUT
    assert workflow_facts(case(status=CaseStatus.NOT_ELIGIBLE), MALI, R).state is W.NOT_ELIGIBLE
    proposed = case(registration=registration(R), closures=[closure(D(2024, 4, 2))])
    facts = workflow_facts(proposed, MALI, D(2024, 4, 3))
    assert facts.state is W.CLOSURE_PROPOSED
    assert facts.closure_reason is ClosureReason.PLAN_GOAL_ACHIEVED
    assert "not_enough_reviews" in [r.code for r in facts.closure_blockers]
    (close,) = [t for t in case_next_steps(proposed, MALI, D(2024, 4, 3)) if t.target is W.CLOSED]
    assert not close.allowed
    assert "closure_not_validated" in [r.code for r in close.reasons]
