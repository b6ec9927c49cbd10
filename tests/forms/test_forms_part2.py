"""Forms 3.A–6.C, A.1–A.3, B.1, cover page, checklist, service-map record; services vocabularies."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import cpcase.vocab.services as services_vocab
from cpcase.errors import FormError
from cpcase.forms._base import FormBase
from cpcase.forms.case_plan import CaseConferenceReport, IndividualActionPlan, PlanActivity
from cpcase.forms.closure import AdultFeedback, CaseClosure, ChildFeedback
from cpcase.forms.file_tools import FileChecklist, FileCoverPage
from cpcase.forms.follow_up import CaseFollowUp, CaseReview, FollowUpConferenceReport
from cpcase.forms.referral import CommunityReferral, FileTransfer, Referral
from cpcase.forms.reopening import CaseReopening
from cpcase.forms.service_map import ServiceProviderRecord
from cpcase.forms.services import ServicesProvided
from cpcase.labels import LabelledEnum, field_label
from cpcase.testing.forms_part2 import DATE_MAX, PART2_STRATEGIES
from cpcase.vocab import FormClass, Step

FORMS: dict[str, type[FormBase]] = {
    m.form_code: m
    for m in (
        IndividualActionPlan,
        CaseConferenceReport,
        ServicesProvided,
        CaseFollowUp,
        CaseReview,
        FollowUpConferenceReport,
        CaseClosure,
        ChildFeedback,
        AdultFeedback,
        Referral,
        FileTransfer,
        CommunityReferral,
        CaseReopening,
        FileCoverPage,
        FileChecklist,
        ServiceProviderRecord,
    )
}
CODE = "ML-MOP-ORG-2026-00042"
TODAY = dt.date(2026, 6, 30)


def problems_of(model: type[FormBase], data: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Parse ``data`` expecting failure; map each problem path to (label_fr, label_en, message)."""
    with pytest.raises(FormError) as info:
        model.parse(data, today=TODAY)
    return {path: (fr, en, msg) for path, fr, en, msg in info.value.problems}


def _args(tp: Any) -> list[Any]:
    args = getattr(tp, "__args__", None)
    return [a for arg in args for a in _args(arg)] if args else [tp]


def assert_names(model: type[FormBase], data: dict[str, Any], path: str) -> None:
    """The error names ``path`` and carries the labels of the field it points at.

    For a nested row (``activities.0.deadline``) that is the row field's own label.
    """
    found = problems_of(model, data)
    assert path in found, sorted(found)
    owner: Any = model
    parts = [p for p in path.split(".") if not p.isdigit()]
    for part in parts[:-1]:
        annotation = owner.model_fields[part].annotation
        owner = next(
            a for a in _args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)
        )
    leaf = parts[-1]
    fr, en, _ = found[path]
    assert fr == field_label(owner, leaf, "fr")
    assert fr != leaf
    assert en == field_label(owner, leaf, "en")
    assert en != leaf
    with pytest.raises(FormError) as info:
        model.parse(data, today=TODAY, lang="fr")
    assert f"{path} ({fr})" in str(info.value)


# --- valid baselines worked by hand --------------------------------------------------------------

