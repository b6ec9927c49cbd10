"""Complementary forms for unaccompanied/separated children and family tracing (FTR).

1.D UASC registration, 1.E missing child location, 4.B child location, 4.C adult verification,
4.D child verification and 4.E reunification (SOP §6.1.2 L1152–L1161). The seed names these
forms only; family tracing "quand elle est dans l'intérêt supérieur de l'enfant" is done by
State caseworkers or NGOs (§3.4.1 item 10, L456–L460). 1.D carries the facts of the
unaccompanied/separated decision table (L937–L947). The other fields are modelled after the
CPIMS+ ``tracing``, ``tracing_request``, ``verification`` and reunification forms, and say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Self

from pydantic import Field, field_validator, model_validator

from cpcase.forms._base import FormBase, FormRow, ShortText, Text, check_not_future, rule_violation
from cpcase.forms.registration import FamilyMember
from cpcase.labels import field
from cpcase.vocab import (
    CareArrangement,
    FormClass,
    Region,
    SeparationReason,
    SeparationStatus,
    Sex,
    Step,
    TracingStatus,
    VerificationOutcome,
)

__all__ = [
    "AdultVerificationForm",
    "ChildLocationForm",
    "ChildVerificationForm",
    "MissingChildForm",
    "ReunificationForm",
    "TracingAction",
    "UascRegistrationForm",
]

_SOP = "Mali SOP 2020"
_TABLE = f"{_SOP} §5.1.2 L937–L947 (tableau ENA/ES)"
_CPIMS_TRACING = "CPIMS+ tracing [modelled; seed silent]"
_CPIMS_REQUEST = "CPIMS+ tracing_request [modelled; seed silent]"
_CPIMS_VERIF = "CPIMS+ verification [modelled; seed silent]"


def _name_first() -> object:
    return field(
        "Prénom de l'enfant",
        "Child's first name",
        "Personal data: caseworker only; never on shared documents (SOP L1142).",
        source=f"{_SOP} §6.1.2 L1142",
        cpims="name_first",
    )


def _name_last() -> object:
    return field(
        "Nom de l'enfant",
        "Child's last name",
        source=f"{_SOP} §6.1.2 L1142",
        cpims="name_last",
    )


def _name_nickname() -> object:
    return field("Surnom", "Nickname", source="CPIMS+ basic_identity", cpims="name_nickname")


def _bool(label_fr: str, label_en: str, description: str = "", source: str = _TABLE) -> object:
    return field(label_fr, label_en, description, source=source)


class UascRegistrationForm(FormBase):
    """1.D UASC registration (*Enregistrement ENA/ES*), SOP §6.1.2 L1152.

    Seed-mentioned fields: the facts of the unaccompanied/separated decision table
    (L937–L947) — voluntary or involuntary separation, long-standing or recent, economic or
    security reasons, contact with the original caregiver and agreement with the foster
    family, equal treatment, feeling safe, exploitation, the foster family's capacity, need
    for tracing, and for unaccompanied children over 15: self-reliance, a mentor, exposure to
    risks. Names, separation place and circumstances, family members and the child's wishes
    are modelled after CPIMS+ ``basic_identity``, ``tracing`` and ``family_details``.

    Rules: the child is unaccompanied or separated; separation is not in the future.
    Unknown facts stay ``None``: the eligibility rule decides what is missing.
    """

    form_code: ClassVar[str] = "1.D"
    step: ClassVar[Step] = Step.IDENTIFICATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Enregistrement ENA/ES"
    name_en: ClassVar[str] = "Unaccompanied/separated child registration"

    separation_status: Annotated[
        SeparationStatus,
        field(
            "Enfant non accompagné ou séparé",
            "Unaccompanied or separated",
            source=_TABLE,
            cpims="protection_status",
        ),
    ]
    name_first: Annotated[ShortText | None, _name_first()] = None
    name_last: Annotated[ShortText | None, _name_last()] = None
    name_nickname: Annotated[ShortText | None, _name_nickname()] = None
    separation_date: Annotated[
        dt.date | None,
        field(
            "Date de la séparation",
            "Separation date",
            source=_CPIMS_TRACING,
            cpims="date_of_separation",
        ),
    ] = None
    separation_long_standing: Annotated[
        bool | None,
        _bool("Séparation de longue date", "Long-standing separation", "False: recent."),
    ] = None
    separation_place: Annotated[
        ShortText | None,
        field(
            "Lieu de la séparation",
            "Place of separation",
            source=_CPIMS_TRACING,
            cpims="location_separation",
        ),
    ] = None
    separation_reason: Annotated[
        SeparationReason | None,
        field(
            "Cause de la séparation",
            "Cause of separation",
            source=_TABLE,
            cpims="separation_cause",
        ),
    ] = None
    separation_circumstances: Annotated[
        Text | None,
        field(
            "Circonstances de la séparation",
            "Circumstances of separation",
            source=_CPIMS_TRACING,
            cpims="separation_details",
        ),
    ] = None
    separation_voluntary: Annotated[
        bool,
        _bool(
            "Séparation volontaire",
            "Voluntary separation",
            "A voluntary separation alone does not bring the child into case management.",
        ),
    ]
    in_contact_with_original_caregiver: Annotated[
        bool | None,
        _bool("En contact avec le tuteur d'origine", "In contact with original caregiver"),
    ] = None
    agreement_original_caregiver_foster_family: Annotated[
        bool | None,
        _bool(
            "Accord entre le tuteur d'origine et la famille d'accueil",
            "Agreement between original caregiver and foster family",
        ),
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
    treated_equally_in_foster_family: Annotated[
        bool | None,
        _bool(
            "Traité au même niveau que les autres enfants de la famille",
            "Treated equally with the family's other children",
        ),
    ] = None
    feels_safe: Annotated[
        bool | None, _bool("Se sent en sécurité dans sa famille d'accueil", "Feels safe")
    ] = None
    exploited_by_foster_family: Annotated[
        bool | None, _bool("Exploité par la famille d'accueil", "Exploited by the foster family")
    ] = None
    foster_family_can_continue: Annotated[
        bool | None,
        _bool(
            "La famille d'accueil peut continuer à s'en occuper",
            "Foster family can continue to care",
            "False: the foster family can no longer care for the child.",
        ),
    ] = None
    self_reliant: Annotated[
        bool | None,
        _bool(
            "Se débrouille seul",
            "Self-reliant",
            "Unaccompanied child over 15 managing alone.",
        ),
    ] = None
    has_mentor: Annotated[
        bool | None, _bool("Sous la supervision d'un mentor", "Has a mentor")
    ] = None
    exposed_to_risks: Annotated[bool | None, _bool("Exposé à des risques", "Exposed to risks")] = (
        None
    )
    needs_family_tracing: Annotated[
        bool | None,
        _bool(
            "Nécessite une recherche familiale",
            "Needs family tracing",
            "Involuntary separation requiring tracing brings the child into CM.",
        ),
    ] = None
    child_wishes_tracing: Annotated[
        bool | None,
        field(
            "L'enfant souhaite la recherche de sa famille",
            "Child wishes family tracing",
            source=f"{_SOP} §3.4.1 L456 (intérêt supérieur); CPIMS+ child_wishes",
        ),
    ] = None
    persons_travelled_with: Annotated[
        Text | None,
        field(
            "Personnes avec qui l'enfant a voyagé",
            "People the child travelled with",
            source=_CPIMS_TRACING,
        ),
    ] = None
    family_members: Annotated[
        tuple[FamilyMember, ...],
        field(
            "Membres de la famille (dernière localisation connue)",
            "Family members (last known location)",
            source="CPIMS+ family_details",
            cpims="family_details_section",
        ),
    ] = ()

    _not_future = field_validator("separation_date")(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        if self.separation_status is SeparationStatus.NOT_SEPARATED:
            raise rule_violation(
                type(self).__name__,
                [("separation_status", "form 1.D is for unaccompanied or separated children")],
            )
        return self


class MissingChildForm(FormBase):
    """1.E Missing child location (*Localisation enfant disparu*), SOP §6.1.2 L1153.

    A family's request to trace a missing child. Seed silent on fields: modelled after the
    CPIMS+ ``tracing_request`` record (inquirer, child's description, separation and last
    sighting, tracing status).

    Rules: the child is described (a name, nickname or physical description); dates are not
    in the future; the last sighting does not precede the separation.
    """

    form_code: ClassVar[str] = "1.E"
    step: ClassVar[Step] = Step.IDENTIFICATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Localisation enfant disparu"
    name_en: ClassVar[str] = "Missing child location"

    inquiry_date: Annotated[
        dt.date,
        field("Date de la demande", "Inquiry date", source=_CPIMS_REQUEST, cpims="inquiry_date"),
    ]
    inquirer_name: Annotated[
        ShortText | None,
        field(
            "Nom du demandeur",
            "Inquirer's name",
            source=_CPIMS_REQUEST,
            cpims="relation_name",
        ),
    ] = None
    inquirer_relation: Annotated[
        ShortText,
        field(
            "Lien du demandeur avec l'enfant",
            "Inquirer's relationship to the child",
            source=_CPIMS_REQUEST,
            cpims="relation",
        ),
    ]
    inquirer_telephone: Annotated[
        ShortText | None,
        field(
            "Téléphone du demandeur",
            "Inquirer's telephone",
            source=_CPIMS_REQUEST,
            cpims="relation_telephone",
        ),
    ] = None
    inquirer_region: Annotated[
        Region | None,
        field("Région du demandeur", "Inquirer's region", source=f"{_SOP} L83"),
    ] = None
    inquirer_location: Annotated[
        ShortText | None,
        field(
            "Adresse / localité du demandeur",
            "Inquirer's address / locality",
            source=_CPIMS_REQUEST,
            cpims="location_current",
        ),
    ] = None
    name_first: Annotated[ShortText | None, _name_first()] = None
    name_last: Annotated[ShortText | None, _name_last()] = None
    name_nickname: Annotated[ShortText | None, _name_nickname()] = None
    sex: Annotated[Sex | None, field("Sexe", "Sex", source=_CPIMS_REQUEST, cpims="sex")] = None
    age: Annotated[
        int | None,
        Field(ge=0, le=30),
        field("Âge (années)", "Age (years)", source=_CPIMS_REQUEST, cpims="age"),
    ] = None
    date_of_birth: Annotated[
        dt.date | None,
        field(
            "Date de naissance",
            "Date of birth",
            source=_CPIMS_REQUEST,
            cpims="date_of_birth",
        ),
    ] = None
    physical_characteristics: Annotated[
        Text | None,
        field(
            "Signes distinctifs",
            "Physical characteristics",
            source=_CPIMS_REQUEST,
            cpims="physical_characteristics",
        ),
    ] = None
    date_of_separation: Annotated[
        dt.date | None,
        field(
            "Date de la séparation",
            "Separation date",
            source=_CPIMS_REQUEST,
            cpims="date_of_separation",
        ),
    ] = None
    location_separation: Annotated[
        ShortText | None,
        field(
            "Lieu de la séparation",
            "Place of separation",
            source=_CPIMS_REQUEST,
            cpims="location_separation",
        ),
    ] = None
    separation_reason: Annotated[
        SeparationReason | None,
        field(
            "Cause de la séparation",
            "Cause of separation",
            source=f"{_SOP} §5.1.2 L938",
            cpims="separation_cause",
        ),
    ] = None
    date_last_seen: Annotated[
        dt.date | None,
        field("Vu pour la dernière fois le", "Date last seen", source=_CPIMS_REQUEST),
    ] = None
    location_last_seen: Annotated[
        ShortText | None,
        field(
            "Lieu où l'enfant a été vu pour la dernière fois",
            "Place last seen",
            source=_CPIMS_REQUEST,
        ),
    ] = None
    tracing_status: Annotated[
        TracingStatus,
        field(
            "Statut de la recherche",
            "Tracing status",
            source="CPIMS+ lookup-tracing-status",
            cpims="tracing_status",
        ),
    ] = TracingStatus.OPEN

    _not_future = field_validator(
        "inquiry_date", "date_of_birth", "date_of_separation", "date_last_seen"
    )(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if not (
            self.name_first
            or self.name_last
            or self.name_nickname
            or self.physical_characteristics
        ):
            problems.append(
                ("physical_characteristics", "describe the child: a name, nickname or features")
            )
        if (
            self.date_last_seen is not None
            and self.date_of_separation is not None
            and self.date_last_seen < self.date_of_separation
        ):
            problems.append(("date_last_seen", "last seen before the separation"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class TracingAction(FormRow):
    """One tracing action (CPIMS+ ``tracing_actions_section`` row)."""

    date_tracing: Annotated[
        dt.date,
        field("Date", "Date", source=_CPIMS_TRACING, cpims="date_tracing"),
    ]
    tracing_type: Annotated[
        ShortText | None,
        field(
            "Type de recherche",
            "Tracing type",
            "E.g. case-by-case, photo tracing, radio message, RFL network (CICR).",
            source=f"{_SOP} §3.4.1 L456–L460; {_CPIMS_TRACING}",
            cpims="tracing_type",
        ),
    ] = None
    location_tracing: Annotated[
        ShortText | None,
        field("Lieu", "Place", source=_CPIMS_TRACING, cpims="location_tracing"),
    ] = None
    tracing_action_description: Annotated[
        Text | None,
        field(
            "Action menée",
            "Action taken",
            source=_CPIMS_TRACING,
            cpims="tracing_action_description",
        ),
    ] = None
    tracing_outcome: Annotated[
        Text | None,
        field("Résultat", "Outcome", source=_CPIMS_TRACING, cpims="tracing_outcome"),
    ] = None

    _not_future = field_validator("date_tracing")(check_not_future)


class ChildLocationForm(FormBase):
    """4.B Child location (*Localisation enfant*), SOP §6.1.2 L1158.

    Records the tracing actions and their result. Seed silent on fields: modelled after CPIMS+
    ``tracing`` (``tracing_actions_section``) and ``lookup-tracing-status``.

    Rules: at least one tracing action; a located person needs the date located, not before
    the first action; verified or reunified status needs someone located.
    """

    form_code: ClassVar[str] = "4.B"
    step: ClassVar[Step] = Step.IMPLEMENTATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Localisation enfant"
    name_en: ClassVar[str] = "Child location"

    tracing_request_ref: Annotated[
        ShortText | None,
        field(
            "Référence de la demande de recherche (1.E)",
            "Tracing request reference (1.E)",
            "Entry identifier of the 1.E form, or an external reference (e.g. CICR).",
            source=f"{_SOP} §6.1.2 L1153",
        ),
    ] = None
    tracing_actions: Annotated[
        tuple[TracingAction, ...],
        Field(min_length=1),
        field(
            "Actions de recherche",
            "Tracing actions",
            source=_CPIMS_TRACING,
            cpims="tracing_actions_section",
        ),
    ]
    located: Annotated[
        bool,
        field(
            "Famille / enfant localisé(e)",
            "Family / child located",
            source=_CPIMS_TRACING,
        ),
    ]
    date_located: Annotated[
        dt.date | None,
        field("Date de localisation", "Date located", source=_CPIMS_TRACING),
    ] = None
    region_found: Annotated[
        Region | None,
        field("Région", "Region", source=f"{_SOP} L83"),
    ] = None
    location_found: Annotated[
        ShortText | None,
        field("Lieu", "Place", source=_CPIMS_TRACING),
    ] = None
    person_found_relation: Annotated[
        ShortText | None,
        field(
            "Personne localisée (lien avec l'enfant)",
            "Person located (relationship to the child)",
            source=_CPIMS_TRACING,
        ),
    ] = None
    tracing_status: Annotated[
        TracingStatus,
        field(
            "Statut de la recherche",
            "Tracing status",
            source="CPIMS+ lookup-tracing-status",
            cpims="tracing_status",
        ),
    ] = TracingStatus.TRACING_IN_PROGRESS

    _not_future = field_validator("date_located")(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.located and self.date_located is None:
            problems.append(("date_located", "give the date the person was located"))
        if self.date_located is not None:
            if not self.located:
                problems.append(("located", "a date located is given but nobody was located"))
            elif self.date_located < min(a.date_tracing for a in self.tracing_actions):
                problems.append(("date_located", "located before any tracing action"))
        if not self.located and self.tracing_status in (
            TracingStatus.VERIFIED,
            TracingStatus.REUNIFIED,
        ):
            problems.append(("tracing_status", "verified or reunified needs someone located"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class AdultVerificationForm(FormBase):
    """4.C Adult verification (*Vérification adulte*), SOP §6.1.2 L1159.

    Interview of the adult who claims a relationship with the child, before reunification.
    Seed silent on fields: modelled after the CPIMS+ ``verification`` form (claimed
    relationship, details given about the child, documents, willingness and capacity to care,
    outcome).

    Rules: the date is not in the future; a relationship cannot be confirmed when the adult's
    account contradicts the child's.
    """

    form_code: ClassVar[str] = "4.C"
    step: ClassVar[Step] = Step.IMPLEMENTATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Vérification adulte"
    name_en: ClassVar[str] = "Adult verification"

    verification_date: Annotated[
        dt.date,
        field("Date de la vérification", "Verification date", source=_CPIMS_VERIF),
    ]
    adult_name: Annotated[
        ShortText | None,
        field(
            "Nom de l'adulte",
            "Adult's name",
            source=_CPIMS_VERIF,
            cpims="relation_name",
        ),
    ] = None
    adult_relation_claimed: Annotated[
        ShortText,
        field(
            "Lien déclaré avec l'enfant",
            "Claimed relationship to the child",
            source=_CPIMS_VERIF,
            cpims="relation",
        ),
    ]
    adult_telephone: Annotated[
        ShortText | None,
        field("Téléphone", "Telephone", source=_CPIMS_VERIF, cpims="relation_telephone"),
    ] = None
    adult_location: Annotated[
        ShortText | None,
        field("Adresse / localité", "Address / locality", source=_CPIMS_VERIF),
    ] = None
    details_given_about_child: Annotated[
        Text | None,
        field(
            "Informations données par l'adulte sur l'enfant",
            "Details the adult gave about the child",
            "Names, birth date, distinguishing marks, circumstances of separation.",
            source=_CPIMS_VERIF,
        ),
    ] = None
    details_match_child_account: Annotated[
        bool | None,
        field(
            "Concordance avec le récit de l'enfant",
            "Matches the child's account",
            source=_CPIMS_VERIF,
        ),
    ] = None
    documents_presented: Annotated[
        Text | None,
        field(
            "Documents présentés",
            "Documents presented",
            "Photos, birth certificate, family booklet...",
            source=_CPIMS_VERIF,
        ),
    ] = None
    willing_to_care: Annotated[
        bool | None,
        field("Disposé à prendre l'enfant en charge", "Willing to care", source=_CPIMS_VERIF),
    ] = None
    able_to_care: Annotated[
        bool | None,
        field("En capacité de prendre l'enfant en charge", "Able to care", source=_CPIMS_VERIF),
    ] = None
    household_protection_risks: Annotated[
        Text | None,
        field(
            "Risques de protection dans le foyer",
            "Protection risks in the household",
            "E.g. the alleged perpetrator lives there (SOP L875).",
            source=f"{_SOP} §5.1.1.1 L863–L875",
        ),
    ] = None
    outcome: Annotated[
        VerificationOutcome,
        field("Résultat de la vérification", "Verification outcome", source=_CPIMS_VERIF),
    ]
    comments: Annotated[
        Text | None,
        field("Commentaires", "Comments", source=_CPIMS_VERIF),
    ] = None

    _not_future = field_validator("verification_date")(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        if (
            self.outcome is VerificationOutcome.CONFIRMED
            and self.details_match_child_account is False
        ):
            raise rule_violation(
                type(self).__name__,
                [("outcome", "cannot confirm: the adult's account contradicts the child's")],
            )
        return self


class ChildVerificationForm(FormBase):
    """4.D Child verification (*Vérification enfant*), SOP §6.1.2 L1160.

    Interview of the child about the adult found, including the child's wishes. Seed silent on
    fields: modelled after CPIMS+ ``verification`` and ``child_wishes``; the child's opinion
    is required (participation, SOP §2 L291).

    Rules: the date is not in the future; a relationship cannot be confirmed when the child
    says they do not recognise the adult.
    """

    form_code: ClassVar[str] = "4.D"
    step: ClassVar[Step] = Step.IMPLEMENTATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Vérification enfant"
    name_en: ClassVar[str] = "Child verification"

    verification_date: Annotated[
        dt.date,
        field("Date de la vérification", "Verification date", source=_CPIMS_VERIF),
    ]
    adult_verification_ref: Annotated[
        ShortText | None,
        field(
            "Référence de la vérification adulte (4.C)",
            "Adult verification reference (4.C)",
            source=f"{_SOP} §6.1.2 L1159",
        ),
    ] = None
    child_recognises_adult: Annotated[
        bool | None,
        field(
            "L'enfant reconnaît l'adulte",
            "Child recognises the adult",
            source=_CPIMS_VERIF,
        ),
    ] = None
    child_account_matches_adult: Annotated[
        bool | None,
        field(
            "Concordance avec le récit de l'adulte",
            "Matches the adult's account",
            source=_CPIMS_VERIF,
        ),
    ] = None
    child_wishes_reunification: Annotated[
        bool | None,
        field(
            "L'enfant souhaite la réunification",
            "Child wishes reunification",
            source="CPIMS+ child_wishes [modelled]",
        ),
    ] = None
    child_opinion: Annotated[
        Text,
        field(
            "Avis de l'enfant",
            "Child's opinion",
            "The child's own words on the adult and on going back.",
            source=f"{_SOP} §2 L291",
        ),
    ]
    fears_or_concerns: Annotated[
        Text | None,
        field(
            "Craintes ou préoccupations exprimées",
            "Fears or concerns expressed",
            source=_CPIMS_VERIF,
        ),
    ] = None
    outcome: Annotated[
        VerificationOutcome,
        field("Résultat de la vérification", "Verification outcome", source=_CPIMS_VERIF),
    ]

    _not_future = field_validator("verification_date")(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        if self.outcome is VerificationOutcome.CONFIRMED and self.child_recognises_adult is False:
            raise rule_violation(
                type(self).__name__,
                [("outcome", "cannot confirm: the child does not recognise the adult")],
            )
        return self


class ReunificationForm(FormBase):
    """4.E Reunification (*Formulaire de réunification*), SOP §6.1.2 L1161.

    Seed silent on fields beyond the best-interests condition of tracing (L456): modelled after
    the CPIMS+ reunification details (date, with whom, where, care arrangement, follow-up).

    Rules: reunification follows a verified relationship (4.C/4.D); if the child does not agree,
    the best-interests rationale is required (SOP L982 by analogy, L456).
    """

    form_code: ClassVar[str] = "4.E"
    step: ClassVar[Step] = Step.IMPLEMENTATION
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Formulaire de réunification"
    name_en: ClassVar[str] = "Reunification"

    reunification_date: Annotated[
        dt.date,
        field(
            "Date de la réunification",
            "Reunification date",
            source=_CPIMS_TRACING,
            cpims="date_reunification",
        ),
    ]
    reunified_with_name: Annotated[
        ShortText | None,
        field(
            "Réunifié avec (nom)",
            "Reunified with (name)",
            source=_CPIMS_TRACING,
            cpims="name_reunified_adult",
        ),
    ] = None
    reunified_with_relation: Annotated[
        ShortText,
        field(
            "Lien avec l'enfant",
            "Relationship to the child",
            source=_CPIMS_TRACING,
            cpims="relationship_reunified_adult",
        ),
    ]
    region: Annotated[
        Region | None,
        field("Région", "Region", source=f"{_SOP} L83"),
    ] = None
    location_reunification: Annotated[
        ShortText | None,
        field(
            "Lieu de la réunification",
            "Place of reunification",
            source=_CPIMS_TRACING,
            cpims="location_reunification",
        ),
    ] = None
    adult_verification_ref: Annotated[
        ShortText | None,
        field(
            "Référence de la vérification adulte (4.C)",
            "Adult verification reference (4.C)",
            source=f"{_SOP} §6.1.2 L1159",
        ),
    ] = None
    child_verification_ref: Annotated[
        ShortText | None,
        field(
            "Référence de la vérification enfant (4.D)",
            "Child verification reference (4.D)",
            source=f"{_SOP} §6.1.2 L1160",
        ),
    ] = None
    relationship_verified: Annotated[
        bool,
        field(
            "Lien vérifié (4.C et 4.D)",
            "Relationship verified (4.C and 4.D)",
            source=f"{_SOP} §6.1.2 L1159–L1161",
            cpims="child_reunited_with_verified_adult",
        ),
    ]
    child_agrees: Annotated[
        bool,
        field(
            "L'enfant est d'accord",
            "Child agrees",
            source=f"{_SOP} §2 L291",
        ),
    ]
    best_interest_rationale: Annotated[
        Text | None,
        field(
            "Motifs au regard de l'intérêt supérieur",
            "Best-interests rationale",
            "Required when the child does not agree.",
            source=f"{_SOP} §3.4.1 L456; §5.2 L982",
        ),
    ] = None
    care_arrangement: Annotated[
        CareArrangement | None,
        field(
            "Prise en charge après réunification",
            "Care arrangement after reunification",
            source="CPIMS+ care_arrangements",
            cpims="care_arrangements_type",
        ),
    ] = None
    child_opinion: Annotated[
        Text | None,
        field("Avis de l'enfant", "Child's opinion", source=f"{_SOP} §2 L291"),
    ] = None
    family_opinion: Annotated[
        Text | None,
        field("Avis de la famille", "Family's opinion", source=f"{_SOP} §2 L291"),
    ] = None
    follow_up_plan: Annotated[
        Text | None,
        field(
            "Plan de suivi après réunification",
            "Post-reunification follow-up plan",
            source="CPIMS+ lookup-followup-type after_reunification",
        ),
    ] = None
    next_follow_up_date: Annotated[
        dt.date | None,
        field("Prochaine visite de suivi", "Next follow-up visit", source=f"{_SOP} §5.5"),
    ] = None

    _not_future = field_validator("reunification_date")(check_not_future)

    @property
    def tracing_status(self) -> TracingStatus:
        """CPIMS+ ``tracing_status`` after this form: reunified."""
        return TracingStatus.REUNIFIED

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if not self.relationship_verified:
            problems.append(
                ("relationship_verified", "reunify only after verifying the relationship")
            )
        if not self.child_agrees and self.best_interest_rationale is None:
            problems.append(
                ("best_interest_rationale", "the child does not agree: give the reasons")
            )
        if (
            self.next_follow_up_date is not None
            and self.next_follow_up_date < self.reunification_date
        ):
            problems.append(("next_follow_up_date", "follow-up before the reunification"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
