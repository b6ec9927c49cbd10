"""share(): golden cases from the SOP rules and course fixtures N19–N23, CS5; refusals."""

from __future__ import annotations

import datetime as dt
import json
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from cpcase.errors import ConsentRequired, NotPermitted, PolicyError
from cpcase.forms import CATALOGUE
from cpcase.rules.sharing import (
    Audience,
    AuditRecord,
    ConsentContext,
    ConsentOverride,
    ConsentState,
    DataClass,
    MissingConsent,
    NameList,
    Purpose,
    SharingNotPermitted,
    SharingPolicy,
    consent_status,
    default_policy,
    load_sharing_policy,
    share,
)
from cpcase.vocab import ConsentRecipient, LegitimateBasis, ServiceCategory

from . import _fixtures as fx

CW = ConsentContext(actor_id="cw-01", actor_organisation_id="TDH")
SUP = ConsentContext(actor_id="sup-01", actor_organisation_id="TDH")
TO_PROVIDER = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER)
MARKERS = (
    fx.NAME_FIRST,
    fx.NAME_LAST,
    fx.SUPPORT_NAME,
    fx.REPORTER,
    fx.CONFIDENTIAL,
    fx.GIVER_NAME,
)


def _dump(view: object) -> str:
    return json.dumps(view.to_json(), ensure_ascii=False)  # type: ignore[attr-defined]


def _codes(view: object) -> list[str]:
    return [f.form_code for f in view.forms]  # type: ignore[attr-defined]


# --- provider (SOP §3.4.2.3 L592–L601) ---------------------------------------------------


def test_provider_gets_minimum_plus_caseworker_phone_and_family_contact() -> None:
    view, audit = share(
        fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    text = _dump(view)
    assert fx.CW_PHONE in text  # L601: the provider has the caseworker's phone
    assert fx.FAMILY_PHONE in text  # L601: and one family member's contact
    for marker in MARKERS:
        assert marker not in text
    assert fx.SUPPORT_PHONE not in text  # other family contacts stay in the file
    assert _codes(view) == ["1.B", "A.1"]
    reg = view.forms[0].fields
    # minimum necessary for health care: sex, age, age status + health-related facts only
    assert set(reg) == {
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
    assert "protection_concern_primary" not in reg
    assert view.case_code == fx.CODE
    assert audit.consent_id == "E-CONSENT-1"
    assert audit.legal_basis is LegitimateBasis.CONSENT
    assert audit.recipient is ConsentRecipient.OTHER_ORGANIZATIONS
    assert audit.recipient_id == fx.PROVIDER
    assert audit.fields_disclosed == view.disclosed()
    assert "A.1:family_contact_phone" in audit.fields_disclosed
    assert fx.NAME_FIRST not in json.dumps(audit.to_json())


def test_provider_fields_depend_on_the_service() -> None:
    psy = fx.referral(
        entry_id="E-REF-2", service_type="psychosocial", receiving_provider_id="SP-9"
    )
    case = fx.case(referrals=(psy,))
    ctx = ConsentContext(actor_id="cw-01", recipient_id="SP-9")
    view, _ = share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW)
    reg = view.forms[0].fields
    assert reg["protection_concern_primary"] == "physical_abuse_violence"
    assert "disability_or_chronic_illness" not in reg


def test_provider_sees_only_its_own_referral() -> None:
    other = fx.referral(
        entry_id="E-REF-9",
        receiving_provider_id="SP-GBV",
        receiving_organisation="ZZOTHERPROVIDERNAME",
        service_type="psychosocial",
        consent_form_ref=None,
        consent_verbal=True,
    )
    case = fx.case(referrals=(fx.referral(), other))
    view, _ = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    assert _codes(view).count("A.1") == 1
    assert "ZZOTHERPROVIDERNAME" not in _dump(view)


def test_provider_without_a_recorded_referral_is_refused() -> None:
    ctx = ConsentContext(actor_id="cw-01", recipient_id="SP-UNKNOWN")
    with pytest.raises(SharingNotPermitted) as info:
        share(fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW)
    assert info.value.code == "no_referral_to_recipient"
    with pytest.raises(SharingNotPermitted) as info:
        share(fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=CW, now=fx.NOW)
    assert info.value.code == "recipient_required"


def test_n22_single_use_consent_blocks_the_second_share() -> None:
    case = fx.case()
    _, audit = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    again = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, prior_disclosures=(audit,))
    later = fx.NOW + dt.timedelta(days=1)
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=again, now=later)
    assert info.value.code == "consent_used"
    assert isinstance(info.value, ConsentRequired)
    # The audit log survives a JSON round trip and still blocks.
    stored = AuditRecord.from_json(json.loads(json.dumps(audit.to_json())))
    assert stored == audit


