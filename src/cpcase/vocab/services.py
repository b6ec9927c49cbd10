"""Vocabularies for steps 3–6 and the any-step forms: plans, services, follow-up, referral, closure.

Sources: the Mali SOP 2020 (``seeds/mali-cp-case-management-sop-2020.txt``, cited as
``Mali SOP 2020 §x L###``), the CM Guidelines 101 course
(``seeds/cm-guidelines-101-course.txt``, cited as ``CM course L###``) and the CPIMS+
interagency configuration (option ids from ``primero-v2-api-notes.md`` §2.2–§2.3). The last tuple
item of each member is the CPIMS+ option id of the equivalent lookup value, or ``None`` where
CPIMS+ has no equivalent: a value that only roughly matches is left ``None`` rather than guessed.
"""

from __future__ import annotations

from cpcase.labels import LabelledEnum

__all__ = [
    "ActivityHorizon",
    "ActivityStatus",
    "ApprovalStatus",
    "ClosureReason",
    "CmInterventionLevel",
    "ConsentOverrideBasis",
    "ContractMode",
    "FamilyAlternativeSetting",
    "FollowUpContactType",
    "FollowUpType",
    "InterventionDuration",
    "MeetingType",
    "ObjectiveAchievement",
    "PlanObjective",
    "ReferralStatus",
    "ReferralType",
    "ReopeningReason",
    "ResponsibleRole",
    "ReviewInformationMethod",
    "ServiceCategory",
    "ServiceDeliveryMode",
    "ServiceSector",
    "StructureType",
    "TransferReason",
    "TransferStatus",
]

_SOP = "Mali SOP 2020"
_CM = "CM course"
_IA = "CPIMS+ interagency"


class ClosureReason(LabelledEnum):
    """Justified reasons for closing a file (SOP §5.6 L1106–L1112, plus inactivity L1102).

    The five SOP reasons come first. ``inactive_3_months`` records the SOP rule that files
    inactive for three consecutive months are closed officially (L1102). ``turned_18`` and
    ``opened_in_error`` come from the CM Guidelines course (L171, L919) and exist in CPIMS+
    ``closure_reason``. CPIMS+ ids: interagency ``closure_form.closure_reason``;
    ``transferred`` is the demo-seed id (the interagency list has no transfer reason).
    """

    PLAN_GOAL_ACHIEVED = (
        "plan_goal_achieved",
        "L'objectif du plan de prise en charge a été atteint, plus d'inquiétude pour sa protection",
        "The case-plan goal has been met and there are no more protection concerns",
        f"{_SOP} §5.6 L1108",
        "overall_goal_of_the_case_plan",
    )
    TRANSFERRED = (
        "transferred",
        "Transfert du cas à une autre organisation (déménagement, placement durable)",
        "Case transferred to another organisation (move, durable placement)",
        f"{_SOP} §5.6 L1109",
        "transferred",
    )
    CHILD_FAMILY_DECLINED = (
        "child_family_declined",
        "L'enfant et sa famille ne souhaitent plus être accompagnés",
        "The child and family no longer want support",
        f"{_SOP} §5.6 L1110",
        None,
    )
    LOST_TO_FOLLOW_UP = (
        "lost_to_follow_up",
        "L'enfant est perdu de vue",
        "The child is lost to follow-up",
        f"{_SOP} §5.6 L1111",
        "child_no_longer_contactable",
    )
    DECEASED = (
        "deceased",
        "L'enfant est décédé",
        "The child has died",
        f"{_SOP} §5.6 L1112",
        "death_of_child",
    )
    INACTIVE_3_MONTHS = (
        "inactive_3_months",
        "Dossier inactif durant 3 mois consécutifs",
        "File inactive for 3 consecutive months",
        f"{_SOP} §5.6 L1102",
        None,
    )
    TURNED_18 = (
        "turned_18",
        "L'enfant a atteint 18 ans",
        "The child has turned 18",
        f"{_CM} L171",
        "child_has_turned_18_years_old",
    )
    OPENED_IN_ERROR = (
        "opened_in_error",
        "Aucun problème constaté ou dossier ouvert par erreur",
        "No problem found or case opened in error",
        f"{_CM} L919",
        "case_opened_in_error",
    )


