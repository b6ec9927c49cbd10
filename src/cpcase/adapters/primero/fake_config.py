"""The configuration the fake Primero serves: CP case forms and lookups (``/forms``, ``/lookups``).

Field names, types and option ids follow the public Primero demo seed and the CP "interagency"
template as summarised in the API notes (§2.2, §2.3); the JSON shapes follow Primero's form and
lookup views. This is a test fixture describing a plausible CPIMS+ deployment, not the official
(non-public) CPIMS+ configuration: real deployments differ, which is exactly why the adapter
loads ``/forms`` and ``/lookups`` at run time. Downstream tests may pass their own forms,
lookups and role permissions to :class:`~cpcase.adapters.primero.fake.FakePrimero`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["DEFAULT_FORM_PERMISSIONS", "default_forms", "default_lookups"]

_MODULES = ["primeromodule-cp"]


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated ids (keeps long option lists compact)."""
    return tuple(text.split())


def _text(en: str, fr: str = "") -> dict[str, str]:
    return {"en": en, "fr": fr or en, "es": ""}


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _options(ids: Iterable[str]) -> list[dict[str, Any]]:
    return [{"id": i, "display_text": _text(_label(i))} for i in ids]


# (unique_id, values) — interagency values where the notes give them (§2.2).
_LOOKUPS: tuple[tuple[str, str, Sequence[str]], ...] = (
    ("lookup-gender", "Sex", ("male", "female", "other")),
    ("lookup-risk-level", "Risk Level", ("high", "medium", "low")),
    ("lookup-case-status", "Case Status", ("open", "closed", "transferred", "duplicate")),
    ("lookup-yes-no", "Yes or No", ("true", "false")),
    ("lookup-protection-status", "Protection Status", ("unaccompanied", "separated")),
    (
        "lookup-protection-concerns",
        "Protection Concerns",
        _words(
            "physical_abuse_violence sexual_abuse_violence rape emotional_or_psychological "
            "neglect abandonment child_labour hazardous_work sexual_exploitation "
            "slavery_sale_abduction in_conflict_with_the_law associated_with_armed "
            "deprived_of_liberty serious_medical_condition functional_difficulty_seeing "
            "functional_difficulty_hearing functional_difficulty_walking "
            "functional_difficulty_remembering difficulty_with_self_care "
            "difficulty_communicating unaccompanied separated orphan psychosocial_distress "
            "mental_disorder substance_abuse belongs_to_marginalised "
            "lack_of_documentation_birth_registration child_marriage "
            "female_genital_mutilation_fgm pregnancy_child_parent "
            "denial_of_resources_opportunities_or_services highly_vulnerable_care "
            "child_survivor_of_explosive other"
        ),
    ),
    (
        "lookup-displacement-status",
        "Displacement Status",
        _words(
            "resident idp refugee stateless_person returnee foreign_national asylum_seeker "
            "migrant host_community other"
        ),
    ),
    (
        "lookup-service-type",
        "Service Type",
        _words(
            "alternative_care security_e_g_safe_shelter education_formal non_formal_education "
            "family_tracing_and_reunification basic_psychosocial_support "
            "focuses_non_specialized_mhpss_care specialized_mhpss_services food non_food_items "
            "cash_assistance livelihoods medical nutrition legal_support documentation "
            "services_for_children_with_disabilities sexual_and_reproductive_health shelter wash "
            "durable_solution_in_coordination_with_unhcr relocation other_please_specify"
        ),
    ),
    (
        "lookup-service-response-type",
        "Service Response Type",
        ("care_plan", "action_plan", "service_provision"),
    ),
    ("lookup-service-implemented", "Service Implemented", ("not_implemented", "implemented")),
    (
        "lookup-service-referred",
        "Service Referred",
        ("service_provided_by_your_agency", "internal_referral", "external_referral"),
    ),
    (
        "lookup-followup-type",
        "Follow-up Type",
        _words(
            "after_reunification in_care for_service for_assesment client_request_review_data "
            "client_request_copy_data"
        ),
    ),
    (
        "lookup-legitimate-basis",
        "Legitimate Basis",
        _words(
            "consent contract vital_interests beneficiary_interests legal_obligation "
            "other_legitimate_interests"
        ),
    ),
    (
        "lookup-approval-status",
        "Approval Status",
        ("requested", "pending", "approved", "rejected"),
    ),
    (
        "lookup-care-arrangements-type",
        "Care Arrangements Type",
        _words(
            "parent_s step_parent customary_caregiver_s adult_sibling "
            "kinship_care_extended_family foster_care residential_care kafala independent_living "
            "child_headed_household unrelated_adult no_care_arrangement other"
        ),
    ),
    (
        "lookup-workflow",
        "Workflow",
        _words("new closed reopened service_provision services_implemented case_plan assessment"),
    ),
)

