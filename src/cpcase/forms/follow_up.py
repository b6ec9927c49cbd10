"""Step 5 forms: 5.A follow-up, 5.B case review, 5.C follow-up conference report (SOP §5.5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import ValidationInfo, field_validator, model_validator

from cpcase.forms._base import (
    FormBase,
    FormRow,
    ShortText,
    Text,
    check_not_future,
    rule_violation,
)
from cpcase.forms.case_plan import ConferenceReportBase, RowId, duplicate_ids
from cpcase.labels import field
from cpcase.vocab.core import FormClass, RiskLevel, Step
from cpcase.vocab.services import (
    ActivityStatus,
    ClosureReason,
    FollowUpContactType,
    FollowUpType,
    MeetingType,
    ObjectiveAchievement,
    ReviewInformationMethod,
)

__all__ = [
    "ActivityUpdate",
    "CaseFollowUp",
    "CaseReview",
    "FollowUpConferenceReport",
    "FollowUpContact",
    "ObjectiveReview",
]

_SOP = "Mali SOP 2020"
_IA = "CPIMS+ interagency followup_subform_section"


class ActivityUpdate(FormRow):
    """Progress of one plan activity observed during a follow-up contact (SOP L360)."""

    activity_ref: Annotated[
        ShortText,
        field(
            "Activité du plan",
            "Plan activity",
            "``row_id`` of the 3.A plan activity checked.",
            source=f"{_SOP} §3.3.1 L360",
            cpims="specify_action",
        ),
    ]
    interventions_status: Annotated[
        ActivityStatus,
        field(
            "Statut constaté",
            "Status observed",
            "Pending, ongoing, completed or cancelled.",
            source="CPIMS+ interagency cp_case_plan",
            cpims="interventions_status",
        ),
    ]
    comment: Annotated[
        Text | None,
        field("Commentaire", "Comment", "What was observed.", source=f"{_SOP} §3.3.1 L360"),
    ] = None


class FollowUpContact(FormRow):
    """One outing or visit logged on the follow-up sheet (SOP L846; CPIMS+ follow-up row)."""

    row_id: RowId
    followup_date: Annotated[
        dt.date,
        field(
            "Date du suivi",
            "Date of follow-up",
            "Date of the contact; drives the follow-up frequency check.",
            source=f"{_SOP} §4.3 L747; §5.1 L846",
            cpims="followup_date",
        ),
    ]
    followup_type: Annotated[
        FollowUpType,
        field(
            "Type de suivi",
            "Type of follow-up",
            "Purpose category of the follow-up.",
            source=_IA,
            cpims="followup_type",
        ),
    ] = FollowUpType.PLAN_IMPLEMENTATION
    followed_up_through: Annotated[
        FollowUpContactType,
        field(
            "Mode de contact",
            "Followed up through",
            "Home visit, office interview, phone call, visit at the provider...",
            source=f"{_SOP} §5.5 L1094; CM course L1049–L1058",
            cpims="followed_up_through",
        ),
    ]
    followup_with: Annotated[
        ShortText | None,
        field(
            "Personnes rencontrées",
            "Persons met",
            "Who was met, by role (child, mother, teacher...), never by name.",
            source="requirements §4.9 [INFERRED]",
            cpims="followup_with_multi",
        ),
    ] = None
    child_was_seen: Annotated[
        bool | None,
        field(
            "L'enfant a été vu",
            "Child was seen",
            "Whether the child was seen during the contact.",
            source=_IA,
            cpims="child_was_seen",
        ),
    ] = None
    purpose_followup: Annotated[
        Text | None,
        field(
            "Objet du suivi",
            "Purpose of follow-up",
            "Reason for this contact.",
            source=_IA,
            cpims="purpose_followup",
        ),
    ] = None
    activity_updates: Annotated[
        tuple[ActivityUpdate, ...],
        field(
            "Point sur les activités du plan",
            "Plan activities checked",
            "Status of the plan activities followed up on.",
            source=f"{_SOP} §3.3.1 L360",
        ),
    ] = ()
    safety_observations: Annotated[
        Text | None,
        field(
            "Sécurité et bien-être de l'enfant",
            "Child's safety and well-being",
            "Observations on the child's safety and well-being.",
            source=f"{_SOP} §5.1 L840",
        ),
    ] = None
    feedback_on_services: Annotated[
        Text | None,
        field(
            "Appréciation des services reçus",
            "Feedback on services received",
            "Feedback from the child/family on the quality of care.",
            source=f"{_SOP} §5.1 L844",
        ),
    ] = None
    outcome_followup: Annotated[
        Text | None,
        field(
            "Résultat du suivi",
            "Outcome of follow-up",
            "Changes in the child's situation, actions taken.",
            source=_IA,
            cpims="outcome_followup",
        ),
    ] = None
    risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque réévalué",
            "Reassessed risk level",
            "New risk level if the contact changed it (risk is adapted throughout).",
            source=f"{_SOP} §3.3.1 L357",
        ),
    ] = None
    followup_needed_by_date: Annotated[
        dt.date | None,
        field(
            "Prochain contact prévu le",
            "Next contact due by",
            "Date of the next planned contact (may be in the future).",
            source=_IA,
            cpims="followup_needed_by_date",
        ),
    ] = None
    recommend_case_closed: Annotated[
        bool | None,
        field(
            "Clôture recommandée",
            "Closure recommended",
            "Whether the caseworker recommends closing the case.",
            source=_IA,
            cpims="recommend_case_closed",
        ),
    ] = None

    @field_validator("followup_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        if (
            self.followup_needed_by_date is not None
            and self.followup_needed_by_date < self.followup_date
        ):
            raise rule_violation(
                type(self).__name__,
                [("followup_needed_by_date", "before the date of this follow-up")],
            )
        return self


class CaseFollowUp(FormBase):
    """5.A Case follow-up sheet (*Fiche de suivi du cas*; SOP §5.5, L846, L360, L1078).

    Seed-mentioned: every outing and visit is logged on the sheet on return to the office
    (L846); follow-up checks that each rapid action and plan step was carried out (L360);
    feedback on the quality of care is collected (L844); frequency follows the risk level
    (L747). Each contact is one row named after the CPIMS+ ``followup_subform_section``
    fields. Rules: at least one contact; unique row ids; next contact not before the contact.
    """

    form_code: ClassVar[str] = "5.A"
    step: ClassVar[Step] = Step.FOLLOW_UP
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire de suivi du cas"
    name_en: ClassVar[str] = "Case follow-up"

    followup_subform_section: Annotated[
        tuple[FollowUpContact, ...],
        field(
            "Contacts de suivi",
            "Follow-up contacts",
            "Every outing and visit carried out.",
            source=f"{_SOP} §5.1 L846",
            cpims="followup_subform_section",
            min_length=1,
        ),
    ]

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        dups = duplicate_ids([c.row_id for c in self.followup_subform_section])
        if dups:
            raise rule_violation(
                type(self).__name__,
                [("followup_subform_section", f"duplicate row_id {d!r}") for d in dups],
            )
        return self


class ObjectiveReview(FormRow):
    """Whether one specific objective of the plan is met (SOP §5.5 L1076)."""

    objective_ref: Annotated[
        ShortText,
        field(
            "Objectif spécifique",
            "Specific objective",
            "``row_id`` of the 3.A specific objective reviewed.",
            source=f"{_SOP} §5.5 L1076",
        ),
    ]
    achievement: Annotated[
        ObjectiveAchievement,
        field(
            "Atteinte",
            "Achievement",
            "Achieved, partially achieved or not achieved.",
            source=f"{_SOP} §5.5 L1076",
        ),
    ]
    comment: Annotated[
        Text | None,
        field("Commentaire", "Comment", "Evidence and remarks.", source=f"{_SOP} §5.5 L1098"),
    ] = None


class CaseReview(FormBase):
    """5.B Case review (*Formulaire de réexamen du cas*; SOP §5.5 L1088–L1098).

    Seed-mentioned: the review is planned and announced to the actors and the child/family in
    advance (L1092); information is collected by office interview, home visit, observation in
    the family and at the place of learning (L1094); the analysis decides whether objectives
    are met and the plan still relevant, and re-frames it with new specific objectives (L1076,
    L1098); risk is re-assessed and may fall to none (L713). Named after CPIMS+
    ``review_section`` (``review_date``, ``risk_level_changed``, ``recommend_close_case``,
    ``date_next_review``). Rules: the risk level, whether it changed, and a closure
    recommendation are always recorded; ``risk_level_changed`` agrees with the previous level
    when given; a next review date after this one is required unless closure is recommended.
    """

    form_code: ClassVar[str] = "5.B"
    step: ClassVar[Step] = Step.FOLLOW_UP
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire de réexamen du cas"
    name_en: ClassVar[str] = "Case review"

    review_date: Annotated[
        dt.date,
        field(
            "Date de la revue",
            "Review date",
            "Date of the review (HIGH ≥ monthly, MEDIUM ≥ 2-monthly, LOW ≥ 3-monthly).",
            source=f"{_SOP} §4.3 L748",
            cpims="review_date",
        ),
    ]
    review_announced_on: Annotated[
        dt.date | None,
        field(
            "Revue annoncée à l'enfant / la famille le",
            "Review announced to the child / family on",
            "The child and family are informed in advance: no surprise visits.",
            source=f"{_SOP} §5.5 L1092",
        ),
    ] = None
    meeting_type: Annotated[
        MeetingType | None,
        field(
            "Cadre de la revue",
            "Review setting",
            "Review meeting, internal meeting or case conference.",
            source=f"{_SOP} §5.5 L1098",
        ),
    ] = None
    participants: Annotated[
        tuple[ShortText, ...],
        field(
            "Participants (rôles / organisations)",
            "Participants (roles / organisations)",
            "Actors involved in the review, by role or organisation.",
            source=f"{_SOP} §5.5 L1092",
        ),
    ] = ()
    information_collection_methods: Annotated[
        tuple[ReviewInformationMethod, ...],
        field(
            "Méthodes de collecte de l'information",
            "Information collection methods",
            "Office interview, home visit, observation in the family or at the place of learning.",
            source=f"{_SOP} §5.5 L1094",
        ),
    ] = ()
    objectives_review: Annotated[
        tuple[ObjectiveReview, ...],
        field(
            "Atteinte des objectifs",
            "Objectives achieved",
            "For each specific objective: achieved, partially or not.",
            source=f"{_SOP} §5.5 L1076",
        ),
    ] = ()
    plan_still_relevant: Annotated[
        bool,
        field(
            "Le plan reste pertinent",
            "Plan still relevant",
            "Whether the individual action plan is still relevant.",
            source=f"{_SOP} §5.5 L1076",
        ),
    ]
    modifications: Annotated[
        Text | None,
        field(
            "Recadrage du plan",
            "Plan adjustments",
            "How the plan is re-framed.",
            source=f"{_SOP} §5.5 L1098",
        ),
    ] = None
    new_specific_objectives: Annotated[
        tuple[Text, ...],
        field(
            "Nouveaux objectifs spécifiques",
            "New specific objectives",
            "New specific objectives agreed with the child and family.",
            source=f"{_SOP} §5.5 L1098",
        ),
    ] = ()
    previous_risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque précédent",
            "Previous risk level",
            "Risk level before this review.",
            source=f"{_SOP} §3.3.1 L357",
        ),
    ] = None
    risk_level: Annotated[
        RiskLevel,
        field(
            "Niveau de risque réévalué",
            "Reassessed risk level",
            "Risk level after the review; may drop to none thanks to the plan.",
            source=f"{_SOP} §4.3 L713",
            cpims="risk_level",
        ),
    ]
    risk_level_changed: Annotated[
        bool,
        field(
            "Le niveau de risque a changé",
            "Risk level changed",
            "Whether the review changed the risk level.",
            source="CPIMS+ interagency review_section",
            cpims="risk_level_changed",
        ),
    ]
    recommend_close_case: Annotated[
        bool,
        field(
            "Clôture recommandée",
            "Closure recommended",
            "Whether the review recommends closing the case.",
            source="CPIMS+ interagency review_section",
            cpims="recommend_close_case",
        ),
    ]
    recommended_closure_reason: Annotated[
        ClosureReason | None,
        field(
            "Motif de clôture envisagé",
            "Proposed closure reason",
            "Closure reason if closure is recommended.",
            source=f"{_SOP} §5.6 L1106–L1112",
        ),
    ] = None
    date_next_review: Annotated[
        dt.date | None,
        field(
            "Date de la prochaine revue",
            "Next review date",
            "Date of the next review; required unless closure is recommended.",
            source=f"{_SOP} §4.3 L748",
            cpims="date_next_review",
        ),
    ] = None

    @field_validator("review_date", "review_announced_on")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.review_announced_on is not None and self.review_announced_on > self.review_date:
            problems.append(("review_announced_on", "after the review date: not in advance"))
        if (
            self.previous_risk_level is not None
            and (self.previous_risk_level is not self.risk_level) != self.risk_level_changed
        ):
            problems.append(("risk_level_changed", "disagrees with the previous risk level"))
        if self.recommend_close_case:
            if self.date_next_review is not None and self.date_next_review <= self.review_date:
                problems.append(("date_next_review", "must be after the review date"))
        elif self.date_next_review is None:
            problems.append(("date_next_review", "required unless closure is recommended"))
        elif self.date_next_review <= self.review_date:
            problems.append(("date_next_review", "must be after the review date"))
        if self.recommended_closure_reason is not None and not self.recommend_close_case:
            problems.append(("recommend_close_case", "a closure reason is given"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class FollowUpConferenceReport(ConferenceReportBase):
    """5.C Follow-up conference report (*Rapport de conférence de suivi*; SOP §5.5 L1084).

    Class: **complementary** (catalogue [AMBIGUOUS]), for the same reason as 3.B: conferences
    happen when difficulties arise during implementation, not in every file. The seed gives no
    fields; it mirrors 3.B (requirements §4.10), modelled on CPIMS+ ``conference_details``,
    whose guidance distinguishes conferences held during follow-up and review.
    """

    form_code: ClassVar[str] = "5.C"
    step: ClassVar[Step] = Step.FOLLOW_UP
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Formulaire de rapport de conférence de suivi"
    name_en: ClassVar[str] = "Follow-up conference report"
