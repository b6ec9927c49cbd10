"""Small builders of valid synthetic forms and case files for the rule tests (no real data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from cpcase.case import CaseFile, RiskDecision
from cpcase.forms import (
    CaseClosure,
    CaseFollowUp,
    CaseReopening,
    CaseReview,
    InDepthAssessmentForm,
    IndividualActionPlan,
    InitialAssessmentForm,
    Referral,
    RegistrationForm,
)
from cpcase.vocab import (
    ActivityStatus,
    AgeStatus,
    AssessmentDomain,
    CaseStatus,
    ClosureReason,
    EligibilityOutcome,
    FollowUpContactType,
    IdentificationSource,
    IdentifiedBy,
    PlanObjective,
    ProtectionConcern,
    ProtectionSituation,
    ReferralStatus,
    ReferralType,
    ResponsibleRole,
    RiskLevel,
    ServiceCategory,
    Sex,
    Step,
)

CODE = "ML-MOP-ORG-2024-00001"
CTX = {"today": dt.date(2030, 1, 1)}  # validation reference date: every fixture is in the past


def registration(
    reg: dt.date,
    *,
    ident: dt.date | None = None,
    time: dt.time | None = None,
    age: int | None = 10,
    dob: dt.date | None = None,
    sex: Sex = Sex.FEMALE,
    emergency: bool = False,
    risk: RiskLevel | None = None,
    situations: Sequence[ProtectionSituation] = (ProtectionSituation.NEGLECT_VAGRANCY,),
    code: str = CODE,
    age_status: AgeStatus = AgeStatus.ESTIMATED,
) -> RegistrationForm:
    data: dict[str, Any] = {
        "case_code": code,
        "form_date": reg,
        "identification_date": ident or reg,
        "identification_time": time,
        "registration_date": reg,
        "identification_source": IdentificationSource.REPORT,
        "identified_by": IdentifiedBy.STATE_DRPFEF,
        "sex": sex,
        "age": age,
        "date_of_birth": dob,
        "age_status": age_status,
        "protection_situations": tuple(situations),
        "protection_concern_primary": ProtectionConcern.NEGLECT,
        "eligible_cm": True if situations else None,
        "eligibility_outcome": EligibilityOutcome.CASE_OPENED,
        "emergency_care_needed": emergency,
        "risk_level": risk,
    }
    return RegistrationForm.model_validate(data, context=CTX)


def initial(
    day: dt.date, risk: RiskLevel, *, time: dt.time | None = None, code: str = CODE
) -> InitialAssessmentForm:
    return InitialAssessmentForm.model_validate(
        {
            "case_code": code,
            "form_date": day,
            "assessment_date": day,
            "assessment_time": time,
            "protection_concern_primary": ProtectionConcern.NEGLECT,
            "risk_level": risk,
            "risk_level_justification": "synthetic",
            "child_opinion": "synthetic",
            "family_opinion": "synthetic",
        },
        context=CTX,
    )


def in_depth(
    start: dt.date, completed: dt.date | None, risk: RiskLevel, *, code: str = CODE
) -> InDepthAssessmentForm:
    return InDepthAssessmentForm.model_validate(
        {
            "case_code": code,
            "form_date": completed or start,
            "assessment_start_date": start,
            "assessment_completed_date": completed,
            "domain_factors": [
                {"domain": d, "risk_factors": ["synthetic"], "protective_factors": ["synthetic"]}
                for d in AssessmentDomain
            ],
            "risk_level": risk,
            "risk_level_justification": "synthetic",
            "child_opinion": "synthetic",
            "family_opinion": "synthetic",
        },
        context=CTX,
    )


def plan(
    day: dt.date,
    *,
    approved: dt.date | None = None,
    activities: Iterable[tuple[str, dt.date, ActivityStatus]] = (),
    code: str = CODE,
) -> IndividualActionPlan:
    acts = [
        {
            "row_id": row,
            "intervention_service_to_be_provided": "synthetic activity",
            "deadline": deadline,
            "responsible_role": ResponsibleRole.CASEWORKER,
            "interventions_status": status,
        }
        for row, deadline, status in activities
    ] or [
        {
            "row_id": "a1",
            "intervention_service_to_be_provided": "synthetic activity",
            "deadline": day + dt.timedelta(days=60),
            "responsible_role": ResponsibleRole.CASEWORKER,
        }
    ]
    data: dict[str, Any] = {
        "case_code": code,
        "form_date": day,
        "date_case_plan": day,
        "case_plan_goal": PlanObjective.REINSERTION,
        "specific_objectives": [{"row_id": "o1", "description": "synthetic"}],
        "activities": acts,
        "child_participated": True,
        "family_participated": True,
    }
    if approved is not None:
        data |= {
            "supervisor_id": "sup-1",
            "supervisor_signed": True,
            "case_plan_approved": True,
            "case_plan_approved_date": approved,
            "validation_meeting_date": approved,
        }
    return IndividualActionPlan.model_validate(data, context=CTX)


def follow_ups(
    contacts: Iterable[dt.date | tuple[dt.date, dict[str, Any]]], *, code: str = CODE
) -> CaseFollowUp:
    rows = []
    last = dt.date(2000, 1, 1)
    for i, c in enumerate(contacts):
        day, extra = (c, {}) if isinstance(c, dt.date) else c
        last = max(last, day)
        rows.append(
            {
                "row_id": f"f{i}",
                "followup_date": day,
                "followed_up_through": FollowUpContactType.HOME_VISIT,
                **extra,
            }
        )
    return CaseFollowUp.model_validate(
        {"case_code": code, "form_date": last, "followup_subform_section": rows}, context=CTX
    )


def review(
    day: dt.date,
    risk: RiskLevel,
    *,
    close: ClosureReason | None = None,
    code: str = CODE,
) -> CaseReview:
    return CaseReview.model_validate(
        {
            "case_code": code,
            "form_date": day,
            "review_date": day,
            "plan_still_relevant": close is None,
            "risk_level": risk,
            "risk_level_changed": False,
            "recommend_close_case": close is not None,
            "recommended_closure_reason": close,
            "date_next_review": None if close else day + dt.timedelta(days=30),
        },
        context=CTX,
    )


def referral(
    day: dt.date,
    *,
    counter: dt.date | None = None,
    emergency: bool = False,
    entry: str = "r1",
    status: ReferralStatus = ReferralStatus.SENT,
    code: str = CODE,
) -> Referral:
    data: dict[str, Any] = {
        "case_code": code,
        "form_date": day,
        "entry_id": entry,
        "referral_date": day,
        "referral_type": ReferralType.EMERGENCY if emergency else ReferralType.SERVICE,
        "referral_status": status,
        "referring_caseworker_phone": "+22370000000",
        "family_contact_relationship": "mother",
        "family_contact_phone": "+22370000001",
        "receiving_organisation": "CSREF",
        "service_type": ServiceCategory.HEALTH_CARE,
        "consent_for_services": True,
        "disclosure_other_orgs": True,
    }
    if counter is not None:
        data["receiver_signed"] = True
        data["receiver_signed_date"] = day
        data["counter_referral"] = {
            "service_provided": "synthetic",
            "service_date": counter,
            "provider_signed": True,
        }
    return Referral.model_validate(data, context=CTX)


def closure(
    day: dt.date,
    reason: ClosureReason = ClosureReason.PLAN_GOAL_ACHIEVED,
    *,
    approved: bool = False,
    code: str = CODE,
    **kw: Any,
) -> CaseClosure:
    data: dict[str, Any] = {
        "case_code": code,
        "form_date": day,
        "date_closure": day,
        "closure_reason": reason,
        **kw,
    }
    if approved:
        data |= {
            "supervisor_id": "sup-1",
            "closure_meeting_date": day,
            "closure_approved": True,
            "closure_approved_date": day,
        }
    return CaseClosure.model_validate(data, context=CTX)


def reopening(
    day: dt.date, risk: RiskLevel, *, restart: Step = Step.IDENTIFICATION, code: str = CODE
) -> CaseReopening:
    return CaseReopening.model_validate(
        {
            "case_code": code,
            "form_date": day,
            "reopen_date": day,
            "reopening_reason": "new_information",
            "risk_level": risk,
            "assigned_caseworker_id": "cw-1",
            "restart_step": restart,
        },
        context=CTX,
    )


def case(
    *,
    code: str = CODE,
    caseworker: str | None = "cw-1",
    supervisor: str | None = "sup-1",
    status: CaseStatus = CaseStatus.OPEN,
    risks: Iterable[tuple[dt.date, RiskLevel]] = (),
    **forms: Any,
) -> CaseFile:
    data: dict[str, Any] = {
        "case_code": code,
        "organisation_id": "ORG",
        "caseworker_id": caseworker,
        "supervisor_id": supervisor,
        "status": status,
        "risk_history": [
            RiskDecision(level=level, decided_on=day, decided_by="cw-1") for day, level in risks
        ],
        **forms,
    }
    return CaseFile.model_validate(data)
