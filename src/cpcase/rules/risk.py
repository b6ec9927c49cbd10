"""Risk-level suggestion from the SOP §4.3 factor matrix (suggestion only; the caseworker decides).

The seed gives no scoring algorithm (requirements §2.3 [SILENT]); cpcase suggests, for each Art. 50
situation of the child, in this order:

1. an emergency (SOP L805) gives ``risk.emergency_level`` (high);
2. a *de facto* priority situation (the red rows, ``risk.de_facto_high``, SOP L720) gives high;
3. a factor of ``risk.aggravating_any`` (imminent danger, gravity; SOP L707) gives high;
4. a factor in the situation's "high" column of the matrix gives high;
5. otherwise protective factors give the *lowest* level whose column they appear in
   (e.g. "already in a foster family with appropriate care" gives none);
6. otherwise ``risk.default_level`` (medium).

The suggestion for the child is the highest over their situations. "Very young child" and "girl"
are derived from the age (``risk.very_young_child_under``) and the sex. Adding an aggravating
factor can therefore never lower the suggestion. The caseworker's level, with a justification,
is what counts (:func:`decide_risk_level`); the case file keeps the history.

>>> from cpcase.rules.policy import load_profile
>>> from cpcase.vocab import ProtectionSituation as S
>>> mali = load_profile("mali-2020")
>>> s = suggest_risk_level(RiskFacts(situations=frozenset({S.LOSS_OF_PARENTS}), age_years=3), mali)
>>> s.level.value, [r.code for r in s.reasons]
('high', ['factor_high'])
>>> protected = frozenset({RiskFactor.IN_FOSTER_FAMILY_WITH_CARE})
>>> facts = RiskFacts(situations=frozenset({S.LOSS_OF_PARENTS}), factors=protected, age_years=9)
>>> suggest_risk_level(facts, mali).level.value
'none'
"""

from __future__ import annotations

import attrs

from cpcase.case import CaseFile
from cpcase.forms.registration import age_on
from cpcase.rules.factors import RiskFactor
from cpcase.rules.policy import Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import RiskLevel, Sex
from cpcase.vocab.protection import ProtectionSituation, SeparationStatus

__all__ = [
    "RiskFacts",
    "RiskLevelCheck",
    "RiskSuggestion",
    "aggravating_factors",
    "decide_risk_level",
    "risk_facts",
    "suggest_risk_level",
]

_BY_RANK = {level.rank: level for level in RiskLevel}
_PROTECTIVE_ORDER = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM)


@attrs.frozen
class RiskFacts:
    """What the caseworker knows: the child's Art. 50 situations and the factors observed."""

    situations: frozenset[ProtectionSituation] = frozenset()
    factors: frozenset[RiskFactor] = frozenset()
    age_years: int | None = None
    sex: Sex | None = None
    emergency: bool = False


@attrs.frozen
class RiskSuggestion:
    """The suggested level, why, and the factors that were taken into account."""

    level: RiskLevel
    reasons: tuple[Reason, ...]
    factors: frozenset[RiskFactor]


def _derived(facts: RiskFacts, policy: Policy) -> frozenset[RiskFactor]:
    factors = set(facts.factors)
    threshold = policy.risk.very_young_child_under.value
    if facts.age_years is not None and facts.age_years < threshold:
        factors.add(RiskFactor.VERY_YOUNG_CHILD)
    if facts.sex is Sex.FEMALE:
        factors.add(RiskFactor.GIRL)
    return frozenset(factors)


def aggravating_factors(
    situations: frozenset[ProtectionSituation], policy: Policy
) -> frozenset[RiskFactor]:
    """Factors that raise the suggestion to high for a child in ``situations``."""
    out = set(policy.risk.aggravating_any.value)
    for situation in situations:
        row = policy.risk.row(situation.letter)
        if row is not None:
            out.update(row.factors(RiskLevel.HIGH))
    return frozenset(out)


def _situation_level(
    situation: ProtectionSituation, factors: frozenset[RiskFactor], policy: Policy
) -> tuple[RiskLevel, tuple[Reason, ...]]:
    letter = situation.letter
    risk = policy.risk
    name_fr, name_en = situation.label_fr, situation.label_en
    if letter in risk.de_facto_high.value:
        return RiskLevel.HIGH, (
            Reason(
                "de_facto_priority",
                f"{name_fr} : situation prioritaire de facto",
                f"{name_en}: a de facto priority situation",
                "risk.de_facto_high",
            ),
        )
    hits = [f for f in risk.aggravating_any.value if f in factors]
    if hits:
        return RiskLevel.HIGH, tuple(
            Reason(
                "aggravating_factor",
                f"{name_fr} : {f.label_fr}",
                f"{name_en}: {f.label_en}",
                "risk.aggravating_any",
            )
            for f in hits
        )
    row = risk.row(letter)
    if row is not None:
        high = [f for f in row.factors(RiskLevel.HIGH) if f in factors]
        if high:
            return RiskLevel.HIGH, tuple(
                Reason(
                    "factor_high",
                    f"{name_fr} : {f.label_fr}",
                    f"{name_en}: {f.label_en}",
                    f"risk.matrix.{letter}.high",
                )
                for f in high
            )
        for level in _PROTECTIVE_ORDER:
            protective = [f for f in row.factors(level) if f in factors]
            if protective:
                return level, tuple(
                    Reason(
                        f"factor_{level.value}",
                        f"{name_fr} : {f.label_fr}",
                        f"{name_en}: {f.label_en}",
                        f"risk.matrix.{letter}.{level.value}",
                    )
                    for f in protective
                )
    default = risk.default_level.value
    return default, (
        Reason(
            "default_level",
            f"{name_fr} : aucun facteur du tableau, niveau par défaut",
            f"{name_en}: no matrix factor recorded, default level",
            "risk.default_level",
        ),
    )


