"""Form 1.B — case registration (*Enregistrement du cas*), and the family-member row.

Registration records the child's basic information in the registration register (SOP §5.1.2
L899, L919), the source of identification (L416), the profile (L898), the primary and secondary
problems (L935) and the family supports for emergency care (L807). It keeps a trace even when
the child is not eligible or is transferred (L809), so the eligibility outcome is a field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Self

from pydantic import Field, field_validator, model_validator

from cpcase.forms._base import FormBase, FormRow, ShortText, Text, check_not_future, rule_violation
from cpcase.labels import field
from cpcase.vocab import (
    AgeStatus,
    CareArrangement,
    DisplacementStatus,
    EligibilityOutcome,
    FormClass,
    IdentificationSource,
    IdentifiedBy,
    ImmediateNeed,
    ProtectionConcern,
    ProtectionSituation,
    Region,
    RiskLevel,
    SeparationStatus,
    Sex,
    Step,
    VulnerabilityCategory,
)

__all__ = ["AGE_OF_MAJORITY", "FamilyMember", "RegistrationForm", "age_on", "check_age"]

_SOP = "Mali SOP 2020"

#: Age from which a person is no longer a child (SOP L83 "0 à 18 ans"; CRC art. 1). Forms only
#: check ``age < 18`` unless the child is presumed minor; policies may be stricter.
AGE_OF_MAJORITY = 18


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    """Age in completed years on ``day`` of a person born on ``date_of_birth``."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


class FamilyMember(FormRow):
    """A family member or family support (CPIMS+ ``family_details_section`` row).

    SOP L807: registration captures the family supports who can be involved in emergency care
    (health information, accompaniment, temporary family alternative).
    """

    relation_name: Annotated[
        ShortText | None,
        field(
            "Nom",
            "Name",
            "Name of the family member (personal data: restricted to the caseworker).",
            source="CPIMS+ family_details_section",
            cpims="relation_name",
        ),
    ] = None
    relation: Annotated[
        ShortText,
        field(
            "Lien avec l'enfant",
            "Relationship to the child",
            "E.g. mother, uncle, older sister, foster mother.",
            source="CPIMS+ family_details_section",
            cpims="relation",
        ),
    ]
    relation_is_caregiver: Annotated[
        bool | None,
        field(
            "S'occupe actuellement de l'enfant",
            "Currently cares for the child",
            source="CPIMS+ family_details_section",
            cpims="relation_is_caregiver",
        ),
    ] = None
    relation_is_alive: Annotated[
        bool | None,
        field(
            "En vie", "Alive", source="CPIMS+ family_details_section", cpims="relation_is_alive"
        ),
    ] = None
    relation_child_is_in_contact: Annotated[
        bool | None,
        field(
            "L'enfant est en contact",
            "Child is in contact",
            source="CPIMS+ interagency family_details",
            cpims="relation_child_is_in_contact",
        ),
    ] = None
    relation_telephone: Annotated[
        ShortText | None,
        field(
            "Téléphone",
            "Telephone",
            "A family contact the provider must hold on referral (SOP L601).",
            source=f"{_SOP} §3.4.2.3 L601",
            cpims="relation_telephone",
        ),
    ] = None
    relation_location_current: Annotated[
        ShortText | None,
        field(
            "Localisation actuelle (ou dernière connue)",
            "Current (or last known) location",
            source="CPIMS+ family_details_section",
            cpims="relation_location_current",
        ),
    ] = None
    emergency_support_role: Annotated[
        Text | None,
        field(
            "Rôle possible dans la prise en charge d'urgence",
            "Possible role in emergency care",
            "Health information, accompaniment, temporary family alternative.",
            source=f"{_SOP} §5.1.2 L807",
        ),
    ] = None


