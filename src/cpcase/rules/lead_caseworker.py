"""Lead caseworker for a child survivor of sexual violence: CP or GBV team (CSA module 7).

The training module on coordinating care for child survivors (seed ``csa-training-module7-
coordination.txt``, slide 7, L106–L112) lists what decides the most suitable lead caseworker:

- the child's and/or caregiver's preference, respected "as far as possible" unless there is a
  risk of harm (lack of knowledge or skills, or no safe and confidential space) (L107);
- competence: at least CM training (GBV or CP), ideally full training on child survivors (L108);
- quality supervision for the lead caseworker, joint CP/GBV supervision for complex cases (L109);
- the caseworker's gender: children must always have the choice (L110);
- a safe, comfortable, confidential space (L111);
- refugee children in best-interests procedures (BIA/BID) are best handled by a CP caseworker
  (L112).

:func:`rank_lead_caseworkers` scores candidates with the weights of the policy's
``[lead_caseworker]`` section and explains every point. Candidates failing a requirement
(``require_training``, ``require_safe_space``) are ranked after all suitable ones, whatever the
preference: the preference yields to the risk of harm.

>>> from cpcase.rules.policy import load_profile
>>> from cpcase.vocab import Sex
>>> a = LeadCandidate("cw-gbv-1", Team.GBV, Sex.FEMALE, trained_cm=True,
...                   trained_child_survivors=True, supervision_available=True, safe_space=True)
>>> b = LeadCandidate("cw-cp-2", Team.CHILD_PROTECTION, Sex.MALE, trained_cm=True,
...                   trained_child_survivors=True, supervision_available=True, safe_space=True)
>>> ranking = rank_lead_caseworkers(SurvivorNeeds(preferred_gender=Sex.FEMALE), (b, a),
...                                 load_profile("mali-2020"))
>>> ranking.best
'cw-gbv-1'
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from cpcase.labels import LabelledEnum
from cpcase.rules.policy import Policy
from cpcase.rules.reasons import Reason
from cpcase.vocab.core import Sex

__all__ = [
    "Criterion",
    "LeadCandidate",
    "LeadRanking",
    "RankedCandidate",
    "SurvivorNeeds",
    "Team",
    "rank_lead_caseworkers",
]

_CSA = "CSA module 7"


class Team(LabelledEnum):
    """The case-management team a candidate belongs to."""

    CHILD_PROTECTION = (
        "child_protection",
        "Équipe de protection de l'enfance (PE)",
        "Child-protection (CP) team",
        f"{_CSA} L78",
    )
    GBV = ("gbv", "Équipe de lutte contre la VBG", "GBV team", f"{_CSA} L78")


@attrs.frozen
class LeadCandidate:
    """A possible lead caseworker (identifier only, no name)."""

    id: str
    team: Team
    gender: Sex | None
    trained_cm: bool
    trained_child_survivors: bool
    supervision_available: bool
    safe_space: bool
    joint_supervision: bool = False
    preferred: bool = False


@attrs.frozen
class SurvivorNeeds:
    """What the child (or caregiver) wishes and needs."""

    preferred_gender: Sex | None = None
    refugee_best_interests_procedure: bool = False
    complex_case: bool = False


@attrs.frozen
class Criterion:
    """One reason in a candidate's score, with the points it gave (0 for a note)."""

    reason: Reason
    points: int


@attrs.frozen
class RankedCandidate:
    """A candidate's place: suitable or not, score, and the explanation."""

    id: str
    team: Team
    suitable: bool
    score: int
    criteria: tuple[Criterion, ...]


@attrs.frozen
class LeadRanking:
    """Candidates best first, plus notes that apply to the whole decision."""

    candidates: tuple[RankedCandidate, ...]
    notes: tuple[Reason, ...]

    @property
    def best(self) -> str | None:
        """The first suitable candidate's id, or ``None`` if nobody is suitable."""
        for c in self.candidates:
            if c.suitable:
                return c.id
        return None


def _crit(code: str, fr: str, en: str, rule: str, line: str, points: int) -> Criterion:
    return Criterion(Reason(code, fr, en, rule, f"{_CSA} {line}"), points)


