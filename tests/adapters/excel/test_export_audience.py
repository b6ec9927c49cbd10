"""``export_cases(..., audience=...)`` and ``cpcase export --audience``: the workbook holds only
what the sharing matrix lets that audience see.

Golden cases are worked by hand from ``profiles/mali-2020.toml``; the property reads generated
workbooks back with openpyxl and checks every sheet and column against the matrix, computed
here from the policy's rules (not from the exporter's own helpers). All names are invented;
``ZZ...`` markers make any leak easy to spot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpcase.adapters.excel._xlsxwrite import XlsxWriter
from cpcase.adapters.excel.coerce import short_label
from cpcase.adapters.excel.columns import FIELDS_BY_KEY
from cpcase.adapters.excel.convert import ConvertOptions, convert_register
from cpcase.adapters.excel.export import (
    MASK,
    REGISTER_SOURCES,
    TEMPLATE_KEYS,
    WITHHELD,
    ExportAudienceError,
    ExportSummary,
    RefusedCase,
    export_cases,
)
from cpcase.case import CaseFile, RiskDecision
from cpcase.cli import main
from cpcase.forms import (
    CATALOGUE,
    ConsentForm,
    FileCoverPage,
    FormRow,
    InitialAssessmentForm,
    Referral,
    RegistrationForm,
)
from cpcase.labels import field_label
from cpcase.rules.sharing import (
    PRIVILEGED_AUDIENCES,
    Audience,
    AuditRecord,
    ConsentContext,
    ConsentOverride,
    DataClass,
    Purpose,
    SharingRule,
    default_policy,
)
from cpcase.testing import case_files
from cpcase.vocab import AgeStatus, LegitimateBasis, ServiceCategory, Sex

NOW = dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.UTC)
CODE = "ML-MOP-TDH-2026-00042"
CODE_NO_CONSENT = "ML-MOP-TDH-2026-00043"
CODE_OTHER_TEAM = "ML-MOP-TDH-2026-00044"
NAME_FIRST = "ZZAWAFIRST"
NAME_LAST = "ZZTRAORELAST"
SUPPORT_NAME = "ZZAUNTNAME"
SUPPORT_PHONE = "+223 70000001"
GIVER_NAME = "ZZMOTHERNAME"
SECRET = "ZZSECRETNOTE l'oncle"
CW_PHONE = "+223 76000042"
PROVIDER = "SP-0007"
MARKERS = (NAME_FIRST, NAME_LAST, SUPPORT_NAME, SUPPORT_PHONE, GIVER_NAME, SECRET)


# -- a hand-built synthetic file -------------------------------------------------------------------


def _case(code: str, *, consent: bool = True, supervisor: str = "sup-01") -> CaseFile:
    """Awa (invented), 12, Mopti: guardian consent + her assent to one health referral."""
    head = {"case_code": code, "organisation_id": "TDH", "caseworker_id": "cw-01"}
    today = {"today": NOW.date()}
    registration = RegistrationForm.model_validate(
        {
            **head,
            "form_date": "2026-09-01",
            "identification_date": "2026-09-01",
            "registration_date": "2026-09-01",
            "identification_source": "report",
            "identified_by": "cp_organisation",
            "name_first": NAME_FIRST,
            "name_last": NAME_LAST,
            "sex": "female",
            "date_of_birth": "2014-03-04",
            "age": 12,
            "age_status": "documented",
            "region": "mopti",
            "protection_concern_primary": "physical_abuse_violence",
            "disability_or_chronic_illness": True,
            "risk_level": "high",
            "eligibility_outcome": "case_opened",
            "family_supports": [
                {
                    "relation_name": SUPPORT_NAME,
                    "relation": "tante",
                    "relation_telephone": SUPPORT_PHONE,
                }
            ],
        },
        context=today,
    )
    assessment = InitialAssessmentForm.model_validate(
        {
            **head,
            "form_date": "2026-09-02",
            "assessment_date": "2026-09-02",
            "protection_concern_primary": "physical_abuse_violence",
            "risk_level": "high",
            "risk_level_justification": "Blessures visibles",
            "child_opinion": "Je veux rester chez ma tante",
            "family_opinion": "La mère demande de l'aide",
            "strictly_confidential": SECRET,
        },
        context=today,
    )
    consents = (
        ConsentForm.model_validate(
            {
                **head,
                "entry_id": "E-CONSENT-1",
                "form_date": "2026-09-03",
                "consent_date": "2026-09-03",
                "consent_mode": "written_form",
                "information_explained": True,
                "givers": [
                    {"relationship": "child", "assent_only": True, "agreed": True},
                    {"relationship": "mother", "name": GIVER_NAME, "agreed": True},
                ],
                "consent_scope": ["referral_to_services"],
                "recipients": ["other_organizations"],
                "single_use": True,
            },
            context=today,
        ),
    )
    referral = Referral.model_validate(
        {
            **head,
            "entry_id": "E-REF-1",
            "form_date": "2026-09-05",
            "referral_date": "2026-09-05",
            "referring_caseworker_phone": CW_PHONE,
            "family_contact_relationship": "mère",
            "family_contact_phone": "+223 66000042",
            "receiving_organisation": "CSCom Sévaré",
            "receiving_provider_id": PROVIDER,
            "service_type": "health_care",
            "consent_for_services": True,
            "disclosure_other_orgs": True,
            "consent_form_ref": "E-CONSENT-1",
        },
        context=today,
    )
    cover = FileCoverPage.model_validate(
        {**head, "form_date": "2026-09-01", "date_opened": "2026-09-01"}, context=today
    )
    return CaseFile(
        case_code=code,
        organisation_id="TDH",
        caseworker_id="cw-01",
        supervisor_id=supervisor,
        registration=registration,
        initial_assessment=assessment,
        consents=consents if consent else (),
        referrals=(referral,),
        cover_page=cover,
        risk_history=(
            RiskDecision(
                level="high", decided_on=dt.date(2026, 9, 2), decided_by="cw-01", source_form="1.C"
            ),
        ),
    )


def _write(path: Path, cases: list[CaseFile]) -> Path:
    path.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    return path


def _book(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _text(book: dict[str, list[list[Any]]]) -> str:
    return "\n".join(str(v) for rows in book.values() for row in rows for v in row if v)


def _labels(*keys: str) -> list[str]:
    return [FIELDS_BY_KEY[k].label("fr") for k in keys]


# -- golden cases ----------------------------------------------------------------------------------


def test_provider_sees_the_referral_and_health_fields_not_names(tmp_path: Path) -> None:
    """Provider, health care, with consent (worked by hand from the provider rule and its
    health_care grant): register = code, sex, age, age status and the four health fields;
    sheets 1.B (those fields) and A.1 only; no name, family contact's name or secret; the
    caseworker's phone is there (SOP L601); one audit record on the consent."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE)])
    audit = tmp_path / "provider.audit.jsonl"
    summary = export_cases(
        cases,
        tmp_path / "provider.xlsx",
        audience=Audience.PROVIDER,
        consent_context=ConsentContext(
            actor_id="cw-01", recipient_id=PROVIDER, service=ServiceCategory.HEALTH_CARE
        ),
        now=NOW,
        audit=audit,
    )
    assert summary.purpose is Purpose.REFERRAL  # the provider's only purpose in the matrix
    assert (summary.cases, summary.refused, summary.exit_code) == (1, (), 0)
    book = _book(tmp_path / "provider.xlsx")
    assert list(book) == [
        "Registre",
        "1.B Enregistrement du cas",
        "A.1 Formulaire de référence et ",  # cut at Excel's 31 characters
        "Listes",
    ]
    register = book["Registre"]
    assert register[0] == _labels(
        "case_code",
        "sex",
        "age",
        "age_status",
        "disability_or_chronic_illness",
        "child_mother",
        "emergency_care_needed",
        "immediate_needs",
    )
    assert register[1] == [
        CODE,
        short_label(Sex.FEMALE, "fr"),
        12,
        short_label(AgeStatus.DOCUMENTED, "fr"),
        "Oui",
        None,
        None,
        None,
    ]
    model = CATALOGUE["1.B"].model
    shown = {
        "case_code",
        "form_date",
        "sex",
        "age",
        "age_status",
        "disability_or_chronic_illness",
        "child_mother",
        "emergency_care_needed",
        "immediate_needs",
    }
    assert book["1.B Enregistrement du cas"][0] == [
        "Code du dossier",
        "N°",
        *(field_label(model, n, "fr") for n in model.model_fields if n in shown),
    ]
    text = _text(book)
    assert not any(marker in text for marker in MARKERS)
    assert WITHHELD["fr"] not in text
    assert CW_PHONE in text
    records = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert records == [r.to_json() for r in summary.audit]
    assert records[0]["case_code"] == CODE
    assert records[0]["legal_basis"] == "consent"
    assert records[0]["consent_id"] == "E-CONSENT-1"
    assert records[0]["service"] == "health_care"


