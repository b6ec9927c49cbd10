"""Any-step form B.1: file reopening (SOP §5.6 L1121 "un dossier peut être réouvert à tout moment")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self

from pydantic import ValidationInfo, field_validator, model_validator

from cpcase.forms._base import FormBase, ShortText, Text, check_not_future, rule_violation
from cpcase.labels import field
from cpcase.vocab.core import FormClass, RiskLevel, Step
from cpcase.vocab.services import ClosureReason, ReopeningReason

__all__ = ["CaseReopening"]

_SOP = "Mali SOP 2020"


class CaseReopening(FormBase):
    """B.1 File reopening (*Formulaire de réouverture de dossier*; SOP §5.6 L1121).

    The seed says only that a file can be reopened at any time (L1121); the CM course adds
    "if new information emerges or the situation changes" (L1109). Fields [INFERRED,
    requirements §4.15]: reopening date and reason, the previous closure, the new risk level,
    the assigned caseworker, the step the process restarts at (usually the assessment), and an
    optional supervisor approval (the seed is silent on whether one is needed). CPIMS+ records
    ``case_status_reopened`` and ``reopened_logs``. Rules: reopening not before the previous
    closure; the restart step is a process step (1–5); an approval needs supervisor and date.
    """

    form_code: ClassVar[str] = "B.1"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.ANY_STEP
    name_fr: ClassVar[str] = "Formulaire de réouverture de dossier"
    name_en: ClassVar[str] = "File reopening"

    reopen_date: Annotated[
        dt.date,
        field(
            "Date de réouverture",
            "Reopening date",
            "Date the file is reopened.",
            source=f"{_SOP} §5.6 L1121",
            cpims="reopened_logs",
        ),
    ]
    reopening_reason: Annotated[
        ReopeningReason,
        field(
            "Motif de réouverture",
            "Reopening reason",
            "Why the file is reopened.",
            source="CM course L1109",
            cpims="case_status_reopened_reasons",
        ),
    ]
    reopening_reason_details: Annotated[
        Text | None,
        field(
            "Précisions sur le motif",
            "Reason details",
            "What changed or what new information emerged.",
            source="CM course L1109",
        ),
    ] = None
    previous_closure_date: Annotated[
        dt.date | None,
        field(
            "Date de la clôture précédente",
            "Previous closure date",
            "Date of the 6.A closure being reversed.",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = None
    previous_closure_reason: Annotated[
        ClosureReason | None,
        field(
            "Motif de la clôture précédente",
            "Previous closure reason",
            "Reason recorded on the previous closure.",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = None
    risk_level: Annotated[
        RiskLevel,
        field(
            "Niveau de risque à la réouverture",
            "Risk level at reopening",
            "Risk level perceived at reopening; it sets the new deadlines.",
            source=f"{_SOP} §4.3",
            cpims="risk_level",
        ),
    ]
    assigned_caseworker_id: Annotated[
        ShortText,
        field(
            "Gestionnaire de cas désigné",
            "Assigned caseworker",
            "One caseworker responsible for the file.",
            source=f"{_SOP} §5.1 L876",
            cpims="owned_by",
        ),
    ]
    restart_step: Annotated[
        Step,
        field(
            "Étape de reprise",
            "Restart step",
            "Step the process restarts at (usually the in-depth assessment).",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = Step.ASSESSMENT
    supervisor_id: Annotated[
        ShortText | None,
        field(
            "Superviseur (identifiant)",
            "Supervisor (identifier)",
            "Supervisor approving the reopening, if the organisation requires it.",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = None
    supervisor_approved: Annotated[
        bool,
        field(
            "Réouverture approuvée par le superviseur",
            "Reopening approved by the supervisor",
            "Whether the supervisor approved the reopening.",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = False
    supervisor_approved_date: Annotated[
        dt.date | None,
        field(
            "Date d'approbation",
            "Approval date",
            "Date the supervisor approved the reopening.",
            source="requirements §4.15 [INFERRED]",
        ),
    ] = None

    @field_validator("reopen_date", "previous_closure_date", "supervisor_approved_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if (
            self.previous_closure_date is not None
            and self.reopen_date < self.previous_closure_date
        ):
            problems.append(("reopen_date", "before the previous closure"))
        if self.restart_step in (Step.ANY, Step.CLOSURE):
            problems.append(("restart_step", "must be a process step from 1 to 5"))
        if self.supervisor_approved or self.supervisor_approved_date is not None:
            if self.supervisor_id is None:
                problems.append(("supervisor_id", "an approval needs the supervisor"))
            if self.supervisor_approved_date is None:
                problems.append(("supervisor_approved_date", "an approval needs a date"))
            if not self.supervisor_approved:
                problems.append(("supervisor_approved", "an approval date is given"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self