_CLOSURE_REASONS = _words(
    "overall_goal_of_the_case_plan child_has_turned_18_years_old relocation_of_child_to_an_area "
    "child_departed_for_a_durable_solution child_no_longer_contactable death_of_child transferred "
    "case_opened_in_error other"
)

_FOLLOWUP_THROUGH = _words(
    "scheduled_home_visit_child_family ad_hoc_home_visit_child_family "
    "face_to_face_meeting_outside_of_home_child_family "
    "face_to_face_meeting_service_provider_and_child_family phone_call "
    "instant_message_sms_whatsapp face_to_face_meeting_service_provider_only "
    "community_based_group authorities other"
)

# Role form permissions of the fake service account: form unique_id -> "r" | "rw".
# ``record_owner`` is read-only, as on an ISP-scoped integration role: writes to its fields are
# silently dropped, which the schema check must report.
DEFAULT_FORM_PERMISSIONS: dict[str, str] = {
    "basic_identity": "rw",
    "consent": "rw",
    "protection_concern": "rw",
    "protection_concern_details": "rw",
    "assessment": "rw",
    "cp_case_plan": "rw",
    "cp_case_plan_details": "rw",
    "services": "rw",
    "followup": "rw",
    "closure_form": "rw",
    "notes": "rw",
    "record_owner": "r",
}


def default_lookups() -> list[dict[str, Any]]:
    """Lookups as ``GET /api/v2/lookups`` returns them (numeric ``id``, option ``values``)."""
    return [
        {
            "id": n,
            "unique_id": uid,
            "name": _text(name),
            "locked": uid == "lookup-yes-no",
            "values": _options(values),
        }
        for n, (uid, name, values) in enumerate(_LOOKUPS, start=1)
    ]


class _Builder:
    """Assigns numeric ids to forms and fields the way a database would."""

    def __init__(self) -> None:
        self.forms: list[dict[str, Any]] = []
        self._field_id = 0

    def field(self, form_id: int, name: str, ftype: str, **extra: Any) -> dict[str, Any]:
        self._field_id += 1
        field: dict[str, Any] = {
            "id": self._field_id,
            "name": name,
            "type": ftype,
            "form_section_id": form_id,
            "visible": True,
            "editable": True,
            "disabled": False,
            "mobile_visible": True,
            "multi_select": False,
            "required": False,
            "display_name": _text(_label(name)),
            "help_text": _text(""),
        }
        if ftype == "date_field":
            field["date_validation"] = extra.pop("date_validation", "default_date_validation")
            field["date_include_time"] = extra.pop("date_include_time", False)
        if "lookup" in extra:
            field["option_strings_source"] = f"lookup {extra.pop('lookup')}"
        if "options" in extra:
            field["option_strings_text"] = _options(extra.pop("options"))
        field.update(extra)
        return field

    def form(
        self,
        unique_id: str,
        group: str,
        fields: Sequence[tuple[str, str, dict[str, Any]]],
        *,
        nested: bool = False,
    ) -> dict[str, Any]:
        form_id = len(self.forms) + 1
        form = {
            "id": form_id,
            "unique_id": unique_id,
            "name": _text(_label(unique_id)),
            "description": _text(""),
            "parent_form": "case",
            "form_group_id": group,
            "visible": not nested,
            "editable": True,
            "is_nested": nested,
            "is_first_tab": unique_id == "basic_identity",
            "order": form_id,
            "order_form_group": 0,
            "order_subform": 0,
            "initial_subforms": 0,
            "module_ids": list(_MODULES),
            "fields": [self.field(form_id, n, t, **dict(x)) for n, t, x in fields],
        }
        self.forms.append(form)
        return form

    def subform(
        self,
        parent: str,
        group: str,
        name: str,
        fields: Sequence[tuple[str, str, dict[str, Any]]],
    ) -> None:
        nested = self.form(name, group, fields, nested=True)
        self.form(parent, group, [(name, "subform", {"subform_section_id": nested["id"]})])