def test_provider_without_service_gets_every_service_column(tmp_path: Path) -> None:
    """Without a service, the columns are every service's (the matrix's union, by hand from
    [rules.services]); for this health referral the other services' fields are marked as
    not shared rather than left blank."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE)])
    export_cases(
        cases,
        tmp_path / "provider.xlsx",
        lang="en",
        audience=Audience.PROVIDER,
        consent_context=ConsentContext(actor_id="cw-01", recipient_id=PROVIDER),
        now=NOW,
    )
    register = _book(tmp_path / "provider.xlsx")["Register"]
    keys = [
        "case_code",
        "sex",
        "date_of_birth",
        "age",
        "age_status",
        "has_birth_certificate_or_id",
        "nationality",
        "vulnerability_categories",
        "protection_situations",
        "protection_concern_primary",
        "separation_status",
        "disability_or_chronic_illness",
        "child_mother",
        "care_arrangement",
        "emergency_care_needed",
        "immediate_needs",
    ]
    assert register[0] == [FIELDS_BY_KEY[k].label("en") for k in keys]
    health = {"disability_or_chronic_illness", "child_mother", "emergency_care_needed"}
    health |= {"immediate_needs", "case_code", "sex", "age", "age_status"}
    for key, value in zip(keys, register[1], strict=True):
        if key not in health:
            assert value == WITHHELD["en"], key
        else:
            assert value != WITHHELD["en"], key


def test_a_case_without_consent_is_refused_and_listed(tmp_path: Path) -> None:
    """The second referral cites a consent that is not on file: share() refuses it; it is
    counted and listed by code, none of its data is written, exit status 3."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE), _case(CODE_NO_CONSENT, consent=False)])
    summary = export_cases(
        cases,
        tmp_path / "provider.xlsx",
        audience=Audience.PROVIDER,
        purpose=Purpose.REFERRAL,
        consent_context=ConsentContext(actor_id="cw-01", recipient_id=PROVIDER),
        now=NOW,
    )
    assert summary.refused == (
        RefusedCase(CODE_NO_CONSENT, "consent_missing", ("cited_consent_not_on_file",)),
    )
    assert (summary.read, summary.cases, summary.exit_code) == (2, 1, 3)
    assert [r.case_code for r in summary.audit] == [CODE]
    assert CODE_NO_CONSENT not in _text(_book(tmp_path / "provider.xlsx"))
    message = summary.render_refused("fr")
    assert "1 dossier(s) NON exporté(s)" in message
    assert f"{CODE_NO_CONSENT}  consent_missing (cited_consent_not_on_file)" in message
    assert "pas de consentement valide" in message
    assert "sharing with this audience was refused" in summary.render_refused("en")
    assert summary.to_json()["refused"][0]["case_code"] == CODE_NO_CONSENT