def test_n22_single_use_consent_already_cited_by_an_earlier_referral() -> None:
    earlier = fx.referral(entry_id="E-REF-0", form_date=dt.date(2026, 9, 4))
    earlier = earlier.model_validate(
        {**dict(earlier), "referral_date": dt.date(2026, 9, 4), "receiving_provider_id": "SP-1"}
    )
    status = consent_status(
        fx.case(referrals=(earlier, fx.referral())),
        Purpose.REFERRAL,
        ConsentRecipient.OTHER_ORGANIZATIONS,
        fx.NOW,
        recipient_id=fx.PROVIDER,
        for_form=None,
    )
    assert status.state is ConsentState.USED


@pytest.mark.parametrize(
    ("changes", "code", "reason"),
    [
        ({"valid_until": dt.date(2026, 10, 1)}, "consent_expired", "expired"),
        ({"withdrawn_on": dt.date(2026, 10, 2)}, "consent_withdrawn", "withdrawn"),
        ({"recipients": ["family"]}, "consent_missing", "recipient_not_covered"),
        ({"consent_scope": ["transfer"]}, "consent_missing", "purpose_not_in_scope"),
    ],
)
def test_consent_that_does_not_cover_blocks(
    changes: dict[str, object], code: str, reason: str
) -> None:
    case = fx.case(consents=(fx.consent(**changes),))
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW)
    assert info.value.code == code
    assert reason in info.value.reasons
    assert fx.NAME_FIRST not in str(info.value)
    assert fx.CODE in str(info.value)


def test_child_12_needs_the_caregiver_too() -> None:
    only_child = fx.consent(givers=[{"relationship": "child", "assent_only": True}])
    with pytest.raises(MissingConsent) as info:
        share(
            fx.case(consents=(only_child,)),
            Audience.PROVIDER,
            Purpose.REFERRAL,
            consent_context=TO_PROVIDER,
            now=fx.NOW,
        )
    assert info.value.reasons == ("caregiver_consent_missing",)


def test_verbal_consent_recorded_on_the_referral_counts_once() -> None:
    ref = fx.referral(consent_form_ref=None, consent_verbal=True)
    case = fx.case(consents=(), referrals=(ref,))
    _, audit = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    assert audit.consent_id == "E-REF-1:verbal"
    again = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, prior_disclosures=(audit,))
    with pytest.raises(MissingConsent):
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=again, now=fx.NOW)


# --- acting without consent (course CS5, L226) --------------------------------------------


def _cs5_case() -> object:
    refused = fx.consent(
        givers=[{"relationship": "child", "agreed": False}],
        consent_scope=[],
        recipients=[],
        caregiver_is_alleged_perpetrator=True,
    )
    return fx.case(consents=(refused,))


def _override(**changes: object) -> ConsentOverride:
    data: dict[str, object] = {
        "basis": LegitimateBasis.LEGAL_OBLIGATION,
        "justification_ref": "E-NOTE-7",
        "approved_by": "sup-01",
        "approved_on": dt.date(2026, 10, 14),
        "explanation_given": True,
    }
    data.update(changes)
    return ConsentOverride(**data)  # type: ignore[arg-type]


