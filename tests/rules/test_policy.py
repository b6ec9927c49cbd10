"""Policy profiles: shipped values (golden, from the seeds), contract over all profiles, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpcase.errors import PolicyError, UnknownProfileError
from cpcase.rules import policy as policy_module
from cpcase.rules.calendars import Duration
from cpcase.rules.policy import (
    ARTICLE_50_LETTERS,
    DEADLINE_TABLES,
    Directive,
    list_profiles,
    load_policy,
    load_profile,
    policy_from_toml,
)
from cpcase.vocab import ClosureReason, RiskLevel

LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW, RiskLevel.NONE)


def cell(profile: str, table: str) -> dict[str, str]:
    p = load_profile(profile)
    return {lvl.value: p.deadlines.table(table).cell(lvl).display() for lvl in LEVELS}


def test_shipped_profiles() -> None:
    """The three profiles of the issue are shipped, mali-2020 is the default."""
    assert list_profiles() == ("gbv-2019", "interagency-2014", "mali-2020")
    assert load_profile().id == "mali-2020"


# --- golden values worked from the seeds --------------------------------------------------


def test_mali_deadline_table_is_the_sop_table() -> None:
    """SOP §4.3 L744–L748, cell by cell (24 h in the merged LOW/NONE cells, REQ note (a))."""
    assert cell("mali-2020", "initial_assessment") == {
        "high": "0h",
        "medium": "24h",
        "low": "24h",
        "none": "24h",
    }
    assert cell("mali-2020", "full_assessment") == {
        "high": "0h",
        "medium": "1w",
        "low": "1mo",
        "none": "recommend_closure",
    }
    assert cell("mali-2020", "case_plan") == {
        "high": "3d",
        "medium": "1w",
        "low": "2w",
        "none": "community_follow_up",
    }
    assert cell("mali-2020", "follow_up") == {
        "high": "2/1w",
        "medium": "1w",
        "low": "2w",
        "none": "not_applicable",
    }
    assert cell("mali-2020", "review") == {
        "high": "1mo",
        "medium": "2mo",
        "low": "3mo",
        "none": "not_applicable",
    }


def test_mali_other_values() -> None:
    """Emergency clocks, closure, caseload, mapping and eligibility values of the SOP."""
    p = load_profile("mali-2020")
    e = p.emergency
    assert (str(e.requisition.value), str(e.emergency_shelter_max.value)) == ("72h", "72h")
    assert str(e.post_discharge_visit.value) == "1d"
    assert (str(e.hcr_transit_max.value), str(e.hcr_transit_asylum_seeker_max.value)) == (
        "3d",
        "14d",
    )
    assert e.sets_risk_high.value is True
    c = p.closure
    assert str(c.inactivity.value) == "3mo"
    assert str(c.lost_to_follow_up_min.value) == "3mo"
    assert c.min_reviews.value == 1
    assert c.supervisor_validation.value is True
    assert set(c.reasons.value) == {
        ClosureReason.PLAN_GOAL_ACHIEVED,
        ClosureReason.TRANSFERRED,
        ClosureReason.CHILD_FAMILY_DECLINED,
        ClosureReason.LOST_TO_FOLLOW_UP,
        ClosureReason.DECEASED,
        ClosureReason.INACTIVE_3_MONTHS,
    }
    k = p.caseload
    assert (k.cases_per_caseworker_target.value, k.cases_per_caseworker_max.value) == (25, 25)
    assert (k.caseworkers_per_supervisor_target.value, k.caseworkers_per_supervisor_max.value) == (
        5,
        6,
    )
    assert str(p.mapping.refresh_every.value) == "6mo"
    assert str(p.mapping.refresh_every_emergency_zone.value) == "3mo"
    g = p.eligibility
    assert g.age_limit.value == 18
    assert g.presume_minor.value is True
    assert g.uasc_self_reliance_min_age.value == 15
    assert g.always_eligible.value == ("f", "g")
    assert p.risk.de_facto_high.value == ("e", "f", "g", "i", "j")


def test_interagency_values() -> None:
    """The CM Guidelines course timetable T1–T20 (24 h / 48 h, 1 week / 1 month, 2 weeks…)."""
    assert set(cell("interagency-2014", "initial_assessment").values()) == {"24h"}
    assert set(cell("interagency-2014", "initial_assessment_limit").values()) == {"48h"}
    start = cell("interagency-2014", "full_assessment_start")
    assert (start["high"], start["medium"], start["low"]) == ("1w", "1w", "1w")
    full = cell("interagency-2014", "full_assessment")
    assert (full["medium"], full["low"]) == ("1mo", "1mo")
    assert cell("interagency-2014", "case_plan")["medium"] == "2w"
    review = cell("interagency-2014", "review")
    assert (review["medium"], review["low"]) == ("3mo", "3mo")
    follow = cell("interagency-2014", "follow_up")
    assert (follow["high"], follow["medium"], follow["low"]) == ("2/1w", "1w", "1w")
    p = load_profile("interagency-2014")
    assert p.caseload.cases_per_caseworker_max.value == 25
    assert p.caseload.caseworkers_per_supervisor_max.value == 6
    assert str(p.caseload.workload_review_every.value) == "2w"


def test_gbv_ratios_and_inheritance() -> None:
    """GBV key actions L9: 15 active cases (20 max); supervisor 1:5 (8 max); rest inherited."""
    gbv = load_profile("gbv-2019")
    k = gbv.caseload
    assert (k.cases_per_caseworker_target.value, k.cases_per_caseworker_max.value) == (15, 20)
    assert (k.caseworkers_per_supervisor_target.value, k.caseworkers_per_supervisor_max.value) == (
        5,
        8,
    )
    assert "GBV L9" in k.cases_per_caseworker_max.cite
    assert gbv.profile.files == ("interagency-2014.toml", "gbv-2019.toml")
    assert gbv.profile.extends == "interagency-2014"
    base = load_profile("interagency-2014")
    assert gbv.deadlines == base.deadlines
    assert gbv.lookup("deadlines.case_plan.medium").source == "interagency-2014.toml"


# --- contract: every shipped profile ------------------------------------------------------


@pytest.mark.parametrize("name", list_profiles())
def test_every_value_is_cited_and_resolvable(name: str) -> None:
    """Every value has a non-empty citation, comes from a file, and lookup() finds it."""
    p = load_profile(name)
    items = list(p.items())
    assert len(items) > 90
    for key, cited in items:
        assert cited.key == key
        assert cited.cite.strip(), key
        assert cited.source.endswith(".toml"), key
        assert p.lookup(key) is cited
        assert p.has(key)
    assert not p.has("deadlines.case_plan.urgent")
    with pytest.raises(PolicyError, match="no policy value"):
        p.lookup("nope")


@pytest.mark.parametrize("name", list_profiles())
def test_every_table_covers_every_level_and_higher_risk_is_never_slower(name: str) -> None:
    """Each deadline table has a cell per level; a higher level never has a longer delay."""
    p = load_profile(name)
    for table_name in DEADLINE_TABLES:
        table = p.deadlines.table(table_name)
        hours = []
        for level in LEVELS:
            value = table.cell(level).value
            assert isinstance(value, Duration | Directive)
            if isinstance(value, Duration):
                hours.append(value.nominal_hours())
        assert hours == sorted(hours), table_name


@pytest.mark.parametrize("name", list_profiles())
def test_profile_invariants(name: str) -> None:
    """Targets never exceed maxima; matrix rows name Art. 50 letters; reasons are vocabulary."""
    p = load_profile(name)
    k = p.caseload
    assert k.cases_per_caseworker_target.value <= k.cases_per_caseworker_max.value
    assert k.caseworkers_per_supervisor_target.value <= k.caseworkers_per_supervisor_max.value
    assert all(letter in ARTICLE_50_LETTERS for letter, _ in p.risk.matrix)
    assert all(isinstance(r, ClosureReason) for r in p.closure.reasons.value)
    assert p.clock.week_days == p.calendar.week_days.value
    assert p.override({}) is p


# --- user overrides ---------------------------------------------------------------------------


def test_override_file_bare_and_cited_values(tmp_path: Path) -> None:
    """Bare values are cited as the file; inline tables keep their citation; the rest is kept."""
    f = tmp_path / "org.toml"
    f.write_text(
        '[profile]\nextends = "mali-2020"\nid = "org-2025"\n\n[caseload]\n'
        "cases_per_caseworker_target = 18\n"
        'cases_per_caseworker_max = { value = 20, cite = "Org HR policy §3" }\n'
        '[calendar]\ndays = "working"\n',
        encoding="utf-8",
    )
    p = load_policy(f)
    assert p.id == "org-2025"
    assert p.caseload.cases_per_caseworker_target.value == 18
    assert p.caseload.cases_per_caseworker_target.cite == f"override: {f}"
    assert p.caseload.cases_per_caseworker_max.cite == "Org HR policy §3"
    assert p.caseload.caseworkers_per_supervisor_max.value == 6
    assert p.clock.working_days is True
    assert p.clock.holidays_country == "ML"
    assert p.profile.files == ("mali-2020.toml", str(f))


def test_override_defaults_to_mali_and_base_wins() -> None:
    """Without extends the default profile is overridden; an explicit base takes precedence."""
    p = policy_from_toml("[caseload]\ncases_per_caseworker_max = 30", source="x.toml")
    assert p.profile.extends == "mali-2020"
    assert p.id == "mali-2020+x"
    q = policy_from_toml(
        '[profile]\nextends = "mali-2020"\n[caseload]\ncases_per_caseworker_max = 30',
        source="x.toml",
        base="gbv-2019",
    )
    assert q.profile.extends == "gbv-2019"
    assert q.caseload.cases_per_caseworker_target.value == 15


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[caseload]\ncases_per_caseworker_max = "many"',
            "x.toml: caseload.cases_per_caseworker_max: expected a positive integer, got str",
        ),
        (
            "[caseload]\ncases_per_caseworker_max = 0",
            "caseload.cases_per_caseworker_max: expected a positive integer, got int",
        ),
        ("[caseload]\nmax_cases = 3", "unknown key 'caseload.max_cases'"),
        ("[bogus]\nx = 1", "unknown key 'bogus'"),
        (
            '[deadlines.case_plan]\nhigh = "3 days"',
            "deadlines.case_plan.high: expected a duration",
        ),
        (
            '[deadlines.case_plan]\nmedium = "1d"',
            "deadlines.case_plan.medium: a lower risk level cannot have a shorter delay: medium (1d) is shorter than high (3d)",
        ),
        (
            '[deadlines.review]\nanchor = "registration"',
            "deadlines.review.anchor: expected one of",
        ),
        ("[eligibility]\npresume_minor = 1", "eligibility.presume_minor: expected true or false"),
        ('[eligibility]\nalways_eligible = ["z"]', "eligibility.always_eligible: expected a list"),
        ("[risk.matrix.z]\nhigh = []", "unknown key 'risk.matrix.z'"),
        ('[risk.matrix.a]\nhigh = ["tall"]', "risk.matrix.a.high: expected a list of risk-factor"),
        ('[closure]\nreasons = ["bored"]', "closure.reasons: expected a list of closure-reason"),
        ("[caseload]\ncases_per_caseworker_target = 40", "cases_per_caseworker_target: must not"),
        ('[calendar]\ndays = "working"\nholidays_country = "ZZ"', "'ZZ' is not supported"),
        ('[calendar]\nweekend = ["mon","tue","wed","thu","fri","sat","sun"]', "calendar.weekend"),
        ('[caseload]\nover_limit = { value = "warn", cited = "x" }', "unknown: cited"),
        ("[profile]\nversion = 2", "unknown key 'profile.version'"),
        ("x = [", "x.toml: not valid TOML"),
    ],
)
def test_bad_override_names_key_and_expected_type(text: str, message: str) -> None:
    """A bad file gets a PolicyError naming the file, the key and what was expected."""
    with pytest.raises(PolicyError) as info:
        policy_from_toml(text, source="x.toml")
    assert message in str(info.value)


def test_unknown_profile_is_a_lookup_error(tmp_path: Path) -> None:
    """Unknown profiles raise UnknownProfileError, also a LookupError, naming the choices."""
    with pytest.raises(UnknownProfileError, match="available: gbv-2019") as info:
        load_profile("mali-1999")
    assert isinstance(info.value, LookupError)
    with pytest.raises(UnknownProfileError):
        policy_from_toml('[profile]\nextends = "nope"', source="x.toml")


def test_unreadable_files(tmp_path: Path) -> None:
    """Missing and non-UTF-8 files are policy errors naming the file."""
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[profile]\ntitle_fr = "Sévaré"\n'.encode("latin-1"))
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(bad)


def test_programmatic_override_revalidates() -> None:
    """override() applies dotted keys and re-validates (unlike a shallow copy)."""
    p = load_profile("mali-2020")
    q = p.override({"caseload.cases_per_caseworker_max": 30}, source="test")
    assert q.caseload.cases_per_caseworker_max.value == 30
    assert q.caseload.cases_per_caseworker_max.cite == "override: test"
    assert p.caseload.cases_per_caseworker_max.value == 25  # the original is untouched
    assert q != p
    with pytest.raises(PolicyError, match=r"test: caseload.over_limit: expected one of"):
        p.override({"caseload.over_limit": "panic"}, source="test")


def test_shipped_profiles_must_cite_every_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shipped profile with an uncited value is refused (user overrides may omit citations)."""
    text = (Path(policy_module.__file__).parent / "profiles" / "mali-2020.toml").read_text("utf-8")
    (tmp_path / "uncited.toml").write_text(
        text.replace(
            '[supervision]\nteam_meeting_every = { value = "2w", cite',
            '[supervision]\nteam_meeting_every = { value = "2w", note',
        ),
        encoding="utf-8",
    )
    (tmp_path / "bare.toml").write_text(
        text.replace(
            '[mapping]\nrefresh_every = { value = "6mo", cite = "SOP §3.4.1 L466 « '
            'actualisée, au moins tous les 06 mois »; §3.2 L310" }',
            '[mapping]\nrefresh_every = "6mo"',
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(policy_module, "_profile_dir", lambda: tmp_path)
    policy_module._raw_profile.cache_clear()
    try:
        with pytest.raises(PolicyError, match=r"supervision.team_meeting_every: missing citation"):
            policy_module.load_profile.__wrapped__("uncited")
        with pytest.raises(
            PolicyError, match=r"mapping.refresh_every: a shipped profile must cite"
        ):
            policy_module.load_profile.__wrapped__("bare")
    finally:
        policy_module._raw_profile.cache_clear()