def test_single_use_consent_counts_earlier_disclosures(tmp_path: Path) -> None:
    """An export is a disclosure: with the first export's audit as prior disclosures, the
    single-use consent is spent and the case is refused (consent_used)."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE)])
    first = export_cases(
        cases,
        tmp_path / "a.xlsx",
        audience=Audience.PROVIDER,
        consent_context=ConsentContext(actor_id="cw-01", recipient_id=PROVIDER),
        now=NOW,
    )
    again = export_cases(
        cases,
        tmp_path / "b.xlsx",
        audience=Audience.PROVIDER,
        consent_context=ConsentContext(
            actor_id="cw-01", recipient_id=PROVIDER, prior_disclosures=first.audit
        ),
        now=NOW + dt.timedelta(hours=1),
    )
    assert [(r.case_code, r.code) for r in again.refused] == [(CODE, "consent_used")]
    assert again.cases == 0


def test_supervisor_review_sees_everything_the_matrix_allows(tmp_path: Path) -> None:
    """supervisor/case_review (every form, every field, audited): for the cases they supervise
    the workbook is the plain export, cell for cell (names and the strictly confidential note
    included); another team's case is refused (not_direct_supervisor)."""
    own = _write(tmp_path / "own.jsonl", [_case(CODE), _case(CODE_NO_CONSENT)])
    mixed = _write(
        tmp_path / "mixed.jsonl",
        [_case(CODE), _case(CODE_NO_CONSENT), _case(CODE_OTHER_TEAM, supervisor="sup-02")],
    )
    export_cases(own, tmp_path / "plain.xlsx")
    summary = export_cases(
        mixed,
        tmp_path / "review.xlsx",
        audience=Audience.SUPERVISOR,
        purpose=Purpose.CASE_REVIEW,
        consent_context=ConsentContext(actor_id="sup-01"),
        now=NOW,
    )
    assert [(r.case_code, r.code) for r in summary.refused] == [
        (CODE_OTHER_TEAM, "not_direct_supervisor")
    ]
    review = _book(tmp_path / "review.xlsx")
    assert review == _book(tmp_path / "plain.xlsx")
    assert SECRET in _text(review)
    assert NAME_FIRST in _text(review)


