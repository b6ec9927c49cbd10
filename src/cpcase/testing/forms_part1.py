"""Hypothesis strategies for valid instances of forms 1.A–1.E, 2.A, 4.B–4.E, BIA and BID.

Every strategy builds its form through validation, so each example satisfies the SOP rules the
model enforces. Dates lie between 2015-01-01 and 2026-06-30, never in the future. Texts are
synthetic (letters, digits, spaces, a little punctuation): no real child data.

    >>> from cpcase.testing.forms_part1 import registration_forms
    >>> form = registration_forms().example()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import strategies as st

from cpcase.forms._base import FormBase
from cpcase.forms.assessment import (
    ConcernDetail,
    DomainFactors,
    InDepthAssessmentForm,
    InformationSourceEntry,
    InitialAssessmentForm,
)
from cpcase.forms.best_interests import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    PanelMember,
)
from cpcase.forms.consent import ConsentForm, ConsentGiver
from cpcase.forms.ftr import (
    AdultVerificationForm,
    ChildLocationForm,
    ChildVerificationForm,
    MissingChildForm,
    ReunificationForm,
    TracingAction,
    UascRegistrationForm,
)
from cpcase.forms.registration import FamilyMember, RegistrationForm, age_on
from cpcase.vocab import (
    AgeStatus,
    AlternativeCareOption,
    ApprovalStatus,
    AssessmentDomain,
    AssessmentRecommendation,
    BidDecision,
    BidSituation,
    CareArrangement,
    ConsentGiverRelationship,
    ConsentMode,
    ConsentRecipient,
    ConsentScope,
    DisplacementStatus,
    DurableSolution,
    EligibilityOutcome,
    IdentificationSource,
    IdentifiedBy,
    ImmediateNeed,
    InformationSource,
    LegitimateBasis,
    ProtectionConcern,
    ProtectionSituation,
    Region,
    RiskLevel,
    SeparationReason,
    SeparationStatus,
    Sex,
    TracingStatus,
    VerificationOutcome,
    VulnerabilityCategory,
)

__all__ = [
    "MAX_DATE",
    "MIN_DATE",
    "PART1_STRATEGIES",
    "adult_verification_forms",
    "best_interests_assessments",
    "best_interests_determinations",
    "child_location_forms",
    "child_verification_forms",
    "consent_forms",
    "family_members",
    "form_headers",
    "in_depth_assessment_forms",
    "initial_assessment_forms",
    "missing_child_forms",
    "past_dates",
    "registration_forms",
    "reunification_forms",
    "short_texts",
    "texts",
    "uasc_registration_forms",
]

MIN_DATE = dt.date(2015, 1, 1)
MAX_DATE = dt.date(2026, 6, 30)

T = TypeVar("T")
F = TypeVar("F", bound=FormBase)

# A fixed alphabet (French letters, digits, light punctuation) keeps generation fast.
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'.,éèàçôÉ"


@functools.cache
def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-blank synthetic free text, already stripped (what a ``Text`` field stores)."""
    return st.text(_ALPHABET, min_size=1, max_size=max_size).map(str.strip).filter(bool)


@functools.cache
def short_texts() -> st.SearchStrategy[str]:
    """Non-blank synthetic short text (identifiers, names, places)."""
    return texts(20)


@functools.lru_cache(maxsize=4096)
def past_dates(
    min_value: dt.date = MIN_DATE, max_value: dt.date = MAX_DATE
) -> st.SearchStrategy[dt.date]:
    """Dates in ``[min_value, max_value]`` (both within the fixed, past window)."""
    return st.dates(min_value=max(min_value, MIN_DATE), max_value=min(max_value, MAX_DATE))


# Strategies are built once and reused: building them inside every draw made hypothesis
# re-validate them each time, which doubled the generation cost.