PLAN: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-03-02",
    "date_case_plan": "2026-03-02",
    "case_plan_goal": "rehabilitation_psychological",
    "specific_objectives": [
        {"row_id": "obj-1", "description": "Restaurer le lien entre l'enfant et son père"}
    ],
    "activities": [
        {
            "row_id": "act-1",
            "objective_ref": "obj-1",
            "intervention_service_to_be_provided": "Séances de médiation familiale",
            "deadline": "2026-04-15",
            "responsible_role": "caseworker",
        }
    ],
    "child_participated": True,
    "family_participated": True,
}
PLAN_VALIDATED = PLAN | {
    "validation_meeting_date": "2026-03-04",
    "supervisor_id": "SUP-00001",
    "supervisor_signed": True,
    "case_plan_approved": True,
    "case_plan_approved_date": "2026-03-04",
}
CONFERENCE: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-03-10",
    "conference_date": "2026-03-10",
    "conference_reason": "Cas complexe nécessitant une expertise externe",
    "conference_participants": [{"organisation": "DRPFEF", "role": "superviseur"}],
    "conference_current_situation": "Situation stable, placement provisoire",
    "conference_outcome_recommendations": "Maintenir le placement",
    "was_child_present": False,
    "was_caregiver_present": True,
}
SERVICES: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-03-20",
    "services_section": [
        {
            "row_id": "svc-1",
            "service_type": "psychosocial",
            "service_referral": "external_referral",
            "service_response_day_time": "2026-03-05",
            "service_implemented": True,
            "service_implemented_day_time": "2026-03-12",
        }
    ],
}
FOLLOW_UP: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-03-21",
    "followup_subform_section": [
        {
            "row_id": "fu-1",
            "followup_date": "2026-03-21",
            "followed_up_through": "home_visit",
            "followup_needed_by_date": "2026-03-28",
        }
    ],
}
REVIEW: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-04-02",
    "review_date": "2026-04-02",
    "plan_still_relevant": True,
    "previous_risk_level": "high",
    "risk_level": "medium",
    "risk_level_changed": True,
    "recommend_close_case": False,
    "date_next_review": "2026-06-01",
}
CLOSURE: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-06-01",
    "date_closure": "2026-06-01",
    "closure_reason": "plan_goal_achieved",
}
FEEDBACK: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-05-28",
    "feedback_date": "2026-05-28",
    "feedback_consent": True,
    "score_satisfaction": 8,
}
REFERRAL: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-03-05",
    "referral_date": "2026-03-05",
    "referring_caseworker_phone": "+223 76 00 00 01",
    "family_contact_relationship": "tante maternelle",
    "family_contact_phone": "+223 66 00 00 02",
    "receiving_organisation": "CSREF de Mopti",
    "service_type": "health_care",
    "consent_for_services": True,
    "disclosure_other_orgs": True,
}
REFERRAL_DONE = REFERRAL | {
    "referral_status": "service_delivered",
    "receiver_signed": True,
    "receiver_signed_date": "2026-03-06",
    "counter_referral": {
        "service_provided": "Consultation et soins",
        "service_date": "2026-03-06",
        "provider_signed": True,
    },
}
TRANSFER: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-04-10",
    "transfer_date": "2026-04-10",
    "transfer_reason": "move",
    "receiving_organisation": "Enda Mali Ségou",
    "receiving_org_has_trained_cm_team": True,
    "disclosure_other_orgs": True,
}
COMMUNITY: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-02-01",
    "report_date": "2026-02-01",
    "community_structure": "Comité de protection du quartier",
    "concern_summary": "Enfant seul au marché depuis deux jours",
    "state_service_informed": True,
    "state_service": "SLPFEF",
    "state_informed_date": "2026-02-01",
}
REOPENING: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-06-20",
    "reopen_date": "2026-06-20",
    "reopening_reason": "situation_changed",
    "previous_closure_date": "2026-06-01",
    "risk_level": "high",
    "assigned_caseworker_id": "CW-00007",
}
COVER: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-01-15",
    "caseworker_id": "CW-00007",
    "organisation_id": "ORG-00001",
    "date_opened": "2026-01-15",
}
CHECKLIST: dict[str, Any] = {
    "case_code": CODE,
    "form_date": "2026-06-02",
    "check_date": "2026-06-02",
    "items": [
        {"form_code": "1.B", "present": True, "count": 1},
        {"form_code": "3.A", "present": False},
    ],
}
PROVIDER: dict[str, Any] = {
    "form_date": "2026-01-05",
    "provider_id": "SP-MOP-0001",
    "location": "Mopti",
    "provider_name": "Enda-Tdh",
    "sector": "family_alternatives",
    "services_offered": "Hébergement, recherche familiale, réunification",
    "structure_type": "osc",
    "duration": "limited",
    "duration_period": "2018-2021",
    "last_verified_date": "2026-01-05",
    "has_trained_cm_team": True,
    "family_alternative_setting": "semi_closed",
}
BASELINES: dict[str, dict[str, Any]] = {
    "3.A": PLAN,
    "3.B": CONFERENCE,
    "4.A": SERVICES,
    "5.A": FOLLOW_UP,
    "5.B": REVIEW,
    "5.C": CONFERENCE,
    "6.A": CLOSURE,
    "6.B": FEEDBACK,
    "6.C": FEEDBACK,
    "A.1": REFERRAL,
    "A.2": TRANSFER,
    "A.3": COMMUNITY,
    "B.1": REOPENING,
    "COVER": COVER,
    "CHECKLIST": CHECKLIST,
    "SP": PROVIDER,
}