def test_supervisor_dashboard_shows_codes_not_names(tmp_path: Path) -> None:
    """supervisor/dashboard (SOP §6.1.2 L1142), by hand: register = code, registration date,
    sex, age, primary concern, risk level, caseworker, case status; sheets 1.B and COVER with
    the granted fields; no name, no secret, no consent or referral sheet."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE)])
    export_cases(
        cases,
        tmp_path / "dash.xlsx",
        audience=Audience.SUPERVISOR,
        purpose=Purpose.DASHBOARD,
        consent_context=ConsentContext(actor_id="sup-01"),
        now=NOW,
    )
    book = _book(tmp_path / "dash.xlsx")
    assert list(book) == [
        "Registre",
        "1.B Enregistrement du cas",
        "COVER Page de couverture des do",
        "Listes",
    ]
    assert book["Registre"][0] == _labels(
        "case_code",
        "registration_date",
        "sex",
        "age",
        "protection_concern_primary",
        "risk_level",
        "caseworker",
        "case_status",
    )
    assert book["Registre"][1][0] == CODE
    assert book["Registre"][1][6] == "cw-01"
    assert not any(marker in _text(book) for marker in MARKERS)


def test_masked_name_and_kept_adult_row(tmp_path: Path) -> None:
    """A masked name is *** for the caseworker and absent for the child's own file; an 18+
    row kept from a register with "hide the name" is masked too (also without audience)."""
    masked = _case(CODE)
    assert masked.registration is not None
    masked = masked.model_copy(
        update={"registration": masked.registration.model_copy(update={"hidden_name": True})}
    )
    cases = _write(tmp_path / "cases.jsonl", [masked])
    export_cases(
        cases,
        tmp_path / "cw.xlsx",
        audience=Audience.CASEWORKER,
        purpose=Purpose.CASE_WORK,
        consent_context=ConsentContext(actor_id="cw-01"),
        now=NOW,
    )
    cw = _book(tmp_path / "cw.xlsx")
    header = cw["Registre"][0]
    assert cw["Registre"][1][header.index(FIELDS_BY_KEY["name_first"].label("fr"))] == MASK
    assert NAME_FIRST not in _text(cw)
    own = export_cases(
        cases,
        tmp_path / "own.xlsx",
        audience=Audience.CHILD_FAMILY,
        consent_context=ConsentContext(actor_id="cw-01"),
        now=NOW,
    )
    assert own.purpose is Purpose.OWN_FILE
    child = _book(tmp_path / "own.xlsx")
    assert not any(marker in _text(child) for marker in MARKERS)
    header = child["Registre"][0]
    assert (
        child["Registre"][1][header.index(FIELDS_BY_KEY["name_first"].label("fr"))]
        == (
            WITHHELD["fr"]  # the name column exists for this audience, this name is masked
        )
    )
    assert FIELDS_BY_KEY["caregiver_name"].label("fr") not in child["Registre"][0]  # third party

    register = tmp_path / "adult.xlsx"
    with XlsxWriter(register) as book:
        sheet = book.add_sheet("Registre")
        sheet.append(
            _labels(
                "registration_date",
                "name_first",
                "name_last",
                "hidden_name",
                "sex",
                "age",
                "protection_concern_primary",
            )
        )
        sheet.append([dt.date(2023, 3, 12), NAME_FIRST, NAME_LAST, "Oui", "F", 19.0, "Négligence"])
    out = tmp_path / "conv"
    result = convert_register(register, out, ConvertOptions(today=dt.date(2024, 3, 1)))
    assert result.not_eligible == 1
    plain = export_cases(out / "cases.jsonl", tmp_path / "adult-export.xlsx")
    assert plain.masked == 0  # no 1.B: the flag lives in the kept register row
    rows = _book(tmp_path / "adult-export.xlsx")["Registre"]
    assert NAME_FIRST not in _text({"r": rows})
    assert rows[1][rows[0].index(FIELDS_BY_KEY["name_first"].label("fr"))] == MASK


def test_options_that_cannot_work_stop_before_writing(tmp_path: Path) -> None:
    """Statistics-only audiences, an audience with two purposes, a provider without a
    recipient, sharing options without an audience: clear errors, nothing written."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE)])
    out = tmp_path / "x.xlsx"
    ctx = ConsentContext(actor_id="cw-01")
    attempts: list[dict[str, Any]] = [
        {"audience": Audience.NATIONAL, "consent_context": ctx},
        {"audience": Audience.SUPERVISOR, "consent_context": ctx},
        {"audience": Audience.PROVIDER, "consent_context": ctx},
        {"audience": Audience.MEETING},
        {"audit": tmp_path / "a.jsonl"},
        {"audience": Audience.MEETING, "consent_context": ctx, "now": dt.datetime(2026, 1, 1)},  # noqa: DTZ001
    ]
    codes = []
    for kwargs in attempts:
        with pytest.raises(ExportAudienceError) as info:
            export_cases(cases, out, **kwargs)
        codes.append(info.value.message_in("fr"))
    assert "cpcase indicators" in codes[0]
    assert "dashboard, case_review" in codes[1]
    assert "--recipient" in codes[2]
    assert not out.exists()
    assert not (tmp_path / "a.jsonl").exists()