class RegistrationForm(FormBase):
    """1.B Case registration (*Enregistrement du cas*), SOP §5.1.2 and §6.1.2 L1150.

    Seed-mentioned fields: identification and registration dates (24 h clock, L744),
    identification source (L416), identifying actor (scenarios L893–L933), profile
    (L898, L918), primary/secondary problem (L935), birth certificate or ID (risk factor,
    L723), living outside the community of origin (L723), disability (L723–L737), child
    mother (L609), family supports (L807), emergency care (L805–L902), two-level eligibility
    and outcome with a trace kept (L889, L809), masked name (L1142), presumption of minority
    (L540). Identity and location fields are modelled after CPIMS+ ``basic_identity`` and
    named after its fields.

    Rules: ages 0–17 unless ``age_status`` is ``presumed_minor``; age and date of birth agree;
    a primary protection concern is required (requirements §9.8); ``eligible_cm`` needs an
    Art. 50 situation (a profile alone never suffices, L655); an emergency means high risk
    (L805).
    """

    form_code: ClassVar[str] = "1.B"
    step: ClassVar[Step] = Step.IDENTIFICATION
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Enregistrement du cas"
    name_en: ClassVar[str] = "Case registration"

    identification_date: Annotated[
        dt.date,
        field(
            "Date d'identification",
            "Identification date",
            "Day the child was identified; starts the initial-assessment clock.",
            source=f"{_SOP} §4.3 L744",
            cpims="identification_date",
        ),
    ]
    identification_time: Annotated[
        dt.time | None,
        field(
            "Heure d'identification",
            "Identification time",
            "Local time of identification, for the 24 h clock.",
            source=f"{_SOP} §4.3 L744",
        ),
    ] = None
    registration_date: Annotated[
        dt.date,
        field(
            "Date d'enregistrement",
            "Registration date",
            "Day the child was entered in the registration register.",
            source=f"{_SOP} §5.1.2 L899",
            cpims="registration_date",
        ),
    ]
    identification_source: Annotated[
        IdentificationSource,
        field(
            "Source d'identification",
            "Identification source",
            source=f"{_SOP} §3.4.1 L416",
            cpims="source_identification_referral",
        ),
    ]
    identified_by: Annotated[
        IdentifiedBy,
        field(
            "Identifié par",
            "Identified by",
            "Actor who identified the child (decides the scenario 1–3).",
            source=f"{_SOP} §5.1.2 L893–L933",
        ),
    ]
    referring_organisation: Annotated[
        ShortText | None,
        field(
            "Structure ayant signalé ou référé",
            "Reporting or referring organisation",
            source="requirements §4.2 [INFERRED]",
        ),
    ] = None
    name_first: Annotated[
        ShortText | None,
        field(
            "Prénom",
            "First name",
            "Personal data: kept only in the caseworker's view and the name↔code list.",
            source=f"{_SOP} §6.1.2 L1142",
            cpims="name_first",
        ),
    ] = None
    name_last: Annotated[
        ShortText | None,
        field("Nom", "Last name", source=f"{_SOP} §6.1.2 L1142", cpims="name_last"),
    ] = None
    name_nickname: Annotated[
        ShortText | None,
        field("Surnom", "Nickname", source="CPIMS+ basic_identity", cpims="name_nickname"),
    ] = None
    hidden_name: Annotated[
        bool,
        field(
            "Masquer le nom",
            "Hide the name",
            "Complex case: the name appears on no file, view or export.",
            source=f"{_SOP} §6.1.2 L1142",
            cpims="hidden_name",
        ),
    ] = False
    sex: Annotated[Sex, field("Sexe", "Sex", source=f"{_SOP} §1.3 L83", cpims="sex")]
    date_of_birth: Annotated[
        dt.date | None,
        field(
            "Date de naissance",
            "Date of birth",
            source="CPIMS+ basic_identity",
            cpims="date_of_birth",
        ),
    ] = None
    age: Annotated[
        int | None,
        Field(ge=0, le=30),
        field(
            "Âge (années)",
            "Age (years)",
            "Age in completed years at registration (0–17 unless presumed minor).",
            source=f"{_SOP} §1.3 L83",
            cpims="age",
        ),
    ] = None
    age_status: Annotated[
        AgeStatus,
        field(
            "Statut de l'âge",
            "Age status",
            "Documented, estimated, or presumed minor until a competent authority decides.",
            source=f"{_SOP} §3.4.2.1 L540",
        ),
    ]
    age_decision_authority: Annotated[
        ShortText | None,
        field(
            "Autorité ayant statué sur l'âge",
            "Authority that decided the age",
            "DNPEF or nearest DRPFEF (presumption of minority).",
            source=f"{_SOP} §3.4.2.1 L540",
        ),
    ] = None
    age_decision_date: Annotated[
        dt.date | None,
        field(
            "Date de la décision sur l'âge",
            "Date of the age decision",
            source=f"{_SOP} §3.4.2.1 L540",
        ),
    ] = None
    has_birth_certificate_or_id: Annotated[
        bool | None,
        field(
            "Possède un acte de naissance ou une pièce d'identité",
            "Has a birth certificate or ID",
            "Its absence is a high-risk factor.",
            source=f"{_SOP} §4.3 L723",
        ),
    ] = None
    nationality: Annotated[
        ShortText | None,
        field("Nationalité", "Nationality", source="CPIMS+ basic_identity", cpims="nationality"),
    ] = None
    displacement_status: Annotated[
        DisplacementStatus | None,
        field(
            "Statut de déplacement",
            "Displacement status",
            source=f"{_SOP} §1.2 L92–L93; CPIMS+ basic_identity",
            cpims="displacement_status",
        ),
    ] = None
    region: Annotated[
        Region | None,
        field(
            "Région",
            "Region",
            "Region where the child now lives (regional monthly sheets).",
            source=f"{_SOP} L83; §3.2 L320",
        ),
    ] = None
    location_current: Annotated[
        ShortText | None,
        field(
            "Localisation actuelle (cercle, commune)",
            "Current location (cercle, commune)",
            source="CPIMS+ basic_identity",
            cpims="location_current",
        ),
    ] = None
    community_of_origin: Annotated[
        ShortText | None,
        field("Communauté d'origine", "Community of origin", source=f"{_SOP} §4.3 L723"),
    ] = None
    lives_in_community_of_origin: Annotated[
        bool | None,
        field(
            "Vit dans sa communauté d'origine",
            "Lives in community of origin",
            "Not living there is a high-risk factor.",
            source=f"{_SOP} §4.3 L723",
        ),
    ] = None
    vulnerability_categories: Annotated[
        tuple[VulnerabilityCategory, ...],
        field(
            "Catégories de vulnérabilité",
            "Vulnerability categories",
            "Profiles of the nine categories that apply; never sufficient alone for CM.",
            source=f"{_SOP} §1.2 L91–L100; §4.2.2 L655",
        ),
    ] = ()
    dominant_profile: Annotated[
        VulnerabilityCategory | None,
        field(
            "Profil dominant",
            "Dominant profile",
            "Profile determined at registration; one of the categories above.",
            source=f"{_SOP} §5.1.2 L898",
        ),
    ] = None
    protection_situations: Annotated[
        tuple[ProtectionSituation, ...],
        field(
            "Situations de l'article 50",
            "Art. 50 situations",
            "Situations a–l of Art. 50 that apply; one is needed for CM eligibility.",
            source=f"{_SOP} §4.2.2 L657–L703",
        ),
    ] = ()
    protection_concern_primary: Annotated[
        ProtectionConcern,
        field(
            "Problème principal",
            "Primary protection concern",
            "The harm that triggers case management (e.g. exploitation, not UASC status).",
            source=f"{_SOP} §5.1.2 L935",
            cpims="protection_concerns",
        ),
    ]
    protection_concerns_secondary: Annotated[
        tuple[ProtectionConcern, ...],
        field(
            "Problèmes secondaires",
            "Secondary protection concerns",
            source=f"{_SOP} §5.1.2 L935",
            cpims="protection_concerns",
        ),
    ] = ()
    separation_status: Annotated[
        SeparationStatus | None,
        field(
            "Séparation",
            "Separation status",
            "Unaccompanied or separated: then the 1.D form and the UASC table apply.",
            source=f"{_SOP} §5.1.2 L937–L939",
            cpims="protection_status",
        ),
    ] = None
    disability_or_chronic_illness: Annotated[
        bool | None,
        field(
            "Handicap ou maladie chronique",
            "Disability or chronic illness",
            "High-risk factor in most rows of the risk matrix.",
            source=f"{_SOP} §4.3 L723–L737",
        ),
    ] = None
    child_mother: Annotated[
        bool | None,
        field("Fille mère", "Child mother", source=f"{_SOP} §4.1 L609"),
    ] = None
    care_arrangement: Annotated[
        CareArrangement | None,
        field(
            "Prise en charge actuelle",
            "Current care arrangement",
            source="CPIMS+ care_arrangements",
            cpims="care_arrangements_type",
        ),
    ] = None
    family_supports: Annotated[
        tuple[FamilyMember, ...],
        field(
            "Soutiens de famille",
            "Family supports",
            "Family members who can be involved in emergency care.",
            source=f"{_SOP} §5.1.2 L807",
            cpims="family_details_section",
        ),
    ] = ()
    emergency_care_needed: Annotated[
        bool,
        field(
            "Prise en charge d'urgence nécessaire",
            "Emergency care needed",
            "An emergency is by definition high risk.",
            source=f"{_SOP} §5.1.2 L805",
        ),
    ] = False
    immediate_needs: Annotated[
        tuple[ImmediateNeed, ...],
        field(
            "Besoins immédiats",
            "Immediate needs",
            source=f"{_SOP} §5.1.2 L799–L885, L902",
            cpims="immediate_concerns_immediate_concern_type",
        ),
    ] = ()
    risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque immédiat",
            "Immediate risk level",
            source=f"{_SOP} §4.3 L713; §5.1.2 L805",
            cpims="risk_level",
        ),
    ] = None
    eligible_programme: Annotated[
        bool | None,
        field(
            "Éligible au programme de l'organisation",
            "Eligible for the organisation's programme",
            "State services are responsible for all children (always eligible).",
            source=f"{_SOP} §4.2.1 L641–L649",
        ),
    ] = None
    eligible_cm: Annotated[
        bool | None,
        field(
            "Éligible à la gestion de cas",
            "Eligible for case management",
            source=f"{_SOP} §4.2.2 L651–L707",
            cpims="case_eligibility_criteria",
        ),
    ] = None
    eligibility_reason: Annotated[
        Text | None,
        field(
            "Motif de la décision d'éligibilité",
            "Reason for the eligibility decision",
            source=f"{_SOP} §4.2 L639",
        ),
    ] = None
    eligibility_outcome: Annotated[
        EligibilityOutcome,
        field(
            "Suite donnée",
            "Outcome",
            "What happened after registration; the record is kept whatever the outcome.",
            source=f"{_SOP} §5.1.2 L809, L901–L933",
        ),
    ]
    consent_obtained: Annotated[
        bool | None,
        field(
            "Accord éclairé obtenu (formulaire 1.A)",
            "Informed agreement obtained (form 1.A)",
            source=f"{_SOP} §5.1.2 L900",
            cpims="consent_form_completed",
        ),
    ] = None

    _not_future = field_validator(
        "identification_date", "registration_date", "date_of_birth", "age_decision_date"
    )(check_not_future)

    @property
    def estimated(self) -> bool:
        """CPIMS+ ``estimated``: true unless the age is documented."""
        return self.age_status is not AgeStatus.DOCUMENTED

    @property
    def protection_concerns(self) -> tuple[ProtectionConcern, ...]:
        """CPIMS+ ``protection_concerns``: the primary concern first, then the secondary ones."""
        return (self.protection_concern_primary, *self.protection_concerns_secondary)

    @property
    def age_at_registration(self) -> int | None:
        """Age on the registration date: from the date of birth if known, else ``age``."""
        if self.date_of_birth is not None:
            return age_on(self.date_of_birth, self.registration_date)
        return self.age

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.registration_date < self.identification_date:
            problems.append(("registration_date", "registration cannot precede identification"))
        problems += check_age(
            age=self.age,
            date_of_birth=self.date_of_birth,
            age_status=self.age_status,
            on=self.registration_date,
        )
        if self.protection_concern_primary in self.protection_concerns_secondary:
            problems.append(
                ("protection_concerns_secondary", "the primary concern is repeated as secondary")
            )
        if (
            self.dominant_profile is not None
            and self.vulnerability_categories
            and self.dominant_profile not in self.vulnerability_categories
        ):
            problems.append(
                ("dominant_profile", "the dominant profile is not among the categories")
            )
        if self.eligible_cm and not self.protection_situations:
            problems.append(
                (
                    "protection_situations",
                    "CM eligibility needs an Art. 50 situation; a profile alone never suffices",
                )
            )
        if (
            self.eligibility_outcome is EligibilityOutcome.CASE_OPENED
            and self.eligible_cm is False
        ):
            problems.append(("eligibility_outcome", "a case is opened but marked not eligible"))
        if self.emergency_care_needed and self.risk_level not in (None, RiskLevel.HIGH):
            problems.append(("risk_level", "an emergency is by definition high risk (SOP L805)"))
        if self.immediate_needs and not self.emergency_care_needed:
            problems.append(("emergency_care_needed", "immediate needs are listed: emergency"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


def check_age(
    *,
    age: int | None,
    date_of_birth: dt.date | None,
    age_status: AgeStatus,
    on: dt.date,
) -> list[tuple[str, str]]:
    """Age rules shared by forms holding a child's age: ``(field, message)`` problems.

    A child is 0–17 (SOP L83) unless presumed minor (L540); age and date of birth must agree
    (exactly when documented, within one year when estimated); birth precedes ``on``.
    """
    problems: list[tuple[str, str]] = []
    if age is None and date_of_birth is None:
        problems.append(("age", "give the age or the date of birth"))
        return problems
    effective = age
    if date_of_birth is not None:
        if date_of_birth > on:
            problems.append(("date_of_birth", "the date of birth is after the form's date"))
            return problems
        computed = age_on(date_of_birth, on)
        if age is not None:
            tolerance = 0 if age_status is AgeStatus.DOCUMENTED else 1
            if abs(computed - age) > tolerance:
                problems.append(("age", "the age does not match the date of birth"))
        effective = computed
    if (
        effective is not None
        and effective >= AGE_OF_MAJORITY
        and age_status is not AgeStatus.PRESUMED_MINOR
    ):
        problems.append(("age", "age must be 0–17 unless the child is presumed minor"))
    return problems
