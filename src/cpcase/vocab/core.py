"""Core vocabularies used across the library: risk, sex, age status, steps, form classes, status."""

from __future__ import annotations

from cpcase.labels import LabelledEnum

__all__ = ["AgeStatus", "CaseStatus", "FormClass", "RiskLevel", "Sex", "Step"]

_SOP = "Mali SOP 2020"


class RiskLevel(LabelledEnum):
    """Risk level of a case; sets the priority and the deadlines (SOP §4.3, L713–L718).

    CPIMS+ ``lookup-risk-level`` has only high/medium/low; ``none`` has no CPIMS+ option
    (Primero uses the constant ``none`` in dashboards only).
    """

    HIGH = (
        "high",
        "Risque élevé : l'enfant subit un préjudice grave ou risque de mourir ou de subir un "
        "préjudice grave si rien n'est fait pour le protéger",
        "High risk: the child is suffering serious harm, or is at risk of dying or of suffering "
        "serious harm if nothing is done to protect them",
        f"{_SOP} §4.3 L714",
        "high",
    )
    MEDIUM = (
        "medium",
        "Risque moyen : l'enfant subit un préjudice ou risque d'en subir si rien n'est fait, "
        "sans indication qu'il risque de mourir ou de subir un préjudice grave",
        "Medium risk: the child is suffering harm or is at risk of harm if nothing is done, with "
        "nothing indicating a risk of death or serious harm",
        f"{_SOP} §4.3 L715",
        "medium",
    )
    LOW = (
        "low",
        "Risque faible : l'enfant risque de subir un préjudice si rien n'est fait pour le protéger",
        "Low risk: the child is at risk of suffering harm if nothing is done to protect them",
        f"{_SOP} §4.3 L716",
        "low",
    )
    NONE = (
        "none",
        "Risque nul : l'enfant ne court pas ou plus de risque de préjudice",
        "No risk: the child runs no risk, or no longer runs any risk, of harm",
        f"{_SOP} §4.3 L717",
        None,
    )

    @property
    def rank(self) -> int:
        """Severity order: high=3, medium=2, low=1, none=0 (higher is more urgent)."""
        return {"high": 3, "medium": 2, "low": 1, "none": 0}[self.value]


class Sex(LabelledEnum):
    """Sex of the child (SOP L83 "filles et garçons"; CPIMS+ ``lookup-gender``)."""

    FEMALE = ("female", "Fille / féminin", "Girl / female", f"{_SOP} §1.3 L83", "female")
    MALE = ("male", "Garçon / masculin", "Boy / male", f"{_SOP} §1.3 L83", "male")
    OTHER = ("other", "Autre", "Other", "CPIMS+ interagency lookup-gender", "other")


class AgeStatus(LabelledEnum):
    """How the child's age is known; presumption of minority per SOP §3.4.2.1 L540."""

    DOCUMENTED = (
        "documented",
        "Âge documenté (acte de naissance ou pièce)",
        "Documented age (birth certificate or ID)",
        f"{_SOP} §4.3 L723 (pièces d'identité)",
    )
    ESTIMATED = (
        "estimated",
        "Âge estimé",
        "Estimated age",
        "CPIMS+ basic_identity.estimated",
    )
    PRESUMED_MINOR = (
        "presumed_minor",
        "Présumé mineur (jusqu'à décision de l'autorité compétente)",
        "Presumed minor (until the competent authority decides otherwise)",
        f"{_SOP} §3.4.2.1 L540",
    )


class Step(LabelledEnum):
    """The six case-management steps (SOP §5, L769–L1121); ``any`` for all-step forms."""

    IDENTIFICATION = (
        "identification",
        "1. Identification et enregistrement",
        "1. Identification and registration",
        f"{_SOP} §5.1",
        "new",
    )
    ASSESSMENT = (
        "assessment",
        "2. Évaluation approfondie",
        "2. In-depth assessment",
        f"{_SOP} §5.2",
        "assessment",
    )
    CASE_PLAN = (
        "case_plan",
        "3. Plan d'action individuel",
        "3. Individual action plan",
        f"{_SOP} §5.3",
        "case_plan",
    )
    IMPLEMENTATION = (
        "implementation",
        "4. Mise en œuvre du plan",
        "4. Implementation of the plan",
        f"{_SOP} §5.4",
        "service_provision",
    )
    FOLLOW_UP = (
        "follow_up",
        "5. Suivi et réexamen",
        "5. Follow-up and review",
        f"{_SOP} §5.5",
        "services_implemented",
    )
    CLOSURE = ("closure", "6. Clôture du dossier", "6. Case closure", f"{_SOP} §5.6", "closed")
    ANY = ("any", "Toutes les étapes", "Any step", f"{_SOP} §6.1.1 L1127–L1136", None)

    @property
    def number(self) -> int | None:
        """1–6 for a process step, ``None`` for ``any``."""
        order = [s for s in Step if s is not Step.ANY]
        return order.index(self) + 1 if self is not Step.ANY else None


class FormClass(LabelledEnum):
    """Class of a form in the harmonised catalogue (SOP §6.1.1, L1127–L1136)."""

    MAIN = ("main", "Formulaire principal", "Main form", f"{_SOP} §6.1.1 (a)")
    COMPLEMENTARY = (
        "complementary",
        "Formulaire complémentaire",
        "Complementary form",
        f"{_SOP} §6.1.1 (b)",
    )
    ANY_STEP = (
        "any_step",
        "Formulaire utilisable à toutes les étapes",
        "Form usable at any step",
        f"{_SOP} §6.1.1 (c)",
    )
    FILE_TOOL = ("file_tool", "Outil dossier", "File tool", f"{_SOP} §6.1.1 (d)")


class CaseStatus(LabelledEnum):
    """Status of a case file (CPIMS+ ``lookup-case-status``; SOP §5.6 reopening)."""

    OPEN = ("open", "Ouvert", "Open", f"{_SOP} §5.1", "open")
    CLOSED = ("closed", "Clôturé", "Closed", f"{_SOP} §5.6", "closed")
    TRANSFERRED = ("transferred", "Transféré", "Transferred", f"{_SOP} §5.6 L1109", "transferred")
    NOT_ELIGIBLE = (
        "not_eligible",
        "Non éligible (enregistré, trace conservée)",
        "Not eligible (registered, record kept)",
        f"{_SOP} §5.1.2 L809",
        None,
    )