# -- property: nothing outside the matrix --------------------------------------------------------

RECORD_RULES = [r for r in default_policy().rules if r.view.value != "aggregate" and r.enabled]
_SECRET = "ZZMKSECRET"
_OVERRIDE = ConsentOverride(
    basis=LegitimateBasis.BENEFICIARY_INTERESTS,
    justification_ref="E-NOTE",
    approved_by="sup-other",
    approved_on=NOW.date(),
    explanation_given=True,
)


def _marks(index: int) -> dict[str, str]:
    """Names recognisable per case (the ``index``-th case of the file)."""
    return {n: f"ZZMK{index}{n.upper()}" for n in ("name_first", "name_last", "name_nickname")}


def _marked(case: CaseFile, index: int) -> CaseFile:
    """Recognisable names and strictly confidential notes wherever the forms hold them."""
    marks = _marks(index)
    data: dict[str, Any] = dict(case)
    for attr in ("registration", "uasc_registration"):
        if data.get(attr) is not None:
            data[attr] = data[attr].model_validate({**dict(data[attr]), **marks})
    data["missing_child_searches"] = tuple(
        f.model_validate({**dict(f), **marks}) for f in case.missing_child_searches
    )
    if case.initial_assessment is not None:
        data["initial_assessment"] = case.initial_assessment.model_validate(
            {**dict(case.initial_assessment), "strictly_confidential": _SECRET}
        )
    for attr in ("in_depth_assessments", "best_interests_assessments"):
        data[attr] = tuple(
            f.model_validate({**dict(f), "strictly_confidential": _SECRET})
            for f in getattr(case, attr)
        )
    return CaseFile.model_validate(data)


