"""Facts read from a case file, shared by the schedule, closure and workflow rules (internal)."""

from __future__ import annotations

import datetime as dt

from cpcase.case import CaseFile
from cpcase.rules.policy import Policy
from cpcase.vocab.core import CaseStatus, RiskLevel

__all__ = ["age_limit_date", "closed_on", "last_activity_on", "risk_timeline"]


def risk_timeline(case: CaseFile, policy: Policy) -> list[tuple[dt.date, RiskLevel]]:
    """Every recorded level, by date; on one day the caseworker's decision (history) wins."""
    entries: list[tuple[dt.date, int, RiskLevel]] = []
    reg = case.registration
    if reg is not None:
        if reg.emergency_care_needed and policy.emergency.sets_risk_high.value:
            entries.append((reg.identification_date, 0, RiskLevel.HIGH))
        elif reg.risk_level is not None:
            entries.append((reg.registration_date, 0, reg.risk_level))
    ia = case.initial_assessment
    if ia is not None:
        entries.append((ia.assessment_date, 1, ia.risk_level))
    for a in case.in_depth_assessments:
        entries.append((a.assessment_completed_date or a.assessment_start_date, 2, a.risk_level))
    for f in case.follow_ups:
        for c in f.followup_subform_section:
            if c.risk_level is not None:
                entries.append((c.followup_date, 3, c.risk_level))
    for r in case.reviews:
        entries.append((r.review_date, 4, r.risk_level))
    for b in case.reopenings:
        entries.append((b.reopen_date, 5, b.risk_level))
    for d in case.risk_history:
        entries.append((d.decided_on, 6, d.level))
    entries.sort()
    return [(when, level) for when, _, level in entries]


def closed_on(case: CaseFile) -> dt.date | None:
    """The date of the closure in force, or None when the file is open.

    A closure form (6.A) closes the file once the supervisor validated it (SOP L1119); a draft
    6.A is only a proposal. A file whose status is closed or transferred is closed on its last
    closure date (or its last form date when no 6.A is held). A later reopening (B.1) reopens.
    """
    last_reopen = max((b.reopen_date for b in case.reopenings), default=None)
    validated = [c.date_closure for c in case.closures if c.closure_approved]
    last_closure = max(validated, default=None)
    if last_closure is not None and (last_reopen is None or last_closure >= last_reopen):
        return last_closure
    if case.status in (CaseStatus.CLOSED, CaseStatus.TRANSFERRED):
        any_closure = max((c.date_closure for c in case.closures), default=None)
        return any_closure or max((f.form_date for f in case.forms()), default=None)
    return None


def age_limit_date(case: CaseFile, age_limit: int) -> tuple[dt.date | None, bool]:
    reg = case.registration
    if reg is None:
        return None, False
    if reg.date_of_birth is not None:
        base, years, estimated = reg.date_of_birth, age_limit, False
    elif reg.age is not None:
        base, years, estimated = reg.registration_date, age_limit - reg.age, True
    else:
        return None, False
    try:
        return base.replace(year=base.year + years), estimated
    except ValueError:  # 29 February
        return dt.date(base.year + years, 3, 1), estimated


_FORM_ATTRIBUTES = tuple(CaseFile.FORM_ATTRIBUTES.values())


def last_activity_on(case: CaseFile) -> dt.date | None:
    """The date of the latest form, follow-up contact or risk decision of the file."""
    last: dt.date | None = None
    for attr in _FORM_ATTRIBUTES:
        held = getattr(case, attr)
        if held is None:
            continue
        for form in held if type(held) is tuple else (held,):
            if last is None or form.form_date > last:
                last = form.form_date
    for f in case.follow_ups:
        for c in f.followup_subform_section:
            if last is None or c.followup_date > last:
                last = c.followup_date
    for d in case.risk_history:
        if last is None or d.decided_on > last:
            last = d.decided_on
    return last
