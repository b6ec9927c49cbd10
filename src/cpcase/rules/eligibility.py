"""Eligibility: the programme level (pluggable) and the case-management level (SOP §4.2, §5.1.2).

Rules (Mali SOP; the thresholds are policy values):

- a child is younger than ``eligibility.age_limit`` (18), or presumed a minor when the age is
  uncertain (``eligibility.presume_minor``, SOP L540);
- a vulnerability profile alone (separated, migrant, street child, Talibé…) never opens a case
  (``eligibility.profile_alone_triggers`` = false, SOP L655); one of the twelve Art. 50
  situations does; sexual exploitation and sexual abuse are always eligible (L681, L685);
- unaccompanied and separated children go through the decision table of SOP L937–L947
  (:func:`uasc_decision`);
- the outcome depends on who identified the child (SOP §5.1.2 scenarios 1–3): a State service
  with resources opens the case, without resources refers it; a CP organisation opens it when the
  child fits its programme, otherwise notifies the State; a community actor or another service
  notifies the State. A State service may transfer sexual-violence or EAFGA cases at once to a
  specialised agency (L913), but a transfer needs a receiver with a trained CM team (L564),
  otherwise it is a referral. A conflict of interest or a case outside one's expertise is
  referred or transferred (L637).
- "Not eligible" is an outcome that is recorded, never discarded (L809).

>>> from cpcase.rules.policy import load_profile
>>> from cpcase.vocab import ProtectionSituation as S, VulnerabilityCategory as V
>>> mali = load_profile("mali-2020")
>>> d = assess_eligibility(EligibilityFacts(vulnerabilities=frozenset({V.MOBILITY}), age_years=12), mali)
>>> d.outcome.value, [r.code for r in d.reasons]
('not_eligible_recorded', ['minor', 'profile_alone_insufficient', 'recorded_not_eligible'])
>>> d = assess_eligibility(EligibilityFacts(situations=frozenset({S.SEXUAL_ABUSE}), age_years=12), mali)
>>> d.outcome.value, d.cm_eligible
('case_opened', True)
"""

from __future__ import annotations

from typing import Protocol

import attrs

from cpcase.case import CaseFile
from cpcase.forms.registration import age_on
from cpcase.labels import LabelledEnum
from cpcase.rules.policy import Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import AgeStatus
from cpcase.vocab.protection import (
    CareArrangement,
    EligibilityOutcome,
    IdentifiedBy,
    ProtectionSituation,
    SeparationStatus,
    VulnerabilityCategory,
)

__all__ = [
    "STATE_MANDATE",
    "ActorType",
    "EligibilityDecision",
    "EligibilityFacts",
    "ProgrammeCheck",
    "ProgrammeCriteria",
    "ProgrammeRule",
    "StateMandate",
    "UascDecision",
    "UascFacts",
    "assess_eligibility",
    "eligibility_facts",
    "is_eligible",
    "uasc_decision",
]

_SOP = "Mali SOP 2020"


class ActorType(LabelledEnum):
    """Who identified the child and checks eligibility (SOP §5.1.2 scenarios 1–3)."""

    STATE_SERVICE = (
        "state_service",
        "Service de l'État (DRPFEF / SLPFEF / DRDS)",
        "State service (DRPFEF / SLPFEF / DRDS)",
        f"{_SOP} §5.1.2 scénario 1 L893–L913",
    )
    CP_ORGANISATION = (
        "cp_organisation",
        "Organisation de protection de l'enfance",
        "Child-protection organisation",
        f"{_SOP} §5.1.2 scénario 2 L915–L927",
    )
    COMMUNITY_OR_OTHER = (
        "community_or_other",
        "Acteur communautaire ou autre service",
        "Community actor or other service",
        f"{_SOP} §5.1.2 scénario 3 L929–L933",
    )


@attrs.frozen
class UascFacts:
    """Answers for the unaccompanied/separated table (SOP L937–L947); ``None`` = not known."""

    status: SeparationStatus
    age_years: int | None = None
    voluntary_separation: bool | None = None
    in_contact_with_original_caregiver: bool | None = None
    caregivers_agreement: bool | None = None
    treated_equally: bool | None = None
    feels_safe: bool | None = None
    alone: bool | None = None
    has_mentor: bool | None = None
    self_reliant: bool | None = None
    exposed_to_risks: bool | None = None
    exploited_by_foster_family: bool | None = None
    foster_family_can_continue: bool | None = None
    needs_family_tracing: bool | None = None