class ServiceCategory(LabelledEnum):
    """The 11 service categories the regional service map covers (SOP §3.4.1 items 1–11).

    CPIMS+ ids are interagency ``lookup-service-type`` values where one value is equivalent;
    categories that span several CPIMS+ types (emergency care, psychosocial care, education
    and livelihoods...) have ``None``.
    """

    IDENTIFICATION = (
        "identification",
        "Identification des enfants en besoin de protection",
        "Identification of children in need of protection",
        f"{_SOP} §3.4.1 item 1 L412",
        None,
    )
    EMERGENCY_CARE = (
        "emergency_care",
        "Prise en charge d'urgence (santé, sécurité)",
        "Emergency care (health, safety)",
        f"{_SOP} §3.4.1 item 2 L420",
        None,
    )
    PSYCHOSOCIAL = (
        "psychosocial",
        "Prise en charge psychosociale, psychologique et psychiatrique",
        "Psychosocial, psychological and psychiatric care",
        f"{_SOP} §3.4.1 item 3 L426",
        None,
    )
    LEGAL = (
        "legal",
        "Assistance légale et juridique",
        "Legal and judicial assistance",
        f"{_SOP} §3.4.1 item 4 L430",
        "legal_support",
    )
    PARENTAL_SUPPORT = (
        "parental_support",
        "Soutien parental (compétences parentales, appui économique)",
        "Parental support (parenting skills, economic support)",
        f"{_SOP} §3.4.1 item 5 L434",
        None,
    )
    CIVIL_REGISTRATION = (
        "civil_registration",
        "Accès à l'état civil",
        "Access to civil registration",
        f"{_SOP} §3.4.1 item 6 L438",
        "documentation",
    )
    EDUCATION_TRAINING_LIVELIHOODS = (
        "education_training_livelihoods",
        "Accès à l'éducation, la formation professionnelle, aux moyens d'existence",
        "Access to education, vocational training and livelihoods",
        f"{_SOP} §3.4.1 item 7 L444",
        None,
    )
    LEISURE_CULTURE_SPORT = (
        "leisure_culture_sport",
        "Accès aux loisirs, culture, sport",
        "Access to leisure, culture and sport",
        f"{_SOP} §3.4.1 item 8 L448",
        None,
    )
    HEALTH_CARE = (
        "health_care",
        "Accès aux soins (santé de la reproduction, maladies chroniques)",
        "Access to health care (reproductive health, chronic diseases)",
        f"{_SOP} §3.4.1 item 9 L452",
        "medical",
    )
    FAMILY_TRACING = (
        "family_tracing",
        "Rétablissement des liens familiaux (RLF)",
        "Restoring family links / family tracing",
        f"{_SOP} §3.4.1 item 10 L456",
        "family_tracing_and_reunification",
    )
    FAMILY_ALTERNATIVES = (
        "family_alternatives",
        "Alternatives familiales",
        "Family alternatives (alternative care)",
        f"{_SOP} §3.4.1 item 11 L462",
        "alternative_care",
    )


