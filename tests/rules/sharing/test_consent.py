"""Consent and assent thresholds, and consent status (valid/missing/expired/withdrawn/used)."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.rules.sharing import consent as consent_module
from cpcase.rules.sharing.consent import (
    CaregiverRole,
    ChildRole,
    ConsentRecord,
    ConsentState,
    consent_requirement,
    evaluate_consent,
    missing_agreements,
)
from cpcase.rules.sharing.matrix import ConsentPolicy, Purpose
from cpcase.vocab import ConsentRecipient, ConsentScope, LegitimateBasis

POLICY = ConsentPolicy()
NOW = dt.datetime(2026, 10, 15, 10, 0, tzinfo=dt.UTC)
ORGS = ConsentRecipient.OTHER_ORGANIZATIONS


def _record(**changes: object) -> ConsentRecord:
    base: dict[str, object] = {
        "consent_id": "C1",
        "given_on": dt.date(2026, 10, 1),
        "scopes": frozenset({ConsentScope.REFERRAL_TO_SERVICES}),
        "recipients": frozenset({ORGS}),
        "child_agreed": True,
        "child_assent_only": True,
        "caregiver_agreed": True,
        "child_age": 10,
    }
    base.update(changes)
    return ConsentRecord(**base)  # type: ignore[arg-type]


def test_module_doctests() -> None:
    result = doctest.testmod(consent_module)
    assert result.attempted > 0
    assert result.failed == 0


def test_defaults_are_marked_not_from_the_seeds() -> None:
    assert POLICY.not_from_the_seeds
    assert "NOT FROM THE SEEDS" in POLICY.citation
    assert (POLICY.assent_from_age, POLICY.child_consent_from_age, POLICY.adult_age) == (6, 15, 18)


@pytest.mark.parametrize(
    ("age", "child", "caregiver"),
    [
        (3, ChildRole.EXPLAIN, CaregiverRole.REQUIRED),  # course L224: even under 5, explain
        (5, ChildRole.EXPLAIN, CaregiverRole.REQUIRED),
        (6, ChildRole.ASSENT, CaregiverRole.REQUIRED),
        (12, ChildRole.ASSENT, CaregiverRole.REQUIRED),
        (14, ChildRole.ASSENT, CaregiverRole.REQUIRED),
        (15, ChildRole.CONSENT, CaregiverRole.IF_SAFE),
        (17, ChildRole.CONSENT, CaregiverRole.IF_SAFE),
        (18, ChildRole.CONSENT, CaregiverRole.NOT_SOUGHT),
        (None, ChildRole.ASSENT, CaregiverRole.REQUIRED),  # unknown age: the demanding band
    ],
)
def test_default_thresholds(age: int | None, child: ChildRole, caregiver: CaregiverRole) -> None:
    req = consent_requirement(age, policy=POLICY)
    assert (req.child, req.caregiver, req.needs_override) == (child, caregiver, False)


def test_thresholds_are_overridable() -> None:
    policy = ConsentPolicy(assent_from_age=7, child_consent_from_age=12)
    assert consent_requirement(12, policy=policy).child is ChildRole.CONSENT
    assert consent_requirement(6, policy=policy).child is ChildRole.EXPLAIN


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="assent_from_age <= child_consent_from_age"):
        ConsentPolicy(assent_from_age=16, child_consent_from_age=15)


def test_cs5_girl_12_abused_by_father_needs_legal_basis_and_signoff() -> None:
    # Course CS5 (L226): she refuses; her father is the alleged perpetrator. Caregiver consent
    # is not sought and nobody can consent for her: only a recorded basis + sign-off can act.
    req = consent_requirement(12, caregiver_is_alleged_perpetrator=True, policy=POLICY)
    assert req.caregiver is CaregiverRole.NOT_SOUGHT
    assert req.needs_override
    record = _record(
        child_agreed=False,
        child_refused=True,
        caregiver_agreed=False,
        caregiver_is_alleged_perpetrator=True,
        child_age=12,
    )
    assert missing_agreements(record, req) == ("child_refused", "override_required")
    status = evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.state is ConsentState.MISSING
    assert "override_required" in status.reasons


def test_cs4_amina_16_consents_herself_when_parents_are_the_harm() -> None:
    # Course CS4: 16, parents force a marriage. She can consent; parents are not asked.
    record = _record(
        child_assent_only=False,
        caregiver_agreed=False,
        caregiver_is_alleged_perpetrator=True,
        child_age=16,
    )
    status = evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.state is ConsentState.VALID
    assert status.requirement is not None
    assert status.requirement.caregiver is CaregiverRole.NOT_SOUGHT


def test_assent_is_not_consent_for_an_adolescent() -> None:
    record = _record(child_assent_only=True, caregiver_agreed=False, child_age=16)
    status = evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.state is ConsentState.MISSING
    assert status.reasons == ("child_consent_missing",)


def test_child_10_needs_caregiver_too() -> None:
    status = evaluate_consent(
        [_record(caregiver_agreed=False)], Purpose.REFERRAL, ORGS, NOW, policy=POLICY
    )
    assert status.reasons == ("caregiver_consent_missing",)


def test_valid_consent() -> None:
    status = evaluate_consent([_record()], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.is_valid
    assert status.consent_id == "C1"


@pytest.mark.parametrize(
    ("changes", "state", "reason"),
    [
        ({"valid_until": dt.date(2026, 10, 14)}, ConsentState.EXPIRED, "expired"),
        ({"given_on": dt.date(2025, 10, 1)}, ConsentState.EXPIRED, "expired"),  # 365-day default
        ({"withdrawn_on": dt.date(2026, 10, 15)}, ConsentState.WITHDRAWN, "withdrawn"),
        ({"information_explained": False}, ConsentState.MISSING, "not_informed"),
    ],
)
def test_record_states(changes: dict[str, object], state: ConsentState, reason: str) -> None:
    status = evaluate_consent([_record(**changes)], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.state is state
    assert reason in status.reasons


def test_valid_until_is_inclusive() -> None:
    record = _record(valid_until=NOW.date())
    assert evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY).is_valid


def test_withdrawal_later_than_now_does_not_apply_yet() -> None:
    record = _record(withdrawn_on=dt.date(2026, 10, 16))
    assert evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY).is_valid


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"scopes": frozenset({ConsentScope.TRANSFER})}, "purpose_not_in_scope"),
        ({"recipients": frozenset({ConsentRecipient.FAMILY})}, "recipient_not_covered"),
        ({"recipients": frozenset()}, "recipient_not_covered"),
        ({"given_on": dt.date(2026, 10, 20)}, "consent_dated_in_future"),
        (
            {"bases": frozenset({LegitimateBasis.LEGAL_OBLIGATION})},
            "recorded_basis_is_not_consent",
        ),
    ],
)
def test_missing_when_nothing_covers(changes: dict[str, object], reason: str) -> None:
    status = evaluate_consent([_record(**changes)], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert status.state is ConsentState.MISSING
    assert status.consent_id is None
    assert reason in status.reasons


def test_unnamed_recipient_allowed_when_policy_says_so() -> None:
    policy = ConsentPolicy(require_named_recipient=False)
    record = _record(recipients=frozenset())
    assert evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=policy).is_valid


def test_no_records_is_missing() -> None:
    status = evaluate_consent([], Purpose.TRANSFER, ORGS, NOW, policy=POLICY)
    assert (status.state, status.reasons) == (ConsentState.MISSING, ("no_consent_recorded",))


def test_purpose_that_no_consent_covers() -> None:
    status = evaluate_consent([_record()], Purpose.CASE_CONFERENCE, None, NOW, policy=POLICY)
    assert status.reasons == ("purpose_not_consentable",)


def test_n22_single_use_consent_blocks_a_second_share() -> None:
    record = _record(single_use=True)
    first = evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY)
    assert first.is_valid
    second = evaluate_consent([record], Purpose.REFERRAL, ORGS, NOW, policy=POLICY, used={"C1"})
    assert second.state is ConsentState.USED


def test_a_newer_valid_consent_wins_over_a_used_one() -> None:
    old = _record(single_use=True)
    new = _record(consent_id="C2", given_on=dt.date(2026, 10, 10))
    status = evaluate_consent([old, new], Purpose.REFERRAL, ORGS, NOW, policy=POLICY, used={"C1"})
    assert (status.state, status.consent_id) == (ConsentState.VALID, "C2")


records = st.builds(
    ConsentRecord,
    consent_id=st.sampled_from(["C1", "C2", "C3"]),
    given_on=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    scopes=st.frozensets(st.sampled_from(ConsentScope)),
    recipients=st.frozensets(st.sampled_from(ConsentRecipient)),
    child_agreed=st.booleans(),
    child_assent_only=st.booleans(),
    child_refused=st.booleans(),
    caregiver_agreed=st.booleans(),
    caregiver_refused=st.booleans(),
    caregiver_is_alleged_perpetrator=st.booleans(),
    information_explained=st.booleans(),
    child_age=st.none() | st.integers(0, 19),
    valid_until=st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    single_use=st.booleans(),
    withdrawn_on=st.none() | st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    bases=st.frozensets(st.sampled_from(LegitimateBasis), min_size=1),
)
# hypothesis wants naive bounds; the generated datetimes are UTC-aware.
_LO = dt.datetime(2024, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)
_HI = dt.datetime(2028, 12, 31, tzinfo=dt.UTC).replace(tzinfo=None)
moments = st.datetimes(_LO, _HI, timezones=st.just(dt.UTC))
purposes = st.sampled_from([Purpose.REFERRAL, Purpose.TRANSFER])


@given(recs=st.lists(records, max_size=4), now=moments, purpose=purposes)
def test_a_valid_single_use_consent_cannot_be_used_twice(
    recs: list[ConsentRecord], now: dt.datetime, purpose: Purpose
) -> None:
    status = evaluate_consent(recs, purpose, ORGS, now, policy=POLICY)
    if not status.is_valid:
        return
    chosen = next(r for r in recs if r.consent_id == status.consent_id)
    if not chosen.single_use:
        return
    again = evaluate_consent(recs, purpose, ORGS, now, policy=POLICY, used={chosen.consent_id})
    # Same id again is never accepted; only a different valid consent can take over.
    assert again.consent_id != chosen.consent_id or not again.is_valid


@given(recs=st.lists(records, max_size=4), now=moments, purpose=purposes)
def test_valid_means_in_scope_unexpired_unwithdrawn(
    recs: list[ConsentRecord], now: dt.datetime, purpose: Purpose
) -> None:
    status = evaluate_consent(recs, purpose, ORGS, now, policy=POLICY)
    if not status.is_valid:
        return
    matching = [r for r in recs if r.consent_id == status.consent_id]
    assert any(
        r.scopes & POLICY.scopes_for(purpose)
        and ORGS in r.recipients
        and LegitimateBasis.CONSENT in r.bases
        and r.given_on <= now.date()
        and (r.withdrawn_on is None or r.withdrawn_on > now.date())
        and now.date() <= (r.valid_until or r.given_on + dt.timedelta(days=365))
        and r.information_explained
        for r in matching
    )


@given(rec=records, days_after=st.integers(1, 2000))
def test_an_expired_consent_never_validates(rec: ConsentRecord, days_after: int) -> None:
    expiry = rec.valid_until or rec.given_on + dt.timedelta(days=365)
    now = dt.datetime.combine(expiry + dt.timedelta(days=days_after), dt.time(8), tzinfo=dt.UTC)
    status = evaluate_consent([rec], Purpose.REFERRAL, ORGS, now, policy=POLICY)
    assert not status.is_valid
    if rec.withdrawn_on is None and status.consent_id is not None:
        assert status.state is ConsentState.EXPIRED


good_single_use = st.builds(
    ConsentRecord,
    consent_id=st.sampled_from(["C1", "C2"]),
    given_on=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
    scopes=st.frozensets(st.sampled_from(ConsentScope)).map(
        lambda s: s | {ConsentScope.REFERRAL_TO_SERVICES}
    ),
    recipients=st.frozensets(st.sampled_from(ConsentRecipient)).map(lambda r: r | {ORGS}),
    child_agreed=st.just(True),
    child_assent_only=st.just(False),
    caregiver_agreed=st.just(True),
    child_age=st.none() | st.integers(0, 17),
    single_use=st.just(True),
)


@given(rec=good_single_use, days=st.integers(0, 365))
def test_single_use_valid_then_used(rec: ConsentRecord, days: int) -> None:
    now = dt.datetime.combine(rec.given_on + dt.timedelta(days=days), dt.time(9), tzinfo=dt.UTC)
    first = evaluate_consent([rec], Purpose.REFERRAL, ORGS, now, policy=POLICY)
    assert first.is_valid
    second = evaluate_consent(
        [rec], Purpose.REFERRAL, ORGS, now, policy=POLICY, used={rec.consent_id}
    )
    assert second.state is ConsentState.USED
