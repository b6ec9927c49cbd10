"""Protection vocabularies: situations, vulnerabilities, identification, consent, separation, FTR.

Each value cites its seed (document, section, line). ``cpims`` is the option id of the
equivalent value in the CPIMS+ interagency lookup named in the class docstring
(primero-v2-api-notes §2.2), or ``None`` where CPIMS+ has no equivalent. Where several values map
to one coarser CPIMS+ option, :meth:`~cpcase.labels.LabelledEnum.from_cpims` returns the first
declared and the mapping back is lossy; the class docstring says so.
"""

from __future__ import annotations

from cpcase.labels import LabelledEnum

__all__ = [
    "AlternativeCareOption",
    "AssessmentDomain",
    "AssessmentRecommendation",
    "BidDecision",
    "BidSituation",
    "CareArrangement",
    "ConsentGiverRelationship",
    "ConsentMode",
    "ConsentRecipient",
    "ConsentScope",
    "DisplacementStatus",
    "DurableSolution",
    "EligibilityOutcome",
    "IdentificationSource",
    "IdentifiedBy",
    "ImmediateNeed",
    "InformationSource",
    "LegitimateBasis",
    "ProtectionConcern",
    "ProtectionSituation",
    "Region",
    "SeparationReason",
    "SeparationStatus",
    "TracingStatus",
    "VerificationOutcome",
    "VulnerabilityCategory",
]

_SOP = "Mali SOP 2020"
_CMG = "CM Guidelines 101 course"
_IA = "CPIMS+ interagency"


class ProtectionSituation(LabelledEnum):
    """The twelve Art. 50 situations (Code malien de protection de l'enfant) that trigger CM.

    SOP §4.2.2 L657–L703; the list is "non exhaustive" (L657). ``cpims`` is the closest
    ``lookup-protection-concerns`` (interagency) option where one is equivalent; ``letter``
    gives the article's letter a–l.
    """

    LOSS_OF_PARENTS = (
        "loss_of_parents",
        "a) Perte des parents, l'enfant demeurant sans soutien familial",
        "a) Loss of parents, the child remaining without family support",
        f"{_SOP} §4.2.2 L659",
        "orphan",
    )
    ABANDONED_OR_FOUND = (
        "abandoned_or_found",
        "b) Enfant recueilli, abandonné et trouvé",
        "b) Child taken in, abandoned or found",
        f"{_SOP} §4.2.2 L663",
        "abandonment",
    )
    NEGLECT_VAGRANCY = (
        "neglect_vagrancy",
        "c) Exposition à la négligence et au vagabondage",
        "c) Exposure to neglect and vagrancy",
        f"{_SOP} §4.2.2 L667",
        "neglect",
    )
    LACK_OF_EDUCATION_PROTECTION = (
        "lack_of_education_protection",
        "d) Manque notoire et continu à l'éducation et à la protection",
        "d) Notorious and continuous lack of education and protection",
        f"{_SOP} §4.2.2 L671",
        None,
    )
    HABITUAL_ILL_TREATMENT = (
        "habitual_ill_treatment",
        "e) Mauvais traitement habituel",
        "e) Habitual ill-treatment",
        f"{_SOP} §4.2.2 L675",
        "physical_abuse_violence",
    )
    SEXUAL_EXPLOITATION = (
        "sexual_exploitation",
        "f) Exploitation sexuelle (garçon ou fille)",
        "f) Sexual exploitation (boy or girl)",
        f"{_SOP} §4.2.2 L679",
        "sexual_exploitation",
    )
    SEXUAL_ABUSE = (
        "sexual_abuse",
        "g) Exposition à des abus sexuels",
        "g) Exposure to sexual abuse",
        f"{_SOP} §4.2.2 L683",
        "sexual_abuse_violence",
    )
    BEGGING_ECONOMIC_EXPLOITATION = (
        "begging_economic_exploitation",
        "h) Exposition à la mendicité et à l'exploitation économique",
        "h) Exposure to begging and economic exploitation",
        f"{_SOP} §4.2.2 L687",
        "child_labour",
    )
    ORGANISED_CRIME = (
        "organised_crime",
        "i) Exploitation dans les crimes organisés (traite, réseaux)",
        "i) Exploitation in organised crime (trafficking, criminal networks)",
        f"{_SOP} §4.2.2 L691",
        "slavery_sale_abduction",
    )
    ARMED_CONFLICT = (
        "armed_conflict",
        "j) Exposition à une situation de conflit armé",
        "j) Exposure to armed conflict",
        f"{_SOP} §4.2.2 L695",
        "associated_with_armed",
    )
    HARMFUL_PRACTICES = (
        "harmful_practices",
        "k) Exposition à des pratiques ayant un effet néfaste sur la santé",
        "k) Exposure to practices harmful to health",
        f"{_SOP} §4.2.2 L699",
        None,
    )
    CAREGIVERS_UNABLE = (
        "caregivers_unable",
        "l) Incapacité des parents ou des personnes en charge d'assurer protection et éducation",
        "l) Parents or caregivers unable to ensure protection and education",
        f"{_SOP} §4.2.2 L703",
        "highly_vulnerable_care",
    )

    @property
    def letter(self) -> str:
        """The letter of the situation in Art. 50 (``"a"`` … ``"l"``)."""
        return "abcdefghijkl"[list(type(self)).index(self)]