def _removed(rule: SharingRule) -> tuple[set[str], set[str]]:
    """``FORM:path`` removed by the rule's classes (+ the hard guarantees), and keys removed
    at any depth, straight from the policy."""
    policy = default_policy()
    classes = set(rule.redact)
    keys: set[str] = set()
    if rule.audience not in PRIVILEGED_AUDIENCES:
        classes.add(DataClass.STRICTLY_CONFIDENTIAL)
        keys.add("strictly_confidential")
    if DataClass.NAME in classes:
        keys |= {"name_first", "name_last", "name_nickname"}
    refs = {f"{c}:{p}" for data_class in classes for c, p in policy.fields_of(data_class)}
    return refs, keys


def _allowed(rule: SharingRule, code: str, model: Any, prefix: str = "") -> set[str]:
    """Field names of ``model`` (form ``code``, under ``prefix``) the rule lets anyone see."""
    grants = [*rule.forms, *(g for sg in rule.services for g in sg.forms)]
    top: set[str] = set()
    hit = False
    for g in grants:
        if g.form == code or (g.form == "*" and code != "CASE"):
            hit = True
            parent = CaseFile if code == "CASE" else CATALOGUE[code].model
            top |= set(parent.model_fields) if "*" in g.fields else set(g.fields)
    if not hit and code != "CASE":
        return set()
    # share() keeps the anonymised code in the header and each form, and each form's date.
    top |= {"case_code"} if code == "CASE" else {"case_code", "form_date"}
    refs, keys = _removed(rule)
    head = prefix.rstrip(".")
    if prefix and (head not in top or f"{code}:{head}" in refs or head in keys):
        return set()
    names = set(model.model_fields) if prefix else top & set(model.model_fields)
    return {n for n in names if f"{code}:{prefix}{n}" not in refs and n not in keys}


def _sheet_model(title: str) -> tuple[str, Any, str] | None:
    """(form code, model, path prefix) of a form or nested-table sheet title."""
    base = re.sub(r" \(\d+\)$", "", title)

    def cut(text: str) -> str:  # as XlsxWriter.add_sheet: no []:*?/\, 31 characters
        return re.sub(r"[\[\]:*?/\\]", "-", text)[:31]

    for code, entry in CATALOGUE.items():
        model = entry.model
        if cut(f"{code} {entry.name('fr')}") == base:
            return code, model, ""
        for name in model.model_fields:
            inner = _row_model(model, name)
            if inner is not None and cut(f"{code} {field_label(model, name, 'fr')}") == base:
                return code, inner, f"{name}."
    return None


def _row_model(model: Any, name: str) -> Any:
    import typing

    annotation = model.model_fields[name].annotation
    for arg in (*typing.get_args(annotation), annotation):
        for inner in (*typing.get_args(arg), arg):
            if isinstance(inner, type) and issubclass(inner, FormRow):
                return inner
    return None


