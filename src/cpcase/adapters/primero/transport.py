"""Transports: how a request reaches a Primero server (httpx-style layering).

:class:`PrimeroClient <cpcase.adapters.primero.client.PrimeroClient>` builds plain
:class:`ApiRequest` values and hands them to a :class:`Transport`, which returns an
:class:`ApiResponse` or raises a :class:`~cpcase.adapters.primero.errors.PrimeroTransportError`.

- :class:`RequestsTransport` is the real one and **the only module importing requests**: one
  pooled ``requests.Session``, a timeout on every call, and every ``requests`` exception mapped
  to a typed error in one place (:func:`map_requests_exception`).
- :class:`MockTransport` calls a plain function ``ApiRequest -> ApiResponse``, so tests need no
  network; :class:`cpcase.adapters.primero.fake.FakePrimero` is such a function.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlencode, urlsplit

import attrs
import requests
import requests.adapters
import urllib3.exceptions

from cpcase.adapters.primero.errors import (
    PrimeroConnectError,
    PrimeroConnectionLost,
    PrimeroConnectTimeout,
    PrimeroInvalidRequestError,
    PrimeroProtocolError,
    PrimeroReadTimeout,
    PrimeroTimeoutError,
    PrimeroTLSError,
    PrimeroTransportError,
)

__all__ = [
    "REQUESTS_EXCEPTION_MAP",
    "ApiRequest",
    "ApiResponse",
    "Handler",
    "MockTransport",
    "RequestsTransport",
    "Timeout",
    "Transport",
    "map_requests_exception",
]

# (connect, read) seconds, as requests takes them.
Timeout = tuple[float, float]


def _freeze_pairs(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple((str(k), str(v)) for k, v in items)


@attrs.frozen
class ApiRequest:
    """One HTTP request, as plain data.

    ``url`` is absolute without the query string; ``params`` are the query pairs in order;
    ``body`` is the encoded JSON body (or ``None``). ``timeout`` is ``(connect, read)`` seconds.
    The ``Authorization`` header is hidden from ``repr``.
    """

    method: str
    url: str
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_freeze_pairs)
    headers: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_freeze_pairs, repr=False
    )
    body: bytes | None = attrs.field(default=None, repr=False)
    timeout: Timeout = (5.0, 30.0)

    @property
    def path(self) -> str:
        """The URL path (``/api/v2/cases``)."""
        return urlsplit(self.url).path

    @property
    def target(self) -> str:
        """Path plus encoded query string, as sent on the request line."""
        return self.path + ("?" + urlencode(self.params) if self.params else "")

    def param(self, name: str) -> str | None:
        """The last value of query parameter ``name``."""
        found = None
        for key, value in self.params:
            if key == name:
                found = value
        return found

    def header(self, name: str) -> str | None:
        """Header value by case-insensitive name."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def with_header(self, name: str, value: str) -> ApiRequest:
        """A copy with header ``name`` set (replacing any previous value)."""
        lname = name.lower()
        kept = tuple((k, v) for k, v in self.headers if k.lower() != lname)
        return attrs.evolve(self, headers=(*kept, (name, value)))

    def json(self) -> Any:
        """The decoded JSON body (``None`` without a body)."""
        return None if self.body is None else json.loads(self.body)