@attrs.frozen
class UascDecision:
    """``enters_cm`` True/False, or None when the answers do not settle it."""

    enters_cm: bool | None
    reasons: tuple[Reason, ...]


def _r(code: str, fr: str, en: str, rule: str | None = None, line: str = "") -> Reason:
    return Reason(code, fr, en, rule, f"{_SOP} {line}".strip() if line else "")


def uasc_decision(facts: UascFacts, policy: Policy) -> UascDecision:
    """Apply the SOP table for unaccompanied (L938) and separated (L939, L947) children.

    Any "enters" condition wins (the child needs case management even if other answers look
    reassuring); otherwise any "does not enter" condition settles it; otherwise the decision is
    undetermined (``None``) and more information is needed.
    """
    f = facts
    unaccompanied = f.status is SeparationStatus.UNACCOMPANIED
    line = "L938" if unaccompanied else "L939, L947"
    enters: list[Reason] = []
    if unaccompanied and f.alone is True and f.has_mentor is False and f.exposed_to_risks is True:
        enters.append(
            _r(
                "alone_no_mentor_exposed",
                "L'enfant est seul, n'a pas de mentor et est exposé à des risques",
                "The child is alone, has no mentor and is exposed to risks",
                line=line,
            )
        )
    if f.treated_equally is False:
        enters.append(
            _r(
                "inadequate_treatment",
                "Traitement inadéquat, ne jouit pas des mêmes droits que les autres enfants",
                "Inadequate treatment, not the same rights as the other children",
                line=line,
            )
        )
    if f.exploited_by_foster_family is True:
        enters.append(
            _r(
                "exploited_by_foster_family",
                "L'enfant est exploité par sa famille d'accueil",
                "The child is exploited by the foster family",
                line=line,
            )
        )
    if f.voluntary_separation is False and f.needs_family_tracing is True:
        enters.append(
            _r(
                "involuntary_needs_tracing",
                "Séparation involontaire nécessitant une recherche familiale",
                "Involuntary separation needing family tracing",
                line=line,
            )
        )
    if f.foster_family_can_continue is False:
        enters.append(
            _r(
                "foster_family_cannot_continue",
                "La famille d'accueil ne peut plus prendre en charge l'enfant",
                "The foster family can no longer care for the child",
                line=line,
            )
        )
    if enters:
        return UascDecision(enters_cm=True, reasons=tuple(enters))

    stays: list[Reason] = []
    if f.voluntary_separation is True:
        stays.append(
            _r(
                "voluntary_separation",
                "Séparation volontaire (raisons économiques, sécuritaires, etc.)",
                "Voluntary separation (economic, security or other reasons)",
                line=line,
            )
        )
    if (
        f.voluntary_separation is False
        and f.in_contact_with_original_caregiver is True
        and f.caregivers_agreement is True
    ):
        stays.append(
            _r(
                "involuntary_with_contact_and_agreement",
                "Séparation involontaire, contact avec le tuteur d'origine et accord avec la "
                "famille d'accueil",
                "Involuntary separation, in contact with the original caregiver, with an agreement "
                "with the foster family",
                line=line,
            )
        )
    if f.treated_equally is True:
        stays.append(
            _r(
                "treated_equally",
                "Traité au même niveau que les autres enfants de la famille",
                "Treated the same as the other children of the family",
                line=line,
            )
        )
    if f.feels_safe is True:
        stays.append(
            _r(
                "feels_safe",
                "L'enfant se sent en sécurité dans sa famille d'accueil",
                "The child feels safe in the foster family",
                line=line,
            )
        )
    min_age = policy.eligibility.uasc_self_reliance_min_age.value
    self_reliant = (
        unaccompanied
        and f.self_reliant is True
        and f.has_mentor is True
        and f.exposed_to_risks is False
        and f.in_contact_with_original_caregiver is True
    )
    if self_reliant and f.age_years is not None and f.age_years > min_age:
        stays.append(
            _r(
                "self_reliant_over_min_age",
                f"Plus de {min_age} ans, se prend en charge seul avec un mentor, non exposé, en "
                "contact avec son tuteur d'origine",
                f"Older than {min_age}, manages alone with a mentor, not exposed to risks, in "
                "contact with the original caregiver",
                "eligibility.uasc_self_reliance_min_age",
                "L938",
            )
        )
    if stays:
        return UascDecision(enters_cm=False, reasons=tuple(stays))
    reasons = []
    if self_reliant:
        reasons.append(
            _r(
                "too_young_for_self_reliance_rule",
                f"L'exception d'autonomie ne s'applique qu'au-delà de {min_age} ans",
                f"The self-reliance exception applies only above age {min_age}",
                "eligibility.uasc_self_reliance_min_age",
                "L938",
            )
        )
    reasons.append(
        _r(
            "uasc_undetermined",
            "Informations insuffisantes pour appliquer le tableau ENA/ES",
            "Not enough information to apply the unaccompanied/separated table",
            line=line,
        )
    )
    return UascDecision(enters_cm=None, reasons=tuple(reasons))