class ServiceSector(LabelledEnum):
    """The 8 sector groupings of the service-provider template (SOP §3.4.1 L480–L512)."""

    CHILD_PROTECTION = (
        "child_protection",
        "Protection de l'enfance",
        "Child protection",
        f"{_SOP} §3.4.1 template L480",
    )
    JUDICIAL_PROTECTION = (
        "judicial_protection",
        "Protection judiciaire",
        "Judicial protection",
        f"{_SOP} §3.4.1 template L485",
    )
    HEALTH = ("health", "Santé", "Health", f"{_SOP} §3.4.1 template L491")
    GBV_SURVIVOR_SERVICES = (
        "gbv_survivor_services",
        "Services aux survivantes de VBG",
        "Services for GBV survivors",
        f"{_SOP} §3.4.1 template L497",
    )
    CIVIL_REGISTRATION = (
        "civil_registration",
        "État civil, enregistrement des enfants à besoins spécifiques",
        "Civil registration, registration of children with specific needs",
        f"{_SOP} §3.4.1 template L500",
    )
    FAMILY_ALTERNATIVES = (
        "family_alternatives",
        "Alternatives familiales (hébergement provisoire, placement)",
        "Family alternatives (temporary shelter, placement)",
        f"{_SOP} §3.4.1 template L506",
    )
    FOOD_SECURITY_LIVELIHOODS = (
        "food_security_livelihoods",
        "Assistance alimentaire, sécurité alimentaire et moyens d'existence",
        "Food assistance, food security and livelihoods",
        f"{_SOP} §3.4.1 template L509",
    )
    EDUCATION_TRAINING = (
        "education_training",
        "Éducation (formelle et non formelle), apprentissage, formation professionnelle, AGR",
        "Education (formal and non-formal), apprenticeship, vocational training, IGA",
        f"{_SOP} §3.4.1 template L512",
    )


class StructureType(LabelledEnum):
    """Type of structure ticked on the service-provider template (SOP §3.4.1 L483–L505)."""

    PUBLIC = ("public", "Service public", "Public service", f"{_SOP} §3.4.1 template L483")
    OSC = (
        "osc",
        "Organisation de la société civile (OSC)",
        "Civil-society organisation (CSO)",
        f"{_SOP} §3.4.1 template L483",
    )
    OBC = (
        "obc",
        "Organisation à base communautaire (OBC)",
        "Community-based organisation (CBO)",
        f"{_SOP} §3.4.1 template L483",
    )
    ANU = (
        "anu",
        "Agence des Nations unies (ANU)",
        "United Nations agency",
        f"{_SOP} §3.4.1 template L505",
    )


class PlanObjective(LabelledEnum):
    """General objective of an individual action plan (SOP §5.3 a) L1011)."""

    REINSERTION = (
        "reinsertion",
        "Réinsertion de l'enfant",
        "Reinsertion of the child",
        f"{_SOP} §5.3 a) L1011",
    )
    REHABILITATION_PHYSICAL = (
        "rehabilitation_physical",
        "Réhabilitation physique",
        "Physical rehabilitation",
        f"{_SOP} §5.3 a) L1011",
    )
    REHABILITATION_PSYCHOLOGICAL = (
        "rehabilitation_psychological",
        "Réhabilitation psychologique",
        "Psychological rehabilitation",
        f"{_SOP} §5.3 a) L1011",
    )
    REHABILITATION_LEGAL = (
        "rehabilitation_legal",
        "Réhabilitation juridique",
        "Legal rehabilitation",
        f"{_SOP} §5.3 a) L1011",
    )
    OTHER = ("other", "Autre objectif général", "Other general objective", "requirements §4.5")


class ActivityHorizon(LabelledEnum):
    """When a plan activity is meant to happen (SOP §5.3 b) L1019; CM course L962 adds immediate)."""

    IMMEDIATE = ("immediate", "Immédiat", "Immediate", f"{_CM} L962")
    SHORT = ("short", "Court terme", "Short term", f"{_SOP} §5.3 b) L1019")
    MEDIUM = ("medium", "Moyen terme", "Medium term", f"{_SOP} §5.3 b) L1019")
    LONG = ("long", "Long terme", "Long term", f"{_SOP} §5.3 b) L1019")


class ResponsibleRole(LabelledEnum):
    """Who is responsible for a plan activity (SOP §5.3 c) L1042–L1044)."""

    CASEWORKER = (
        "caseworker",
        "Gestionnaire de cas",
        "Caseworker",
        f"{_SOP} §5.3 c) L1044",
    )
    SUPERVISOR = ("supervisor", "Superviseur", "Supervisor", f"{_SOP} §5.3 c) L1044")
    OTHER_CASEWORKER = (
        "other_caseworker",
        "Autre gestionnaire de cas",
        "Other caseworker",
        f"{_SOP} §5.3 c) L1044",
    )
    PROJECT_OFFICER = (
        "project_officer",
        "Chargé de projet",
        "Project officer",
        f"{_SOP} §5.3 c) L1044",
    )
    PARENT = ("parent", "Parent / tuteur", "Parent / guardian", f"{_SOP} §5.3 c) L1044")
    CHILD = ("child", "Enfant", "Child", f"{_SOP} §5.3 d) L1048")
    SERVICE_PROVIDER = (
        "service_provider",
        "Prestataire de services",
        "Service provider",
        f"{_SOP} §5.4 L1072",
    )
    OTHER = ("other", "Autre", "Other", "requirements §4.5 [INFERRED]")