class VulnerabilityCategory(LabelledEnum):
    """The nine categories of particularly exposed children (SOP §1.2 list A, L91–L100).

    A profile alone never triggers case management (L655). ``cpims`` is the equivalent
    ``lookup-protection-concerns`` (interagency) option where one exists.
    """

    MOBILITY = (
        "mobility",
        "Enfant en situation de mobilité (migration économique et/ou sociale)",
        "Child on the move (economic and/or social migration)",
        f"{_SOP} §1.2 L92",
        None,
    )
    FORCED_DISPLACEMENT = (
        "forced_displacement",
        "Enfant en situation de déplacement forcé (déplacé interne, réfugié)",
        "Child in forced displacement (IDP, refugee)",
        f"{_SOP} §1.2 L93",
        None,
    )
    ARMED_FORCES_GROUPS = (
        "armed_forces_groups",
        "Enfant enrôlé dans les forces et groupes armés (EAFGA)",
        "Child associated with armed forces or groups (CAAFAG)",
        f"{_SOP} §1.2 L94",
        "associated_with_armed",
    )
    WORST_FORMS_CHILD_LABOUR = (
        "worst_forms_child_labour",
        "Enfant dans les pires formes de travail (dont exploitation sexuelle commerciale, "
        "mendicité des Talibés)",
        "Child in the worst forms of child labour (incl. commercial sexual exploitation, "
        "Talibé begging)",
        f"{_SOP} §1.2 L95",
        "child_labour",
    )
    CONFLICT_WITH_LAW = (
        "conflict_with_law",
        "Enfant en conflit avec la loi (ECL)",
        "Child in conflict with the law",
        f"{_SOP} §1.2 L96",
        "in_conflict_with_the_law",
    )
    DEPRIVED_OF_FAMILY = (
        "deprived_of_family",
        "Enfant privé de famille (en situation de rue, orphelin, abandonné)",
        "Child deprived of family (street-connected, orphaned, abandoned)",
        f"{_SOP} §1.2 L97",
        None,
    )
    INSTITUTIONALISED = (
        "institutionalised",
        "Enfant placé en institution formelle ou non formelle (incarcéré, centre, famille "
        "d'accueil, école coranique)",
        "Child placed in a formal or informal institution (detained, centre, foster family, "
        "Koranic school)",
        f"{_SOP} §1.2 L98",
        None,
    )
    VERY_VULNERABLE_FAMILY = (
        "very_vulnerable_family",
        "Enfant issu d'une famille très vulnérable (économiquement et/ou socialement)",
        "Child from a very vulnerable family (economically and/or socially)",
        f"{_SOP} §1.2 L99",
        None,
    )
    GBV_SURVIVOR = (
        "gbv_survivor",
        "Enfant victime de VBG (dont mariage d'enfants, MGF/E)",
        "Child survivor of GBV (incl. child marriage, FGM/C)",
        f"{_SOP} §1.2 L100",
        None,
    )


class ProtectionConcern(LabelledEnum):
    """Protection concerns, as in CPIMS+ interagency ``lookup-protection-concerns``.

    The SOP aligns its assessment forms on CPIMS+ and its "grande diversité de catégorie de
    problèmes de protection", each classified as primary or secondary (§5.1.3 L962, §5.1.2
    L935). The seed gives no list, so the CPIMS+ one is used; codes equal the CPIMS+ option ids.
    Unaccompanied/separated are concerns here (the SOP's example secondary problem, L935).
    """

    PHYSICAL_ABUSE_VIOLENCE = (
        "physical_abuse_violence",
        "Abus / violence physique",
        "Physical abuse / violence",
        f"{_IA} lookup-protection-concerns",
        "physical_abuse_violence",
    )
    SEXUAL_ABUSE_VIOLENCE = (
        "sexual_abuse_violence",
        "Abus / violence sexuelle",
        "Sexual abuse / violence",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L683",
        "sexual_abuse_violence",
    )
    RAPE = ("rape", "Viol", "Rape", f"{_IA} lookup-protection-concerns; {_SOP} L813", "rape")
    EMOTIONAL_OR_PSYCHOLOGICAL = (
        "emotional_or_psychological",
        "Violence émotionnelle ou psychologique",
        "Emotional or psychological abuse",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.3 L85",
        "emotional_or_psychological",
    )
    NEGLECT = (
        "neglect",
        "Négligence",
        "Neglect",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.3 L88",
        "neglect",
    )
    ABANDONMENT = (
        "abandonment",
        "Abandon",
        "Abandonment",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L663",
        "abandonment",
    )
    CHILD_LABOUR = (
        "child_labour",
        "Travail des enfants",
        "Child labour",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L95",
        "child_labour",
    )
    HAZARDOUS_WORK = (
        "hazardous_work",
        "Travaux dangereux",
        "Hazardous work",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L699",
        "hazardous_work",
    )
    SEXUAL_EXPLOITATION = (
        "sexual_exploitation",
        "Exploitation sexuelle",
        "Sexual exploitation",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L679",
        "sexual_exploitation",
    )
    SLAVERY_SALE_ABDUCTION = (
        "slavery_sale_abduction",
        "Esclavage, vente, enlèvement, traite",
        "Slavery, sale, abduction, trafficking",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L691",
        "slavery_sale_abduction",
    )
    IN_CONFLICT_WITH_THE_LAW = (
        "in_conflict_with_the_law",
        "En conflit avec la loi",
        "In conflict with the law",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L96",
        "in_conflict_with_the_law",
    )
    ASSOCIATED_WITH_ARMED = (
        "associated_with_armed",
        "Associé aux forces ou groupes armés",
        "Associated with armed forces or groups",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L94",
        "associated_with_armed",
    )
    DEPRIVED_OF_LIBERTY = (
        "deprived_of_liberty",
        "Privé de liberté",
        "Deprived of liberty",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L98",
        "deprived_of_liberty",
    )
    SERIOUS_MEDICAL_CONDITION = (
        "serious_medical_condition",
        "Problème de santé grave",
        "Serious medical condition",
        f"{_IA} lookup-protection-concerns",
        "serious_medical_condition",
    )
    FUNCTIONAL_DIFFICULTY_SEEING = (
        "functional_difficulty_seeing",
        "Difficulté fonctionnelle : voir",
        "Functional difficulty: seeing",
        f"{_IA} lookup-protection-concerns",
        "functional_difficulty_seeing",
    )
    FUNCTIONAL_DIFFICULTY_HEARING = (
        "functional_difficulty_hearing",
        "Difficulté fonctionnelle : entendre",
        "Functional difficulty: hearing",
        f"{_IA} lookup-protection-concerns",
        "functional_difficulty_hearing",
    )
    FUNCTIONAL_DIFFICULTY_WALKING = (
        "functional_difficulty_walking",
        "Difficulté fonctionnelle : marcher",
        "Functional difficulty: walking",
        f"{_IA} lookup-protection-concerns",
        "functional_difficulty_walking",
    )
    FUNCTIONAL_DIFFICULTY_REMEMBERING = (
        "functional_difficulty_remembering",
        "Difficulté fonctionnelle : se souvenir, se concentrer",
        "Functional difficulty: remembering, concentrating",
        f"{_IA} lookup-protection-concerns",
        "functional_difficulty_remembering",
    )
    DIFFICULTY_WITH_SELF_CARE = (
        "difficulty_with_self_care",
        "Difficulté à prendre soin de soi",
        "Difficulty with self-care",
        f"{_IA} lookup-protection-concerns",
        "difficulty_with_self_care",
    )
    DIFFICULTY_COMMUNICATING = (
        "difficulty_communicating",
        "Difficulté à communiquer",
        "Difficulty communicating",
        f"{_IA} lookup-protection-concerns",
        "difficulty_communicating",
    )
    UNACCOMPANIED = (
        "unaccompanied",
        "Enfant non accompagné (ENA)",
        "Unaccompanied child",
        f"{_IA} lookup-protection-concerns; {_SOP} §5.1.2 L935",
        "unaccompanied",
    )
    SEPARATED = (
        "separated",
        "Enfant séparé (ES)",
        "Separated child",
        f"{_IA} lookup-protection-concerns; {_SOP} §5.1.2 L939",
        "separated",
    )
    ORPHAN = (
        "orphan",
        "Orphelin",
        "Orphan",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L97",
        "orphan",
    )
    PSYCHOSOCIAL_DISTRESS = (
        "psychosocial_distress",
        "Détresse psychosociale",
        "Psychosocial distress",
        f"{_IA} lookup-protection-concerns; {_SOP} L849",
        "psychosocial_distress",
    )
    MENTAL_DISORDER = (
        "mental_disorder",
        "Trouble mental",
        "Mental disorder",
        f"{_IA} lookup-protection-concerns",
        "mental_disorder",
    )
    SUBSTANCE_ABUSE = (
        "substance_abuse",
        "Consommation de substances (drogues, produits toxiques)",
        "Substance abuse (drugs, toxic products)",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L699",
        "substance_abuse",
    )
    BELONGS_TO_MARGINALISED = (
        "belongs_to_marginalised",
        "Appartient à un groupe marginalisé",
        "Belongs to a marginalised group",
        f"{_IA} lookup-protection-concerns",
        "belongs_to_marginalised",
    )
    LACK_OF_DOCUMENTATION = (
        "lack_of_documentation_birth_registration",
        "Absence de documents / d'acte de naissance",
        "Lack of documentation / birth registration",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.3 L723",
        "lack_of_documentation_birth_registration",
    )
    CHILD_MARRIAGE = (
        "child_marriage",
        "Mariage d'enfants",
        "Child marriage",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L100",
        "child_marriage",
    )
    FEMALE_GENITAL_MUTILATION = (
        "female_genital_mutilation_fgm",
        "Mutilations génitales féminines / excision (MGF/E)",
        "Female genital mutilation / cutting (FGM/C)",
        f"{_IA} lookup-protection-concerns; {_SOP} §1.2 L100",
        "female_genital_mutilation_fgm",
    )
    PREGNANCY_CHILD_PARENT = (
        "pregnancy_child_parent",
        "Grossesse / enfant parent (fille mère)",
        "Pregnancy / child parent (child mother)",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.1 L609",
        "pregnancy_child_parent",
    )
    DENIAL_OF_RESOURCES = (
        "denial_of_resources_opportunities_or_services",
        "Déni de ressources, d'opportunités ou de services",
        "Denial of resources, opportunities or services",
        f"{_IA} lookup-protection-concerns",
        "denial_of_resources_opportunities_or_services",
    )
    HIGHLY_VULNERABLE_CARE = (
        "highly_vulnerable_care",
        "Pris en charge par une personne très vulnérable",
        "Cared for by a highly vulnerable person",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L703",
        "highly_vulnerable_care",
    )
    CHILD_SURVIVOR_OF_EXPLOSIVE = (
        "child_survivor_of_explosive",
        "Enfant survivant d'un engin explosif",
        "Child survivor of an explosive ordnance",
        f"{_IA} lookup-protection-concerns; {_SOP} §4.2.2 L695",
        "child_survivor_of_explosive",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} lookup-protection-concerns", "other")


