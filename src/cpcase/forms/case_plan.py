"""Step 3 forms: 3.A individual action plan and 3.B case conference report (SOP §5.3, §5.5).

Also holds the shared case-conference model used by 5.C (follow-up conference report).
"""

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
from cpcase.labels import field
from cpcase.vocab.core import FormClass, RiskLevel, Step
from cpcase.vocab.services import (
    ActivityHorizon,
    ActivityStatus,
    ApprovalStatus,
    ContractMode,
    MeetingType,
    PlanObjective,
    ResponsibleRole,
    ServiceCategory,
    ServiceSector,
)

__all__ = [
    "ActionPoint",
    "CaseConferenceReport",
    "ConferenceParticipant",
    "ConferenceReportBase",
    "IndividualActionPlan",
    "PlanActivity",
    "RowId",
    "SpecificObjective",
    "duplicate_ids",
]

_SOP = "Mali SOP 2020"

RowId = Annotated[
    str,
    field(
        "Identifiant de ligne",
        "Row identifier",
        "Stable identifier of this row within the form; used to derive deterministic CPIMS+ "
        "subform unique_id values and to reference the row from other forms.",
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
    ),
]


def duplicate_ids(ids: list[str]) -> list[str]:
    """The identifiers that occur more than once in ``ids`` (sorted)."""
    seen: set[str] = set()
    dups: set[str] = set()
    for i in ids:
        (dups if i in seen else seen).add(i)
    return sorted(dups)


class SpecificObjective(FormRow):
    """A specific objective of the plan, targeting one of the child's main problems (L1011)."""

    row_id: RowId
    description: Annotated[
        Text,
        field(
            "Objectif spécifique",
            "Specific objective",
            "Specific, measurable objective aimed at one of the child's main problems.",
            source=f"{_SOP} §5.3 a) L1011–L1017",
            cpims="intervention_service_goal",
        ),
    ]


class PlanActivity(FormRow):
    """One row of the plan table: an activity with its deadline and responsible person.

    The SOP makes the deadline and the responsible person mandatory (§5.3 b–c, L1019, L1042).
    """

    row_id: RowId
    objective_ref: Annotated[
        ShortText | None,
        field(
            "Objectif spécifique visé",
            "Specific objective addressed",
            "``row_id`` of the specific objective this activity serves.",
            source=f"{_SOP} §5.3 b) L1019",
        ),
    ] = None
    intervention_service_to_be_provided: Annotated[
        Text,
        field(
            "Activité / service à réaliser",
            "Activity / service to be provided",
            "What will be done for the child or family.",
            source=f"{_SOP} §5.3 b) L1019",
            cpims="intervention_service_to_be_provided",
        ),
    ]
    service_category: Annotated[
        ServiceCategory | None,
        field(
            "Catégorie de service",
            "Service category",
            "Category of the service map the activity draws on.",
            source=f"{_SOP} §3.4.1",
        ),
    ] = None
    horizon: Annotated[
        ActivityHorizon | None,
        field(
            "Terme",
            "Horizon",
            "Immediate, short, medium or long term.",
            source=f"{_SOP} §5.3 b) L1019",
        ),
    ] = None
    deadline: Annotated[
        dt.date,
        field(
            "Délai (date limite)",
            "Deadline",
            "Date by which the activity must be carried out (mandatory).",
            source=f"{_SOP} §5.3 b) L1019",
            cpims="case_plan_timeframe",
        ),
    ]
    responsible_role: Annotated[
        ResponsibleRole,
        field(
            "Responsable (rôle)",
            "Responsible person (role)",
            "Who carries out the activity (mandatory): caseworker, supervisor, parent...",
            source=f"{_SOP} §5.3 c) L1042–L1044",
        ),
    ]
    responsible_id: Annotated[
        ShortText | None,
        field(
            "Responsable (identifiant)",
            "Responsible person (identifier)",
            "Staff identifier or role description of the responsible person; never a child's "
            "or family member's name.",
            source=f"{_SOP} §5.3 c) L1042",
        ),
    ] = None
    case_plan_provider_and_contact_details: Annotated[
        ShortText | None,
        field(
            "Prestataire",
            "Provider",
            "Service provider (service-map provider_id or organisation name).",
            source=f"{_SOP} §5.4 L1072",
            cpims="case_plan_provider_and_contact_details",
        ),
    ] = None
    interventions_status: Annotated[
        ActivityStatus,
        field(
            "Statut de l'activité",
            "Activity status",
            "Pending, ongoing, completed or cancelled.",
            source="CPIMS+ interagency cp_case_plan",
            cpims="interventions_status",
        ),
    ] = ActivityStatus.PENDING
    intervention_service_success: Annotated[
        Text | None,
        field(
            "Résultat obtenu",
            "Outcome achieved",
            "What the activity achieved, filled in during follow-up.",
            source="CPIMS+ interagency cp_case_plan",
            cpims="intervention_service_success",
        ),
    ] = None