# --- catalogue metadata, labels, vocabularies ----------------------------------------------------


def test_strategies_cover_every_form() -> None:
    assert set(PART2_STRATEGIES) == set(FORMS) == set(BASELINES)


@pytest.mark.parametrize("code", sorted(FORMS))
def test_catalogue_metadata(code: str) -> None:
    model = FORMS[code]
    assert model.form_code == code
    assert isinstance(model.step, Step)
    assert isinstance(model.form_class, FormClass)
    assert model.name_fr.strip()
    assert model.name_en.strip()
    assert model.__doc__
    assert "SOP" in model.__doc__


def test_steps_and_classes_follow_the_sop_table() -> None:
    steps = {code: FORMS[code].step for code in FORMS}
    assert steps["3.A"] is steps["3.B"] is Step.CASE_PLAN
    assert steps["4.A"] is Step.IMPLEMENTATION
    assert steps["5.A"] is steps["5.B"] is steps["5.C"] is Step.FOLLOW_UP
    assert steps["6.A"] is steps["6.B"] is steps["6.C"] is Step.CLOSURE
    assert {FORMS[c].form_class for c in ("A.1", "A.2", "A.3", "B.1")} == {FormClass.ANY_STEP}
    assert {FORMS[c].form_class for c in ("COVER", "CHECKLIST")} == {FormClass.FILE_TOOL}
    # 3.B and 5.C are [AMBIGUOUS] in the SOP table; we document them as complementary.
    assert FORMS["3.B"].form_class is FORMS["5.C"].form_class is FormClass.COMPLEMENTARY


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _nested_models(arg)
    return found


def _all_models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = list(FORMS.values())
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            todo += _nested_models(info.annotation)
    return seen


@pytest.mark.parametrize("model", _all_models(), ids=lambda m: m.__name__)
def test_every_field_has_both_labels(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        assert isinstance(extra, dict), f"{model.__name__}.{name} has no labels"
        for key in ("label_fr", "label_en"):
            value = extra.get(key)
            assert isinstance(value, str), f"{model.__name__}.{name} {key}"
            assert value.strip(), f"{model.__name__}.{name} {key}"


def test_nested_rows_are_frozen_and_strict() -> None:
    rows = [m for m in _all_models() if not issubclass(m, FormBase)]
    assert PlanActivity in rows
    for row in rows:
        assert row.model_config.get("frozen") is True
        assert row.model_config.get("extra") == "forbid"
        assert row.model_config.get("hide_input_in_errors") is True


def _vocabularies() -> list[type[LabelledEnum]]:
    return [getattr(services_vocab, n) for n in services_vocab.__all__]


def test_vocab_all_is_sorted_and_complete() -> None:
    assert services_vocab.__all__ == sorted(services_vocab.__all__)
    defined = {
        n
        for n, v in vars(services_vocab).items()
        if isinstance(v, type) and issubclass(v, LabelledEnum) and v is not LabelledEnum
    }
    assert defined == set(services_vocab.__all__)


@pytest.mark.parametrize("enum", _vocabularies(), ids=lambda e: e.__name__)
def test_every_vocabulary_member_has_labels_source_and_ascii_code(
    enum: type[LabelledEnum],
) -> None:
    assert len(enum) >= 2
    for member in enum:
        assert member.label_fr.strip(), member
        assert member.label_en.strip(), member
        assert member.source.strip(), member
        assert member.value.isascii(), member
        assert member.value == member.value.lower(), member
        assert " " not in member.value
        assert "-" not in member.value
        if member.cpims is not None:
            assert enum.from_cpims(member.cpims).cpims == member.cpims


def test_vocabulary_sizes_match_the_sop() -> None:
    v = services_vocab
    assert len(v.ServiceCategory) == 11  # §3.4.1 items 1–11
    assert len(v.ServiceSector) == 8  # template sector rows
    assert {m.value for m in v.StructureType} == {"public", "osc", "obc", "anu"}
    sop_reasons = {
        "plan_goal_achieved",
        "transferred",
        "child_family_declined",
        "lost_to_follow_up",
        "deceased",
    }
    assert sop_reasons <= {m.value for m in v.ClosureReason}
    assert v.ClosureReason.LOST_TO_FOLLOW_UP.cpims == "child_no_longer_contactable"
    assert v.FollowUpType.from_cpims("for_assesment") is v.FollowUpType.FOR_ASSESSMENT


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(PART2_STRATEGIES))
@given(data=st.data())
def test_json_round_trip_is_identity(code: str, data: st.DataObject) -> None:
    form = data.draw(PART2_STRATEGIES[code]())
    model = FORMS[code]
    assert isinstance(form, model)
    again = model.model_validate_json(form.model_dump_json())
    assert again == form
    assert again.model_dump(mode="json") == form.model_dump(mode="json")