@attrs.frozen
class EligibilityFacts:
    """What is known at identification (small, frozen input; no names)."""

    situations: frozenset[ProtectionSituation] = frozenset()
    vulnerabilities: frozenset[VulnerabilityCategory] = frozenset()
    age_years: int | None = None
    age_status: AgeStatus | None = None
    uasc: UascFacts | None = None
    actor: ActorType = ActorType.STATE_SERVICE
    state_has_resources: bool = True
    specialised_agency_present: bool = False
    receiver_has_trained_cm_team: bool | None = None
    conflict_of_interest: bool = False
    outside_expertise: bool = False


@attrs.frozen
class ProgrammeCheck:
    """Programme-level eligibility (SOP §4.2.1): the organisation's own targeting."""

    eligible: bool
    reasons: tuple[Reason, ...]


class ProgrammeRule(Protocol):
    """Anything that decides programme eligibility; organisations plug in their own."""

    def check(self, facts: EligibilityFacts) -> ProgrammeCheck:
        """Whether the child fits the programme, with reasons."""


@attrs.frozen
class StateMandate:
    """State services protect ALL children (SOP L643, L895): always programme-eligible."""

    def check(self, facts: EligibilityFacts) -> ProgrammeCheck:
        """Always eligible."""
        reason = _r(
            "state_mandate",
            "Les services de l'État ont le mandat de protéger tous les enfants",
            "State services have the mandate to protect all children",
            line="§4.2.1 L643, L895",
        )
        return ProgrammeCheck(eligible=True, reasons=(reason,))


STATE_MANDATE = StateMandate()


@attrs.frozen
class ProgrammeCriteria:
    """A data-driven programme targeting (thematic organisations, SOP L643).

    ``None`` for a criterion means "any". ``max_age_exclusive`` narrows the age range further
    than the policy's age limit (e.g. an adolescent programme).
    """

    name: str
    situations: frozenset[ProtectionSituation] | None = None
    vulnerabilities: frozenset[VulnerabilityCategory] | None = None
    min_age: int | None = None
    max_age_exclusive: int | None = None

    def check(self, facts: EligibilityFacts) -> ProgrammeCheck:
        """Eligible when every set criterion matches."""
        misses: list[Reason] = []
        if self.situations is not None and not (self.situations & facts.situations):
            misses.append(
                _r(
                    "programme_situation_mismatch",
                    f"{self.name} : situation hors du champ du programme",
                    f"{self.name}: situation outside the programme's scope",
                )
            )
        if self.vulnerabilities is not None and not (self.vulnerabilities & facts.vulnerabilities):
            misses.append(
                _r(
                    "programme_profile_mismatch",
                    f"{self.name} : profil hors de la cible du programme",
                    f"{self.name}: profile outside the programme's target",
                )
            )
        age = facts.age_years
        if age is not None and (
            (self.min_age is not None and age < self.min_age)
            or (self.max_age_exclusive is not None and age >= self.max_age_exclusive)
        ):
            misses.append(
                _r(
                    "programme_age_mismatch",
                    f"{self.name} : âge hors de la tranche du programme",
                    f"{self.name}: age outside the programme's range",
                )
            )
        if misses:
            return ProgrammeCheck(eligible=False, reasons=tuple(misses))
        ok = _r(
            "programme_criteria_met",
            f"{self.name} : critères du programme remplis",
            f"{self.name}: programme criteria met",
        )
        return ProgrammeCheck(eligible=True, reasons=(ok,))


