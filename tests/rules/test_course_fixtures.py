"""The numeric-rule fixtures N1–N24 of the CM Guidelines course (requirements §7.3).

Registration R = 2024-03-01 09:00 unless said otherwise; profile interagency-2014 (the course),
mali-2020 where the fixture is about the Mali SOP. Expected values are the fixture table's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
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
)

from cpcase.case import CaseFile
from cpcase.forms import ConsentForm, FileCoverPage, FileTransfer
from cpcase.rules.caseload import caseworker_load, supervisor_span
from cpcase.rules.closure import closure_readiness
from cpcase.rules.policy import load_profile
from cpcase.rules.schedule import (
    EmergencyEpisode,
    EpisodeKind,
    Task,
    TaskKind,
    TaskStatus,
    cadence_check,
    schedule,
)
from cpcase.rules.workflow import (
    WorkflowFacts,
    WorkflowState,
    can_transition,
    repeated_transfers,
    transfer_consent_review,
)
from cpcase.vocab import ClosureReason, ConsentMode, ConsentScope, RiskLevel, TransferReason

D = dt.date
IA = load_profile("interagency-2014")
MALI = load_profile("mali-2020")
R = D(2024, 3, 1)
R_TIME = dt.time(9, 0)
K = TaskKind
S = TaskStatus


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute)  # noqa: DTZ001 - wall-clock times


def one(tasks: tuple[Task, ...], kind: TaskKind) -> Task:
    found = [t for t in tasks if t.kind is kind and t.status in (S.UPCOMING, S.DUE, S.OVERDUE)]
    assert len(found) == 1, (kind, tasks)
    return found[0]


def n1() -> None:
    c = case(registration=registration(R, time=R_TIME))
    tasks = schedule(c, IA, at(3, 9, 1))
    first, limit = one(tasks, K.INITIAL_ASSESSMENT), one(tasks, K.INITIAL_ASSESSMENT_LIMIT)
    assert first.due_at == at(2, 9)
    assert limit.due_at == at(3, 9)
    assert limit.status is S.OVERDUE
    assert one(schedule(c, IA, at(3, 9)), K.INITIAL_ASSESSMENT_LIMIT).status is S.DUE


def n2() -> None:
    c = case(registration=registration(R, time=R_TIME, emergency=True))
    ia = one(schedule(c, IA, at(1, 9, 30)), K.INITIAL_ASSESSMENT)
    assert ia.due_at == at(1, 9)
    assert ia.rule == "emergency.imminent_danger_initial_assessment"
    assert ia.status is S.OVERDUE


def n3() -> None:
    c = case(
        registration=registration(R, time=R_TIME), initial_assessment=initial(R, RiskLevel.MEDIUM)
    )
    start = one(schedule(c, IA, R), K.FULL_ASSESSMENT_START)
    assert start.due == D(2024, 3, 8)
    assert one(schedule(c, IA, R), K.FULL_ASSESSMENT).due == D(2024, 4, 1)
    thirty = IA.override({"calendar.month": "30d"})
    assert one(schedule(c, thirty, R), K.FULL_ASSESSMENT).due == D(2024, 3, 31)


def n4() -> None:
    c = case(
        registration=registration(R),
        initial_assessment=initial(R, RiskLevel.MEDIUM),
        in_depth_assessments=[in_depth(D(2024, 3, 5), D(2024, 3, 20), RiskLevel.MEDIUM)],
    )
    assert one(schedule(c, IA, R), K.CASE_PLAN).due == D(2024, 4, 3)


def n5() -> None:
    def with_level(level: RiskLevel) -> CaseFile:
        return case(
            risks=[(R, level)],
            registration=registration(R),
            initial_assessment=initial(R, level),
            in_depth_assessments=[in_depth(D(2024, 3, 5), D(2024, 3, 20), level)],
            action_plans=[plan(D(2024, 4, 3))],
        )

    assert one(schedule(with_level(RiskLevel.MEDIUM), IA, R), K.REVIEW).due == D(2024, 7, 3)
    assert one(schedule(with_level(RiskLevel.HIGH), IA, R), K.REVIEW).due == D(2024, 5, 3)


def _monitored(level: RiskLevel) -> CaseFile:
    return case(
        risks=[(R, level)],
        registration=registration(R),
        initial_assessment=initial(R, level),
        follow_ups=[follow_ups([D(2024, 3, 4)])],  # Monday
    )


def n6() -> None:
    t = one(schedule(_monitored(RiskLevel.HIGH), IA, D(2024, 3, 4)), K.FOLLOW_UP)
    assert t.anchor == D(2024, 3, 4)
    assert t.due == D(2024, 3, 7)  # within 3.5 days: Thursday
    assert t.rule == "deadlines.follow_up.high"


def n7() -> None:
    for level in (RiskLevel.MEDIUM, RiskLevel.LOW):
        t = one(schedule(_monitored(level), IA, D(2024, 3, 4)), K.FOLLOW_UP)
        assert t.due == D(2024, 3, 11), level


def n8() -> None:
    c = case(
        registration=registration(R),
        follow_ups=[follow_ups([D(2024, 3, 5), D(2024, 3, 7)])],
    )
    safe_house = EmergencyEpisode(EpisodeKind.SAFE_HOUSE, D(2024, 3, 4))
    tasks = [
        t
        for t in schedule(c, IA, D(2024, 3, 7), episodes=[safe_house])
        if t.kind is K.SAFE_HOUSE_CONTACT
    ]
    assert [(t.due, t.status) for t in tasks] == [
        (D(2024, 3, 5), S.DONE_ON_TIME),
        (D(2024, 3, 6), S.DONE_LATE),
        (D(2024, 3, 8), S.DUE),
    ]
    assert {t.rule for t in tasks} == {"emergency.safe_house_contact"}


def n9() -> None:
    assert caseworker_load(25, IA).within_limit
    assert not caseworker_load(26, IA).within_limit


def n10() -> None:
    assert supervisor_span(6, IA).within_limit
    over = supervisor_span(7, IA)
    assert not over.within_limit
    assert over.rule == "caseload.caseworkers_per_supervisor_max"
    assert IA.caseload.over_limit.value == "warn"


def n11() -> None:
    today = D(2024, 3, 20)
    late = cadence_check("caseload.workload_review_every", today - dt.timedelta(15), IA, today)
    assert late.status is S.OVERDUE
    fine = cadence_check("caseload.workload_review_every", today - dt.timedelta(14), IA, today)
    assert fine.status is S.DUE


def n12() -> None:
    c = case(registration=registration(R, dob=D(2006, 5, 10), age=None))
    birthday = one(schedule(c, IA, D(2024, 5, 10)), K.AGE_LIMIT)
    assert (birthday.due, birthday.status) == (D(2024, 5, 10), S.DUE)
    ready = closure_readiness(c, IA, D(2024, 5, 10)).for_reason(ClosureReason.TURNED_18)
    assert ready is not None
    assert "not_yet_18" not in {m.code for m in ready.missing}
    before = closure_readiness(c, IA, D(2024, 5, 9)).for_reason(ClosureReason.TURNED_18)
    assert before is not None
    assert "not_yet_18" in {m.code for m in before.missing}


def n13() -> None:
    c = case(registration=registration(R), closures=[closure(D(2024, 6, 1))])
    readiness = closure_readiness(c, IA, D(2024, 6, 1))
    assert readiness.validation is not None
    assert readiness.validation.rule == "closure.supervisor_validation"
    proposed = WorkflowFacts(
        state=WorkflowState.CLOSURE_PROPOSED, closure_reason=ClosureReason.PLAN_GOAL_ACHIEVED
    )
    refused = can_transition(proposed, WorkflowState.CLOSED, IA)
    assert not refused.allowed
    assert [r.code for r in refused.reasons] == ["closure_not_validated"]
    validated = WorkflowFacts(
        state=WorkflowState.CLOSURE_PROPOSED,
        closure_reason=ClosureReason.PLAN_GOAL_ACHIEVED,
        closure_validated=True,
    )
    assert can_transition(validated, WorkflowState.CLOSED, IA).allowed


def n14() -> None:
    c = case(registration=registration(R))
    death = closure_readiness(c, IA, R).for_reason(ClosureReason.DECEASED)
    assert death is not None
    assert "death_not_reported" in {m.code for m in death.missing}
    reported = closure_readiness(c, IA, R, death_reported=True).for_reason(ClosureReason.DECEASED)
    assert reported is not None
    assert "death_not_reported" not in {m.code for m in reported.missing}


def n15() -> None:
    c = case(
        registration=registration(R),
        closures=[
            closure(
                D(2024, 6, 1),
                supervisor_id="sup-1",
                closure_approved=True,
                closure_approved_date=D(2024, 6, 1),
                closure_meeting_date=D(2024, 6, 1),
            )
        ],
    )
    visit = one(schedule(c, IA, D(2024, 6, 2)), K.POST_CLOSURE_VISIT)
    assert (visit.due, visit.rule) == (D(2024, 9, 1), "closure.post_closure_visit")
    assert schedule(c, MALI, D(2024, 6, 2)) == ()  # the Mali SOP has no post-closure visit


def n16() -> None:
    c = case(risks=[(R, RiskLevel.HIGH)], registration=registration(R))
    declined = ClosureReason.CHILD_FAMILY_DECLINED
    bare = closure_readiness(c, IA, R).for_reason(declined)
    assert bare is not None
    assert "declined_safety_not_confirmed" in {m.code for m in bare.missing}
    safe = case(
        risks=[(R, RiskLevel.HIGH)],
        registration=registration(R),
        closures=[
            closure(R, declined, no_danger_confirmed=True, significant_progress_recorded=True)
        ],
    )
    checked = closure_readiness(safe, IA, R).for_reason(declined)
    assert checked is not None
    assert "declined_safety_not_confirmed" not in {m.code for m in checked.missing}


def _consent(scope: ConsentScope, **extra: object) -> ConsentForm:
    return ConsentForm.model_validate(
        {
            "case_code": CODE,
            "form_date": R,
            "consent_date": R,
            "consent_mode": ConsentMode.WRITTEN_FORM,
            "givers": [{"relationship": "child", "agreed": True}],
            "information_explained": True,
            "consent_scope": [scope],
            **extra,
        },
        context=CTX,
    )


def n17() -> None:
    files = [
        case(
            code=f"ML-MOP-ORG-2024-{i:05d}",
            registration=registration(R, code=f"ML-MOP-ORG-2024-{i:05d}"),
        )
        for i in range(1, 41)
    ]
    assert len(transfer_consent_review(files, R)) == 40
    covered = case(registration=registration(R), consents=[_consent(ConsentScope.TRANSFER)])
    withdrawn = case(
        registration=registration(R),
        consents=[_consent(ConsentScope.TRANSFER, withdrawn_on=D(2024, 3, 2))],
    )
    flagged = transfer_consent_review([covered, withdrawn], D(2024, 3, 5))
    assert [(code, r.code) for code, r in flagged] == [(CODE, "transfer_consent_missing")]


def _transfer(day: dt.date) -> FileTransfer:
    return FileTransfer.model_validate(
        {
            "case_code": CODE,
            "form_date": day,
            "transfer_date": day,
            "transfer_reason": TransferReason.MOVE,
            "receiving_organisation": "ORG2",
            "receiving_org_has_trained_cm_team": True,
            "disclosure_other_orgs": True,
            "consent_form_ref": "1A-1",
        },
        context=CTX,
    )


def n18() -> None:
    once = case(registration=registration(R), transfers=[_transfer(R)])
    assert repeated_transfers(once, IA) is None
    twice = case(registration=registration(R), transfers=[_transfer(R), _transfer(D(2024, 4, 1))])
    warning = repeated_transfers(twice, IA)
    assert warning is not None
    assert (warning.code, warning.rule) == ("repeated_transfers", "referrals.transfers_warning_at")


def n23() -> None:
    # The cover page model has no field that could hold a name (only codes and dates).
    assert not [name for name in FileCoverPage.model_fields if "name" in name]


def n24() -> None:
    today = D(2024, 3, 20)
    check = cadence_check("supervision.emergency_cm_meeting_every", D(2024, 3, 12), IA, today)
    assert (check.due, check.status) == (D(2024, 3, 19), S.OVERDUE)
    mali = cadence_check("supervision.emergency_cm_meeting_every", D(2024, 3, 12), MALI, today)
    assert mali.status is None  # the Mali SOP sets no emergency meeting cadence


#: Fixtures N19-N22 are information-sharing rules; their golden tests live in
#: tests/rules/sharing/ as ``test_n19_*`` ... ``test_n22_*`` (checked below, not skipped).
SHARING_FIXTURES = ("N19", "N20", "N21", "N22")
FIXTURES: dict[str, Callable[[], None]] = {
    "N1": n1,
    "N2": n2,
    "N3": n3,
    "N4": n4,
    "N5": n5,
    "N6": n6,
    "N7": n7,
    "N8": n8,
    "N9": n9,
    "N10": n10,
    "N11": n11,
    "N12": n12,
    "N13": n13,
    "N14": n14,
    "N15": n15,
    "N16": n16,
    "N17": n17,
    "N18": n18,
    "N23": n23,
    "N24": n24,
}


@pytest.mark.parametrize("fixture_id", list(FIXTURES), ids=list(FIXTURES))
def test_course_fixture(fixture_id: str) -> None:
    """Course requirements §7.3, one fixture per id."""
    FIXTURES[fixture_id]()


def test_every_course_fixture_has_a_golden_test() -> None:
    """N1-N24 are all covered: here, or (N19-N22) by named tests of the sharing rules."""
    sharing_tests = "".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).parent / "sharing").glob("test_*.py")
    )
    for n in range(1, 25):
        fixture = f"N{n}"
        if fixture in SHARING_FIXTURES:
            assert f"def test_{fixture.lower()}_" in sharing_tests, fixture
        else:
            assert fixture in FIXTURES, fixture