def _f(name: str, ftype: str, **extra: Any) -> tuple[str, str, dict[str, Any]]:
    return (name, ftype, extra)


def default_forms() -> list[dict[str, Any]]:
    """CP case forms as ``GET /api/v2/forms?record_type=case&module_id=primeromodule-cp``."""
    b = _Builder()
    b.form(
        "basic_identity",
        "identification_registration",
        [
            _f("case_id", "text_field", disabled=True),
            _f("short_id", "text_field", disabled=True),
            _f("case_id_display", "text_field", disabled=True),
            _f("cpims_id", "text_field"),
            _f("status", "select_box", lookup="lookup-case-status", disabled=True),
            _f("name", "text_field", disabled=True),
            _f("name_first", "text_field", required=True),
            _f("name_middle", "text_field"),
            _f("name_last", "text_field", required=True),
            _f("name_nickname", "text_field"),
            _f("registration_date", "date_field", date_validation="not_future_date"),
            _f("identification_date", "date_field", date_validation="not_future_date"),
            _f("sex", "select_box", lookup="lookup-gender", required=True),
            _f("age", "numeric_field", required=True),
            _f("date_of_birth", "date_field", date_validation="not_future_date"),
            _f("estimated", "tick_box"),
            _f("hidden_name", "tick_box"),
            _f("national_id_no", "text_field"),
            _f("other_agency_id", "text_field"),
            _f("other_agency_name", "text_field"),
            _f("location_current", "select_box", option_strings_source="Location"),
            _f("address_current", "textarea"),
            _f("telephone_current", "text_field"),
            _f("identification_separator", "separator"),
        ],
    )
    b.form(
        "consent",
        "data_confidentiality",
        [
            _f("interview_subject", "select_box", options=["individual", "caregiver", "other"]),
            _f("consent_source_other", "text_field"),
            _f("consent_for_services", "tick_box"),
            _f("disclosure_other_orgs", "tick_box"),
            _f("consent_reporting", "radio_button", lookup="lookup-yes-no"),
            _f("consent_for_tracing", "radio_button", lookup="lookup-yes-no"),
            _f(
                "consent_info_sharing",
                "select_box",
                multi_select=True,
                options=["family", "authorities", "unhcr", "other_organizations", "others"],
            ),
            _f(
                "legitimate_basis",
                "select_box",
                multi_select=True,
                lookup="lookup-legitimate-basis",
            ),
            _f("consent_notes", "textarea"),
        ],
    )
    b.form(
        "protection_concern",
        "assessment",
        [
            _f("protection_status", "select_box", lookup="lookup-protection-status"),
            _f("urgent_protection_concern", "tick_box"),
            _f("risk_level", "select_box", lookup="lookup-risk-level"),
            _f("displacement_status", "select_box", lookup="lookup-displacement-status"),
            _f(
                "protection_concerns",
                "select_box",
                multi_select=True,
                lookup="lookup-protection-concerns",
            ),
            _f("protection_concerns_other", "text_field"),
        ],
    )
    b.subform(
        "protection_concern_details",
        "assessment",
        "protection_concern_detail_subform_section",
        [
            _f("protection_concern_type", "select_box", lookup="lookup-protection-concerns"),
            _f("date_concern_identified", "date_field"),
            _f("concern_details", "textarea"),
        ],
    )
    b.form(
        "assessment",
        "assessment",
        [
            _f("assessment_requested_on", "date_field"),
            _f("assessment_completed_on", "date_field"),
            _f("assessment_summary", "textarea"),
            _f("case_plan_due_date", "date_field"),
        ],
    )
    b.subform(
        "cp_case_plan",
        "case_plan",
        "cp_case_plan_subform_case_plan_interventions",
        [
            _f("intervention_service_to_be_provided", "textarea"),
            _f("case_plan_provider_and_contact_details", "textarea"),
            _f("intervention_service_goal", "textarea"),
            _f("case_plan_timeframe", "date_field"),
            _f("interventions_status", "select_box", options=["pending", "ongoing", "completed"]),
            _f("intervention_service_success", "textarea"),
        ],
    )
    # The plan's own fields live on the same form in Primero; a second form keeps the builder
    # simple and changes nothing for the API (fields are addressed by name).
    b.form("cp_case_plan_details", "case_plan", [_f("date_case_plan", "date_field")])
    b.subform(
        "services",
        "services_follow_up",
        "services_section",
        [
            _f("service_response_type", "select_box", lookup="lookup-service-response-type"),
            _f("service_type", "select_box", lookup="lookup-service-type"),
            _f("service_type_other", "text_field"),
            _f("service_response_day_time", "date_field", date_include_time=True),
            _f(
                "service_response_timeframe",
                "select_box",
                options=["1_hour", "3_hours", "1_day", "3_days"],
            ),
            _f("service_appointment_date", "date_field"),
            _f("service_implementing_agency", "select_box", option_strings_source="Agency"),
            _f("service_provider", "text_field"),
            _f("service_location", "text_field"),
            _f("service_referral", "select_box", lookup="lookup-service-referred"),
            _f("service_expected_outcome", "textarea"),
            _f("details_service_provided", "textarea"),
            _f("service_delivery_location", "select_box", option_strings_source="Location"),
            _f("service_status_referred", "select_box", lookup="lookup-service-referred"),
            _f("service_referral_notes", "textarea"),
            _f("service_implemented", "select_box", lookup="lookup-service-implemented"),
            _f("service_implemented_day_time", "date_field", date_include_time=True),
        ],
    )
    b.subform(
        "followup",
        "services_follow_up",
        "followup_subform_section",
        [
            _f("followup_type", "select_box", lookup="lookup-followup-type"),
            _f("followup_service_type", "select_box", lookup="lookup-service-type"),
            _f("followed_up_through", "select_box", options=_FOLLOWUP_THROUGH),
            _f("followup_needed_by_date", "date_field"),
            _f("followup_date", "date_field"),
            _f("child_was_seen", "radio_button", lookup="lookup-yes-no"),
            _f("purpose_followup", "textarea"),
            _f("outcome_followup", "textarea"),
            _f("followup_comments", "textarea"),
            _f("recommend_case_closed", "tick_box"),
        ],
    )
    b.form(
        "closure_form",
        "closure",
        [
            _f("closure_reason", "select_box", options=_CLOSURE_REASONS),
            _f("closure_reason_other", "text_field"),
            _f("date_closure", "date_field"),
            _f("closure_details", "textarea"),
            _f("closure_current_situation", "textarea"),
        ],
    )
    b.subform(
        "notes",
        "notes",
        "notes_section",
        [
            _f("note_date", "date_field"),
            _f("note_subject", "text_field"),
            _f("note_text", "textarea"),
        ],
    )
    b.form(
        "record_owner",
        "record_owner",
        [_f("owned_by_text", "text_field"), _f("previously_owned_by", "text_field")],
    )
    return b.forms