@pytest.mark.parametrize("code", sorted(BASELINES))
def test_hand_built_baselines_are_valid(code: str) -> None:
    form = FORMS[code].parse(BASELINES[code], today=TODAY)
    assert FORMS[code].model_validate_json(form.model_dump_json()) == form


@pytest.mark.parametrize("code", sorted(PART2_STRATEGIES))
@settings(max_examples=5)
@given(data=st.data())
def test_unknown_fields_are_rejected(code: str, data: st.DataObject) -> None:
    form = data.draw(PART2_STRATEGIES[code]())
    dumped = form.model_dump(mode="json") | {"nom_enfant": "Awa Traoré"}
    with pytest.raises(FormError) as info:
        FORMS[code].parse(dumped)
    assert [p[0] for p in info.value.problems] == ["nom_enfant"]
    assert "Awa" not in str(info.value)


def test_unknown_field_in_a_nested_row_is_rejected() -> None:
    bad = PLAN | {"activities": [PLAN["activities"][0] | {"child_name": "Awa"}]}
    assert "activities.0.child_name" in problems_of(IndividualActionPlan, bad)


@pytest.mark.parametrize("code", sorted(PART2_STRATEGIES))
@settings(max_examples=5)
@given(data=st.data())
def test_strategy_dates_are_never_in_the_future(code: str, data: st.DataObject) -> None:
    form = data.draw(PART2_STRATEGIES[code]())
    # Re-validating with the strategies' own upper bound as "today" must succeed.
    assert FORMS[code].parse(form.model_dump(mode="json"), today=DATE_MAX) == form


# --- SOP validators: 3.A -------------------------------------------------------------------------


def test_plan_activity_needs_a_deadline() -> None:
    row = {k: v for k, v in PLAN["activities"][0].items() if k != "deadline"}
    assert_names(IndividualActionPlan, PLAN | {"activities": [row]}, "activities.0.deadline")
    assert PlanActivity.model_fields["deadline"].json_schema_extra["label_fr"] == (  # type: ignore[index]
        "Délai (date limite)"
    )


def test_plan_activity_needs_a_responsible_person() -> None:
    row = {k: v for k, v in PLAN["activities"][0].items() if k != "responsible_role"}
    path = "activities.0.responsible_role"
    assert_names(IndividualActionPlan, PLAN | {"activities": [row]}, path)


def test_plan_needs_a_specific_objective() -> None:
    bad = PLAN | {
        "specific_objectives": [],
        "activities": [PLAN["activities"][0] | {"objective_ref": None}],
    }
    assert_names(IndividualActionPlan, bad, "specific_objectives")


def test_plan_activity_must_reference_a_known_objective() -> None:
    bad = PLAN | {"activities": [PLAN["activities"][0] | {"objective_ref": "obj-9"}]}
    assert_names(IndividualActionPlan, bad, "activities")


def test_plan_validation_needs_supervisor_and_date() -> None:
    IndividualActionPlan.parse(PLAN_VALIDATED, today=TODAY)
    no_supervisor = {k: v for k, v in PLAN_VALIDATED.items() if k != "supervisor_id"}
    assert_names(IndividualActionPlan, no_supervisor, "supervisor_id")
    no_date = {k: v for k, v in PLAN_VALIDATED.items() if k != "case_plan_approved_date"}
    assert_names(IndividualActionPlan, no_date, "case_plan_approved_date")
    # A validation field on its own starts validation: both are then required.
    found = problems_of(IndividualActionPlan, PLAN | {"supervisor_id": "SUP-00001"})
    assert "case_plan_approved_date" in found
    assert "supervisor_id" not in found


def test_approved_plan_carries_the_supervisor_signature() -> None:
    assert_names(
        IndividualActionPlan, PLAN_VALIDATED | {"supervisor_signed": False}, "supervisor_signed"
    )


def test_plan_date_cannot_be_in_the_future() -> None:
    assert_names(IndividualActionPlan, PLAN | {"date_case_plan": "2026-07-01"}, "date_case_plan")


