"""Risk and protective factors of the Mali SOP §4.3 risk matrix (L722–L737), plus L707.

The matrix lists, for each Art. 50 situation, example factors that place a child at a given risk
level. The factors in the "high" column aggravate; those in the lower columns protect. Two
factors are derived from the child's data rather than ticked: ``very_young_child`` (age under the
profile's ``risk.very_young_child_under``) and ``girl`` (sex).
"""

from __future__ import annotations

from cpcase.labels import LabelledEnum

__all__ = ["RiskFactor"]

_M = "Mali SOP 2020 §4.3"


class RiskFactor(LabelledEnum):
    """A factor a caseworker can record when suggesting a risk level (SOP §4.3 matrix)."""

    VERY_YOUNG_CHILD = (
        "very_young_child",
        "Enfant en bas-âge",
        "Very young child",
        f"{_M} L723–L737 (age threshold from the profile)",
    )
    GIRL = (
        "girl",
        "Fillette (plus exposée aux risques d'abus sexuels)",
        "Girl (more exposed to sexual abuse)",
        f"{_M} L727",
    )
    DISABILITY_OR_CHRONIC_ILLNESS = (
        "disability_or_chronic_illness",
        "Enfant en situation de handicap ou souffrant de maladie chronique",
        "Child with a disability or a chronic illness",
        f"{_M} L723–L737",
    )
    OUTSIDE_COMMUNITY_OF_ORIGIN = (
        "outside_community_of_origin",
        "Enfant ne vivant pas dans sa communauté d'origine (IDP ou réfugié)",
        "Child not living in their community of origin (IDP or refugee)",
        f"{_M} L723",
    )
    NO_IDENTITY_DOCUMENT = (
        "no_identity_document",
        "Enfant sans document d'identité / acte de naissance",
        "Child without identity document / birth certificate",
        f"{_M} L723, L726",
    )
    LEFT_AT_POLICE_OR_RADIO = (
        "left_at_police_or_radio",
        "Enfant déposé à la police ou dans une radio locale",
        "Child left at the police or a local radio station",
        f"{_M} L726",
    )
    DRUGS_IN_NEIGHBOURHOOD = (
        "drugs_in_neighbourhood",
        "Disponibilité des drogues dans le quartier",
        "Drugs available in the neighbourhood",
        f"{_M} L727",
    )
    UNACCOMPANIED_OR_SEPARATED = (
        "unaccompanied_or_separated",
        "Enfant non accompagné / séparé",
        "Unaccompanied / separated child",
        f"{_M} L727, L728",
    )
    REGULARLY_IN_STREET = (
        "regularly_in_street",
        "Enfant dormant / vivant régulièrement dans la rue",
        "Child regularly sleeping / living in the street",
        f"{_M} L727, L732",
    )
    LIVES_IN_CONFLICT_ZONE = (
        "lives_in_conflict_zone",
        "Enfant vivant dans une zone de conflit",
        "Child living in a conflict zone",
        f"{_M} L727",
    )
    PREVIOUSLY_IN_CONFLICT_WITH_LAW = (
        "previously_in_conflict_with_law",
        "Enfant ayant déjà été en conflit avec la loi",
        "Child previously in conflict with the law",
        f"{_M} L728",
    )
    ILL_TREATED_BY_GUARDIAN_OR_EMPLOYER = (
        "ill_treated_by_guardian_or_employer",
        "Maltraitance physique et/ou psychologique chez son tuteur / employeur",
        "Physical and/or psychological ill-treatment by the guardian / employer",
        f"{_M} L732",
    )
    ABSENCE_OF_CARE = ("absence_of_care", "Absence de soins", "Absence of care", f"{_M} L732")
    ALREADY_ILL_FROM_PRACTICE = (
        "already_ill_from_practice",
        "Enfant déjà affecté par la maladie liée à une pratique qui l'expose",
        "Child already affected by an illness linked to the exposing practice",
        f"{_M} L736",
    )
    BASIC_NEEDS_UNMET_DAILY = (
        "basic_needs_unmet_daily",
        "Insatisfaction quotidienne de ses besoins primaires",
        "Basic needs unmet every day",
        f"{_M} L737",
    )
    IMMINENT_DANGER = (
        "imminent_danger",
        "Imminence du danger",
        "Imminent danger",
        "Mali SOP 2020 §4.2.2 L707",
    )
    SERIOUS_HARM = (
        "serious_harm",
        "Gravité du danger (préjudice grave)",
        "Gravity of the danger (serious harm)",
        "Mali SOP 2020 §4.2.2 L707",
    )
    # Protective factors (lower columns of the matrix).
    INTEGRATED_PROTECTIVE_COMMUNITY = (
        "integrated_protective_community",
        "Enfant déjà intégré dans une communauté protectrice (hôte ou réfugiée/déplacée)",
        "Child already integrated in a protective community (host or refugee/displaced)",
        f"{_M} L723",
    )
    COMMUNITY_FOSTER_FAMILY_DESIGNATED = (
        "community_foster_family_designated",
        "Communauté protectrice ayant désigné une famille d'accueil communautaire",
        "Protective community that has designated a community foster family",
        f"{_M} L723",
    )
    IN_FOSTER_FAMILY_WITH_CARE = (
        "in_foster_family_with_care",
        "Enfant déjà intégré dans une famille d'accueil et bénéficiant des soins appropriés",
        "Child already in a foster family and receiving appropriate care",
        f"{_M} L723",
    )
    PROVISIONALLY_PLACED_BY_POLICE = (
        "provisionally_placed_by_police",
        "Enfant déjà placé provisoirement dans une structure d'accueil par la police",
        "Child already provisionally placed in a shelter by the police",
        f"{_M} L724, L726",
    )
    EXTENDED_FAMILY_CAME_FORWARD = (
        "extended_family_came_forward",
        "Un parent de la famille élargie s'est manifesté pour la garde provisoire",
        "An extended-family relative came forward for provisional custody",
        f"{_M} L724, L726",
    )
    FAMILY_FOUND_NO_NEGLECT_OR_ABUSE = (
        "family_found_no_neglect_or_abuse",
        "Famille retrouvée dès l'enregistrement, sans négligence ni abus",
        "Family found at registration, no neglect or abuse",
        f"{_M} L724, L726",
    )
    POSITIVE_FAMILY_SUPPORT = (
        "positive_family_support",
        "Supports positifs au sein de la famille (nucléaire ou élargie)",
        "Positive support within the family (nuclear or extended)",
        f"{_M} L727",
    )
    PERSONAL_APTITUDES = (
        "personal_aptitudes",
        "Enfant ayant des aptitudes personnelles",
        "Child with personal aptitudes",
        f"{_M} L727",
    )
    FAMILY_FINANCIAL_STABILITY = (
        "family_financial_stability",
        "Stabilité financière de la famille",
        "Family financial stability",
        f"{_M} L727",
    )
    LIVES_WITH_PROTECTIVE_PARENT = (
        "lives_with_protective_parent",
        "Enfant vivant avec un parent / tuteur protecteur",
        "Child living with a protective parent / guardian",
        f"{_M} L732",
    )