def test_cs5_without_consent_needs_basis_and_supervisor_signoff() -> None:
    case = _cs5_case()
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW)  # type: ignore[arg-type]
    assert info.value.code == "consent_missing"
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, override=_override())
    view, audit = share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW)  # type: ignore[arg-type]
    assert audit.legal_basis is LegitimateBasis.LEGAL_OBLIGATION
    assert audit.override_approved_by == "sup-01"
    assert audit.consent_id is None
    assert view.forms


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"approved_by": "cw-01"}, "override_self_signed"),
        ({"approved_by": " "}, "override_not_signed_off"),
        ({"justification_ref": ""}, "override_not_justified"),
        ({"explanation_given": False}, "explanation_not_given"),
        ({"basis": LegitimateBasis.CONSENT}, "override_basis_is_consent"),
        ({"approved_on": dt.date(2026, 10, 16)}, "override_signed_in_future"),
    ],
)
def test_cs5_incomplete_override_is_refused(changes: dict[str, object], problem: str) -> None:
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, override=_override(**changes))
    with pytest.raises(MissingConsent) as info:
        share(_cs5_case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW)  # type: ignore[arg-type]
    assert problem in info.value.reasons


def test_override_recorded_on_the_consent_form_is_used() -> None:
    recorded = fx.consent(
        entry_id="E-OVR",
        givers=[{"relationship": "child", "agreed": False}],
        consent_scope=[],
        recipients=[],
        legitimate_basis=["legal_obligation"],
        override_justification="Art. 73 CPE: signalement obligatoire",
        override_approved_by="sup-01",
    )
    case = fx.case(consents=(recorded,))
    _, audit = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    assert (audit.legal_basis, audit.consent_id, audit.override_approved_by) == (
        LegitimateBasis.LEGAL_OBLIGATION,
        "E-OVR",
        "sup-01",
    )
    # ...but not when the actor signed it off themselves
    self_signed = ConsentContext(actor_id="sup-01", recipient_id=fx.PROVIDER)
    with pytest.raises(MissingConsent):
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=self_signed, now=fx.NOW)


# --- N19 meeting, N20 own file, N21 strictly confidential, N23 codes ------------------------


def test_n19_meeting_view_is_anonymised() -> None:
    view, audit = share(
        fx.case(), Audience.MEETING, Purpose.CASE_CONFERENCE, consent_context=CW, now=fx.NOW
    )
    text = _dump(view)
    for marker in (*MARKERS, "ZZLOCATIONSEVARE", fx.SUPPORT_PHONE, fx.CW_PHONE):
        assert marker not in text
    assert "2014-03-04" not in text  # date of birth
    assert fx.CODE in text
    assert audit.legal_basis is None  # anonymised: no consent needed (course L1066)
    reg = next(f for f in view.forms if f.form_code == "1.B").fields
    assert reg["age"] == 12
    assert reg["protection_concern_primary"] == "physical_abuse_violence"


def test_n19_meeting_is_for_the_case_organisation_only() -> None:
    other = ConsentContext(actor_id="x", actor_organisation_id="ENDA")
    with pytest.raises(SharingNotPermitted) as info:
        share(
            fx.case(), Audience.MEETING, Purpose.CASE_CONFERENCE, consent_context=other, now=fx.NOW
        )
    assert info.value.code == "other_organisation"


def test_n20_child_sees_own_file_without_third_parties() -> None:
    view, _ = share(
        fx.case(), Audience.CHILD_FAMILY, Purpose.OWN_FILE, consent_context=CW, now=fx.NOW
    )
    text = _dump(view)
    assert fx.NAME_FIRST in text  # their own name
    assert "Je veux rester chez ma tante" in text  # their own words
    for marker in (fx.SUPPORT_NAME, fx.REPORTER, fx.GIVER_NAME, fx.SUPPORT_PHONE, fx.CONFIDENTIAL):
        assert marker not in text


