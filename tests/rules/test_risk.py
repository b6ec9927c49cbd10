"""Risk suggestion from the SOP §4.3 matrix (L722–L737), golden rows worked from the seed."""

from __future__ import annotations

import datetime as dt

import pytest
from rules_builders import case, registration

from cpcase.rules.factors import RiskFactor as F
from cpcase.rules.policy import load_profile
from cpcase.rules.risk import RiskFacts, decide_risk_level, risk_facts, suggest_risk_level
from cpcase.vocab import ProtectionSituation as S
from cpcase.vocab import RiskLevel as L
from cpcase.vocab import Sex

MALI = load_profile("mali-2020")


def suggest(*situations: S, factors: tuple[F, ...] = (), **kw: object) -> tuple[L, list[str]]:
    facts = RiskFacts(situations=frozenset(situations), factors=frozenset(factors), **kw)  # type: ignore[arg-type]
    s = suggest_risk_level(facts, MALI)
    return s.level, [r.code for r in s.reasons]


# (situation, factors, age, sex, expected level) from the matrix rows (L723–L737).
ROWS = [
    # a) loss of parents: very young child → high; community foster family → low; foster family
    #    with appropriate care → none; integrated in a protective community → medium.
    (S.LOSS_OF_PARENTS, (), 3, None, L.HIGH),
    (S.LOSS_OF_PARENTS, (F.NO_IDENTITY_DOCUMENT,), 10, None, L.HIGH),
    (S.LOSS_OF_PARENTS, (F.INTEGRATED_PROTECTIVE_COMMUNITY,), 10, None, L.MEDIUM),
    (S.LOSS_OF_PARENTS, (F.COMMUNITY_FOSTER_FAMILY_DESIGNATED,), 10, None, L.LOW),
    (S.LOSS_OF_PARENTS, (F.IN_FOSTER_FAMILY_WITH_CARE,), 10, None, L.NONE),
    # b) abandoned/found: left at the police → high; relative came forward → low.
    (S.ABANDONED_OR_FOUND, (F.LEFT_AT_POLICE_OR_RADIO,), 8, None, L.HIGH),
    (S.ABANDONED_OR_FOUND, (F.EXTENDED_FAMILY_CAME_FORWARD,), 8, None, L.LOW),
    (S.ABANDONED_OR_FOUND, (F.FAMILY_FOUND_NO_NEGLECT_OR_ABUSE,), 8, None, L.NONE),
    # c) neglect and vagrancy: a girl → high (more exposed to sexual abuse); family support → medium.
    (S.NEGLECT_VAGRANCY, (), 12, Sex.FEMALE, L.HIGH),
    (S.NEGLECT_VAGRANCY, (F.POSITIVE_FAMILY_SUPPORT,), 12, Sex.MALE, L.MEDIUM),
    (S.NEGLECT_VAGRANCY, (F.REGULARLY_IN_STREET, F.POSITIVE_FAMILY_SUPPORT), 12, Sex.MALE, L.HIGH),
    # d) lack of education/protection: previously in conflict with the law → high.
    (S.LACK_OF_EDUCATION_PROTECTION, (F.PREVIOUSLY_IN_CONFLICT_WITH_LAW,), 14, None, L.HIGH),
    # h) begging: living with a protective parent (twins begging with their mother) → medium.
    (S.BEGGING_ECONOMIC_EXPLOITATION, (F.LIVES_WITH_PROTECTIVE_PARENT,), 7, None, L.MEDIUM),
    (S.BEGGING_ECONOMIC_EXPLOITATION, (F.ABSENCE_OF_CARE,), 7, None, L.HIGH),
    # h) a very young child is not a listed factor of the begging row: default level.
    (S.BEGGING_ECONOMIC_EXPLOITATION, (), 3, None, L.MEDIUM),
    # k) harmful practices; l) caregivers unable: basic needs unmet daily → high.
    (S.HARMFUL_PRACTICES, (F.ALREADY_ILL_FROM_PRACTICE,), 11, None, L.HIGH),
    (S.CAREGIVERS_UNABLE, (F.BASIC_NEEDS_UNMET_DAILY,), 11, None, L.HIGH),
    (S.CAREGIVERS_UNABLE, (), 11, None, L.MEDIUM),
]


@pytest.mark.parametrize(
    ("situation", "factors", "age", "sex", "expected"),
    ROWS,
    ids=[f"{r[0].letter}-{i}" for i, r in enumerate(ROWS)],
)
def test_matrix_rows(
    situation: S, factors: tuple[F, ...], age: int, sex: Sex | None, expected: L
) -> None:
    """Each row of the matrix gives the level of its column."""
    level, _ = suggest(situation, factors=factors, age_years=age, sex=sex)
    assert level is expected