@attrs.frozen
class EligibilityDecision:
    """The two-level eligibility decision and its outcome; always recorded."""

    outcome: EligibilityOutcome
    minor: bool
    cm_eligible: bool
    programme_eligible: bool
    uasc: UascDecision | None
    reasons: tuple[Reason, ...]


def _age(facts: EligibilityFacts, policy: Policy) -> tuple[bool, Reason]:
    limit = policy.eligibility.age_limit.value
    if facts.age_status is AgeStatus.PRESUMED_MINOR:
        return True, _r(
            "presumed_minor",
            "Présumé mineur jusqu'à décision de l'autorité compétente",
            "Presumed a minor until the competent authority decides",
            "eligibility.presume_minor",
            "§3.4.2.1 L540",
        )
    if facts.age_years is None:
        if policy.eligibility.presume_minor.value:
            return True, _r(
                "age_unknown_presumed_minor",
                "Âge inconnu : présumé mineur",
                "Age unknown: presumed a minor",
                "eligibility.presume_minor",
                "§3.4.2.1 L540",
            )
        return False, _r(
            "age_unknown",
            "Âge inconnu et présomption de minorité désactivée",
            "Age unknown and presumption of minority disabled",
            "eligibility.presume_minor",
        )
    if facts.age_years < limit:
        return True, _r(
            "minor",
            f"Enfant de moins de {limit} ans",
            f"Child younger than {limit}",
            "eligibility.age_limit",
            "§1.3 L83",
        )
    return False, _r(
        "over_age_limit",
        f"{limit} ans ou plus : hors du champ de la protection de l'enfant",
        f"Aged {limit} or more: outside child protection",
        "eligibility.age_limit",
        "§1.3 L83",
    )


def _cm(facts: EligibilityFacts, policy: Policy) -> tuple[bool, UascDecision | None, list[Reason]]:
    reasons: list[Reason] = []
    uasc = uasc_decision(facts.uasc, policy) if facts.uasc is not None else None
    if facts.situations:
        always = [
            s for s in facts.situations if s.letter in policy.eligibility.always_eligible.value
        ]
        if always:
            reasons.extend(
                _r(
                    "always_eligible",
                    f"{s.label_fr} : toujours éligible à la gestion de cas",
                    f"{s.label_en}: always eligible for case management",
                    "eligibility.always_eligible",
                    "§4.2.2 L681, L685",
                )
                for s in sorted(always, key=lambda s: s.letter)
            )
        else:
            reasons.append(
                _r(
                    "art50_situation",
                    "Situation de l'article 50 du Code de protection de l'enfant",
                    "Art. 50 situation of the Child Protection Code",
                    line="§4.2.2 L651–L703",
                )
            )
        return True, uasc, reasons
    if uasc is not None and uasc.enters_cm is True:
        reasons.append(
            _r(
                "uasc_enters_cm",
                "Tableau ENA/ES : entre dans la gestion de cas",
                "Unaccompanied/separated table: enters case management",
                line="§5.1.2 L937–L947",
            )
        )
        return True, uasc, reasons
    if uasc is not None and uasc.enters_cm is False:
        reasons.append(
            _r(
                "uasc_does_not_enter",
                "Tableau ENA/ES : n'entre pas dans la gestion de cas",
                "Unaccompanied/separated table: does not enter case management",
                line="§5.1.2 L937–L947",
            )
        )
        return False, uasc, reasons
    if facts.vulnerabilities and policy.eligibility.profile_alone_triggers.value:
        reasons.append(
            _r(
                "profile_triggers",
                "Le profil de vulnérabilité suffit selon ce profil de politique",
                "The vulnerability profile suffices under this policy",
                "eligibility.profile_alone_triggers",
            )
        )
        return True, uasc, reasons
    if facts.vulnerabilities:
        reasons.append(
            _r(
                "profile_alone_insufficient",
                "Un profil de vulnérabilité seul ne déclenche pas la gestion de cas",
                "A vulnerability profile alone does not trigger case management",
                "eligibility.profile_alone_triggers",
                "§4.2.2 L655",
            )
        )
    else:
        reasons.append(
            _r(
                "no_situation",
                "Aucune situation de l'article 50 identifiée",
                "No Art. 50 situation identified",
                line="§4.2.2 L657",
            )
        )
    return False, uasc, reasons