def test_n21_strictly_confidential_never_reaches_an_uncleared_recipient() -> None:
    consent_t = fx.consent(entry_id="E-CONSENT-T", consent_scope=["transfer"], single_use=False)
    case = fx.case(consents=(fx.consent(), consent_t), transfers=(fx.transfer(),))
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.RECEIVER)
    view, _ = share(
        case, Audience.RECEIVING_ORG, Purpose.TRANSFER, consent_context=ctx, now=fx.NOW
    )
    text = _dump(view)
    assert fx.CONFIDENTIAL not in text
    assert fx.NAME_FIRST in text  # the file goes with the child (SOP L559)
    assert "1.C" in _codes(view)
    own, _ = share(case, Audience.CASEWORKER, Purpose.CASE_WORK, consent_context=CW, now=fx.NOW)
    assert fx.CONFIDENTIAL in _dump(own)


def test_n21_policy_file_cannot_grant_the_confidential_section(tmp_path: Path) -> None:
    path = tmp_path / "leaky.toml"
    path.write_text(
        '[profile]\nid = "leaky"\nextends = "mali-2020"\n\n'
        '[[rules]]\naudience = "provider"\npurpose = "referral"\nview = "record"\n'
        'scope = "referral_recipient"\nconsent = "required"\nrequires_form = "A.1"\n'
        'forms = { "*" = ["*"] }\nredact = ["name"]\ncitation = "bad idea"\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="strictly_confidential"):
        load_sharing_policy(path)


def test_n21_code_enforces_it_even_for_an_unvalidated_policy() -> None:
    base = default_policy()
    rule = base.rule(Audience.PROVIDER, Purpose.REFERRAL)
    assert rule is not None
    leaky_rule = rule.model_construct(**{**dict(rule), "redact": (), "forms": ()})
    leaky_rule = leaky_rule.model_construct(
        **{**dict(leaky_rule), "forms": (base.rules[0].forms[0],)}  # "*" = ["*"]
    )
    leaky = SharingPolicy.model_construct(
        **{**dict(base), "rules": tuple(leaky_rule if r is rule else r for r in base.rules)}
    )
    view, _ = share(
        fx.case(registration=fx.registration(hidden_name=True)),
        Audience.PROVIDER,
        Purpose.REFERRAL,
        consent_context=TO_PROVIDER,
        now=fx.NOW,
        policy=leaky,
    )
    text = _dump(view)
    assert fx.CONFIDENTIAL not in text
    assert fx.NAME_FIRST not in text  # masked name: hard rule too
    assert "1.C" in _codes(view)  # the leaky grant did apply to everything else


def test_n23_lists_show_codes_and_names_stay_in_a_separate_list() -> None:
    sup_view, _ = share(
        fx.case(), Audience.SUPERVISOR, Purpose.DASHBOARD, consent_context=SUP, now=fx.NOW
    )
    text = _dump(sup_view)
    assert fx.CODE in text
    assert "COVER" in _codes(sup_view)
    for marker in MARKERS:
        assert marker not in text
    cw_view, _ = share(
        fx.case(), Audience.CASEWORKER, Purpose.DASHBOARD, consent_context=CW, now=fx.NOW
    )
    assert fx.NAME_FIRST in _dump(cw_view)  # SOP L1142: only the caseworker sees names
    names = NameList.from_cases([fx.case()])
    assert names.names_of(fx.CODE) == (fx.NAME_FIRST, fx.NAME_LAST)
    assert fx.NAME_FIRST not in repr(names)
    with pytest.raises(TypeError):
        json.dumps(names)


# --- masked names, supervisors, scopes -----------------------------------------------------


def test_masked_name_never_leaves_caseworker_and_supervisor() -> None:
    case = fx.case(
        registration=fx.registration(hidden_name=True),
        consents=(fx.consent(), fx.consent(entry_id="E-CONSENT-T", consent_scope=["transfer"])),
        transfers=(fx.transfer(),),
    )
    to_org = ConsentContext(actor_id="cw-01", recipient_id=fx.RECEIVER)
    for audience, purpose, ctx in [
        (Audience.RECEIVING_ORG, Purpose.TRANSFER, to_org),
        (Audience.CHILD_FAMILY, Purpose.OWN_FILE, CW),
    ]:
        view, _ = share(case, audience, purpose, consent_context=ctx, now=fx.NOW)
        assert fx.NAME_FIRST not in _dump(view), audience
    for audience, purpose, ctx in [
        (Audience.CASEWORKER, Purpose.CASE_WORK, CW),
        (Audience.SUPERVISOR, Purpose.CASE_REVIEW, SUP),
    ]:
        view, _ = share(case, audience, purpose, consent_context=ctx, now=fx.NOW)
        assert fx.NAME_FIRST in _dump(view), audience


def test_supervisor_review_is_a_policy_option(tmp_path: Path) -> None:
    view, audit = share(
        fx.case(), Audience.SUPERVISOR, Purpose.CASE_REVIEW, consent_context=SUP, now=fx.NOW
    )
    assert fx.NAME_FIRST in _dump(view)  # SOP §6.3 L1195, default on, audited
    assert audit.actor_id == "sup-01"
    path = tmp_path / "strict.toml"
    path.write_text(
        '[profile]\nid = "strict"\nextends = "mali-2020"\n\n[[rules]]\naudience = "supervisor"\n'
        'purpose = "case_review"\nview = "record"\nscope = "team"\nenabled = false\n'
        'citation = "Our protocol: supervisors see codes only"\n',
        encoding="utf-8",
    )
    with pytest.raises(SharingNotPermitted) as info:
        share(
            fx.case(),
            Audience.SUPERVISOR,
            Purpose.CASE_REVIEW,
            consent_context=SUP,
            now=fx.NOW,
            policy=load_sharing_policy(path),
        )
    assert info.value.code == "disabled_by_policy"


@pytest.mark.parametrize(
    ("audience", "purpose", "ctx", "code"),
    [
        (Audience.CASEWORKER, Purpose.CASE_WORK, SUP, "not_own_case"),
        (Audience.SUPERVISOR, Purpose.CASE_REVIEW, CW, "not_direct_supervisor"),
        (Audience.ORG_MANAGER, Purpose.STATISTICS, CW, "aggregates_only"),
        (Audience.NATIONAL, Purpose.STATISTICS, CW, "aggregates_only"),
        (Audience.PROVIDER, Purpose.CASE_WORK, CW, "no_rule"),
        (Audience.MEETING, Purpose.REFERRAL, CW, "no_rule"),
    ],
)
def test_refusals_say_why(
    audience: Audience, purpose: Purpose, ctx: ConsentContext, code: str
) -> None:
    with pytest.raises(SharingNotPermitted) as info:
        share(fx.case(), audience, purpose, consent_context=ctx, now=fx.NOW)
    assert info.value.code == code
    assert isinstance(info.value, NotPermitted)
    assert fx.CODE in str(info.value)
    assert fx.NAME_FIRST not in str(info.value)


def test_transfer_needs_an_a2_to_that_organisation() -> None:
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.RECEIVER)
    with pytest.raises(SharingNotPermitted) as info:
        share(fx.case(), Audience.RECEIVING_ORG, Purpose.TRANSFER, consent_context=ctx, now=fx.NOW)
    assert info.value.code == "no_transfer_to_recipient"
    # An A.2 citing a 1.A that the file does not hold: no consent.
    case = fx.case(transfers=(fx.transfer(),))
    with pytest.raises(MissingConsent):
        share(case, Audience.RECEIVING_ORG, Purpose.TRANSFER, consent_context=ctx, now=fx.NOW)


