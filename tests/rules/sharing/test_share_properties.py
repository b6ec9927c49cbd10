"""Properties of share() over generated case files (cpcase.testing strategies).

For any case file, audience and purpose: the view holds only fields the matrix grants; the
classes a rule redacts are absent; names never appear in supervisor lists or meeting views;
masked names and the strictly confidential section never leave the caseworker and supervisor;
single-use consents are used once; expired consents block.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.case import CaseFile
from cpcase.errors import SharingError
from cpcase.rules.sharing import (
    PRIVILEGED_AUDIENCES,
    Audience,
    ConsentContext,
    ConsentOverride,
    MissingConsent,
    Purpose,
    SharedView,
    ViewKind,
    default_policy,
    share,
)
from cpcase.rules.sharing._fields import CASE, HEADER_ALWAYS, top_level_fields
from cpcase.testing import case_files, form_strategies
from cpcase.vocab import LegitimateBasis

from . import _fixtures as fx

NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
NAME_MARKS = {
    "name_first": "ZZMARKFIRST",
    "name_last": "ZZMARKLAST",
    "name_nickname": "ZZMARKNICK",
}
SECRET_MARK = "ZZMARKSECRET"
OVERRIDE = ConsentOverride(
    basis=LegitimateBasis.BENEFICIARY_INTERESTS,
    justification_ref="E-NOTE",
    approved_by="sup-other",
    approved_on=NOW.date(),
    explanation_given=True,
)


def _marked(case: CaseFile) -> CaseFile:
    """The case with recognisable names and strictly confidential notes wherever they can be."""
    data: dict[str, Any] = dict(case)
    for attr in ("registration", "uasc_registration"):
        form = data.get(attr)
        if form is not None:
            data[attr] = form.model_validate({**dict(form), **NAME_MARKS})
    data["missing_child_searches"] = tuple(
        f.model_validate({**dict(f), **NAME_MARKS}) for f in case.missing_child_searches
    )
    if case.initial_assessment is not None:
        data["initial_assessment"] = case.initial_assessment.model_validate(
            {**dict(case.initial_assessment), "strictly_confidential": SECRET_MARK}
        )
    for attr in ("in_depth_assessments", "best_interests_assessments"):
        data[attr] = tuple(
            f.model_validate({**dict(f), "strictly_confidential": SECRET_MARK})
            for f in getattr(case, attr)
        )
    return CaseFile.model_validate(data)


def _context(case: CaseFile, audience: Audience, *, override: bool) -> ConsentContext:
    recipient = None
    if audience is Audience.PROVIDER and case.referrals:
        ref = case.referrals[0]
        recipient = ref.receiving_provider_id or ref.receiving_organisation
    if audience is Audience.RECEIVING_ORG and case.transfers:
        tr = case.transfers[0]
        recipient = tr.receiving_provider_id or tr.receiving_organisation
    actor = {
        Audience.CASEWORKER: case.caseworker_id,
        Audience.SUPERVISOR: case.supervisor_id,
    }.get(audience) or "nobody"
    return ConsentContext(
        actor_id=actor,
        actor_organisation_id=case.organisation_id,
        recipient_id=recipient,
        override=OVERRIDE if override else None,
    )


def _allowed(audience: Audience, purpose: Purpose, code: str, service: str | None) -> set[str]:
    rule = default_policy().rule(audience, purpose)
    assert rule is not None
    grants = list(rule.forms) + [
        g for sg in rule.services if sg.service == service for g in sg.forms
    ]
    out: set[str] = set()
    for g in grants:
        if g.form == code or (g.form == "*" and code != CASE):
            out |= set(top_level_fields(code)) if "*" in g.fields else set(g.fields)
    return out


def _check(view: SharedView, case: CaseFile, service: str | None) -> None:
    policy = default_policy()
    rule = policy.rule(view.audience, view.purpose)
    assert rule is not None
    text = json.dumps(view.to_json(), ensure_ascii=False)
    privileged = view.audience in PRIVILEGED_AUDIENCES
    # 1. Nothing outside the matrix.
    assert set(view.header) <= _allowed(view.audience, view.purpose, CASE, service) | {"case_code"}
    for form in view.forms:
        allowed = _allowed(view.audience, view.purpose, form.form_code, service)
        assert set(form.fields) <= allowed | HEADER_ALWAYS, form.form_code
        assert form.fields["case_code"] == case.case_code
    # 2. Redacted classes are absent.
    for data_class in rule.redact:
        refs = policy.fields_of(data_class)
        for form in view.forms:
            assert not {p for c, p in refs if c == form.form_code} & form.paths()
    # 3. Strictly confidential and masked names stay with caseworker and supervisor.
    masked = case.registration is not None and case.registration.hidden_name
    if not privileged:
        assert SECRET_MARK not in text
        assert "strictly_confidential" not in text
        if masked:
            assert not any(m in text for m in NAME_MARKS.values())
    # 4. Lists (other than the caseworker's) and meetings never carry names.
    if view.audience is Audience.MEETING or (
        view.view is ViewKind.LIST and view.audience is not Audience.CASEWORKER
    ):
        assert not any(m in text for m in NAME_MARKS.values())
        assert not any(k in text for k in ('"name_first"', '"name_last"', '"name_nickname"'))


@given(case=case_files(), override=st.booleans(), data=st.data())
def test_views_respect_the_matrix_for_every_audience_and_purpose(
    case: CaseFile, override: bool, data: st.DataObject
) -> None:
    # Sparse files seldom hold a referral and a transfer: add one so providers and receiving
    # organisations are exercised on most examples.
    extra: dict[str, Any] = {}
    for attr, code in (("referrals", "A.1"), ("transfers", "A.2")):
        if not getattr(case, attr):
            form = data.draw(form_strategies()[code])
            extra[attr] = (form.model_validate({**dict(form), "case_code": case.case_code}),)
    case = _marked(CaseFile.model_validate({**dict(case), **extra}))
    for audience in Audience:
        for purpose in Purpose:
            ctx = _context(case, audience, override=override)
            try:
                view, audit = share(case, audience, purpose, consent_context=ctx, now=NOW)
            except SharingError as exc:
                message = str(exc)
                assert case.case_code in message
                assert not any(m in message for m in NAME_MARKS.values())
                continue
            _check(view, case, audit.service.value if audit.service else None)
            assert audit.fields_disclosed == view.disclosed()
            assert audit.case_code == case.case_code
            assert not any(m in json.dumps(audit.to_json()) for m in NAME_MARKS.values())


@given(
    age=st.integers(0, 17),
    assent_only=st.booleans(),
    days_after=st.integers(0, 300),
)
def test_single_use_consent_cannot_be_used_twice(
    age: int, assent_only: bool, days_after: int
) -> None:
    born = dt.date(2026 - age, 1, 1)
    case = fx.case(
        registration=fx.registration(date_of_birth=born, age=None),
        consents=(
            fx.consent(
                givers=[
                    {"relationship": "child", "assent_only": assent_only and age < 15},
                    {"relationship": "legal_guardian", "name": "ZZG"},
                ]
            ),
        ),
    )
    now = fx.NOW + dt.timedelta(days=days_after)
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER)
    _, audit = share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=now)
    again = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, prior_disclosures=(audit,))
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=again, now=now)
    assert info.value.code == "consent_used"


@given(valid_days=st.integers(0, 40), late_by=st.integers(1, 400))
def test_expired_consent_blocks_sharing(valid_days: int, late_by: int) -> None:
    given_on = dt.date(2026, 9, 3)
    until = given_on + dt.timedelta(days=valid_days)
    case = fx.case(consents=(fx.consent(valid_until=until, single_use=False),))
    now = dt.datetime.combine(until + dt.timedelta(days=late_by), dt.time(10), tzinfo=dt.UTC)
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER)
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=now)
    assert info.value.code == "consent_expired"
