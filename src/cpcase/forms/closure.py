"""Step 6 forms: 6.A closure, 6.B child feedback, 6.C adult feedback (SOP §5.6 L1100–L1121)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import ValidationInfo, field_validator, model_validator

from cpcase.forms._base import FormBase, ShortText, Text, check_not_future, rule_violation
from cpcase.labels import field
from cpcase.vocab.core import FormClass, Step
from cpcase.vocab.services import ApprovalStatus, ClosureReason

__all__ = ["AdultFeedback", "CaseClosure", "ChildFeedback", "FeedbackBase"]

_SOP = "Mali SOP 2020"
_IA = "CPIMS+ interagency closure_form"


class CaseClosure(FormBase):
    """6.A Case closure (*Formulaire de clôture du dossier*; SOP §5.6 L1100–L1121).

    Seed-mentioned: the justified reason (L1106–L1112); for "child/family declined" the
    caseworker makes sure there is no danger and that significant progress was recorded
    (L1110); for "lost to follow-up" closing before 3 months is advised against (L1111); the
    decision is taken with the child and family (L1116); a closure interview with feedback
    (L1117); a transition period with several follow-up visits and at least one review (L1118);
    supervisor validation in a closure meeting (L1119); the child/family told they can come
    back (L1120); the physical file archived (L1121). Other fields follow CPIMS+
    ``closure_form``.

    Rules: ``child_family_declined`` needs ``no_danger_confirmed`` and
    ``significant_progress_recorded`` both true; ``lost_to_follow_up`` needs
    ``last_contact_date`` (closure date not before it; the 3-month advice is a rule-layer
    warning, not a form error); ``transferred`` needs the A.2 reference; if any validation
    field is filled the supervisor, the closure-meeting date and the validation date are all
    required, and a validation date means the closure is approved.
    """

    form_code: ClassVar[str] = "6.A"
    step: ClassVar[Step] = Step.CLOSURE
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire de clôture du dossier"
    name_en: ClassVar[str] = "Case closure"

    date_closure: Annotated[
        dt.date,
        field(
            "Date de clôture",
            "Date of closure",
            "Date the file is closed.",
            source=f"{_SOP} §5.6",
            cpims="date_closure",
        ),
    ]
    closure_reason: Annotated[
        ClosureReason,
        field(
            "Motif de clôture",
            "Closure reason",
            "One of the justified closure situations.",
            source=f"{_SOP} §5.6 L1106–L1112",
            cpims="closure_reason",
        ),
    ]
    closure_details: Annotated[
        Text | None,
        field(
            "Précisions sur le motif",
            "Closure reason details",
            "Further details on the reason for closure.",
            source=_IA,
            cpims="closure_details",
        ),
    ] = None
    closure_current_situation: Annotated[
        Text | None,
        field(
            "Situation actuelle de l'enfant / progrès constatés",
            "Current situation / progress recorded",
            "Summary of the child's situation at closure and of the progress made.",
            source=f"{_SOP} §5.6 L1110",
            cpims="closure_current_situation",
        ),
    ] = None
    no_danger_confirmed: Annotated[
        bool | None,
        field(
            "Absence de danger pour l'enfant vérifiée",
            "No danger to the child confirmed",
            "Required (true) when the child/family declined further support.",
            source=f"{_SOP} §5.6 L1110",
        ),
    ] = None
    significant_progress_recorded: Annotated[
        bool | None,
        field(
            "Évolution significative enregistrée",
            "Significant progress recorded",
            "Required (true) when the child/family declined further support.",
            source=f"{_SOP} §5.6 L1110",
        ),
    ] = None
    last_contact_date: Annotated[
        dt.date | None,
        field(
            "Date du dernier contact",
            "Last contact date",
            "Required when the child is lost to follow-up (closure advised ≥ 3 months later).",
            source=f"{_SOP} §5.6 L1111",
        ),
    ] = None
    transfer_ref: Annotated[
        ShortText | None,
        field(
            "Formulaire de transfert (A.2)",
            "Transfer form (A.2)",
            "``entry_id`` of the A.2 transfer; required when the reason is 'transferred'.",
            source=f"{_SOP} §5.6 L1109",
        ),
    ] = None
    closure_discussed_child: Annotated[
        bool | None,
        field(
            "Décision prise avec l'enfant",
            "Decision taken with the child",
            "Closure discussed and agreed with the child (if possible and appropriate).",
            source=f"{_SOP} §5.6 L1116",
            cpims="closure_discussed_child",
        ),
    ] = None
    closure_discussed_caregiver: Annotated[
        bool | None,
        field(
            "Décision prise avec la famille",
            "Decision taken with the family",
            "Closure discussed and agreed with the family or guardian.",
            source=f"{_SOP} §5.6 L1116",
            cpims="closure_discussed_caregiver",
        ),
    ] = None
    transition_followups_count: Annotated[
        int | None,
        field(
            "Visites de suivi pendant la période de transition",
            "Follow-up visits during the transition period",
            "Number of follow-up visits after plan implementation ('plusieurs').",
            source=f"{_SOP} §5.6 L1118",
            ge=0,
            le=1000,
        ),
    ] = None
    last_review_date: Annotated[
        dt.date | None,
        field(
            "Date de la dernière revue du dossier",
            "Last case review date",
            "At least one review meeting is held before closure.",
            source=f"{_SOP} §5.6 L1118",
        ),
    ] = None
    closure_interview_date: Annotated[
        dt.date | None,
        field(
            "Date de l'entretien de clôture avec l'enfant",
            "Closure interview with the child",
            "Joint review of the change process with the child.",
            source=f"{_SOP} §5.6 L1117",
        ),
    ] = None
    closure_child_feedback_form: Annotated[
        bool | None,
        field(
            "Feedback de l'enfant recueilli (6.B)",
            "Child feedback collected (6.B)",
            "Whether the child feedback form was completed.",
            source=f"{_SOP} §5.6 L1117",
            cpims="closure_child_feedback_form",
        ),
    ] = None
    closure_caregiver_feedback_form: Annotated[
        bool | None,
        field(
            "Feedback de l'adulte recueilli (6.C)",
            "Adult feedback collected (6.C)",
            "Whether the adult feedback form was completed.",
            source=f"{_SOP} §5.6 L1117",
            cpims="closure_caregiver_feedback_form",
        ),
    ] = None
    closure_meeting_date: Annotated[
        dt.date | None,
        field(
            "Date de la réunion de clôture",
            "Closure meeting date",
            "The supervisor validates the closure in a case-closure meeting.",
            source=f"{_SOP} §5.6 L1119",
        ),
    ] = None
    supervisor_id: Annotated[
        ShortText | None,
        field(
            "Superviseur (identifiant)",
            "Supervisor (identifier)",
            "Supervisor who validates the closure.",
            source=f"{_SOP} §5.6 L1119",
        ),
    ] = None
    closure_approved: Annotated[
        bool,
        field(
            "Clôture validée par le superviseur",
            "Closure validated by the supervisor",
            "Whether the supervisor has validated the closure.",
            source=f"{_SOP} §5.6 L1119",
            cpims="closure_approved",
        ),
    ] = False
    closure_approved_date: Annotated[
        dt.date | None,
        field(
            "Date de validation",
            "Validation date",
            "Date the supervisor validated the closure.",
            source=_IA,
            cpims="closure_approved_date",
        ),
    ] = None
    approval_status_closure: Annotated[
        ApprovalStatus | None,
        field(
            "Statut d'approbation",
            "Approval status",
            "CPIMS+ approval workflow status of the closure.",
            source=_IA,
            cpims="approval_status_closure",
        ),
    ] = None
    closure_approved_comments: Annotated[
        Text | None,
        field(
            "Commentaires du superviseur",
            "Supervisor's comments",
            "Comments made when validating or rejecting the closure.",
            source=_IA,
            cpims="closure_approved_comments",
        ),
    ] = None
    closure_child_told_contact_support: Annotated[
        bool | None,
        field(
            "Enfant / famille informés qu'ils peuvent recontacter l'équipe",
            "Child / family told they can contact the team again",
            "After closure the child and family may contact the case-management team.",
            source=f"{_SOP} §5.6 L1120",
            cpims="closure_child_told_contact_support",
        ),
    ] = None
    physical_file_archive_location: Annotated[
        ShortText | None,
        field(
            "Lieu d'archivage du dossier physique",
            "Physical file archive location",
            "Safe and accessible place where the paper file is archived.",
            source=f"{_SOP} §5.6 L1121",
        ),
    ] = None

    @field_validator(
        "date_closure",
        "last_contact_date",
        "last_review_date",
        "closure_interview_date",
        "closure_meeting_date",
        "closure_approved_date",
    )
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        reason = self.closure_reason
        if reason is ClosureReason.CHILD_FAMILY_DECLINED:
            if self.no_danger_confirmed is not True:
                problems.append(
                    ("no_danger_confirmed", "must be confirmed when the child/family declined")
                )
            if self.significant_progress_recorded is not True:
                problems.append(
                    (
                        "significant_progress_recorded",
                        "progress must be recorded when the child/family declined",
                    )
                )
        if reason is ClosureReason.LOST_TO_FOLLOW_UP and self.last_contact_date is None:
            problems.append(("last_contact_date", "required when the child is lost to follow-up"))
        if self.last_contact_date is not None and self.last_contact_date > self.date_closure:
            problems.append(("last_contact_date", "after the closure date"))
        if reason is ClosureReason.TRANSFERRED and self.transfer_ref is None:
            problems.append(("transfer_ref", "required when the case was transferred"))
        validation_started = (
            self.closure_approved
            or self.closure_approved_date is not None
            or self.supervisor_id is not None
            or self.closure_meeting_date is not None
            or self.approval_status_closure is ApprovalStatus.APPROVED
        )
        if validation_started:
            if self.supervisor_id is None:
                problems.append(("supervisor_id", "closure validation needs the supervisor"))
            if self.closure_meeting_date is None:
                problems.append(
                    ("closure_meeting_date", "the closure is validated in a closure meeting")
                )
            if self.closure_approved_date is None:
                problems.append(("closure_approved_date", "closure validation needs a date"))
        if self.closure_approved_date is not None and not self.closure_approved:
            problems.append(("closure_approved", "a validation date is given"))
        if self.approval_status_closure is ApprovalStatus.APPROVED and not self.closure_approved:
            problems.append(("closure_approved", "approval status 'approved' needs this set"))
        if (
            self.closure_approved_date is not None
            and self.closure_meeting_date is not None
            and self.closure_approved_date < self.closure_meeting_date
        ):
            problems.append(("closure_approved_date", "before the closure meeting"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


def _score(label_fr: str, label_en: str, cpims: str) -> Any:
    """A 1–10 agreement score field of the CPIMS+ feedback forms."""
    return field(
        label_fr,
        label_en,
        "Agreement with the statement, from 1 (not at all) to 10 (fully).",
        source="CPIMS+ interagency feedback forms (lookup-number-range-one-to-ten)",
        cpims=cpims,
        ge=1,
        le=10,
    )


def _yes_no(label_fr: str, label_en: str, cpims: str) -> Any:
    """A yes/no/unknown question (``None`` = unknown or not asked)."""
    return field(
        label_fr,
        label_en,
        "Yes (true), no (false) or unknown / not answered (empty).",
        source="CPIMS+ interagency feedback forms",
        cpims=cpims,
    )


class FeedbackBase(FormBase):
    """Fields shared by the child (6.B) and adult (6.C) feedback forms.

    The SOP asks for feedback from the child and family at the closure interview (L1117) and
    feeds the community feedback mechanism (L277) but gives no fields. The questions model the
    CPIMS+ interagency ``child_feedback_form`` / ``caregiver_feedback_form`` (consent, part I
    yes/no questions, part II 1–10 scales) with neutral field names: the CPIMS+ field name is
    the subclass's ``cpims_prefix`` followed by the field's ``cpims`` metadata (for example
    ``child_`` + ``feedback_ii_support``). Rule: no answer is recorded without consent.
    """

    feedback_date: Annotated[
        dt.date,
        field(
            "Date du feedback",
            "Feedback date",
            "Date the form was completed.",
            source=f"{_SOP} §5.6 L1117",
            cpims="feedback_date_completed",
        ),
    ]
    feedback_consent: Annotated[
        bool,
        field(
            "Accord pour recueillir le feedback",
            "Permission to collect feedback",
            "Permission given to collect feedback; no answer is recorded without it.",
            source=f"{_SOP} §5.6 L1117",
            cpims="feedback_consent",
        ),
    ]
    expectations_received: Annotated[
        bool | None,
        _yes_no(
            "Soutien attendu reçu", "Expected support received", "feedback_expectations_received"
        ),
    ] = None
    process_plan: Annotated[
        bool | None,
        _yes_no("Plan élaboré ensemble", "Plan made together", "feedback_process_plan"),
    ] = None
    process_connect: Annotated[
        bool | None,
        _yes_no(
            "Mis en relation avec des services utiles",
            "Connected to helpful services",
            "feedback_process_connect",
        ),
    ] = None
    process_consent: Annotated[
        bool | None,
        _yes_no(
            "Accord demandé avant tout partage d'information",
            "Asked before information was shared",
            "feedback_process_consent",
        ),
    ] = None
    process_closure: Annotated[
        bool | None,
        _yes_no(
            "Décision de clôture prise ensemble",
            "Closure decided together",
            "feedback_process_closure",
        ),
    ] = None
    score_listening: Annotated[
        int | None,
        _score(
            "Le GC a écouté mes avis et sentiments",
            "The caseworker listened to my views and feelings",
            "feedback_ii_listening",
        ),
    ] = None
    score_followup: Annotated[
        int | None,
        _score(
            "Le GC a fait ce qu'il avait dit",
            "The caseworker did what they said they would",
            "feedback_ii_followup",
        ),
    ] = None
    score_support: Annotated[
        int | None,
        _score(
            "Le soutien apporté a été utile",
            "The support provided was useful",
            "feedback_ii_support",
        ),
    ] = None
    score_improvement: Annotated[
        int | None,
        _score(
            "La situation s'est améliorée",
            "The situation has improved",
            "feedback_ii_improvement",
        ),
    ] = None
    score_satisfaction: Annotated[
        int | None,
        _score(
            "Satisfaction globale",
            "Overall satisfaction",
            "feedback_ii_satisfaction",
        ),
    ] = None
    what_helped: Annotated[
        Text | None,
        field(
            "Ce qui a aidé",
            "What helped",
            "What helped most in the support received.",
            source="requirements §4.11 [INFERRED]",
        ),
    ] = None
    what_did_not_help: Annotated[
        Text | None,
        field(
            "Ce qui n'a pas aidé",
            "What did not help",
            "What did not help or should change.",
            source="requirements §4.11 [INFERRED]",
        ),
    ] = None
    suggestions: Annotated[
        Text | None,
        field(
            "Suggestions et autres remarques",
            "Suggestions and other feedback",
            "Any other feedback or concern.",
            source="CPIMS+ interagency feedback_final_question_details",
        ),
    ] = None

    cpims_prefix: ClassVar[str] = ""
    ANSWER_FIELDS: ClassVar[tuple[str, ...]] = (
        "expectations_received",
        "process_plan",
        "process_connect",
        "process_consent",
        "process_closure",
        "score_listening",
        "score_followup",
        "score_support",
        "score_improvement",
        "score_satisfaction",
        "what_helped",
        "what_did_not_help",
        "suggestions",
    )

    @field_validator("feedback_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _consent_rule(self) -> Self:
        if not self.feedback_consent:
            answered = [n for n in self.ANSWER_FIELDS if getattr(self, n) is not None]
            if answered:
                raise rule_violation(
                    type(self).__name__,
                    [
                        (n, "answer recorded without permission to collect feedback")
                        for n in answered
                    ],
                )
        return self


class ChildFeedback(FeedbackBase):
    """6.B Child feedback (*Formulaire de feedback enfant*; SOP §5.6 L1117).

    Class main (closure interview with the child, L1117). Fields: see :class:`FeedbackBase`;
    CPIMS+ ``child_feedback_form`` (``child_feedback_*`` fields).
    """

    form_code: ClassVar[str] = "6.B"
    step: ClassVar[Step] = Step.CLOSURE
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire de feedback enfant"
    name_en: ClassVar[str] = "Child feedback"
    cpims_prefix: ClassVar[str] = "child_"

    caregiver_consent: Annotated[
        bool | None,
        field(
            "Accord du parent / tuteur",
            "Caregiver's permission",
            "Permission from the caregiver to collect the child's feedback, where appropriate.",
            source="CPIMS+ interagency child_feedback_form",
            cpims="child_feedback_consent_caregiver",
        ),
    ] = None


class AdultFeedback(FeedbackBase):
    """6.C Adult feedback (*Formulaire de feedback adulte*; SOP §5.6 L1117).

    Class main. Fields: see :class:`FeedbackBase`; CPIMS+ ``caregiver_feedback_form``
    (``caregiver_feedback_*`` fields), plus the adult's relationship to the child (no name).
    """

    form_code: ClassVar[str] = "6.C"
    step: ClassVar[Step] = Step.CLOSURE
    form_class: ClassVar[FormClass] = FormClass.MAIN
    name_fr: ClassVar[str] = "Formulaire de feedback adulte"
    name_en: ClassVar[str] = "Adult feedback"
    cpims_prefix: ClassVar[str] = "caregiver_"

    relationship_to_child: Annotated[
        ShortText | None,
        field(
            "Lien avec l'enfant",
            "Relationship to the child",
            "Primary caregiver, legal guardian, other family member...",
            source="CPIMS+ interagency caregiver_feedback_form",
            cpims="caregiver_feedback_consent_relationship",
        ),
    ] = None