def _context(case: CaseFile, rule: SharingRule, *, override: bool) -> ConsentContext:
    recipient = None
    if rule.audience is Audience.PROVIDER:
        recipient = next(
            (r.receiving_provider_id or r.receiving_organisation for r in case.referrals), "SP-X"
        )
    if rule.audience is Audience.RECEIVING_ORG:
        recipient = next(
            (t.receiving_provider_id or t.receiving_organisation for t in case.transfers), "ORG-X"
        )
    actor = {
        Audience.CASEWORKER: case.caseworker_id,
        Audience.SUPERVISOR: case.supervisor_id,
    }.get(rule.audience) or "cw-01"
    return ConsentContext(
        actor_id=actor,
        actor_organisation_id=case.organisation_id,
        recipient_id=recipient,
        override=_OVERRIDE if override else None,
    )


LEADS = {"Code du dossier", "N°", "N° du formulaire", "N° de ligne"}


@settings(
    max_examples=20,  # below both profiles: each example writes and reads back a workbook
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(case_files(), min_size=1, max_size=3, unique_by=lambda c: c.case_code),
    st.sampled_from(RECORD_RULES),
    st.booleans(),
)
def test_no_field_outside_the_matrix_reaches_the_workbook(
    tmp_path_factory: pytest.TempPathFactory,
    cases: list[CaseFile],
    rule: SharingRule,
    override: bool,
) -> None:
    """For any case files and any record/list rule: every sheet is a form the rule grants,
    every column a field it grants and does not redact; names and the strictly confidential
    section never reach an audience that may not see them; every case is either in the
    workbook or listed as refused, and refused cases leave no trace."""
    base = tmp_path_factory.mktemp("aud")
    marked = [_marked(c, i) for i, c in enumerate(cases)]
    path = _write(base / "cases.jsonl", marked)
    summary = export_cases(
        path,
        base / "out.xlsx",
        audience=rule.audience,
        purpose=rule.purpose,
        consent_context=_context(marked[0], rule, override=override),
        now=NOW,
    )
    book = _book(base / "out.xlsx")
    # Every case exported or listed, never both, never neither.
    column = book["Registre"][0].index("Code du dossier")
    exported = {row[column] for row in book["Registre"][1:]}
    refused = {r.case_code for r in summary.refused}
    assert exported | refused == {c.case_code for c in cases}
    assert not exported & refused
    assert summary.cases == len(book["Registre"]) - 1 == len(summary.audit)
    assert summary.exit_code == (3 if refused else 0)
    text = _text(book)
    assert not any(code in text for code in refused)
    # Register columns: only those whose every source field is granted and not redacted.
    registers = set()
    for key in TEMPLATE_KEYS:
        ok = True
        for ref in REGISTER_SOURCES[key]:
            code, _, field_path = ref.partition(":")
            head, _, sub = field_path.partition(".")
            parent = CaseFile if code == "CASE" else CATALOGUE[code].model
            if head not in _allowed(rule, code, parent):
                ok = False
            elif sub:
                row = _row_model(parent, head)
                ok = ok and sub in _allowed(rule, code, row, f"{head}.")
        if ok:
            registers.add(FIELDS_BY_KEY[key].label("fr"))
    assert set(book["Registre"][0]) <= registers
    # Form and nested sheets: granted forms, granted and unredacted fields only.
    for title, rows in book.items():
        if title in ("Registre", "Listes"):
            continue
        if title == "Niveaux de risque":
            allowed = _allowed(rule, "CASE", RiskDecision, "risk_history.")
            labels = {field_label(RiskDecision, n, "fr") for n in allowed} | LEADS
            assert set(rows[0]) <= labels
            continue
        if title == "Autres champs":
            assert "extra_fields" in _allowed(rule, "CASE", CaseFile)
            continue
        found = _sheet_model(title)
        assert found is not None, title
        code, model, prefix = found
        allowed = _allowed(rule, code, model, prefix)
        assert allowed, title
        assert set(rows[0]) <= {field_label(model, n, "fr") for n in allowed} | LEADS, title
    # The hard guarantees, on the values themselves.
    privileged = rule.audience in PRIVILEGED_AUDIENCES
    if not privileged:
        assert _SECRET not in text
    names_visible = privileged or DataClass.NAME not in rule.redact
    for index, case in enumerate(cases):
        masked = case.registration is not None and case.registration.hidden_name
        if not names_visible or masked or case.case_code in refused:
            # Masked: *** for the caseworker and supervisor, absent for everyone else.
            assert not any(m in text for m in _marks(index).values()), case.case_code


