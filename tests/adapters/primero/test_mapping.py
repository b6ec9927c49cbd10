"""CaseFile <-> Primero mapping: round trips through the fake, nothing lost, data-driven tables."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from primero_helpers import TODAY, make_client, registration, services, small_case

from cpcase.adapters.primero import (
    CaseSchema,
    FakePrimero,
    PrimeroClient,
    compute_patch,
    default_mapping,
    load_mapping,
    map_case,
    primero_to_case,
)
from cpcase.adapters.primero.mapping import (
    _ACTIVITY,
    _CLOSURE,
    _CONSENT,
    _ENUMS,
    _FOLLOW_UP,
    _PLAN,
    _REGISTRATION,
    _SERVICE,
    same_value,
)
from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import PrimeroError
from cpcase.forms import (
    CaseClosure,
    ConsentForm,
    FollowUpContact,
    IndividualActionPlan,
    PlanActivity,
    RegistrationForm,
    ServiceRecord,
)
from cpcase.testing import case_files
from cpcase.vocab import RiskLevel, ServiceCategory

_SCHEMA = CaseSchema.load(make_client(FakePrimero()))


def _push_and_read(case: CaseFile) -> tuple[dict[str, Any], dict[str, Any], FakePrimero]:
    """Create ``case`` on a fresh fake (after a clean schema check); return body and record."""
    fake = FakePrimero()
    client = make_client(fake)
    mapped = map_case(case)
    assert _SCHEMA.check(mapped.body, key=case.case_code) == ()
    client.create_case(mapped.body)
    return mapped.body, client.get_case(mapped.record_id), fake


def _without_extras(case: CaseFile) -> dict[str, Any]:
    return case.model_dump(mode="json", exclude={"extra_fields"})


def _kept(record: dict[str, Any], case: CaseFile) -> None:
    """Every non-empty Primero value is reproduced by the file, or kept verbatim in extras."""
    sent = map_case(case).body
    extras = case.extra_fields.get("primero")
    assert isinstance(extras, dict)
    for key, value in record.items():
        if value is None or value == []:
            continue
        rows = isinstance(value, list) and all(isinstance(r, dict) for r in value)
        if not rows:
            if key in extras:
                assert extras[key] == value, key
            else:
                assert same_value(sent[key], value), key
            continue
        ours = {r["unique_id"]: r for r in sent.get(key, [])}
        theirs = {r["unique_id"]: r for r in extras.get(key, [])}  # type: ignore[union-attr]
        for row in value:
            mine = ours.get(row["unique_id"], {})
            kept = theirs.get(row["unique_id"], {})
            for cell, v in row.items():
                if v is not None:
                    assert same_value(mine.get(cell), v) or kept.get(cell) == v, (key, cell)


@given(case_files())
def test_round_trip_is_identity_on_mapped_fields(case: CaseFile) -> None:
    """CaseFile -> Primero (through the fake) -> CaseFile gives back the same file."""
    body, record, _ = _push_and_read(case)
    ids = [
        r["unique_id"]
        for v in body.values()
        if isinstance(v, list)
        for r in v
        if isinstance(r, dict)
    ]
    assert len(ids) == len(set(ids))  # deterministic row ids never collide
    assert all(uuid.UUID(i).version == 5 for i in ids)
    result = primero_to_case(record, today=TODAY, base=case)
    assert result.warnings == ()
    back = result.case
    assert _without_extras(back) == _without_extras(case)
    assert {k: v for k, v in back.extra_fields.items() if k != "primero"} == case.extra_fields
    _kept(record, back)
    # re-pushing the pulled file sends nothing
    again = map_case(back)
    assert again.record_id == body["id"]
    assert compute_patch(again.body, record, clearable=again.clearable) == {}


@given(case_files())
def test_pull_without_local_file_loses_nothing(case: CaseFile) -> None:
    _, record, _ = _push_and_read(case)
    back = primero_to_case(record, today=TODAY).case
    assert back.case_code == case.case_code
    assert back.status == case.status or map_case(case).gaps
    _kept(record, back)
    again = map_case(back)
    assert again.record_id == record["id"]
    assert compute_patch(again.body, record, clearable=again.clearable) == {}
    if case.risk_history:
        assert back.risk_history == case.risk_history  # read back from the risk notes


def test_values_changed_in_primero_update_the_file(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    code = "ML-MOP-TDH-2026-00001"
    case = CaseFile(
        case_code=code,
        organisation_id="TDH",
        registration=registration(code),
        services=(services(code, {"service_provider": "Centre A"}),),
    )
    mapped = map_case(case)
    client.create_case(mapped.body)
    row = mapped.body["services_section"][0]
    client.update_case(
        mapped.record_id,
        {
            "sex": "male",
            "age": 15,
            "name_nickname": "Ti",
            "services_section": [{"unique_id": row["unique_id"], "service_provider": "Centre B"}],
            "risk_level": "medium",
            "national_id_no": "X-1",
        },
    )
    back = primero_to_case(client.get_case(mapped.record_id), today=TODAY, base=case).case
    reg = back.registration
    assert reg is not None
    assert (reg.sex.value, reg.age, reg.name_nickname) == ("male", 15, "Ti")
    assert back.services[0].services_section[0].service_provider == "Centre B"
    assert back.risk_history[-1] == RiskDecision(level=RiskLevel.MEDIUM, decided_on=TODAY)
    assert back.extra_fields["primero"]["national_id_no"] == "X-1"  # type: ignore[index]


def test_risk_none_empties_risk_level_and_keeps_a_note() -> None:
    case = (
        small_case(1)
        .with_risk(
            RiskDecision(level=RiskLevel.HIGH, decided_on=dt.date(2026, 3, 2), decided_by="cw-01")
        )
        .with_risk(RiskDecision(level=RiskLevel.NONE, decided_on=dt.date(2026, 5, 2)))
    )
    mapped = map_case(case)
    assert mapped.body["risk_level"] is None
    assert "risk_level" in mapped.clearable
    notes = mapped.body["notes_section"]
    assert [n["note_subject"] for n in notes] == ["cpcase risk decision"] * 2
    assert json.loads(notes[1]["note_text"]) == {"level": "none", "seq": 1}
    assert mapped.gaps == ()


def test_fallback_options_are_read_back_exactly() -> None:
    code = "ML-MOP-TDH-2026-00001"
    form = services(code, {"service_type": "psychosocial"}, {"service_type": "legal"})
    case = CaseFile(case_code=code, organisation_id="TDH", services=(form,))
    body, record, _ = _push_and_read(case)
    first = body["services_section"][0]
    assert (first["service_type"], first["service_type_other"]) == (
        "other_please_specify",
        "psychosocial",
    )
    back = primero_to_case(record, today=TODAY, base=case).case
    assert back.services[0].services_section[0].service_type is ServiceCategory.PSYCHOSOCIAL


def test_ids_are_deterministic_and_unique() -> None:
    case = small_case(3)
    assert map_case(case).body == map_case(small_case(3)).body
    other_org = small_case(3, org="ENDA")
    assert map_case(other_org).record_id != map_case(case).record_id
    assert uuid.UUID(map_case(case).record_id).version == 5


def test_never_sends_server_computed_fields() -> None:
    from cpcase.adapters.primero.client import is_server_computed

    body = map_case(small_case(1)).body
    assert [k for k in body if is_server_computed(k)] == []
    assert body["module_id"] == "primeromodule-cp"
    assert body["cpims_id"] == "ML-MOP-TDH-2026-00001"


def test_default_tables_match_the_vocabularies() -> None:
    """The TOML data and the vocabularies' .cpims ids agree wherever both give an id."""
    m = default_mapping()
    for name, enum in _ENUMS.items():
        table = m.config.options.get(name, {})
        for member in enum:
            if member.cpims is not None and isinstance(table.get(member.value), str):
                assert table[member.value] == member.cpims, (name, member.value)


