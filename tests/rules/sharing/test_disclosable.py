"""``disclosable_fields()``: the most a rule may show, known before any case is seen.

A caller that lays out a document ahead of the data (the Excel export's columns) relies on it:
every path a view discloses must be listed (or lie under a listed path), and nothing the
matrix withholds may be listed.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from cpcase.case import CaseFile
from cpcase.errors import SharingError
from cpcase.rules.sharing import (
    Audience,
    ConsentContext,
    ConsentOverride,
    DataClass,
    Purpose,
    default_policy,
    disclosable_fields,
    share,
)
from cpcase.testing import case_files
from cpcase.vocab import LegitimateBasis, ServiceCategory

from . import _fixtures as fx

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
RECORD_RULES = [
    (r.audience, r.purpose) for r in default_policy().rules if r.view.value != "aggregate"
]


def _covered(path: str, listed: frozenset[str]) -> bool:
    parts = path.split(".")
    return any(".".join(parts[:i]) in listed for i in range(1, len(parts) + 1))


def test_provider_health_referral_by_hand() -> None:
    """Provider, health care: the A.1 grants, 1.B sex/age/age status plus the four health
    fields (mali-2020.toml), the common header; no name, no other form."""
    fields = disclosable_fields(
        Audience.PROVIDER, Purpose.REFERRAL, service=ServiceCategory.HEALTH_CARE
    )
    assert set(fields) == {"CASE", "1.B", "A.1"}
    assert fields["CASE"] == {"case_code"}
    assert fields["1.B"] == {
        "case_code",
        "form_date",
        "sex",
        "age",
        "age_status",
        "disability_or_chronic_illness",
        "emergency_care_needed",
        "immediate_needs",
        "child_mother",
    }
    # Without a service, every service's extra fields may appear (the union).
    union = disclosable_fields(Audience.PROVIDER, Purpose.REFERRAL)
    assert {"nationality", "protection_situations", "date_of_birth"} <= union["1.B"]
    assert "1.D" in union
    assert "name_first" not in union["1.B"]


def test_redactions_and_hard_guarantees_are_not_listed() -> None:
    """Classes a rule redacts, the strictly confidential section (non-privileged) and names
    (where redacted) are absent; privileged audiences keep them."""
    policy = default_policy()
    meeting = disclosable_fields(Audience.MEETING, Purpose.CASE_CONFERENCE)
    assert not any("name" in p.split(".")[-1] for ps in meeting.values() for p in ps)
    child = disclosable_fields(Audience.CHILD_FAMILY, Purpose.OWN_FILE)
    for code, path in policy.fields_of(DataClass.THIRD_PARTY):
        assert path not in child.get(code, frozenset()), (code, path)
    assert "strictly_confidential" not in child["1.C"]
    assert "name_first" in child["1.B"]  # the child's own name (unless masked, per case)
    review = disclosable_fields(Audience.SUPERVISOR, Purpose.CASE_REVIEW)
    assert "strictly_confidential" in review["1.C"]
    assert {"name_first", "family_supports.relation_name"} <= review["1.B"]


def test_aggregate_and_disabled_rules_list_nothing() -> None:
    """Statistics audiences and a rule switched off by policy disclose no field."""
    assert not disclosable_fields(Audience.NATIONAL, Purpose.STATISTICS)
    assert not disclosable_fields(Audience.PROVIDER, Purpose.CASE_WORK)
    policy = default_policy()
    rules = [
        r.model_copy(update={"enabled": False}) if r.audience is Audience.SUPERVISOR else r
        for r in policy.rules
    ]
    closed = policy.derive(rules=[r.model_dump() for r in rules])
    assert not disclosable_fields(Audience.SUPERVISOR, Purpose.CASE_REVIEW, policy=closed)


def _ctx(case: CaseFile, audience: Audience) -> ConsentContext:
    recipient = None
    if audience is Audience.PROVIDER and case.referrals:
        recipient = case.referrals[0].receiving_provider_id or (
            case.referrals[0].receiving_organisation
        )
    if audience is Audience.RECEIVING_ORG and case.transfers:
        recipient = case.transfers[0].receiving_provider_id or (
            case.transfers[0].receiving_organisation
        )
    actor = {
        Audience.CASEWORKER: case.caseworker_id,
        Audience.SUPERVISOR: case.supervisor_id,
    }.get(audience) or "nobody"
    return ConsentContext(
        actor_id=actor,
        actor_organisation_id=case.organisation_id,
        recipient_id=recipient,
        override=ConsentOverride(
            basis=LegitimateBasis.BENEFICIARY_INTERESTS,
            justification_ref="E-NOTE",
            approved_by="sup-other",
            approved_on=NOW.date(),
            explanation_given=True,
        ),
    )


@given(case_files(), st.sampled_from(RECORD_RULES))
def test_every_disclosed_path_is_listed(case: CaseFile, rule: tuple[Audience, Purpose]) -> None:
    """Whatever the case, a view discloses only paths listed for its rule (with the service
    the view was built for, and in the every-service union)."""
    audience, purpose = rule
    try:
        view, record = share(
            case, audience, purpose, consent_context=_ctx(case, audience), now=NOW
        )
    except SharingError:
        return
    union = disclosable_fields(audience, purpose)
    exact = disclosable_fields(audience, purpose, service=record.service)
    for item in view.disclosed():
        code, _, path = item.partition(":")
        assert _covered(path, union.get(code, frozenset())), item
        assert _covered(path, exact.get(code, frozenset())), item


def test_golden_provider_view_is_listed() -> None:
    """The hand-built referral (Awa, health care) shares only listed paths."""
    view, record = share(
        fx.case(),
        Audience.PROVIDER,
        Purpose.REFERRAL,
        consent_context=ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER),
        now=fx.NOW,
    )
    listed = disclosable_fields(Audience.PROVIDER, Purpose.REFERRAL, service=record.service)
    shown = {item for item in view.disclosed() if item.startswith("1.B:")}
    assert shown == {f"1.B:{p}" for p in listed["1.B"]}  # None-valued fields included