def _transfer_or_refer(
    facts: EligibilityFacts, policy: Policy
) -> tuple[EligibilityOutcome, Reason]:
    trained = facts.receiver_has_trained_cm_team
    if trained is True or not policy.eligibility.transfer_requires_trained_team.value:
        return EligibilityOutcome.TRANSFERRED, _r(
            "transfer_allowed",
            "La structure d'accueil dispose d'une équipe de gestion de cas formée",
            "The receiving structure has a trained case-management team",
            "eligibility.transfer_requires_trained_team",
            "§3.4.2.3 L564",
        )
    return EligibilityOutcome.REFERRED, _r(
        "transfer_needs_trained_team",
        "Pas d'équipe de gestion de cas formée connue chez le receveur : référencement, le "
        "gestionnaire de cas d'origine poursuit le suivi",
        "No known trained case-management team at the receiver: referral, the original "
        "caseworker keeps following the child",
        "eligibility.transfer_requires_trained_team",
        "§3.4.2.3 L564",
    )


def assess_eligibility(
    facts: EligibilityFacts, policy: Policy, *, programme: ProgrammeRule = STATE_MANDATE
) -> EligibilityDecision:
    """Decide programme and case-management eligibility and the outcome (see module docstring)."""
    minor, age_reason = _age(facts, policy)
    reasons: list[Reason] = [age_reason]
    cm, uasc, cm_reasons = _cm(facts, policy)
    prog = programme.check(facts)
    if not minor:
        return EligibilityDecision(
            EligibilityOutcome.NOT_ELIGIBLE_RECORDED,
            minor=minor,
            cm_eligible=False,
            programme_eligible=prog.eligible,
            uasc=uasc,
            reasons=tuple(reasons),
        )
    reasons.extend(cm_reasons)
    if not cm:
        reasons.append(
            _r(
                "recorded_not_eligible",
                "Non éligible : l'enregistrement est conservé au cas où l'enfant revient",
                "Not eligible: the registration is kept in case the child comes back",
                line="§5.1.2 L809",
            )
        )
        return EligibilityDecision(
            EligibilityOutcome.NOT_ELIGIBLE_RECORDED,
            minor=minor,
            cm_eligible=False,
            programme_eligible=prog.eligible,
            uasc=uasc,
            reasons=tuple(reasons),
        )
    reasons.extend(prog.reasons)
    outcome: EligibilityOutcome
    if facts.conflict_of_interest or facts.outside_expertise:
        why = (
            _r(
                "conflict_of_interest",
                "Conflit d'intérêt déclaré",
                "Conflict of interest declared",
                line="§4.2 L637",
            )
            if facts.conflict_of_interest
            else _r(
                "outside_expertise",
                "Cas hors de l'expertise de la structure",
                "Case outside the structure's expertise",
                line="§4.2 L637",
            )
        )
        outcome, route = _transfer_or_refer(facts, policy)
        reasons.extend((why, route))
    elif facts.actor is ActorType.STATE_SERVICE:
        special = bool(
            {ProtectionSituation.SEXUAL_EXPLOITATION, ProtectionSituation.SEXUAL_ABUSE}
            & facts.situations
        ) or (VulnerabilityCategory.ARMED_FORCES_GROUPS in facts.vulnerabilities)
        if special and facts.specialised_agency_present:
            outcome, route = _transfer_or_refer(facts, policy)
            reasons.extend(
                (
                    _r(
                        "specialised_agency_present",
                        "Violences sexuelles / EAFGA : agence spécialisée présente dans la région",
                        "Sexual violence / CAAFAG: a specialised agency is present in the region",
                        line="§5.1.2 L913",
                    ),
                    route,
                )
            )
        elif facts.state_has_resources:
            outcome = EligibilityOutcome.CASE_OPENED
            reasons.append(
                _r(
                    "state_option_1",
                    "Service de l'État disposant des ressources : prise en charge",
                    "State service with the resources: takes the case",
                    line="§5.1.2 L901–L903",
                )
            )
        else:
            outcome = EligibilityOutcome.REFERRED
            reasons.append(
                _r(
                    "state_option_2",
                    "Service de l'État sans ressources : référencer vers un partenaire",
                    "State service without resources: refer to a partner",
                    line="§5.1.2 L904–L911",
                )
            )
    elif facts.actor is ActorType.CP_ORGANISATION:
        if prog.eligible:
            outcome = EligibilityOutcome.CASE_OPENED
            reasons.append(
                _r(
                    "organisation_option_1",
                    "Le cas répond aux critères de l'organisation : prise en charge",
                    "The case meets the organisation's criteria: takes the case",
                    line="§5.1.2 L921–L922",
                )
            )
        else:
            outcome = EligibilityOutcome.STATE_NOTIFIED
            reasons.append(
                _r(
                    "organisation_option_2",
                    "Hors critères de l'organisation : informer les services de l'État",
                    "Outside the organisation's criteria: inform the State services",
                    line="§5.1.2 L924–L927",
                )
            )
    else:
        outcome = EligibilityOutcome.STATE_NOTIFIED
        reasons.append(
            _r(
                "community_inform_state",
                "Mettre l'enfant en sécurité et informer le service local de l'État",
                "Make the child safe and inform the local State service",
                line="§5.1.2 L929–L933",
            )
        )
    return EligibilityDecision(
        outcome,
        minor=minor,
        cm_eligible=True,
        programme_eligible=prog.eligible,
        uasc=uasc,
        reasons=tuple(reasons),
    )