def test_default_option_ids_exist_on_the_interagency_fake() -> None:
    """Every option the defaults can send is an option of its target field."""
    m = default_mapping()
    specs = [*_REGISTRATION, *_CONSENT, *_PLAN, *_CLOSURE]
    rows = {"plan.activities": _ACTIVITY, "services": _SERVICE, "follow_ups": _FOLLOW_UP}
    checked = 0
    for spec in specs + [s for group in rows.values() for s in group]:
        if spec.enum is None or spec.kind == "option_tick":
            continue
        group = next((g for g in rows if spec.path.startswith(g + ".")), None)
        field = (
            _SCHEMA.fields[m.field(group) or ""]
            if group
            else _SCHEMA.fields[m.field(spec.path) or ""]
        )
        target = (field.subform or {}).get(m.field(spec.path) or "") if group else field
        assert target is not None, spec.path
        assert target.options is not None, spec.path
        for member in spec.enum:
            option = m.option(member)
            if isinstance(option, str):
                assert option in target.options, (spec.path, option)
                checked += 1
    assert checked > 80


def test_field_names_follow_the_form_annotations() -> None:
    m = default_mapping()
    pairs = [
        (_REGISTRATION, RegistrationForm),
        (_CONSENT, ConsentForm),
        (_PLAN, IndividualActionPlan),
        (_ACTIVITY, PlanActivity),
        (_SERVICE, ServiceRecord),
        (_FOLLOW_UP, FollowUpContact),
        (_CLOSURE, CaseClosure),
    ]
    for specs, model in pairs:
        for spec in specs:
            if not spec.attr:
                continue
            extra = model.model_fields[spec.attr].json_schema_extra or {}
            cpims = extra.get("cpims") if isinstance(extra, dict) else None
            if cpims is not None:
                assert m.field(spec.path) == cpims, spec.path