def suggest_risk_level(facts: RiskFacts, policy: Policy) -> RiskSuggestion:
    """The suggested risk level for ``facts`` under ``policy`` (see the module docstring)."""
    factors = _derived(facts, policy)
    if facts.emergency:
        level = policy.risk.emergency_level.value
        reason = Reason(
            "emergency",
            "Situation d'urgence : niveau de risque élevé d'office",
            "Emergency: high risk by definition",
            "risk.emergency_level",
        )
        return RiskSuggestion(level, (reason,), factors)
    if not facts.situations:
        hits = [f for f in policy.risk.aggravating_any.value if f in factors]
        if hits:
            reasons = tuple(
                Reason("aggravating_factor", f.label_fr, f.label_en, "risk.aggravating_any")
                for f in hits
            )
            return RiskSuggestion(RiskLevel.HIGH, reasons, factors)
        reason = Reason(
            "no_situation",
            "Aucune situation de l'article 50 : pas de niveau de risque de gestion de cas",
            "No Art. 50 situation: no case-management risk level",
            "eligibility.profile_alone_triggers",
        )
        return RiskSuggestion(RiskLevel.NONE, (reason,), factors)
    results = [
        _situation_level(s, factors, policy)
        for s in sorted(facts.situations, key=lambda s: s.letter)
    ]
    top = max(level.rank for level, _ in results)
    reasons = tuple(r for level, rs in results if level.rank == top for r in rs)
    return RiskSuggestion(_BY_RANK[top], reasons, factors)


@attrs.frozen
class RiskLevelCheck:
    """The caseworker's level against the suggestion; ``accepted`` False means not recordable."""

    level: RiskLevel
    suggested: RiskLevel
    justification: str
    accepted: bool
    reasons: tuple[Reason, ...]


def decide_risk_level(
    suggestion: RiskSuggestion, chosen: RiskLevel, *, justification: str = ""
) -> RiskLevelCheck:
    """Record the caseworker's level (SOP L357: the caseworker assigns and adapts the level).

    A level below the suggestion needs a justification; an emergency cannot be rated below its
    emergency level (SOP L805).
    """
    text = justification.strip()
    reasons: list[Reason] = []
    accepted = True
    emergency = any(r.code == "emergency" for r in suggestion.reasons)
    if emergency and chosen.rank < suggestion.level.rank:
        accepted = False
        reasons.append(
            Reason(
                "emergency_is_high",
                "Une situation d'urgence ne peut pas être cotée sous le niveau élevé",
                "An emergency cannot be rated below high",
                "risk.emergency_level",
            )
        )
    elif chosen.rank < suggestion.level.rank and not text:
        accepted = False
        reasons.append(
            Reason(
                "justification_required",
                "Niveau inférieur à la suggestion : justification obligatoire",
                "Level below the suggestion: a justification is required",
            )
        )
    elif chosen is not suggestion.level:
        reasons.append(
            Reason(
                "differs_from_suggestion",
                "Niveau différent de la suggestion, justifié par le gestionnaire de cas",
                "Level differs from the suggestion, justified by the caseworker",
            )
        )
    return RiskLevelCheck(chosen, suggestion.level, text, accepted, tuple(reasons))


def risk_facts(case: CaseFile) -> RiskFacts:
    """The risk facts recorded in ``case``: situations, age, sex, emergency and the matrix
    factors that registration fields record (disability, identity document, community of
    origin, separation). Factors noted as free text in 1.C/2.A cannot be read; add them to
    ``RiskFacts.factors`` with :func:`attrs.evolve`.
    """
    reg = case.registration
    situations: set[ProtectionSituation] = set()
    factors: set[RiskFactor] = set()
    age = None
    sex = None
    emergency = False
    if reg is not None:
        situations.update(reg.protection_situations)
        age = reg.age
        if reg.date_of_birth is not None:
            age = age_on(reg.date_of_birth, reg.registration_date)
        sex = reg.sex
        emergency = reg.emergency_care_needed
        if reg.disability_or_chronic_illness:
            factors.add(RiskFactor.DISABILITY_OR_CHRONIC_ILLNESS)
        if reg.has_birth_certificate_or_id is False:
            factors.add(RiskFactor.NO_IDENTITY_DOCUMENT)
        if reg.lives_in_community_of_origin is False:
            factors.add(RiskFactor.OUTSIDE_COMMUNITY_OF_ORIGIN)
        if reg.separation_status in (SeparationStatus.UNACCOMPANIED, SeparationStatus.SEPARATED):
            factors.add(RiskFactor.UNACCOMPANIED_OR_SEPARATED)
    if case.initial_assessment is not None:
        situations.update(case.initial_assessment.protection_situations)
    return RiskFacts(
        situations=frozenset(situations),
        factors=frozenset(factors),
        age_years=age,
        sex=sex,
        emergency=emergency,
    )
