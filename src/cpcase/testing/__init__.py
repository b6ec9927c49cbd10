"""Hypothesis strategies for cpcase objects, for cpcase's tests and downstream projects' own.

``form_strategies()`` maps every catalogue form code to a strategy of valid instances;
``case_files()`` builds whole valid :class:`~cpcase.case.CaseFile` objects. Generated dates lie
between 2015 and mid-2026 so that nothing is in the future; names are synthetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from cpcase.case import CaseFile, RiskDecision
from cpcase.forms import FormBase
from cpcase.testing import forms_part1 as p1
from cpcase.testing import forms_part2 as p2
from cpcase.vocab import CaseStatus, RiskLevel

__all__ = ["case_codes", "case_files", "form_strategies", "risk_decisions"]

_FORM_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "1.A": p1.consent_forms(),
    "1.B": p1.registration_forms(),
    "1.C": p1.initial_assessment_forms(),
    "1.D": p1.uasc_registration_forms(),
    "1.E": p1.missing_child_forms(),
    "2.A": p1.in_depth_assessment_forms(),
    "3.A": p2.case_plans(),
    "3.B": p2.case_conference_reports(),
    "4.A": p2.services_provided(),
    "4.B": p1.child_location_forms(),
    "4.C": p1.adult_verification_forms(),
    "4.D": p1.child_verification_forms(),
    "4.E": p1.reunification_forms(),
    "5.A": p2.case_follow_ups(),
    "5.B": p2.case_reviews(),
    "5.C": p2.follow_up_conference_reports(),
    "6.A": p2.case_closures(),
    "6.B": p2.child_feedbacks(),
    "6.C": p2.adult_feedbacks(),
    "A.1": p2.referrals(),
    "A.2": p2.file_transfers(),
    "A.3": p2.community_referrals(),
    "B.1": p2.case_reopenings(),
    "COVER": p2.file_cover_pages(),
    "CHECKLIST": p2.file_checklists(),
    "SP": p2.service_provider_records(),
    "BIA": p1.best_interests_assessments(),
    "BID": p1.best_interests_determinations(),
}


def form_strategies() -> dict[str, st.SearchStrategy[Any]]:
    """Form code → strategy of valid instances of that form, for every catalogue form."""
    return dict(_FORM_STRATEGIES)


def case_codes() -> st.SearchStrategy[str]:
    """Valid anonymised case codes in the default format (``ML-MOP-ORG-2026-00042``)."""
    return st.builds(
        lambda region, org, year, seq: f"ML-{region}-{org}-{year}-{seq:05d}",
        st.sampled_from(["BKO", "MOP", "SGO", "KYS", "GAO", "TBK", "SKS"]),
        st.sampled_from(["TDH", "ENDA", "DRPFEF", "ORG1", "SCI"]),
        st.integers(2018, 2026),
        st.integers(1, 99_999),
    )


def risk_decisions(
    min_size: int = 0, max_size: int = 4
) -> st.SearchStrategy[tuple[RiskDecision, ...]]:
    """Chronological risk histories."""

    @st.composite
    def _history(draw: st.DrawFn) -> tuple[RiskDecision, ...]:
        days = sorted(
            draw(
                st.lists(
                    st.dates(dt.date(2018, 1, 1), dt.date(2026, 6, 30)),
                    min_size=min_size,
                    max_size=max_size,
                )
            )
        )
        out = []
        for day in days:
            level = draw(st.sampled_from(list(RiskLevel)))
            suggested = draw(st.none() | st.sampled_from(list(RiskLevel)))
            out.append(
                RiskDecision(
                    level=level,
                    decided_on=day,
                    decided_by=draw(st.none() | st.sampled_from(["cw1", "cw2"])),
                    suggested_level=suggested,
                    justification=(
                        "Facteurs aggravants constatés lors de la visite"
                        if suggested not in (None, level)
                        else None
                    ),
                )
            )
        return tuple(out)

    return _history()


def _rebind(form: FormBase, case_code: str) -> FormBase:
    return type(form).model_validate({**dict(form), "case_code": case_code})


@st.composite
def case_files(draw: st.DrawFn, *, max_repeats: int = 2, sparse: bool = True) -> CaseFile:
    """Valid case files: each catalogue form present or not, repeated forms 0..max_repeats.

    With ``sparse`` (default) each form is present with probability about one half, which keeps
    generation fast while still covering every form over a run.
    """
    code = draw(case_codes())
    data: dict[str, Any] = {
        "case_code": code,
        "organisation_id": draw(st.sampled_from(["TDH", "ENDA", "DRPFEF-MOP", "SCI"])),
        "caseworker_id": draw(st.none() | st.sampled_from(["cw-01", "cw-02", "cw-03"])),
        "supervisor_id": draw(st.none() | st.sampled_from(["sup-01", "sup-02"])),
        "status": draw(st.sampled_from(list(CaseStatus))),
        "risk_history": draw(risk_decisions()),
    }
    for form_code, attr in CaseFile.FORM_ATTRIBUTES.items():
        if sparse and not draw(st.booleans()):
            continue
        strategy = _FORM_STRATEGIES[form_code]
        if isinstance(CaseFile.model_fields[attr].default, tuple):
            forms = draw(st.lists(strategy, max_size=max_repeats))
            data[attr] = tuple(_rebind(f, code) for f in forms)
        elif draw(st.booleans()):
            data[attr] = _rebind(draw(strategy), code)
    if draw(st.booleans()):
        data["extra_fields"] = draw(
            st.dictionaries(
                st.sampled_from(["cpims_custom_a", "unhcr_id_no", "workflow_status_note"]),
                st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=10),
                max_size=2,
            )
        )
    return CaseFile.model_validate(data)
