"""Hypothesis strategies for the forms of steps 3–6, the any-step forms and the file tools.

One public function per form; each returns a strategy of **valid** instances (built through
``model_validate``, so every SOP validator runs). All dates fall in
:data:`DATE_MIN` … :data:`DATE_MAX` (2015-01-01 … 2026-06-30) so that nothing is in the future
whatever day the tests run, and all text is synthetic: no real child data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from hypothesis import strategies as st

from cpcase.forms._base import FormBase
from cpcase.forms.case_plan import CaseConferenceReport, ConferenceReportBase, IndividualActionPlan
from cpcase.forms.closure import AdultFeedback, CaseClosure, ChildFeedback, FeedbackBase
from cpcase.forms.file_tools import FileChecklist, FileCoverPage
from cpcase.forms.follow_up import CaseFollowUp, CaseReview, FollowUpConferenceReport
from cpcase.forms.referral import CommunityReferral, FileTransfer, Referral
from cpcase.forms.reopening import CaseReopening
from cpcase.forms.service_map import ServiceProviderRecord
from cpcase.forms.services import ServicesProvided
from cpcase.vocab.core import AgeStatus, CaseStatus, RiskLevel, Sex, Step
from cpcase.vocab.services import (
    ActivityHorizon,
    ActivityStatus,
    ApprovalStatus,
    ClosureReason,
    CmInterventionLevel,
    ConsentOverrideBasis,
    ContractMode,
    FamilyAlternativeSetting,
    FollowUpContactType,
    FollowUpType,
    InterventionDuration,
    MeetingType,
    ObjectiveAchievement,
    PlanObjective,
    ReferralStatus,
    ReferralType,
    ReopeningReason,
    ResponsibleRole,
    ReviewInformationMethod,
    ServiceCategory,
    ServiceDeliveryMode,
    ServiceSector,
    StructureType,
    TransferReason,
    TransferStatus,
)

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "FORM_CODES",
    "PART2_STRATEGIES",
    "adult_feedbacks",
    "case_closures",
    "case_conference_reports",
    "case_follow_ups",
    "case_plans",
    "case_reopenings",
    "case_reviews",
    "child_feedbacks",
    "community_referrals",
    "file_checklists",
    "file_cover_pages",
    "file_transfers",
    "follow_up_conference_reports",
    "referrals",
    "service_provider_records",
    "services_provided",
]

DATE_MIN = dt.date(2015, 1, 1)
DATE_MAX = dt.date(2026, 6, 30)

FORM_CODES: tuple[str, ...] = (
    "1.A", "1.B", "1.C", "1.D", "1.E", "2.A", "3.A", "3.B", "4.A", "4.B", "4.C", "4.D", "4.E",
    "5.A", "5.B", "5.C", "6.A", "6.B", "6.C", "A.1", "A.2", "A.3", "B.1",
    "COVER", "CHECKLIST", "SP", "BIA", "BID",
)  # fmt: skip
"""Form codes a checklist row or a transfer may cite."""

_E = TypeVar("_E", bound=Enum)
_F = TypeVar("_F", bound=FormBase)

# Synthetic French/English text; includes accents and punctuation that real forms contain.
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éèêàçôûÉ'’-.,;:()/"
_PROCESS_STEPS = (Step.IDENTIFICATION, Step.ASSESSMENT, Step.CASE_PLAN, Step.IMPLEMENTATION)


def _text(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _enum(enum: type[_E]) -> st.SearchStrategy[_E]:
    return st.sampled_from(list(enum))


def _dates(
    min_value: dt.date = DATE_MIN, max_value: dt.date = DATE_MAX
) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=min_value, max_value=max(min_value, max_value))


def _after(day: dt.date, max_days: int = 60) -> st.SearchStrategy[dt.date]:
    """A date from ``day`` to ``max_days`` later, never after :data:`DATE_MAX`."""
    return _dates(day, min(day + dt.timedelta(days=max_days), DATE_MAX))


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(1, 99_999).map(lambda n: f"{prefix}-{n:05d}")


def _phones() -> st.SearchStrategy[str]:
    return st.integers(20_000_000, 99_999_999).map(lambda n: f"+223 {n}")


@st.composite
def _case_codes(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["BKO", "GAO", "KAY", "MOP", "SEG", "SIK", "TOM"]))
    org = draw(st.sampled_from(["ORG", "TDH", "DRPFEF", "ENDA"]))
    year = draw(st.integers(2015, 2026))
    return f"ML-{region}-{org}-{year}-{draw(st.integers(1, 99_999)):05d}"


def _header(draw: st.DrawFn, *, with_case_code: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "form_date": draw(_dates()),
        "caseworker_id": draw(_opt(_ids("CW"))),
        "organisation_id": draw(_opt(_ids("ORG"))),
        "entry_id": draw(_opt(_ids("E"))),
    }
    if with_case_code:
        data["case_code"] = draw(_case_codes())
    return data


def _build(model: type[_F], data: dict[str, Any]) -> _F:
    return model.model_validate(data, context={"today": DATE_MAX})


# --- 3.A / 3.B / 5.C -------------------------------------------------------------------------


@st.composite
def case_plans(draw: st.DrawFn) -> IndividualActionPlan:
    """Valid 3.A individual action plans (validated by the supervisor or not)."""
    plan_day = draw(_dates())
    goal = draw(_enum(PlanObjective))
    n_obj = draw(st.integers(1, 3))
    objectives = [{"row_id": f"obj-{i + 1}", "description": draw(_text())} for i in range(n_obj)]
    activities = [
        {
            "row_id": f"act-{i + 1}",
            "objective_ref": draw(_opt(st.sampled_from([o["row_id"] for o in objectives]))),
            "intervention_service_to_be_provided": draw(_text()),
            "service_category": draw(_opt(_enum(ServiceCategory))),
            "horizon": draw(_opt(_enum(ActivityHorizon))),
            "deadline": draw(st.dates(plan_day, plan_day + dt.timedelta(days=365))),
            "responsible_role": draw(_enum(ResponsibleRole)),
            "responsible_id": draw(_opt(_ids("CW"))),
            "case_plan_provider_and_contact_details": draw(_opt(_text())),
            "interventions_status": draw(_enum(ActivityStatus)),
            "intervention_service_success": draw(_opt(_text())),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    data = _header(draw) | {
        "date_case_plan": plan_day,
        "case_plan_goal": goal,
        "case_plan_goal_details": draw(_text() if goal is PlanObjective.OTHER else _opt(_text())),
        "specific_objectives": objectives,
        "activities": activities,
        "child_participated": draw(st.booleans()),
        "family_participated": draw(st.booleans()),
        "child_opinion": draw(_opt(_text())),
        "family_opinion": draw(_opt(_text())),
        "contract_mode": draw(_opt(_enum(ContractMode))),
        "copy_given_to_child": draw(_opt(st.booleans())),
        "case_plan_monitoring_schedule": draw(_opt(_text())),
        "next_followup_date": draw(_opt(st.dates(plan_day, plan_day + dt.timedelta(days=30)))),
        "date_next_review": draw(_opt(st.dates(plan_day, plan_day + dt.timedelta(days=92)))),
    }
    if draw(st.booleans()):
        meeting = draw(_after(plan_day, 14))
        data |= {
            "validation_meeting_date": meeting,
            "case_plan_approved_date": draw(_after(meeting, 7)),
            "supervisor_id": draw(_ids("SUP")),
            "supervisor_signed": True,
            "case_plan_approved": True,
            "approval_status_case_plan": draw(st.sampled_from([None, ApprovalStatus.APPROVED])),
            "case_plan_approved_comments": draw(_opt(_text())),
        }
    else:
        data["approval_status_case_plan"] = draw(
            st.sampled_from(
                [None, ApprovalStatus.REQUESTED, ApprovalStatus.PENDING, ApprovalStatus.REJECTED]
            )
        )
    return _build(IndividualActionPlan, data)


def _conference(draw: st.DrawFn, model: type[ConferenceReportBase]) -> Any:
    day = draw(_dates())
    data = _header(draw) | {
        "conference_date": day,
        "conference_type": draw(_enum(MeetingType)),
        "conference_reason": draw(_text()),
        "chair_role": draw(_opt(_enum(ResponsibleRole))),
        "conference_participants": [
            {
                "organisation": draw(_text(30)),
                "role": draw(_text(30)),
                "sector": draw(_opt(_enum(ServiceSector))),
            }
            for _ in range(draw(st.integers(1, 4)))
        ],
        "conference_current_situation": draw(_text()),
        "conference_discussions_options": draw(_opt(_text())),
        "conference_outcome_recommendations": draw(_text()),
        "action_points": [
            {
                "row_id": f"ap-{i + 1}",
                "action": draw(_text()),
                "responsible_role": draw(_enum(ResponsibleRole)),
                "responsible_id": draw(_opt(_ids("CW"))),
                "deadline": draw(st.dates(day, day + dt.timedelta(days=180))),
            }
            for i in range(draw(st.integers(0, 3)))
        ],
        "details_anyone_disagrees": draw(_opt(_text())),
        "was_child_present": draw(st.booleans()),
        "was_caregiver_present": draw(st.booleans()),
        "child_family_prepared": draw(_opt(st.booleans())),
        "child_family_views": draw(_opt(_text())),
        "conference_adjustments": draw(_opt(st.booleans())),
        "risk_level": draw(_opt(_enum(RiskLevel))),
        "conference_monitoring_schedule": draw(_opt(_text())),
        "date_next_conference": draw(
            _opt(st.dates(day + dt.timedelta(days=1), day + dt.timedelta(days=120)))
        ),
    }
    return _build(model, data)


@st.composite
def case_conference_reports(draw: st.DrawFn) -> CaseConferenceReport:
    """Valid 3.B case conference reports."""
    report: CaseConferenceReport = _conference(draw, CaseConferenceReport)
    return report


@st.composite
def follow_up_conference_reports(draw: st.DrawFn) -> FollowUpConferenceReport:
    """Valid 5.C follow-up conference reports."""
    report: FollowUpConferenceReport = _conference(draw, FollowUpConferenceReport)
    return report


# --- 4.A ---------------------------------------------------------------------------------------


@st.composite
def services_provided(draw: st.DrawFn) -> ServicesProvided:
    """Valid 4.A services-provided forms (delivered and pending services)."""
    rows = []
    for i in range(draw(st.integers(1, 4))):
        requested = draw(_dates())
        delivered = draw(st.booleans())
        rows.append(
            {
                "row_id": f"svc-{i + 1}",
                "service_type": draw(_enum(ServiceCategory)),
                "service_referral": draw(_enum(ServiceDeliveryMode)),
                "plan_activity_ref": draw(_opt(st.just(f"act-{i + 1}"))),
                "service_referral_notes": draw(_opt(_text())),
                "service_expected_outcome": draw(_opt(_text())),
                "service_provider": draw(_opt(_text(30))),
                "service_location": draw(_opt(_text(30))),
                "service_response_day_time": requested,
                "service_appointment_date": draw(
                    _opt(st.dates(requested, requested + dt.timedelta(days=60)))
                ),
                "referral_ref": draw(_opt(_ids("E"))),
                "service_implemented": delivered,
                "service_implemented_day_time": draw(_after(requested)) if delivered else None,
                "counter_referral_received": draw(_opt(st.booleans())),
                "details_service_provided": draw(_opt(_text())),
                "suggestions_improvement": draw(_opt(_text())),
            }
        )
    return _build(ServicesProvided, _header(draw) | {"services_section": rows})


# --- 5.A / 5.B ---------------------------------------------------------------------------------


@st.composite
def case_follow_ups(draw: st.DrawFn) -> CaseFollowUp:
    """Valid 5.A follow-up sheets with one to four logged contacts."""
    contacts = []
    for i in range(draw(st.integers(1, 4))):
        day = draw(_dates())
        contacts.append(
            {
                "row_id": f"fu-{i + 1}",
                "followup_date": day,
                "followup_type": draw(_enum(FollowUpType)),
                "followed_up_through": draw(_enum(FollowUpContactType)),
                "followup_with": draw(_opt(_text(30))),
                "child_was_seen": draw(_opt(st.booleans())),
                "purpose_followup": draw(_opt(_text())),
                "activity_updates": [
                    {
                        "activity_ref": f"act-{j + 1}",
                        "interventions_status": draw(_enum(ActivityStatus)),
                        "comment": draw(_opt(_text())),
                    }
                    for j in range(draw(st.integers(0, 2)))
                ],
                "safety_observations": draw(_opt(_text())),
                "feedback_on_services": draw(_opt(_text())),
                "outcome_followup": draw(_opt(_text())),
                "risk_level": draw(_opt(_enum(RiskLevel))),
                "followup_needed_by_date": draw(_opt(st.dates(day, day + dt.timedelta(days=30)))),
                "recommend_case_closed": draw(_opt(st.booleans())),
            }
        )
    return _build(CaseFollowUp, _header(draw) | {"followup_subform_section": contacts})


@st.composite
def case_reviews(draw: st.DrawFn) -> CaseReview:
    """Valid 5.B case reviews (continuing or recommending closure)."""
    day = draw(_dates(DATE_MIN + dt.timedelta(days=30)))
    risk = draw(_enum(RiskLevel))
    previous = draw(_opt(_enum(RiskLevel)))
    close = draw(st.booleans())
    next_review = st.dates(day + dt.timedelta(days=1), day + dt.timedelta(days=92))
    data = _header(draw) | {
        "review_date": day,
        "review_announced_on": draw(_opt(_dates(day - dt.timedelta(days=30), day))),
        "meeting_type": draw(_opt(_enum(MeetingType))),
        "participants": draw(st.lists(_text(30), max_size=3)),
        "information_collection_methods": draw(
            st.lists(_enum(ReviewInformationMethod), max_size=4, unique=True)
        ),
        "objectives_review": [
            {
                "objective_ref": f"obj-{i + 1}",
                "achievement": draw(_enum(ObjectiveAchievement)),
                "comment": draw(_opt(_text())),
            }
            for i in range(draw(st.integers(0, 3)))
        ],
        "plan_still_relevant": draw(st.booleans()),
        "modifications": draw(_opt(_text())),
        "new_specific_objectives": draw(st.lists(_text(), max_size=2)),
        "previous_risk_level": previous,
        "risk_level": risk,
        "risk_level_changed": (previous is not risk)
        if previous is not None
        else draw(st.booleans()),
        "recommend_close_case": close,
        "recommended_closure_reason": draw(_opt(_enum(ClosureReason))) if close else None,
        "date_next_review": draw(_opt(next_review) if close else next_review),
    }
    return _build(CaseReview, data)


# --- 6.A / 6.B / 6.C ---------------------------------------------------------------------------


@st.composite
def case_closures(draw: st.DrawFn) -> CaseClosure:
    """Valid 6.A closures for every reason, validated by the supervisor or not."""
    day = draw(_dates(DATE_MIN + dt.timedelta(days=200)))
    reason = draw(_enum(ClosureReason))
    declined = reason is ClosureReason.CHILD_FAMILY_DECLINED
    last_contact = _dates(day - dt.timedelta(days=180), day)
    data = _header(draw) | {
        "date_closure": day,
        "closure_reason": reason,
        "closure_details": draw(_opt(_text())),
        "closure_current_situation": draw(_opt(_text())),
        "no_danger_confirmed": True if declined else draw(_opt(st.booleans())),
        "significant_progress_recorded": True if declined else draw(_opt(st.booleans())),
        "last_contact_date": draw(
            last_contact if reason is ClosureReason.LOST_TO_FOLLOW_UP else _opt(last_contact)
        ),
        "transfer_ref": draw(
            _ids("E") if reason is ClosureReason.TRANSFERRED else _opt(_ids("E"))
        ),
        "closure_discussed_child": draw(_opt(st.booleans())),
        "closure_discussed_caregiver": draw(_opt(st.booleans())),
        "transition_followups_count": draw(_opt(st.integers(0, 20))),
        "last_review_date": draw(_opt(_dates(day - dt.timedelta(days=180), day))),
        "closure_interview_date": draw(_opt(_dates(day - dt.timedelta(days=30), day))),
        "closure_child_feedback_form": draw(_opt(st.booleans())),
        "closure_caregiver_feedback_form": draw(_opt(st.booleans())),
        "closure_child_told_contact_support": draw(_opt(st.booleans())),
        "physical_file_archive_location": draw(_opt(_text(30))),
    }
    if draw(st.booleans()):
        meeting = draw(_dates(day - dt.timedelta(days=30), day))
        data |= {
            "closure_meeting_date": meeting,
            "supervisor_id": draw(_ids("SUP")),
            "closure_approved": True,
            "closure_approved_date": draw(_after(meeting, 7)),
            "approval_status_closure": draw(st.sampled_from([None, ApprovalStatus.APPROVED])),
            "closure_approved_comments": draw(_opt(_text())),
        }
    else:
        data["approval_status_closure"] = draw(
            st.sampled_from([None, ApprovalStatus.REQUESTED, ApprovalStatus.PENDING])
        )
    return _build(CaseClosure, data)


def _feedback(draw: st.DrawFn) -> dict[str, Any]:
    consent = draw(st.booleans())
    data: dict[str, Any] = _header(draw) | {
        "feedback_date": draw(_dates()),
        "feedback_consent": consent,
    }
    if consent:
        for name in FeedbackBase.ANSWER_FIELDS:
            if name.startswith("score_"):
                data[name] = draw(_opt(st.integers(1, 10)))
            elif name.startswith(("process_", "expectations_")):
                data[name] = draw(_opt(st.booleans()))
            else:
                data[name] = draw(_opt(_text()))
    return data


@st.composite
def child_feedbacks(draw: st.DrawFn) -> ChildFeedback:
    """Valid 6.B child feedback forms (answers only when permission was given)."""
    data = _feedback(draw) | {"caregiver_consent": draw(_opt(st.booleans()))}
    return _build(ChildFeedback, data)


@st.composite
def adult_feedbacks(draw: st.DrawFn) -> AdultFeedback:
    """Valid 6.C adult feedback forms."""
    data = _feedback(draw) | {"relationship_to_child": draw(_opt(_text(30)))}
    return _build(AdultFeedback, data)


# --- A.1 / A.2 / A.3 / B.1 ---------------------------------------------------------------------


def _consent(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, Any]:
    """Consent given on every field in ``names``, or an override with basis and justification."""
    if draw(st.booleans()):
        return dict.fromkeys(names, True) | {"consent_overridden": False}
    flags = {n: draw(st.booleans()) for n in names}
    return flags | {
        "consent_overridden": True,
        "consent_override_basis": draw(_enum(ConsentOverrideBasis)),
        "consent_override_justification": draw(_text()),
        "consent_override_approved_by": draw(_ids("sup")),
    }


@st.composite
def referrals(draw: st.DrawFn) -> Referral:
    """Valid A.1 referrals at every lifecycle status, with or without counter-referral."""
    day = draw(_dates())
    status = draw(_enum(ReferralStatus))
    needs_signature = status in (
        ReferralStatus.RECEIVED,
        ReferralStatus.SERVICE_DELIVERED,
        ReferralStatus.CLOSED,
    )
    needs_counter = status in (ReferralStatus.SERVICE_DELIVERED, ReferralStatus.CLOSED)
    signed = needs_signature or draw(st.booleans())
    counter = None
    if needs_counter or (signed and draw(st.booleans())):
        counter = {
            "service_provided": draw(_text()),
            "service_date": draw(_after(day)),
            "progress_feedback": draw(_opt(_text())),
            "next_appointments": draw(st.lists(_after(day, 120), max_size=2)),
            "provider_role": draw(_opt(_text(30))),
            "provider_signed": draw(st.booleans()),
            "filed_in_child_file": draw(st.booleans()),
        }
    data = _header(draw) | {
        "referral_date": day,
        "referral_type": draw(_enum(ReferralType)),
        "referral_status": status,
        "risk_level": draw(_opt(_enum(RiskLevel))),
        "referring_caseworker_phone": draw(_phones()),
        "family_contact_relationship": draw(_text(30)),
        "family_contact_phone": draw(_phones()),
        "receiving_organisation": draw(_text(30)),
        "receiving_provider_id": draw(_opt(_ids("SP"))),
        "receiving_focal_point": draw(_opt(_text(30))),
        "receiving_contact_phone": draw(_opt(_phones())),
        "service_type": draw(_enum(ServiceCategory)),
        "service_referral_notes": draw(_opt(_text())),
        "information_shared": draw(_opt(_text())),
        "confidentiality_measures": draw(_opt(_text())),
        "consent_verbal": draw(_opt(st.booleans())),
        "consent_form_ref": draw(_opt(_ids("E"))),
        "availability_confirmed": draw(_opt(st.booleans())),
        "focal_point_present_confirmed": draw(_opt(st.booleans())),
        "child_accompanied": draw(_opt(st.booleans())),
        "follow_up_plan_with_provider": draw(_opt(_text())),
        "receiver_signed": signed,
        "receiver_signed_date": draw(_after(day, 30)) if signed else None,
        "counter_referral": counter,
    }
    data |= _consent(draw, ("consent_for_services", "disclosure_other_orgs"))
    return _build(Referral, data)


@st.composite
def file_transfers(draw: st.DrawFn) -> FileTransfer:
    """Valid A.2 transfers (always to an organisation with a trained CM team)."""
    day = draw(_dates())
    status = draw(_enum(TransferStatus))
    accepted = status in (TransferStatus.ACCEPTED, TransferStatus.COMPLETED)
    data = _header(draw) | {
        "transfer_date": day,
        "transfer_status": status,
        "transfer_reason": draw(_enum(TransferReason)),
        "transfer_reason_details": draw(_opt(_text())),
        "receiving_organisation": draw(_text(30)),
        "receiving_provider_id": draw(_opt(_ids("SP"))),
        "receiving_caseworker_id": draw(_opt(_ids("CW"))),
        "receiving_org_has_trained_cm_team": True,
        "steps_completed": draw(st.lists(st.sampled_from(_PROCESS_STEPS), unique=True)),
        "forms_transferred": draw(st.lists(st.sampled_from(FORM_CODES), unique=True, max_size=6)),
        "handover_plan": draw(_opt(_text())),
        "explained_to_child_family": draw(_opt(st.booleans())),
        "child_accompanied_to_new_worker": draw(_opt(st.booleans())),
        "consent_form_ref": draw(_opt(_ids("E"))),
        "accepted_date": draw(_after(day, 30)) if accepted else None,
        "notes": draw(_opt(_text())),
    }
    data |= _consent(draw, ("disclosure_other_orgs",))
    return _build(FileTransfer, data)


@st.composite
def community_referrals(draw: st.DrawFn) -> CommunityReferral:
    """Valid A.3 community referrals (no child name; age 0–17 unless presumed minor)."""
    day = draw(_dates())
    age_status = draw(_opt(_enum(AgeStatus)))
    max_age = 25 if age_status is AgeStatus.PRESUMED_MINOR else 17
    informed = draw(st.booleans())
    data = _header(draw) | {
        "report_date": day,
        "community_structure": draw(_text(30)),
        "community_actor_role": draw(_opt(_text(30))),
        "child_sex": draw(_opt(_enum(Sex))),
        "child_age": draw(_opt(st.integers(0, max_age))),
        "age_status": age_status,
        "location": draw(_opt(_text(30))),
        "concern_summary": draw(_text()),
        "child_made_safe": draw(_opt(st.booleans())),
        "action_taken": draw(_opt(_text())),
        "state_service_informed": informed,
        "state_service": draw(_text(30)) if informed else draw(_opt(_text(30))),
        "state_informed_date": draw(_after(day, 7)) if informed else None,
        "feedback_received": draw(_opt(_text())),
        "community_follow_up": draw(_opt(_text())),
    }
    return _build(CommunityReferral, data)


@st.composite
def case_reopenings(draw: st.DrawFn) -> CaseReopening:
    """Valid B.1 reopenings, with or without supervisor approval."""
    day = draw(_dates(DATE_MIN + dt.timedelta(days=400)))
    approved = draw(st.booleans())
    data = _header(draw) | {
        "reopen_date": day,
        "reopening_reason": draw(_enum(ReopeningReason)),
        "reopening_reason_details": draw(_opt(_text())),
        "previous_closure_date": draw(_opt(_dates(day - dt.timedelta(days=400), day))),
        "previous_closure_reason": draw(_opt(_enum(ClosureReason))),
        "risk_level": draw(_enum(RiskLevel)),
        "assigned_caseworker_id": draw(_ids("CW")),
        "restart_step": draw(st.sampled_from((*_PROCESS_STEPS, Step.FOLLOW_UP))),
        "supervisor_id": draw(_ids("SUP")) if approved else draw(_opt(_ids("SUP"))),
        "supervisor_approved": approved,
        "supervisor_approved_date": draw(_after(day, 7)) if approved else None,
    }
    return _build(CaseReopening, data)


# --- File tools and service map ----------------------------------------------------------------


@st.composite
def file_cover_pages(draw: st.DrawFn) -> FileCoverPage:
    """Valid file cover pages (caseworker and organisation always present)."""
    opened = draw(_dates())
    status = draw(_enum(CaseStatus))
    closed = _after(opened, 900)
    data = _header(draw) | {
        "caseworker_id": draw(_ids("CW")),
        "organisation_id": draw(_ids("ORG")),
        "date_opened": opened,
        "date_closed": draw(closed if status is CaseStatus.CLOSED else _opt(closed)),
        "supervisor_id": draw(_opt(_ids("SUP"))),
        "case_status": status,
        "current_step": draw(_opt(_enum(Step))),
        "risk_level": draw(_opt(_enum(RiskLevel))),
        "archive_location": draw(_opt(_text(30))),
    }
    return _build(FileCoverPage, data)


@st.composite
def file_checklists(draw: st.DrawFn) -> FileChecklist:
    """Valid file checklists: each form code at most once, counts consistent with presence."""
    codes = draw(st.lists(st.sampled_from(FORM_CODES), min_size=1, max_size=12, unique=True))
    items = []
    for code in codes:
        present = draw(st.booleans())
        items.append(
            {
                "form_code": code,
                "present": present,
                "count": draw(_opt(st.integers(1, 30) if present else st.just(0))),
                "latest_date": draw(_opt(_dates())) if present else None,
                "signed": draw(_opt(st.booleans())),
                "comment": draw(_opt(_text())),
            }
        )
    data = _header(draw) | {
        "check_date": draw(_dates()),
        "checked_by_id": draw(_opt(_ids("SUP"))),
        "items": items,
        "separate_file_per_child": draw(_opt(st.booleans())),
        "anonymised_code_on_documents": draw(_opt(st.booleans())),
        "code_name_list_kept_apart": draw(_opt(st.booleans())),
        "stored_securely": draw(_opt(st.booleans())),
        "up_to_date": draw(_opt(st.booleans())),
        "remarks": draw(_opt(_text())),
    }
    return _build(FileChecklist, data)


@st.composite
def service_provider_records(draw: st.DrawFn) -> ServiceProviderRecord:
    """Valid service-map records (no case code)."""
    sector = draw(_enum(ServiceSector))
    categories = draw(st.lists(_enum(ServiceCategory), max_size=3, unique=True))
    family_alt = (
        sector is ServiceSector.FAMILY_ALTERNATIVES
        or ServiceCategory.FAMILY_ALTERNATIVES in categories
    )
    duration = draw(_opt(_enum(InterventionDuration)))
    age_min = draw(_opt(st.integers(0, 17)))
    data = _header(draw, with_case_code=False) | {
        "provider_id": draw(_ids("SP")),
        "location": draw(_text(30)),
        "provider_name": draw(_text(30)),
        "sector": sector,
        "services_offered": draw(_text()),
        "service_categories": categories,
        "structure_type": draw(_enum(StructureType)),
        "focal_point_name": draw(_opt(_text(30))),
        "focal_point_phone": draw(_opt(_phones())),
        "focal_point_address": draw(_opt(_text(30))),
        "coverage": draw(_opt(_text(30))),
        "duration": duration,
        "duration_period": draw(
            _text(20) if duration is InterventionDuration.LIMITED else _opt(_text(20))
        ),
        "cost": draw(_opt(_text(30))),
        "opening_hours": draw(_opt(_text(30))),
        "eligibility_criteria": draw(_opt(_text())),
        "emergency_phone": draw(_opt(_phones())),
        "admission_hours": draw(_opt(_text(30))),
        "target": draw(_opt(_text())),
        "target_age_min": age_min,
        "target_age_max": draw(_opt(st.integers(age_min or 0, 18))),
        "target_sex": draw(st.lists(_enum(Sex), unique=True, max_size=2)),
        "hours": draw(_opt(_text(30))),
        "family_alternative_setting": (
            draw(_opt(_enum(FamilyAlternativeSetting))) if family_alt else None
        ),
        "length_of_stay": draw(_opt(_text(20))),
        "last_verified_date": draw(_dates()),
        "emergency_zone": draw(st.booleans()),
        "map_version": draw(_opt(_text(10))),
        "has_trained_cm_team": draw(st.booleans()),
        "cm_intervention_level": draw(_opt(_enum(CmInterventionLevel))),
    }
    return _build(ServiceProviderRecord, data)


PART2_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "3.A": case_plans,
    "3.B": case_conference_reports,
    "4.A": services_provided,
    "5.A": case_follow_ups,
    "5.B": case_reviews,
    "5.C": follow_up_conference_reports,
    "6.A": case_closures,
    "6.B": child_feedbacks,
    "6.C": adult_feedbacks,
    "A.1": referrals,
    "A.2": file_transfers,
    "A.3": community_referrals,
    "B.1": case_reopenings,
    "COVER": file_cover_pages,
    "CHECKLIST": file_checklists,
    "SP": service_provider_records,
}
"""Form code → strategy function of valid instances, for the forms this module covers."""
