"""The register's columns: every field a register may hold, its labels and the header spellings
people actually use, in French and English (the same idea as pyxform's ``aliases.py``).

A header matches a field when its :func:`~._text.fold` form (no case, accents or punctuation)
equals one of the field's synonyms, either as written, without bracketed hints ("Sexe (M/F)"),
or without filler words ("Date de naissance de l'enfant"). Matching is exact on those forms,
never fuzzy, so that the mapping is predictable; ``cpcase mapping suggest`` proposes close
matches for the columns left over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

import attrs

from cpcase.adapters.excel._text import fold_header, strip_hints
from cpcase.labels import LabelledEnum
from cpcase.vocab import (
    AgeStatus,
    CareArrangement,
    CaseStatus,
    ConsentGiverRelationship,
    ConsentMode,
    ConsentRecipient,
    ConsentScope,
    DisplacementStatus,
    EligibilityOutcome,
    IdentificationSource,
    IdentifiedBy,
    ImmediateNeed,
    ProtectionConcern,
    ProtectionSituation,
    Region,
    RiskLevel,
    SeparationStatus,
    Sex,
    VulnerabilityCategory,
)

__all__ = [
    "FIELDS",
    "FIELDS_BY_KEY",
    "VALUE_SYNONYMS",
    "FieldGroup",
    "FieldKind",
    "RegisterField",
    "header_keys",
    "match_header",
]


class FieldKind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    NAME = "name"
    FULL_NAME = "full_name"
    PHONE = "phone"
    DATE = "date"
    AGE = "age"
    BOOL = "bool"
    ENUM = "enum"
    MULTI = "multi"
    CODE = "code"


class FieldGroup(StrEnum):
    """Which part of the case a column feeds (registration 1.B, consent 1.A...)."""

    CASE = "case"
    REGISTRATION = "registration"
    CONCERNS = "concerns"
    RISK = "risk"
    CONSENT = "consent"
    ASSIGNMENT = "assignment"


@attrs.frozen
class RegisterField:
    """One column a register may hold.

    ``key`` is the stable name used in mapping files; ``synonyms`` are header spellings
    (French and English) matched after folding; ``vocab`` is the vocabulary of an enum or
    multi-valued column; ``max_chars`` bounds text.
    """

    key: str
    label_fr: str
    label_en: str
    kind: FieldKind
    group: FieldGroup
    synonyms: tuple[str, ...] = ()
    vocab: type[LabelledEnum] | None = None
    help_fr: str = ""
    help_en: str = ""
    max_chars: int = 200

    def label(self, lang: str) -> str:
        """The column header in ``lang``."""
        return self.label_fr if lang == "fr" else self.label_en


def _f(
    key: str,
    label_fr: str,
    label_en: str,
    kind: FieldKind,
    group: FieldGroup,
    synonyms: Iterable[str] = (),
    vocab: type[LabelledEnum] | None = None,
    help_fr: str = "",
    help_en: str = "",
    max_chars: int = 200,
) -> RegisterField:
    return RegisterField(
        key=key,
        label_fr=label_fr,
        label_en=label_en,
        kind=kind,
        group=group,
        synonyms=tuple(synonyms),
        vocab=vocab,
        help_fr=help_fr,
        help_en=help_en,
        max_chars=max_chars,
    )


K = FieldKind
G = FieldGroup

#: Every register column cpcase understands, in template order.
FIELDS: tuple[RegisterField, ...] = (
    # -- case and assignment ------------------------------------------------------------------
    _f(
        "register_number",
        "N° d'enregistrement",
        "Register number",
        K.CODE,
        G.CASE,
        (
            "numero",
            "numero d ordre",
            "numero d enregistrement",
            "numero dossier",
            "numero de dossier",
            "numero du dossier",
            "numero registre",
            "numero du cas",
            "numero cas",
            "ref",
            "reference",
            "reference dossier",
            "register number",
            "registration number",
            "case number",
            "case no",
            "record number",
            "serial number",
            "ordre",
            "dossier",
        ),
        help_fr="Numéro du dossier dans le registre (sert de numéro de séquence du code).",
        help_en="The file's number in the register (used as the code's sequence number).",
    ),
    _f(
        "case_code",
        "Code du dossier",
        "Case code",
        K.CODE,
        G.CASE,
        (
            "code",
            "code dossier",
            "code du cas",
            "code cas",
            "code anonyme",
            "code anonymise",
            "identifiant",
            "identifiant anonyme",
            "id",
            "id dossier",
            "case id",
            "case code",
            "anonymised code",
            "anonymized code",
            "child code",
            "code enfant",
        ),
        help_fr="Code anonymisé, ex. ML-MOP-ORG-2024-00042 (laisser vide : il est généré).",
        help_en="Anonymised code, e.g. ML-MOP-ORG-2024-00042 (leave empty: it is generated).",
    ),
    _f(
        "case_status",
        "Statut du dossier",
        "Case status",
        K.ENUM,
        G.CASE,
        (
            "statut du dossier",
            "etat du dossier",
            "statut dossier",
            "etat dossier",
            "case status",
            "status of case",
            "dossier ouvert ferme",
        ),
        vocab=CaseStatus,
    ),
    _f(
        "caseworker",
        "Gestionnaire de cas",
        "Caseworker",
        K.TEXT,
        G.ASSIGNMENT,
        (
            "gestionnaire",
            "gestionnaire de cas",
            "gestionnaire du cas",
            "gestionnaire du dossier",
            "gc",
            "travailleur social",
            "travailleuse sociale",
            "agent",
            "agent en charge",
            "agent de protection",
            "assistant social",
            "assistante sociale",
            "responsable du cas",
            "responsable du dossier",
            "nom du gestionnaire",
            "charge du dossier",
            "caseworker",
            "case worker",
            "case manager",
            "social worker",
            "assigned to",
        ),
        help_fr="Identifiant (ou initiales) du gestionnaire responsable du dossier.",
        help_en="Identifier (or initials) of the caseworker responsible for the file.",
    ),
    _f(
        "supervisor",
        "Superviseur",
        "Supervisor",
        K.TEXT,
        G.ASSIGNMENT,
        (
            "superviseur",
            "superviseure",
            "supervision",
            "nom du superviseur",
            "supervisor",
            "case supervisor",
        ),
    ),
    _f(
        "organisation",
        "Organisation",
        "Organisation",
        K.TEXT,
        G.ASSIGNMENT,
        (
            "organisation",
            "organisme",
            "structure",
            "structure en charge",
            "ong",
            "agence",
            "service",
            "organisation en charge",
            "organization",
            "agency",
            "partner",
            "partenaire",
        ),
    ),
    # -- registration (1.B) ---------------------------------------------------------------------
    _f(
        "registration_date",
        "Date d'enregistrement",
        "Registration date",
        K.DATE,
        G.REGISTRATION,
        (
            "date",
            "date d enregistrement",
            "date enregistrement",
            "enregistre le",
            "date d ouverture",
            "date d ouverture du dossier",
            "date ouverture",
            "ouvert le",
            "date de l enregistrement",
            "registration date",
            "date of registration",
            "date registered",
            "registered on",
            "date opened",
            "opening date",
        ),
        help_fr="jj/mm/aaaa",
        help_en="dd/mm/yyyy",
    ),
    _f(
        "identification_date",
        "Date d'identification",
        "Identification date",
        K.DATE,
        G.REGISTRATION,
        (
            "date d identification",
            "date identification",
            "identifie le",
            "date de signalement",
            "date du signalement",
            "identification date",
            "date of identification",
            "date identified",
            "date reported",
        ),
        help_fr="jj/mm/aaaa (vide : date d'enregistrement)",
        help_en="dd/mm/yyyy (empty: registration date)",
    ),
    _f(
        "identification_source",
        "Source d'identification",
        "Identification source",
        K.ENUM,
        G.REGISTRATION,
        (
            "source d identification",
            "source identification",
            "mode d identification",
            "mode identification",
            "canal d identification",
            "source",
            "identification source",
            "source of identification",
            "how identified",
        ),
        vocab=IdentificationSource,
    ),
    _f(
        "identified_by",
        "Identifié par",
        "Identified by",
        K.ENUM,
        G.REGISTRATION,
        (
            "identifie par",
            "identifiee par",
            "acteur ayant identifie",
            "structure ayant identifie",
            "identified by",
            "identifying actor",
        ),
        vocab=IdentifiedBy,
    ),
    _f(
        "referring_organisation",
        "Structure ayant signalé ou référé",
        "Reporting or referring organisation",
        K.TEXT,
        G.REGISTRATION,
        (
            "refere par",
            "referee par",
            "reference par",
            "structure de reference",
            "structure referente",
            "signale par",
            "referent",
            "referred by",
            "referring organisation",
            "referring organization",
            "reported by",
        ),
    ),
    _f(
        "full_name",
        "Nom et prénom(s)",
        "Full name",
        K.FULL_NAME,
        G.REGISTRATION,
        (
            "nom et prenom",
            "nom et prenoms",
            "noms et prenoms",
            "nom prenom",
            "nom prenoms",
            "prenom et nom",
            "prenoms et nom",
            "prenom nom",
            "nom complet",
            "nom de l enfant",
            "nom et prenom de l enfant",
            "nom et prenoms de l enfant",
            "identite",
            "identite de l enfant",
            "enfant",
            "beneficiaire",
            "full name",
            "child name",
            "child s name",
            "name of child",
            "name",
        ),
        help_fr="Prénom(s) puis nom ; le dernier mot est pris comme nom de famille.",
        help_en="Given name(s) then last name; the last word is taken as the last name.",
    ),
    _f(
        "name_first",
        "Prénom",
        "First name",
        K.NAME,
        G.REGISTRATION,
        (
            "prenom",
            "prenoms",
            "prenom de l enfant",
            "prenoms de l enfant",
            "first name",
            "given name",
            "given names",
            "forename",
        ),
    ),
    _f(
        "name_last",
        "Nom",
        "Last name",
        K.NAME,
        G.REGISTRATION,
        ("nom", "noms", "nom de famille", "patronyme", "last name", "surname", "family name"),
    ),
    _f(
        "name_nickname",
        "Surnom",
        "Nickname",
        K.NAME,
        G.REGISTRATION,
        ("surnom", "alias", "dit", "nickname", "also known as"),
    ),
    _f(
        "hidden_name",
        "Masquer le nom",
        "Hide the name",
        K.BOOL,
        G.REGISTRATION,
        (
            "masquer le nom",
            "nom masque",
            "nom cache",
            "masque",
            "hide name",
            "hidden name",
            "name hidden",
        ),
        help_fr="Oui : le nom n'apparaîtra sur aucun document ni export (cas complexe).",
        help_en="Yes: the name will appear on no document or export (complex case).",
    ),
    _f(
        "sex",
        "Sexe",
        "Sex",
        K.ENUM,
        G.REGISTRATION,
        ("sexe", "genre", "sexe de l enfant", "m f", "f m", "g f", "sex", "gender"),
        vocab=Sex,
        help_fr="F ou M",
        help_en="F or M",
    ),
    _f(
        "date_of_birth",
        "Date de naissance",
        "Date of birth",
        K.DATE,
        G.REGISTRATION,
        (
            "date de naissance",
            "date naissance",
            "date de naiss",
            "ddn",
            "ne le",
            "nee le",
            "ne e le",
            "naissance",
            "date of birth",
            "birth date",
            "birthdate",
            "dob",
            "born on",
        ),
        help_fr="jj/mm/aaaa (ou l'année seule si elle est estimée)",
        help_en="dd/mm/yyyy (or the year alone if estimated)",
    ),
    _f(
        "age",
        "Âge (ans)",
        "Age (years)",
        K.AGE,
        G.REGISTRATION,
        (
            "age",
            "ages",
            "age ans",
            "age en annees",
            "age annees",
            "age de l enfant",
            "age actuel",
            "age a l enregistrement",
            "age years",
            "age in years",
            "age yrs",
        ),
        help_fr="En années (« 12 », « 12 ans ») ou en mois pour les bébés (« 6 mois »).",
        help_en="In years ('12', '12 years') or months for infants ('6 months').",
    ),
    _f(
        "age_status",
        "Statut de l'âge",
        "Age status",
        K.ENUM,
        G.REGISTRATION,
        ("statut de l age", "statut age", "age status", "type d age", "age documente estime"),
        vocab=AgeStatus,
    ),
    _f(
        "age_estimated",
        "Âge estimé",
        "Age estimated",
        K.BOOL,
        G.REGISTRATION,
        (
            "age estime",
            "age estimee",
            "estime",
            "age approximatif",
            "estimated age",
            "age estimated",
            "estimated",
        ),
    ),
    _f(
        "has_birth_certificate_or_id",
        "Acte de naissance ou pièce d'identité",
        "Birth certificate or ID",
        K.BOOL,
        G.REGISTRATION,
        (
            "acte de naissance",
            "acte de naissance ou piece d identite",
            "acte de naissance piece d identite",
            "piece d identite",
            "possede un acte de naissance",
            "a un acte de naissance",
            "extrait de naissance",
            "document d identite",
            "birth certificate",
            "birth certificate or id",
            "id document",
            "has birth certificate",
        ),
    ),
    _f(
        "nationality",
        "Nationalité",
        "Nationality",
        K.TEXT,
        G.REGISTRATION,
        ("nationalite", "pays d origine", "nationality", "country of origin"),
    ),
    _f(
        "displacement_status",
        "Statut de déplacement",
        "Displacement status",
        K.ENUM,
        G.REGISTRATION,
        (
            "statut de deplacement",
            "statut deplacement",
            "statut",
            "statut migratoire",
            "statut resident pdi refugie",
            "displacement status",
            "residence status",
        ),
        vocab=DisplacementStatus,
    ),
    _f(
        "region",
        "Région",
        "Region",
        K.ENUM,
        G.REGISTRATION,
        ("region", "region de residence", "region actuelle", "region of residence"),
        vocab=Region,
    ),
    _f(
        "location_current",
        "Localisation actuelle (cercle, commune)",
        "Current location",
        K.TEXT,
        G.REGISTRATION,
        (
            "localisation",
            "localisation actuelle",
            "localite",
            "adresse",
            "adresse actuelle",
            "lieu de residence",
            "residence",
            "domicile",
            "commune",
            "cercle",
            "quartier",
            "village",
            "cercle commune",
            "commune quartier",
            "lieu",
            "current location",
            "location",
            "address",
            "place of residence",
        ),
    ),
    _f(
        "community_of_origin",
        "Communauté d'origine",
        "Community of origin",
        K.TEXT,
        G.REGISTRATION,
        (
            "communaute d origine",
            "localite d origine",
            "village d origine",
            "lieu d origine",
            "provenance",
            "origine",
            "community of origin",
            "place of origin",
            "origin",
        ),
    ),
    _f(
        "lives_in_community_of_origin",
        "Vit dans sa communauté d'origine",
        "Lives in community of origin",
        K.BOOL,
        G.REGISTRATION,
        (
            "vit dans sa communaute d origine",
            "vit dans sa communaute",
            "lives in community of origin",
        ),
    ),
    _f(
        "vulnerability_categories",
        "Catégories de vulnérabilité",
        "Vulnerability categories",
        K.MULTI,
        G.CONCERNS,
        (
            "categorie de vulnerabilite",
            "categories de vulnerabilite",
            "categorie",
            "categories",
            "vulnerabilite",
            "vulnerabilites",
            "profil",
            "profils",
            "vulnerability",
            "vulnerability category",
            "vulnerability categories",
            "profile",
        ),
        vocab=VulnerabilityCategory,
    ),
    _f(
        "dominant_profile",
        "Profil dominant",
        "Dominant profile",
        K.ENUM,
        G.CONCERNS,
        ("profil dominant", "profil principal", "dominant profile", "main profile"),
        vocab=VulnerabilityCategory,
    ),
    _f(
        "protection_situations",
        "Situations de l'article 50",
        "Art. 50 situations",
        K.MULTI,
        G.CONCERNS,
        (
            "situation article 50",
            "situations article 50",
            "situation art 50",
            "art 50",
            "article 50",
            "situation de protection",
            "situations de protection",
            "situations de l article 50",
            "art 50 situation",
            "art 50 situations",
        ),
        vocab=ProtectionSituation,
    ),
    _f(
        "protection_concern_primary",
        "Problème principal",
        "Primary protection concern",
        K.ENUM,
        G.CONCERNS,
        (
            "probleme principal",
            "probleme de protection",
            "probleme",
            "problemes",
            "preoccupation principale",
            "preoccupation",
            "preoccupation de protection",
            "type de cas",
            "type de probleme",
            "nature du cas",
            "nature du probleme",
            "motif",
            "motif de prise en charge",
            "motif d admission",
            "cas",
            "type d abus",
            "primary concern",
            "primary protection concern",
            "protection concern",
            "main concern",
            "type of case",
            "concern",
            "case type",
        ),
        vocab=ProtectionConcern,
    ),
    _f(
        "protection_concerns_secondary",
        "Problèmes secondaires",
        "Secondary protection concerns",
        K.MULTI,
        G.CONCERNS,
        (
            "problemes secondaires",
            "probleme secondaire",
            "autres problemes",
            "autre probleme",
            "preoccupations secondaires",
            "autres preoccupations",
            "secondary concerns",
            "other concerns",
            "secondary protection concerns",
        ),
        vocab=ProtectionConcern,
    ),
    _f(
        "separation_status",
        "Séparation (ENA/ES)",
        "Separation status",
        K.ENUM,
        G.CONCERNS,
        (
            "ena es",
            "ena",
            "separation",
            "statut de separation",
            "non accompagne separe",
            "enfant non accompagne separe",
            "separation status",
            "uasc",
            "uasc status",
        ),
        vocab=SeparationStatus,
    ),
    _f(
        "disability_or_chronic_illness",
        "Handicap ou maladie chronique",
        "Disability or chronic illness",
        K.BOOL,
        G.CONCERNS,
        (
            "handicap",
            "handicape",
            "handicap ou maladie chronique",
            "maladie chronique",
            "situation de handicap",
            "disability",
            "disability or chronic illness",
            "chronic illness",
        ),
    ),
    _f(
        "child_mother",
        "Fille mère",
        "Child mother",
        K.BOOL,
        G.CONCERNS,
        (
            "fille mere",
            "filles meres",
            "jeune mere",
            "child mother",
            "child parent",
            "young mother",
        ),
    ),
    _f(
        "care_arrangement",
        "Prise en charge actuelle",
        "Current care arrangement",
        K.ENUM,
        G.REGISTRATION,
        (
            "prise en charge actuelle",
            "vit avec",
            "type de prise en charge",
            "hebergement",
            "mode de garde",
            "care arrangement",
            "current care arrangement",
            "lives with",
            "living with",
        ),
        vocab=CareArrangement,
    ),
    _f(
        "caregiver_name",
        "Parent / tuteur (nom)",
        "Parent / caregiver (name)",
        K.NAME,
        G.REGISTRATION,
        (
            "nom du parent",
            "nom du tuteur",
            "nom du parent tuteur",
            "parent tuteur",
            "parent ou tuteur",
            "tuteur",
            "nom du responsable",
            "personne a contacter",
            "personne de contact",
            "contact",
            "caregiver",
            "caregiver name",
            "parent",
            "parent or guardian",
            "guardian",
            "contact person",
        ),
    ),
    _f(
        "caregiver_relation",
        "Lien avec l'enfant",
        "Relationship to the child",
        K.TEXT,
        G.REGISTRATION,
        (
            "lien de parente",
            "lien avec l enfant",
            "lien",
            "relation",
            "parente",
            "relationship",
            "relationship to child",
            "relation to child",
        ),
    ),
    _f(
        "caregiver_phone",
        "Téléphone (parent / tuteur)",
        "Telephone (parent / caregiver)",
        K.PHONE,
        G.REGISTRATION,
        (
            "telephone",
            "tel",
            "tel parent",
            "telephone du parent",
            "telephone parent",
            "telephone du tuteur",
            "contact telephonique",
            "numero de telephone",
            "numero telephone",
            "cellulaire",
            "portable",
            "phone",
            "telephone number",
            "phone number",
            "mobile",
            "contact number",
        ),
        help_fr="Saisir comme texte (ex. 76 12 34 56).",
        help_en="Type as text.",
    ),
    _f(
        "emergency_care_needed",
        "Prise en charge d'urgence",
        "Emergency care needed",
        K.BOOL,
        G.RISK,
        (
            "urgence",
            "cas urgent",
            "prise en charge d urgence",
            "urgent",
            "prise en charge d urgence necessaire",
            "emergency",
            "emergency care",
            "emergency care needed",
        ),
    ),
    _f(
        "immediate_needs",
        "Besoins immédiats",
        "Immediate needs",
        K.MULTI,
        G.RISK,
        ("besoins immediats", "besoin immediat", "besoins urgents", "immediate needs"),
        vocab=ImmediateNeed,
    ),
    _f(
        "risk_level",
        "Niveau de risque",
        "Risk level",
        K.ENUM,
        G.RISK,
        (
            "niveau de risque",
            "niveau risque",
            "risque",
            "niveau du risque",
            "priorite",
            "niveau de priorite",
            "degre de risque",
            "risk level",
            "risk",
            "priority",
            "risk rating",
        ),
        vocab=RiskLevel,
        help_fr="Élevé, Moyen, Faible ou Nul",
        help_en="High, Medium, Low or None",
    ),
    _f(
        "eligible_cm",
        "Éligible à la gestion de cas",
        "Eligible for case management",
        K.BOOL,
        G.REGISTRATION,
        (
            "eligible",
            "eligibilite",
            "eligible a la gestion de cas",
            "eligible gestion de cas",
            "eligible for case management",
            "eligibility",
        ),
    ),
    _f(
        "eligibility_outcome",
        "Suite donnée",
        "Outcome",
        K.ENUM,
        G.REGISTRATION,
        (
            "suite donnee",
            "suite",
            "orientation",
            "decision",
            "issue",
            "outcome",
            "action taken",
            "next step",
        ),
        vocab=EligibilityOutcome,
    ),
    _f(
        "eligibility_reason",
        "Motif de la décision",
        "Reason for the decision",
        K.TEXT,
        G.REGISTRATION,
        ("motif de la decision", "raison", "justification", "reason", "reason for decision"),
        max_chars=5000,
    ),
    # -- consent (1.A) ---------------------------------------------------------------------------
    _f(
        "consent_obtained",
        "Consentement obtenu",
        "Consent obtained",
        K.BOOL,
        G.CONSENT,
        (
            "consentement",
            "consentement obtenu",
            "accord",
            "accord obtenu",
            "accord eclaire",
            "fiche de consentement",
            "consent",
            "consent obtained",
            "informed consent",
        ),
    ),
    _f(
        "consent_child",
        "Accord de l'enfant",
        "Child's agreement",
        K.BOOL,
        G.CONSENT,
        (
            "accord de l enfant",
            "consentement de l enfant",
            "assentiment",
            "assentiment de l enfant",
            "accord enfant",
            "consentement enfant",
            "child consent",
            "child assent",
            "child agreed",
        ),
    ),
    _f(
        "consent_caregiver",
        "Accord du parent / tuteur",
        "Parent / caregiver agreement",
        K.BOOL,
        G.CONSENT,
        (
            "accord du parent",
            "accord du tuteur",
            "accord du parent tuteur",
            "accord parent",
            "consentement du parent",
            "consentement du tuteur",
            "consentement parent tuteur",
            "consentement parent",
            "consentement des parents",
            "accord des parents",
            "consentement du representant legal",
            "caregiver consent",
            "parent consent",
            "guardian consent",
        ),
    ),
    _f(
        "consent_caregiver_relationship",
        "Accord donné par (lien)",
        "Agreement given by",
        K.ENUM,
        G.CONSENT,
        (
            "accord donne par",
            "consentement donne par",
            "consentement de",
            "lien du signataire",
            "consent given by",
            "consent from",
        ),
        vocab=ConsentGiverRelationship,
    ),
    _f(
        "consent_date",
        "Date de l'accord",
        "Consent date",
        K.DATE,
        G.CONSENT,
        (
            "date du consentement",
            "date de l accord",
            "date accord",
            "date consentement",
            "consent date",
            "date of consent",
        ),
        help_fr="jj/mm/aaaa (vide : date d'enregistrement)",
        help_en="dd/mm/yyyy (empty: registration date)",
    ),
    _f(
        "consent_mode",
        "Mode de recueil de l'accord",
        "Consent mode",
        K.ENUM,
        G.CONSENT,
        (
            "mode de consentement",
            "mode de recueil",
            "mode de recueil de l accord",
            "type de consentement",
            "consentement ecrit verbal",
            "consent mode",
            "consent type",
        ),
        vocab=ConsentMode,
    ),
    _f(
        "consent_scope",
        "Objet de l'accord",
        "Consent scope",
        K.MULTI,
        G.CONSENT,
        (
            "objet du consentement",
            "objet de l accord",
            "consentement pour",
            "accord pour",
            "consent scope",
            "consent for",
        ),
        vocab=ConsentScope,
    ),
    _f(
        "consent_recipients",
        "Destinataires autorisés",
        "Authorised recipients",
        K.MULTI,
        G.CONSENT,
        (
            "destinataires",
            "destinataires autorises",
            "partage avec",
            "recipients",
            "authorised recipients",
            "authorized recipients",
            "share with",
        ),
        vocab=ConsentRecipient,
    ),
)

FIELDS_BY_KEY: Mapping[str, RegisterField] = {f.key: f for f in FIELDS}

#: Extra spellings of vocabulary values (codes, labels and CPIMS+ ids are always accepted).
VALUE_SYNONYMS: Mapping[type[LabelledEnum], Mapping[str, str]] = {
    Sex: {
        **dict.fromkeys(
            (
                "m",
                "masculin",
                "masc",
                "garcon",
                "garcons",
                "g",
                "h",
                "homme",
                "male",
                "boy",
                "man",
                "masculine",
                "mâle",
            ),
            "male",
        ),
        **dict.fromkeys(
            (
                "f",
                "feminin",
                "fem",
                "fille",
                "filles",
                "femme",
                "female",
                "girl",
                "woman",
                "feminine",
            ),
            "female",
        ),
        **dict.fromkeys(("autre", "other"), "other"),
    },
    RiskLevel: {
        **dict.fromkeys(
            (
                "eleve",
                "elevee",
                "eleve e",
                "tres eleve",
                "haut",
                "haute",
                "fort",
                "forte",
                "grave",
                "critique",
                "high",
                "very high",
                "e",
                "h",
                "3",
                "risque eleve",
                "risque haut",
                "rouge",
            ),
            "high",
        ),
        **dict.fromkeys(
            (
                "moyen",
                "moyenne",
                "modere",
                "moderee",
                "medium",
                "moderate",
                "mid",
                "m",
                "2",
                "risque moyen",
                "risque modere",
            ),
            "medium",
        ),
        **dict.fromkeys(
            (
                "faible",
                "bas",
                "basse",
                "petit",
                "low",
                "f",
                "b",
                "l",
                "1",
                "risque faible",
                "risque bas",
            ),
            "low",
        ),
        **dict.fromkeys(
            (
                "nul",
                "nulle",
                "aucun",
                "aucun risque",
                "pas de risque",
                "sans risque",
                "none",
                "no risk",
                "nil",
                "n",
                "0",
                "risque nul",
            ),
            "none",
        ),
    },
    AgeStatus: {
        **dict.fromkeys(
            ("documente", "connu", "exact", "acte", "documented", "known"), "documented"
        ),
        **dict.fromkeys(
            ("estime", "estimee", "approximatif", "estimated", "approximate"), "estimated"
        ),
        **dict.fromkeys(
            ("presume mineur", "presumee mineure", "presume", "presumed minor", "presumed"),
            "presumed_minor",
        ),
    },
    CaseStatus: {
        **dict.fromkeys(("ouvert", "ouverte", "actif", "en cours", "open", "active"), "open"),
        **dict.fromkeys(("ferme", "fermee", "cloture", "cloturee", "clos", "closed"), "closed"),
        **dict.fromkeys(("transfere", "transferee", "transferred"), "transferred"),
        **dict.fromkeys(("non eligible", "not eligible", "ineligible"), "not_eligible"),
    },
    IdentificationSource: {
        **dict.fromkeys(("strategie avancee", "maraude", "equipe mobile", "outreach"), "outreach"),
        **dict.fromkeys(("signalement", "signale", "report", "reported"), "report"),
        **dict.fromkeys(
            ("referencement", "reference", "refere", "referral", "referred"), "referral"
        ),
        **dict.fromkeys(
            ("interpellation", "arrestation", "apprehension", "arrest"), "apprehension"
        ),
        **dict.fromkeys(
            (
                "auto saisie",
                "autosaisie",
                "auto referencement",
                "self referral",
                "self referred",
                "spontane",
            ),
            "self_referral",
        ),
    },
    IdentifiedBy: {
        **dict.fromkeys(("drpfef", "slpfef", "dnpef", "promotion de la femme"), "state_drpfef"),
        **dict.fromkeys(("drds", "drds es", "sdds", "developpement social"), "state_drds"),
        **dict.fromkeys(("ong", "osc", "ngo", "organisation de protection"), "cp_organisation"),
        **dict.fromkeys(
            ("relais", "relais communautaire", "communaute", "leader communautaire", "community"),
            "community_relay",
        ),
        **dict.fromkeys(("aejt",), "childrens_organisation"),
        **dict.fromkeys(("sante", "cscom", "csref", "hopital", "health"), "health_service"),
        **dict.fromkeys(("ecole", "education", "school", "enseignant"), "education_service"),
        **dict.fromkeys(("police", "gendarmerie", "brigade des moeurs", "fds"), "security_forces"),
        **dict.fromkeys(("tribunal", "juge", "justice", "tribunal pour enfants"), "justice"),
        **dict.fromkeys(("unicef", "oim", "hcr", "unhcr", "iom", "anu"), "un_agency"),
        **dict.fromkeys(("famille", "parent", "family"), "family_member"),
        **dict.fromkeys(("enfant", "lui meme", "elle meme", "child"), "child_self"),
        **dict.fromkeys(("autre", "other"), "other"),
    },
    ProtectionConcern: {
        **dict.fromkeys(
            (
                "violence physique",
                "abus physique",
                "maltraitance",
                "maltraitances",
                "mauvais traitement",
                "mauvais traitements",
                "coups",
                "physical abuse",
                "physical violence",
            ),
            "physical_abuse_violence",
        ),
        **dict.fromkeys(
            (
                "abus sexuel",
                "abus sexuels",
                "violence sexuelle",
                "violences sexuelles",
                "agression sexuelle",
                "vbg",
                "sexual abuse",
                "sexual violence",
            ),
            "sexual_abuse_violence",
        ),
        **dict.fromkeys(("viol",), "rape"),
        **dict.fromkeys(
            (
                "violence psychologique",
                "violence emotionnelle",
                "violences psychologiques",
                "emotional abuse",
                "psychological abuse",
            ),
            "emotional_or_psychological",
        ),
        **dict.fromkeys(("negligence", "neglige", "negligence grave", "neglect"), "neglect"),
        **dict.fromkeys(
            (
                "abandon",
                "abandonne",
                "abandonnee",
                "enfant abandonne",
                "enfant trouve",
                "abandoned",
            ),
            "abandonment",
        ),
        **dict.fromkeys(
            (
                "travail",
                "travail des enfants",
                "travail d enfant",
                "exploitation economique",
                "mendicite",
                "enfant mendiant",
                "talibe",
                "talibes",
                "pires formes de travail",
                "labour",
                "labor",
                "child labor",
                "begging",
            ),
            "child_labour",
        ),
        **dict.fromkeys(
            ("travaux dangereux", "orpaillage", "mines", "hazardous work"), "hazardous_work"
        ),
        **dict.fromkeys(
            (
                "exploitation sexuelle",
                "prostitution",
                "exploitation sexuelle commerciale",
                "sexual exploitation",
            ),
            "sexual_exploitation",
        ),
        **dict.fromkeys(
            (
                "traite",
                "trafic",
                "traite des enfants",
                "enlevement",
                "vente",
                "esclavage",
                "trafficking",
                "abduction",
            ),
            "slavery_sale_abduction",
        ),
        **dict.fromkeys(
            (
                "ecl",
                "conflit avec la loi",
                "enfant en conflit avec la loi",
                "cicl",
                "conflict with the law",
            ),
            "in_conflict_with_the_law",
        ),
        **dict.fromkeys(
            (
                "eafga",
                "enfant soldat",
                "enfants soldats",
                "groupes armes",
                "forces et groupes armes",
                "caafag",
                "child soldier",
            ),
            "associated_with_armed",
        ),
        **dict.fromkeys(
            ("detention", "detenu", "privation de liberte", "prive de liberte", "detained"),
            "deprived_of_liberty",
        ),
        **dict.fromkeys(
            ("maladie grave", "probleme de sante", "sante"), "serious_medical_condition"
        ),
        **dict.fromkeys(
            (
                "ena",
                "non accompagne",
                "enfant non accompagne",
                "enfant seul",
                "unaccompanied child",
                "uac",
            ),
            "unaccompanied",
        ),
        **dict.fromkeys(("es", "separe", "enfant separe", "separated child", "sc"), "separated"),
        **dict.fromkeys(
            (
                "orphelin",
                "orpheline",
                "orphelin de pere",
                "orphelin de mere",
                "orphelin total",
                "double orphelin",
                "orphaned",
            ),
            "orphan",
        ),
        **dict.fromkeys(
            ("detresse", "detresse psychologique", "traumatisme", "trauma", "distress"),
            "psychosocial_distress",
        ),
        **dict.fromkeys(
            ("drogue", "drogues", "toxicomanie", "alcool", "stupefiants", "drugs"),
            "substance_abuse",
        ),
        **dict.fromkeys(
            (
                "sans acte de naissance",
                "pas d acte de naissance",
                "absence d acte de naissance",
                "sans papiers",
                "no birth certificate",
            ),
            "lack_of_documentation_birth_registration",
        ),
        **dict.fromkeys(
            (
                "mariage precoce",
                "mariage force",
                "mariage d enfant",
                "mariage des enfants",
                "early marriage",
                "forced marriage",
            ),
            "child_marriage",
        ),
        **dict.fromkeys(
            ("excision", "mgf", "mgf e", "fgm", "fgm c", "mutilation genitale"),
            "female_genital_mutilation_fgm",
        ),
        **dict.fromkeys(
            (
                "grossesse",
                "grossesse precoce",
                "fille mere",
                "enceinte",
                "pregnancy",
                "child mother",
            ),
            "pregnancy_child_parent",
        ),
        **dict.fromkeys(
            ("engin explosif", "mine", "reste explosif", "explosive"),
            "child_survivor_of_explosive",
        ),
        **dict.fromkeys(("autre", "autres", "other"), "other"),
    },
    ProtectionSituation: {
        # Art. 50 letters as typed in registers ("f", "art 50 f"), from the vocabulary itself.
        **{m.letter: m.value for m in ProtectionSituation},
        **{f"art 50 {m.letter}": m.value for m in ProtectionSituation},
        **{f"50{m.letter}": m.value for m in ProtectionSituation},
        **dict.fromkeys(("perte des parents", "orphelin sans soutien"), "loss_of_parents"),
        **dict.fromkeys(
            ("abandon", "enfant abandonne", "enfant trouve", "enfant recueilli"),
            "abandoned_or_found",
        ),
        **dict.fromkeys(("negligence", "vagabondage"), "neglect_vagrancy"),
        **dict.fromkeys(("maltraitance", "mauvais traitement"), "habitual_ill_treatment"),
        **dict.fromkeys(("exploitation sexuelle",), "sexual_exploitation"),
        **dict.fromkeys(("abus sexuel", "abus sexuels"), "sexual_abuse"),
        **dict.fromkeys(("mendicite", "exploitation economique"), "begging_economic_exploitation"),
        **dict.fromkeys(("traite", "crime organise", "crimes organises"), "organised_crime"),
        **dict.fromkeys(("conflit arme",), "armed_conflict"),
        **dict.fromkeys(("pratiques nefastes",), "harmful_practices"),
        **dict.fromkeys(("incapacite des parents",), "caregivers_unable"),
    },
    VulnerabilityCategory: {
        **dict.fromkeys(
            ("mobilite", "migrant", "migration", "enfant migrant", "on the move"), "mobility"
        ),
        **dict.fromkeys(
            ("deplace", "deplacee", "pdi", "refugie", "deplacement force", "idp", "refugee"),
            "forced_displacement",
        ),
        **dict.fromkeys(("eafga", "enfant soldat", "caafag"), "armed_forces_groups"),
        **dict.fromkeys(
            ("travail", "talibe", "mendicite", "pires formes de travail", "child labour"),
            "worst_forms_child_labour",
        ),
        **dict.fromkeys(("ecl", "conflit avec la loi"), "conflict_with_law"),
        **dict.fromkeys(
            (
                "rue",
                "enfant de la rue",
                "enfant en situation de rue",
                "orphelin",
                "prive de famille",
                "street",
            ),
            "deprived_of_family",
        ),
        **dict.fromkeys(
            ("institution", "place", "placement", "ecole coranique"), "institutionalised"
        ),
        **dict.fromkeys(
            ("famille vulnerable", "famille tres vulnerable", "pauvrete"), "very_vulnerable_family"
        ),
        **dict.fromkeys(("vbg", "mariage precoce", "excision", "gbv"), "gbv_survivor"),
    },
    SeparationStatus: {
        **dict.fromkeys(
            ("ena", "non accompagne", "non accompagnee", "uac", "unaccompanied"), "unaccompanied"
        ),
        **dict.fromkeys(("es", "separe", "separee", "sc", "separated"), "separated"),
        **dict.fromkeys(
            ("non", "non separe", "avec sa famille", "no", "not separated"), "not_separated"
        ),
    },
    DisplacementStatus: {
        **dict.fromkeys(("resident", "residente", "autochtone", "local"), "resident"),
        **dict.fromkeys(("pdi", "deplace", "deplacee", "deplace interne", "idp"), "idp"),
        **dict.fromkeys(("refugie", "refugiee", "refugee"), "refugee"),
        **dict.fromkeys(("demandeur d asile",), "asylum_seeker"),
        **dict.fromkeys(("apatride",), "stateless_person"),
        **dict.fromkeys(("retourne", "retournee", "rapatrie"), "returnee"),
        **dict.fromkeys(("etranger", "etrangere"), "foreign_national"),
        **dict.fromkeys(("migrant", "migrante"), "migrant"),
        **dict.fromkeys(("communaute hote", "hote"), "host_community"),
        **dict.fromkeys(("autre",), "other"),
    },
    Region: {
        **dict.fromkeys(("bamako", "district de bamako", "bko"), "bamako"),
        **dict.fromkeys(("tombouctou", "timbuktu", "tbk"), "tombouctou"),
        **dict.fromkeys(("segou",), "segou"),
        **dict.fromkeys(("menaka",), "menaka"),
        **dict.fromkeys(("taoudeni", "taoudenni"), "taoudenit"),
        **dict.fromkeys(("nioro", "nioro du sahel"), "nioro"),
        **dict.fromkeys(("dioila",), "dioila"),
        **dict.fromkeys(("autre", "hors mali"), "other"),
    },
    EligibilityOutcome: {
        **dict.fromkeys(
            (
                "ouvert",
                "dossier ouvert",
                "pris en charge",
                "prise en charge",
                "pec",
                "gestion de cas",
                "opened",
                "case opened",
            ),
            "case_opened",
        ),
        **dict.fromkeys(
            ("refere", "reference", "referencement", "oriente", "orientation", "referred"),
            "referred",
        ),
        **dict.fromkeys(("transfere", "transfert", "transferred"), "transferred"),
        **dict.fromkeys(
            ("etat informe", "service de l etat informe", "notifie", "state notified"),
            "state_notified",
        ),
        **dict.fromkeys(
            ("non eligible", "enregistre seulement", "not eligible"), "not_eligible_recorded"
        ),
    },
    ConsentMode: {
        **dict.fromkeys(
            ("ecrit", "ecrite", "fiche", "fiche signee", "signe", "written", "signed"),
            "written_form",
        ),
        **dict.fromkeys(
            ("verbal", "verbale", "oral", "orale", "verbal consent"), "verbal_recorded"
        ),
    },
    ConsentGiverRelationship: {
        **dict.fromkeys(("enfant", "l enfant", "child"), "child"),
        **dict.fromkeys(("mere", "maman", "mother"), "mother"),
        **dict.fromkeys(("pere", "papa", "father"), "father"),
        **dict.fromkeys(
            ("tuteur", "tutrice", "representant legal", "guardian", "legal guardian"),
            "legal_guardian",
        ),
        **dict.fromkeys(
            ("parent", "parents", "oncle", "tante", "grand mere", "grand pere", "caregiver"),
            "other_caregiver",
        ),
    },
    ConsentScope: {
        **dict.fromkeys(
            (
                "partage",
                "partage d information",
                "partage d informations",
                "sharing",
                "information sharing",
            ),
            "share_with_third_parties",
        ),
        **dict.fromkeys(
            ("referencement", "reference", "services", "referral"), "referral_to_services"
        ),
        **dict.fromkeys(("transfert", "transfer"), "transfer"),
        **dict.fromkeys(
            ("famille", "implication de la famille", "family"), "involve_family_in_interviews"
        ),
        **dict.fromkeys(("recherche familiale", "rfl", "tracing"), "family_tracing"),
        **dict.fromkeys(
            ("cpims", "cpims+", "saisie", "base de donnees", "database"), "data_entry_cpims"
        ),
        **dict.fromkeys(("statistiques", "stats", "statistics"), "statistical_reporting"),
    },
    ImmediateNeed: {
        **dict.fromkeys(
            ("blessure", "blessures", "soins medicaux", "medical", "injury"), "medical_injury"
        ),
        **dict.fromkeys(("viol", "vbg", "rape"), "rape_sexual_violence"),
        **dict.fromkeys(("psychologique", "soutien psychologique"), "psychological"),
        **dict.fromkeys(
            ("psp", "premiers secours psychologiques", "pfa"), "psychological_first_aid"
        ),
        **dict.fromkeys(("securite", "mise en securite", "safety"), "physical_safety"),
        **dict.fromkeys(
            ("hebergement", "abri", "shelter", "placement provisoire"), "temporary_shelter"
        ),
        **dict.fromkeys(("nourriture", "alimentation", "food"), "food_basic_needs"),
        **dict.fromkeys(("autre", "other"), "other"),
    },
    CareArrangement: {
        **dict.fromkeys(("parents", "parent", "pere et mere", "mere", "pere"), "parent_s"),
        **dict.fromkeys(
            ("famille elargie", "oncle", "tante", "grands parents", "grand mere", "kinship"),
            "kinship_care_extended_family",
        ),
        **dict.fromkeys(("famille d accueil", "foster family"), "foster_care"),
        **dict.fromkeys(("centre", "institution", "orphelinat", "foyer"), "residential_care"),
        **dict.fromkeys(("seul", "seule", "autonome", "alone"), "independent_living"),
        **dict.fromkeys(
            ("maitre coranique", "marabout", "employeur", "patron"), "unrelated_adult"
        ),
        **dict.fromkeys(("rue", "dans la rue", "aucune", "street"), "no_care_arrangement"),
        **dict.fromkeys(("confie", "enfant confie", "tuteur coutumier"), "customary_caregiver_s"),
        **dict.fromkeys(("autre",), "other"),
    },
}

_FILLER = frozenset(
    {
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "a",
        "au",
        "aux",
        "en",
        "the",
        "of",
        "s",
        "enfant",
        "child",
        "jj",
        "mm",
        "aaaa",
        "aa",
        "dd",
        "yyyy",
        "yy",
        "oui",
        "non",
        "o",
        "n",
        "yes",
        "no",
        "ans",
        "years",
        "format",
        "si",
        "if",
        "any",
        "svp",
        "please",
    }
)


def header_keys(header: str) -> tuple[str, ...]:
    """The folded forms tried for a header: as written, without hints, without filler words."""
    return tuple(dict.fromkeys(k for k in _forms(header) if k))


def _forms(header: str) -> tuple[str, str, str]:
    full = fold_header(header)
    hintless = fold_header(strip_hints(header.split(":")[0].split("?")[0]))
    loose = " ".join(w for w in hintless.split() if w not in _FILLER)
    return full, hintless, loose


def _build_index() -> tuple[dict[str, str], dict[str, str]]:
    """Two layers: spellings as written (and without hints) win over filler-stripped ones."""
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for field in FIELDS:
        for spelling in (
            field.key.replace("_", " "),
            field.label_fr,
            field.label_en,
            *field.synonyms,
        ):
            full, hintless, stripped = _forms(spelling)
            for key in (full, hintless):
                if key:
                    exact.setdefault(key, field.key)
            if stripped:
                loose.setdefault(stripped, field.key)
    return exact, loose


_EXACT, _LOOSE = _build_index()


def match_header(header: str, extra: Mapping[str, str] | None = None) -> str | None:
    """The field key a column header names, or ``None``.

    ``extra`` maps folded header spellings to field keys (from a mapping file); it is tried
    first.
    """
    full, hintless, stripped = _forms(header)
    if extra:
        for key in (full, hintless, stripped):
            if key in extra:
                return extra[key]
    for key in (full, hintless):
        if key in _EXACT:
            return _EXACT[key]
    if stripped in _EXACT:
        return _EXACT[stripped]
    return _LOOSE.get(stripped)