def test_view_is_read_only_and_now_must_be_aware() -> None:
    view, _ = share(
        fx.case(), Audience.CASEWORKER, Purpose.CASE_WORK, consent_context=CW, now=fx.NOW
    )
    with pytest.raises(TypeError):
        view.forms[0].fields["sex"] = "male"  # type: ignore[index]
    with pytest.raises(ValueError, match="timezone"):
        share(
            fx.case(),
            Audience.CASEWORKER,
            Purpose.CASE_WORK,
            consent_context=CW,
            now=fx.NOW.replace(tzinfo=None),
        )


def test_service_context_selects_the_matching_referral() -> None:
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, service=ServiceCategory.LEGAL)
    with pytest.raises(SharingNotPermitted) as info:
        share(fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW)
    assert info.value.code == "no_referral_to_recipient"


def _leaf_types(annotation: object) -> set[object]:
    args = typing.get_args(annotation)
    if not args:
        return {annotation}
    out: set[object] = set()
    for arg in args:
        out |= _leaf_types(arg)
    return out


def _text_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        leaves = _leaf_types(info.annotation)
        rows = [t for t in leaves if isinstance(t, type) and issubclass(t, BaseModel)]
        for row in rows:
            out.extend(_text_paths(row, f"{prefix}{name}."))
        if str in leaves and not rows:
            out.append(f"{prefix}{name}")
    return out


