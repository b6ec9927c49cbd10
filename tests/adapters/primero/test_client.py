"""The client: retries and backoff, timeouts, pagination, filters, cases, transitions."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from primero_helpers import BASE, Sleeps, make_client

from cpcase.adapters.primero import (
    ApiRequest,
    ApiResponse,
    BasicAuth,
    ConsentOverride,
    FakePrimero,
    Faults,
    MockTransport,
    PrimeroClient,
    PrimeroConflictError,
    PrimeroConnectError,
    PrimeroConnectionLost,
    PrimeroConsentError,
    PrimeroNotFoundError,
    PrimeroProtocolError,
    PrimeroRateLimitError,
    PrimeroReadTimeout,
    PrimeroServerError,
    PrimeroUnavailableError,
    PrimeroValidationError,
    Range,
    RetryPolicy,
    encode_filters,
)

CP = "primeromodule-cp"


def _scripted(
    *responses: ApiResponse | Exception,
) -> tuple[Callable[[ApiRequest], ApiResponse], list[ApiRequest]]:
    """A handler answering with ``responses`` in order (exceptions are raised)."""
    queue = list(responses)
    seen: list[ApiRequest] = []

    def handler(request: ApiRequest) -> ApiResponse:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


def _client(
    handler: Callable[[ApiRequest], ApiResponse], sleeps: Sleeps, **kw: object
) -> PrimeroClient:
    return PrimeroClient(
        base_url=BASE,
        auth=BasicAuth("svc", "pw"),
        transport=MockTransport(handler),
        sleep=sleeps,
        seed=1,
        retry=RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_max=3.0),
        **kw,  # type: ignore[arg-type]
    )


OK = ApiResponse.from_json(200, {"data": {"system_version": "2.15.2.1"}})


def test_every_request_has_the_timeout(sleeps: Sleeps) -> None:
    handler, seen = _scripted(OK)
    _client(handler, sleeps, timeout=(2.0, 7.0)).contact_information()
    assert seen[0].timeout == (2.0, 7.0)
    assert seen[0].header("Accept") == "application/json"


def test_429_and_503_honour_retry_after(sleeps: Sleeps) -> None:
    handler, seen = _scripted(
        ApiResponse.from_json(
            429, {"errors": [{"status": 429, "message": "x"}]}, {"Retry-After": "3"}
        ),
        ApiResponse.from_json(
            503, {"errors": [{"status": 503, "message": "x"}]}, {"Retry-After": "2"}
        ),
        OK,
    )
    assert _client(handler, sleeps).system_version() == "2.15.2.1"
    assert sleeps.calls == [3.0, 2.0]
    assert len(seen) == 3


def test_retry_after_beyond_the_cap_is_not_waited(sleeps: Sleeps) -> None:
    handler, _ = _scripted(ApiResponse(503, {"Retry-After": "3600"}, b""))
    with pytest.raises(PrimeroUnavailableError) as info:
        _client(handler, sleeps).contact_information()
    assert info.value.retry_after == 3600.0
    assert sleeps.calls == []


def test_429_retried_even_for_non_idempotent_posts(sleeps: Sleeps) -> None:
    handler, seen = _scripted(
        ApiResponse(429, {"Retry-After": "1"}, b""),
        ApiResponse.from_json(200, {"data": {"id": "a"}}),
    )
    result = _client(handler, sleeps).create_case({"module_id": CP, "age": 3})
    assert result.created
    assert len(seen) == 2


def test_5xx_retried_only_when_idempotent(sleeps: Sleeps) -> None:
    handler, seen = _scripted(ApiResponse(500), ApiResponse(502), OK)
    assert _client(handler, sleeps).system_version()
    assert len(seen) == 3
    handler, seen = _scripted(ApiResponse(500), OK)
    with pytest.raises(PrimeroServerError):
        _client(handler, sleeps).create_case({"module_id": CP})  # no client id: not idempotent
    assert len(seen) == 1


def test_connection_errors(sleeps: Sleeps) -> None:
    # never reached the server: retried even for a non-idempotent POST
    handler, seen = _scripted(
        PrimeroConnectError("refused"), ApiResponse.from_json(200, {"data": {"id": "a"}})
    )
    assert _client(handler, sleeps).create_case({"module_id": CP}).created
    assert len(seen) == 2
    # sent, then lost: retried only when idempotent
    handler, seen = _scripted(PrimeroConnectionLost("x"), OK)
    assert _client(handler, sleeps).system_version()
    handler, seen = _scripted(PrimeroReadTimeout("x"), OK)
    with pytest.raises(PrimeroReadTimeout):
        _client(handler, sleeps).create_case({"module_id": CP})
    assert len(seen) == 1


def test_gives_up_after_max_attempts_with_exponential_jittered_backoff(sleeps: Sleeps) -> None:
    handler, seen = _scripted(*[PrimeroConnectError("refused")] * 4)
    with pytest.raises(PrimeroConnectError):
        _client(handler, sleeps).contact_information()
    assert len(seen) == 4
    assert len(sleeps.calls) == 3
    caps = [0.5, 1.0, 2.0]
    assert all(0 <= s <= cap for s, cap in zip(sleeps.calls, caps, strict=True))


@given(st.integers(1, 30), st.integers(0, 2**32))
def test_backoff_bounds(attempt: int, seed: int) -> None:
    policy = RetryPolicy(backoff_base=0.2, backoff_max=10.0)
    delay = policy.backoff(attempt, random.Random(seed))
    assert 0.0 <= delay <= min(10.0, 0.2 * 2 ** (attempt - 1))


def test_redirect_is_a_clear_protocol_error(sleeps: Sleeps) -> None:
    handler, _ = _scripted(ApiResponse(301, {"Location": "https://x/"}, b""))
    with pytest.raises(PrimeroProtocolError, match="redirect"):
        _client(handler, sleeps).contact_information()


def test_non_json_success_body(sleeps: Sleeps) -> None:
    handler, _ = _scripted(ApiResponse(200, {}, b"<html>login</html>"))
    with pytest.raises(PrimeroProtocolError):
        _client(handler, sleeps).contact_information()


def test_client_side_rate_limit_spaces_requests(fake: FakePrimero) -> None:
    client = make_client(fake, time.sleep, rate_limit=100.0)  # type: ignore[arg-type]
    start = time.monotonic()
    for _ in range(6):
        client.contact_information()
    assert time.monotonic() - start >= 0.045  # 5 gaps of 10 ms


def test_encode_filters() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    pairs = encode_filters(
        {
            "sex": "female",
            "age": Range(10, 15),
            "status": ["open", "closed"],
            "record_state": True,
            "registration_date": Range(dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
            "last_updated_at": Range(when, when),
        }
    )
    assert pairs == [
        ("sex", "female"),
        ("age", "10..15"),
        ("status", "open,closed"),
        ("record_state", "true"),
        ("registration_date", "2026-01-01..2026-02-01"),
        ("last_updated_at", "2026-01-02T03:04:05Z..2026-01-02T03:04:05Z"),
    ]
    for bad in (
        {"x": "a,b"},
        {"x": "1..2"},
        {"Bad-Name": 1},
        {"x": []},
        {"x": dt.datetime(2026, 1, 1)},  # noqa: DTZ001 - naive on purpose: refused
    ):
        with pytest.raises(ValueError, match=r"filter|aware"):
            encode_filters(bad)  # type: ignore[arg-type]


def _seed(fake: FakePrimero, n: int) -> list[str]:
    ids = []
    for i in range(n):
        rid = str(uuid.uuid4())
        fake.add_case(
            {"id": rid, "module_id": CP, "age": i % 18, "sex": "female" if i % 2 else "male"}
        )
        ids.append(rid)
    return ids


def test_pagination_iterator(fake: FakePrimero, client: PrimeroClient) -> None:
    ids = _seed(fake, 7)
    got = [c["id"] for c in client.iter_cases(per=3)]
    assert got == ids  # created_at ascending
    pages = [r for r in fake.log if r.path == "/api/v2/cases"]
    assert len(pages) == 3
    with pytest.raises(ValueError, match="per must be"):
        client.list_cases(per=1001)


def test_filters_reach_the_server(fake: FakePrimero, client: PrimeroClient) -> None:
    _seed(fake, 10)
    females = list(client.iter_cases(filters={"sex": "female"}))
    assert len(females) == 5
    assert {c["sex"] for c in females} == {"female"}
    teens = list(client.iter_cases(filters={"age": Range(5, 7)}))
    assert sorted(c["age"] for c in teens) == [5, 6, 7]
    # Primero silently ignores filters on unknown fields: so does the fake
    assert len(list(client.iter_cases(filters={"not_a_field": "x"}))) == 10


def test_get_create_conflict_update(fake: FakePrimero, client: PrimeroClient) -> None:
    rid = str(uuid.uuid4())
    created = client.create_case({"id": rid, "module_id": CP, "age": 4})
    assert created.created
    assert created.record is None
    again = client.create_case({"id": rid, "module_id": CP, "age": 4})
    assert not again.created
    with pytest.raises(PrimeroConflictError):
        client.create_case({"id": rid, "module_id": CP}, exists_ok=False)
    update = client.update_case(rid, {"age": 5, "not_a_field": 1})
    assert update.record["age"] == 5
    assert update.unechoed == ("not_a_field",)
    assert client.get_case(rid, fields=["age"]) == {
        "id": rid,
        "enabled": True,
        "age": 5,
        "last_updated_at": fake.cases[rid]["last_updated_at"],
    }
    with pytest.raises(PrimeroNotFoundError):
        client.get_case(str(uuid.uuid4()))
    client.delete_case(rid)
    assert client.get_case(rid)["enabled"] is False


def test_create_without_id_returns_the_record(client: PrimeroClient) -> None:
    result = client.create_case({"module_id": CP, "age": 9})
    assert result.created
    assert result.record is not None
    assert result.record["age"] == 9
    assert result.record["status"] == "open"
    assert result.record["workflow"] == "new"


def test_writes_refuse_misuse(client: PrimeroClient) -> None:
    with pytest.raises(ValueError, match="module_id"):
        client.create_case({"age": 3})
    with pytest.raises(ValueError, match="computed"):
        client.create_case({"module_id": CP, "workflow": "new"})
    with pytest.raises(ValueError, match="update"):
        client.update_case(str(uuid.uuid4()), {"case_id": "x"})
    with pytest.raises(ValueError, match="UUID"):
        client.get_case("../users/1")


def test_validation_error_from_server(client: PrimeroClient) -> None:
    with pytest.raises(PrimeroValidationError) as info:
        client.create_case({"module_id": CP, "sex": "unknown_option", "age": "12"})
    assert set(info.value.pointers) == {"/sex", "/age"}


def test_referral_refused_locally_without_consent(
    fake: FakePrimero, client: PrimeroClient
) -> None:
    rid = str(uuid.uuid4())
    fake.add_case({"id": rid, "module_id": CP, "consent_for_services": True})
    with pytest.raises(PrimeroConsentError) as info:
        client.refer_case(rid, to_user="cw-receiver")
    assert info.value.missing == ("disclosure_other_orgs",)
    assert not any(r.path.endswith("/referrals") for r in fake.log)  # never sent
    transition = client.refer_case(
        rid, to_user="cw-receiver", override=ConsentOverride("imminent danger to the child")
    )
    assert transition["consent_overridden"] is True
    assert transition["status"] == "in_progress"
    assert transition["record_type"] == "case"
    assert "Consent overridden" in transition["notes"]
    with pytest.raises(ValueError, match="reason"):
        ConsentOverride("  ")


def test_transfer_needs_disclosure_only(fake: FakePrimero, client: PrimeroClient) -> None:
    rid = str(uuid.uuid4())
    fake.add_case({"id": rid, "module_id": CP, "disclosure_other_orgs": True})
    transition = client.transfer_case(rid, to_user="cw-receiver")
    assert transition["type"] == "Transfer"
    assert fake.cases[rid]["transfer_status"] == "in_progress"


def test_server_enforces_consent_too(fake: FakePrimero, client: PrimeroClient) -> None:
    """Given a (wrong) record claiming consent, the fake still refuses: 422 detail consent."""
    rid = str(uuid.uuid4())
    fake.add_case({"id": rid, "module_id": CP})
    with pytest.raises(PrimeroValidationError) as info:
        client.refer_case(
            rid,
            to_user="cw-receiver",
            record={"module_id": CP, "consent_for_services": True, "disclosure_other_orgs": True},
        )
    assert info.value.fields == ("consent",)


def test_faulty_server_is_survived(sleeps: Sleeps) -> None:
    fake = FakePrimero(faults=Faults(rate=0.5, seed=3, retry_after=0, slow=0.0))
    client = make_client(fake, sleeps, retry=RetryPolicy(max_attempts=12, backoff_base=0.001))
    ids = [str(uuid.uuid4()) for _ in range(30)]
    for rid in ids:
        client.create_case({"id": rid, "module_id": CP})
    assert sorted(fake.cases) == sorted(ids)
    assert client.stats.snapshot()["retries"] > 0
    with pytest.raises(PrimeroRateLimitError):
        make_client(
            FakePrimero(faults=Faults(rate=1.0, kinds=("429",))),
            retry=RetryPolicy(max_attempts=2, backoff_base=0.0),
        ).list_cases()


def test_retry_after_on_5xx_is_honoured_for_idempotent_calls(sleeps: Sleeps) -> None:
    handler, seen = _scripted(ApiResponse(502, {"Retry-After": "4"}, b"<html>502</html>"), OK)
    assert _client(handler, sleeps).system_version() == "2.15.2.1"
    assert sleeps.calls == [4.0]
    assert len(seen) == 2