def test_deployment_override(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        '[meta]\nid_field = "other_agency_id"\n'
        '[fields]\n"registration.name_nickname" = ""\n'
        '[options.CaseStatus]\nnot_eligible = "closed"\n'
        '[options.Sex]\nother = "intersex"\n',
        encoding="utf-8",
    )
    m = load_mapping(path)
    case = small_case(1, sex="other", name_nickname="Ti").model_validate(
        {**dict(small_case(1, sex="other", name_nickname="Ti")), "status": "not_eligible"}
    )
    mapped = map_case(case, m)
    assert mapped.body["other_agency_id"] == case.case_code
    assert "cpims_id" not in mapped.body
    assert mapped.body["sex"] == "intersex"
    assert mapped.body["status"] == "closed"
    assert "name_nickname" not in mapped.body
    assert mapped.body["name_first"] == "Awa"  # everything else keeps the defaults
    assert map_case(case).gaps[0].path == "case.status"  # defaults: not_eligible is a gap


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[options.Sex]\nunknown_code = 'x'\n", "unknown codes"),
        ("[options.NotAnEnum]\na = 'b'\n", "unknown option table"),
        ("[meta]\nnamespace = 'not-a-uuid'\n", "namespace"),
        ("[options.Sex]\nfemale = true\n", "not allowed"),
        ("this is not toml", "invalid TOML"),
    ],
)
def test_bad_overrides_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PrimeroError, match=message):
        load_mapping(path)


def test_gaps_name_the_path_and_pointer() -> None:
    reg = registration("ML-MOP-TDH-2026-00001", age_status="presumed_minor")
    case = CaseFile(
        case_code="ML-MOP-TDH-2026-00001",
        organisation_id="TDH",
        registration=reg,
        status="not_eligible",
    )
    gaps = {(g.path, g.code, g.pointer) for g in map_case(case).gaps}
    assert gaps == {
        ("case.status", "not_eligible", "/status"),
        ("registration.age_status", "presumed_minor", "/estimated"),
    }