class ContractMode(LabelledEnum):
    """How the plan was contracted with the child and family: "au moins orale" (SOP L1064)."""

    ORAL = ("oral", "Contractualisation orale", "Oral agreement", f"{_SOP} §5.3 f) L1064")
    WRITTEN = (
        "written",
        "Contractualisation écrite",
        "Written agreement",
        f"{_SOP} §5.3 f) L1064",
    )


class ActivityStatus(LabelledEnum):
    """Status of a plan activity (CPIMS+ ``cp_case_plan`` ``interventions_status``)."""

    PENDING = ("pending", "En attente", "Pending", f"{_IA} interventions_status", "pending")
    ONGOING = ("ongoing", "En cours", "Ongoing", f"{_IA} interventions_status", "ongoing")
    COMPLETED = ("completed", "Réalisée", "Completed", f"{_IA} interventions_status", "completed")
    CANCELLED = (
        "cancelled",
        "Annulée",
        "Cancelled",
        "requirements §4.9 plan_activities_status [INFERRED]",
        None,
    )


class ApprovalStatus(LabelledEnum):
    """Approval status of a plan, service or closure (CPIMS+ ``lookup-approval-status``)."""

    REQUESTED = (
        "requested",
        "Demandée",
        "Requested",
        f"{_IA} lookup-approval-status",
        "requested",
    )
    PENDING = ("pending", "En attente", "Pending", f"{_IA} lookup-approval-status", "pending")
    APPROVED = ("approved", "Approuvée", "Approved", f"{_IA} lookup-approval-status", "approved")
    REJECTED = ("rejected", "Rejetée", "Rejected", f"{_IA} lookup-approval-status", "rejected")


class ServiceDeliveryMode(LabelledEnum):
    """How a service reaches the child: directly or by referral (requirements §4.7).

    CPIMS+ ids: interagency ``lookup-service-referred``; ``direct`` is the demo-seed
    ``service_provided_by_your_agency``.
    """

    DIRECT = (
        "direct",
        "Service direct (par l'organisation du gestionnaire de cas)",
        "Direct service (by the caseworker's organisation)",
        f"{_CM} L985–L1018 (services directs)",
        "service_provided_by_your_agency",
    )
    INTERNAL_REFERRAL = (
        "internal_referral",
        "Référencement interne",
        "Internal referral",
        f"{_IA} lookup-service-referred",
        "internal_referral",
    )
    EXTERNAL_REFERRAL = (
        "external_referral",
        "Référencement externe",
        "External referral",
        f"{_SOP} §5.4 L1072",
        "external_referral",
    )


