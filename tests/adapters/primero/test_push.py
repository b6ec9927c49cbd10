"""Push: idempotent upsert, journal resume, one bad record never stops the batch, refusals."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from primero_helpers import make_client, small_case

from cpcase.adapters.primero import (
    BasicAuth,
    CaseSchema,
    FakePrimero,
    Journal,
    MappingGapError,
    PrimeroClient,
    PrimeroSchemaError,
    PushAction,
    PushRecord,
    compute_patch,
    map_case,
    push_cases,
    push_records,
)
from cpcase.adapters.primero.push import content_digest, strip_fields

CP = "primeromodule-cp"


def record(n: int, **extra: Any) -> PushRecord:
    rid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cpcase-test/{n}"))
    return PushRecord(f"K{n:04d}", {"id": rid, "module_id": CP, "age": n % 18, **extra})


def writes(fake: FakePrimero) -> int:
    return sum(1 for r in fake.log if r.method in ("POST", "PATCH", "DELETE"))


def test_rerunning_a_finished_push_changes_nothing(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    cases = [small_case(n) for n in range(1, 21)]
    first = push_cases(client, cases, workers=3)
    assert first.counts()[PushAction.CREATED] == 20
    before = {rid: fake.stored(rid) for rid in fake.cases}
    second = push_cases(client, cases, workers=3)
    assert second.counts()[PushAction.UNCHANGED] == 20
    assert {rid: fake.stored(rid) for rid in fake.cases} == before  # not even last_updated_at
    assert fake.counters["updated"] == 0


def test_changed_record_gets_only_its_difference(fake: FakePrimero, client: PrimeroClient) -> None:
    push_records(client, [record(1), record(2)])
    before = writes(fake)
    summary = push_records(client, [record(1, age=17), record(2)])
    assert [o.action for o in summary.outcomes] == [PushAction.UPDATED, PushAction.UNCHANGED]
    assert summary.outcomes[0].fields == ("age",)
    patches = [r for r in fake.log[-6:] if r.method == "PATCH"]
    assert len(patches) == 1
    assert writes(fake) - before == 3  # two POSTs answered 409, one PATCH


def test_a_bad_record_never_stops_the_batch(fake: FakePrimero, client: PrimeroClient) -> None:
    batch = [record(1), record(2, sex="not_an_option"), record(3)]
    summary = push_records(client, batch)
    actions = {o.key: o.action for o in summary.outcomes}
    assert actions == {
        "K0001": PushAction.CREATED,
        "K0002": PushAction.FAILED,
        "K0003": PushAction.CREATED,
    }
    failed = summary.failed[0]
    assert failed.error_code == "invalid_record"
    assert failed.fields == ("/sex",)
    assert not summary.ok


def test_schema_refuses_silent_drops_unless_allowed(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    schema = CaseSchema.load(client)
    batch = [record(1, previously_owned_by="x")]
    with pytest.raises(PrimeroSchemaError) as info:
        push_records(client, batch, schema=schema)
    assert info.value.report is not None
    assert info.value.report.dropped_fields() == {"previously_owned_by"}
    assert fake.cases == {}  # nothing written
    summary = push_records(client, batch, schema=schema, allow_drop={"previously_owned_by"})
    assert summary.ok
    sent = [r for r in fake.log if r.method == "POST"]
    assert len(sent) == 1


def test_invalid_values_fail_locally_without_sending(
    fake: FakePrimero, client: PrimeroClient, tmp_path: Path
) -> None:
    schema = CaseSchema.load(client)
    with Journal(tmp_path / "j", server="http://primero.test", module_id=CP) as journal:
        summary = push_records(
            client,
            [record(1, date_of_birth="31/12/2014"), record(2)],
            schema=schema,
            journal=journal,
        )
        assert [o.action for o in summary.outcomes] == [PushAction.FAILED, PushAction.CREATED]
        assert summary.outcomes[0].error_code == "invalid_value"
        assert summary.outcomes[0].fields == ("/date_of_birth",)
        assert len([r for r in fake.log if r.method == "POST"]) == 1
        assert journal.get("K0001").state == "failed"  # type: ignore[union-attr]


def test_journal_skips_confirmed_and_redoes_changed(
    fake: FakePrimero, client: PrimeroClient, tmp_path: Path
) -> None:
    with Journal(tmp_path / "j", server="http://primero.test", module_id=CP) as journal:
        push_records(client, [record(1), record(2)], journal=journal)
        requests_before = len(fake.log)
        summary = push_records(client, [record(1), record(2, age=3)], journal=journal)
        actions = [o.action for o in summary.outcomes]
        assert actions == [PushAction.SKIPPED, PushAction.UPDATED]
        assert len(fake.log) - requests_before == 3  # POST 409, GET, PATCH for record 2 only
        forced = push_records(client, [record(1)], journal=journal, force=True)
        assert forced.outcomes[0].action is PushAction.UNCHANGED
        entry = journal.get("K0002")
        assert entry is not None
        assert entry.digest == content_digest(record(2, age=3).body)


def test_dry_run_writes_nothing(fake: FakePrimero, client: PrimeroClient) -> None:
    push_records(client, [record(1)])
    before = writes(fake)
    summary = push_records(client, [record(1, age=9), record(2), record(3)], dry_run=True)
    assert [o.action for o in summary.outcomes] == [
        PushAction.WOULD_UPDATE,
        PushAction.WOULD_CREATE,
        PushAction.WOULD_CREATE,
    ]
    assert summary.outcomes[0].fields == ("age",)
    assert writes(fake) == before


def test_refused_credentials_stop_the_whole_push(fake: FakePrimero) -> None:
    client = make_client(fake, auth=BasicAuth("cpcase-svc", "wrong"))
    summary = push_records(client, [record(n) for n in range(50)], workers=4)
    assert summary.aborted is not None
    assert "PrimeroAuthError" in summary.aborted
    assert fake.counters["failed_logins"] == 1  # one refused request, never six
    assert len(summary.outcomes) < 50


def test_unreachable_server_stops_the_push() -> None:
    client = PrimeroClient(
        base_url="http://127.0.0.1:9",
        auth=BasicAuth("a", "b"),
        timeout=(0.5, 0.5),
        sleep=lambda s: None,
    )
    summary = push_records(client, [record(n) for n in range(20)], workers=2)
    assert summary.aborted is not None
    assert "PrimeroConnectError" in summary.aborted


def test_gaps_refuse_unless_allowed(fake: FakePrimero, client: PrimeroClient) -> None:
    case = small_case(1, age_status="presumed_minor")
    with pytest.raises(MappingGapError) as info:
        push_cases(client, [case])
    assert [g.path for _, g in info.value.gaps] == ["registration.age_status"]
    assert fake.cases == {}
    summary = push_cases(client, [case], allow_drop=["registration.age_status"])
    assert summary.ok
    assert "estimated" not in fake.stored(map_case(case).record_id)


def test_duplicate_keys_and_bad_bodies_are_refused(client: PrimeroClient) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        push_records(client, [record(1), record(1)])
    with pytest.raises(ValueError, match="module_id"):
        push_records(client, [PushRecord("x", {"id": str(uuid.uuid4())})])


def test_clearable_field_is_emptied_on_the_server(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    push_records(client, [record(1, risk_level="high")])
    summary = push_records(
        client,
        [PushRecord("K0001", {**record(1).body, "risk_level": None}, frozenset({"risk_level"}))],
    )
    assert summary.outcomes[0].action is PushAction.UPDATED
    assert fake.stored(record(1).record_id)["risk_level"] is None


def test_compute_patch_rules() -> None:
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    desired = {
        "id": "x",
        "module_id": CP,
        "case_id": "never",
        "age": 3,
        "sex": None,
        "protection_concerns": ["b", "a"],
        "services_section": [
            {"unique_id": a, "service_type": "medical", "note": None},
            {"unique_id": b, "service_type": "food"},
        ],
        "empty": [],
    }
    current = {
        "age": 3,
        "sex": "female",
        "protection_concerns": ["a", "b"],
        "services_section": [{"unique_id": a, "service_type": "shelter", "note": "kept"}],
    }
    assert compute_patch(desired, current) == {
        "services_section": [
            {"unique_id": a, "service_type": "medical"},
            {"unique_id": b, "service_type": "food"},
        ],
    }
    assert compute_patch(desired, current, clearable={"sex"})["sex"] is None
    assert compute_patch({"flag": True}, {"flag": 1}) == {"flag": True}


scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["a", "b", "c"])
docs = st.dictionaries(
    st.sampled_from(["f1", "f2", "f3", "f4"]),
    scalars | st.lists(st.sampled_from(["x", "y", "z"]), unique=True),
    max_size=4,
)


@given(docs, docs)
def test_patch_applied_gives_the_desired_values(
    desired: dict[str, Any], current: dict[str, Any]
) -> None:
    """Applying the patch (scalars replace) makes every non-empty desired value hold, and a
    second diff is empty: the basis of "re-running changes nothing"."""
    merged = {**current, **compute_patch(desired, current)}
    for key, value in desired.items():
        if value is not None and value != []:
            if isinstance(value, list):
                assert sorted(merged[key]) == sorted(value)
            else:
                assert merged[key] == value
                assert type(merged[key]) is type(value)
    assert compute_patch(desired, merged) == {}


def test_strip_fields() -> None:
    body = {"a": 1, "b": 2, "rows": [{"unique_id": "u", "x": 1, "y": 2}, "odd"]}
    assert strip_fields(body, ["a", "rows.x"]) == {
        "b": 2,
        "rows": [{"unique_id": "u", "y": 2}, "odd"],
    }
