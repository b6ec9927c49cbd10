"""The schema check predicts exactly what the (fake) server silently drops or rejects."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from primero_helpers import make_client

from cpcase.adapters.primero import (
    CaseSchema,
    FakePrimero,
    IssueCode,
    MockTransport,
    PrimeroClient,
    PrimeroValidationError,
)
from cpcase.adapters.primero.client import is_server_computed

CP = "primeromodule-cp"
_FAKE = FakePrimero()
_SCHEMA = CaseSchema.load(make_client(_FAKE))
_OPTIONS = sorted({o for f in _SCHEMA.fields.values() if f.options for o in f.options})
_TOP = sorted(n for n in _SCHEMA.fields if not is_server_computed(n))
_SUB = sorted(_SCHEMA.fields["services_section"].subform or {})


def _scalar_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 40) | st.just(2**40),
        st.floats(0.5, 3.5),
        st.text(max_size=5),
        st.sampled_from(_OPTIONS),
        st.sampled_from(["2026-02-03", "2026-02-30", "03/02/2026", "2026-02-03T10:00:00Z"]),
    )


def _values() -> st.SearchStrategy[Any]:
    return _scalar_values() | st.lists(_scalar_values(), max_size=3) | st.just({"a": 1})


def _rows() -> st.SearchStrategy[Any]:
    row = st.dictionaries(st.sampled_from([*_SUB, "not_in_subform"]), _scalar_values(), max_size=3)
    uid = st.sampled_from([str(uuid.uuid4()), "not-a-uuid"])
    return st.lists(
        st.tuples(row, uid).map(lambda pair: {**pair[0], "unique_id": pair[1]}), max_size=2
    )


bodies = st.fixed_dictionaries(
    {},
    optional={
        **{name: _values() for name in _TOP if name != "services_section"},
        "services_section": _rows() | _values(),
        "unknown_field_x": _values(),
        "typo_name_fist": _values(),
    },
)


@given(bodies)
def test_schema_check_predicts_the_server(body: dict[str, Any]) -> None:
    fake = FakePrimero()
    client = make_client(fake)
    rid = str(uuid.uuid4())
    data = {"id": rid, "module_id": CP, **body}
    issues = _SCHEMA.check(data, key="K")
    drops = {
        i.pointer.split("/")[1] for i in issues if i.code.loses_data and i.pointer.count("/") == 1
    }
    rejects = {i.pointer for i in issues if i.code.rejects_record}
    if rejects:
        with pytest.raises(PrimeroValidationError) as info:
            client.create_case(data)
        assert set(info.value.pointers) == rejects
        return
    client.create_case(data)
    stored = fake.stored(rid)
    for name, value in body.items():
        if name in drops:  # gone, or replaced by the server's own default (notes_section: [])
            assert name not in stored or stored[name] != value, name
        else:
            assert name in stored, name


def test_catches_a_field_the_server_would_silently_drop(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    """The headline case: a typo and a read-only field are reported before any write."""
    data = {
        "id": str(uuid.uuid4()),
        "module_id": CP,
        "name_fist": "Awa",
        "previously_owned_by": "x",
        "age": 12,
    }
    report = CaseSchema.load(client).check_many([("ML-1", data)])
    assert {(i.field, i.code) for i in report.issues} == {
        ("name_fist", IssueCode.UNKNOWN_FIELD),
        ("previously_owned_by", IssueCode.READ_ONLY_FIELD),
    }
    assert report.dropped_fields() == {"name_fist", "previously_owned_by"}
    assert report.blocking({"previously_owned_by"})[0].field == "name_fist"
    client.create_case(data)
    stored = fake.stored(data["id"])
    assert "name_fist" not in stored
    assert "previously_owned_by" not in stored


def test_subform_cells_and_missing_unique_ids() -> None:
    data = {"module_id": CP, "services_section": [{"service_type": "nope", "bad_cell": 1}]}
    codes = {(i.pointer, i.code) for i in _SCHEMA.check(data)}
    assert codes == {
        ("/services_section/0", IssueCode.MISSING_UNIQUE_ID),
        ("/services_section/0/service_type", IssueCode.INVALID_OPTION),
        ("/services_section/0/bad_cell", IssueCode.UNKNOWN_FIELD),
    }
    assert _SCHEMA.check_many([("K", data)]).dropped_fields() == {"services_section.bad_cell"}


def test_missing_module_and_computed_fields() -> None:
    codes = {
        i.code for i in _SCHEMA.check({"age": 1, "workflow": "new", "owned_by_agency_id": "x"})
    }
    assert codes == {IssueCode.MISSING_MODULE, IssueCode.COMPUTED_FIELD}
    assert {i.code for i in _SCHEMA.check({"case_id": "x"}, update=True)} == {
        IssueCode.CREATE_ONLY_FIELD
    }


def test_unknown_permissions_are_reported(fake: FakePrimero) -> None:
    forms = fake.forms
    schema = CaseSchema.from_api(forms, fake.lookups, module_id=CP, form_permissions=None)
    report = schema.check_many([("K", {"module_id": CP, "previously_owned_by": "x"})])
    assert not report.permissions_known
    assert report.issues == ()
    assert "permissions could not be read" in report.render()


def test_labels_are_bilingual() -> None:
    for code in IssueCode:
        assert code.label("fr")
        assert code.label("en")
        assert code.label("fr") != code.label("en")
        assert code.loses_data != code.rejects_record or code is IssueCode.MISSING_UNIQUE_ID


def test_report_render_never_shows_values() -> None:
    data = {"module_id": CP, "sex": "Awa-Secret-Name", "name_fist": "Awa-Secret-Name"}
    text = _SCHEMA.check_many([("ML-1", data)]).render("fr")
    assert "Awa-Secret-Name" not in text
    assert "name_fist" in text
    assert "/sex" in text


@pytest.mark.parametrize("fields", [("fields", "short")])
def test_load_uses_the_server_configuration(fields: tuple[str, str]) -> None:
    custom = FakePrimero(form_permissions={"basic_identity": "r"})
    schema = CaseSchema.load(
        PrimeroClient(
            base_url="http://x", auth=make_client(custom).auth, transport=MockTransport(custom)
        )
    )
    assert schema.fields["age"].writable is False
    assert schema.fields["risk_level"].writable is False  # form not granted at all