def is_eligible(facts: EligibilityFacts, policy: Policy) -> bool:
    """True when the child is eligible for case management (whatever the routing)."""
    return assess_eligibility(facts, policy).cm_eligible


_STATE_ACTORS = frozenset(
    {IdentifiedBy.STATE_DRPFEF, IdentifiedBy.STATE_DRDS, IdentifiedBy.STATE_OTHER}
)


def eligibility_facts(
    case: CaseFile,
    *,
    state_has_resources: bool = True,
    specialised_agency_present: bool = False,
    receiver_has_trained_cm_team: bool | None = None,
) -> EligibilityFacts:
    """The eligibility facts recorded in ``case`` (registration 1.B and UASC registration 1.D).

    Who identified the child gives the actor (SOP §5.1.2 scenarios); the age is the age at
    registration. Facts no form records (resources, presence of a specialised agency, receiver's
    team) are arguments.
    """
    reg = case.registration
    if reg is None:
        return EligibilityFacts(
            state_has_resources=state_has_resources,
            specialised_agency_present=specialised_agency_present,
            receiver_has_trained_cm_team=receiver_has_trained_cm_team,
        )
    age = reg.age
    if reg.date_of_birth is not None:
        age = age_on(reg.date_of_birth, reg.registration_date)
    if reg.identified_by in _STATE_ACTORS:
        actor = ActorType.STATE_SERVICE
    elif reg.identified_by is IdentifiedBy.CP_ORGANISATION:
        actor = ActorType.CP_ORGANISATION
    else:
        actor = ActorType.COMMUNITY_OR_OTHER
    uasc = None
    u = case.uasc_registration
    if u is not None and u.separation_status is not SeparationStatus.NOT_SEPARATED:
        alone = None
        if u.care_arrangement is not None:
            alone = u.care_arrangement in (
                CareArrangement.NO_CARE_ARRANGEMENT,
                CareArrangement.INDEPENDENT_LIVING,
                CareArrangement.CHILD_HEADED_HOUSEHOLD,
            )
        uasc = UascFacts(
            status=u.separation_status,
            age_years=age,
            voluntary_separation=u.separation_voluntary,
            in_contact_with_original_caregiver=u.in_contact_with_original_caregiver,
            caregivers_agreement=u.agreement_original_caregiver_foster_family,
            treated_equally=u.treated_equally_in_foster_family,
            feels_safe=u.feels_safe,
            alone=alone,
            has_mentor=u.has_mentor,
            self_reliant=u.self_reliant,
            exposed_to_risks=u.exposed_to_risks,
            exploited_by_foster_family=u.exploited_by_foster_family,
            foster_family_can_continue=u.foster_family_can_continue,
            needs_family_tracing=u.needs_family_tracing,
        )
    return EligibilityFacts(
        situations=frozenset(reg.protection_situations),
        vulnerabilities=frozenset(reg.vulnerability_categories),
        age_years=age,
        age_status=reg.age_status,
        uasc=uasc,
        actor=actor,
        state_has_resources=state_has_resources,
        specialised_agency_present=specialised_agency_present,
        receiver_has_trained_cm_team=receiver_has_trained_cm_team,
    )
