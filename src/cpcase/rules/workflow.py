"""The case workflow as a state machine with guards (Mali requirements §9.1; course §8.2).

States follow the six SOP steps plus the exits decided at eligibility. The process is not linear
(course L46): re-assessment and plan revision are allowed during implementation, a case may be
closed after the initial assessment (course L919; the NONE row of SOP L745), and a closed file
can be reopened at any time (SOP L1121, form B.1).

:func:`next_steps` lists every transition out of the current state, each ``allowed`` or blocked
with the reasons (machine-readable codes, fr/en texts, the policy key or seed line).

>>> from cpcase.rules.policy import load_profile
>>> facts = WorkflowFacts(state=WorkflowState.PLAN_DRAFTED, risk_level=RiskLevel.HIGH,
...                       plan_supervisor_signed=False, plan_validation_meeting=True,
...                       plan_contract_recorded=True)
>>> t = can_transition(facts, WorkflowState.PLAN_VALIDATED, load_profile("mali-2020"))
>>> t.allowed, [r.code for r in t.reasons]
(False, ['plan_not_signed'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from cpcase.case import CaseFile
from cpcase.labels import LabelledEnum
from cpcase.rules._facts import closed_on, last_activity_on, risk_timeline
from cpcase.rules.calendars import Duration
from cpcase.rules.closure import closure_readiness
from cpcase.rules.policy import Directive, Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import CaseStatus, RiskLevel
from cpcase.vocab.protection import ConsentScope, EligibilityOutcome
from cpcase.vocab.services import ClosureReason

__all__ = [
    "Transition",
    "WorkflowFacts",
    "WorkflowState",
    "can_transition",
    "case_next_steps",
    "next_steps",
    "repeated_transfers",
    "transfer_consent_review",
    "workflow_facts",
]

_SOP = "Mali SOP 2020"


class WorkflowState(LabelledEnum):
    """Where a case stands (requirements §9.1)."""

    IDENTIFIED = ("identified", "Identifié", "Identified", f"{_SOP} §5.1")
    REGISTERED = ("registered", "Enregistré", "Registered", f"{_SOP} §5.1 L899")
    EMERGENCY_CARE = (
        "emergency_care",
        "Prise en charge d'urgence",
        "Emergency care",
        f"{_SOP} §5.1.2 L799–L885",
    )
    NOT_ELIGIBLE = (
        "not_eligible",
        "Non éligible (trace conservée)",
        "Not eligible (record kept)",
        f"{_SOP} §5.1.2 L809",
    )
    REFERRED_OUT = ("referred_out", "Référé", "Referred out", f"{_SOP} §5.1.2 L904–L911")
    STATE_NOTIFIED = (
        "state_notified",
        "Services de l'État informés",
        "State services notified",
        f"{_SOP} §5.1.2 L924–L933",
    )
    TRANSFERRED_OUT = ("transferred_out", "Transféré", "Transferred out", f"{_SOP} L564, L913")
    OPEN = ("open", "Dossier ouvert", "Case open", f"{_SOP} §5.1.2 option 1")
    INITIAL_ASSESSMENT_DONE = (
        "initial_assessment_done",
        "Évaluation initiale réalisée",
        "Initial assessment done",
        f"{_SOP} §5.1.3",
    )
    FULL_ASSESSMENT_DONE = (
        "full_assessment_done",
        "Évaluation approfondie réalisée",
        "Full assessment done",
        f"{_SOP} §5.2",
    )
    PLAN_DRAFTED = ("plan_drafted", "Plan élaboré", "Plan drafted", f"{_SOP} §5.3")
    PLAN_VALIDATED = (
        "plan_validated",
        "Plan validé par le superviseur",
        "Plan validated by the supervisor",
        f"{_SOP} §3.3.1 L359; §5.3 L1060",
    )
    IMPLEMENTATION = (
        "implementation",
        "Mise en œuvre, suivi et revue",
        "Implementation, follow-up and review",
        f"{_SOP} §5.4–§5.5",
    )
    CLOSURE_PROPOSED = (
        "closure_proposed",
        "Clôture proposée",
        "Closure proposed",
        f"{_SOP} §5.6 L1102–L1112",
    )
    CLOSED = ("closed", "Clôturé", "Closed", f"{_SOP} §5.6 L1119")
    REOPENED = ("reopened", "Réouvert", "Reopened", f"{_SOP} §5.6 L1121 (formulaire B.1)")


S = WorkflowState


@attrs.frozen
class WorkflowFacts:
    """What the guards look at; build it from a case file or by hand."""

    state: WorkflowState
    risk_level: RiskLevel | None = None
    eligibility: EligibilityOutcome | None = None
    consent_recorded: bool = False
    receiver_has_trained_cm_team: bool | None = None
    initial_assessment_recorded: bool = False
    full_assessment_recorded: bool = False
    plan_has_objectives: bool = False
    plan_activities_complete: bool = False
    plan_supervisor_signed: bool = False
    plan_validation_meeting: bool = False
    plan_contract_recorded: bool = False
    closure_reason: ClosureReason | None = None
    closure_blockers: tuple[Reason, ...] = ()
    closure_validated: bool = False
    inactive_for_closure: bool = False


@attrs.frozen
class Transition:
    """A possible move: ``allowed`` or blocked, and why."""

    source: WorkflowState
    target: WorkflowState
    allowed: bool
    reasons: tuple[Reason, ...]


_Guard = Callable[[WorkflowFacts, Policy], list[Reason]]


def _r(code: str, fr: str, en: str, line: str, rule: str | None = None) -> Reason:
    return Reason(code, fr, en, rule, f"{_SOP} {line}")


def _always(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    return []


def _outcome(expected: EligibilityOutcome) -> _Guard:
    def guard(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
        out: list[Reason] = []
        if facts.eligibility is not expected:
            out.append(
                _r(
                    "eligibility_not_" + expected.value,
                    f"La décision d'éligibilité enregistrée n'est pas « {expected.label_fr} »",
                    f"The recorded eligibility decision is not '{expected.label_en}'",
                    "§5.1.2 L889",
                )
            )
        if expected is not EligibilityOutcome.NOT_ELIGIBLE_RECORDED and not facts.consent_recorded:
            out.append(
                _r(
                    "consent_missing",
                    "Accord éclairé pour le partage d'information (1.A) non enregistré",
                    "Informed consent to information sharing (1.A) not recorded",
                    "§5.1.2 L900, L920",
                )
            )
        if (
            expected is EligibilityOutcome.TRANSFERRED
            and policy.eligibility.transfer_requires_trained_team.value
            and facts.receiver_has_trained_cm_team is not True
        ):
            out.append(
                _r(
                    "receiver_not_trained",
                    "Le receveur n'a pas d'équipe de gestion de cas formée : référencer",
                    "The receiver has no trained case-management team: refer instead",
                    "§3.4.2.3 L564",
                    "eligibility.transfer_requires_trained_team",
                )
            )
        return out

    return guard


def _initial(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    out = []
    if not facts.initial_assessment_recorded:
        out.append(
            _r(
                "initial_assessment_missing",
                "Évaluation initiale (1.C) non enregistrée",
                "Initial assessment (1.C) not recorded",
                "§5.1.3 L950–L962",
            )
        )
    if facts.risk_level is None:
        out.append(
            _r(
                "risk_level_missing",
                "Niveau de risque non attribué (il détermine l'échéancier)",
                "Risk level not assigned (it sets the schedule)",
                "§5.1.3 L954",
            )
        )
    return out


def _full(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    if facts.full_assessment_recorded:
        return []
    return [
        _r(
            "full_assessment_missing",
            "Évaluation approfondie (2.A) non enregistrée",
            "Full assessment (2.A) not recorded",
            "§5.2",
        )
    ]


def _plan(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    out = []
    if not facts.plan_has_objectives:
        out.append(
            _r(
                "plan_without_objective",
                "Le plan n'a pas d'objectif spécifique",
                "The plan has no specific objective",
                "§5.3 a) L1009–L1017",
            )
        )
    if not facts.plan_activities_complete:
        out.append(
            _r(
                "activity_without_deadline_or_responsible",
                "Chaque activité doit avoir un délai et un responsable",
                "Every activity needs a deadline and a responsible person",
                "§5.3 b)–c) L1019, L1042",
            )
        )
    return out


def _validation_required(facts: WorkflowFacts, policy: Policy) -> bool:
    level = facts.risk_level or RiskLevel.MEDIUM
    cell = policy.deadlines.plan_validation.cell(level).value
    return cell is not Directive.NOT_APPLICABLE


def _validated(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    out = []
    if not facts.plan_supervisor_signed:
        out.append(
            _r(
                "plan_not_signed",
                "Le superviseur n'a pas signé le plan",
                "The supervisor has not signed the plan",
                "§3.3.1 L359",
            )
        )
    if not facts.plan_validation_meeting:
        out.append(
            _r(
                "no_validation_meeting",
                "Pas de réunion de validation du plan enregistrée",
                "No plan-validation meeting recorded",
                "§5.3 e) L1058–L1060",
            )
        )
    if not facts.plan_contract_recorded:
        out.append(
            _r(
                "no_contract",
                "Contractualisation (au moins orale) avec l'enfant et la famille non enregistrée",
                "Agreement (at least oral) with the child and family not recorded",
                "§5.3 f) L1062–L1064",
            )
        )
    return out


def _skip_validation(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    if not _validation_required(facts, policy):
        return []
    level = (facts.risk_level or RiskLevel.MEDIUM).value
    return [
        _r(
            "plan_validation_required",
            "Le profil exige la validation du plan par le superviseur avant la mise en œuvre",
            "The profile requires the supervisor to validate the plan before implementation",
            "§5.3 e) L1058",
            f"deadlines.plan_validation.{level}",
        )
    ]


def _propose_closure(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    reason = facts.closure_reason
    if reason is None:
        return [
            _r(
                "closure_reason_missing",
                "Motif de clôture non indiqué",
                "Closure reason not given",
                "§5.6 L1106",
            )
        ]
    if reason not in policy.closure.reasons.value:
        return [
            _r(
                "closure_reason_not_allowed",
                f"Motif « {reason.label_fr} » non prévu par le profil",
                f"Reason '{reason.label_en}' is not allowed by the profile",
                "§5.6 L1106–L1112",
                "closure.reasons",
            )
        ]
    return []


def _close(facts: WorkflowFacts, policy: Policy) -> list[Reason]:
    out = [*_propose_closure(facts, policy), *facts.closure_blockers]
    if policy.closure.supervisor_validation.value and not facts.closure_validated:
        out.append(
            _r(
                "closure_not_validated",
                "Clôture non validée par le superviseur en réunion de clôture",
                "Closure not validated by the supervisor in a closure meeting",
                "§5.6 L1119; CM course L1109",
                "closure.supervisor_validation",
            )
        )
    return out


_OPEN_STATES = (
    S.OPEN,
    S.INITIAL_ASSESSMENT_DONE,
    S.FULL_ASSESSMENT_DONE,
    S.PLAN_DRAFTED,
    S.PLAN_VALIDATED,
    S.IMPLEMENTATION,
    S.REOPENED,
)
_DECIDED_FROM = (S.REGISTERED, S.EMERGENCY_CARE)

_TRANSITIONS: tuple[tuple[tuple[WorkflowState, ...], WorkflowState, _Guard], ...] = (
    ((S.IDENTIFIED,), S.REGISTERED, _always),
    ((S.NOT_ELIGIBLE,), S.REGISTERED, _always),
    ((S.REGISTERED,), S.EMERGENCY_CARE, _always),
    (_DECIDED_FROM, S.OPEN, _outcome(EligibilityOutcome.CASE_OPENED)),
    (_DECIDED_FROM, S.NOT_ELIGIBLE, _outcome(EligibilityOutcome.NOT_ELIGIBLE_RECORDED)),
    (_DECIDED_FROM, S.REFERRED_OUT, _outcome(EligibilityOutcome.REFERRED)),
    (_DECIDED_FROM, S.STATE_NOTIFIED, _outcome(EligibilityOutcome.STATE_NOTIFIED)),
    (_DECIDED_FROM, S.TRANSFERRED_OUT, _outcome(EligibilityOutcome.TRANSFERRED)),
    ((S.OPEN, S.REOPENED), S.INITIAL_ASSESSMENT_DONE, _initial),
    ((S.INITIAL_ASSESSMENT_DONE, S.IMPLEMENTATION, S.REOPENED), S.FULL_ASSESSMENT_DONE, _full),
    ((S.FULL_ASSESSMENT_DONE, S.IMPLEMENTATION), S.PLAN_DRAFTED, _plan),
    ((S.PLAN_DRAFTED,), S.PLAN_VALIDATED, _validated),
    ((S.PLAN_DRAFTED,), S.IMPLEMENTATION, _skip_validation),
    ((S.PLAN_VALIDATED,), S.IMPLEMENTATION, _always),
    (_OPEN_STATES, S.CLOSURE_PROPOSED, _propose_closure),
    ((S.CLOSURE_PROPOSED,), S.CLOSED, _close),
    ((S.CLOSURE_PROPOSED,), S.IMPLEMENTATION, _always),
    ((S.CLOSED, S.TRANSFERRED_OUT, S.REFERRED_OUT, S.STATE_NOTIFIED), S.REOPENED, _always),
)


def _notes(facts: WorkflowFacts, target: WorkflowState, policy: Policy) -> list[Reason]:
    notes: list[Reason] = []
    if target is S.EMERGENCY_CARE and policy.emergency.sets_risk_high.value:
        notes.append(
            _r(
                "emergency_sets_high",
                "La prise en charge d'urgence fixe le niveau de risque à élevé",
                "Emergency care sets the risk level to high",
                "L805",
                "emergency.sets_risk_high",
            )
        )
    if target is S.CLOSURE_PROPOSED and facts.inactive_for_closure:
        notes.append(
            _r(
                "inactive_must_propose",
                "Dossier inactif depuis 3 mois : la clôture doit être proposée",
                "File inactive for 3 months: closure must be proposed",
                "§5.6 L1102",
                "closure.inactivity",
            )
        )
    if (
        target is S.CLOSURE_PROPOSED
        and facts.state is S.INITIAL_ASSESSMENT_DONE
        and facts.risk_level is RiskLevel.NONE
    ):
        notes.append(
            _r(
                "none_risk_recommend_closure",
                "Risque nul : aucune mesure requise, clôture recommandée",
                "No risk: no measure required, closure recommended",
                "§4.3 L745",
                "deadlines.full_assessment.none",
            )
        )
    return notes


def _transition(
    facts: WorkflowFacts, target: WorkflowState, guard: _Guard, policy: Policy
) -> Transition:
    blockers = guard(facts, policy)
    if blockers:
        return Transition(facts.state, target, allowed=False, reasons=tuple(blockers))
    return Transition(
        facts.state, target, allowed=True, reasons=tuple(_notes(facts, target, policy))
    )


def next_steps(facts: WorkflowFacts, policy: Policy) -> tuple[Transition, ...]:
    """Every transition out of ``facts.state``, allowed or blocked, in process order."""
    return tuple(
        _transition(facts, target, guard, policy)
        for sources, target, guard in _TRANSITIONS
        if facts.state in sources
    )


def can_transition(facts: WorkflowFacts, target: WorkflowState, policy: Policy) -> Transition:
    """Whether ``facts.state`` → ``target`` is allowed now, and why (not)."""
    for sources, to, guard in _TRANSITIONS:
        if to is target and facts.state in sources:
            return _transition(facts, target, guard, policy)
    reason = Reason(
        "no_such_transition",
        f"Passage de « {facts.state.label_fr} » à « {target.label_fr} » impossible",
        f"No transition from '{facts.state.label_en}' to '{target.label_en}'",
        None,
        "requirements §9.1",
    )
    return Transition(facts.state, target, allowed=False, reasons=(reason,))


_OUTCOME_STATE = {
    EligibilityOutcome.NOT_ELIGIBLE_RECORDED: S.NOT_ELIGIBLE,
    EligibilityOutcome.REFERRED: S.REFERRED_OUT,
    EligibilityOutcome.STATE_NOTIFIED: S.STATE_NOTIFIED,
    EligibilityOutcome.TRANSFERRED: S.TRANSFERRED_OUT,
}


def workflow_facts(
    case: CaseFile, policy: Policy, today: dt.date, *, death_reported: bool | None = None
) -> WorkflowFacts:
    """Where ``case`` stands in the workflow, and the facts its guards need, read from its forms.

    The state is the furthest step the file's forms show since the last reopening; a draft
    closure form (6.A) or a review recommending closure means closure is proposed.
    """
    reg = case.registration
    timeline = risk_timeline(case, policy)
    risk = timeline[-1][1] if timeline else None
    consent = any(c.withdrawn_on is None for c in case.consents) or bool(
        reg is not None and reg.consent_obtained
    )
    base: dict[str, Any] = {
        "risk_level": risk,
        "eligibility": reg.eligibility_outcome if reg is not None else None,
        "consent_recorded": consent,
    }
    closed = closed_on(case)
    if case.status is CaseStatus.NOT_ELIGIBLE:
        return WorkflowFacts(state=S.NOT_ELIGIBLE, **base)
    if closed is not None:
        state = S.TRANSFERRED_OUT if case.status is CaseStatus.TRANSFERRED else S.CLOSED
        return WorkflowFacts(state=state, **base)
    reopen = max((b.reopen_date for b in case.reopenings), default=None)
    if reg is None and reopen is None:
        return WorkflowFacts(state=S.IDENTIFIED, **base)
    if reopen is None and reg is not None and reg.eligibility_outcome in _OUTCOME_STATE:
        return WorkflowFacts(state=_OUTCOME_STATE[reg.eligibility_outcome], **base)

    def recent(day: dt.date) -> bool:
        return reopen is None or day >= reopen

    state = S.REOPENED if reopen is not None else S.OPEN
    ia = case.initial_assessment
    ia_ok = ia is not None and recent(ia.assessment_date)
    full_ok = any(
        a.assessment_completed_date is not None and recent(a.assessment_completed_date)
        for a in case.in_depth_assessments
    )
    plans = [p for p in case.action_plans if recent(p.date_case_plan)]
    latest = max(enumerate(plans), key=lambda p: (p[1].date_case_plan, p[0]))[1] if plans else None
    approved = [p for p in plans if p.case_plan_approved]
    if ia_ok:
        state = S.INITIAL_ASSESSMENT_DONE
    if full_ok:
        state = S.FULL_ASSESSMENT_DONE
    if latest is not None:
        state = S.PLAN_VALIDATED if approved else S.PLAN_DRAFTED
        started = min(
            (p.case_plan_approved_date or p.date_case_plan for p in approved), default=None
        )
        activity = [
            c.followup_date for f in case.follow_ups for c in f.followup_subform_section
        ] + [r.review_date for r in case.reviews]
        if approved and started is not None and any(d >= started for d in activity):
            state = S.IMPLEMENTATION
    draft = next(
        (
            c
            for c in sorted(case.closures, key=lambda c: c.date_closure, reverse=True)
            if recent(c.date_closure) and not c.closure_approved
        ),
        None,
    )
    proposing = [r for r in case.reviews if r.recommend_close_case and recent(r.review_date)]
    reason = draft.closure_reason if draft is not None else None
    if reason is None and proposing:
        reason = max(proposing, key=lambda r: r.review_date).recommended_closure_reason
    if draft is not None or proposing:
        state = S.CLOSURE_PROPOSED
    blockers: tuple[Reason, ...] = ()
    if reason is not None:
        readiness = closure_readiness(case, policy, today, death_reported=death_reported)
        entry = readiness.for_reason(reason)
        blockers = entry.missing if entry is not None else ()
    last = last_activity_on(case)
    inactive = False
    delay = policy.closure.inactivity.value
    if last is not None and isinstance(delay, Duration):
        inactive = today >= policy.clock.add(last, delay)
    return WorkflowFacts(
        state=state,
        initial_assessment_recorded=ia_ok,
        full_assessment_recorded=full_ok,
        plan_has_objectives=latest is not None and bool(latest.specific_objectives),
        plan_activities_complete=latest is not None
        and all(a.deadline is not None and a.responsible_role for a in latest.activities),
        plan_supervisor_signed=latest is not None and latest.supervisor_signed,
        plan_validation_meeting=latest is not None and latest.validation_meeting_date is not None,
        plan_contract_recorded=latest is not None and latest.contract_mode is not None,
        closure_reason=reason,
        closure_blockers=blockers,
        inactive_for_closure=inactive,
        **base,
    )


def case_next_steps(
    case: CaseFile, policy: Policy, today: dt.date, *, death_reported: bool | None = None
) -> tuple[Transition, ...]:
    """:func:`next_steps` for a case file (state and guards read by :func:`workflow_facts`)."""
    return next_steps(workflow_facts(case, policy, today, death_reported=death_reported), policy)


def repeated_transfers(case: CaseFile, policy: Policy) -> Reason | None:
    """A warning when the file has been transferred ``referrals.transfers_warning_at`` times.

    The more a child is transferred, the more likely they drop out of care (course L1119).
    """
    count = len(case.transfers)
    limit = policy.referrals.transfers_warning_at.value
    if count < limit:
        return None
    return Reason(
        "repeated_transfers",
        f"{count} transferts : plus un enfant est transféré, plus il risque d'abandonner le suivi",
        f"{count} transfers: the more a child is transferred, the likelier they drop out of care",
        "referrals.transfers_warning_at",
        "CM course L1119",
    )


def transfer_consent_review(
    cases: Iterable[CaseFile], today: dt.date
) -> tuple[tuple[str, Reason], ...]:
    """Files of a bulk transfer lacking a consent that covers it (course L1121; N17).

    When whole caseloads move to another agency or the government, every file is reviewed for a
    consent to share information: a 1.A consent covering transfer (or sharing with third
    parties), not withdrawn, not expired and not single-use, or a recorded legitimate basis for
    overriding consent. Returns ``(case code, reason)`` for each file that cannot go as is.
    """
    scopes = {ConsentScope.TRANSFER, ConsentScope.SHARE_WITH_THIRD_PARTIES}
    out: list[tuple[str, Reason]] = []
    for case in cases:
        ok = any(
            (set(c.consent_scope) & scopes or c.legitimate_basis)
            and c.withdrawn_on is None
            and (c.valid_until is None or c.valid_until >= today)
            and not c.single_use
            for c in case.consents
        )
        if not ok:
            out.append(
                (
                    case.case_code,
                    Reason(
                        "transfer_consent_missing",
                        "Pas de consentement valide couvrant le transfert des informations",
                        "No valid consent covering the transfer of information",
                        None,
                        "CM course L1121",
                    ),
                )
            )
    return tuple(out)
