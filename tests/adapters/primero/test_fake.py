"""The fake Primero reproduces the contract of the API notes §7.6 (what downstream tests rely on)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from cpcase.adapters.primero import (
    ApiRequest,
    BasicAuth,
    FakePrimero,
    FakePrimeroServer,
    Faults,
    PrimeroClient,
)

CP = "primeromodule-cp"
AUTH = {"Authorization": "Basic Y3BjYXNlLXN2YzpmYWtlLXByaW1lcm8tb25seQ=="}


def call(
    fake: FakePrimero, method: str, path: str, body: Any = None, **params: str
) -> tuple[int, Any]:
    """One raw request to the fake; returns (status, decoded body or None)."""
    req = ApiRequest(
        method,
        "http://primero.test" + path,
        params=list(params.items()),
        headers=AUTH,
        body=None if body is None else json.dumps(body).encode(),
    )
    resp = fake(req)
    return resp.status, (json.loads(resp.body) if resp.body else None)


def new_id() -> str:
    return str(uuid.uuid4())


def test_public_and_auth_shapes(fake: FakePrimero) -> None:
    assert fake(ApiRequest("GET", "http://x/api/v2/primero")).status == 200
    resp = fake(ApiRequest("GET", "http://x/api/v2/cases"))
    assert resp.status == 401
    assert json.loads(resp.body) == {"error": "You need to sign in or sign up before continuing."}
    assert resp.header("WWW-Authenticate") == 'Bearer realm="Primero" charset="UTF8"'


def test_create_silently_drops_unknown_read_only_and_misshapen_fields(fake: FakePrimero) -> None:
    rid = new_id()
    status, body = call(
        fake,
        "POST",
        "/api/v2/cases",
        {
            "data": {
                "id": rid,
                "module_id": CP,
                "age": 7,
                "no_such_field": "x",  # unknown: dropped
                "previously_owned_by": "someone",  # on a read-only form: dropped
                "sex": ["female"],  # list for a single select: dropped
                "protection_concerns": "neglect",  # scalar for a multi-select: dropped
                "identification_separator": "x",  # separator: not writable
            }
        },
    )
    assert status == 204
    assert body is None
    stored = fake.stored(rid)
    assert stored["age"] == 7
    for dropped in (
        "no_such_field",
        "previously_owned_by",
        "sex",
        "protection_concerns",
        "identification_separator",
    ):
        assert dropped not in stored


def test_create_without_module_drops_almost_everything(fake: FakePrimero) -> None:
    status, body = call(fake, "POST", "/api/v2/cases", {"data": {"age": 7, "sex": "female"}})
    assert status == 200
    record = body["data"]
    assert "age" not in record
    assert "sex" not in record
    assert record["status"] == "open"


def test_server_assigned_fields(fake: FakePrimero) -> None:
    status, body = call(
        fake,
        "POST",
        "/api/v2/cases",
        {"data": {"module_id": CP, "name_first": "Awa", "name_last": "Test"}},
    )
    record = body["data"]
    assert status == 200
    assert uuid.UUID(record["id"])
    assert record["short_id"] == record["case_id"][-7:] == record["case_id_display"]
    assert record["status"] == "open"
    assert record["record_state"] is True
    assert record["workflow"] == "new"
    assert record["name"] == "Awa Test"
    assert record["owned_by"] == "cpcase-svc"
    assert record["registration_date"]
    assert record["enabled"] is True
    assert record["last_updated_at"]


def test_409_and_422_shapes(fake: FakePrimero) -> None:
    rid = new_id()
    assert call(fake, "POST", "/api/v2/cases", {"data": {"id": rid, "module_id": CP}})[0] == 204
    status, body = call(fake, "POST", "/api/v2/cases", {"data": {"id": rid, "module_id": CP}})
    assert status == 409
    assert body == {
        "errors": [
            {
                "status": 409,
                "resource": "/api/v2/cases",
                "message": "Conflict: A record with this id already exists",
            }
        ]
    }
    status, body = call(
        fake,
        "POST",
        "/api/v2/cases",
        {
            "data": {
                "module_id": CP,
                "date_of_birth": "02/03/2014",
                "estimated": "true",
                "age": 12.5,
                "risk_level": "none",
                "services_section": [{"unique_id": "not-a-uuid", "service_type": "medical"}],
                "service_response_day_time": "x",
            }
        },
    )
    assert status == 422
    error = body["errors"][0]
    assert error["message"] == "Invalid Record JSON"
    assert sorted(error["detail"]) == sorted(
        ["/date_of_birth", "/estimated", "/age", "/risk_level", "/services_section/0/unique_id"]
    )  # service_response_day_time is a subform field: unknown at the top level, dropped
    status, body = call(fake, "POST", "/api/v2/cases", {"nodata": 1})
    assert status == 422
    assert body["errors"][0]["message"].startswith("param is missing")


def test_dates_and_datetimes(fake: FakePrimero) -> None:
    ok = {
        "module_id": CP,
        "date_of_birth": "2014-02-03",
        "services_section": [
            {"unique_id": new_id(), "service_response_day_time": "2026-01-02T10:00:00.000Z"}
        ],
    }
    assert call(fake, "POST", "/api/v2/cases", {"data": ok})[0] == 200
    bad = {
        "module_id": CP,
        "date_of_birth": "2014-02-30",
        "services_section": [{"unique_id": new_id(), "service_response_day_time": "2026-01-02"}],
    }
    status, body = call(fake, "POST", "/api/v2/cases", {"data": bad})
    assert status == 422
    assert body["errors"][0]["detail"] == [
        "/date_of_birth",
        "/services_section/0/service_response_day_time",
    ]


def test_patch_merges_subforms_by_unique_id(fake: FakePrimero) -> None:
    rid, a, b, c = new_id(), new_id(), new_id(), new_id()
    call(
        fake,
        "POST",
        "/api/v2/cases",
        {
            "data": {
                "id": rid,
                "module_id": CP,
                "age": 3,
                "services_section": [
                    {"unique_id": a, "service_type": "medical"},
                    {"unique_id": b, "service_type": "food"},
                ],
            }
        },
    )
    status, body = call(
        fake,
        "PATCH",
        f"/api/v2/cases/{rid}",
        {
            "data": {
                "services_section": [
                    {"unique_id": a, "service_implemented": "implemented"},  # merged into row a
                    {"unique_id": b, "_destroy": True},  # row b removed
                    {"unique_id": c, "service_type": "shelter"},  # appended
                    {"service_type": "wash"},  # appended, id assigned
                ],
                "case_id": "x",  # create-only: dropped on update
                "age": 3,  # unchanged: not echoed
            }
        },
    )
    assert status == 200
    rows = fake.stored(rid)["services_section"]
    assert [r["unique_id"] for r in rows[:2]] == [a, c]
    assert rows[0] == {
        "unique_id": a,
        "service_type": "medical",
        "service_implemented": "implemented",
    }
    assert uuid.UUID(rows[2]["unique_id"])
    assert rows[2]["service_type"] == "wash"
    assert fake.stored(rid)["case_id"] != "x"
    echoed = body["data"]
    assert set(echoed) == {"id", "enabled", "services_section", "workflow", "last_updated_at"}
    # an empty array changes nothing (arrays of hashes merge)
    call(fake, "PATCH", f"/api/v2/cases/{rid}", {"data": {"services_section": []}})
    assert len(fake.stored(rid)["services_section"]) == 3


def test_soft_delete(fake: FakePrimero) -> None:
    rid = new_id()
    call(fake, "POST", "/api/v2/cases", {"data": {"id": rid, "module_id": CP}})
    assert call(fake, "DELETE", f"/api/v2/cases/{rid}") == (200, {"data": {"id": rid}})
    assert fake.stored(rid)["record_state"] is False
    assert call(fake, "GET", f"/api/v2/cases/{rid}")[1]["data"]["enabled"] is False
    status, body = call(fake, "GET", f"/api/v2/cases/{new_id()}")
    assert status == 404
    assert body["errors"][0]["message"] == "Not Found"


def test_list_paginates_filters_and_orders(fake: FakePrimero) -> None:
    for i in range(25):
        fake.add_case(
            {
                "module_id": CP,
                "age": i,
                "sex": "female" if i % 2 else "male",
                "protection_concerns": ["neglect"] if i < 5 else ["orphan", "separated"],
            }
        )
    status, body = call(fake, "GET", "/api/v2/cases")
    assert status == 200
    assert len(body["data"]) == 20
    assert body["metadata"] == {"total": 25, "per": 20, "page": 1}
    assert body["data"][0]["age"] == 24  # default order: created_at desc
    _, body = call(fake, "GET", "/api/v2/cases", per="5000", page="1")
    assert body["metadata"]["per"] == 1000  # capped
    _, body = call(fake, "GET", "/api/v2/cases", age="10..12", order="asc")
    assert [r["age"] for r in body["data"]] == [10, 11, 12]
    _, body = call(
        fake, "GET", "/api/v2/cases", protection_concerns="neglect,separated", per="100"
    )
    assert body["metadata"]["total"] == 25
    _, body = call(
        fake, "GET", "/api/v2/cases", **{"sex[0]": "female", "age[from]": "20", "per": "100"}
    )
    assert sorted(r["age"] for r in body["data"]) == [21, 23]
    _, body = call(fake, "GET", "/api/v2/cases", age="abc..def")
    assert body["data"] == []
    assert body["metadata"]["total"] == 0
    _, body = call(fake, "GET", "/api/v2/cases", fields="short", per="1")
    assert set(body["data"][0]) <= {
        "id",
        "enabled",
        "last_updated_at",
        "created_at",
        "owned_by",
        "owned_by_agency_id",
        "status",
        "short_id",
        "case_id_display",
        "age",
        "sex",
        "registration_date",
        "workflow",
        "case_status_reopened",
        "module_id",
        "name",
    }


def test_metadata_endpoints(fake: FakePrimero) -> None:
    _, forms = call(fake, "GET", "/api/v2/forms", record_type="case", module_id=CP)
    assert "metadata" not in forms
    by_uid = {f["unique_id"]: f for f in forms["data"]}
    services = by_uid["services"]["fields"][0]
    assert services["type"] == "subform"
    nested = next(f for f in forms["data"] if f["id"] == services["subform_section_id"])
    assert nested["is_nested"] is True
    _, lookups = call(fake, "GET", "/api/v2/lookups", per="5", page="2")
    assert lookups["metadata"]["per"] == 5
    assert len(lookups["data"]) == 5
    risk = next(lk for lk in fake.lookups if lk["unique_id"] == "lookup-risk-level")
    assert [v["id"] for v in risk["values"]] == ["high", "medium", "low"]
    _, info = call(fake, "GET", "/api/v2/contact_information")
    assert info["data"]["system_version"] == "2.15.2.1"
    _, users = call(fake, "GET", "/api/v2/users", user_name="cpcase-svc")
    uid = users["data"][0]["id"]
    _, user = call(fake, "GET", f"/api/v2/users/{uid}", extended="true")
    assert user["data"]["permitted_form"]["record_owner"] == "r"
    assert call(fake, "GET", "/api/v2/users/99")[0] == 403
    assert call(fake, "GET", "/api/v2/nothing_here")[0] == 404


def test_transitions_consent_and_receiving_user(fake: FakePrimero) -> None:
    rid = new_id()
    fake.add_case({"id": rid, "module_id": CP, "disclosure_other_orgs": True})
    status, body = call(
        fake, "POST", f"/api/v2/cases/{rid}/referrals", {"data": {"transitioned_to": "nobody"}}
    )
    assert status == 422
    assert {(e["detail"], e["message"][0]) for e in body["errors"]} == {
        ("consent", "transition.errors.consent"),
        ("transitioned_to", "transition.errors.to_user_can_receive"),
    }
    status, body = call(
        fake,
        "POST",
        f"/api/v2/cases/{rid}/transfers",
        {"data": {"transitioned_to": "cw-receiver", "bogus": 1}},
    )
    assert status == 200
    assert "bogus" not in body["data"]
    assert body["data"]["record"]["transfer_status"] == "in_progress"
    _, listed = call(fake, "GET", f"/api/v2/cases/{rid}/transitions")
    assert [t["type"] for t in listed["data"]] == ["Transfer"]


def test_rate_limit_and_configuration_lock() -> None:
    fake = FakePrimero(rate_limit=(3, 60.0))
    statuses = [call(fake, "GET", "/api/v2/cases")[0] for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    resp = fake(ApiRequest("GET", "http://x/api/v2/cases", headers=AUTH))
    assert resp.header("Retry-After") is not None
    assert int(resp.header("Retry-After") or 0) >= 1
    locked = FakePrimero()
    locked.lock_for_configuration(60)
    status, body = call(locked, "GET", "/api/v2/cases")
    assert status == 503
    assert body["errors"][0]["detail"] == "Retry-After: 60"


def test_login_throttle() -> None:
    fake = FakePrimero(version="2.10.7")
    body = json.dumps({"user": {"user_name": "cpcase-svc", "password": "wrong"}}).encode()
    statuses = [
        fake(ApiRequest("POST", "http://x/api/v2/tokens", body=body)).status for _ in range(8)
    ]
    assert statuses[:6] == [401] * 6
    assert statuses[6:] == [429, 429]


def test_faults_are_reproducible_from_the_seed() -> None:
    def run() -> list[str | None]:
        fake = FakePrimero(faults=Faults(rate=0.3, seed=42, slow=0.0))
        for _ in range(40):
            try:
                call(fake, "GET", "/api/v2/cases")
            except Exception:  # noqa: S112 - drops raise; we only look at the log
                continue
        return [r.fault for r in fake.log]

    first, second = run(), run()
    assert first == second
    assert any(first)
    assert None in first


def test_drop_after_processes_the_request(fake: FakePrimero) -> None:
    faulty = FakePrimero(faults=Faults(rate=1.0, kinds=("drop_after",)))
    rid = new_id()
    with pytest.raises(Exception, match="dropped"):
        call(faulty, "POST", "/api/v2/cases", {"data": {"id": rid, "module_id": CP}})
    assert rid in faulty.cases


def test_http_server_is_loopback_only_and_real() -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakePrimeroServer(host="0.0.0.0")  # noqa: S104 - checking it is refused
    with FakePrimeroServer() as server:
        resp = requests.get(
            server.url + "/api/v2/cases", auth=("cpcase-svc", "fake-primero-only"), timeout=5
        )
        assert resp.status_code == 200
        assert resp.json()["metadata"]["total"] == 0
        client = PrimeroClient(base_url=server.url, auth=BasicAuth(*server.fake.credentials))
        client.create_case({"id": new_id(), "module_id": CP, "age": 1})
        assert len(server.fake.cases) == 1
        assert server.fake.log[-1].path == "/api/v2/cases"
