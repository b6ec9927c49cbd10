"""Closure readiness: which closure reasons are allowed now, and what is missing (SOP §5.6).

For each reason the profile allows (``closure.reasons``), :func:`closure_readiness` checks the
guards that apply to it and lists what is missing, each as a :class:`Reason`:

- every reason: the supervisor then validates the closure in a closure meeting
  (``closure.supervisor_validation``, SOP L1119); that is the last step, given as
  ``ClosureReadiness.validation``, not as something missing;
- goal achieved, declined, turned 18: the decision is discussed with the child and family, a
  closure interview with feedback forms 6.B/6.C is held (``closure.closure_interview``, L1116–
  L1117) and the child is told they can come back (L1120);
- goal achieved: at least ``closure.min_reviews`` reviews (L1118), plan activities completed or
  cancelled, ``closure.min_transition_follow_ups`` follow-up visits after the last activity was
  completed ("pas immédiatement après la mise en œuvre", L1118), and every main form of
  ``closure.main_forms`` in the file (§6.1.1 L1133);
- child/family declined: no danger confirmed and significant progress recorded
  (``closure.declined_requires_safety``, L1110);
- lost to follow-up: the child not seen for ``closure.lost_to_follow_up_min`` (L1111);
- deceased: reported to the government CP department (``closure.death_report_required``, course
  L1105; no form records it, so pass ``death_reported``);
- transferred: a completed or accepted transfer (A.2) to a structure with a trained CM team
  (L564);
- turned 18: the 18th birthday has passed (course L171);
- inactive 3 months: no activity for ``closure.inactivity`` (L1102);
- opened in error: no case plan was made (course L919).

"Allowed now" means the closure can be put to the supervisor's closure meeting. The facts the
caseworker records before it (interview, confirmations, last contact) are read from the latest
closure form (6.A) of the file, which is the closure proposal until the supervisor validates it.

:func:`closure_proposals` lists open files that should be proposed for closure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from cpcase.case import CaseFile
from cpcase.forms import CaseClosure
from cpcase.rules._facts import age_limit_date, closed_on, last_activity_on, risk_timeline
from cpcase.rules.calendars import Duration
from cpcase.rules.policy import Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import CaseStatus, RiskLevel
from cpcase.vocab.services import (
    ActivityStatus,
    ClosureReason,
    FollowUpType,
    TransferStatus,
)

__all__ = [
    "ClosureProposal",
    "ClosureReadiness",
    "ReasonReadiness",
    "closure_proposals",
    "closure_readiness",
]

_SOP = "Mali SOP 2020"
_R = ClosureReason
_WITH_CHILD = frozenset({_R.PLAN_GOAL_ACHIEVED, _R.CHILD_FAMILY_DECLINED, _R.TURNED_18})


@attrs.frozen
class ReasonReadiness:
    """One closure reason: allowed now, or what is missing."""

    reason: ClosureReason
    allowed: bool
    missing: tuple[Reason, ...]


@attrs.frozen
class ClosureReadiness:
    """Every reason of the profile for one case, and the reasons allowed now."""

    case_code: str
    already_closed: bool
    reasons: tuple[ReasonReadiness, ...]
    validation: Reason | None

    @property
    def allowed_reasons(self) -> tuple[ClosureReason, ...]:
        """The closure reasons whose guards are all met."""
        return tuple(r.reason for r in self.reasons if r.allowed)

    def for_reason(self, reason: ClosureReason) -> ReasonReadiness | None:
        """The readiness of ``reason``, or None if the profile does not allow it."""
        return next((r for r in self.reasons if r.reason is reason), None)


def _m(code: str, fr: str, en: str, rule: str | None, line: str) -> Reason:
    return Reason(code, fr, en, rule, line)


def _elapsed(policy: Policy, since: dt.date, cited_key: str, today: dt.date) -> bool | None:
    """Whether the delay at ``cited_key`` has passed since ``since`` (None if not applicable)."""
    delay = policy.lookup(cited_key).value
    if not isinstance(delay, Duration):
        return None
    return today >= policy.clock.add(since, delay)


def _latest_closure(case: CaseFile, start: dt.date | None) -> CaseClosure | None:
    """The closure proposal: the latest 6.A since the last reopening."""
    held = [c for c in case.closures if start is None or c.date_closure >= start]
    if not held:
        return None
    return max(enumerate(held), key=lambda p: (p[1].date_closure, p[0]))[1]


def _common(
    case: CaseFile, draft: CaseClosure | None, reason: ClosureReason, policy: Policy
) -> list[Reason]:
    out: list[Reason] = []
    c = policy.closure
    if reason in _WITH_CHILD:
        if draft is None or not (
            draft.closure_discussed_child or draft.closure_discussed_caregiver
        ):
            out.append(
                _m(
                    "not_discussed_with_child_family",
                    "Décision non discutée avec l'enfant et la famille",
                    "Decision not discussed with the child and family",
                    None,
                    f"{_SOP} §5.6 L1116",
                )
            )
        if c.closure_interview.value and (
            draft is None
            or draft.closure_interview_date is None
            or not (case.child_feedback or case.adult_feedback)
        ):
            out.append(
                _m(
                    "no_closure_interview",
                    "Pas d'entretien de clôture avec fiche de feedback (6.B / 6.C)",
                    "No closure interview with a feedback form (6.B / 6.C)",
                    "closure.closure_interview",
                    f"{_SOP} §5.6 L1117",
                )
            )
        if draft is None or not draft.closure_child_told_contact_support:
            out.append(
                _m(
                    "not_told_can_come_back",
                    "L'enfant / la famille n'a pas été informé(e) qu'il peut revenir",
                    "The child / family was not told they can come back",
                    None,
                    f"{_SOP} §5.6 L1120",
                )
            )
    return out


def _goal_achieved(case: CaseFile, start: dt.date | None, policy: Policy) -> list[Reason]:
    out: list[Reason] = []
    c = policy.closure
    reviews = [r for r in case.reviews if start is None or r.review_date >= start]
    if len(reviews) < c.min_reviews.value:
        out.append(
            _m(
                "not_enough_reviews",
                f"{len(reviews)} revue(s) du cas, au moins {c.min_reviews.value} requise(s)",
                f"{len(reviews)} case review(s), at least {c.min_reviews.value} required",
                "closure.min_reviews",
                f"{_SOP} §5.6 L1118",
            )
        )
    plans = [p for p in case.action_plans if start is None or p.date_case_plan >= start]
    transition_start: dt.date | None = None
    if plans:
        latest = max(enumerate(plans), key=lambda p: (p[1].date_case_plan, p[0]))[1]
        done: dict[str, dt.date] = {}
        for f in case.follow_ups:
            for contact in f.followup_subform_section:
                for u in contact.activity_updates:
                    if u.interventions_status is ActivityStatus.COMPLETED:
                        done.setdefault(u.activity_ref, contact.followup_date)
        open_acts = [
            a
            for a in latest.activities
            if a.interventions_status not in (ActivityStatus.COMPLETED, ActivityStatus.CANCELLED)
            and a.row_id not in done
        ]
        if open_acts:
            out.append(
                _m(
                    "plan_activities_open",
                    f"{len(open_acts)} activité(s) du plan non réalisée(s)",
                    f"{len(open_acts)} plan activit(y/ies) not completed",
                    None,
                    f"{_SOP} §5.6 L1108",
                )
            )
        transition_start = max(done.values(), default=latest.date_case_plan)
    else:
        out.append(
            _m(
                "no_case_plan",
                "Pas de plan de prise en charge : l'objectif ne peut pas être atteint",
                "No case plan: its goal cannot have been achieved",
                None,
                f"{_SOP} §5.6 L1108",
            )
        )
    visits = sum(
        1
        for f in case.follow_ups
        for contact in f.followup_subform_section
        if contact.followup_type is not FollowUpType.POST_CLOSURE
        and transition_start is not None
        and contact.followup_date > transition_start
    )
    if visits < c.min_transition_follow_ups.value:
        out.append(
            _m(
                "transition_follow_ups_missing",
                f"{visits} visite(s) de suivi de transition, au moins "
                f"{c.min_transition_follow_ups.value} requise(s)",
                f"{visits} transition follow-up visit(s), at least "
                f"{c.min_transition_follow_ups.value} required",
                "closure.min_transition_follow_ups",
                f"{_SOP} §5.6 L1118",
            )
        )
    present = case.form_codes()
    missing_forms = [code for code in c.main_forms.value if code not in present]
    if missing_forms:
        out.append(
            _m(
                "main_forms_missing",
                "Formulaires principaux absents : " + ", ".join(missing_forms),
                "Main forms missing: " + ", ".join(missing_forms),
                "closure.main_forms",
                f"{_SOP} §6.1.1 L1133",
            )
        )
    return out


def _specific(
    reason: ClosureReason,
    case: CaseFile,
    draft: CaseClosure | None,
    start: dt.date | None,
    policy: Policy,
    today: dt.date,
    *,
    death_reported: bool | None,
) -> list[Reason]:
    c = policy.closure
    if reason is _R.PLAN_GOAL_ACHIEVED:
        return _goal_achieved(case, start, policy)
    if reason is _R.CHILD_FAMILY_DECLINED:
        if c.declined_requires_safety.value and (
            draft is None
            or not (draft.no_danger_confirmed and draft.significant_progress_recorded)
        ):
            return [
                _m(
                    "declined_safety_not_confirmed",
                    "Absence de danger et progrès significatifs non confirmés",
                    "No danger and significant progress not confirmed",
                    "closure.declined_requires_safety",
                    f"{_SOP} §5.6 L1110",
                )
            ]
        return []
    if reason is _R.LOST_TO_FOLLOW_UP:
        seen = [
            contact.followup_date
            for f in case.follow_ups
            for contact in f.followup_subform_section
            if contact.child_was_seen is not False
        ]
        if draft is not None and draft.last_contact_date is not None:
            seen.append(draft.last_contact_date)
        last = max(seen, default=None)
        if last is None:
            return [
                _m(
                    "last_contact_unknown",
                    "Date du dernier contact inconnue",
                    "Date of the last contact unknown",
                    "closure.lost_to_follow_up_min",
                    f"{_SOP} §5.6 L1111",
                )
            ]
        if _elapsed(policy, last, "closure.lost_to_follow_up_min", today) is False:
            return [
                _m(
                    "lost_too_recently",
                    "Dernier contact trop récent : attendre avant de clore",
                    "Last contact too recent: wait before closing",
                    "closure.lost_to_follow_up_min",
                    f"{_SOP} §5.6 L1111",
                )
            ]
        return []
    if reason is _R.DECEASED:
        if c.death_report_required.value and death_reported is not True:
            return [
                _m(
                    "death_not_reported",
                    "Décès non signalé au département gouvernemental de protection de l'enfance",
                    "Death not reported to the government child-protection department",
                    "closure.death_report_required",
                    "CM course L1105",
                )
            ]
        return []
    if reason is _R.TRANSFERRED:
        ok = any(
            t.transfer_status in (TransferStatus.ACCEPTED, TransferStatus.COMPLETED)
            and t.receiving_org_has_trained_cm_team
            for t in case.transfers
        )
        if ok:
            return []
        return [
            _m(
                "no_completed_transfer",
                "Pas de transfert (A.2) accepté vers une structure avec une équipe formée",
                "No accepted transfer (A.2) to a structure with a trained team",
                "eligibility.transfer_requires_trained_team",
                f"{_SOP} §3.4.2.3 L564; §5.6 L1109",
            )
        ]
    if reason is _R.TURNED_18:
        birthday, _ = age_limit_date(case, policy.eligibility.age_limit.value)
        if birthday is None or birthday > today:
            return [
                _m(
                    "not_yet_18",
                    "L'enfant n'a pas encore atteint la limite d'âge",
                    "The child has not reached the age limit yet",
                    "eligibility.age_limit",
                    "CM course L171",
                )
            ]
        return []
    if reason is _R.INACTIVE_3_MONTHS:
        last = last_activity_on(case)
        if last is not None and _elapsed(policy, last, "closure.inactivity", today) is False:
            return [
                _m(
                    "recent_activity",
                    "Activité récente : le dossier n'est pas inactif",
                    "Recent activity: the file is not inactive",
                    "closure.inactivity",
                    f"{_SOP} §5.6 L1102",
                )
            ]
        return []
    if any(p.date_case_plan >= (start or dt.date.min) for p in case.action_plans):
        return [
            _m(
                "plan_exists",
                "Un plan existe : le dossier n'a pas été ouvert par erreur",
                "A plan exists: the file was not opened in error",
                None,
                "CM course L919",
            )
        ]
    return []


def closure_readiness(
    case: CaseFile,
    policy: Policy,
    today: dt.date,
    *,
    death_reported: bool | None = None,
) -> ClosureReadiness:
    """Which closure reasons of ``policy`` are allowed for ``case`` on ``today``, and why not."""
    reopen = max((b.reopen_date for b in case.reopenings), default=None)
    closed = closed_on(case) is not None
    draft = _latest_closure(case, reopen)
    results = []
    for reason in policy.closure.reasons.value:
        missing = [
            *_specific(reason, case, draft, reopen, policy, today, death_reported=death_reported),
            *_common(case, draft, reason, policy),
        ]
        results.append(ReasonReadiness(reason, allowed=not missing, missing=tuple(missing)))
    validation = None
    if policy.closure.supervisor_validation.value:
        validation = _m(
            "supervisor_validation",
            "Dernière étape : validation de la clôture par le superviseur en réunion de clôture",
            "Last step: the supervisor validates the closure in a closure meeting",
            "closure.supervisor_validation",
            f"{_SOP} §5.6 L1119",
        )
    return ClosureReadiness(case.case_code, closed, tuple(results), validation)


@attrs.frozen
class ClosureProposal:
    """An open file that should be proposed for closure, with the reason and since when."""

    case_code: str
    reason: ClosureReason
    since: dt.date
    rule: str
    caseworker_id: str | None


def closure_proposals(
    cases: Iterable[CaseFile], policy: Policy, today: dt.date
) -> tuple[ClosureProposal, ...]:
    """Open files to propose for closure: inactive (SOP L1102), turned 18, risk none (L745).

    At risk none the reason proposed is "goal achieved" once a plan exists, else "opened in
    error / no problem found" when the profile has that reason (course L919).

    Inactivity is a proposal only when the profile lists ``inactive_3_months`` among its
    reasons or has an inactivity delay; files already closed or not eligible are skipped.
    """
    out: list[ClosureProposal] = []
    for case in cases:
        if case.status is CaseStatus.NOT_ELIGIBLE or closed_on(case) is not None:
            continue
        last = last_activity_on(case)
        if last is not None and _elapsed(policy, last, "closure.inactivity", today):
            out.append(
                ClosureProposal(
                    case.case_code,
                    _R.INACTIVE_3_MONTHS,
                    last,
                    "closure.inactivity",
                    case.caseworker_id,
                )
            )
            continue
        birthday, _ = age_limit_date(case, policy.eligibility.age_limit.value)
        if birthday is not None and birthday <= today and policy.closure.close_at_age_limit.value:
            out.append(
                ClosureProposal(
                    case.case_code,
                    _R.TURNED_18,
                    birthday,
                    "eligibility.age_limit",
                    case.caseworker_id,
                )
            )
            continue
        timeline = risk_timeline(case, policy)
        if timeline and timeline[-1][1] is RiskLevel.NONE:
            reason = _R.PLAN_GOAL_ACHIEVED
            if not case.action_plans and _R.OPENED_IN_ERROR in policy.closure.reasons.value:
                reason = _R.OPENED_IN_ERROR
            out.append(
                ClosureProposal(
                    case.case_code,
                    reason,
                    timeline[-1][0],
                    "deadlines.full_assessment.none",
                    case.caseworker_id,
                )
            )
    return tuple(out)
