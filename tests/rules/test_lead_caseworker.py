"""Lead caseworker for a child survivor of sexual violence (CSA module 7, L106–L112)."""

from __future__ import annotations

from typing import Any

from cpcase.rules.lead_caseworker import (
    LeadCandidate,
    SurvivorNeeds,
    Team,
    rank_lead_caseworkers,
)
from cpcase.rules.policy import load_profile
from cpcase.vocab import Sex

MALI = load_profile("mali-2020")


def cand(cid: str, team: Team = Team.GBV, gender: Sex = Sex.FEMALE, **kw: Any) -> LeadCandidate:
    base: dict[str, Any] = {
        "trained_cm": True,
        "trained_child_survivors": True,
        "supervision_available": True,
        "safe_space": True,
    }
    return LeadCandidate(cid, team, gender, **{**base, **kw})


def order(needs: SurvivorNeeds, *candidates: LeadCandidate) -> list[str]:
    return [c.id for c in rank_lead_caseworkers(needs, candidates, MALI).candidates]


def test_preference_is_respected_when_safe() -> None:
    """The child's or caregiver's choice comes first (L107) when the candidate is suitable."""
    chosen = cand("cp-2", Team.CHILD_PROTECTION, Sex.MALE, preferred=True)
    assert order(SurvivorNeeds(), cand("gbv-1"), chosen) == ["cp-2", "gbv-1"]


def test_preference_yields_to_risk_of_harm() -> None:
    """Not trained, or no safe space: unsuitable whatever the preference (L107–L108, L111)."""
    untrained = cand("cw-x", preferred=True, trained_cm=False)
    unsafe = cand("cw-y", preferred=True, safe_space=False)
    ranking = rank_lead_caseworkers(SurvivorNeeds(), (untrained, unsafe, cand("cw-z")), MALI)
    assert ranking.best == "cw-z"
    by_id = {c.id: c for c in ranking.candidates}
    assert not by_id["cw-x"].suitable
    assert {x.reason.code for x in by_id["cw-x"].criteria} >= {
        "not_trained",
        "preference_not_followed",
    }
    assert {x.reason.code for x in by_id["cw-y"].criteria} >= {
        "no_safe_space",
        "preference_not_followed",
    }
    nobody = rank_lead_caseworkers(SurvivorNeeds(), (untrained,), MALI)
    assert nobody.best is None
    assert "no_suitable_candidate" in [n.code for n in nobody.notes]


def test_gender_as_the_child_wishes() -> None:
    """Children must always have the choice of a male or female caseworker (L110)."""
    f, m = cand("f-1", Team.GBV, Sex.FEMALE), cand("m-1", Team.CHILD_PROTECTION, Sex.MALE)
    assert order(SurvivorNeeds(preferred_gender=Sex.MALE), f, m) == ["m-1", "f-1"]
    assert order(SurvivorNeeds(preferred_gender=Sex.FEMALE), m, f) == ["f-1", "m-1"]
    notes = rank_lead_caseworkers(SurvivorNeeds(), (f, m), MALI).notes
    assert [n.code for n in notes] == ["offer_gender_choice"]


def test_competence_supervision_and_refugee_procedures() -> None:
    """Full training and supervision score (L108–L109); BIA/BID favours a CP caseworker (L112);
    joint supervision counts for complex cases."""
    trained = cand("a", trained_child_survivors=True)
    basic = cand("b", trained_child_survivors=False)
    assert order(SurvivorNeeds(), basic, trained) == ["a", "b"]
    unsupervised = cand("c", supervision_available=False)
    assert order(SurvivorNeeds(), unsupervised, cand("d")) == ["d", "c"]
    gbv, cp = cand("gbv"), cand("cp", Team.CHILD_PROTECTION)
    assert order(SurvivorNeeds(refugee_best_interests_procedure=True), gbv, cp) == ["cp", "gbv"]
    assert order(SurvivorNeeds(), cp, gbv) == ["cp", "gbv"]  # tie: by identifier
    joint = cand("j", joint_supervision=True)
    assert order(SurvivorNeeds(complex_case=True), cand("i"), joint) == ["j", "i"]


def test_scores_are_explained_with_policy_weights() -> None:
    """Each criterion gives the points of its policy key, with fr/en text."""
    ranking = rank_lead_caseworkers(SurvivorNeeds(preferred_gender=Sex.FEMALE), (cand("a"),), MALI)
    (c,) = ranking.candidates
    assert c.score == sum(x.points for x in c.criteria)
    w = MALI.lead_caseworker
    points = {x.reason.code: x.points for x in c.criteria}
    assert points == {
        "trained_child_survivors": w.competence.value,
        "supervision_available": w.supervision.value,
        "gender_as_wished": w.gender.value,
        "safe_space": w.safe_space.value,
    }
    assert all(MALI.has(x.reason.rule or "") for x in c.criteria)
    heavier = MALI.override({"lead_caseworker.gender": 20})
    (c2,) = rank_lead_caseworkers(
        SurvivorNeeds(preferred_gender=Sex.FEMALE), (cand("a"),), heavier
    ).candidates
    assert c2.score == c.score + 20 - w.gender.value
