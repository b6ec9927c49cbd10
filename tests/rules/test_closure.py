"""Closure readiness (SOP §5.6 L1100–L1121) and closure proposals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rules_builders import (
    CODE,
    CTX,
    case,
    closure,
    follow_ups,
    in_depth,
    initial,
    plan,
    registration,
    review,
)

from cpcase.case import CaseFile
from cpcase.forms import ChildFeedback, ConsentForm, FileTransfer, ServicesProvided
from cpcase.rules.closure import closure_proposals, closure_readiness
from cpcase.rules.policy import load_profile
from cpcase.vocab import (
    ActivityStatus,
    ClosureReason,
    ConsentMode,
    ConsentScope,
    RiskLevel,
    ServiceCategory,
    ServiceDeliveryMode,
    TransferReason,
    TransferStatus,
)

D = dt.date
R = D(2024, 1, 8)
MALI = load_profile("mali-2020")
CR = ClosureReason


def consent() -> ConsentForm:
    return ConsentForm.model_validate(
        {
            "case_code": CODE,
            "form_date": R,
            "consent_date": R,
            "consent_mode": ConsentMode.WRITTEN_FORM,
            "givers": [{"relationship": "child", "agreed": True}],
            "information_explained": True,
            "consent_scope": [ConsentScope.REFERRAL_TO_SERVICES],
        },
        context=CTX,
    )


def services() -> ServicesProvided:
    return ServicesProvided.model_validate(
        {
            "case_code": CODE,
            "form_date": D(2024, 2, 10),
            "services_section": [
                {
                    "row_id": "s1",
                    "service_type": ServiceCategory.EDUCATION_TRAINING_LIVELIHOODS,
                    "service_referral": ServiceDeliveryMode.DIRECT,
                    "service_response_day_time": D(2024, 2, 10),
                }
            ],
        },
        context=CTX,
    )


def feedback(day: dt.date) -> ChildFeedback:
    return ChildFeedback.model_validate(
        {"case_code": CODE, "form_date": day, "feedback_date": day, "feedback_consent": True},
        context=CTX,
    )


DONE_CLOSURE: dict[str, Any] = {
    "closure_discussed_child": True,
    "closure_interview_date": D(2024, 6, 1),
    "closure_child_told_contact_support": True,
}


def complete_file(**changes: Any) -> CaseFile:
    """A Mali file with every main form, one review, activities done, two transition visits."""
    done = (
        D(2024, 3, 1),
        {"activity_updates": [{"activity_ref": "a1", "interventions_status": "completed"}]},
    )
    forms: dict[str, Any] = {
        "consents": [consent()],
        "registration": registration(R),
        "initial_assessment": initial(R, RiskLevel.MEDIUM),
        "in_depth_assessments": [in_depth(D(2024, 1, 10), D(2024, 1, 15), RiskLevel.MEDIUM)],
        "action_plans": [
            plan(
                D(2024, 1, 20),
                approved=D(2024, 1, 22),
                activities=[("a1", D(2024, 3, 1), ActivityStatus.ONGOING)],
            )
        ],
        "services": [services()],
        "follow_ups": [follow_ups([D(2024, 2, 1), done, D(2024, 4, 1), D(2024, 5, 2)])],
        "reviews": [review(D(2024, 3, 20), RiskLevel.LOW)],
        "closures": [closure(D(2024, 6, 3), CR.PLAN_GOAL_ACHIEVED, **DONE_CLOSURE)],
        "child_feedback": [feedback(D(2024, 6, 1))],
    }
    return case(**{**forms, **changes})


TODAY = D(2024, 6, 4)


def missing(c: CaseFile, reason: ClosureReason, today: dt.date = TODAY, **kw: Any) -> set[str]:
    entry = closure_readiness(c, MALI, today, **kw).for_reason(reason)
    assert entry is not None
    return {m.code for m in entry.missing}


def test_complete_file_may_close_as_goal_achieved() -> None:
    """Every guard met: the closure can go to the supervisor's closure meeting."""
    readiness = closure_readiness(complete_file(), MALI, D(2024, 6, 4))
    assert CR.PLAN_GOAL_ACHIEVED in readiness.allowed_reasons
    assert not readiness.already_closed
    assert readiness.for_reason(CR.TURNED_18) is None  # not a Mali SOP reason