class IndividualActionPlan(FormBase):
    """3.A Individual action plan (*Plan d'action individuel de l'enfant*, PAI; SOP §5.3).

    Seed-mentioned fields (§5.3 L1001–L1066, L359): general objective, specific objectives,
    the activity table with deadlines and responsible persons, child and family participation,
    supervisor validation in a meeting with the supervisor's signature, the (at least oral)
    contract with the child and family, the follow-up plan. Field names follow CPIMS+
    ``cp_case_plan`` (``date_case_plan``, ``case_plan_goal``, ``case_plan_approved``...,
    ``cp_case_plan_subform_case_plan_interventions``) where CPIMS+ has the field.

    Rules: at least one specific objective; every activity has a deadline and a responsible
    role; activities reference existing objectives; row ids are unique; if any validation field
    is filled (or the plan is marked approved) the supervisor and the validation date are both
    required, a validation date means the plan is approved, and an approved plan carries the
    supervisor's signature.
    """

    form_code: ClassVar[str] = "3.A"
    step: ClassVar[Step] = Step.CASE_PLAN
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Plan d'action individuel de l'enfant"
    name_en: ClassVar[str] = "Individual action plan"

    date_case_plan: Annotated[
        dt.date,
        field(
            "Date du plan",
            "Plan date",
            "Date the plan was drawn up (deadline: HIGH ≤3 days, MEDIUM ≤1 week, LOW ≤2 weeks "
            "after the in-depth assessment).",
            source=f"{_SOP} §4.3 L746",
            cpims="date_case_plan",
        ),
    ]
    case_plan_goal: Annotated[
        PlanObjective,
        field(
            "Objectif général",
            "General objective",
            "Usually reinsertion or rehabilitation (physical, psychological, legal).",
            source=f"{_SOP} §5.3 a) L1011",
            cpims="case_plan_goal",
        ),
    ]
    case_plan_goal_details: Annotated[
        Text | None,
        field(
            "Précisions sur l'objectif général",
            "General objective details",
            "Wording of the general objective; required when the objective is 'other'.",
            source=f"{_SOP} §5.3 a) L1011",
        ),
    ] = None
    specific_objectives: Annotated[
        tuple[SpecificObjective, ...],
        field(
            "Objectifs spécifiques",
            "Specific objectives",
            "At least one specific objective targeting the child's main problems.",
            source=f"{_SOP} §5.3 a) L1011–L1017",
            min_length=1,
        ),
    ]
    activities: Annotated[
        tuple[PlanActivity, ...],
        field(
            "Activités du plan (tableau)",
            "Plan activities (table)",
            "The plan table: each activity with its deadline and responsible person.",
            source=f"{_SOP} §5.3 b–c) L1019–L1044, L1066",
            cpims="cp_case_plan_subform_case_plan_interventions",
            min_length=1,
        ),
    ]
    child_participated: Annotated[
        bool,
        field(
            "L'enfant a participé à l'élaboration",
            "Child took part in drawing up the plan",
            "Participation of the child (SOP: the child must never be a passive actor).",
            source=f"{_SOP} §5.3 d) L1046–L1056",
        ),
    ]
    family_participated: Annotated[
        bool,
        field(
            "La famille / le tuteur a participé",
            "Family / guardian took part",
            "Participation of the family or guardian.",
            source=f"{_SOP} §5.3 d) L1046–L1056",
        ),
    ]
    child_opinion: Annotated[
        Text | None,
        field(
            "Avis de l'enfant sur le plan",
            "Child's opinion on the plan",
            "The child's views on the proposed activities.",
            source=f"{_SOP} §5.3 d) L1048",
        ),
    ] = None
    family_opinion: Annotated[
        Text | None,
        field(
            "Avis de la famille sur le plan",
            "Family's opinion on the plan",
            "The family's or guardian's views on the proposed activities.",
            source=f"{_SOP} §5.3 d) L1048",
        ),
    ] = None
    contract_mode: Annotated[
        ContractMode | None,
        field(
            "Contractualisation avec l'enfant et la famille",
            "Agreement with the child and family",
            "How the plan was contracted: at least orally whenever possible.",
            source=f"{_SOP} §5.3 f) L1062–L1064",
        ),
    ] = None
    copy_given_to_child: Annotated[
        bool | None,
        field(
            "Copie simple remise à l'enfant",
            "Simple copy given to the child",
            "Whether the child received a simple written copy of the plan.",
            source="CM course L966",
        ),
    ] = None
    validation_meeting_date: Annotated[
        dt.date | None,
        field(
            "Date de la réunion de validation",
            "Validation meeting date",
            "Meeting where the caseworker presented and justified the plan to the supervisor.",
            source=f"{_SOP} §5.3 e) L1058–L1060",
        ),
    ] = None
    supervisor_id: Annotated[
        ShortText | None,
        field(
            "Superviseur (identifiant)",
            "Supervisor (identifier)",
            "Supervisor who validates the plan.",
            source=f"{_SOP} §3.3.1 L359",
        ),
    ] = None
    supervisor_signed: Annotated[
        bool,
        field(
            "Signature du superviseur apposée",
            "Supervisor's signature on the form",
            "The supervisor validates the plan by signing the dedicated form.",
            source=f"{_SOP} §3.3.1 L359",
        ),
    ] = False
    case_plan_approved: Annotated[
        bool,
        field(
            "Plan validé par le superviseur",
            "Plan validated by the supervisor",
            "All plans should be validated by the supervisor.",
            source=f"{_SOP} §5.3 e) L1060",
            cpims="case_plan_approved",
        ),
    ] = False
    case_plan_approved_date: Annotated[
        dt.date | None,
        field(
            "Date de validation",
            "Validation date",
            "Date the supervisor validated the plan.",
            source=f"{_SOP} §3.3.1 L359",
            cpims="case_plan_approved_date",
        ),
    ] = None
    approval_status_case_plan: Annotated[
        ApprovalStatus | None,
        field(
            "Statut d'approbation",
            "Approval status",
            "CPIMS+ approval workflow status of the plan.",
            source="CPIMS+ interagency cp_case_plan",
            cpims="approval_status_case_plan",
        ),
    ] = None
    case_plan_approved_comments: Annotated[
        Text | None,
        field(
            "Commentaires du superviseur",
            "Supervisor's comments",
            "Comments made when validating or rejecting the plan.",
            source="CPIMS+ interagency cp_case_plan",
            cpims="case_plan_approved_comments",
        ),
    ] = None
    case_plan_monitoring_schedule: Annotated[
        Text | None,
        field(
            "Plan de suivi de la mise en œuvre",
            "Implementation follow-up plan",
            "Planned follow-up frequency and arrangements (by risk level).",
            source=f"{_SOP} §5.5 L1078",
            cpims="case_plan_monitoring_schedule",
        ),
    ] = None
    next_followup_date: Annotated[
        dt.date | None,
        field(
            "Date de la prochaine visite de suivi",
            "Next follow-up date",
            "Planned date of the next follow-up contact.",
            source=f"{_SOP} §5.5 L1078",
        ),
    ] = None
    date_next_review: Annotated[
        dt.date | None,
        field(
            "Date de la prochaine revue",
            "Next review date",
            "Planned date of the first case review.",
            source=f"{_SOP} §4.3 L748",
            cpims="date_next_review",
        ),
    ] = None

    @field_validator("date_case_plan", "validation_meeting_date", "case_plan_approved_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.case_plan_goal is PlanObjective.OTHER and self.case_plan_goal_details is None:
            problems.append(
                ("case_plan_goal_details", "required when the general objective is 'other'")
            )
        objective_ids = [o.row_id for o in self.specific_objectives]
        for dup in duplicate_ids(objective_ids):
            problems.append(("specific_objectives", f"duplicate row_id {dup!r}"))
        for dup in duplicate_ids([a.row_id for a in self.activities]):
            problems.append(("activities", f"duplicate row_id {dup!r}"))
        known = set(objective_ids)
        for a in self.activities:
            if a.objective_ref is not None and a.objective_ref not in known:
                problems.append(
                    ("activities", f"activity {a.row_id!r} refers to an unknown objective")
                )
        validation_started = (
            self.case_plan_approved
            or self.supervisor_signed
            or self.case_plan_approved_date is not None
            or self.supervisor_id is not None
            or self.validation_meeting_date is not None
            or self.approval_status_case_plan is ApprovalStatus.APPROVED
        )
        if validation_started:
            if self.supervisor_id is None:
                problems.append(("supervisor_id", "plan validation needs the supervisor"))
            if self.case_plan_approved_date is None:
                problems.append(("case_plan_approved_date", "plan validation needs a date"))
        if self.case_plan_approved_date is not None and not self.case_plan_approved:
            problems.append(("case_plan_approved", "a validation date is given"))
        if self.case_plan_approved and not self.supervisor_signed:
            problems.append(
                ("supervisor_signed", "the supervisor validates the plan by signing the form")
            )
        if (
            self.approval_status_case_plan is ApprovalStatus.APPROVED
            and not self.case_plan_approved
        ):
            problems.append(("case_plan_approved", "approval status 'approved' needs this set"))
        if (
            self.case_plan_approved_date is not None
            and self.case_plan_approved_date < self.date_case_plan
        ):
            problems.append(("case_plan_approved_date", "before the plan date"))
        if (
            self.validation_meeting_date is not None
            and self.validation_meeting_date < self.date_case_plan
        ):
            problems.append(("validation_meeting_date", "before the plan date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class ConferenceParticipant(FormRow):
    """A participant in a case conference: organisation and role, never a personal name."""

    organisation: Annotated[
        ShortText,
        field(
            "Organisation / service",
            "Organisation / service",
            "Organisation or service represented.",
            source="CPIMS+ interagency conference_participants",
        ),
    ]
    role: Annotated[
        ShortText,
        field(
            "Rôle / fonction",
            "Role / function",
            "Role of the participant (caseworker, supervisor, psychologist, judge...).",
            source="CPIMS+ interagency conference_participants",
        ),
    ]
    sector: Annotated[
        ServiceSector | None,
        field(
            "Secteur",
            "Sector",
            "Sector of the organisation (case conferences are multi-sector).",
            source="CM course L1062–L1068",
        ),
    ] = None


class ActionPoint(FormRow):
    """A decision of the conference turned into an action with a responsible person and date."""

    row_id: RowId
    action: Annotated[
        Text,
        field(
            "Action / référencement / service",
            "Action / referral / service",
            "Action decided by the conference.",
            source="CPIMS+ interagency conference_followup_actions",
        ),
    ]
    responsible_role: Annotated[
        ResponsibleRole,
        field(
            "Responsable (rôle)",
            "Responsible person (role)",
            "Who carries out the action.",
            source="CPIMS+ interagency conference_followup_actions",
        ),
    ]
    responsible_id: Annotated[
        ShortText | None,
        field(
            "Responsable (identifiant)",
            "Responsible person (identifier)",
            "Staff identifier or organisation of the responsible person.",
            source="CPIMS+ interagency conference_followup_actions",
        ),
    ] = None
    deadline: Annotated[
        dt.date,
        field(
            "Délai",
            "Deadline",
            "Date by which the action must be done.",
            source="requirements §4.6 [INFERRED]",
        ),
    ]


class ConferenceReportBase(FormBase):
    """Fields shared by the case conference report (3.B) and the follow-up conference report (5.C).

    The seed gives no field list (requirements §4.6, §4.10). The fields model what a
    caseworker fills in the CPIMS+ interagency ``conference_details_subform_section``
    (``conference_date``, ``conference_reason``, ``conference_participants``...), plus the
    SOP's own points: the supervisor leads inter-agency conferences (Annexe 1 L1328), the
    child/family is prepared if attending (L1056), action points carry a responsible person
    and a deadline. Participants are recorded by organisation and role, never by name.
    """

    conference_date: Annotated[
        dt.date,
        field(
            "Date de la conférence",
            "Conference date",
            "Date the case conference was held.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_date",
        ),
    ]
    conference_type: Annotated[
        MeetingType,
        field(
            "Type de réunion",
            "Type of meeting",
            "Case conference, or the internal/provider meeting the report records.",
            source=f"{_SOP} §5.5 L1080–L1086",
            cpims="conference_type",
        ),
    ] = MeetingType.CASE_CONFERENCE
    conference_reason: Annotated[
        Text,
        field(
            "Motif de la conférence",
            "Reason for the conference",
            "Why external expertise is needed (complex or multi-sector case, difficulties).",
            source=f"{_SOP} §5.5 L1084",
            cpims="conference_reason",
        ),
    ]
    chair_role: Annotated[
        ResponsibleRole | None,
        field(
            "Animée par (rôle)",
            "Chaired by (role)",
            "The supervisor leads inter-agency case conferences.",
            source=f"{_SOP} Annexe 1 L1328",
        ),
    ] = None
    conference_participants: Annotated[
        tuple[ConferenceParticipant, ...],
        field(
            "Participants",
            "Participants",
            "Organisations and roles present (no personal names).",
            source="CPIMS+ interagency conference_details",
            cpims="conference_participants",
            min_length=1,
        ),
    ]
    conference_current_situation: Annotated[
        Text,
        field(
            "Résumé de la situation actuelle",
            "Summary of the current situation",
            "Main protection issues, current care arrangement, reasons for the conference.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_current_situation",
        ),
    ]
    conference_discussions_options: Annotated[
        Text | None,
        field(
            "Options discutées",
            "Options discussed",
            "Service options and interventions discussed, in the child's best interests.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_discussions_options",
        ),
    ] = None
    conference_outcome_recommendations: Annotated[
        Text,
        field(
            "Décisions et recommandations",
            "Decisions and recommendations",
            "Outcome of the conference and its justification.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_outcome_recommendations",
        ),
    ]
    action_points: Annotated[
        tuple[ActionPoint, ...],
        field(
            "Actions à mener",
            "Action points",
            "Follow-up actions, referrals or services with responsible persons and deadlines.",
            source="CPIMS+ interagency conference_followup_actions",
            cpims="conference_followup_actions",
        ),
    ] = ()
    details_anyone_disagrees: Annotated[
        Text | None,
        field(
            "Désaccords exprimés",
            "Disagreements",
            "Who disagrees with parts of the plan and why.",
            source="CPIMS+ interagency conference_details",
            cpims="details_anyone_disagrees",
        ),
    ] = None
    was_child_present: Annotated[
        bool,
        field(
            "L'enfant était présent",
            "Child was present",
            "Whether the child attended the conference.",
            source="CPIMS+ interagency conference_details",
            cpims="was_child_present",
        ),
    ]
    was_caregiver_present: Annotated[
        bool,
        field(
            "Le parent / tuteur était présent",
            "Caregiver was present",
            "Whether the caregiver attended the conference.",
            source="CPIMS+ interagency conference_details",
            cpims="was_caregiver_present",
        ),
    ]
    child_family_prepared: Annotated[
        bool | None,
        field(
            "Enfant / famille préparés à la conférence",
            "Child / family prepared for the conference",
            "If they attend, the child and family are prepared beforehand.",
            source=f"{_SOP} §5.3 d) L1056",
        ),
    ] = None
    child_family_views: Annotated[
        Text | None,
        field(
            "Avis de l'enfant et de la famille",
            "Views of the child and family",
            "Views collected from the child and family, present or not.",
            source="CM course L1068",
        ),
    ] = None
    conference_adjustments: Annotated[
        bool | None,
        field(
            "Ajustements du plan nécessaires",
            "Plan adjustments needed",
            "Whether the individual action plan must be adjusted.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_adjustments",
        ),
    ] = None
    risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque retenu",
            "Risk level agreed",
            "Risk level agreed by the conference, if reassessed.",
            source=f"{_SOP} §3.3.1 L357",
        ),
    ] = None
    conference_monitoring_schedule: Annotated[
        Text | None,
        field(
            "Calendrier de suivi",
            "Follow-up / monitoring schedule",
            "Agreed follow-up and monitoring arrangements.",
            source="CPIMS+ interagency conference_details",
            cpims="conference_monitoring_schedule",
        ),
    ] = None
    date_next_conference: Annotated[
        dt.date | None,
        field(
            "Date de la prochaine conférence",
            "Next conference date",
            "Date of the next case conference, if one is needed.",
            source="CPIMS+ interagency conference_details",
            cpims="date_next_conference",
        ),
    ] = None

    @field_validator("conference_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        for dup in duplicate_ids([a.row_id for a in self.action_points]):
            problems.append(("action_points", f"duplicate row_id {dup!r}"))
        if self.date_next_conference is not None and (
            self.date_next_conference <= self.conference_date
        ):
            problems.append(("date_next_conference", "must be after the conference date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class CaseConferenceReport(ConferenceReportBase):
    """3.B Case conference report (*Rapport de conférence de cas*; SOP §5.5 L1084, L363, L1328).

    Class: **complementary** (the catalogue table marks it [AMBIGUOUS]). A case conference is
    held only for complex or multi-sector cases when external expertise is needed (L1084), so
    not every file from opening to closure contains one, which is what §6.1.1 (a) requires of a
    main form (L1133). Fields: see :class:`ConferenceReportBase` (seed silent; modelled on
    CPIMS+ ``conference_details``).
    """

    form_code: ClassVar[str] = "3.B"
    step: ClassVar[Step] = Step.CASE_PLAN
    form_class: ClassVar[FormClass] = FormClass.COMPLEMENTARY
    name_fr: ClassVar[str] = "Rapport de conférence de cas"
    name_en: ClassVar[str] = "Case conference report"