class FollowUpContactType(LabelledEnum):
    """How a follow-up contact happened (SOP L840–L846, L1094; CM course L1049–L1058).

    CPIMS+ ids: interagency ``followup_subform_section.followed_up_through``.
    """

    HOME_VISIT = (
        "home_visit",
        "Visite à domicile planifiée",
        "Scheduled home visit",
        f"{_SOP} §5.5 L1094",
        "scheduled_home_visit_child_family",
    )
    UNANNOUNCED_HOME_VISIT = (
        "unannounced_home_visit",
        "Visite à domicile non planifiée",
        "Unannounced home visit",
        f"{_CM} L1049–L1058",
        "ad_hoc_home_visit_child_family",
    )
    OFFICE_INTERVIEW = (
        "office_interview",
        "Entretien au bureau du gestionnaire de cas",
        "Interview at the caseworker's office",
        f"{_SOP} §5.5 L1094",
        "face_to_face_meeting_outside_of_home_child_family",
    )
    VISIT_AT_PLACEMENT = (
        "visit_at_placement",
        "Visite au lieu de placement (hébergement, famille d'accueil)",
        "Visit at the placement (shelter, foster family)",
        f"{_SOP} §5.1 L840",
        None,
    )
    VISIT_AT_LEARNING_PLACE = (
        "visit_at_learning_place",
        "Visite au lieu d'apprentissage (école, formation, artisan)",
        "Visit at the place of learning (school, training, craftsman)",
        f"{_SOP} §5.5 L1094",
        "face_to_face_meeting_service_provider_and_child_family",
    )
    PHONE_CALL = (
        "phone_call",
        "Appel téléphonique",
        "Phone call",
        f"{_CM} L1049–L1058",
        "phone_call",
    )
    MESSAGE = (
        "message",
        "Message (SMS, messagerie)",
        "Message (SMS, instant messaging)",
        f"{_IA} followed_up_through",
        "instant_message_sms_whatsapp",
    )
    ACCOMPANIMENT_TO_SERVICE = (
        "accompaniment_to_service",
        "Accompagnement vers un service",
        "Accompaniment to a service",
        f"{_SOP} §3.4.2.3 L597",
        None,
    )
    PROVIDER_MEETING = (
        "provider_meeting",
        "Rencontre avec le prestataire de services",
        "Meeting with the service provider",
        f"{_SOP} §5.5 L1082",
        "face_to_face_meeting_service_provider_only",
    )
    PROVIDER_CONFIRMATION = (
        "provider_confirmation",
        "Confirmation du prestataire que le service a été reçu",
        "Confirmation from the provider that the service was received",
        f"{_CM} L1049–L1058",
        None,
    )
    COMMUNITY_FOLLOW_UP = (
        "community_follow_up",
        "Suivi communautaire informel",
        "Informal community follow-up",
        f"{_CM} L1049–L1058",
        "community_based_group",
    )
    AUTHORITIES = (
        "authorities",
        "Par les autorités",
        "Through the authorities",
        f"{_IA} followed_up_through",
        "authorities",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} followed_up_through", "other")


class FollowUpType(LabelledEnum):
    """Purpose of a follow-up entry (CPIMS+ ``lookup-followup-type``; SOP L1078)."""

    PLAN_IMPLEMENTATION = (
        "plan_implementation",
        "Suivi de la mise en œuvre du plan",
        "Follow-up of plan implementation",
        f"{_SOP} §5.5 L1078",
        None,
    )
    AFTER_REUNIFICATION = (
        "after_reunification",
        "Suivi après réunification",
        "Follow-up after reunification",
        f"{_IA} lookup-followup-type",
        "after_reunification",
    )
    IN_CARE = (
        "in_care",
        "Suivi en prise en charge (placement)",
        "Follow-up in care",
        f"{_IA} lookup-followup-type",
        "in_care",
    )
    FOR_SERVICE = (
        "for_service",
        "Suivi d'un service",
        "Follow-up for a service",
        f"{_IA} lookup-followup-type",
        "for_service",
    )
    FOR_ASSESSMENT = (
        "for_assessment",
        "Suivi pour évaluation",
        "Follow-up for assessment",
        f"{_IA} lookup-followup-type (id spelled for_assesment)",
        "for_assesment",
    )
    CLIENT_REQUEST_REVIEW_DATA = (
        "client_request_review_data",
        "Demande de consultation de ses données",
        "Client request to review their data",
        f"{_IA} lookup-followup-type",
        "client_request_review_data",
    )
    CLIENT_REQUEST_COPY_DATA = (
        "client_request_copy_data",
        "Demande de copie de ses données",
        "Client request for a copy of their data",
        f"{_IA} lookup-followup-type",
        "client_request_copy_data",
    )
    POST_CLOSURE = (
        "post_closure",
        "Visite après clôture",
        "Post-closure visit",
        f"{_CM} L1107",
        None,
    )


