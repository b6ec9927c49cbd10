"""Forms 1.C — initial (rapid) assessment and 2.A — in-depth assessment.

Both must end with the opinion of the child and of the family on the analysis and the solutions
considered (SOP §2 L291). Both carry a ``strictly_confidential`` section: every file needs a
part marked "strictement confidentiel" for information that must not be shared with some
stakeholders (CM course L763); the sharing rules never let it leave the caseworker and
supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Self

from pydantic import Field, field_validator, model_validator

from cpcase.forms._base import FormBase, FormRow, ShortText, Text, check_not_future, rule_violation
from cpcase.forms.registration import FamilyMember
from cpcase.labels import field
from cpcase.vocab import (
    AlternativeCareOption,
    AssessmentDomain,
    AssessmentRecommendation,
    FormClass,
    ImmediateNeed,
    InformationSource,
    ProtectionConcern,
    ProtectionSituation,
    RiskLevel,
    Step,
)

__all__ = [
    "ConcernDetail",
    "DomainFactors",
    "InDepthAssessmentForm",
    "InformationSourceEntry",
    "InitialAssessmentForm",
]

_SOP = "Mali SOP 2020"
_CMG = "CM Guidelines 101 course"

_CHILD_OPINION = field(
    "Avis de l'enfant",
    "Child's opinion",
    "The child's opinion on the analysis and the solutions considered (end-of-form comment).",
    source=f"{_SOP} §2 L291",
    cpims="assessment_child_views",
)
_FAMILY_OPINION = field(
    "Avis de la famille",
    "Family's opinion",
    "The family's opinion on the analysis and the solutions considered (end-of-form comment).",
    source=f"{_SOP} §2 L291",
)
_STRICTLY_CONFIDENTIAL = field(
    "Strictement confidentiel",
    "Strictly confidential",
    "Especially sensitive information that must not be shared with some stakeholders; "
    "never leaves the caseworker and supervisor.",
    source=f"{_CMG} L763",
)
_RISK_JUSTIFICATION = field(
    "Justification du niveau de risque",
    "Risk level justification",
    "Why this level: the caseworker's professional judgement is what counts.",
    source=f"{_SOP} §4.3 L720–L737; §3.3.1 L357",
    cpims="assessment_risk_level_reasons",
)


class ConcernDetail(FormRow):
    """One protection concern with its details (CPIMS+ ``protection_concern_detail_subform``)."""

    protection_concern_type: Annotated[
        ProtectionConcern,
        field(
            "Type de problème",
            "Concern type",
            source="CPIMS+ protection_concern_details",
            cpims="protection_concern_type",
        ),
    ]
    date_concern_identified: Annotated[
        dt.date | None,
        field(
            "Date d'identification du problème",
            "Date the concern was identified",
            source="CPIMS+ protection_concern_details",
            cpims="date_concern_identified",
        ),
    ] = None
    concern_details: Annotated[
        Text | None,
        field(
            "Détails",
            "Details",
            source="CPIMS+ protection_concern_details",
            cpims="concern_details",
        ),
    ] = None
    concern_intervention_needed: Annotated[
        bool | None,
        field(
            "Intervention nécessaire",
            "Intervention needed",
            source="CPIMS+ interagency protection_concern_details",
            cpims="concern_intervention_needed",
        ),
    ] = None
    concern_action_taken_already: Annotated[
        Text | None,
        field(
            "Actions déjà menées",
            "Action already taken",
            source="CPIMS+ interagency protection_concern_details",
            cpims="concern_action_taken_already",
        ),
    ] = None

    _not_future = field_validator("date_concern_identified")(check_not_future)


class InitialAssessmentForm(FormBase):
    """1.C Initial (rapid) assessment (*Évaluation initiale*), SOP §5.1.3 L950–L962, §6.1.2 L1151.

    Seed-mentioned fields: protection concerns classified primary/secondary (L962), risk level
    (L956), risk and protective factors, short-term protection and risk-reduction measures
    (L960), alternative-care decision and alternatives to detention (L956), family supports to
    involve with the child's consent (L960), schedule and next steps (L954), child's and
    family's opinion (L291). Concern details, immediate needs and the risk justification are
    modelled after CPIMS+ ``protection_concern``, ``protection_concern_details`` and
    ``immediate_concerns``.

    Rules: a primary concern, a risk level with its justification, the child's and the family's
    opinion are required; family members are involved only with the child's consent (L960).
    """

    form_code: ClassVar[str] = "1.C"
    step: ClassVar[Step] = Step.IDENTIFICATION
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Évaluation initiale"
    name_en: ClassVar[str] = "Initial assessment"

    assessment_date: Annotated[
        dt.date,
        field(
            "Date de l'évaluation initiale",
            "Initial assessment date",
            "High risk: before leaving the child; otherwise within 24 h of registration.",
            source=f"{_SOP} §4.3 L744; §5.1.3 L952",
        ),
    ]
    assessment_time: Annotated[
        dt.time | None,
        field("Heure", "Time", "Local time, for the 24 h clock.", source=f"{_SOP} §4.3 L744"),
    ] = None
    emergency_care_provided: Annotated[
        bool,
        field(
            "Prise en charge d'urgence déjà assurée",
            "Emergency care already provided",
            "The rapid assessment follows the immediate first care.",
            source=f"{_SOP} §5.1.3 L952",
        ),
    ] = False
    immediate_needs: Annotated[
        tuple[ImmediateNeed, ...],
        field(
            "Besoins immédiats",
            "Immediate needs",
            source=f"{_SOP} §5.1.3 L956; CPIMS+ immediate_concerns",
            cpims="immediate_concerns_immediate_concern_type",
        ),
    ] = ()
    protection_situations: Annotated[
        tuple[ProtectionSituation, ...],
        field(
            "Situations de l'article 50",
            "Art. 50 situations",
            source=f"{_SOP} §4.2.2 L657–L703",
        ),
    ] = ()
    protection_concern_primary: Annotated[
        ProtectionConcern,
        field(
            "Problème principal",
            "Primary protection concern",
            source=f"{_SOP} §5.1.3 L962",
            cpims="protection_concerns",
        ),
    ]
    protection_concerns_secondary: Annotated[
        tuple[ProtectionConcern, ...],
        field(
            "Problèmes secondaires",
            "Secondary protection concerns",
            source=f"{_SOP} §5.1.3 L962",
            cpims="protection_concerns",
        ),
    ] = ()
    concern_details: Annotated[
        tuple[ConcernDetail, ...],
        field(
            "Détail des problèmes",
            "Concern details",
            source="CPIMS+ protection_concern_details",
            cpims="protection_concern_detail_subform_section",
        ),
    ] = ()
    risk_factors: Annotated[
        tuple[Text, ...],
        field("Facteurs de risque", "Risk factors", source=f"{_SOP} §5.1.3 L960"),
    ] = ()
    protective_factors: Annotated[
        tuple[Text, ...],
        field("Facteurs de protection", "Protective factors", source=f"{_SOP} §5.1.3 L960"),
    ] = ()
    risk_level: Annotated[
        RiskLevel,
        field(
            "Niveau de risque",
            "Risk level",
            "Drives every later deadline.",
            source=f"{_SOP} §5.1.3 L956; §4.3 L713",
            cpims="risk_level",
        ),
    ]
    risk_level_justification: Annotated[Text, _RISK_JUSTIFICATION]
    short_term_protection_measures: Annotated[
        tuple[Text, ...],
        field(
            "Mesures de protection à court terme",
            "Short-term protection measures",
            source=f"{_SOP} §5.1.3 L960",
        ),
    ] = ()
    risk_reduction_measures: Annotated[
        tuple[Text, ...],
        field(
            "Mesures de réduction des risques",
            "Risk-reduction measures",
            source=f"{_SOP} §5.1.3 L960",
        ),
    ] = ()
    alternative_care_decision: Annotated[
        AlternativeCareOption | None,
        field(
            "Décision de prise en charge alternative",
            "Alternative-care decision",
            source=f"{_SOP} §5.1.3 L956",
        ),
    ] = None
    alternatives_to_detention_promoted: Annotated[
        bool | None,
        field(
            "Alternatives à la détention promues (ECL)",
            "Alternatives to detention promoted (child in conflict with the law)",
            source=f"{_SOP} §5.1.3 L956",
        ),
    ] = None
    family_supports_to_involve: Annotated[
        tuple[FamilyMember, ...],
        field(
            "Soutiens familiaux à impliquer",
            "Family supports to involve",
            "Family members to involve in the first interviews, with the child's consent.",
            source=f"{_SOP} §5.1.3 L960",
            cpims="family_details_section",
        ),
    ] = ()
    child_consents_family_involvement: Annotated[
        bool | None,
        field(
            "L'enfant accepte l'implication de sa famille",
            "Child agrees to involve the family",
            source=f"{_SOP} §5.1.3 L960",
        ),
    ] = None
    next_steps: Annotated[
        Text | None,
        field(
            "Prochaines étapes et échéancier",
            "Next steps and schedule",
            source=f"{_SOP} §5.1.3 L954",
        ),
    ] = None
    recommendation: Annotated[
        AssessmentRecommendation | None,
        field("Suite recommandée", "Recommendation", source=f"{_CMG} L917; {_SOP} §5.1.3"),
    ] = None
    child_opinion: Annotated[Text, _CHILD_OPINION]
    family_opinion: Annotated[Text, _FAMILY_OPINION]
    strictly_confidential: Annotated[Text | None, _STRICTLY_CONFIDENTIAL] = None

    _not_future = field_validator("assessment_date")(check_not_future)

    @property
    def protection_concerns(self) -> tuple[ProtectionConcern, ...]:
        """CPIMS+ ``protection_concerns``: the primary concern first, then the secondary ones."""
        return (self.protection_concern_primary, *self.protection_concerns_secondary)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.protection_concern_primary in self.protection_concerns_secondary:
            problems.append(
                ("protection_concerns_secondary", "the primary concern is repeated as secondary")
            )
        if self.family_supports_to_involve and self.child_consents_family_involvement is not True:
            problems.append(
                (
                    "child_consents_family_involvement",
                    "family members are involved only with the child's consent",
                )
            )
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class InformationSourceEntry(FormRow):
    """One source of information of the in-depth assessment (triangulation, SOP L970, L984)."""

    method: Annotated[
        InformationSource,
        field("Méthode", "Method", source=f"{_SOP} §5.2 L984"),
    ]
    person_role: Annotated[
        ShortText | None,
        field(
            "Personne / rôle",
            "Person / role",
            "Role of the person met (teacher, aunt...), not their name.",
            source=f"{_SOP} §5.2 L978",
        ),
    ] = None
    date: Annotated[
        dt.date | None,
        field("Date", "Date", source=f"{_SOP} §5.2 L970"),
    ] = None

    _not_future = field_validator("date")(check_not_future)


class DomainFactors(FormRow):
    """Risk and protective factors of one domain (child, family, community, society)."""

    domain: Annotated[
        AssessmentDomain,
        field("Domaine", "Domain", source=f"{_SOP} §5.2 L986"),
    ]
    risk_factors: Annotated[
        tuple[Text, ...],
        field("Facteurs de risque", "Risk factors", source=f"{_SOP} §5.2 L986"),
    ] = ()
    protective_factors: Annotated[
        tuple[Text, ...],
        field("Facteurs de protection", "Protective factors", source=f"{_SOP} §5.2 L986"),
    ] = ()


class InDepthAssessmentForm(FormBase):
    """2.A In-depth assessment (*Évaluation approfondie*), SOP §5.2 L964–L999, §6.1.2 L1154.

    Seed-mentioned fields: start and completion dates (one week to one month, L970), sources
    and triangulation (L970, L984), living conditions and root causes (L975), risk and
    protective factors in the four domains — "la partie la plus importante du formulaire"
    (L984–L986), analysis and solution pathways (L995–L999), re-assessed risk level (L713),
    child's and family's opinion (L291) and the reasons when a decision goes against their
    wishes (L982). Needs, child seen alone and limits of confidentiality come from the CM course
    (L923–L935); the formal-BID flag from CPIMS+ ``assessment`` (``assessment_formal_bid``).

    Rules: the four domains appear once each, with at least one factor in all; the child's and
    family's opinion are required; a decision against their wishes needs a best-interests
    rationale (L982); completion does not precede the start.
    """

    form_code: ClassVar[str] = "2.A"
    step: ClassVar[Step] = Step.ASSESSMENT
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Évaluation approfondie"
    name_en: ClassVar[str] = "In-depth assessment"

    assessment_start_date: Annotated[
        dt.date,
        field(
            "Date de début",
            "Start date",
            source=f"{_SOP} §5.2 L970",
            cpims="assessment_requested_on",
        ),
    ]
    assessment_completed_date: Annotated[
        dt.date | None,
        field(
            "Date de fin",
            "Completion date",
            source=f"{_SOP} §5.2 L970",
            cpims="assessment_completed_on",
        ),
    ] = None
    information_sources: Annotated[
        tuple[InformationSourceEntry, ...],
        field(
            "Sources d'information",
            "Information sources",
            "Interviews and observations cross-checked (triangulation).",
            source=f"{_SOP} §5.2 L970, L984",
        ),
    ] = ()
    living_conditions: Annotated[
        Text | None,
        field("Conditions de vie", "Living conditions", source=f"{_SOP} §5.2 L972"),
    ] = None
    root_causes: Annotated[
        tuple[Text, ...],
        field("Causes profondes", "Root causes", source=f"{_SOP} §5.2 L975"),
    ] = ()
    domain_factors: Annotated[
        tuple[DomainFactors, ...],
        Field(min_length=4, max_length=4),
        field(
            "Facteurs de risque et de protection par domaine",
            "Risk and protective factors by domain",
            "Child, family, community, society (institutional services): one entry each.",
            source=f"{_SOP} §5.2 L984–L986",
        ),
    ]
    needs: Annotated[
        tuple[Text, ...],
        field(
            "Besoins identifiés",
            "Needs identified",
            "Needs, not services: the answer to the need comes first (SOP L289).",
            source=f"{_CMG} L931; {_SOP} L289",
        ),
    ] = ()
    analysis: Annotated[
        Text | None,
        field(
            "Analyse",
            "Analysis",
            source=f"{_SOP} §5.2 L995–L999",
            cpims="assessment_summary",
        ),
    ] = None
    solution_pathways: Annotated[
        tuple[Text, ...],
        field("Pistes de solution", "Solution pathways", source=f"{_SOP} §5.2 L982, L999"),
    ] = ()
    protection_concerns: Annotated[
        tuple[ProtectionConcern, ...],
        field(
            "Problèmes de protection",
            "Protection concerns",
            "Concerns confirmed by the assessment, the primary one first.",
            source=f"{_SOP} §5.1.2 L935",
            cpims="protection_concerns",
        ),
    ] = ()
    risk_level: Annotated[
        RiskLevel,
        field(
            "Niveau de risque (réévalué)",
            "Risk level (re-assessed)",
            source=f"{_SOP} §4.3 L713",
            cpims="risk_level",
        ),
    ]
    risk_level_justification: Annotated[Text, _RISK_JUSTIFICATION]
    child_seen_alone: Annotated[
        bool | None,
        field(
            "Enfant vu seul",
            "Child seen alone",
            source=f"{_CMG} L923–L935",
            cpims="assessment_child_seen",
        ),
    ] = None
    confidentiality_limits_explained: Annotated[
        bool | None,
        field(
            "Limites de la confidentialité expliquées",
            "Limits of confidentiality explained",
            source=f"{_CMG} L933",
        ),
    ] = None
    child_opinion: Annotated[Text, _CHILD_OPINION]
    family_opinion: Annotated[Text, _FAMILY_OPINION]
    decisions_against_wishes: Annotated[
        Text | None,
        field(
            "Décisions contraires aux souhaits de l'enfant ou de la famille",
            "Decisions against the child's or family's wishes",
            source=f"{_SOP} §5.2 L982",
        ),
    ] = None
    best_interest_rationale: Annotated[
        Text | None,
        field(
            "Motifs au regard de l'intérêt supérieur de l'enfant",
            "Rationale in the child's best interests",
            source=f"{_SOP} §5.2 L982",
        ),
    ] = None
    recommendation: Annotated[
        AssessmentRecommendation | None,
        field(
            "Suite recommandée",
            "Recommendation",
            "No risk: no action or closure recommended.",
            source=f"{_SOP} §4.3 L745",
        ),
    ] = None
    formal_bid_recommended: Annotated[
        bool | None,
        field(
            "Détermination formelle de l'intérêt supérieur (DIS) recommandée",
            "Formal best-interests determination (BID) recommended",
            source=f"{_CMG} L941; CPIMS+ assessment",
            cpims="assessment_formal_bid",
        ),
    ] = None
    strictly_confidential: Annotated[Text | None, _STRICTLY_CONFIDENTIAL] = None

    _not_future = field_validator("assessment_start_date", "assessment_completed_date")(
        check_not_future
    )

    def factors(self, domain: AssessmentDomain) -> DomainFactors:
        """The risk and protective factors recorded for ``domain``."""
        for entry in self.domain_factors:
            if entry.domain is domain:
                return entry
        raise KeyError(domain)  # unreachable for a validated form: all four domains are present

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if (
            self.assessment_completed_date is not None
            and self.assessment_completed_date < self.assessment_start_date
        ):
            problems.append(("assessment_completed_date", "completion precedes the start"))
        domains = [d.domain for d in self.domain_factors]
        if set(domains) != set(AssessmentDomain):
            problems.append(
                (
                    "domain_factors",
                    "give one entry for each domain: child, family, community, society",
                )
            )
        elif not any(d.risk_factors or d.protective_factors for d in self.domain_factors):
            problems.append(("domain_factors", "record at least one risk or protective factor"))
        if len(set(self.protection_concerns)) != len(self.protection_concerns):
            problems.append(("protection_concerns", "a concern is listed twice"))
        if self.decisions_against_wishes is not None and self.best_interest_rationale is None:
            problems.append(
                (
                    "best_interest_rationale",
                    "a decision against the child's or family's wishes needs its reasons",
                )
            )
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