def _score(c: LeadCandidate, needs: SurvivorNeeds, policy: Policy) -> RankedCandidate:
    w = policy.lead_caseworker
    crits: list[Criterion] = []
    suitable = True
    if not c.trained_cm and w.require_training.value:
        suitable = False
        crits.append(
            _crit(
                "not_trained",
                "Pas de formation à la gestion de cas VBG ou PE : risque de préjudice",
                "No GBV or CP case-management training: risk of harm",
                "lead_caseworker.require_training",
                "L107–L108",
                0,
            )
        )
    if not c.safe_space and w.require_safe_space.value:
        suitable = False
        crits.append(
            _crit(
                "no_safe_space",
                "Pas d'espace sûr et confidentiel : risque de préjudice",
                "No safe and confidential space: risk of harm",
                "lead_caseworker.require_safe_space",
                "L107, L111",
                0,
            )
        )
    if c.preferred:
        if suitable:
            crits.append(
                _crit(
                    "preferred",
                    "Choisi par l'enfant ou la personne qui s'en occupe",
                    "Chosen by the child or caregiver",
                    "lead_caseworker.preference",
                    "L107",
                    w.preference.value,
                )
            )
        else:
            crits.append(
                _crit(
                    "preference_not_followed",
                    "Préférence non suivie : risque de préjudice",
                    "Preference not followed: risk of harm",
                    "lead_caseworker.preference",
                    "L107",
                    0,
                )
            )
    if c.trained_child_survivors:
        crits.append(
            _crit(
                "trained_child_survivors",
                "Formation complète sur la prise en charge des enfants survivants",
                "Full training on caring for child survivors",
                "lead_caseworker.competence",
                "L108",
                w.competence.value,
            )
        )
    if c.supervision_available:
        crits.append(
            _crit(
                "supervision_available",
                "Supervision de qualité disponible",
                "Quality supervision available",
                "lead_caseworker.supervision",
                "L109",
                w.supervision.value,
            )
        )
    else:
        crits.append(
            _crit(
                "no_supervision",
                "Pas de supervision disponible (essentielle)",
                "No supervision available (essential)",
                "lead_caseworker.supervision",
                "L109",
                0,
            )
        )
    if needs.complex_case and c.joint_supervision:
        crits.append(
            _crit(
                "joint_supervision",
                "Supervision conjointe PE/VBG pour un cas complexe",
                "Joint CP/GBV supervision for a complex case",
                "lead_caseworker.joint_supervision_complex",
                "L109",
                w.joint_supervision_complex.value,
            )
        )
    if needs.preferred_gender is not None:
        if c.gender is needs.preferred_gender:
            crits.append(
                _crit(
                    "gender_as_wished",
                    "Genre du travailleur social conforme au souhait de l'enfant",
                    "Caseworker's gender as the child wishes",
                    "lead_caseworker.gender",
                    "L110",
                    w.gender.value,
                )
            )
        else:
            crits.append(
                _crit(
                    "gender_not_as_wished",
                    "Genre différent de celui souhaité par l'enfant",
                    "Gender differs from the child's wish",
                    "lead_caseworker.gender",
                    "L110",
                    0,
                )
            )
    if c.safe_space:
        crits.append(
            _crit(
                "safe_space",
                "Espace sûr, confortable et confidentiel",
                "Safe, comfortable and confidential space",
                "lead_caseworker.safe_space",
                "L111",
                w.safe_space.value,
            )
        )
    if needs.refugee_best_interests_procedure and c.team is Team.CHILD_PROTECTION:
        crits.append(
            _crit(
                "refugee_bia_bid_cp",
                "Enfant réfugié en procédure EIS/DIS : travailleur social PE",
                "Refugee child in BIA/BID procedures: CP caseworker",
                "lead_caseworker.refugee_best_interests_cp",
                "L112",
                w.refugee_best_interests_cp.value,
            )
        )
    return RankedCandidate(c.id, c.team, suitable, sum(x.points for x in crits), tuple(crits))


def rank_lead_caseworkers(
    needs: SurvivorNeeds, candidates: Iterable[LeadCandidate], policy: Policy
) -> LeadRanking:
    """Candidates ranked best first: suitable before unsuitable, then by score, then by id."""
    ranked = sorted(
        (_score(c, needs, policy) for c in candidates),
        key=lambda r: (not r.suitable, -r.score, r.id),
    )
    notes: list[Reason] = []
    if needs.preferred_gender is None:
        notes.append(
            Reason(
                "offer_gender_choice",
                "Proposer à l'enfant le choix d'un intervenant masculin ou féminin",
                "Offer the child the choice of a male or female caseworker",
                "lead_caseworker.gender",
                f"{_CSA} L110",
            )
        )
    if not any(r.suitable for r in ranked):
        notes.append(
            Reason(
                "no_suitable_candidate",
                "Aucun candidat ne remplit les exigences : chercher un autre partenaire",
                "No candidate meets the requirements: look for another partner",
                None,
                f"{_CSA} L107",
            )
        )
    return LeadRanking(tuple(ranked), tuple(notes))
