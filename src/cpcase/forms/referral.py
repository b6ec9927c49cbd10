"""Any-step forms A.1 referral and counter-referral, A.2 file transfer, A.3 community referral.

SOP §3.4.2 (L522–L601): referral entrusts a service to a third party and the caseworker keeps
the file; transfer hands the file over definitively, only to an organisation with a trained
case-management team (L559–L564).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import StringConstraints, ValidationInfo, field_validator, model_validator

from cpcase.forms._base import (
    FormBase,
    FormRow,
    ShortText,
    Text,
    check_not_future,
    rule_violation,
)
from cpcase.labels import field
from cpcase.vocab.core import AgeStatus, FormClass, RiskLevel, Sex, Step
from cpcase.vocab.services import (
    ConsentOverrideBasis,
    ReferralStatus,
    ReferralType,
    ServiceCategory,
    TransferReason,
    TransferStatus,
)

__all__ = [
    "CommunityReferral",
    "CounterReferral",
    "FileTransfer",
    "FormCodeStr",
    "Phone",
    "Referral",
]

_SOP = "Mali SOP 2020"

Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ().-]{5,24}$"),
]
"""A telephone number: digits with optional leading +, spaces, dots, dashes, brackets."""

FormCodeStr = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^(?:[1-6]\.[A-E]|A\.[1-3]|B\.1|COVER|CHECKLIST|SP|BIA|BID)$",
    ),
]
"""A harmonised form code (SOP §6.1.2 L1147–L1175 plus the cpcase codes of the extra records)."""


def _consent_problems(
    *,
    consent_given: bool,
    overridden: bool,
    basis: ConsentOverrideBasis | None,
    justification: str | None,
    approved_by: str | None,
    consent_field: str,
) -> list[tuple[str, str]]:
    """Consent, or a recorded legal basis for overriding it with a justification and a
    supervisor's sign-off (CM course CS5: acting without consent is never the caseworker's
    decision alone)."""
    problems: list[tuple[str, str]] = []
    if not consent_given and not overridden:
        problems.append(
            (consent_field, "consent is required, or record a legal basis for overriding it")
        )
    if overridden:
        if basis is None:
            problems.append(("consent_override_basis", "required when consent is overridden"))
        if justification is None:
            problems.append(
                ("consent_override_justification", "required when consent is overridden")
            )
        if approved_by is None:
            problems.append(
                (
                    "consent_override_approved_by",
                    "a supervisor signs off an override of consent (CM course CS5)",
                )
            )
    return problems


class CounterReferral(FormRow):
    """The counter-referral part, filled by the provider and returned to the caseworker (L558).

    It confirms that the child actually received the service (L598); a service date and a
    description of the service are therefore mandatory.
    """

    service_provided: Annotated[
        Text,
        field(
            "Service rendu",
            "Service provided",
            "Service actually delivered to the child.",
            source=f"{_SOP} §3.4.2 L558",
            cpims="note_on_referral_from_provider",
        ),
    ]
    service_date: Annotated[
        dt.date,
        field(
            "Date du service",
            "Service date",
            "Date the child received the service.",
            source=f"{_SOP} §3.4.2.3 L598",
            cpims="service_implemented_day_time",
        ),
    ]
    progress_feedback: Annotated[
        Text | None,
        field(
            "Retour sur l'évolution",
            "Progress feedback",
            "Feedback on the child's progress (regular feedback for long services).",
            source=f"{_SOP} §3.4.2 L558",
        ),
    ] = None
    next_appointments: Annotated[
        tuple[dt.date, ...],
        field(
            "Prochains rendez-vous",
            "Next appointments",
            "Next appointments the provider gives the caseworker.",
            source=f"{_SOP} §5.1.1.1 L833",
        ),
    ] = ()
    provider_role: Annotated[
        ShortText | None,
        field(
            "Prestataire (fonction)",
            "Provider (function)",
            "Function of the person who filled the counter-referral (doctor, psychologist...).",
            source=f"{_SOP} §5.1.1.2 L857",
        ),
    ] = None
    provider_signed: Annotated[
        bool,
        field(
            "Signée par le prestataire",
            "Signed by the provider",
            "The provider fills and signs the counter-referral.",
            source=f"{_SOP} §5.1.1.2 L857",
        ),
    ]
    filed_in_child_file: Annotated[
        bool,
        field(
            "Classée dans le dossier de l'enfant",
            "Filed in the child's file",
            "The counter-referral is filed in the child's file.",
            source=f"{_SOP} §3.4.2 L558; §5.1.1.1 L847",
        ),
    ] = False

    @field_validator("service_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)


class Referral(FormBase):
    """A.1 Referral and counter-referral (*Formulaire de référence et contre-référence*).

    Seed-mentioned (SOP §3.4.2.3 L592–L601, L558, L910): consent of the child and legal
    representative (form or recorded verbal consent); provider availability confirmed and focal
    point present; child accompanied; referral sheet filled and signed and dated by the
    receiving structure; only necessary information shared, with extra confidentiality
    measures; follow-up plan with the provider; the provider holds the caseworker's phone and
    one family member's contact; the counter-referral (service provided, date, progress,
    provider's signature) is filed in the child's file. Consent fields use the CPIMS+ CP names
    (``consent_for_services``, ``disclosure_other_orgs``, ``consent_overridden``).

    Rules: consent (``consent_for_services`` and ``disclosure_other_orgs``, as Primero checks
    for CP referrals) or ``consent_overridden`` with a legal basis and a justification; the
    caseworker's phone and one family contact are required; receipt signed ⇔ dated, not before
    the referral; a counter-referral needs the receipt signed and dated and a service date not
    before the referral; the status cannot run ahead of the evidence (received ⇒ signed,
    delivered/closed ⇒ counter-referral).
    """

    form_code: ClassVar[str] = "A.1"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.ANY_STEP
    name_fr: ClassVar[str] = "Formulaire de référence et contre-référence"
    name_en: ClassVar[str] = "Referral and counter-referral"

    referral_date: Annotated[
        dt.date,
        field(
            "Date de référence",
            "Referral date",
            "Date the referral sheet was filled.",
            source="requirements §4.12 [INFERRED]",
        ),
    ]
    referral_type: Annotated[
        ReferralType,
        field(
            "Type de référencement",
            "Referral type",
            "Service referral or emergency referral.",
            source=f"{_SOP} §3.4.2",
        ),
    ] = ReferralType.SERVICE
    referral_status: Annotated[
        ReferralStatus,
        field(
            "Statut du référencement",
            "Referral status",
            "Where the referral stands in its lifecycle.",
            source="requirements §7.2 [INFERRED]",
        ),
    ] = ReferralStatus.DRAFT
    risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque / urgence",
            "Risk level / urgency",
            "Risk level of the case at referral.",
            source=f"{_SOP} §4.3",
            cpims="risk_level",
        ),
    ] = None
    referring_caseworker_phone: Annotated[
        Phone,
        field(
            "Téléphone du gestionnaire de cas",
            "Caseworker's phone",
            "The provider must have the caseworker's phone contact.",
            source=f"{_SOP} §3.4.2.3 L601",
        ),
    ]
    family_contact_relationship: Annotated[
        ShortText,
        field(
            "Membre de la famille à contacter (lien)",
            "Family member to contact (relationship)",
            "Relationship to the child of the family contact (mother, uncle...), not a name.",
            source=f"{_SOP} §3.4.2.3 L601",
        ),
    ]
    family_contact_phone: Annotated[
        Phone,
        field(
            "Téléphone du membre de la famille",
            "Family member's phone",
            "At least one family member's contact must be given to the provider.",
            source=f"{_SOP} §3.4.2.3 L601",
        ),
    ]
    receiving_organisation: Annotated[
        ShortText,
        field(
            "Structure d'accueil",
            "Receiving organisation",
            "Organisation or service the child is referred to.",
            source=f"{_SOP} §3.4.2.3 L595",
            cpims="service_implementing_agency_external",
        ),
    ]
    receiving_provider_id: Annotated[
        ShortText | None,
        field(
            "Prestataire (carte des services)",
            "Provider (service map)",
            "``provider_id`` of the service-map record of the receiving structure.",
            source=f"{_SOP} §5.1.2 L905 (cartographie actualisée)",
        ),
    ] = None
    receiving_focal_point: Annotated[
        ShortText | None,
        field(
            "Point focal de la structure",
            "Receiving focal point",
            "Focal point or person in charge at the receiving structure (function).",
            source=f"{_SOP} §3.4.2.3 L596",
        ),
    ] = None
    receiving_contact_phone: Annotated[
        Phone | None,
        field(
            "Téléphone du point focal",
            "Focal point's phone",
            "Contact of the receiving focal point.",
            source=f"{_SOP} §5.1.2 L906",
        ),
    ] = None
    service_type: Annotated[
        ServiceCategory,
        field(
            "Service demandé",
            "Service requested",
            "Category of the service requested.",
            source=f"{_SOP} §3.4.1",
            cpims="service_type",
        ),
    ]
    service_referral_notes: Annotated[
        Text | None,
        field(
            "Motif du référencement",
            "Reason for referral",
            "Why the child is referred.",
            source="CPIMS+ interagency services_section",
            cpims="service_referral_notes",
        ),
    ] = None
    information_shared: Annotated[
        Text | None,
        field(
            "Informations partagées",
            "Information shared",
            "Only the information the provider needs for the service.",
            source=f"{_SOP} §3.4.2.3 L599",
        ),
    ] = None
    confidentiality_measures: Annotated[
        Text | None,
        field(
            "Mesures de confidentialité supplémentaires",
            "Extra confidentiality measures",
            "Additional measures depending on the sensitivity of the information.",
            source=f"{_SOP} §3.4.2.3 L599",
        ),
    ] = None
    consent_for_services: Annotated[
        bool,
        field(
            "Accord pour le référencement (enfant et représentant légal)",
            "Consent to the referral (child and legal representative)",
            "Agreement or consent of the child and legal representative to the service.",
            source=f"{_SOP} §3.4.2.3 L594",
            cpims="consent_for_services",
        ),
    ]
    disclosure_other_orgs: Annotated[
        bool,
        field(
            "Accord pour le partage d'information avec la structure",
            "Consent to share information with the organisation",
            "Consent to share the necessary information with the receiving organisation.",
            source=f"{_SOP} §5.1.2 L900",
            cpims="disclosure_other_orgs",
        ),
    ]
    consent_verbal: Annotated[
        bool | None,
        field(
            "Consentement verbal enregistré",
            "Verbal consent recorded",
            "True when consent was verbal and recorded rather than written on the form.",
            source=f"{_SOP} §3.4.2.3 L594",
        ),
    ] = None
    consent_form_ref: Annotated[
        ShortText | None,
        field(
            "Formulaire de consentement (1.A)",
            "Consent form (1.A)",
            "``entry_id`` of the 1.A consent form.",
            source=f"{_SOP} §3.4.2.3 L594",
        ),
    ] = None
    consent_overridden: Annotated[
        bool,
        field(
            "Consentement outrepassé",
            "Consent overridden",
            "Referral made without consent on a recorded legal basis.",
            source="Primero Transition consent_overridden",
            cpims="consent_overridden",
        ),
    ] = False
    consent_override_basis: Annotated[
        ConsentOverrideBasis | None,
        field(
            "Base légale",
            "Legal basis",
            "Legal basis for proceeding without consent.",
            source="CPIMS+ interagency lookup-legitimate-basis",
            cpims="legitimate_basis",
        ),
    ] = None
    consent_override_justification: Annotated[
        Text | None,
        field(
            "Justification",
            "Justification",
            "Why consent could not be obtained or was overridden.",
            source="CM course L222–L226",
        ),
    ] = None
    consent_override_approved_by: Annotated[
        ShortText | None,
        field(
            "Dérogation approuvée par (superviseur)",
            "Override approved by (supervisor)",
            "Identifier of the supervisor who signed off acting without consent.",
            source="CM course CS5 (requirements §6.1)",
        ),
    ] = None
    availability_confirmed: Annotated[
        bool | None,
        field(
            "Disponibilité du service confirmée",
            "Service availability confirmed",
            "Each provider contacted to confirm the service is available.",
            source=f"{_SOP} §3.4.2.3 L595",
        ),
    ] = None
    focal_point_present_confirmed: Annotated[
        bool | None,
        field(
            "Présence du point focal vérifiée",
            "Focal point presence confirmed",
            "Checked before travelling with the child.",
            source=f"{_SOP} §3.4.2.3 L596",
        ),
    ] = None
    child_accompanied: Annotated[
        bool | None,
        field(
            "Enfant accompagné au premier contact",
            "Child accompanied to the first contact",
            "The child (and family) accompanied to the first contact.",
            source=f"{_SOP} §3.4.2.3 L597",
        ),
    ] = None
    follow_up_plan_with_provider: Annotated[
        Text | None,
        field(
            "Plan de suivi convenu avec le prestataire",
            "Follow-up plan agreed with the provider",
            "How the case is followed up at the provider's.",
            source=f"{_SOP} §3.4.2.3 L600",
        ),
    ] = None
    receiver_signed: Annotated[
        bool,
        field(
            "Fiche signée par la structure d'accueil",
            "Sheet signed by the receiving structure",
            "The referral sheet signed by the structure's focal point.",
            source=f"{_SOP} §5.1.2 L910",
        ),
    ] = False
    receiver_signed_date: Annotated[
        dt.date | None,
        field(
            "Date de signature par la structure",
            "Date signed by the receiving structure",
            "The referral sheet is signed and dated.",
            source=f"{_SOP} §5.1.2 L910",
        ),
    ] = None
    counter_referral: Annotated[
        CounterReferral | None,
        field(
            "Contre-référence",
            "Counter-referral",
            "Feedback from the provider confirming the service.",
            source=f"{_SOP} §3.4.2 L558",
        ),
    ] = None

    @field_validator("referral_date", "receiver_signed_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems = _consent_problems(
            consent_given=self.consent_for_services and self.disclosure_other_orgs,
            overridden=self.consent_overridden,
            basis=self.consent_override_basis,
            justification=self.consent_override_justification,
            approved_by=self.consent_override_approved_by,
            consent_field="consent_for_services",
        )
        if self.receiver_signed and self.receiver_signed_date is None:
            problems.append(("receiver_signed_date", "a signed referral sheet is dated"))
        if self.receiver_signed_date is not None:
            if not self.receiver_signed:
                problems.append(("receiver_signed", "a signature date is given but not signed"))
            if self.receiver_signed_date < self.referral_date:
                problems.append(("receiver_signed_date", "before the referral date"))
        cr = self.counter_referral
        if cr is not None:
            if not self.receiver_signed or self.receiver_signed_date is None:
                problems.append(
                    ("receiver_signed", "a counter-referral needs the signed, dated referral")
                )
            if cr.service_date < self.referral_date:
                problems.append(("counter_referral", "service date before the referral date"))
        status = self.referral_status
        if (
            status
            in (
                ReferralStatus.RECEIVED,
                ReferralStatus.SERVICE_DELIVERED,
                ReferralStatus.CLOSED,
            )
            and not self.receiver_signed
        ):
            problems.append(("receiver_signed", f"status {status.value!r} needs the signed sheet"))
        if status in (ReferralStatus.SERVICE_DELIVERED, ReferralStatus.CLOSED) and cr is None:
            problems.append(
                ("counter_referral", f"status {status.value!r} needs the counter-referral")
            )
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class FileTransfer(FormBase):
    """A.2 File transfer (*Formulaire de transfert de dossier*; SOP §3.4.2 L559–L564).

    Seed-mentioned: the file is handed over entirely and definitively; a new caseworker takes
    it (L559); only to a structure with a case-management team of trained staff, otherwise it
    is a referral (L564); informed agreement of the child/parents (L291); the sending case is
    closed with reason "transferred" (L1109). Other fields model CPIMS+ transfers
    (``transitioned_to_agency``, ``transitioned_to``, ``consent_overridden``,
    ``consent_individual_transfer``) and the CM course's handover plan (L1115–L1121).

    Rules: ``receiving_org_has_trained_cm_team`` must be true; consent to disclose to the
    receiving organisation (Primero's CP transfer check) or an override with legal basis and
    justification; an accepted or completed transfer has an acceptance date not before the
    transfer date.
    """

    form_code: ClassVar[str] = "A.2"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.ANY_STEP
    name_fr: ClassVar[str] = "Formulaire de transfert de dossier"
    name_en: ClassVar[str] = "File transfer"

    transfer_date: Annotated[
        dt.date,
        field(
            "Date du transfert",
            "Transfer date",
            "Date the transfer was requested.",
            source="requirements §4.13 [INFERRED]",
        ),
    ]
    transfer_status: Annotated[
        TransferStatus,
        field(
            "Statut du transfert",
            "Transfer status",
            "Requested, accepted, rejected, completed or cancelled.",
            source="Primero Transition status",
        ),
    ] = TransferStatus.REQUESTED
    transfer_reason: Annotated[
        TransferReason,
        field(
            "Motif du transfert",
            "Transfer reason",
            "Needs beyond capacity, move, durable placement in another region...",
            source=f"{_SOP} §3.4.2 L559; §5.6 L1109",
        ),
    ]
    transfer_reason_details: Annotated[
        Text | None,
        field(
            "Précisions sur le motif",
            "Reason details",
            "Why the transfer is necessary and better for the child.",
            source="CM course L1119",
        ),
    ] = None
    receiving_organisation: Annotated[
        ShortText,
        field(
            "Organisation d'accueil",
            "Receiving organisation",
            "Organisation that takes full responsibility for the file.",
            source=f"{_SOP} §3.4.2 L559",
            cpims="transitioned_to_agency",
        ),
    ]
    receiving_provider_id: Annotated[
        ShortText | None,
        field(
            "Organisation d'accueil (carte des services)",
            "Receiving organisation (service map)",
            "``provider_id`` of its service-map record, which records the trained CM team.",
            source=f"{_SOP} §3.4.1 L408",
        ),
    ] = None
    receiving_caseworker_id: Annotated[
        ShortText | None,
        field(
            "Nouveau gestionnaire de cas (identifiant)",
            "New caseworker (identifier)",
            "Caseworker of the receiving organisation who takes the case.",
            source=f"{_SOP} §3.4.2 L559",
            cpims="transitioned_to",
        ),
    ] = None
    receiving_org_has_trained_cm_team: Annotated[
        bool,
        field(
            "L'organisation d'accueil dispose d'une équipe de gestion de cas formée",
            "Receiving organisation has a trained case-management team",
            "Transfer is allowed only then; otherwise make a referral (A.1).",
            source=f"{_SOP} §3.4.2 L564",
        ),
    ]
    steps_completed: Annotated[
        tuple[Step, ...],
        field(
            "Étapes réalisées",
            "Steps completed",
            "Case-management steps already carried out by the sending organisation.",
            source=f"{_SOP} §3.4.2 L559",
        ),
    ] = ()
    forms_transferred: Annotated[
        tuple[FormCodeStr, ...],
        field(
            "Formulaires transmis",
            "Forms handed over",
            "Codes of the forms handed over with the file.",
            source="requirements §4.13 [INFERRED]",
        ),
    ] = ()
    handover_plan: Annotated[
        Text | None,
        field(
            "Plan de passation",
            "Handover plan",
            "Clear handover plan to the receiving organisation.",
            source="CM course L1115",
        ),
    ] = None
    explained_to_child_family: Annotated[
        bool | None,
        field(
            "Transfert expliqué à l'enfant et à la famille",
            "Transfer explained to the child and family",
            "A clear explanation is given to the child and family.",
            source="CM course L1115",
        ),
    ] = None
    child_accompanied_to_new_worker: Annotated[
        bool | None,
        field(
            "Enfant accompagné pour rencontrer le nouveau GC",
            "Child accompanied to meet the new caseworker",
            "Where possible the caseworker accompanies the child.",
            source="CM course L1115",
        ),
    ] = None
    disclosure_other_orgs: Annotated[
        bool,
        field(
            "Accord éclairé pour le transfert du dossier",
            "Informed consent to transfer the file",
            "Informed agreement of the child and/or parents to share the file.",
            source=f"{_SOP} §4.0 L291",
            cpims="disclosure_other_orgs",
        ),
    ]
    consent_form_ref: Annotated[
        ShortText | None,
        field(
            "Formulaire de consentement (1.A)",
            "Consent form (1.A)",
            "``entry_id`` of the 1.A consent form.",
            source=f"{_SOP} §4.0 L291",
        ),
    ] = None
    consent_overridden: Annotated[
        bool,
        field(
            "Transfert sans accord (justifié)",
            "Transfer without agreement (justified)",
            "Transfer against the child/family's will to protect the child.",
            source="CM course L1117",
            cpims="consent_overridden",
        ),
    ] = False
    consent_override_basis: Annotated[
        ConsentOverrideBasis | None,
        field(
            "Base légale",
            "Legal basis",
            "Legal basis for transferring without consent.",
            source="CPIMS+ interagency lookup-legitimate-basis",
            cpims="legitimate_basis",
        ),
    ] = None
    consent_override_justification: Annotated[
        Text | None,
        field(
            "Justification",
            "Justification",
            "Why the transfer proceeds without consent.",
            source="CM course L1117",
        ),
    ] = None
    consent_override_approved_by: Annotated[
        ShortText | None,
        field(
            "Dérogation approuvée par (superviseur)",
            "Override approved by (supervisor)",
            "Identifier of the supervisor who signed off acting without consent.",
            source="CM course CS5 (requirements §6.1)",
        ),
    ] = None
    accepted_date: Annotated[
        dt.date | None,
        field(
            "Date d'acceptation par l'organisation d'accueil",
            "Date accepted by the receiving organisation",
            "Date the receiving organisation accepted the file.",
            source="requirements §4.13 [INFERRED]",
        ),
    ] = None
    notes: Annotated[
        Text | None,
        field(
            "Notes",
            "Notes",
            "Notes sent with the transfer.",
            source="Primero Transition notes",
            cpims="notes",
        ),
    ] = None

    @field_validator("transfer_date", "accepted_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if not self.receiving_org_has_trained_cm_team:
            problems.append(
                (
                    "receiving_org_has_trained_cm_team",
                    "transfer only to an organisation with a trained case-management team; "
                    "otherwise refer (A.1)",
                )
            )
        problems += _consent_problems(
            consent_given=self.disclosure_other_orgs,
            overridden=self.consent_overridden,
            basis=self.consent_override_basis,
            justification=self.consent_override_justification,
            approved_by=self.consent_override_approved_by,
            consent_field="disclosure_other_orgs",
        )
        if (
            self.transfer_status in (TransferStatus.ACCEPTED, TransferStatus.COMPLETED)
            and self.accepted_date is None
        ):
            problems.append(("accepted_date", "required once the transfer is accepted"))
        if self.accepted_date is not None and self.accepted_date < self.transfer_date:
            problems.append(("accepted_date", "before the transfer date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class CommunityReferral(FormBase):
    """A.3 Case management and community referral (*Gestion des cas et référencement communautaire*).

    The seed names the form only. Context (SOP §3.1 L268–L276, §5.1.2 Scenario 3 L932): community
    actors (committees, relays, foster families) identify and refer children, follow up
    reinsertion, mediate and offer temporary shelter, and inform the State services by phone or
    in person. Fields model a minimal community referral slip [INFERRED, requirements §4.14]:
    no child name, only sex, age and the concern. Rules: age 0–17 unless presumed minor;
    informing the State service needs the service and the date.
    """

    form_code: ClassVar[str] = "A.3"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.ANY_STEP
    name_fr: ClassVar[str] = "Gestion des cas et référencement communautaire"
    name_en: ClassVar[str] = "Case management and community referral"

    report_date: Annotated[
        dt.date,
        field(
            "Date du signalement",
            "Report date",
            "Date the community actor identified or reported the child.",
            source=f"{_SOP} §5.1.2 L932",
        ),
    ]
    community_structure: Annotated[
        ShortText,
        field(
            "Structure communautaire",
            "Community structure",
            "Committee, community relay, foster family, association...",
            source=f"{_SOP} §3.1 L268",
        ),
    ]
    community_actor_role: Annotated[
        ShortText | None,
        field(
            "Fonction de l'acteur communautaire",
            "Community actor's role",
            "Role of the person who reports (relay, committee member...), not a name.",
            source=f"{_SOP} §3.1 L268",
        ),
    ] = None
    child_sex: Annotated[
        Sex | None,
        field("Sexe de l'enfant", "Child's sex", "Sex of the child.", cpims="sex"),
    ] = None
    child_age: Annotated[
        int | None,
        field(
            "Âge de l'enfant",
            "Child's age",
            "Age in years (0–17 unless presumed minor).",
            source=f"{_SOP} §3.4.2.1 L540",
            cpims="age",
            ge=0,
            le=25,
        ),
    ] = None
    age_status: Annotated[
        AgeStatus | None,
        field(
            "Statut de l'âge",
            "Age status",
            "Documented, estimated or presumed minor.",
            source=f"{_SOP} §3.4.2.1 L540",
        ),
    ] = None
    location: Annotated[
        ShortText | None,
        field(
            "Localité",
            "Location",
            "Village, quarter or commune where the child was identified.",
            source="requirements §4.0 common header [INFERRED]",
        ),
    ] = None
    concern_summary: Annotated[
        Text,
        field(
            "Préoccupation de protection",
            "Protection concern",
            "What the community actor observed.",
            source="requirements §4.14 [INFERRED]",
        ),
    ]
    child_made_safe: Annotated[
        bool | None,
        field(
            "Enfant mis en sécurité",
            "Child made safe",
            "Whether the child was made safe (temporary shelter, foster family).",
            source=f"{_SOP} §3.1 L268",
        ),
    ] = None
    action_taken: Annotated[
        Text | None,
        field(
            "Action menée",
            "Action taken",
            "What the community actor did (mediation, shelter, accompaniment).",
            source=f"{_SOP} §3.1 L268",
        ),
    ] = None
    state_service_informed: Annotated[
        bool,
        field(
            "Service de l'État informé",
            "State service informed",
            "Community actors inform the State services by phone or in person.",
            source=f"{_SOP} §5.1.2 L932",
        ),
    ]
    state_service: Annotated[
        ShortText | None,
        field(
            "Service de l'État concerné",
            "State service",
            "DRPFEF, SLPFEF, DRDS... that was informed.",
            source=f"{_SOP} §5.1.2 L932",
        ),
    ] = None
    state_informed_date: Annotated[
        dt.date | None,
        field(
            "Date d'information du service",
            "Date the State service was informed",
            "When the State service was informed.",
            source=f"{_SOP} §5.1.2 L932",
        ),
    ] = None
    feedback_received: Annotated[
        Text | None,
        field(
            "Retour reçu",
            "Feedback received",
            "Feedback from the State service or caseworker (not an obligation, L540).",
            source="requirements §4.14 [INFERRED]",
        ),
    ] = None
    community_follow_up: Annotated[
        Text | None,
        field(
            "Suivi communautaire",
            "Community follow-up",
            "Community follow-up of the child's reinsertion or placement.",
            source=f"{_SOP} §3.1 L276",
        ),
    ] = None

    @field_validator("report_date", "state_informed_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if (
            self.child_age is not None
            and self.child_age > 17
            and self.age_status is not AgeStatus.PRESUMED_MINOR
        ):
            problems.append(("child_age", "must be 0–17 unless the child is presumed minor"))
        if self.state_service_informed:
            if self.state_service is None:
                problems.append(("state_service", "required when the State was informed"))
            if self.state_informed_date is None:
                problems.append(("state_informed_date", "required when the State was informed"))
        if self.state_informed_date is not None and self.state_informed_date < self.report_date:
            problems.append(("state_informed_date", "before the report date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