def test_other_general_objective_needs_details() -> None:
    assert_names(
        IndividualActionPlan, PLAN | {"case_plan_goal": "other"}, "case_plan_goal_details"
    )


# --- 3.B / 5.C, 4.A, 5.A, 5.B --------------------------------------------------------------------


@pytest.mark.parametrize("model", [CaseConferenceReport, FollowUpConferenceReport])
def test_conference_needs_participants_and_dated_actions(model: type[FormBase]) -> None:
    assert_names(model, CONFERENCE | {"conference_participants": []}, "conference_participants")
    action = {
        "row_id": "ap-1",
        "action": "Référer vers un psychologue",
        "responsible_role": "caseworker",
    }
    assert_names(model, CONFERENCE | {"action_points": [action]}, "action_points.0.deadline")


def test_delivered_service_needs_a_delivery_date_not_before_the_request() -> None:
    row = SERVICES["services_section"][0]
    no_date = row | {"service_implemented_day_time": None}
    assert_names(
        ServicesProvided,
        SERVICES | {"services_section": [no_date]},
        "services_section.0.service_implemented_day_time",
    )
    early = row | {"service_implemented_day_time": "2026-03-01"}
    assert_names(
        ServicesProvided,
        SERVICES | {"services_section": [early]},
        "services_section.0.service_implemented_day_time",
    )


def test_services_row_ids_are_unique() -> None:
    row = SERVICES["services_section"][0]
    assert_names(ServicesProvided, SERVICES | {"services_section": [row, row]}, "services_section")


def test_follow_up_next_contact_not_before_the_contact() -> None:
    row = FOLLOW_UP["followup_subform_section"][0] | {"followup_needed_by_date": "2026-03-20"}
    path = "followup_subform_section.0.followup_needed_by_date"
    assert_names(CaseFollowUp, FOLLOW_UP | {"followup_subform_section": [row]}, path)


def test_review_records_risk_level_and_change() -> None:
    no_risk = {k: v for k, v in REVIEW.items() if k != "risk_level"}
    assert_names(CaseReview, no_risk, "risk_level")
    no_change = {k: v for k, v in REVIEW.items() if k != "risk_level_changed"}
    assert_names(CaseReview, no_change, "risk_level_changed")
    assert_names(CaseReview, REVIEW | {"risk_level_changed": False}, "risk_level_changed")
    no_reco = {k: v for k, v in REVIEW.items() if k != "recommend_close_case"}
    assert_names(CaseReview, no_reco, "recommend_close_case")


def test_review_needs_next_review_date_unless_closing() -> None:
    assert_names(CaseReview, REVIEW | {"date_next_review": None}, "date_next_review")
    assert_names(CaseReview, REVIEW | {"date_next_review": "2026-04-01"}, "date_next_review")
    closing = REVIEW | {
        "date_next_review": None,
        "recommend_close_case": True,
        "risk_level": "none",
    }
    assert CaseReview.parse(closing, today=TODAY).recommend_close_case


# --- 6.A, 6.B/6.C --------------------------------------------------------------------------------


def test_declined_closure_needs_no_danger_and_progress() -> None:
    declined = CLOSURE | {"closure_reason": "child_family_declined"}
    found = problems_of(CaseClosure, declined)
    assert {"no_danger_confirmed", "significant_progress_recorded"} <= set(found)
    assert_names(
        CaseClosure, declined | {"significant_progress_recorded": True}, "no_danger_confirmed"
    )
    ok = declined | {"no_danger_confirmed": True, "significant_progress_recorded": True}
    assert CaseClosure.parse(ok, today=TODAY).closure_reason.value == "child_family_declined"


def test_lost_to_follow_up_needs_last_contact_not_after_closure() -> None:
    lost = CLOSURE | {"closure_reason": "lost_to_follow_up"}
    assert_names(CaseClosure, lost, "last_contact_date")
    assert_names(CaseClosure, lost | {"last_contact_date": "2026-06-02"}, "last_contact_date")
    assert CaseClosure.parse(lost | {"last_contact_date": "2026-02-20"}, today=TODAY)


def test_transferred_closure_cites_the_transfer() -> None:
    assert_names(CaseClosure, CLOSURE | {"closure_reason": "transferred"}, "transfer_ref")