class ReferralType(LabelledEnum):
    """Kind of referral (SOP §3.4.2: in-process referral vs emergency procedure)."""

    SERVICE = (
        "service",
        "Référencement vers un service",
        "Service referral",
        f"{_SOP} §3.4.2.3 L592",
    )
    EMERGENCY = (
        "emergency",
        "Référencement d'urgence",
        "Emergency referral",
        f"{_SOP} §3.4.2.2 L568; §5.1.1.1 L813",
    )


class ReferralStatus(LabelledEnum):
    """Lifecycle of a referral (requirements §7.2 [INFERRED] from SOP §3.4.2.3 L592–L601).

    CPIMS+ ids are Primero transition statuses (``in_progress accepted rejected done revoked``).
    """

    DRAFT = ("draft", "Brouillon", "Draft", "requirements §7.2 [INFERRED]", None)
    CONSENT_RECORDED = (
        "consent_recorded",
        "Consentement enregistré",
        "Consent recorded",
        f"{_SOP} §3.4.2.3 L594",
        None,
    )
    PROVIDER_CONFIRMED = (
        "provider_confirmed",
        "Disponibilité du prestataire confirmée",
        "Provider availability confirmed",
        f"{_SOP} §3.4.2.3 L595",
        None,
    )
    SENT = (
        "sent",
        "Référé (fiche transmise / enfant accompagné)",
        "Sent (sheet handed over / child accompanied)",
        f"{_SOP} §3.4.2.3 L597–L598",
        "in_progress",
    )
    RECEIVED = (
        "received",
        "Reçu (fiche signée et datée par la structure)",
        "Received (sheet signed and dated by the provider)",
        f"{_SOP} §5.1.2 L910",
        "accepted",
    )
    SERVICE_DELIVERED = (
        "service_delivered",
        "Service rendu (contre-référence reçue)",
        "Service delivered (counter-referral received)",
        f"{_SOP} §3.4.2 L558",
        "done",
    )
    CLOSED = (
        "closed",
        "Clôturé (contre-référence classée au dossier)",
        "Closed (counter-referral filed)",
        f"{_SOP} §3.4.2 L558",
        None,
    )
    DECLINED_BY_PROVIDER = (
        "declined_by_provider",
        "Refusé par le prestataire",
        "Declined by the provider",
        "requirements §7.2 [INFERRED]",
        "rejected",
    )
    CHILD_DID_NOT_ATTEND = (
        "child_did_not_attend",
        "L'enfant ne s'est pas présenté",
        "Child did not attend",
        "requirements §7.2 [INFERRED]",
        None,
    )
    CANCELLED = (
        "cancelled",
        "Annulé",
        "Cancelled",
        "requirements §7.2 [INFERRED]",
        "revoked",
    )


class TransferStatus(LabelledEnum):
    """Status of a file transfer (Primero transition statuses; SOP §3.4.2 L559–L564)."""

    REQUESTED = (
        "requested",
        "Demandé (en attente de réponse)",
        "Requested (awaiting response)",
        "Primero Transition status",
        "in_progress",
    )
    ACCEPTED = (
        "accepted",
        "Accepté par l'organisation d'accueil",
        "Accepted by the receiving organisation",
        "Primero Transition status",
        "accepted",
    )
    REJECTED = (
        "rejected",
        "Refusé par l'organisation d'accueil",
        "Rejected by the receiving organisation",
        "Primero Transition status",
        "rejected",
    )
    COMPLETED = (
        "completed",
        "Terminé (dossier repris par la nouvelle organisation)",
        "Completed (file taken over by the new organisation)",
        f"{_SOP} §3.4.2 L559",
        "done",
    )
    CANCELLED = ("cancelled", "Annulé", "Cancelled", "Primero Transition status", "revoked")