@functools.lru_cache(maxsize=1024)
def _opt(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


@functools.lru_cache(maxsize=1024)
def _one(values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


@functools.lru_cache(maxsize=1024)
def _subset(values: Any, max_size: int = 3) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(_one(values), unique=True, max_size=max_size).map(tuple)


@functools.cache
def _texts_tuple(max_size: int = 2) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(texts(), max_size=max_size).map(tuple)


_BOOL = st.booleans()


_CASE_CODES = st.builds(
    "ML-{}-{}-{}-{:05d}".format,
    st.sampled_from([r.abbrev for r in Region]),
    st.sampled_from(["ORG", "TDH", "SCI", "IRC", "DRPFEF"]),
    st.integers(MIN_DATE.year, MAX_DATE.year),
    st.integers(1, 99_999),
)


@st.composite
def form_headers(draw: st.DrawFn) -> dict[str, Any]:
    """The common header fields of every form (case code, form date, ids)."""
    return {
        "case_code": draw(_CASE_CODES),
        "form_date": draw(past_dates()),
        "caseworker_id": draw(_opt(short_texts())),
        "organisation_id": draw(_opt(short_texts())),
        "entry_id": draw(_opt(short_texts())),
    }


def _build(model: type[F], header: dict[str, Any], fields: dict[str, Any]) -> F:
    return model.model_validate({**header, **fields})


@st.composite
def family_members(draw: st.DrawFn) -> FamilyMember:
    """A family member / family support row."""
    return FamilyMember(
        relation_name=draw(_opt(short_texts())),
        relation=draw(short_texts()),
        relation_is_caregiver=draw(_opt(_BOOL)),
        relation_is_alive=draw(_opt(_BOOL)),
        relation_child_is_in_contact=draw(_opt(_BOOL)),
        relation_telephone=draw(_opt(st.integers(10**7, 10**8 - 1).map("+223 {}".format))),
        relation_location_current=draw(_opt(short_texts())),
        emergency_support_role=draw(_opt(texts())),
    )


@st.composite
def consent_forms(draw: st.DrawFn) -> ConsentForm:
    """Valid 1.A consent forms (given, refused, or overridden with a signed-off basis)."""
    consent_date = draw(past_dates())
    givers = draw(
        st.lists(
            st.builds(
                ConsentGiver,
                relationship=_one(ConsentGiverRelationship),
                name=_opt(short_texts()),
                assent_only=_BOOL,
                agreed=_BOOL,
                signed=_BOOL,
            ),
            min_size=1,
            max_size=3,
        )
    )
    anyone_agreed = any(g.agreed for g in givers)
    scope = draw(_subset(ConsentScope, 4)) if anyone_agreed else ()
    explained = True if scope else draw(_BOOL)
    basis = draw(st.lists(_one(LegitimateBasis), unique=True, min_size=1, max_size=2).map(tuple))
    overridden = any(b is not LegitimateBasis.CONSENT for b in basis)
    return _build(
        ConsentForm,
        draw(form_headers()),
        {
            "consent_date": consent_date,
            "consent_mode": draw(_one(ConsentMode)),
            "givers": givers,
            "legal_representative_present": draw(_opt(_BOOL)),
            "caregiver_is_alleged_perpetrator": draw(_BOOL),
            "information_explained": explained,
            "consent_scope": scope,
            "recipients": draw(_subset(ConsentRecipient)),
            "recipients_details": draw(_opt(texts())),
            "valid_until": draw(_opt(past_dates(consent_date))),
            "single_use": draw(_BOOL),
            "withdrawn_on": draw(_opt(past_dates(consent_date))),
            "refusal_reason": draw(_opt(texts())),
            "legitimate_basis": basis,
            "override_justification": draw(texts()) if overridden else draw(_opt(texts())),
            "override_approved_by": draw(short_texts()) if overridden else None,
            "consent_notes": draw(_opt(texts())),
        },
    )


@st.composite
def _child_age(draw: st.DrawFn, on: dt.date) -> dict[str, Any]:
    """Consistent ``age_status``, ``date_of_birth`` and ``age`` for a child on day ``on``."""
    status = draw(_one(AgeStatus))
    oldest_days = 365 * 23 if status is AgeStatus.PRESUMED_MINOR else 365 * 18 - 10
    dob = draw(st.dates(min_value=on - dt.timedelta(days=oldest_days), max_value=on))
    years = age_on(dob, on)
    if draw(_BOOL):  # date of birth known
        if status is AgeStatus.DOCUMENTED:
            age = draw(_one((None, years)))
        else:
            age = draw(_opt(st.integers(max(0, years - 1), min(30, years + 1))))
        return {"age_status": status, "date_of_birth": dob, "age": age}
    return {"age_status": status, "date_of_birth": None, "age": years}


@st.composite
def registration_forms(draw: st.DrawFn) -> RegistrationForm:
    """Valid 1.B registrations: eligible or not (the trace is kept), emergencies high risk."""
    identification = draw(past_dates())
    registration = draw(past_dates(identification, identification + dt.timedelta(days=30)))
    primary = draw(_one(ProtectionConcern))
    secondary = draw(_subset(tuple(c for c in ProtectionConcern if c is not primary)))
    categories = draw(_subset(VulnerabilityCategory))
    dominant = draw(_opt(_one(categories))) if categories else None
    situations = draw(_subset(ProtectionSituation, 2))
    eligible_cm = draw(_opt(_BOOL)) if situations else draw(_one((None, False)))
    outcomes = [
        o
        for o in EligibilityOutcome
        if not (eligible_cm is False and o is EligibilityOutcome.CASE_OPENED)
    ]
    emergency = draw(_BOOL)
    return _build(
        RegistrationForm,
        draw(form_headers()),
        {
            "identification_date": identification,
            "identification_time": draw(_opt(st.times())),
            "registration_date": registration,
            "identification_source": draw(_one(IdentificationSource)),
            "identified_by": draw(_one(IdentifiedBy)),
            "referring_organisation": draw(_opt(short_texts())),
            "name_first": draw(_opt(short_texts())),
            "name_last": draw(_opt(short_texts())),
            "name_nickname": draw(_opt(short_texts())),
            "hidden_name": draw(_BOOL),
            "sex": draw(_one(Sex)),
            **draw(_child_age(registration)),
            "age_decision_authority": draw(_opt(short_texts())),
            "age_decision_date": draw(_opt(past_dates())),
            "has_birth_certificate_or_id": draw(_opt(_BOOL)),
            "nationality": draw(_opt(short_texts())),
            "displacement_status": draw(_opt(_one(DisplacementStatus))),
            "region": draw(_opt(_one(Region))),
            "location_current": draw(_opt(short_texts())),
            "community_of_origin": draw(_opt(short_texts())),
            "lives_in_community_of_origin": draw(_opt(_BOOL)),
            "vulnerability_categories": categories,
            "dominant_profile": dominant,
            "protection_situations": situations,
            "protection_concern_primary": primary,
            "protection_concerns_secondary": secondary,
            "separation_status": draw(_opt(_one(SeparationStatus))),
            "disability_or_chronic_illness": draw(_opt(_BOOL)),
            "child_mother": draw(_opt(_BOOL)),
            "care_arrangement": draw(_opt(_one(CareArrangement))),
            "family_supports": draw(st.lists(family_members(), max_size=2).map(tuple)),
            "emergency_care_needed": emergency,
            "immediate_needs": draw(_subset(ImmediateNeed)) if emergency else (),
            "risk_level": (
                draw(_one((None, RiskLevel.HIGH))) if emergency else draw(_opt(_one(RiskLevel)))
            ),
            "eligible_programme": draw(_opt(_BOOL)),
            "eligible_cm": eligible_cm,
            "eligibility_reason": draw(_opt(texts())),
            "eligibility_outcome": draw(_one(tuple(outcomes))),
            "consent_obtained": draw(_opt(_BOOL)),
        },
    )


@st.composite
def initial_assessment_forms(draw: st.DrawFn) -> InitialAssessmentForm:
    """Valid 1.C initial assessments (family involved only with the child's consent)."""
    primary = draw(_one(ProtectionConcern))
    supports = draw(st.lists(family_members(), max_size=2).map(tuple))
    details = st.builds(
        ConcernDetail,
        protection_concern_type=_one(ProtectionConcern),
        date_concern_identified=_opt(past_dates()),
        concern_details=_opt(texts()),
        concern_intervention_needed=_opt(_BOOL),
        concern_action_taken_already=_opt(texts()),
    )
    return _build(
        InitialAssessmentForm,
        draw(form_headers()),
        {
            "assessment_date": draw(past_dates()),
            "assessment_time": draw(_opt(st.times())),
            "emergency_care_provided": draw(_BOOL),
            "immediate_needs": draw(_subset(ImmediateNeed)),
            "protection_situations": draw(_subset(ProtectionSituation, 2)),
            "protection_concern_primary": primary,
            "protection_concerns_secondary": draw(
                _subset(tuple(c for c in ProtectionConcern if c is not primary))
            ),
            "concern_details": draw(st.lists(details, max_size=2).map(tuple)),
            "risk_factors": draw(_texts_tuple()),
            "protective_factors": draw(_texts_tuple()),
            "risk_level": draw(_one(RiskLevel)),
            "risk_level_justification": draw(texts()),
            "short_term_protection_measures": draw(_texts_tuple()),
            "risk_reduction_measures": draw(_texts_tuple()),
            "alternative_care_decision": draw(_opt(_one(AlternativeCareOption))),
            "alternatives_to_detention_promoted": draw(_opt(_BOOL)),
            "family_supports_to_involve": supports,
            "child_consents_family_involvement": (True if supports else draw(_opt(_BOOL))),
            "next_steps": draw(_opt(texts())),
            "recommendation": draw(_opt(_one(AssessmentRecommendation))),
            "child_opinion": draw(texts()),
            "family_opinion": draw(texts()),
            "strictly_confidential": draw(_opt(texts())),
        },
    )


@st.composite
def in_depth_assessment_forms(draw: st.DrawFn) -> InDepthAssessmentForm:
    """Valid 2.A in-depth assessments: four domains, at least one factor, reasons when needed."""
    start = draw(past_dates())
    domains = draw(st.permutations(list(AssessmentDomain)))
    factors = [
        DomainFactors(
            domain=d,
            risk_factors=draw(_texts_tuple()),
            protective_factors=draw(_texts_tuple()),
        )
        for d in domains
    ]
    if not any(f.risk_factors or f.protective_factors for f in factors):
        factors[0] = DomainFactors(domain=factors[0].domain, risk_factors=(draw(texts()),))
    against = draw(_opt(texts()))
    sources = st.builds(
        InformationSourceEntry,
        method=_one(InformationSource),
        person_role=_opt(short_texts()),
        date=_opt(past_dates()),
    )
    return _build(
        InDepthAssessmentForm,
        draw(form_headers()),
        {
            "assessment_start_date": start,
            "assessment_completed_date": draw(_opt(past_dates(start))),
            "information_sources": draw(st.lists(sources, max_size=3).map(tuple)),
            "living_conditions": draw(_opt(texts())),
            "root_causes": draw(_texts_tuple()),
            "domain_factors": tuple(factors),
            "needs": draw(_texts_tuple()),
            "analysis": draw(_opt(texts())),
            "solution_pathways": draw(_texts_tuple()),
            "protection_concerns": draw(_subset(ProtectionConcern)),
            "risk_level": draw(_one(RiskLevel)),
            "risk_level_justification": draw(texts()),
            "child_seen_alone": draw(_opt(_BOOL)),
            "confidentiality_limits_explained": draw(_opt(_BOOL)),
            "child_opinion": draw(texts()),
            "family_opinion": draw(texts()),
            "decisions_against_wishes": against,
            "best_interest_rationale": draw(texts()) if against else draw(_opt(texts())),
            "recommendation": draw(_opt(_one(AssessmentRecommendation))),
            "formal_bid_recommended": draw(_opt(_BOOL)),
            "strictly_confidential": draw(_opt(texts())),
        },
    )


@st.composite
def uasc_registration_forms(draw: st.DrawFn) -> UascRegistrationForm:
    """Valid 1.D UASC registrations (unaccompanied or separated; unknown facts left None)."""
    facts = {
        name: draw(_opt(_BOOL))
        for name in (
            "separation_long_standing",
            "in_contact_with_original_caregiver",
            "agreement_original_caregiver_foster_family",
            "treated_equally_in_foster_family",
            "feels_safe",
            "exploited_by_foster_family",
            "foster_family_can_continue",
            "self_reliant",
            "has_mentor",
            "exposed_to_risks",
            "needs_family_tracing",
            "child_wishes_tracing",
        )
    }
    return _build(
        UascRegistrationForm,
        draw(form_headers()),
        {
            "separation_status": draw(
                _one((SeparationStatus.UNACCOMPANIED, SeparationStatus.SEPARATED))
            ),
            "name_first": draw(_opt(short_texts())),
            "name_last": draw(_opt(short_texts())),
            "name_nickname": draw(_opt(short_texts())),
            "separation_date": draw(_opt(past_dates())),
            "separation_place": draw(_opt(short_texts())),
            "separation_reason": draw(_opt(_one(SeparationReason))),
            "separation_circumstances": draw(_opt(texts())),
            "separation_voluntary": draw(_BOOL),
            "care_arrangement": draw(_opt(_one(CareArrangement))),
            "persons_travelled_with": draw(_opt(texts())),
            "family_members": draw(st.lists(family_members(), max_size=2).map(tuple)),
            **facts,
        },
    )


@st.composite
def missing_child_forms(draw: st.DrawFn) -> MissingChildForm:
    """Valid 1.E tracing requests (the child is described; last seen after separation)."""
    separation = draw(_opt(past_dates()))
    description = draw(_opt(texts()))
    nickname = draw(short_texts()) if description is None else draw(_opt(short_texts()))
    return _build(
        MissingChildForm,
        draw(form_headers()),
        {
            "inquiry_date": draw(past_dates()),
            "inquirer_name": draw(_opt(short_texts())),
            "inquirer_relation": draw(short_texts()),
            "inquirer_telephone": draw(_opt(short_texts())),
            "inquirer_region": draw(_opt(_one(Region))),
            "inquirer_location": draw(_opt(short_texts())),
            "name_first": draw(_opt(short_texts())),
            "name_last": draw(_opt(short_texts())),
            "name_nickname": nickname,
            "sex": draw(_opt(_one(Sex))),
            "age": draw(_opt(st.integers(0, 17))),
            "date_of_birth": draw(_opt(past_dates())),
            "physical_characteristics": description,
            "date_of_separation": separation,
            "location_separation": draw(_opt(short_texts())),
            "separation_reason": draw(_opt(_one(SeparationReason))),
            "date_last_seen": draw(_opt(past_dates(separation or MIN_DATE))),
            "location_last_seen": draw(_opt(short_texts())),
            "tracing_status": draw(_one(TracingStatus)),
        },
    )


@st.composite
def child_location_forms(draw: st.DrawFn) -> ChildLocationForm:
    """Valid 4.B child-location records (located after the first tracing action)."""
    actions = draw(
        st.lists(
            st.builds(
                TracingAction,
                date_tracing=past_dates(),
                tracing_type=_opt(short_texts()),
                location_tracing=_opt(short_texts()),
                tracing_action_description=_opt(texts()),
                tracing_outcome=_opt(texts()),
            ),
            min_size=1,
            max_size=3,
        ).map(tuple)
    )
    located = draw(_BOOL)
    first = min(a.date_tracing for a in actions)
    statuses = (
        list(TracingStatus)
        if located
        else [
            s for s in TracingStatus if s not in (TracingStatus.VERIFIED, TracingStatus.REUNIFIED)
        ]
    )
    return _build(
        ChildLocationForm,
        draw(form_headers()),
        {
            "tracing_request_ref": draw(_opt(short_texts())),
            "tracing_actions": actions,
            "located": located,
            "date_located": draw(past_dates(first)) if located else None,
            "region_found": draw(_opt(_one(Region))),
            "location_found": draw(_opt(short_texts())),
            "person_found_relation": draw(_opt(short_texts())),
            "tracing_status": draw(_one(tuple(statuses))),
        },
    )


@st.composite
def adult_verification_forms(draw: st.DrawFn) -> AdultVerificationForm:
    """Valid 4.C adult verifications (no confirmation against a contradicting account)."""
    outcome = draw(_one(VerificationOutcome))
    matches = draw(_one((None, True)) if outcome is VerificationOutcome.CONFIRMED else _opt(_BOOL))
    return _build(
        AdultVerificationForm,
        draw(form_headers()),
        {
            "verification_date": draw(past_dates()),
            "adult_name": draw(_opt(short_texts())),
            "adult_relation_claimed": draw(short_texts()),
            "adult_telephone": draw(_opt(short_texts())),
            "adult_location": draw(_opt(short_texts())),
            "details_given_about_child": draw(_opt(texts())),
            "details_match_child_account": matches,
            "documents_presented": draw(_opt(texts())),
            "willing_to_care": draw(_opt(_BOOL)),
            "able_to_care": draw(_opt(_BOOL)),
            "household_protection_risks": draw(_opt(texts())),
            "outcome": outcome,
            "comments": draw(_opt(texts())),
        },
    )


@st.composite
def child_verification_forms(draw: st.DrawFn) -> ChildVerificationForm:
    """Valid 4.D child verifications (no confirmation if the child does not recognise)."""
    outcome = draw(_one(VerificationOutcome))
    recognises = draw(
        _one((None, True)) if outcome is VerificationOutcome.CONFIRMED else _opt(_BOOL)
    )
    return _build(
        ChildVerificationForm,
        draw(form_headers()),
        {
            "verification_date": draw(past_dates()),
            "adult_verification_ref": draw(_opt(short_texts())),
            "child_recognises_adult": recognises,
            "child_account_matches_adult": draw(_opt(_BOOL)),
            "child_wishes_reunification": draw(_opt(_BOOL)),
            "child_opinion": draw(texts()),
            "fears_or_concerns": draw(_opt(texts())),
            "outcome": outcome,
        },
    )


@st.composite
def reunification_forms(draw: st.DrawFn) -> ReunificationForm:
    """Valid 4.E reunifications (verified; reasons given if the child disagrees)."""
    day = draw(past_dates())
    agrees = draw(_BOOL)
    return _build(
        ReunificationForm,
        draw(form_headers()),
        {
            "reunification_date": day,
            "reunified_with_name": draw(_opt(short_texts())),
            "reunified_with_relation": draw(short_texts()),
            "region": draw(_opt(_one(Region))),
            "location_reunification": draw(_opt(short_texts())),
            "adult_verification_ref": draw(_opt(short_texts())),
            "child_verification_ref": draw(_opt(short_texts())),
            "relationship_verified": True,
            "child_agrees": agrees,
            "best_interest_rationale": draw(_opt(texts())) if agrees else draw(texts()),
            "care_arrangement": draw(_opt(_one(CareArrangement))),
            "child_opinion": draw(_opt(texts())),
            "family_opinion": draw(_opt(texts())),
            "follow_up_plan": draw(_opt(texts())),
            "next_follow_up_date": draw(
                _opt(st.dates(min_value=day, max_value=day + dt.timedelta(days=90)))
            ),
        },
    )


@st.composite
def best_interests_assessments(draw: st.DrawFn) -> BestInterestsAssessment:
    """Valid BIA records (a BID situation when a BID is recommended; approvals complete)."""
    day = draw(past_dates())
    bid = draw(_BOOL)
    status = draw(_opt(_one(ApprovalStatus)))
    approved = status is ApprovalStatus.APPROVED
    return _build(
        BestInterestsAssessment,
        draw(form_headers()),
        {
            "bia_date": day,
            "reason_for_bia": draw(_opt(texts())),
            "displacement_status": draw(_opt(_one(DisplacementStatus))),
            "separation_status": draw(_opt(_one(SeparationStatus))),
            "care_arrangement": draw(_opt(_one(CareArrangement))),
            "protection_concerns": draw(_subset(ProtectionConcern)),
            "risk_level": draw(_opt(_one(RiskLevel))),
            "family_situation": draw(_opt(texts())),
            "needs": draw(_texts_tuple()),
            "child_opinion": draw(texts()),
            "family_opinion": draw(_opt(texts())),
            "options_considered": draw(_subset(DurableSolution)),
            "recommendation": draw(texts()),
            "bid_recommended": bid,
            "bid_situation": (draw(_one(BidSituation)) if bid else draw(_opt(_one(BidSituation)))),
            "approval_status": status,
            "approved_by": draw(short_texts()) if approved else draw(_opt(short_texts())),
            "approved_on": draw(past_dates(day)) if approved else draw(_opt(past_dates(day))),
            "strictly_confidential": draw(_opt(texts())),
        },
    )


@st.composite
def best_interests_determinations(draw: st.DrawFn) -> BestInterestsDetermination:
    """Valid BID records (a panel of two or more; recommended solution among the options)."""
    day = draw(past_dates())
    options = draw(st.lists(_one(DurableSolution), unique=True, min_size=1, max_size=3).map(tuple))
    members = st.builds(
        PanelMember, role=short_texts(), organisation=short_texts(), is_unhcr=_BOOL
    )
    return _build(
        BestInterestsDetermination,
        draw(form_headers()),
        {
            "situation": draw(_one(BidSituation)),
            "bia_ref": draw(_opt(short_texts())),
            "panel_date": day,
            "panel_members": draw(st.lists(members, min_size=2, max_size=4).map(tuple)),
            "options_considered": options,
            "recommended_solution": draw(_one(options)),
            "child_opinion": draw(texts()),
            "family_opinion": draw(_opt(texts())),
            "against_child_wishes": draw(_BOOL),
            "decision": draw(_one(BidDecision)),
            "decision_rationale": draw(texts()),
            "implementation_deadline": draw(
                _opt(st.dates(min_value=day, max_value=day + dt.timedelta(days=180)))
            ),
            "strictly_confidential": draw(_opt(texts())),
        },
    )


#: Form code → strategy factory, for every form of this half of the catalogue.
PART1_STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "1.A": consent_forms,
    "1.B": registration_forms,
    "1.C": initial_assessment_forms,
    "1.D": uasc_registration_forms,
    "1.E": missing_child_forms,
    "2.A": in_depth_assessment_forms,
    "4.B": child_location_forms,
    "4.C": adult_verification_forms,
    "4.D": child_verification_forms,
    "4.E": reunification_forms,
    "BIA": best_interests_assessments,
    "BID": best_interests_determinations,
}