def test_closure_validated_by_supervisor_in_a_closure_meeting() -> None:
    approved = CLOSURE | {"closure_approved": True}
    found = problems_of(CaseClosure, approved)
    assert {"supervisor_id", "closure_meeting_date", "closure_approved_date"} <= set(found)
    assert_names(CaseClosure, approved, "closure_meeting_date")
    full = approved | {
        "supervisor_id": "SUP-00001",
        "closure_meeting_date": "2026-05-30",
        "closure_approved_date": "2026-05-30",
    }
    assert CaseClosure.parse(full, today=TODAY).closure_approved
    assert_names(
        CaseClosure, full | {"closure_approved_date": "2026-05-29"}, "closure_approved_date"
    )


@pytest.mark.parametrize("model", [ChildFeedback, AdultFeedback])
def test_feedback_needs_permission_and_scores_1_to_10(model: type[FormBase]) -> None:
    assert_names(model, FEEDBACK | {"feedback_consent": False}, "score_satisfaction")
    assert_names(model, FEEDBACK | {"score_satisfaction": 11}, "score_satisfaction")


# --- A.1, A.2, A.3, B.1 --------------------------------------------------------------------------


def test_referral_needs_consent_or_a_recorded_legal_basis() -> None:
    no_consent = REFERRAL | {"disclosure_other_orgs": False}
    assert_names(Referral, no_consent, "consent_for_services")
    overridden = no_consent | {"consent_overridden": True}
    found = problems_of(Referral, overridden)
    assert {
        "consent_override_basis",
        "consent_override_justification",
        "consent_override_approved_by",
    } <= set(found)
    assert_names(Referral, overridden, "consent_override_basis")
    justified = overridden | {
        "consent_override_basis": "vital_interests",
        "consent_override_justification": "Danger immédiat, famille injoignable",
        "consent_override_approved_by": "sup-01",
    }
    assert Referral.parse(justified, today=TODAY).consent_overridden


@pytest.mark.parametrize(
    "name", ["referring_caseworker_phone", "family_contact_phone", "family_contact_relationship"]
)
def test_referral_needs_caseworker_phone_and_a_family_contact(name: str) -> None:
    assert_names(Referral, {k: v for k, v in REFERRAL.items() if k != name}, name)


def test_referral_phone_format_is_checked_without_echoing_input() -> None:
    with pytest.raises(FormError) as info:
        Referral.parse(REFERRAL | {"family_contact_phone": "Awa Traoré"}, today=TODAY)
    assert [p[0] for p in info.value.problems] == ["family_contact_phone"]
    assert "Awa" not in str(info.value)


def test_counter_referral_needs_signed_dated_receipt_and_service() -> None:
    Referral.parse(REFERRAL_DONE, today=TODAY)
    unsigned = REFERRAL_DONE | {
        "receiver_signed": False,
        "receiver_signed_date": None,
        "referral_status": "sent",
    }
    assert_names(Referral, unsigned, "receiver_signed")
    no_date = REFERRAL_DONE | {"receiver_signed_date": None}
    assert_names(Referral, no_date, "receiver_signed_date")
    cr = {k: v for k, v in REFERRAL_DONE["counter_referral"].items() if k != "service_date"}
    assert_names(
        Referral, REFERRAL_DONE | {"counter_referral": cr}, "counter_referral.service_date"
    )
    no_service = {
        k: v for k, v in REFERRAL_DONE["counter_referral"].items() if k != "service_provided"
    }
    assert_names(
        Referral,
        REFERRAL_DONE | {"counter_referral": no_service},
        "counter_referral.service_provided",
    )
    assert_names(Referral, REFERRAL_DONE | {"counter_referral": None}, "counter_referral")


def test_transfer_needs_trained_cm_team() -> None:
    assert_names(
        FileTransfer,
        TRANSFER | {"receiving_org_has_trained_cm_team": False},
        "receiving_org_has_trained_cm_team",
    )
    missing = {k: v for k, v in TRANSFER.items() if k != "receiving_organisation"}
    assert_names(FileTransfer, missing, "receiving_organisation")


def test_transfer_needs_consent() -> None:
    assert_names(
        FileTransfer, TRANSFER | {"disclosure_other_orgs": False}, "disclosure_other_orgs"
    )


def test_accepted_transfer_is_dated() -> None:
    assert_names(FileTransfer, TRANSFER | {"transfer_status": "accepted"}, "accepted_date")