class TransferReason(LabelledEnum):
    """Why a file is transferred (SOP L559–L562, L1109; CPIMS+ conference transfer reasons)."""

    NEEDS_BEYOND_CAPACITY = (
        "needs_beyond_capacity",
        "Besoins spécifiques hors des capacités de l'organisation",
        "Specific needs beyond the organisation's capacity",
        f"{_SOP} §3.4.2 L559",
        "specialized_service",
    )
    MOVE = (
        "move",
        "Déménagement",
        "Move to another area",
        f"{_SOP} §5.6 L1109",
        "new_location",
    )
    DURABLE_PLACEMENT = (
        "durable_placement",
        "Placement durable dans une structure d'une autre région",
        "Durable placement in a structure in another region",
        f"{_SOP} §5.6 L1109",
        None,
    )
    ORGANISATIONAL = (
        "organisational",
        "Raisons organisationnelles (retrait du programme)",
        "Organisational reasons (programme exit)",
        f"{_CM} L602",
        "organisational_reasons",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} conference_case_transfer_reason", "other")


class MeetingType(LabelledEnum):
    """Kinds of case meeting (SOP §5.5 L1080–L1086, §5.3 e) L1058, §5.6 L1119; requirements §9.10).

    CPIMS+ ids: interagency ``conference_details_subform_section.conference_type``.
    """

    INTERNAL_CM_MEETING = (
        "internal_cm_meeting",
        "Réunion de gestion de cas en interne",
        "Internal case-management meeting",
        f"{_SOP} §5.5 L1082",
        None,
    )
    PROVIDER_MEETING = (
        "provider_meeting",
        "Réunion de gestion de cas avec les fournisseurs de services",
        "Case-management meeting with service providers",
        f"{_SOP} §5.5 L1083",
        None,
    )
    CASE_CONFERENCE = (
        "case_conference",
        "Conférence de cas",
        "Case conference",
        f"{_SOP} §5.5 L1084",
        "case_conference",
    )
    PLAN_VALIDATION = (
        "plan_validation",
        "Réunion de validation du plan",
        "Plan-validation meeting",
        f"{_SOP} §5.3 e) L1058–L1060",
        None,
    )
    CLOSURE_MEETING = (
        "closure_meeting",
        "Réunion de clôture du cas",
        "Case-closure meeting",
        f"{_SOP} §5.6 L1119",
        None,
    )
    REVIEW_MEETING = (
        "review_meeting",
        "Rencontre de revue du dossier",
        "Case-review meeting",
        f"{_SOP} §5.6 L1118; §5.5 L1098",
        "case_plan_review",
    )


class ReviewInformationMethod(LabelledEnum):
    """How information is collected for a case review (SOP §5.5 L1094)."""

    OFFICE_INTERVIEW = (
        "office_interview",
        "Entretien au bureau du gestionnaire de cas",
        "Interview at the caseworker's office",
        f"{_SOP} §5.5 L1094",
    )
    HOME_VISIT = (
        "home_visit",
        "Visite à domicile (entretien élargi à la famille)",
        "Home visit (interview with other family members)",
        f"{_SOP} §5.5 L1094",
    )
    FAMILY_OBSERVATION = (
        "family_observation",
        "Observation de l'enfant dans son environnement familial",
        "Observation of the child in the family environment",
        f"{_SOP} §5.5 L1094",
    )
    LEARNING_PLACE_OBSERVATION = (
        "learning_place_observation",
        "Visite au lieu d'apprentissage ou de placement",
        "Visit to the place of learning or placement",
        f"{_SOP} §5.5 L1094",
    )


class ObjectiveAchievement(LabelledEnum):
    """Whether a specific objective is met at review (SOP §5.5 L1076)."""

    ACHIEVED = ("achieved", "Atteint", "Achieved", f"{_SOP} §5.5 L1076")
    PARTIALLY_ACHIEVED = (
        "partially_achieved",
        "Partiellement atteint",
        "Partially achieved",
        f"{_SOP} §5.5 L1076",
    )
    NOT_ACHIEVED = ("not_achieved", "Non atteint", "Not achieved", f"{_SOP} §5.5 L1076")


class FamilyAlternativeSetting(LabelledEnum):
    """Setting of a family-alternative structure (SOP §3.4.1 item 11 L464)."""

    OPEN = ("open", "Milieu ouvert", "Open setting", f"{_SOP} §3.4.1 L464")
    CLOSED = ("closed", "Milieu fermé", "Closed setting", f"{_SOP} §3.4.1 L464")
    SEMI_CLOSED = (
        "semi_closed",
        "Milieu semi-fermé",
        "Semi-closed setting",
        f"{_SOP} §3.4.1 L464",
    )