class IdentificationSource(LabelledEnum):
    """How the child came to the CM system (SOP §3.4.1 item 1, L416): five sources."""

    OUTREACH = (
        "outreach",
        "Stratégie avancée (maraudes, équipes mobiles, sensibilisation)",
        "Outreach (street patrols, mobile teams, awareness activities)",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    REPORT = (
        "report",
        "Signalement à un service de l'État ou à une ONG de protection",
        "Report to a State service or a CP NGO",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    REFERRAL = (
        "referral",
        "Référencement (service non spécialisé, relais communautaire, OSC, ANU)",
        "Referral (non-specialised service, community relay, CSO, UN agency)",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    APPREHENSION = (
        "apprehension",
        "Interpellation d'un ECL ou d'un EAFGA par une force de sécurité",
        "Apprehension of a child in conflict with the law or a CAAFAG by security forces",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    SELF_REFERRAL = (
        "self_referral",
        "Auto-saisie par l'enfant ou un membre de sa famille",
        "Self-referral by the child or a family member",
        f"{_SOP} §3.4.1 L416",
        None,
    )


class IdentifiedBy(LabelledEnum):
    """Actor who identified the child (SOP §5.1.2 scenarios 1–3, L893–L933; §3.4.1 L416)."""

    STATE_DRPFEF = (
        "state_drpfef",
        "Service de l'État : DRPFEF / SLPFEF",
        "State service: DRPFEF / SLPFEF (women, children and family)",
        f"{_SOP} §5.1.2 L893 (scénario 1)",
        None,
    )
    STATE_DRDS = (
        "state_drds",
        "Service de l'État : DRDS-ES (développement social)",
        "State service: DRDS-ES (social development)",
        f"{_SOP} §5.1.2 L932; §2 L232",
        None,
    )
    STATE_OTHER = (
        "state_other",
        "Autre service étatique non spécialisé",
        "Other non-specialised State service",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    CP_ORGANISATION = (
        "cp_organisation",
        "Organisation de protection de l'enfant (ONG, OSC)",
        "Child-protection organisation (NGO, CSO)",
        f"{_SOP} §5.1.2 L915 (scénario 2)",
        None,
    )
    COMMUNITY_RELAY = (
        "community_relay",
        "Relais / acteur communautaire",
        "Community relay / community actor",
        f"{_SOP} §5.1.2 L929 (scénario 3)",
        None,
    )
    CHILDRENS_ORGANISATION = (
        "childrens_organisation",
        "Organisation d'enfants (ex. AEJT)",
        "Children's organisation (e.g. AEJT)",
        f"{_SOP} §5.1.2 L929",
        None,
    )
    HEALTH_SERVICE = (
        "health_service",
        "Service de santé",
        "Health service",
        f"{_SOP} §5.1.2 L929",
        None,
    )
    EDUCATION_SERVICE = (
        "education_service",
        "Service d'éducation / école",
        "Education service / school",
        f"{_SOP} §5.1.2 L929",
        None,
    )
    SECURITY_FORCES = (
        "security_forces",
        "Forces de défense et de sécurité (police, gendarmerie)",
        "Defence and security forces (police, gendarmerie)",
        f"{_SOP} §5.1.2 L929; §3.4.1 L416",
        None,
    )
    JUSTICE = (
        "justice",
        "Justice (tribunal pour enfants)",
        "Justice (children's court)",
        "requirements §9.10 (Tribunal pour enfants) [not a seed line]",
        None,
    )
    UN_AGENCY = (
        "un_agency",
        "Agence des Nations Unies (ANU : OIM, HCR, UNICEF…)",
        "UN agency (IOM, UNHCR, UNICEF…)",
        f"{_SOP} §3.4.1 L416",
        None,
    )
    TRANSPORTERS_UNION = (
        "transporters_union",
        "Syndicat des transporteurs",
        "Transporters' union",
        f"{_SOP} §5.1.2 L929",
        None,
    )
    FAMILY_MEMBER = (
        "family_member",
        "Membre de la famille",
        "Family member",
        f"{_SOP} §3.4.1 L416 (auto-saisie)",
        None,
    )
    CHILD_SELF = (
        "child_self",
        "L'enfant lui-même / elle-même",
        "The child themself",
        f"{_SOP} §3.4.1 L416 (auto-saisie)",
        None,
    )
    OTHER = ("other", "Autre", "Other", f"{_SOP} §5.1.2 L929 (« autres services »)", None)


class AssessmentDomain(LabelledEnum):
    """The four data-collection domains of the in-depth assessment (SOP §5.2 L986)."""

    CHILD = ("child", "Enfant", "Child", f"{_SOP} §5.2 L986", None)
    FAMILY = ("family", "Famille", "Family", f"{_SOP} §5.2 L986", None)
    COMMUNITY = ("community", "Communauté", "Community", f"{_SOP} §5.2 L986", None)
    SOCIETY = (
        "society",
        "Société (services institutionnels)",
        "Society (institutional services)",
        f"{_SOP} §5.2 L986",
        None,
    )


class ConsentMode(LabelledEnum):
    """How consent was obtained: signed form or recorded verbal consent (SOP §3.4.2.3 L594)."""

    WRITTEN_FORM = (
        "written_form",
        "Fiche de consentement remplie et signée",
        "Consent form filled and signed",
        f"{_SOP} §3.4.2.3 L594",
        None,
    )
    VERBAL_RECORDED = (
        "verbal_recorded",
        "Consentement verbal enregistré",
        "Verbal consent recorded",
        f"{_SOP} §3.4.2.3 L594",
        None,
    )


class ConsentScope(LabelledEnum):
    """What a consent covers (SOP L900, L594, L291, L960; CPIMS+ ``consent`` form).

    ``cpims`` is ``None``: in CPIMS+ each scope is a separate tick-box field, named in the
    source (``disclosure_other_orgs``, ``consent_for_services``, ``consent_for_tracing``,
    ``consent_reporting``), not an option of one lookup.
    """

    SHARE_WITH_THIRD_PARTIES = (
        "share_with_third_parties",
        "Partage d'information avec des tiers contribuant à la résolution du problème",
        "Sharing information with third parties who help solve the problem",
        f"{_SOP} §5.1.2 L900; CPIMS+ disclosure_other_orgs",
        None,
    )
    REFERRAL_TO_SERVICES = (
        "referral_to_services",
        "Référencement vers des services",
        "Referral to services",
        f"{_SOP} §3.4.2.3 L594; CPIMS+ consent_for_services",
        None,
    )
    TRANSFER = (
        "transfer",
        "Transfert du dossier",
        "File transfer",
        f"{_SOP} §2 L291",
        None,
    )
    INVOLVE_FAMILY_IN_INTERVIEWS = (
        "involve_family_in_interviews",
        "Implication de membres de la famille dans les entretiens",
        "Involving family members in interviews",
        f"{_SOP} §5.1.3 L960",
        None,
    )
    FAMILY_TRACING = (
        "family_tracing",
        "Recherche familiale (RFL)",
        "Family tracing (RFL)",
        f"{_SOP} §3.4.1 L456; CPIMS+ consent_for_tracing",
        None,
    )
    DATA_ENTRY_CPIMS = (
        "data_entry_cpims",
        "Saisie dans la base de données (CPIMS+)",
        "Entry in the database (CPIMS+)",
        "requirements §4.1 [INFERRED]; CPIMS+ consent_for_data_collection",
        None,
    )
    STATISTICAL_REPORTING = (
        "statistical_reporting",
        "Utilisation anonymisée pour les statistiques",
        "Anonymised use for statistical reporting",
        f"{_SOP} §6.3 L1195; CPIMS+ consent_reporting",
        None,
    )


class ConsentRecipient(LabelledEnum):
    """Who may receive shared information (CPIMS+ ``consent_info_sharing`` options; SOP L900)."""

    FAMILY = ("family", "Famille", "Family", f"{_IA} consent_info_sharing", "family")
    AUTHORITIES = (
        "authorities",
        "Autorités (services de l'État)",
        "Authorities (State services)",
        f"{_IA} consent_info_sharing; {_SOP} §5.1.2 L926",
        "authorities",
    )
    UNHCR = ("unhcr", "HCR", "UNHCR", f"{_IA} consent_info_sharing; {_SOP} L885", "unhcr")
    OTHER_ORGANIZATIONS = (
        "other_organizations",
        "Autres organisations (prestataires de services)",
        "Other organisations (service providers)",
        f"{_IA} consent_info_sharing; {_SOP} §3.4.2.3 L599",
        "other_organizations",
    )
    OTHERS = ("others", "Autres", "Others", f"{_IA} consent_info_sharing", "others")


class ConsentGiverRelationship(LabelledEnum):
    """Who gave consent or assent, by relationship to the child (SOP L291, L594, L819).

    CPIMS+ ``interview_subject`` is coarser (individual / caregiver / other): parents and
    guardians all map to ``caregiver``, so ``from_cpims("caregiver")`` returns ``mother``.
    """

    CHILD = ("child", "L'enfant", "The child", f"{_SOP} §2 L291", "individual")
    MOTHER = ("mother", "Mère", "Mother", f"{_SOP} §2 L291 (parents)", "caregiver")
    FATHER = ("father", "Père", "Father", f"{_SOP} §2 L291 (parents)", "caregiver")
    LEGAL_GUARDIAN = (
        "legal_guardian",
        "Tuteur / représentant légal",
        "Legal guardian / legal representative",
        f"{_SOP} §3.4.2.3 L594",
        "caregiver",
    )
    OTHER_CAREGIVER = (
        "other_caregiver",
        "Autre personne en charge de l'enfant",
        "Other caregiver",
        f"{_SOP} §4.2.2 L703",
        "caregiver",
    )
    OTHER_FAMILY_MEMBER = (
        "other_family_member",
        "Autre membre de la famille (si présent)",
        "Other family member (if present)",
        f"{_SOP} L819 (« la famille (si présente) »)",
        "caregiver",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} interview_subject", "other")


class LegitimateBasis(LabelledEnum):
    """Legal basis for processing the child's data (CPIMS+ ``lookup-legitimate-basis``).

    The seed only names consent (L594, L900); the other bases record when an organisation acts
    without consent because it is legally authorised (CM course L226).
    """

    CONSENT = (
        "consent",
        "Consentement",
        "Consent",
        f"{_IA} lookup-legitimate-basis; {_SOP} L900",
        "consent",
    )
    CONTRACT = ("contract", "Contrat", "Contract", f"{_IA} lookup-legitimate-basis", "contract")
    VITAL_INTERESTS = (
        "vital_interests",
        "Intérêts vitaux de la personne",
        "Vital interests of the person",
        f"{_IA} lookup-legitimate-basis; {_SOP} §5.1.2 L805 (urgence)",
        "vital_interests",
    )
    BENEFICIARY_INTERESTS = (
        "beneficiary_interests",
        "Intérêt supérieur du bénéficiaire",
        "Best interests of the beneficiary",
        f"{_IA} lookup-legitimate-basis; {_CMG} L226",
        "beneficiary_interests",
    )
    LEGAL_OBLIGATION = (
        "legal_obligation",
        "Obligation légale",
        "Legal obligation",
        f"{_IA} lookup-legitimate-basis; {_CMG} L226",
        "legal_obligation",
    )
    OTHER_LEGITIMATE_INTERESTS = (
        "other_legitimate_interests",
        "Autres intérêts légitimes",
        "Other legitimate interests",
        f"{_IA} lookup-legitimate-basis",
        "other_legitimate_interests",
    )


class SeparationStatus(LabelledEnum):
    """Separation from parents/usual caregivers (CPIMS+ ``lookup-protection-status``; SOP L937–L939)."""

    UNACCOMPANIED = (
        "unaccompanied",
        "Enfant non accompagné (ENA)",
        "Unaccompanied child",
        f"{_SOP} §5.1.2 L938",
        "unaccompanied",
    )
    SEPARATED = (
        "separated",
        "Enfant séparé (ES)",
        "Separated child",
        f"{_SOP} §5.1.2 L939",
        "separated",
    )
    NOT_SEPARATED = (
        "not_separated",
        "Non séparé",
        "Not separated",
        "requirements §3.6 [INFERRED]",
        None,
    )


class SeparationReason(LabelledEnum):
    """Why the child is separated (SOP L937: "raisons économiques, sécuritaires, etc.")."""

    ECONOMIC = ("economic", "Raisons économiques", "Economic reasons", f"{_SOP} §5.1.2 L938")
    SECURITY = (
        "security",
        "Raisons sécuritaires (conflit, déplacement)",
        "Security reasons (conflict, displacement)",
        f"{_SOP} §5.1.2 L938",
    )
    EDUCATION = (
        "education",
        "Éducation (école coranique, confiage scolaire)",
        "Education (Koranic school, fostering for schooling)",
        f"{_SOP} §1.2 L98; §4.2.2 L671 (enfant confié)",
    )
    FAMILY_BREAKDOWN = (
        "family_breakdown",
        "Rupture familiale, abandon ou décès",
        "Family breakdown, abandonment or death",
        f"{_SOP} §4.2.2 L659–L663",
    )
    OTHER = ("other", "Autre", "Other", f"{_SOP} §5.1.2 L938 (« etc. »)")


class Region(LabelledEnum):
    """Regions of Mali, as data (SOP L83; requirements §9.10); ``abbrev`` for case codes.

    The SOP covers the seven assessed regions and may extend to Kidal, Ménaka, Koulikoro
    (L83). The regions created by Law 2012-017 (operational from 2023) are listed too; they
    are not in the seed. ``other`` is the fallback for a place outside Mali.
    """

    BAMAKO = ("bamako", "District de Bamako", "Bamako District", f"{_SOP} L83; Annexe 3 L1424")
    KAYES = ("kayes", "Kayes", "Kayes", f"{_SOP} L83; Annexe 3 L1424")
    KOULIKORO = ("koulikoro", "Koulikoro", "Koulikoro", f"{_SOP} L83 (extension)")
    SIKASSO = ("sikasso", "Sikasso", "Sikasso", f"{_SOP} L83; Annexe 3 L1424")
    SEGOU = ("segou", "Ségou", "Ségou", f"{_SOP} L83; Annexe 3 L1424")
    MOPTI = ("mopti", "Mopti", "Mopti", f"{_SOP} L83; Annexe 3 L1424")
    TOMBOUCTOU = ("tombouctou", "Tombouctou", "Timbuktu", f"{_SOP} L83; Annexe 3 L1424")
    GAO = ("gao", "Gao", "Gao", f"{_SOP} L83; Annexe 3 L1424")
    KIDAL = ("kidal", "Kidal", "Kidal", f"{_SOP} L83 (extension)")
    MENAKA = ("menaka", "Ménaka", "Ménaka", f"{_SOP} L83 (extension)")
    TAOUDENIT = ("taoudenit", "Taoudénit", "Taoudénit", "Loi n°2012-017 [not in seed]")
    NIORO = ("nioro", "Nioro du Sahel", "Nioro du Sahel", "Loi n°2012-017 [not in seed]")
    KITA = ("kita", "Kita", "Kita", "Loi n°2012-017 [not in seed]")
    DIOILA = ("dioila", "Dioïla", "Dioïla", "Loi n°2012-017 [not in seed]")
    NARA = ("nara", "Nara", "Nara", "Loi n°2012-017 [not in seed]")
    BOUGOUNI = ("bougouni", "Bougouni", "Bougouni", "Loi n°2012-017 [not in seed]")
    KOUTIALA = ("koutiala", "Koutiala", "Koutiala", "Loi n°2012-017 [not in seed]")
    SAN = ("san", "San", "San", "Loi n°2012-017 [not in seed]")
    DOUENTZA = ("douentza", "Douentza", "Douentza", "Loi n°2012-017 [not in seed]")
    BANDIAGARA = ("bandiagara", "Bandiagara", "Bandiagara", "Loi n°2012-017 [not in seed]")
    OTHER = ("other", "Autre / hors Mali", "Other / outside Mali", "requirements §3.1 [INFERRED]")

    @property
    def abbrev(self) -> str:
        """Three-letter abbreviation usable in anonymised case codes (e.g. ``MOP``)."""
        return _REGION_ABBREV[self.value]

    @property
    def in_sop_scope(self) -> bool:
        """True for the seven regions assessed for the SOP (L83, Annexe 3)."""
        return self.value in {
            "bamako",
            "kayes",
            "sikasso",
            "segou",
            "mopti",
            "tombouctou",
            "gao",
        }


_REGION_ABBREV = {
    "bamako": "BKO",
    "kayes": "KAY",
    "koulikoro": "KKR",
    "sikasso": "SIK",
    "segou": "SEG",
    "mopti": "MOP",
    "tombouctou": "TBK",
    "gao": "GAO",
    "kidal": "KID",
    "menaka": "MEN",
    "taoudenit": "TAO",
    "nioro": "NIO",
    "kita": "KIT",
    "dioila": "DIO",
    "nara": "NAR",
    "bougouni": "BGN",
    "koutiala": "KTL",
    "san": "SAN",
    "douentza": "DTZ",
    "bandiagara": "BDG",
    "other": "OTH",
}


class DisplacementStatus(LabelledEnum):
    """Displacement status (CPIMS+ ``lookup-displacement-status``; SOP §1.2 L92–L93, L883)."""

    RESIDENT = (
        "resident",
        "Résident",
        "Resident",
        f"{_IA} lookup-displacement-status",
        "resident",
    )
    IDP = (
        "idp",
        "Déplacé interne (PDI)",
        "Internally displaced person (IDP)",
        f"{_IA} lookup-displacement-status; {_SOP} §1.2 L93",
        "idp",
    )
    REFUGEE = (
        "refugee",
        "Réfugié",
        "Refugee",
        f"{_IA} lookup-displacement-status; {_SOP} §1.2 L93",
        "refugee",
    )
    ASYLUM_SEEKER = (
        "asylum_seeker",
        "Demandeur d'asile",
        "Asylum seeker",
        f"{_IA} lookup-displacement-status; {_SOP} L883",
        "asylum_seeker",
    )
    STATELESS_PERSON = (
        "stateless_person",
        "Apatride",
        "Stateless person",
        f"{_IA} lookup-displacement-status",
        "stateless_person",
    )
    RETURNEE = (
        "returnee",
        "Retourné",
        "Returnee",
        f"{_IA} lookup-displacement-status",
        "returnee",
    )
    FOREIGN_NATIONAL = (
        "foreign_national",
        "Ressortissant étranger",
        "Foreign national",
        f"{_IA} lookup-displacement-status",
        "foreign_national",
    )
    MIGRANT = (
        "migrant",
        "Migrant",
        "Migrant",
        f"{_IA} lookup-displacement-status; {_SOP} §1.2 L92",
        "migrant",
    )
    HOST_COMMUNITY = (
        "host_community",
        "Communauté hôte",
        "Host community",
        f"{_IA} lookup-displacement-status; {_SOP} L416",
        "host_community",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} lookup-displacement-status", "other")


class CareArrangement(LabelledEnum):
    """Current care arrangement (CPIMS+ ``lookup-care-arrangements-type``; SOP §1.2 L97–L98)."""

    PARENTS = (
        "parent_s",
        "Parent(s)",
        "Parent(s)",
        f"{_IA} lookup-care-arrangements-type",
        "parent_s",
    )
    STEP_PARENT = (
        "step_parent",
        "Beau-parent",
        "Step-parent",
        f"{_IA} lookup-care-arrangements-type",
        "step_parent",
    )
    CUSTOMARY_CAREGIVERS = (
        "customary_caregiver_s",
        "Tuteur(s) coutumier(s) (enfant confié)",
        "Customary caregiver(s) (fostered child)",
        f"{_IA} lookup-care-arrangements-type; {_SOP} §4.2.2 L671",
        "customary_caregiver_s",
    )
    ADULT_SIBLING = (
        "adult_sibling",
        "Frère ou sœur adulte",
        "Adult sibling",
        f"{_IA} lookup-care-arrangements-type",
        "adult_sibling",
    )
    KINSHIP_CARE = (
        "kinship_care_extended_family",
        "Prise en charge par la famille élargie",
        "Kinship care (extended family)",
        f"{_IA} lookup-care-arrangements-type",
        "kinship_care_extended_family",
    )
    FOSTER_CARE = (
        "foster_care",
        "Famille d'accueil",
        "Foster care",
        f"{_IA} lookup-care-arrangements-type; {_SOP} §1.2 L98",
        "foster_care",
    )
    RESIDENTIAL_CARE = (
        "residential_care",
        "Prise en charge en institution / centre",
        "Residential care / centre",
        f"{_IA} lookup-care-arrangements-type; {_SOP} §1.2 L98",
        "residential_care",
    )
    KAFALA = ("kafala", "Kafala", "Kafala", f"{_IA} lookup-care-arrangements-type", "kafala")
    INDEPENDENT_LIVING = (
        "independent_living",
        "Vie autonome",
        "Independent living",
        f"{_IA} lookup-care-arrangements-type; {_SOP} §5.1.2 L938 (plus de 15 ans)",
        "independent_living",
    )
    CHILD_HEADED_HOUSEHOLD = (
        "child_headed_household",
        "Ménage dirigé par un enfant",
        "Child-headed household",
        f"{_IA} lookup-care-arrangements-type",
        "child_headed_household",
    )
    UNRELATED_ADULT = (
        "unrelated_adult",
        "Adulte sans lien de parenté (ex. maître coranique, employeur)",
        "Unrelated adult (e.g. Koranic teacher, employer)",
        f"{_IA} lookup-care-arrangements-type",
        "unrelated_adult",
    )
    NO_CARE_ARRANGEMENT = (
        "no_care_arrangement",
        "Aucune prise en charge (ex. enfant en situation de rue)",
        "No care arrangement (e.g. street-connected child)",
        f"{_IA} lookup-care-arrangements-type; {_SOP} §1.2 L97",
        "no_care_arrangement",
    )
    OTHER = ("other", "Autre", "Other", f"{_IA} lookup-care-arrangements-type", "other")


class ImmediateNeed(LabelledEnum):
    """Emergency needs handled before any assessment (SOP emergency protocol §5.1.2 L799–L885).

    ``cpims`` is the CPIMS+ ``immediate_concerns_immediate_concern_type`` option (health_care,
    safety, interim_care, other); several values share one option.
    """

    MEDICAL_INJURY = (
        "medical_injury",
        "Urgence médicale : blessures graves",
        "Medical emergency: serious injuries",
        f"{_SOP} §5.1.1.1 L813",
        "health_care",
    )
    RAPE_SEXUAL_VIOLENCE = (
        "rape_sexual_violence",
        "Urgence médicale : viol / violence sexuelle (VBG)",
        "Medical emergency: rape / sexual violence (GBV)",
        f"{_SOP} §5.1.1.1 L813; L902",
        "health_care",
    )
    PSYCHOLOGICAL = (
        "psychological",
        "Prise en charge psychologique d'urgence",
        "Emergency psychological care",
        f"{_SOP} §5.1.1.2 L849",
        "health_care",
    )
    PSYCHOLOGICAL_FIRST_AID = (
        "psychological_first_aid",
        "Premiers secours psychologiques (PSP)",
        "Psychological first aid (PFA)",
        f"{_SOP} §5.1.1.2 L853; L902",
        "health_care",
    )
    PHYSICAL_SAFETY = (
        "physical_safety",
        "Mise en sécurité physique (éloignement de l'auteur)",
        "Physical safety (removal from the perpetrator)",
        f"{_SOP} §5.1.1 L783; §5.1.1.1 L863",
        "safety",
    )
    TEMPORARY_SHELTER = (
        "temporary_shelter",
        "Hébergement provisoire / alternative familiale (72 h maximum)",
        "Temporary shelter / family alternative (72 h maximum)",
        f"{_SOP} §5.1.2 L902; L863",
        "interim_care",
    )
    FOOD_BASIC_NEEDS = (
        "food_basic_needs",
        "Alimentation et besoins de base",
        "Food and basic needs",
        f"{_SOP} §5.1.1 L792; L902",
        "other",
    )
    OTHER = ("other", "Autre", "Other", f"{_SOP} §5.1.2 L799", "other")


class EligibilityOutcome(LabelledEnum):
    """What happened after registration; a trace is kept in every case (SOP §5.1.2 L809)."""

    CASE_OPENED = (
        "case_opened",
        "Dossier ouvert (éligible, pris en charge)",
        "Case opened (eligible, taken on)",
        f"{_SOP} §5.1.2 L901 (option 1)",
        None,
    )
    REFERRED = (
        "referred",
        "Référé vers un partenaire de la cartographie",
        "Referred to a partner from the service map",
        f"{_SOP} §5.1.2 L905 (option 2)",
        None,
    )
    TRANSFERRED = (
        "transferred",
        "Transféré à une structure spécialisée",
        "Transferred to a specialised structure",
        f"{_SOP} §5.1.2 L913",
        None,
    )
    STATE_NOTIFIED = (
        "state_notified",
        "Service de l'État informé, qui reprend la procédure",
        "State service informed, takes the procedure over",
        f"{_SOP} §5.1.2 L926, L932",
        None,
    )
    NOT_ELIGIBLE_RECORDED = (
        "not_eligible_recorded",
        "Non éligible : enregistrement conservé",
        "Not eligible: registration kept on record",
        f"{_SOP} §5.1.2 L809",
        None,
    )


class AlternativeCareOption(LabelledEnum):
    """Rapid alternative-care decision at the initial assessment (SOP §5.1.3 L956, L863–L885)."""

    NONE_NEEDED = (
        "none_needed",
        "Aucune alternative nécessaire",
        "No alternative care needed",
        "requirements §4.3 [INFERRED]",
    )
    EXTENDED_FAMILY = (
        "extended_family",
        "Famille élargie",
        "Extended family",
        f"{_SOP} §5.1.2 L807 (soutiens de famille)",
    )
    FOSTER_FAMILY = ("foster_family", "Famille d'accueil", "Foster family", f"{_SOP} §1.2 L98")
    TEMPORARY_SHELTER = (
        "temporary_shelter",
        "Centre d'hébergement provisoire / de transit",
        "Temporary or transit shelter",
        f"{_SOP} §5.1.1.1 L869",
    )
    ONE_STOP_CENTRE = ("one_stop_centre", "One Stop Center", "One Stop Centre", f"{_SOP} L869")
    OTHER = ("other", "Autre", "Other", "requirements §4.3 [INFERRED]")


class AssessmentRecommendation(LabelledEnum):
    """Outcome of an assessment (SOP §4.3 L745: risk none ⇒ closure; §3.4.2 L559–L564)."""

    PROCEED_TO_ASSESSMENT = (
        "proceed_to_assessment",
        "Poursuivre vers l'évaluation approfondie",
        "Proceed to the in-depth assessment",
        f"{_SOP} §5.1.3 L954",
    )
    PROCEED_TO_PLAN = (
        "proceed_to_plan",
        "Poursuivre vers le plan d'action individuel",
        "Proceed to the individual action plan",
        f"{_SOP} §5.3 L1001",
    )
    CLOSE = (
        "close",
        "Clôturer (risque nul ou enregistré par erreur)",
        "Close (no risk, or registered in error)",
        f"{_SOP} §4.3 L745",
    )
    REFER = ("refer", "Référer", "Refer", f"{_SOP} §3.4.2 L557")
    TRANSFER = ("transfer", "Transférer", "Transfer", f"{_SOP} §3.4.2 L559")


class InformationSource(LabelledEnum):
    """How information was gathered during an assessment (SOP §5.2 L970, L984; CM course C)."""

    CHILD_INTERVIEW = (
        "child_interview",
        "Entretien avec l'enfant",
        "Interview with the child",
        f"{_SOP} §5.2 L984",
    )
    FAMILY_INTERVIEW = (
        "family_interview",
        "Entretien avec la famille",
        "Interview with the family",
        f"{_SOP} §5.2 L984",
    )
    HOME_VISIT = ("home_visit", "Visite à domicile", "Home visit", f"{_SOP} §5.5 L1094–L1096")
    OBSERVATION = ("observation", "Observation", "Observation", f"{_SOP} §5.5 L1094–L1096")
    OTHER_AGENCY = (
        "other_agency",
        "Autre structure / prestataire",
        "Other agency / provider",
        f"{_CMG} L923",
    )
    COMMUNITY_CONTACT = (
        "community_contact",
        "Personne de l'entourage (enseignant, maître d'apprentissage…)",
        "Person who knows the child (teacher, apprenticeship master…)",
        f"{_SOP} §5.2 L978",
    )
    DOCUMENTS = ("documents", "Documents, rapports", "Documents, reports", f"{_CMG} L923")


class TracingStatus(LabelledEnum):
    """Status of family tracing (CPIMS+ ``lookup-tracing-status``; SOP §3.4.1 L456)."""

    OPEN = ("open", "Ouverte", "Open", f"{_IA} lookup-tracing-status", "open")
    TRACING_IN_PROGRESS = (
        "tracing_in_progress",
        "Recherche en cours",
        "Tracing in progress",
        f"{_IA} lookup-tracing-status; {_SOP} §3.4.1 L456",
        "tracing_in_progress",
    )
    VERIFIED = ("verified", "Vérifiée", "Verified", f"{_IA} lookup-tracing-status", "verified")
    REUNIFIED = ("reunified", "Réunifié", "Reunified", f"{_IA} lookup-tracing-status", "reunified")
    CLOSED = ("closed", "Clôturée", "Closed", f"{_IA} lookup-tracing-status", "closed")


class VerificationOutcome(LabelledEnum):
    """Result of verifying a child–adult relationship before reunification (forms 4.C/4.D).

    The seed names the forms only (SOP §6.1.2 L1160); values follow the CPIMS+ ``verification``
    form, which records whether the relationship is confirmed.
    """

    CONFIRMED = (
        "confirmed",
        "Lien confirmé",
        "Relationship confirmed",
        f"{_SOP} §6.1.2 (4.C/4.D); {_IA} verification",
    )
    NOT_CONFIRMED = (
        "not_confirmed",
        "Lien non confirmé",
        "Relationship not confirmed",
        f"{_SOP} §6.1.2 (4.C/4.D); {_IA} verification",
    )
    INCONCLUSIVE = (
        "inconclusive",
        "Non concluant (vérification complémentaire)",
        "Inconclusive (further verification needed)",
        f"{_IA} verification",
    )


class BidSituation(LabelledEnum):
    """Why a formal best-interests determination is needed (CM course L941; UNHCR 2008).

    The course says BID applies in five situations it does not list; the UNHCR Guidelines on
    Determining the Best Interests of the Child (May 2008, ch. 2) define three, used here, plus
    ``other`` for deployments following the 2021 Best Interests Procedure Guidelines.
    """

    DURABLE_SOLUTION_UASC = (
        "durable_solution_uasc",
        "Solution durable pour un enfant non accompagné ou séparé",
        "Durable solution for an unaccompanied or separated child",
        "UNHCR BID Guidelines 2008 ch. 2; CM Guidelines 101 course L941",
    )
    TEMPORARY_CARE_UASC = (
        "temporary_care_uasc",
        "Prise en charge temporaire d'un ENA/ES (circonstances exceptionnelles)",
        "Temporary care of a UASC (exceptional circumstances)",
        "UNHCR BID Guidelines 2008 ch. 2",
    )
    SEPARATION_FROM_PARENTS = (
        "separation_from_parents",
        "Séparation d'avec les parents contre leur volonté",
        "Separation from parents against their will",
        "UNHCR BID Guidelines 2008 ch. 2",
    )
    OTHER = ("other", "Autre situation", "Other situation", f"{_CMG} L941 (cinq situations)")


class DurableSolution(LabelledEnum):
    """Options weighed in a BIA/BID for a refugee or separated child (CM course L937–L941)."""

    FAMILY_REUNIFICATION = (
        "family_reunification",
        "Réunification familiale",
        "Family reunification",
        f"{_SOP} §3.4.1 L456; {_CMG} L941",
    )
    VOLUNTARY_REPATRIATION = (
        "voluntary_repatriation",
        "Rapatriement volontaire",
        "Voluntary repatriation",
        f"{_CMG} L939 (solutions durables)",
    )
    LOCAL_INTEGRATION = (
        "local_integration",
        "Intégration locale",
        "Local integration",
        f"{_CMG} L939 (solutions durables)",
    )
    RESETTLEMENT = (
        "resettlement",
        "Réinstallation dans un pays tiers",
        "Resettlement in a third country",
        f"{_CMG} L939 (solutions durables)",
    )
    ALTERNATIVE_CARE = (
        "alternative_care",
        "Prise en charge alternative (famille d'accueil, kafala…)",
        "Alternative care (foster family, kafala…)",
        f"{_SOP} §1.2 L98",
    )
    OTHER = ("other", "Autre", "Other", f"{_CMG} L941")


class BidDecision(LabelledEnum):
    """Decision of the BID panel (CM course L941: decisions approved by a panel)."""

    APPROVED = (
        "approved",
        "Recommandation approuvée par le panel",
        "Recommendation approved by the panel",
        f"{_CMG} L941",
    )
    REJECTED = (
        "rejected",
        "Recommandation rejetée par le panel",
        "Recommendation rejected by the panel",
        f"{_CMG} L941",
    )
    DEFERRED = (
        "deferred",
        "Décision reportée (informations complémentaires)",
        "Decision deferred (more information needed)",
        f"{_CMG} L941",
    )