def test_community_referral_age_and_state_notification() -> None:
    assert_names(CommunityReferral, COMMUNITY | {"child_age": 18}, "child_age")
    presumed = COMMUNITY | {"child_age": 18, "age_status": "presumed_minor"}
    assert CommunityReferral.parse(presumed, today=TODAY).child_age == 18
    assert_names(CommunityReferral, COMMUNITY | {"state_service": None}, "state_service")


def test_reopening_after_previous_closure_and_at_a_process_step() -> None:
    assert_names(CaseReopening, REOPENING | {"reopen_date": "2026-05-31"}, "reopen_date")
    assert_names(CaseReopening, REOPENING | {"restart_step": "closure"}, "restart_step")
    assert_names(CaseReopening, REOPENING | {"supervisor_approved": True}, "supervisor_id")


# --- file tools, service map ---------------------------------------------------------------------


def test_cover_page_names_caseworker_and_organisation_but_no_child() -> None:
    assert_names(FileCoverPage, COVER | {"caseworker_id": None}, "caseworker_id")
    assert_names(FileCoverPage, COVER | {"organisation_id": None}, "organisation_id")
    assert_names(FileCoverPage, COVER | {"case_status": "closed"}, "date_closed")
    assert not [n for n in FileCoverPage.model_fields if "name" in n]
    assert "child_name" in problems_of(FileCoverPage, COVER | {"child_name": "Awa"})


def test_checklist_lists_present_codes() -> None:
    checklist = FileChecklist.parse(CHECKLIST, today=TODAY)
    assert checklist.present_codes == {"1.B"}
    assert checklist.missing_codes == {"3.A"}
    twice = CHECKLIST | {"items": [*CHECKLIST["items"], {"form_code": "1.B", "present": True}]}
    assert_names(FileChecklist, twice, "items")
    assert_names(
        FileChecklist,
        CHECKLIST | {"items": [{"form_code": "9.Z", "present": True}]},
        "items.0.form_code",
    )
    absent = CHECKLIST | {"items": [{"form_code": "3.A", "present": False, "count": 2}]}
    assert_names(FileChecklist, absent, "items.0.count")


def test_service_provider_record() -> None:
    record = ServiceProviderRecord.parse(PROVIDER, today=TODAY)
    assert record.case_code is None
    assert record.has_trained_cm_team
    assert_names(ServiceProviderRecord, PROVIDER | {"case_code": CODE}, "case_code")
    assert_names(ServiceProviderRecord, PROVIDER | {"duration_period": None}, "duration_period")
    assert_names(
        ServiceProviderRecord, PROVIDER | {"sector": "health"}, "family_alternative_setting"
    )
    assert_names(
        ServiceProviderRecord,
        PROVIDER | {"target_age_min": 12, "target_age_max": 8},
        "target_age_max",
    )
    assert_names(
        ServiceProviderRecord,
        PROVIDER | {"last_verified_date": "2026-07-01"},
        "last_verified_date",
    )
    template_columns = {
        "location", "provider_name", "sector", "services_offered", "structure_type",
        "focal_point_name", "focal_point_phone", "focal_point_address", "coverage", "duration",
        "cost", "opening_hours", "eligibility_criteria", "emergency_phone", "admission_hours",
        "target", "hours", "last_verified_date", "has_trained_cm_team", "cm_intervention_level",
    }  # fmt: skip
    assert template_columns <= set(ServiceProviderRecord.model_fields)


def test_forms_are_frozen() -> None:
    plan = IndividualActionPlan.parse(PLAN, today=TODAY)
    with pytest.raises(Exception, match="frozen"):
        plan.case_plan_goal = plan.case_plan_goal  # type: ignore[misc]
    assert isinstance(plan.activities, tuple)
    assert not isinstance(plan.activities, types.GeneratorType)


def test_consent_override_needs_a_supervisor_sign_off() -> None:
    """CM course CS5: an A.1 made without consent names the supervisor who signed it off."""
    data = REFERRAL | {
        "consent_for_services": False,
        "disclosure_other_orgs": False,
        "consent_overridden": True,
        "consent_override_basis": "vital_interests",
        "consent_override_justification": "Urgence médicale, famille injoignable",
    }
    assert_names(Referral, data, "consent_override_approved_by")
    ok = Referral.parse(data | {"consent_override_approved_by": "sup-01"}, today=TODAY)
    assert ok.consent_override_approved_by == "sup-01"