class CmInterventionLevel(LabelledEnum):
    """How far an organisation carries case management (SOP §3.4.1 L408)."""

    IDENTIFICATION_ONLY = (
        "identification_only",
        "Identification seulement (puis référencement)",
        "Identification only (then referral)",
        f"{_SOP} §3.4.1 L408",
    )
    EMERGENCY_ONLY = (
        "emergency_only",
        "Prise en charge d'urgence seulement",
        "Emergency care only",
        f"{_SOP} §3.4.1 L408",
    )
    FULL_TO_REINSERTION = (
        "full_to_reinsertion",
        "Accompagnement jusqu'à la réinsertion sociale",
        "Support through to social reinsertion",
        f"{_SOP} §3.4.1 L408",
    )


class InterventionDuration(LabelledEnum):
    """Duration of a provider's intervention (template "durée d'intervention", SOP L479–L511)."""

    CONTINUOUS = ("continuous", "Continue", "Continuous", f"{_SOP} §3.4.1 template L481")
    UNLIMITED = ("unlimited", "Illimitée", "Unlimited", f"{_SOP} §3.4.1 template L495")
    LIMITED = (
        "limited",
        "Limitée (période précisée)",
        "Limited (period given)",
        f"{_SOP} §3.4.1 template L511",
    )


class ConsentOverrideBasis(LabelledEnum):
    """Legal basis recorded when a referral or transfer proceeds without consent.

    The SOP is silent on refusal (requirements §9.6); CPIMS+ records ``consent_overridden``
    with a ``legitimate_basis`` (interagency ``lookup-legitimate-basis``), whose ids are used.
    """

    VITAL_INTERESTS = (
        "vital_interests",
        "Intérêts vitaux de l'enfant (danger immédiat)",
        "Vital interests of the child (immediate danger)",
        f"{_IA} lookup-legitimate-basis",
        "vital_interests",
    )
    LEGAL_OBLIGATION = (
        "legal_obligation",
        "Obligation légale (signalement, réquisition)",
        "Legal obligation (mandatory report, requisition)",
        f"{_IA} lookup-legitimate-basis; {_SOP} §3.4.2.1 L537",
        "legal_obligation",
    )
    BEST_INTERESTS = (
        "best_interests",
        "Intérêt supérieur de l'enfant",
        "Best interests of the child",
        f"{_IA} lookup-legitimate-basis; {_CM} L1117",
        "beneficiary_interests",
    )
    OTHER = (
        "other",
        "Autre intérêt légitime",
        "Other legitimate interest",
        f"{_IA} lookup-legitimate-basis",
        "other_legitimate_interests",
    )


class ReopeningReason(LabelledEnum):
    """Why a closed file is reopened (SOP §5.6 L1121 "à tout moment"; CM course L1109)."""

    NEW_INFORMATION = (
        "new_information",
        "Nouvelles informations sur la situation de l'enfant",
        "New information about the child's situation",
        f"{_CM} L1109",
    )
    SITUATION_CHANGED = (
        "situation_changed",
        "La situation de l'enfant a changé (nouveau risque)",
        "The child's situation has changed (new risk)",
        f"{_CM} L1109",
    )
    CHILD_FAMILY_REQUEST = (
        "child_family_request",
        "Demande de l'enfant ou de la famille",
        "Request from the child or family",
        f"{_SOP} §5.6 L1120",
    )
    CHILD_FOUND = (
        "child_found",
        "Enfant perdu de vue retrouvé",
        "Child lost to follow-up found again",
        f"{_SOP} §5.6 L1111 [INFERRED]",
    )
    TRANSFER_FAILED = (
        "transfer_failed",
        "Transfert non abouti (dossier renvoyé)",
        "Transfer did not go through (file returned)",
        f"{_SOP} §3.4.2 L564 [INFERRED]",
    )
    OTHER = ("other", "Autre", "Other", "requirements §4.15 [INFERRED]")
