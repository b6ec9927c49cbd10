"""Best-interests records: the assessment (BIA) and the formal determination (BID).

For refugee children where equivalent national procedures are not available, case management
follows the UNHCR best-interests procedure in two stages (CM course L937–L941): a best-interests
assessment (BIA: comprehensive assessment plus case plan) and, for particularly important
decisions, a best-interests determination (BID / DIS), a formal process with strict safeguards
whose decision is approved by a panel of specialists (including, where possible, UNHCR staff).
The Mali SOP does not describe these records; the CAR working group and the CM course call for
them, and CPIMS+ has ``cp_bia_form``, ``best_interest`` and ``bid_status``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Self

from pydantic import Field, field_validator, model_validator

from cpcase.forms._base import FormBase, FormRow, ShortText, Text, check_not_future, rule_violation
from cpcase.labels import field
from cpcase.vocab import (
    ApprovalStatus,
    BidDecision,
    BidSituation,
    CareArrangement,
    DisplacementStatus,
    DurableSolution,
    FormClass,
    ProtectionConcern,
    RiskLevel,
    SeparationStatus,
    Step,
)

__all__ = ["BestInterestsAssessment", "BestInterestsDetermination", "PanelMember"]

_CMG = "CM Guidelines 101 course"
_SOP = "Mali SOP 2020"
_BIA = "CPIMS+ cp_bia_form / best_interest [modelled]"
_BID = "CPIMS+ bid_status [modelled]; UNHCR BID Guidelines 2008 ch. 3"


class BestInterestsAssessment(FormBase):
    """BIA best-interests assessment (*évaluation de l'intérêt supérieur*), CM course L941.

    Seed-mentioned: the BIA is a comprehensive assessment plus a case plan for the child's
    individual needs, for refugee children (L937–L941); decisions against the child's wishes
    are explained (L300, L935). Other fields are modelled after CPIMS+ ``cp_bia_form`` and
    ``best_interest`` (displacement and separation status, care arrangement, views, options,
    whether a formal BID is needed — ``assessment_formal_bid`` — and the manager's approval
    ``assessment_approved``/``approval_status_assessment``).

    Rules: the child's views and a recommendation are required; recommending a BID needs the
    BID situation; an approved BIA names its approver and date.
    """

    form_code: ClassVar[str] = "BIA"
    step: ClassVar[Step] = Step.ASSESSMENT
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Évaluation de l'intérêt supérieur (EIS)"
    name_en: ClassVar[str] = "Best-interests assessment (BIA)"

    bia_date: Annotated[
        dt.date,
        field("Date de l'évaluation", "Assessment date", source=f"{_CMG} L941"),
    ]
    reason_for_bia: Annotated[
        Text | None,
        field(
            "Motif de l'évaluation",
            "Reason for the assessment",
            source=f"{_CMG} L939",
        ),
    ] = None
    displacement_status: Annotated[
        DisplacementStatus | None,
        field(
            "Statut de déplacement",
            "Displacement status",
            source=f"{_CMG} L939 (enfants réfugiés)",
            cpims="displacement_status",
        ),
    ] = None
    separation_status: Annotated[
        SeparationStatus | None,
        field(
            "Séparation",
            "Separation status",
            source=_BIA,
            cpims="protection_status",
        ),
    ] = None
    care_arrangement: Annotated[
        CareArrangement | None,
        field(
            "Prise en charge actuelle",
            "Current care arrangement",
            source=_BIA,
            cpims="care_arrangements_type",
        ),
    ] = None
    protection_concerns: Annotated[
        tuple[ProtectionConcern, ...],
        field(
            "Problèmes de protection",
            "Protection concerns",
            source=_BIA,
            cpims="protection_concerns",
        ),
    ] = ()
    risk_level: Annotated[
        RiskLevel | None,
        field("Niveau de risque", "Risk level", source=_BIA, cpims="risk_level"),
    ] = None
    family_situation: Annotated[
        Text | None,
        field("Situation familiale", "Family situation", source=_BIA),
    ] = None
    needs: Annotated[
        tuple[Text, ...],
        field(
            "Besoins de l'enfant",
            "Child's needs",
            source=f"{_CMG} L941 (besoins individuels)",
        ),
    ] = ()
    child_opinion: Annotated[
        Text,
        field(
            "Opinion et souhaits de l'enfant",
            "Child's views and wishes",
            source=f"{_CMG} L300; {_SOP} §2 L291",
        ),
    ]
    family_opinion: Annotated[
        Text | None,
        field(
            "Opinion de la famille / des personnes en charge",
            "Family's / caregivers' views",
            source=f"{_SOP} §2 L291",
        ),
    ] = None
    options_considered: Annotated[
        tuple[DurableSolution, ...],
        field(
            "Options envisagées",
            "Options considered",
            source=f"{_CMG} L939",
        ),
    ] = ()
    recommendation: Annotated[
        Text,
        field(
            "Recommandation (plan)",
            "Recommendation (plan)",
            "Actions recommended for the child's individual needs.",
            source=f"{_CMG} L941",
        ),
    ]
    bid_recommended: Annotated[
        bool,
        field(
            "DIS formelle recommandée",
            "Formal BID recommended",
            source=f"{_CMG} L941",
            cpims="assessment_formal_bid",
        ),
    ] = False
    bid_situation: Annotated[
        BidSituation | None,
        field(
            "Situation justifiant une DIS",
            "Situation requiring a BID",
            source=f"{_CMG} L941",
        ),
    ] = None
    approval_status: Annotated[
        ApprovalStatus | None,
        field(
            "Statut de l'approbation",
            "Approval status",
            source=_BIA,
            cpims="approval_status_assessment",
        ),
    ] = None
    approved_by: Annotated[
        ShortText | None,
        field(
            "Approuvé par (superviseur)",
            "Approved by (supervisor)",
            source=_BIA,
        ),
    ] = None
    approved_on: Annotated[
        dt.date | None,
        field(
            "Date de l'approbation",
            "Approval date",
            source=_BIA,
            cpims="assessment_approved_date",
        ),
    ] = None
    strictly_confidential: Annotated[
        Text | None,
        field(
            "Strictement confidentiel",
            "Strictly confidential",
            "Especially sensitive information; never leaves the caseworker and supervisor.",
            source=f"{_CMG} L763",
        ),
    ] = None

    _not_future = field_validator("bia_date", "approved_on")(check_not_future)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.bid_recommended and self.bid_situation is None:
            problems.append(("bid_situation", "a recommended BID needs its situation"))
        if self.approval_status is ApprovalStatus.APPROVED:
            if self.approved_by is None:
                problems.append(("approved_by", "an approved BIA names its approver"))
            if self.approved_on is None:
                problems.append(("approved_on", "an approved BIA has an approval date"))
        if self.approved_on is not None and self.approved_on < self.bia_date:
            problems.append(("approved_on", "approved before the assessment"))
        if len(set(self.options_considered)) != len(self.options_considered):
            problems.append(("options_considered", "an option is listed twice"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class PanelMember(FormRow):
    """A member of the BID panel, by role and affiliation (no personal name needed)."""

    role: Annotated[
        ShortText,
        field(
            "Fonction",
            "Role",
            "E.g. protection officer, social worker, government official.",
            source=f"{_CMG} L941",
        ),
    ]
    organisation: Annotated[
        ShortText,
        field(
            "Organisation",
            "Organisation",
            "Government, partner organisation or UNHCR.",
            source=f"{_CMG} L941",
        ),
    ]
    is_unhcr: Annotated[
        bool,
        field(
            "Membre du personnel du HCR",
            "UNHCR staff member",
            source=f"{_CMG} L941",
        ),
    ] = False


class BestInterestsDetermination(FormBase):
    """BID best-interests determination (*détermination de l'intérêt supérieur*, DIS).

    Seed-mentioned (CM course L941): a formal process for particularly important decisions,
    approved by a panel of specialists (government officials, partner organisations, UNHCR
    staff where possible). Situations follow the UNHCR 2008 BID Guidelines (the course says
    five, without listing them). Options, recommended solution, views, decision and rationale
    are modelled after CPIMS+ ``bid_status`` and the UNHCR BID report.

    Rules: at least two panel members (a panel, not one person); at least one option, the
    recommended solution among them; the rationale is always required (it carries the reasons
    when the decision goes against the child's wishes).
    """

    form_code: ClassVar[str] = "BID"
    step: ClassVar[Step] = Step.CASE_PLAN
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Détermination de l'intérêt supérieur (DIS)"
    name_en: ClassVar[str] = "Best-interests determination (BID)"

    situation: Annotated[
        BidSituation,
        field("Situation", "Situation", source=f"{_CMG} L941; UNHCR BID Guidelines 2008 ch. 2"),
    ]
    bia_ref: Annotated[
        ShortText | None,
        field(
            "Référence de l'EIS",
            "BIA reference",
            "Entry identifier of the best-interests assessment this determination builds on.",
            source=f"{_CMG} L941 (deux étapes)",
        ),
    ] = None
    panel_date: Annotated[
        dt.date,
        field("Date du panel", "Panel date", source=f"{_CMG} L941"),
    ]
    panel_members: Annotated[
        tuple[PanelMember, ...],
        Field(min_length=2),
        field(
            "Membres du panel",
            "Panel members",
            source=f"{_CMG} L941",
        ),
    ]
    options_considered: Annotated[
        tuple[DurableSolution, ...],
        Field(min_length=1),
        field("Options examinées", "Options considered", source=_BID),
    ]
    recommended_solution: Annotated[
        DurableSolution,
        field("Solution recommandée", "Recommended solution", source=_BID),
    ]
    child_opinion: Annotated[
        Text,
        field(
            "Opinion et souhaits de l'enfant",
            "Child's views and wishes",
            source=f"{_CMG} L300; {_SOP} §2 L291",
        ),
    ]
    family_opinion: Annotated[
        Text | None,
        field("Opinion de la famille", "Family's views", source=f"{_SOP} §2 L291"),
    ] = None
    against_child_wishes: Annotated[
        bool,
        field(
            "Décision contraire aux souhaits de l'enfant",
            "Decision against the child's wishes",
            source=f"{_CMG} L300, L935",
        ),
    ] = False
    decision: Annotated[
        BidDecision,
        field("Décision du panel", "Panel decision", source=f"{_CMG} L941", cpims="bid_status"),
    ]
    decision_rationale: Annotated[
        Text,
        field(
            "Motifs de la décision",
            "Decision rationale",
            "How the relevant factors were weighed in the child's best interests.",
            source=f"{_CMG} L941; {_SOP} §5.2 L982",
        ),
    ]
    implementation_deadline: Annotated[
        dt.date | None,
        field(
            "Échéance de mise en œuvre",
            "Implementation deadline",
            source=_BID,
        ),
    ] = None
    strictly_confidential: Annotated[
        Text | None,
        field(
            "Strictement confidentiel",
            "Strictly confidential",
            "Especially sensitive information; never leaves the caseworker and supervisor.",
            source=f"{_CMG} L763",
        ),
    ] = None

    _not_future = field_validator("panel_date")(check_not_future)

    @property
    def unhcr_represented(self) -> bool:
        """True if a UNHCR staff member sat on the panel (expected where possible)."""
        return any(m.is_unhcr for m in self.panel_members)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.recommended_solution not in self.options_considered:
            problems.append(
                ("recommended_solution", "the recommended solution is not among the options")
            )
        if len(set(self.options_considered)) != len(self.options_considered):
            problems.append(("options_considered", "an option is listed twice"))
        if (
            self.implementation_deadline is not None
            and self.implementation_deadline < self.panel_date
        ):
            problems.append(("implementation_deadline", "the deadline precedes the panel"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
