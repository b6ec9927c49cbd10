"""A hand-built synthetic case file for the golden sharing tests (no real child anywhere).

Awa (synthetic), 12, registered by TDH in Mopti on 2026-09-01; her mother consented and she
assented to a referral to a health provider (SP-0007), single use; a family support and a
referring organisation (third parties) are recorded; the initial assessment has a strictly
confidential note. Markers (``ZZ...``) make any leak easy to find in a JSON dump.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cpcase.case import CaseFile
from cpcase.forms import (
    ConsentForm,
    FileCoverPage,
    FileTransfer,
    InitialAssessmentForm,
    Referral,
    RegistrationForm,
)

CODE = "ML-MOP-TDH-2026-00042"
NAME_FIRST = "ZZAWAFIRSTNAME"
NAME_LAST = "ZZTRAORELASTNAME"
SUPPORT_NAME = "ZZAUNTSUPPORTNAME"
SUPPORT_PHONE = "+223 70000001"
REPORTER = "ZZREPORTERORGNAME"
CONFIDENTIAL = "ZZCONFIDENTIALNOTE perpetrator is the uncle"
GIVER_NAME = "ZZMOTHERGIVERNAME"
CW_PHONE = "+223 76000042"
FAMILY_PHONE = "+223 66000042"
PROVIDER = "SP-0007"
RECEIVER = "ORG-ENDA"
NOW = dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC)

_HEADER = {"case_code": CODE, "caseworker_id": "cw-01", "organisation_id": "TDH"}


def registration(**changes: Any) -> RegistrationForm:
    data: dict[str, Any] = {
        **_HEADER,
        "form_date": dt.date(2026, 9, 1),
        "identification_date": dt.date(2026, 9, 1),
        "registration_date": dt.date(2026, 9, 1),
        "identification_source": "report",
        "identified_by": "cp_organisation",
        "referring_organisation": REPORTER,
        "name_first": NAME_FIRST,
        "name_last": NAME_LAST,
        "sex": "female",
        "date_of_birth": dt.date(2014, 3, 4),
        "age": 12,
        "age_status": "documented",
        "region": "mopti",
        "location_current": "ZZLOCATIONSEVARE",
        "vulnerability_categories": ["very_vulnerable_family"],
        "protection_concern_primary": "physical_abuse_violence",
        "disability_or_chronic_illness": True,
        "family_supports": [
            {
                "relation_name": SUPPORT_NAME,
                "relation": "tante",
                "relation_telephone": SUPPORT_PHONE,
            }
        ],
        "eligibility_outcome": "case_opened",
        "risk_level": "high",
    }
    data.update(changes)
    return RegistrationForm.model_validate(data, context={"today": NOW.date()})


def initial_assessment() -> InitialAssessmentForm:
    return InitialAssessmentForm.model_validate(
        {
            **_HEADER,
            "form_date": dt.date(2026, 9, 2),
            "assessment_date": dt.date(2026, 9, 2),
            "protection_concern_primary": "physical_abuse_violence",
            "risk_level": "high",
            "risk_level_justification": "Blessures visibles, violences répétées",
            "child_opinion": "Je veux rester chez ma tante",
            "family_opinion": "La mère souhaite de l'aide",
            "strictly_confidential": CONFIDENTIAL,
        },
        context={"today": NOW.date()},
    )


def consent(**changes: Any) -> ConsentForm:
    data: dict[str, Any] = {
        **_HEADER,
        "entry_id": "E-CONSENT-1",
        "form_date": dt.date(2026, 9, 3),
        "consent_date": dt.date(2026, 9, 3),
        "consent_mode": "written_form",
        "givers": [
            {"relationship": "child", "assent_only": True, "agreed": True},
            {"relationship": "mother", "name": GIVER_NAME, "agreed": True, "signed": True},
        ],
        "information_explained": True,
        "consent_scope": ["referral_to_services"],
        "recipients": ["other_organizations"],
        "single_use": True,
    }
    data.update(changes)
    return ConsentForm.model_validate(data, context={"today": NOW.date()})


def referral(**changes: Any) -> Referral:
    data: dict[str, Any] = {
        **_HEADER,
        "entry_id": "E-REF-1",
        "form_date": dt.date(2026, 9, 5),
        "referral_date": dt.date(2026, 9, 5),
        "referral_status": "sent",
        "referring_caseworker_phone": CW_PHONE,
        "family_contact_relationship": "mère",
        "family_contact_phone": FAMILY_PHONE,
        "receiving_organisation": "Centre de santé de Sévaré",
        "receiving_provider_id": PROVIDER,
        "service_type": "health_care",
        "service_referral_notes": "Soins pour blessures",
        "consent_for_services": True,
        "disclosure_other_orgs": True,
        "consent_form_ref": "E-CONSENT-1",
    }
    data.update(changes)
    return Referral.model_validate(data, context={"today": NOW.date()})


def transfer(**changes: Any) -> FileTransfer:
    data: dict[str, Any] = {
        **_HEADER,
        "entry_id": "E-TR-1",
        "form_date": dt.date(2026, 9, 20),
        "transfer_date": dt.date(2026, 9, 20),
        "transfer_reason": "move",
        "receiving_organisation": RECEIVER,
        "receiving_org_has_trained_cm_team": True,
        "disclosure_other_orgs": True,
        "consent_form_ref": "E-CONSENT-T",
    }
    data.update(changes)
    return FileTransfer.model_validate(data, context={"today": NOW.date()})


def cover() -> FileCoverPage:
    return FileCoverPage.model_validate(
        {**_HEADER, "form_date": dt.date(2026, 9, 1), "date_opened": dt.date(2026, 9, 1)},
        context={"today": NOW.date()},
    )


def case(**changes: Any) -> CaseFile:
    data: dict[str, Any] = {
        "case_code": CODE,
        "organisation_id": "TDH",
        "caseworker_id": "cw-01",
        "supervisor_id": "sup-01",
        "registration": registration(),
        "initial_assessment": initial_assessment(),
        "consents": (consent(),),
        "referrals": (referral(),),
        "cover_page": cover(),
    }
    data.update(changes)
    return CaseFile.model_validate(data)
