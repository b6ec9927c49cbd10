"""File tools: the file cover page and the file checklist (SOP §6.1.1 (d), §6.1.2 L1140–L1144)."""

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
from cpcase.forms.case_plan import duplicate_ids
from cpcase.forms.referral import FormCodeStr
from cpcase.labels import field
from cpcase.vocab.core import CaseStatus, FormClass, RiskLevel, Step

__all__ = ["ChecklistItem", "FileChecklist", "FileCoverPage"]

_SOP = "Mali SOP 2020"


class FileCoverPage(FormBase):
    """File cover page (*Page de couverture des dossiers*; SOP §6.1.2 L1140–L1142).

    The first page of the child's file carries the anonymised code, never the child's name
    (SOP L1142; CM course L761: "no names on the first page"). Fields [INFERRED,
    requirements §4.16]: dates opened and closed, caseworker, supervisor, organisation,
    current step and risk level, status and archive location. There is deliberately no field
    that could hold a name; unknown fields are rejected. Rules: caseworker and organisation
    are required here (optional in the common header); closure date not before opening; a
    closed file has a closure date.
    """

    form_code: ClassVar[str] = "COVER"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.FILE_TOOL
    name_fr: ClassVar[str] = "Page de couverture des dossiers"
    name_en: ClassVar[str] = "File cover page"

    date_opened: Annotated[
        dt.date,
        field(
            "Date d'ouverture du dossier",
            "Date opened",
            "Date the file was opened (registration).",
            source=f"{_SOP} §6.1.2 L1140",
            cpims="registration_date",
        ),
    ]
    date_closed: Annotated[
        dt.date | None,
        field(
            "Date de clôture du dossier",
            "Date closed",
            "Date the file was closed, if closed.",
            source=f"{_SOP} §5.6",
            cpims="date_closure",
        ),
    ] = None
    supervisor_id: Annotated[
        ShortText | None,
        field(
            "Superviseur (identifiant)",
            "Supervisor (identifier)",
            "Supervisor of the caseworker.",
            source=f"{_SOP} §3.3.1",
        ),
    ] = None
    case_status: Annotated[
        CaseStatus,
        field(
            "Statut du dossier",
            "File status",
            "Open, closed, transferred or not eligible.",
            source=f"{_SOP} §5.6",
            cpims="status",
        ),
    ] = CaseStatus.OPEN
    current_step: Annotated[
        Step | None,
        field(
            "Étape en cours",
            "Current step",
            "Case-management step the file is at (like the CPIMS+ progress bar).",
            source=f"{_SOP} §6.1.2 L1140",
            cpims="workflow",
        ),
    ] = None
    risk_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau de risque actuel",
            "Current risk level",
            "Current risk level of the case.",
            source=f"{_SOP} §4.3",
            cpims="risk_level",
        ),
    ] = None
    archive_location: Annotated[
        ShortText | None,
        field(
            "Lieu d'archivage",
            "Archive location",
            "Safe and accessible place where the closed file is archived.",
            source=f"{_SOP} §5.6 L1121",
        ),
    ] = None

    @field_validator("date_opened", "date_closed")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.caseworker_id is None:
            problems.append(("caseworker_id", "the cover page names the caseworker"))
        if self.organisation_id is None:
            problems.append(("organisation_id", "the cover page names the organisation"))
        if self.date_closed is not None and self.date_closed < self.date_opened:
            problems.append(("date_closed", "before the opening date"))
        if self.case_status is CaseStatus.CLOSED and self.date_closed is None:
            problems.append(("date_closed", "a closed file has a closure date"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class ChecklistItem(FormRow):
    """One line of the checklist: is this form in the file, dated and signed?"""

    form_code: Annotated[
        FormCodeStr,
        field(
            "Code du formulaire",
            "Form code",
            "Harmonised form code (1.A … B.1).",
            source=f"{_SOP} §6.1.2 L1147–L1175",
        ),
    ]
    present: Annotated[
        bool,
        field(
            "Présent dans le dossier",
            "Present in the file",
            "Whether the form is in the file.",
            source=f"{_SOP} §6.1.2 L1140",
        ),
    ]
    count: Annotated[
        int | None,
        field(
            "Nombre d'exemplaires",
            "Number of copies",
            "Number of instances (follow-ups, reviews, referrals may be several).",
            source="requirements §4.16 [INFERRED]",
            ge=0,
            le=10000,
        ),
    ] = None
    latest_date: Annotated[
        dt.date | None,
        field(
            "Date du plus récent",
            "Latest date",
            "Date of the most recent instance.",
            source="requirements §4.16 [INFERRED]",
        ),
    ] = None
    signed: Annotated[
        bool | None,
        field(
            "Signé",
            "Signed",
            "Whether the required signature is present.",
            source="requirements §4.16 [INFERRED]",
        ),
    ] = None
    comment: Annotated[
        Text | None,
        field("Commentaire", "Comment", "Remark of the checker.", source="[INFERRED]"),
    ] = None

    @field_validator("latest_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        problems: list[tuple[str, str]] = []
        if not self.present:
            if self.count:
                problems.append(("count", "a form marked absent has no copies"))
            if self.latest_date is not None:
                problems.append(("latest_date", "a form marked absent has no date"))
        elif self.count == 0:
            problems.append(("count", "a form marked present has at least one copy"))
        if problems:
            raise rule_violation(type(self).__name__, problems)
        return self


class FileChecklist(FormBase):
    """File checklist (*Liste de vérification des dossiers*; SOP §6.1.1 (d), §6.1.2 L1140–L1144).

    Lets one check that every step of care was carried out (L1140) and that the file meets
    the documentation rules: a separate file per child, the anonymised code on every
    document, the code–name list kept apart, secure storage (L1140–L1144; CM course
    L760–L763). Fields [INFERRED, requirements §4.16]: one row per form code, plus the
    file-keeping checks. Rules: each form code appears once; ``check_date`` not in the future.
    """

    form_code: ClassVar[str] = "CHECKLIST"
    step: ClassVar[Step] = Step.ANY
    form_class: ClassVar[FormClass] = FormClass.FILE_TOOL
    name_fr: ClassVar[str] = "Liste de vérification des dossiers"
    name_en: ClassVar[str] = "File checklist"

    check_date: Annotated[
        dt.date,
        field(
            "Date de vérification",
            "Check date",
            "Date the file was checked.",
            source="requirements §4.16 [INFERRED]",
        ),
    ]
    checked_by_id: Annotated[
        ShortText | None,
        field(
            "Vérifié par (identifiant)",
            "Checked by (identifier)",
            "Caseworker or supervisor who checked the file.",
            source=f"{_SOP} Annexe 1 L1309 (revue mensuelle des cas)",
        ),
    ] = None
    items: Annotated[
        tuple[ChecklistItem, ...],
        field(
            "Formulaires du dossier",
            "Forms in the file",
            "One line per form code: present, count, latest date, signed.",
            source=f"{_SOP} §6.1.2 L1140",
            min_length=1,
        ),
    ]
    separate_file_per_child: Annotated[
        bool | None,
        field(
            "Dossier distinct pour l'enfant",
            "Separate file for the child",
            "A distinct file is created for each child.",
            source=f"{_SOP} §6.1.2 L1140",
        ),
    ] = None
    anonymised_code_on_documents: Annotated[
        bool | None,
        field(
            "Code anonyme sur tous les documents",
            "Anonymised code on every document",
            "The anonymised identifier, not the name, is used on all documents.",
            source=f"{_SOP} §6.1.2 L1142",
        ),
    ] = None
    code_name_list_kept_apart: Annotated[
        bool | None,
        field(
            "Liste de correspondance code–nom conservée à part",
            "Code–name list kept apart",
            "The code-to-name list is stored separately and securely.",
            source="CM course L761",
        ),
    ] = None
    stored_securely: Annotated[
        bool | None,
        field(
            "Dossier rangé en lieu sûr",
            "File stored securely",
            "Locked cabinet or password-protected computer.",
            source=f"{_SOP} §6.1.2 L1144",
        ),
    ] = None
    up_to_date: Annotated[
        bool | None,
        field(
            "Dossier à jour",
            "File up to date",
            "The file is updated after every new activity.",
            source="CM course L762",
        ),
    ] = None
    remarks: Annotated[
        Text | None,
        field("Remarques", "Remarks", "Follow-up needed on the file.", source="[INFERRED]"),
    ] = None

    @property
    def present_codes(self) -> frozenset[str]:
        """Codes of the forms marked present."""
        return frozenset(i.form_code for i in self.items if i.present)

    @property
    def missing_codes(self) -> frozenset[str]:
        """Codes of the forms listed but marked absent."""
        return frozenset(i.form_code for i in self.items if not i.present)

    @field_validator("check_date")
    @classmethod
    def _not_future(cls, value: Any, info: ValidationInfo) -> Any:
        return check_not_future(value, info)

    @model_validator(mode="after")
    def _sop_rules(self) -> Self:
        dups = duplicate_ids([i.form_code for i in self.items])
        if dups:
            raise rule_violation(
                type(self).__name__, [("items", f"form code {d!r} listed twice") for d in dups]
            )
        return self
