"""Eligibility: two levels, Art. 50 situations, the UASC decision table (SOP L937–L947), routing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rules_builders import CODE, CTX, case, registration

from cpcase.forms import UascRegistrationForm
from cpcase.rules.eligibility import (
    ActorType,
    EligibilityFacts,
    ProgrammeCriteria,
    UascFacts,
    assess_eligibility,
    eligibility_facts,
    is_eligible,
    uasc_decision,
)
from cpcase.rules.policy import load_profile
from cpcase.vocab import (
    AgeStatus,
    CareArrangement,
    EligibilityOutcome,
    IdentifiedBy,
    ProtectionSituation,
    SeparationStatus,
    VulnerabilityCategory,
)

MALI = load_profile("mali-2020")
Out = EligibilityOutcome
U = SeparationStatus.UNACCOMPANIED
SEP = SeparationStatus.SEPARATED

# The decision table, bullet by bullet (L938 unaccompanied, L939/L947 separated).
UASC = [
    # -- does not enter case management --
    ("U-voluntary", UascFacts(U, voluntary_separation=True), False, "voluntary_separation"),
    (
        "U-contact-agreement",
        UascFacts(
            U,
            voluntary_separation=False,
            in_contact_with_original_caregiver=True,
            caregivers_agreement=True,
        ),
        False,
        "involuntary_with_contact_and_agreement",
    ),
    ("U-treated-equally", UascFacts(U, treated_equally=True), False, "treated_equally"),
    ("U-feels-safe", UascFacts(U, feels_safe=True), False, "feels_safe"),
    (
        "U-over-15-self-reliant",
        UascFacts(
            U,
            age_years=16,
            self_reliant=True,
            has_mentor=True,
            exposed_to_risks=False,
            in_contact_with_original_caregiver=True,
        ),
        False,
        "self_reliant_over_min_age",
    ),
    # -- enters case management --
    (
        "U-alone-no-mentor-exposed",
        UascFacts(U, alone=True, has_mentor=False, exposed_to_risks=True),
        True,
        "alone_no_mentor_exposed",
    ),
    ("U-inadequate", UascFacts(U, treated_equally=False), True, "inadequate_treatment"),
    (
        "U-exploited",
        UascFacts(U, exploited_by_foster_family=True),
        True,
        "exploited_by_foster_family",
    ),
    (
        "U-thriving-but-tracing",
        UascFacts(U, feels_safe=True, voluntary_separation=False, needs_family_tracing=True),
        True,
        "involuntary_needs_tracing",
    ),
    (
        "U-foster-cannot-continue",
        UascFacts(U, foster_family_can_continue=False),
        True,
        "foster_family_cannot_continue",
    ),
    # -- separated children (no self-reliance exception, no "alone" bullet) --
    ("S-voluntary", UascFacts(SEP, voluntary_separation=True), False, "voluntary_separation"),
    ("S-feels-safe", UascFacts(SEP, feels_safe=True), False, "feels_safe"),
    ("S-inadequate", UascFacts(SEP, treated_equally=False), True, "inadequate_treatment"),
    (
        "S-exploited",
        UascFacts(SEP, exploited_by_foster_family=True),
        True,
        "exploited_by_foster_family",
    ),
    (
        "S-tracing",
        UascFacts(SEP, voluntary_separation=False, needs_family_tracing=True),
        True,
        "involuntary_needs_tracing",
    ),
    (
        "S-foster-stops",
        UascFacts(SEP, foster_family_can_continue=False),
        True,
        "foster_family_cannot_continue",
    ),
    (
        "S-alone-is-not-a-separated-bullet",
        UascFacts(SEP, alone=True, has_mentor=False, exposed_to_risks=True),
        None,
        "uasc_undetermined",
    ),
]


@pytest.mark.parametrize(
    ("facts", "enters", "code"), [r[1:] for r in UASC], ids=[r[0] for r in UASC]
)
def test_uasc_table(facts: UascFacts, enters: bool | None, code: str) -> None:
    """Each bullet of the table decides, with its reason code."""
    d = uasc_decision(facts, MALI)
    assert d.enters_cm is enters
    assert code in [r.code for r in d.reasons]


def test_uasc_enter_conditions_win_and_15_is_exclusive() -> None:
    """An "enters" bullet wins over reassuring answers; the exception needs age > 15."""
    mixed = UascFacts(
        U, voluntary_separation=True, feels_safe=True, exploited_by_foster_family=True
    )
    assert uasc_decision(mixed, MALI).enters_cm is True
    fifteen = UascFacts(
        U,
        age_years=15,
        self_reliant=True,
        has_mentor=True,
        exposed_to_risks=False,
        in_contact_with_original_caregiver=True,
    )
    d = uasc_decision(fifteen, MALI)
    assert d.enters_cm is None
    assert [r.code for r in d.reasons] == ["too_young_for_self_reliance_rule", "uasc_undetermined"]
    lower = MALI.override({"eligibility.uasc_self_reliance_min_age": 14})
    assert uasc_decision(fifteen, lower).enters_cm is False


def facts(**kw: Any) -> EligibilityFacts:
    return EligibilityFacts(**{"age_years": 12, **kw})


def decide(**kw: Any) -> tuple[EligibilityOutcome, list[str]]:
    d = assess_eligibility(facts(**kw), MALI)
    return d.outcome, [r.code for r in d.reasons]


def test_age() -> None:
    """Under 18, or presumed minor (L540); 18 and over is not eligible (recorded)."""
    sit = frozenset({ProtectionSituation.NEGLECT_VAGRANCY})
    assert decide(situations=sit)[0] is Out.CASE_OPENED
    out, codes = decide(situations=sit, age_years=18, age_status=AgeStatus.ESTIMATED)
    assert (out, codes) == (Out.NOT_ELIGIBLE_RECORDED, ["over_age_limit"])
    assert (
        decide(situations=sit, age_years=19, age_status=AgeStatus.PRESUMED_MINOR)[0]
        is Out.CASE_OPENED
    )
    assert "age_unknown_presumed_minor" in decide(situations=sit, age_years=None)[1]
    strict = MALI.override({"eligibility.presume_minor": False})
    d = assess_eligibility(facts(situations=sit, age_years=None), strict)
    assert d.outcome is Out.NOT_ELIGIBLE_RECORDED


def test_profile_alone_never_triggers_but_a_situation_does() -> None:
    """A street child, a migrant or a Talibé profile alone: not eligible, recorded (L655, L809)."""
    out, codes = decide(vulnerabilities=frozenset({VulnerabilityCategory.DEPRIVED_OF_FAMILY}))
    assert out is Out.NOT_ELIGIBLE_RECORDED
    assert codes == ["minor", "profile_alone_insufficient", "recorded_not_eligible"]
    out, codes = decide(
        vulnerabilities=frozenset({VulnerabilityCategory.DEPRIVED_OF_FAMILY}),
        situations=frozenset({ProtectionSituation.BEGGING_ECONOMIC_EXPLOITATION}),
    )
    assert out is Out.CASE_OPENED
    assert "art50_situation" in codes
    assert decide()[1] == ["minor", "no_situation", "recorded_not_eligible"]


@pytest.mark.parametrize(
    "situation", [ProtectionSituation.SEXUAL_EXPLOITATION, ProtectionSituation.SEXUAL_ABUSE]
)
def test_sexual_exploitation_and_abuse_always_eligible(situation: ProtectionSituation) -> None:
    """L681, L685: always accompanied individually."""
    out, codes = decide(situations=frozenset({situation}))
    assert out is Out.CASE_OPENED
    assert "always_eligible" in codes


def test_uasc_drives_eligibility_without_a_situation() -> None:
    """With no Art. 50 situation the UASC table decides; with one, the harm decides (L935)."""
    enters = UascFacts(U, exploited_by_foster_family=True)
    assert decide(uasc=enters)[0] is Out.CASE_OPENED
    stays = UascFacts(U, voluntary_separation=True)
    out, codes = decide(uasc=stays, vulnerabilities=frozenset({VulnerabilityCategory.MOBILITY}))
    assert (out, codes[1]) == (Out.NOT_ELIGIBLE_RECORDED, "uasc_does_not_enter")
    harm = frozenset({ProtectionSituation.BEGGING_ECONOMIC_EXPLOITATION})
    assert decide(uasc=stays, situations=harm)[0] is Out.CASE_OPENED


SIT = frozenset({ProtectionSituation.NEGLECT_VAGRANCY})
ROUTES = [
    (
        "state-with-resources",
        {"actor": ActorType.STATE_SERVICE},
        Out.CASE_OPENED,
        "state_option_1",
    ),
    (
        "state-without-resources",
        {"actor": ActorType.STATE_SERVICE, "state_has_resources": False},
        Out.REFERRED,
        "state_option_2",
    ),
    (
        "organisation-in-criteria",
        {"actor": ActorType.CP_ORGANISATION},
        Out.CASE_OPENED,
        "organisation_option_1",
    ),
    (
        "community",
        {"actor": ActorType.COMMUNITY_OR_OTHER},
        Out.STATE_NOTIFIED,
        "community_inform_state",
    ),
    (
        "conflict-of-interest-trained-receiver",
        {"conflict_of_interest": True, "receiver_has_trained_cm_team": True},
        Out.TRANSFERRED,
        "transfer_allowed",
    ),
    (
        "outside-expertise-untrained-receiver",
        {"outside_expertise": True},
        Out.REFERRED,
        "transfer_needs_trained_team",
    ),
]


@pytest.mark.parametrize(
    ("kw", "outcome", "code"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES]
)
def test_routing(kw: dict[str, Any], outcome: EligibilityOutcome, code: str) -> None:
    """SOP §5.1.2 scenarios 1–3 and the transfer precondition (L564)."""
    out, codes = decide(situations=SIT, **kw)
    assert out is outcome
    assert code in codes


def test_specialised_agency_for_sexual_violence() -> None:
    """A State service may transfer sexual-violence cases at once to a specialised agency (L913)."""
    sv = frozenset({ProtectionSituation.SEXUAL_ABUSE})
    out, codes = decide(
        situations=sv, specialised_agency_present=True, receiver_has_trained_cm_team=True
    )
    assert out is Out.TRANSFERRED
    assert "specialised_agency_present" in codes
    assert decide(situations=SIT, specialised_agency_present=True)[0] is Out.CASE_OPENED


def test_programme_eligibility_is_pluggable() -> None:
    """A thematic organisation refers to the State what is outside its programme (L924–L927)."""
    girls = ProgrammeCriteria(
        "Programme filles", situations=frozenset({ProtectionSituation.SEXUAL_ABUSE}), min_age=10
    )
    inside = facts(
        situations=frozenset({ProtectionSituation.SEXUAL_ABUSE}), actor=ActorType.CP_ORGANISATION
    )
    assert assess_eligibility(inside, MALI, programme=girls).outcome is Out.CASE_OPENED
    outside = facts(situations=SIT, actor=ActorType.CP_ORGANISATION)
    d = assess_eligibility(outside, MALI, programme=girls)
    assert (d.outcome, d.programme_eligible, d.cm_eligible) == (Out.STATE_NOTIFIED, False, True)
    assert "programme_situation_mismatch" in [r.code for r in d.reasons]
    young = facts(situations=frozenset({ProtectionSituation.SEXUAL_ABUSE}), age_years=8)
    assert not girls.check(young).eligible
    assert is_eligible(inside, MALI)


def test_reasons_are_bilingual_and_cited() -> None:
    """Every reason has French and English text, and a policy key or a seed line."""
    d = assess_eligibility(facts(situations=SIT, actor=ActorType.COMMUNITY_OR_OTHER), MALI)
    for r in d.reasons:
        assert r.fr
        assert r.en
        assert r.fr != r.en
        assert r.rule or r.source
        if r.rule:
            assert MALI.has(r.rule)


def test_facts_from_a_case_file() -> None:
    """1.B and 1.D give the situations, age, actor and UASC answers."""
    day = dt.date(2024, 3, 1)
    reg = registration(day, dob=dt.date(2010, 6, 1), age=None, situations=[]).model_copy(
        update={
            "identified_by": IdentifiedBy.CP_ORGANISATION,
            "vulnerability_categories": (VulnerabilityCategory.MOBILITY,),
        }
    )
    uasc = UascRegistrationForm.model_validate(
        {
            "case_code": CODE,
            "form_date": day,
            "separation_status": SeparationStatus.UNACCOMPANIED,
            "separation_voluntary": False,
            "care_arrangement": CareArrangement.NO_CARE_ARRANGEMENT,
            "has_mentor": False,
            "exposed_to_risks": True,
        },
        context=CTX,
    )
    f = eligibility_facts(case(registration=reg, uasc_registration=uasc))
    assert (f.age_years, f.actor) == (13, ActorType.CP_ORGANISATION)
    assert f.uasc is not None
    assert f.uasc.alone is True
    d = assess_eligibility(f, MALI)
    assert d.outcome is Out.CASE_OPENED
    assert d.uasc is not None
    assert [r.code for r in d.uasc.reasons] == ["alone_no_mentor_exposed"]
    assert eligibility_facts(case()).situations == frozenset()