def test_goal_achieved_guards() -> None:
    """≥ 1 review, transition visits after the activities, main forms, interview (L1118, L1133)."""
    # Without its review the file also lacks the main form 5.B.
    assert missing(complete_file(reviews=[]), CR.PLAN_GOAL_ACHIEVED) == {
        "not_enough_reviews",
        "main_forms_missing",
    }
    one_visit = complete_file(
        follow_ups=[
            follow_ups(
                [
                    (
                        D(2024, 3, 1),
                        {
                            "activity_updates": [
                                {"activity_ref": "a1", "interventions_status": "completed"}
                            ]
                        },
                    ),
                    D(2024, 4, 1),
                ]
            )
        ]
    )
    assert missing(one_visit, CR.PLAN_GOAL_ACHIEVED) == {"transition_follow_ups_missing"}
    open_activity = complete_file(follow_ups=[follow_ups([D(2024, 4, 1), D(2024, 5, 2)])])
    assert "plan_activities_open" in missing(open_activity, CR.PLAN_GOAL_ACHIEVED)
    no_services = complete_file(services=[])
    m = closure_readiness(no_services, MALI, D(2024, 6, 4)).for_reason(CR.PLAN_GOAL_ACHIEVED)
    assert m is not None
    assert [x.fr for x in m.missing if x.code == "main_forms_missing"] == [
        "Formulaires principaux absents : 4.A"
    ]
    assert missing(complete_file(child_feedback=[]), CR.PLAN_GOAL_ACHIEVED) == {
        "no_closure_interview"
    }
    assert missing(complete_file(closures=[]), CR.PLAN_GOAL_ACHIEVED) == {
        "not_discussed_with_child_family",
        "no_closure_interview",
        "not_told_can_come_back",
    }


def test_reason_specific_guards() -> None:
    """Declined (L1110), lost (L1111), transferred (L564), inactive (L1102), deceased."""
    bare = case(registration=registration(R))
    assert "declined_safety_not_confirmed" in missing(bare, CR.CHILD_FAMILY_DECLINED)
    assert "last_contact_unknown" in missing(bare, CR.LOST_TO_FOLLOW_UP)
    recent = case(registration=registration(R), follow_ups=[follow_ups([D(2024, 5, 1)])])
    assert "lost_too_recently" in missing(recent, CR.LOST_TO_FOLLOW_UP)
    assert "lost_too_recently" not in missing(recent, CR.LOST_TO_FOLLOW_UP, today=D(2024, 8, 1))
    assert "recent_activity" in missing(recent, CR.INACTIVE_3_MONTHS)
    assert "recent_activity" not in missing(recent, CR.INACTIVE_3_MONTHS, today=D(2024, 8, 1))
    assert "no_completed_transfer" in missing(bare, CR.TRANSFERRED)
    transfer = FileTransfer.model_validate(
        {
            "case_code": CODE,
            "form_date": D(2024, 5, 1),
            "transfer_date": D(2024, 5, 1),
            "transfer_status": TransferStatus.ACCEPTED,
            "transfer_reason": TransferReason.MOVE,
            "receiving_organisation": "ORG2",
            "receiving_org_has_trained_cm_team": True,
            "disclosure_other_orgs": True,
            "consent_form_ref": "1A-1",
            "accepted_date": D(2024, 5, 2),
        },
        context=CTX,
    )
    moved = case(registration=registration(R), transfers=[transfer])
    assert "no_completed_transfer" not in missing(moved, CR.TRANSFERRED)
    # The Mali SOP lists "décédé" without a reporting rule: ready for the closure meeting.
    assert missing(bare, CR.DECEASED) == set()
    validation = closure_readiness(bare, MALI, R).validation
    assert validation is not None
    assert validation.code == "supervisor_validation"
    # Reasons without the child (deceased, lost, transferred) need no closure interview.
    assert "no_closure_interview" not in missing(bare, CR.LOST_TO_FOLLOW_UP)


def test_proposals() -> None:
    """Inactive 3 months (L1102), turned 18, risk none: proposed; closed files are not."""
    today = D(2024, 9, 1)
    inactive = case(
        code="ML-MOP-ORG-2024-00002", registration=registration(R, code="ML-MOP-ORG-2024-00002")
    )
    adult = case(
        code="ML-MOP-ORG-2024-00003",
        registration=registration(
            D(2024, 8, 20), dob=D(2006, 8, 25), age=None, code="ML-MOP-ORG-2024-00003"
        ),
    )
    no_risk = case(
        code="ML-MOP-ORG-2024-00004",
        risks=[(D(2024, 8, 21), RiskLevel.NONE)],
        registration=registration(D(2024, 8, 20), code="ML-MOP-ORG-2024-00004"),
    )
    closed = complete_file(
        closures=[closure(D(2024, 6, 3), CR.PLAN_GOAL_ACHIEVED, approved=True, **DONE_CLOSURE)]
    )
    assert closure_readiness(closed, MALI, today).already_closed
    proposals = closure_proposals([inactive, adult, no_risk, closed], MALI, today)
    assert [(p.case_code, p.reason, p.since, p.rule) for p in proposals] == [
        ("ML-MOP-ORG-2024-00002", CR.INACTIVE_3_MONTHS, R, "closure.inactivity"),
        ("ML-MOP-ORG-2024-00003", CR.TURNED_18, D(2024, 8, 25), "eligibility.age_limit"),
        (
            "ML-MOP-ORG-2024-00004",
            CR.PLAN_GOAL_ACHIEVED,
            D(2024, 8, 21),
            "deadlines.full_assessment.none",
        ),
    ]
    ia = load_profile("interagency-2014")
    (p,) = [p for p in closure_proposals([no_risk], ia, today)]
    assert p.reason is CR.OPENED_IN_ERROR
