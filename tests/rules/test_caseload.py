"""Caseload and supervision ratios: GBV key actions L9 and Mali SOP L377–L378, worked by hand."""

from __future__ import annotations

import pytest

from cpcase.rules.caseload import (
    CaseAssignment,
    LoadStatus,
    caseload_report,
    caseworker_load,
    check_assignment,
    staffing_need,
    suggest_assignment,
    supervisor_span,
)
from cpcase.rules.policy import load_profile

GBV = load_profile("gbv-2019")
MALI = load_profile("mali-2020")
St = LoadStatus


@pytest.mark.parametrize(
    ("cases", "status"),
    [
        (0, St.OK),
        (15, St.OK),
        (16, St.ABOVE_TARGET),
        (19, St.ABOVE_TARGET),
        (20, St.AT_LIMIT),
        (21, St.OVER),
    ],
)
def test_gbv_caseworker_ratio(cases: int, status: LoadStatus) -> None:
    """GBV L9: « 1 à 15 cas actifs et de 1 à 20 au maximum »."""
    check = caseworker_load(cases, GBV, caseworker="cw-1")
    assert check.status is status
    assert (check.target, check.maximum) == (15, 20)
    assert check.capacity == max(0, 20 - cases)


@pytest.mark.parametrize(
    ("caseworkers", "status"),
    [(5, St.OK), (6, St.ABOVE_TARGET), (8, St.AT_LIMIT), (9, St.OVER)],
)
def test_gbv_supervision_ratio(caseworkers: int, status: LoadStatus) -> None:
    """GBV L9: « superviseur-assistante sociale de 1 à 5 et au maximum de 1 à 8 »."""
    assert supervisor_span(caseworkers, GBV).status is status


def test_mali_ratios() -> None:
    """SOP L377: maximum 25 open cases; L378: a supervisor for 5–6 caseworkers."""
    assert caseworker_load(25, MALI).status is St.AT_LIMIT
    assert caseworker_load(24, MALI).status is St.OK
    assert caseworker_load(26, MALI).status is St.OVER
    assert [supervisor_span(n, MALI).status for n in (5, 6, 7)] == [St.OK, St.AT_LIMIT, St.OVER]
    over = caseworker_load(26, MALI).reasons[0]
    assert over.code == "load_over"
    assert over.rule == "caseload.cases_per_caseworker_max"
    assert "26" in over.fr
    with pytest.raises(ValueError, match="negative"):
        caseworker_load(-1, MALI)


def test_staffing_need() -> None:
    """130 GBV cases: 9 caseworkers at 15 (7 at most load 20); 2 supervisors at 1:5 (1 at 1:8)."""
    need = staffing_need(130, policy=GBV, caseworkers=6, supervisors=1)
    assert (need.caseworkers_needed, need.caseworkers_minimum) == (9, 7)
    assert (need.supervisors_needed, need.supervisors_minimum) == (2, 1)
    assert (need.caseworkers_to_add, need.supervisors_to_add) == (3, 1)
    mali = staffing_need(300, policy=MALI, caseworkers=14, supervisors=2)
    assert (mali.caseworkers_needed, mali.caseworkers_to_add) == (12, 0)
    assert (mali.supervisors_needed, mali.supervisors_to_add) == (3, 1)  # 14 present → 3 at 1:5
    assert staffing_need(0, policy=MALI).caseworkers_needed == 0


def test_suggest_assignment() -> None:
    """The least-loaded caseworker with room (ties by id); never past the maximum."""
    loads = {"cw-b": 12, "cw-a": 12, "cw-c": 20, "cw-d": 3}
    s = suggest_assignment(loads, GBV, exclude=["cw-d"])
    assert s.caseworker == "cw-a"
    assert [c.who for c in s.ranking] == ["cw-a", "cw-b", "cw-c"]
    full = suggest_assignment({"cw-c": 20, "cw-e": 25}, GBV)
    assert full.caseworker is None
    assert full.reasons[0].code == "no_caseworker_with_room"


def test_override_requires_a_reason() -> None:
    """Over the maximum: refused without a written reason; accepted with one when the profile
    warns; refused outright when it blocks."""
    ok = check_assignment("cw-1", 19, GBV)
    assert (ok.allowed, ok.overridden, ok.load_after.status) == (True, False, St.AT_LIMIT)
    refused = check_assignment("cw-1", 20, GBV, override_reason="  ")
    assert not refused.allowed
    assert refused.reasons[-1].code == "override_reason_required"
    accepted = check_assignment("cw-1", 20, GBV, override_reason="emergency influx, 2 weeks")
    assert (accepted.allowed, accepted.overridden) == (True, True)
    assert accepted.override_reason == "emergency influx, 2 weeks"
    strict = GBV.override({"caseload.over_limit": "block"})
    blocked = check_assignment("cw-1", 20, strict, override_reason="emergency influx")
    assert not blocked.allowed
    assert blocked.reasons[-1].code == "over_limit_blocked"


def test_caseload_report() -> None:
    """Loads per caseworker, spans per supervisor (distinct caseworkers), unassigned kept."""
    assignments = [
        *(CaseAssignment(f"C{i}", "cw-1", "sup-1") for i in range(21)),
        *(CaseAssignment(f"D{i}", "cw-2", "sup-1") for i in range(4)),
        CaseAssignment("E1", "cw-3", None),
        CaseAssignment("F1", None, "sup-1"),
    ]
    report = caseload_report(assignments, GBV)
    assert [(c.who, c.count, c.status) for c in report.caseworkers] == [
        ("cw-1", 21, St.OVER),
        ("cw-2", 4, St.OK),
        ("cw-3", 1, St.OK),
    ]
    assert [(s.who, s.count) for s in report.supervisors] == [("sup-1", 2)]
    assert report.unassigned == ("F1",)
    assert [c.who for c in report.over] == ["cw-1"]
    assert report.staffing.open_cases == 27
    assert report.staffing.caseworkers_needed == 2
