"""``CaseFile``: one child's case file, the unit every other capability works on.

A case file holds the anonymised case code, the organisation, the assigned caseworker and
supervisor, the status, the caseworker-decided risk-level history and every harmonised form of the
file, typed. Forms that recur in practice (consents, follow-ups, reviews, referrals, plan
revisions, closures after a reopening...) are tuples; the registration, the initial assessment,
the UASC registration and the file tools appear at most once. JSON round trips are lossless::

    CaseFile.model_validate_json(case.model_dump_json()) == case

Fields that another system (e.g. CPIMS+) holds and cpcase does not model are kept verbatim in
``extra_fields`` so that nothing is lost on a round trip through cpcase.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal, Self

import attrs
from pydantic import BaseModel, ConfigDict, JsonValue, ValidationError, model_validator

from cpcase.forms import (
    AdultFeedback,
    AdultVerificationForm,
    BestInterestsAssessment,
    BestInterestsDetermination,
    CaseClosure,
    CaseConferenceReport,
    CaseFollowUp,
    CaseReopening,
    CaseReview,
    ChildFeedback,
    ChildLocationForm,
    ChildVerificationForm,
    CommunityReferral,
    ConsentForm,
    FileChecklist,
    FileCoverPage,
    FileTransfer,
    FollowUpConferenceReport,
    FormBase,
    InDepthAssessmentForm,
    IndividualActionPlan,
    InitialAssessmentForm,
    MissingChildForm,
    Referral,
    RegistrationForm,
    ReunificationForm,
    ServicesProvided,
    UascRegistrationForm,
)
from cpcase.forms._base import CaseCodeStr, ShortText, Text, form_error_from, rule_violation
from cpcase.labels import Lang, field
from cpcase.vocab import CaseStatus, RiskLevel

__all__ = ["CaseFile", "RiskDecision", "TimelineEntry"]

_CONFIG = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class RiskDecision(BaseModel):
    """One entry of the risk-level history: the caseworker's level, with its justification.

    The level the caseworker sets is what counts (SOP §4.3); a rule-suggested level may be
    recorded beside it. When the decision departs from the suggestion, a justification is
    required.
    """

    model_config = _CONFIG

    level: Annotated[
        RiskLevel, field("Niveau de risque", "Risk level", source="Mali SOP 2020 §4.3 L713")
    ]
    decided_on: Annotated[
        dt.date, field("Date de la décision", "Decision date", "Day the level was set.")
    ]
    decided_by: Annotated[
        ShortText | None,
        field("Décidé par (identifiant)", "Decided by (identifier)", "Caseworker identifier."),
    ] = None
    suggested_level: Annotated[
        RiskLevel | None,
        field(
            "Niveau suggéré par les règles",
            "Rule-suggested level",
            "Level suggested by cpcase.rules, kept for the record.",
        ),
    ] = None
    justification: Annotated[
        Text | None,
        field(
            "Justification",
            "Justification",
            "Why this level (required when it departs from the suggestion).",
            cpims="assessment_risk_level_reasons",
        ),
    ] = None
    source_form: Annotated[
        ShortText | None,
        field(
            "Formulaire source", "Source form", "Form code where the level was set (1.C, 5.B...)."
        ),
    ] = None

    @model_validator(mode="after")
    def _justified(self) -> Self:
        if (
            self.suggested_level is not None
            and self.suggested_level != self.level
            and self.justification is None
        ):
            raise rule_violation(
                "RiskDecision",
                [
                    (
                        "justification",
                        "a level that departs from the suggestion needs a justification",
                    )
                ],
            )
        return self


@attrs.frozen
class TimelineEntry:
    """One dated event of a case file (a form, or a risk decision)."""

    date: dt.date
    form_code: str
    name_fr: str
    name_en: str
    entry: FormBase | RiskDecision

    def name(self, lang: Lang = "fr") -> str:
        """The event's name in ``lang``."""
        return self.name_fr if lang == "fr" else self.name_en


def _f(fr: str, en: str, code: str) -> Any:
    return field(fr, en, f"Form(s) {code} of this file.", source="Mali SOP 2020 §6.1.2")