@attrs.frozen
class ApiResponse:
    """One HTTP response, as plain data (headers keep their order; lookups ignore case)."""

    status: int
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_freeze_pairs)
    body: bytes = attrs.field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        """Header value by case-insensitive name."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def json(self) -> Any:
        """The decoded JSON body; :class:`PrimeroProtocolError` when it is not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise PrimeroProtocolError(
                f"HTTP {self.status}: response body is not JSON", request_sent=True
            ) from exc

    @classmethod
    def from_json(
        cls, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> ApiResponse:
        """A JSON response (for handlers and fakes)."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status=status, headers=hdrs, body=body)


@runtime_checkable
class Transport(Protocol):
    """Sends one request; returns the response or raises a ``PrimeroTransportError``."""

    def send(self, request: ApiRequest) -> ApiResponse:
        """Send ``request`` and return the response (any status)."""

    def close(self) -> None:
        """Release pooled connections."""


Handler = Callable[[ApiRequest], ApiResponse]


class MockTransport:
    """A transport that calls ``handler(request)``; the handler may raise transport errors.

    >>> t = MockTransport(lambda req: ApiResponse.from_json(200, {"data": {"ok": True}}))
    >>> t.send(ApiRequest("GET", "https://primero.test/api/v2/primero")).json()
    {'data': {'ok': True}}
    """

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def send(self, request: ApiRequest) -> ApiResponse:
        """Call the handler."""
        return self.handler(request)

    def close(self) -> None:
        """Nothing to release."""


# --------------------------------------------------------------------------------------------
# requests: the one place its exceptions are translated.

# Most specific first is not needed: the lookup walks each exception's MRO.
REQUESTS_EXCEPTION_MAP: dict[type[BaseException], type[PrimeroTransportError]] = {
    requests.exceptions.RequestException: PrimeroTransportError,
    requests.exceptions.InvalidJSONError: PrimeroInvalidRequestError,
    requests.exceptions.JSONDecodeError: PrimeroProtocolError,
    requests.exceptions.HTTPError: PrimeroProtocolError,
    requests.exceptions.ConnectionError: PrimeroConnectionLost,
    requests.exceptions.ProxyError: PrimeroConnectError,
    requests.exceptions.SSLError: PrimeroTLSError,
    requests.exceptions.Timeout: PrimeroTimeoutError,
    requests.exceptions.ConnectTimeout: PrimeroConnectTimeout,
    requests.exceptions.ReadTimeout: PrimeroReadTimeout,
    requests.exceptions.URLRequired: PrimeroInvalidRequestError,
    requests.exceptions.TooManyRedirects: PrimeroProtocolError,
    requests.exceptions.MissingSchema: PrimeroInvalidRequestError,
    requests.exceptions.InvalidSchema: PrimeroInvalidRequestError,
    requests.exceptions.InvalidURL: PrimeroInvalidRequestError,
    requests.exceptions.InvalidHeader: PrimeroInvalidRequestError,
    requests.exceptions.InvalidProxyURL: PrimeroInvalidRequestError,
    requests.exceptions.ChunkedEncodingError: PrimeroProtocolError,
    requests.exceptions.ContentDecodingError: PrimeroProtocolError,
    requests.exceptions.StreamConsumedError: PrimeroInvalidRequestError,
    requests.exceptions.RetryError: PrimeroConnectionLost,
    requests.exceptions.UnrewindableBodyError: PrimeroInvalidRequestError,
}


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when urllib3 failed before sending anything (refused, DNS, unreachable)."""
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
    )


def map_requests_exception(exc: requests.exceptions.RequestException) -> PrimeroTransportError:
    """The typed error for a ``requests`` exception (most specific class wins).

    The message names the exception class only: ``requests`` messages can include the URL and
    its query string.
    """
    target: type[PrimeroTransportError] = PrimeroTransportError
    for klass in type(exc).__mro__:
        if klass in REQUESTS_EXCEPTION_MAP:
            target = REQUESTS_EXCEPTION_MAP[klass]
            break
    if (
        target is PrimeroConnectionLost
        and isinstance(exc, requests.exceptions.ConnectionError)
        and _never_connected(exc)
    ):
        target = PrimeroConnectError
    return target(f"{target.message} ({type(exc).__name__})")


def _keep_authorization(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """A no-op auth: its presence stops requests from applying ``.netrc`` credentials."""
    return request


class RequestsTransport:
    """The real transport: a pooled ``requests.Session`` shared by all threads.

    ``pool_maxsize`` should be at least the number of worker threads so each keeps its
    keep-alive connection. ``verify`` is passed to requests (a CA bundle path or ``True``).
    Proxy and CA-bundle environment variables are honoured; ``.netrc`` credentials never
    replace the client's own ``Authorization`` header.
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        pool_maxsize: int = 16,
        verify: bool | str = True,
    ) -> None:
        self._session = session or requests.Session()
        if session is None:
            adapter = requests.adapters.HTTPAdapter(
                pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0
            )
            self._session.mount("https://", adapter)
            self._session.mount("http://", adapter)
        self._verify = verify
        self._lock = threading.Lock()

    def send(self, request: ApiRequest) -> ApiResponse:
        """Send ``request`` with its timeout; map any requests exception to a typed error."""
        try:
            resp = self._session.request(
                request.method,
                request.url,
                params=list(request.params) or None,
                data=request.body,
                headers=dict(request.headers),
                timeout=request.timeout,
                allow_redirects=False,
                verify=self._verify,
                auth=_keep_authorization,
            )
            body = resp.content
        except requests.exceptions.RequestException as exc:
            raise map_requests_exception(exc) from exc
        return ApiResponse(status=resp.status_code, headers=list(resp.headers.items()), body=body)

    def close(self) -> None:
        """Close pooled connections."""
        with self._lock:
            self._session.close()
