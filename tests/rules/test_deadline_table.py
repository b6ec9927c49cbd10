"""Golden test of the SOP §4.3 deadline table (L744–L748), worked by hand for each risk level.

The same synthetic file for every level: identified and registered Monday 4 March 2024 at 10:00
(risk decided at registration), initial assessment 5 March, full assessment 6–8 March, plan 11
March validated 12 March, no follow-up or review yet; today 12 March.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rules_builders import case, in_depth, initial, plan, registration

from cpcase.rules.policy import load_profile
from cpcase.rules.schedule import Task, TaskKind, TaskStatus, schedule
from cpcase.vocab import RiskLevel

D = dt.date
K = TaskKind
S = TaskStatus


def file_at(level: RiskLevel):  # type: ignore[no-untyped-def]
    return case(
        risks=[(D(2024, 3, 4), level)],
        registration=registration(D(2024, 3, 4), time=dt.time(10, 0)),
        initial_assessment=initial(D(2024, 3, 5), level),
        in_depth_assessments=[in_depth(D(2024, 3, 6), D(2024, 3, 8), level)],
        action_plans=[plan(D(2024, 3, 11), approved=D(2024, 3, 12))],
    )


def by_kind(tasks: tuple[Task, ...]) -> dict[TaskKind, Task]:
    out: dict[TaskKind, Task] = {}
    for t in tasks:
        assert t.kind not in out or t.kind is K.PLAN_ACTIVITY, t.kind
        out[t.kind] = t
    return out


# (kind, due date, due time or None, status) worked by hand from SOP §4.3 L744–L748.
GOLDEN = {
    RiskLevel.HIGH: [
        # "Avant de quitter l'enfant": due at registration, 4 March 10:00; done the 5th: late.
        (K.INITIAL_ASSESSMENT, D(2024, 3, 4), dt.time(10, 0), S.DONE_LATE),
        # "Tout de suite après … l'évaluation initiale": 5 March; completed the 8th: late.
        (K.FULL_ASSESSMENT, D(2024, 3, 5), None, S.DONE_LATE),
        # "Dans les trois jours suivant l'évaluation complète": 8 + 3 = 11 March.
        (K.CASE_PLAN, D(2024, 3, 11), None, S.DONE_ON_TIME),
        # Validation at the next weekly CM meeting (profile default): 11 + 7 = 18 March.
        (K.PLAN_VALIDATION, D(2024, 3, 18), None, S.DONE_ON_TIME),
        # "Au moins deux fois par semaine" from the start of implementation (12 March, Tue):
        # every 3.5 days, i.e. Friday 15 March.
        (K.FOLLOW_UP, D(2024, 3, 15), None, S.UPCOMING),
        # "Au moins une fois par mois": 12 April.
        (K.REVIEW, D(2024, 4, 12), None, S.UPCOMING),
    ],
    RiskLevel.MEDIUM: [
        # "Dans les 24H": 5 March 10:00; done the 5th (no time recorded): on time.
        (K.INITIAL_ASSESSMENT, D(2024, 3, 5), dt.time(10, 0), S.DONE_ON_TIME),
        # "Dans la semaine": 5 + 7 = 12 March.
        (K.FULL_ASSESSMENT, D(2024, 3, 12), None, S.DONE_ON_TIME),
        # "Dans la semaine suivant l'évaluation complète": 8 + 7 = 15 March.
        (K.CASE_PLAN, D(2024, 3, 15), None, S.DONE_ON_TIME),
        (K.PLAN_VALIDATION, D(2024, 3, 25), None, S.DONE_ON_TIME),
        # "Au moins une fois par semaine": 19 March.
        (K.FOLLOW_UP, D(2024, 3, 19), None, S.UPCOMING),
        # "Au moins une fois tous les deux mois": 12 May.
        (K.REVIEW, D(2024, 5, 12), None, S.UPCOMING),
    ],
    RiskLevel.LOW: [
        (K.INITIAL_ASSESSMENT, D(2024, 3, 5), dt.time(10, 0), S.DONE_ON_TIME),
        # "Dans le mois": 5 April (calendar month by default).
        (K.FULL_ASSESSMENT, D(2024, 4, 5), None, S.DONE_ON_TIME),
        # "Dans les deux semaines": 8 + 14 = 22 March.
        (K.CASE_PLAN, D(2024, 3, 22), None, S.DONE_ON_TIME),
        (K.PLAN_VALIDATION, D(2024, 3, 25), None, S.DONE_ON_TIME),
        # "Au moins une fois toutes les deux semaines": 26 March.
        (K.FOLLOW_UP, D(2024, 3, 26), None, S.UPCOMING),
        # "Au moins une fois tous les trois mois": 12 June.
        (K.REVIEW, D(2024, 6, 12), None, S.UPCOMING),
    ],
}


@pytest.mark.parametrize("level", list(GOLDEN), ids=lambda lv: lv.value)
def test_sop_table_for_each_level(level: RiskLevel) -> None:
    """Each step of the table is due when the SOP says, with the rule that produced it."""
    tasks = by_kind(schedule(file_at(level), load_profile("mali-2020"), D(2024, 3, 12)))
    for kind, due, time, status in GOLDEN[level]:
        task = tasks[kind]
        assert task.due == due, kind
        assert (task.due_at.time() if task.due_at else None) == time, kind
        assert task.status is status, kind
        assert task.rule == f"deadlines.{kind.value}.{level.value}", kind
        assert task.risk_level is level
    assert K.CLOSURE_RECOMMENDED not in tasks
    assert K.COMMUNITY_FOLLOW_UP not in tasks


def test_none_row() -> None:
    """At no risk: 24 h initial assessment, closure recommended, community follow-up; no
    plan-validation, follow-up or review deadline (SOP L745–L748, blank cells)."""
    tasks = by_kind(schedule(file_at(RiskLevel.NONE), load_profile("mali-2020"), D(2024, 3, 12)))
    ia = tasks[K.INITIAL_ASSESSMENT]
    assert ia.due_at == dt.datetime(2024, 3, 5, 10, 0)  # noqa: DTZ001 - wall-clock times
    assert ia.rule == "deadlines.initial_assessment.none"
    closing = tasks[K.CLOSURE_RECOMMENDED]
    assert (closing.due, closing.status, closing.advisory) == (D(2024, 3, 5), S.DUE, True)
    assert closing.rule == "deadlines.full_assessment.none"
    community = tasks[K.COMMUNITY_FOLLOW_UP]
    assert (community.due, community.rule) == (D(2024, 3, 8), "deadlines.case_plan.none")
    for kind in (K.FULL_ASSESSMENT, K.CASE_PLAN, K.PLAN_VALIDATION, K.FOLLOW_UP, K.REVIEW):
        assert kind not in tasks


def test_initial_assessment_before_anything_is_decided() -> None:
    """With no level decided yet, the profile's default level (medium) sets the first clock."""
    c = case(registration=registration(D(2024, 3, 4), time=dt.time(10, 0)))
    (ia,) = [
        t for t in schedule(c, load_profile(), D(2024, 3, 4)) if t.kind is K.INITIAL_ASSESSMENT
    ]
    assert ia.rule == "deadlines.initial_assessment.medium"
    assert ia.due_at == dt.datetime(2024, 3, 5, 10, 0)  # noqa: DTZ001 - wall-clock times
    assert ia.status is S.DUE  # within the profile's 2-day "due soon" window