# -- command line ----------------------------------------------------------------------------------


def test_cli_export_for_a_provider(tmp_path: Path) -> None:
    """`cpcase export --audience provider`: exit 3 with the refused case on stderr
    (bilingual), the audit log next to the workbook; the same audit as --prior-audit spends
    the single-use consent; a bad combination exits 2; without --audience nothing changed."""
    cases = _write(tmp_path / "cases.jsonl", [_case(CODE), _case(CODE_NO_CONSENT, consent=False)])
    out = tmp_path / "provider.xlsx"
    args = ["export", str(cases), "-o", str(out), "--audience", "provider"]
    args += ["--recipient", PROVIDER, "--actor", "cw-01", "--now", "2026-10-15T09:00:00"]
    runner = CliRunner()
    result = runner.invoke(main, [*args, "--lang", "en"])
    assert result.exit_code == 3, result.output
    assert "1 cases exported" in result.stdout
    assert "Audience: provider / referral; read: 2; refused: 1" in result.stdout
    assert f"{CODE_NO_CONSENT}  consent_missing (cited_consent_not_on_file)" in result.stderr
    assert "NOT exported" in result.stderr
    audit_path = tmp_path / "provider.xlsx.audit.jsonl"
    records = [
        AuditRecord.from_json(json.loads(line))
        for line in audit_path.read_text(encoding="utf-8").splitlines()
    ]
    assert [(r.case_code, r.actor_id, r.audience) for r in records] == [
        (CODE, "cw-01", Audience.PROVIDER)
    ]
    assert records[0].at == NOW
    assert not any(m in _text(_book(out)) for m in MARKERS)
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    again = runner.invoke(
        main, [*args, "-o", str(tmp_path / "again.xlsx"), "--prior-audit", str(audit_path)]
    )
    assert again.exit_code == 3
    assert "0 dossiers exportés" in again.stdout
    assert f"{CODE}  consent_used" in again.stderr
    assert "NON exporté(s)" in again.stderr

    bad = runner.invoke(
        main, ["export", str(cases), "-o", str(tmp_path / "b.xlsx"), "--actor", "x"]
    )
    assert bad.exit_code == 2
    assert "--actor" in bad.stderr
    assert "--audience" in bad.stderr
    stats_args = ["export", str(cases), "-o", str(tmp_path / "s.xlsx")]
    stats = runner.invoke(main, [*stats_args, "--audience", "national", "--actor", "x"])
    assert stats.exit_code == 2
    assert "cpcase indicators" in stats.stderr
    assert not (tmp_path / "b.xlsx").exists()
    assert not (tmp_path / "s.xlsx").exists()

    plain = runner.invoke(main, ["export", str(cases), "-o", str(tmp_path / "plain.xlsx")])
    assert plain.exit_code == 0
    assert plain.stdout == f"2 dossiers exportés → {tmp_path / 'plain.xlsx'}\n"
    assert not (tmp_path / "plain.xlsx.audit.jsonl").exists()


def test_summary_defaults_keep_the_old_shape() -> None:
    """Without an audience the summary is the old one (nothing refused, exit 0)."""
    summary = ExportSummary(path="x.xlsx", cases=2, sheets=("Registre",), masked=0)
    assert (summary.read, summary.exit_code, summary.render_refused("en")) == (2, 0, "")
    assert summary.render("fr") == "2 dossiers exportés → x.xlsx"
