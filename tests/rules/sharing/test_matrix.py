"""The sharing matrix: shipped policy, TOML override, validation errors that name the key."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from cpcase.errors import PolicyError, UnknownProfileError
from cpcase.rules.sharing import matrix
from cpcase.rules.sharing.matrix import (
    Audience,
    ConsentNeed,
    DataClass,
    Purpose,
    ViewKind,
    list_sharing_policies,
    load_sharing_policy,
    sharing_policy_from_toml,
)

HEADER = '[profile]\nid = "test"\ntitle_fr = "Test"\ntitle_en = "Test"\n\n'
OVERRIDE = '[profile]\nid = "my-org"\nextends = "mali-2020"\n\n'


def _rule(**kw: str) -> str:
    fields = {
        "audience": "provider",
        "purpose": "referral",
        "view": "record",
        "scope": "referral_recipient",
        "consent": "required",
        "redact": '["strictly_confidential", "name"]',
        "citation": "test",
    }
    fields.update(kw)
    lines = [
        f"{k} = {v}" if k in ("redact", "forms", "enabled") else f'{k} = "{v}"'
        for k, v in fields.items()
    ]
    return "[[rules]]\n" + "\n".join(lines) + "\n"


def test_module_doctests() -> None:
    result = doctest.testmod(matrix)
    assert result.attempted > 0
    assert result.failed == 0


def test_shipped_policy_is_listed_and_cited() -> None:
    assert "mali-2020" in list_sharing_policies()
    policy = load_sharing_policy("mali-2020")
    assert policy.profile.id == "mali-2020"
    assert policy.profile.sources
    assert all(rule.citation for rule in policy.rules)
    assert policy.consent.not_from_the_seeds
    assert policy.statistics.min_cell == 5


@pytest.mark.parametrize(
    ("audience", "purpose", "view", "consent"),
    [
        (Audience.CASEWORKER, Purpose.CASE_WORK, ViewKind.RECORD, ConsentNeed.NOT_REQUIRED),
        (Audience.SUPERVISOR, Purpose.DASHBOARD, ViewKind.LIST, ConsentNeed.NOT_REQUIRED),
        (Audience.SUPERVISOR, Purpose.CASE_REVIEW, ViewKind.RECORD, ConsentNeed.NOT_REQUIRED),
        (Audience.PROVIDER, Purpose.REFERRAL, ViewKind.RECORD, ConsentNeed.REQUIRED),
        (Audience.RECEIVING_ORG, Purpose.TRANSFER, ViewKind.RECORD, ConsentNeed.REQUIRED),
        (Audience.CHILD_FAMILY, Purpose.OWN_FILE, ViewKind.RECORD, ConsentNeed.NOT_REQUIRED),
        (Audience.ORG_MANAGER, Purpose.STATISTICS, ViewKind.AGGREGATE, ConsentNeed.NOT_REQUIRED),
        (Audience.REGIONAL, Purpose.STATISTICS, ViewKind.AGGREGATE, ConsentNeed.NOT_REQUIRED),
        (Audience.NATIONAL, Purpose.STATISTICS, ViewKind.AGGREGATE, ConsentNeed.NOT_REQUIRED),
        (Audience.MEETING, Purpose.CASE_CONFERENCE, ViewKind.RECORD, ConsentNeed.NOT_REQUIRED),
    ],
)
def test_default_matrix_cells(
    audience: Audience, purpose: Purpose, view: ViewKind, consent: ConsentNeed
) -> None:
    rule = load_sharing_policy().rule(audience, purpose)
    assert rule is not None
    assert (rule.view, rule.consent, rule.enabled) == (view, consent, True)


def test_personal_data_leaves_only_for_referral_or_transfer_with_consent() -> None:
    # SOP §6.3 L1195: « Aucune donnée personnelle … sauf en cas de référence ou de transfert »
    for rule in load_sharing_policy().rules:
        external = rule.audience in (Audience.PROVIDER, Audience.RECEIVING_ORG)
        if external:
            assert rule.purpose in (Purpose.REFERRAL, Purpose.TRANSFER)
            assert rule.consent is ConsentNeed.REQUIRED


def test_every_label_is_bilingual() -> None:
    for enum in (
        matrix.Audience,
        matrix.Purpose,
        matrix.ViewKind,
        matrix.AccessScope,
        matrix.ConsentNeed,
        matrix.DataClass,
    ):
        for member in enum:
            assert member.label_fr
            assert member.label_en


def test_override_replaces_one_rule_and_merges_tables(tmp_path: Path) -> None:
    path = tmp_path / "my-org.toml"
    path.write_text(
        OVERRIDE
        + "[consent]\nchild_consent_from_age = 14\n\n[statistics]\nmin_cell = 10\n\n"
        + _rule(audience="supervisor", purpose="case_review", view="record", scope="team")
        .replace('consent = "required"', 'consent = "not_required"')
        .replace("[[rules]]\n", "[[rules]]\nenabled = false\n"),
        encoding="utf-8",
    )
    policy = load_sharing_policy(path)
    base = load_sharing_policy()
    assert policy.profile.id == "my-org"
    assert policy.consent.child_consent_from_age == 14
    assert policy.consent.assent_from_age == base.consent.assent_from_age  # merged, not replaced
    assert policy.statistics.min_cell == 10
    review = policy.rule(Audience.SUPERVISOR, Purpose.CASE_REVIEW)
    assert review is not None
    assert not review.enabled
    assert len(policy.rules) == len(base.rules)
    assert policy.data_classes == base.data_classes


def test_override_can_extend_a_file_next_to_it(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(OVERRIDE + "[statistics]\nmin_cell = 7\n", "utf-8")
    child = tmp_path / "child.toml"
    child.write_text('[profile]\nid = "child"\nextends = "base.toml"\n', "utf-8")
    assert load_sharing_policy(child).statistics.min_cell == 7


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            OVERRIDE + _rule(audience="nobody"),
            "rules[11] (audience=nobody, purpose=referral).audience",
        ),
        (
            OVERRIDE + _rule(consent="maybe"),
            ".consent: Input should be 'required' or 'not_required'",
        ),
        (
            OVERRIDE + _rule(redact='["name"]'),
            "audience provider must redact strictly_confidential",
        ),
        (
            OVERRIDE
            + _rule(
                audience="supervisor",
                purpose="dashboard",
                view="list",
                scope="team",
                redact='["strictly_confidential"]',
            ),
            "must redact names",
        ),
        (
            OVERRIDE + _rule(audience="org_manager", purpose="statistics", scope="organisation"),
            "may only receive aggregates",
        ),
        (
            OVERRIDE
            + _rule(audience="child_family", purpose="own_file", scope="own_file").replace(
                'consent = "required"', 'consent = "not_required"'
            ),
            "must redact third parties",
        ),
        (
            OVERRIDE + _rule(forms='{ "1.B" = ["sex", "shoe_size"] }'),
            "forms.1.B: form 1.B has no field 'shoe_size'",
        ),
        (OVERRIDE + _rule(forms='{ "9.Z" = ["*"] }'), "no form '9.Z' in the catalogue"),
        (
            OVERRIDE + "[data_classes]\nname = ['1.B:nom']\n",
            "data_classes.name: no field '1.B:nom'",
        ),
        (OVERRIDE + "[data_classes]\nname = ['nom']\n", "data_classes.name.fields"),
        (OVERRIDE + "[data_classes]\nsecret = ['1.B:sex']\n", "data_classes.secret.data_class"),
        (
            OVERRIDE + "[consent]\nassent_from_age = 16\n",
            "assent_from_age <= child_consent_from_age",
        ),
        (OVERRIDE + "[statistics]\nage_bands = [[0, 4], [6, 9]]\n", "statistics.age_bands"),
        (OVERRIDE + "[statistics]\nmin_cell = 0\n", "statistics.min_cell"),
        (OVERRIDE + "unknown_key = 1\n", "unknown_key: Extra inputs are not permitted"),
        (HEADER + _rule() + _rule(), "a second rule for audience=provider purpose=referral"),
        (HEADER, "rules: Field required"),
        ("[profile\n", "not valid TOML"),
        ('[profile]\nid = "x"\nextends = "nope"\n', "no sharing policy named 'nope'"),
    ],
)
def test_errors_name_the_key(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as info:
        sharing_policy_from_toml(text, source="my.toml")
    assert str(info.value).startswith("my.toml: ") or "no sharing policy" in str(info.value)
    assert fragment in str(info.value)


def test_unknown_name_and_missing_file() -> None:
    with pytest.raises(UnknownProfileError):
        load_sharing_policy("atlantis-2031")
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_sharing_policy(Path("/nonexistent/policy.toml"))


def test_derive_revalidates() -> None:
    base = load_sharing_policy()
    with pytest.raises(ValueError, match="min_cell"):
        base.derive(statistics={"min_cell": -1})
    assert base.derive(statistics={"min_cell": 3}).statistics.min_cell == 3


def test_fields_of_returns_form_and_path() -> None:
    names = load_sharing_policy().fields_of(DataClass.NAME)
    assert ("1.B", "name_first") in names
    third = load_sharing_policy().fields_of(DataClass.THIRD_PARTY)
    assert ("1.B", "family_supports.relation_name") in third