class CaseFile(BaseModel):
    """One child's case file (SOP §6.1: one file per child, one caseworker responsible)."""

    model_config = _CONFIG

    #: Form code → attribute holding it. Single-valued attributes hold ``None`` or one form.
    FORM_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "1.A": "consents",
        "1.B": "registration",
        "1.C": "initial_assessment",
        "1.D": "uasc_registration",
        "1.E": "missing_child_searches",
        "2.A": "in_depth_assessments",
        "3.A": "action_plans",
        "3.B": "case_conferences",
        "4.A": "services",
        "4.B": "child_locations",
        "4.C": "adult_verifications",
        "4.D": "child_verifications",
        "4.E": "reunifications",
        "5.A": "follow_ups",
        "5.B": "reviews",
        "5.C": "follow_up_conferences",
        "6.A": "closures",
        "6.B": "child_feedback",
        "6.C": "adult_feedback",
        "A.1": "referrals",
        "A.2": "transfers",
        "A.3": "community_referrals",
        "B.1": "reopenings",
        "COVER": "cover_page",
        "CHECKLIST": "checklist",
        "BIA": "best_interests_assessments",
        "BID": "best_interests_determinations",
    }

    schema_version: Annotated[
        Literal[1],
        field("Version du format", "Format version", "Version of the case-file JSON format."),
    ] = 1
    case_code: Annotated[
        CaseCodeStr,
        field(
            "Code du dossier (anonymisé)",
            "Case code (anonymised)",
            source="Mali SOP 2020 §6.1.2 L1142",
            cpims="cpims_id",
        ),
    ]
    organisation_id: Annotated[
        ShortText,
        field(
            "Organisation (identifiant)",
            "Organisation (identifier)",
            "Organisation holding the file.",
            source="Mali SOP 2020 §6.3 L1195",
            cpims="owned_by_agency_id",
        ),
    ]
    caseworker_id: Annotated[
        ShortText | None,
        field(
            "Gestionnaire de cas assigné",
            "Assigned caseworker",
            "One caseworker responsible per file.",
            source="Mali SOP 2020 §5.1 L876",
            cpims="owned_by",
        ),
    ] = None
    supervisor_id: Annotated[
        ShortText | None,
        field(
            "Superviseur",
            "Supervisor",
            "Supervisor of the assigned caseworker.",
            source="Mali SOP 2020 §3.3.1 L375",
        ),
    ] = None
    status: Annotated[
        CaseStatus,
        field("Statut du dossier", "Case status", cpims="status"),
    ] = CaseStatus.OPEN
    risk_history: Annotated[
        tuple[RiskDecision, ...],
        field(
            "Historique du niveau de risque",
            "Risk-level history",
            "Every level the caseworker set, oldest first.",
            source="Mali SOP 2020 §4.3",
        ),
    ] = ()

    consents: Annotated[tuple[ConsentForm, ...], _f("Consentements", "Consents", "1.A")] = ()
    registration: Annotated[
        RegistrationForm | None, _f("Enregistrement", "Registration", "1.B")
    ] = None
    initial_assessment: Annotated[
        InitialAssessmentForm | None, _f("Évaluation initiale", "Initial assessment", "1.C")
    ] = None
    uasc_registration: Annotated[
        UascRegistrationForm | None, _f("Enregistrement ENA/ES", "UASC registration", "1.D")
    ] = None
    missing_child_searches: Annotated[
        tuple[MissingChildForm, ...],
        _f("Localisations d'enfant disparu", "Missing child searches", "1.E"),
    ] = ()
    in_depth_assessments: Annotated[
        tuple[InDepthAssessmentForm, ...],
        _f("Évaluations approfondies", "In-depth assessments", "2.A"),
    ] = ()
    action_plans: Annotated[
        tuple[IndividualActionPlan, ...],
        _f("Plans d'action individuels (versions)", "Individual action plans (versions)", "3.A"),
    ] = ()
    case_conferences: Annotated[
        tuple[CaseConferenceReport, ...], _f("Conférences de cas", "Case conferences", "3.B")
    ] = ()
    services: Annotated[
        tuple[ServicesProvided, ...], _f("Services offerts", "Services provided", "4.A")
    ] = ()
    child_locations: Annotated[
        tuple[ChildLocationForm, ...], _f("Localisations d'enfant", "Child locations", "4.B")
    ] = ()
    adult_verifications: Annotated[
        tuple[AdultVerificationForm, ...],
        _f("Vérifications adulte", "Adult verifications", "4.C"),
    ] = ()
    child_verifications: Annotated[
        tuple[ChildVerificationForm, ...],
        _f("Vérifications enfant", "Child verifications", "4.D"),
    ] = ()
    reunifications: Annotated[
        tuple[ReunificationForm, ...], _f("Réunifications", "Reunifications", "4.E")
    ] = ()
    follow_ups: Annotated[tuple[CaseFollowUp, ...], _f("Suivis", "Follow-ups", "5.A")] = ()
    reviews: Annotated[tuple[CaseReview, ...], _f("Réexamens", "Reviews", "5.B")] = ()
    follow_up_conferences: Annotated[
        tuple[FollowUpConferenceReport, ...],
        _f("Conférences de suivi", "Follow-up conferences", "5.C"),
    ] = ()
    closures: Annotated[tuple[CaseClosure, ...], _f("Clôtures", "Closures", "6.A")] = ()
    child_feedback: Annotated[
        tuple[ChildFeedback, ...], _f("Feedback enfant", "Child feedback", "6.B")
    ] = ()
    adult_feedback: Annotated[
        tuple[AdultFeedback, ...], _f("Feedback adulte", "Adult feedback", "6.C")
    ] = ()
    referrals: Annotated[tuple[Referral, ...], _f("Références", "Referrals", "A.1")] = ()
    transfers: Annotated[tuple[FileTransfer, ...], _f("Transferts", "Transfers", "A.2")] = ()
    community_referrals: Annotated[
        tuple[CommunityReferral, ...],
        _f("Référencements communautaires", "Community referrals", "A.3"),
    ] = ()
    reopenings: Annotated[tuple[CaseReopening, ...], _f("Réouvertures", "Reopenings", "B.1")] = ()
    cover_page: Annotated[
        FileCoverPage | None, _f("Page de couverture", "Cover page", "COVER")
    ] = None
    checklist: Annotated[
        FileChecklist | None, _f("Liste de vérification", "File checklist", "CHECKLIST")
    ] = None
    best_interests_assessments: Annotated[
        tuple[BestInterestsAssessment, ...],
        _f("Évaluations de l'intérêt supérieur", "Best-interests assessments", "BIA"),
    ] = ()
    best_interests_determinations: Annotated[
        tuple[BestInterestsDetermination, ...],
        _f("Déterminations de l'intérêt supérieur", "Best-interests determinations", "BID"),
    ] = ()
    extra_fields: Annotated[
        dict[str, JsonValue],
        field(
            "Champs externes conservés",
            "Kept external fields",
            "Fields from another system (e.g. CPIMS+) that cpcase does not model, kept verbatim.",
        ),
    ] = {}

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # Runs for every file read (once per register row): a plain loop, no helper calls.
        problems: list[tuple[str, str]] = []
        case_code = self.case_code
        for code, attr in self.FORM_ATTRIBUTES.items():
            value = getattr(self, attr)
            if value is None:
                continue
            if isinstance(value, tuple):
                for i, form in enumerate(value):
                    if form.case_code != case_code:
                        problems.append(
                            (
                                f"{attr}.{i}",
                                f"form {code} belongs to another case code than this file",
                            )
                        )
            elif value.case_code != case_code:
                problems.append((attr, f"form {code} belongs to another case code than this file"))
        history = self.risk_history
        if any(history[i].decided_on > history[i + 1].decided_on for i in range(len(history) - 1)):
            problems.append(("risk_history", "risk decisions must be in chronological order"))
        if problems:
            raise rule_violation("CaseFile", problems)
        return self

    # -- reading ---------------------------------------------------------------------------

    def _held(self, attr: str) -> tuple[FormBase, ...]:
        value = getattr(self, attr)
        if value is None:
            return ()
        if isinstance(value, tuple):
            return value
        return (value,)

    def forms(self, code: str | None = None) -> tuple[FormBase, ...]:
        """Every form of the file, or only those with form code ``code`` (e.g. ``"5.A"``)."""
        if code is not None:
            attr = self.FORM_ATTRIBUTES.get(code) or self.FORM_ATTRIBUTES.get(code.strip().upper())
            if attr is None:
                raise KeyError(code)
            return self._held(attr)
        return tuple(f for attr in self.FORM_ATTRIBUTES.values() for f in self._held(attr))

    def latest(self, code: str) -> FormBase | None:
        """The most recent form with code ``code`` (by form date, then position), or ``None``."""
        held = self.forms(code)
        if len(held) <= 1:
            return held[0] if held else None
        return max(enumerate(held), key=lambda pair: (pair[1].form_date, pair[0]))[1]

    def form_codes(self) -> frozenset[str]:
        """The codes of the forms present in the file."""
        return frozenset(c for c, attr in self.FORM_ATTRIBUTES.items() if self._held(attr))

    @property
    def current_risk(self) -> RiskLevel | None:
        """The caseworker's most recent risk level, or ``None`` if never set."""
        return self.risk_history[-1].level if self.risk_history else None

    def timeline(self) -> list[TimelineEntry]:
        """Every dated event (forms and risk decisions), oldest first (stable for ties)."""
        from cpcase.forms import CATALOGUE

        entries: list[TimelineEntry] = []
        for form in self.forms():
            cat = CATALOGUE[form.form_code]
            entries.append(
                TimelineEntry(form.form_date, form.form_code, cat.name_fr, cat.name_en, form)
            )
        entries.extend(
            TimelineEntry(
                r.decided_on, "RISK", "Décision de niveau de risque", "Risk-level decision", r
            )
            for r in self.risk_history
        )
        return sorted(entries, key=lambda e: e.date)

    # -- building --------------------------------------------------------------------------

    def with_form(self, form: FormBase) -> CaseFile:
        """A new file with ``form`` added (appended, or set for single-valued forms)."""
        attr = self.FORM_ATTRIBUTES.get(form.form_code)
        if attr is None:
            raise KeyError(form.form_code)
        current = getattr(self, attr)
        value: object = (*current, form) if isinstance(current, tuple) else form
        return self.model_validate({**dict(self), attr: value})

    def with_risk(self, decision: RiskDecision) -> CaseFile:
        """A new file with ``decision`` appended to the risk history."""
        return self.model_validate({**dict(self), "risk_history": (*self.risk_history, decision)})

    @classmethod
    def parse_json(cls, text: str | bytes, *, lang: Lang = "en") -> CaseFile:
        """Validate a JSON case file, raising :class:`FormError` naming fields, never values."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise form_error_from(exc, cls, lang=lang) from None