def test_every_text_field_of_every_form_is_classified() -> None:
    """A new text field must be classified before a redacting rule could miss it."""
    policy = default_policy()
    classified = {f"{code}:{path}" for dc in DataClass for code, path in policy.fields_of(dc)}
    header = {"case_code", "caseworker_id", "organisation_id", "entry_id"}
    missing = [
        f"{code}:{path}"
        for code, entry in CATALOGUE.items()
        if code != "SP"  # the service map is not part of a case file
        for path in _text_paths(entry.model)
        if path not in header and f"{code}:{path}" not in classified
    ]
    assert missing == []
    assert len(classified) > 200


def test_the_consent_cited_by_the_referral_is_the_one_that_counts() -> None:
    spare = fx.consent(entry_id="E-CONSENT-2", single_use=False)
    case = fx.case(consents=(fx.consent(), spare))
    _, audit = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    assert audit.consent_id == "E-CONSENT-1"  # cited by the A.1
    again = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, prior_disclosures=(audit,))
    with pytest.raises(MissingConsent) as info:
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=again, now=fx.NOW)
    assert info.value.code == "consent_used"  # another consent on file does not stand in
    dangling = fx.case(referrals=(fx.referral(consent_form_ref="E-MISSING"),))
    with pytest.raises(MissingConsent) as info:
        share(
            dangling, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
        )
    assert info.value.reasons == ("cited_consent_not_on_file",)


def test_disclosures_of_other_cases_do_not_spend_a_consent() -> None:
    _, audit = share(
        fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    other = AuditRecord.from_json({**audit.to_json(), "case_code": "ML-MOP-TDH-2026-00099"})
    ctx = ConsentContext(actor_id="cw-01", recipient_id=fx.PROVIDER, prior_disclosures=(other,))
    view, _ = share(
        fx.case(), Audience.PROVIDER, Purpose.REFERRAL, consent_context=ctx, now=fx.NOW
    )
    assert view.forms


def test_override_recorded_on_the_referral_is_used_when_signed_off_by_another() -> None:
    """CS5 on the A.1 itself: basis, justification and a supervisor other than the actor."""
    overridden = fx.referral(
        consent_for_services=False,
        disclosure_other_orgs=False,
        consent_form_ref=None,
        consent_overridden=True,
        consent_override_basis="vital_interests",
        consent_override_justification="Blessures graves, parents injoignables",
        consent_override_approved_by="sup-01",
    )
    case = fx.case(consents=(), referrals=(overridden,))
    _, audit = share(
        case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=TO_PROVIDER, now=fx.NOW
    )
    assert audit.legal_basis is LegitimateBasis.VITAL_INTERESTS
    assert audit.override_approved_by == "sup-01"
    self_signed = ConsentContext(actor_id="sup-01", recipient_id=fx.PROVIDER)
    with pytest.raises(MissingConsent):
        share(case, Audience.PROVIDER, Purpose.REFERRAL, consent_context=self_signed, now=fx.NOW)