@pytest.mark.parametrize(
    "situation",
    [
        S.HABITUAL_ILL_TREATMENT,
        S.SEXUAL_EXPLOITATION,
        S.SEXUAL_ABUSE,
        S.ORGANISED_CRIME,
        S.ARMED_CONFLICT,
    ],
)
def test_red_rows_are_de_facto_high(situation: S) -> None:
    """The blank rows (e, f, g, i, j) are taken as the red, de facto priority rows (L720)."""
    level, codes = suggest(situation, factors=(F.IN_FOSTER_FAMILY_WITH_CARE,), age_years=15)
    assert (level, codes) == (L.HIGH, ["de_facto_priority"])


def test_emergency_imminence_gravity_and_defaults() -> None:
    """Emergency → high (L805); imminent danger or gravity → high (L707); no situation → none."""
    assert suggest(S.LOSS_OF_PARENTS, emergency=True) == (L.HIGH, ["emergency"])
    assert suggest(S.CAREGIVERS_UNABLE, factors=(F.IMMINENT_DANGER,))[0] is L.HIGH
    assert suggest(factors=(F.SERIOUS_HARM,))[0] is L.HIGH
    assert suggest() == (L.NONE, ["no_situation"])
    assert suggest(S.CAREGIVERS_UNABLE, age_years=12) == (L.MEDIUM, ["default_level"])


def test_highest_situation_wins_and_explains() -> None:
    """Several situations: the highest level, with the reasons of the situations at that level."""
    level, codes = suggest(
        S.LOSS_OF_PARENTS,
        S.CAREGIVERS_UNABLE,
        factors=(F.IN_FOSTER_FAMILY_WITH_CARE, F.BASIC_NEEDS_UNMET_DAILY),
        age_years=9,
    )
    assert (level, codes) == (L.HIGH, ["factor_high"])


def test_very_young_threshold_comes_from_the_policy() -> None:
    """'Enfant en bas-âge' is under 5 by default; a profile can move the threshold."""
    facts = RiskFacts(situations=frozenset({S.LOSS_OF_PARENTS}), age_years=6)
    assert suggest_risk_level(facts, MALI).level is L.MEDIUM
    older = MALI.override({"risk.very_young_child_under": 7})
    assert suggest_risk_level(facts, older).level is L.HIGH
    assert F.VERY_YOUNG_CHILD in suggest_risk_level(facts, older).factors


def test_profile_without_matrix() -> None:
    """interagency-2014 has no factor criteria (course L915): default level unless aggravated."""
    ia = load_profile("interagency-2014")
    facts = RiskFacts(situations=frozenset({S.SEXUAL_ABUSE}), age_years=3)
    assert suggest_risk_level(facts, ia).level is L.MEDIUM
    danger = RiskFacts(
        situations=frozenset({S.SEXUAL_ABUSE}), factors=frozenset({F.IMMINENT_DANGER})
    )
    assert suggest_risk_level(danger, ia).level is L.HIGH


def test_caseworker_decides() -> None:
    """The caseworker's level counts; below the suggestion it needs a justification; an
    emergency cannot be rated below high."""
    high = suggest_risk_level(RiskFacts(situations=frozenset({S.SEXUAL_ABUSE})), MALI)
    assert decide_risk_level(high, L.HIGH).accepted
    refused = decide_risk_level(high, L.LOW)
    assert not refused.accepted
    assert [r.code for r in refused.reasons] == ["justification_required"]
    justified = decide_risk_level(high, L.LOW, justification="synthetic: child placed safely")
    assert justified.accepted
    assert [r.code for r in justified.reasons] == ["differs_from_suggestion"]
    emergency = suggest_risk_level(RiskFacts(emergency=True), MALI)
    assert not decide_risk_level(emergency, L.MEDIUM, justification="x").accepted
    assert decide_risk_level(
        suggest_risk_level(RiskFacts(situations=frozenset({S.NEGLECT_VAGRANCY})), MALI), L.HIGH
    ).accepted


def test_risk_facts_from_a_case_file() -> None:
    """Registration fields give the matrix factors they record."""
    reg = registration(
        dt.date(2024, 3, 1),
        age=3,
        sex=Sex.FEMALE,
        situations=[S.LOSS_OF_PARENTS],
    ).model_copy(
        update={"has_birth_certificate_or_id": False, "lives_in_community_of_origin": False}
    )
    facts = risk_facts(case(registration=reg))
    assert facts.situations == frozenset({S.LOSS_OF_PARENTS})
    assert facts.factors == {F.NO_IDENTITY_DOCUMENT, F.OUTSIDE_COMMUNITY_OF_ORIGIN}
    assert (facts.age_years, facts.sex, facts.emergency) == (3, Sex.FEMALE, False)
    assert suggest_risk_level(facts, MALI).level is L.HIGH
