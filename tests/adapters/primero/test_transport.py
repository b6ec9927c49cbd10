"""RequestsTransport: every requests exception is mapped; real loopback sockets work."""

from __future__ import annotations

import inspect
import socket

import pytest
import requests
import requests.adapters
import urllib3.exceptions

from cpcase.adapters.primero import (
    ApiRequest,
    ApiResponse,
    BasicAuth,
    FakePrimero,
    FakePrimeroServer,
    Faults,
    MockTransport,
    PrimeroClient,
    PrimeroConnectError,
    PrimeroConnectionLost,
    PrimeroTransportError,
    RequestsTransport,
    Transport,
)
from cpcase.adapters.primero.transport import REQUESTS_EXCEPTION_MAP, map_requests_exception


def _requests_exceptions() -> list[type[requests.exceptions.RequestException]]:
    return [
        obj
        for obj in vars(requests.exceptions).values()
        if inspect.isclass(obj) and issubclass(obj, requests.exceptions.RequestException)
    ]


def test_all_requests_exceptions_mapped() -> None:
    """Like httpx's test_httpcore_all_exceptions_mapped: a new requests exception fails here."""
    unmapped = [
        exc.__name__ for exc in _requests_exceptions() if exc not in REQUESTS_EXCEPTION_MAP
    ]
    assert unmapped == []


class _Raising(requests.adapters.BaseAdapter):
    """A requests adapter that raises a given exception for every request."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        raise self.exc

    def close(self) -> None:
        pass


@pytest.mark.parametrize("exc_class", _requests_exceptions(), ids=lambda c: c.__name__)
def test_each_exception_becomes_its_typed_error(exc_class: type[Exception]) -> None:
    message = "boom http://x/?secret=1"
    if issubclass(exc_class, requests.exceptions.JSONDecodeError):
        exc = exc_class(message, "doc", 0)
    else:
        exc = exc_class(message)
    session = requests.Session()
    session.mount("http://", _Raising(exc))
    transport = RequestsTransport(session=session)
    with pytest.raises(PrimeroTransportError) as info:
        transport.send(ApiRequest("GET", "http://primero.test/api/v2/cases"))
    assert type(info.value) is REQUESTS_EXCEPTION_MAP[exc_class]
    assert isinstance(info.value.__cause__, exc_class)
    assert "secret" not in str(info.value)  # requests messages may carry URLs: not repeated


def test_most_specific_mapping_wins() -> None:
    """ConnectTimeout is both a ConnectionError and a Timeout: it maps to connect-timeout."""
    from cpcase.adapters.primero import PrimeroConnectTimeout

    err = map_requests_exception(requests.exceptions.ConnectTimeout("t"))
    assert type(err) is PrimeroConnectTimeout
    assert err.request_sent is False


def test_refused_connection_is_known_unsent() -> None:
    reason = urllib3.exceptions.NewConnectionError(None, "refused")  # type: ignore[arg-type]
    wrapped = urllib3.exceptions.MaxRetryError(None, "/x", reason)  # type: ignore[arg-type]
    err = map_requests_exception(requests.exceptions.ConnectionError(wrapped))
    assert type(err) is PrimeroConnectError
    assert err.request_sent is False
    aborted = map_requests_exception(requests.exceptions.ConnectionError("Connection aborted."))
    assert type(aborted) is PrimeroConnectionLost
    assert aborted.request_sent is None


def test_real_refused_port() -> None:
    """Nothing listens on a just-closed port: a real connect error, marked unsent."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = RequestsTransport()
    with pytest.raises(PrimeroConnectError):
        transport.send(
            ApiRequest("GET", f"http://127.0.0.1:{port}/api/v2/primero", timeout=(1, 1))
        )


def test_loopback_round_trip_and_protocol(server: FakePrimeroServer) -> None:
    transport = RequestsTransport()
    assert isinstance(transport, Transport)
    assert isinstance(MockTransport(lambda r: ApiResponse(200)), Transport)
    resp = transport.send(ApiRequest("GET", server.url + "/api/v2/primero"))
    assert resp.status == 200
    assert resp.json()["data"]["config_ui"] == "full"
    assert (
        resp.header(
            "content-type",
        )
        is not None
    )
    transport.close()


def test_dropped_connection_over_http_is_connection_lost() -> None:
    fake = FakePrimero(faults=Faults(rate=1.0, kinds=("drop",), paths=("/api/v2/cases",)))
    with FakePrimeroServer(fake) as srv:
        client = PrimeroClient(
            base_url=srv.url, auth=BasicAuth(*fake.credentials), sleep=lambda s: None
        )
        from cpcase.adapters.primero import RetryPolicy

        client.retry = RetryPolicy(max_attempts=2, backoff_base=0.0)
        with pytest.raises(PrimeroConnectionLost):
            client.list_cases()
        assert fake.counters["fault_drop"] == 2  # retried once (GET is idempotent), then gave up


def test_request_repr_hides_credentials() -> None:
    req = ApiRequest("GET", "http://x/api/v2/cases").with_header("Authorization", "Basic c2VjcmV0")
    assert "c2VjcmV0" not in repr(req)
    assert req.header("authorization") == "Basic c2VjcmV0"
    assert repr(BasicAuth("svc", "hunter2")).count("hunter2") == 0
