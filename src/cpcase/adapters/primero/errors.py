"""Typed errors for the Primero v2 adapter.

Every failure talking to CPIMS+/Primero becomes one of these, so callers branch on classes and
attributes, never on message text::

    PrimeroError (cpcase.errors)
    ├── PrimeroTransportError           no usable HTTP response; ``.request_sent`` (False/None)
    │   ├── PrimeroInvalidRequestError  bad URL, header or body: a local bug or bad configuration
    │   ├── PrimeroTLSError             certificate / TLS handshake failure (never retried)
    │   ├── PrimeroConnectError         the request never reached the server (safe to retry)
    │   │   └── PrimeroConnectTimeout   (also a PrimeroTimeoutError)
    │   ├── PrimeroConnectionLost       the connection dropped after the request was sent
    │   ├── PrimeroTimeoutError
    │   │   └── PrimeroReadTimeout      sent, but no answer in time
    │   └── PrimeroProtocolError        a malformed or undecodable response
    ├── PrimeroAPIError                 the server answered with an error status
    │   ├── PrimeroAuthError            401: bad or locked credentials (never retried twice)
    │   ├── PrimeroForbiddenError       403: the role may not do this
    │   ├── PrimeroNotFoundError        404
    │   ├── PrimeroConflictError        409: a record with this id already exists
    │   ├── PrimeroValidationError      422: ``.pointers`` (JSON pointers) and ``.fields``
    │   ├── PrimeroRateLimitError       429: ``.retry_after``
    │   ├── PrimeroUnavailableError     503 (configuration lock): ``.retry_after``
    │   └── PrimeroServerError          other 5xx
    ├── PrimeroConsentError             a referral/transfer refused locally (also ConsentRequired)
    ├── PrimeroSchemaError              a push refused because the server would drop data
    └── PrimeroJournalError             a push journal that cannot be used (other server, corrupt)

Messages name HTTP methods, paths, case codes, field names and JSON pointers, never a child's
name or any field value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from cpcase.errors import ConsentRequired, PrimeroError

if TYPE_CHECKING:
    from cpcase.adapters.primero.schema import SchemaReport

__all__ = [
    "ApiErrorDetail",
    "PrimeroAPIError",
    "PrimeroAuthError",
    "PrimeroConflictError",
    "PrimeroConnectError",
    "PrimeroConnectTimeout",
    "PrimeroConnectionLost",
    "PrimeroConsentError",
    "PrimeroForbiddenError",
    "PrimeroInvalidRequestError",
    "PrimeroJournalError",
    "PrimeroNotFoundError",
    "PrimeroProtocolError",
    "PrimeroRateLimitError",
    "PrimeroReadTimeout",
    "PrimeroSchemaError",
    "PrimeroServerError",
    "PrimeroTLSError",
    "PrimeroTimeoutError",
    "PrimeroTransportError",
    "PrimeroUnavailableError",
    "PrimeroValidationError",
    "api_error_from_response",
    "parse_error_body",
    "parse_retry_after",
]


# --------------------------------------------------------------------------------------------
# Transport errors (no usable HTTP response)


class PrimeroTransportError(PrimeroError):
    """No usable HTTP response was received.

    ``request_sent`` is ``False`` when the request certainly never reached the server (so even a
    non-idempotent call may be retried), ``None`` when it may have.
    """

    message = "Primero transport error"
    request_sent: bool | None = None

    def __init__(self, msg: str = "", *, request_sent: bool | None = None) -> None:
        super().__init__(msg or self.message)
        if request_sent is not None:
            self.request_sent = request_sent


class PrimeroInvalidRequestError(PrimeroTransportError, ValueError):
    """The request could not be built (bad URL, header or body): fix the configuration."""

    message = "invalid request (bad URL, header or body)"
    request_sent = False


class PrimeroTLSError(PrimeroTransportError):
    """TLS failed (certificate not trusted, handshake error); never retried."""

    message = "TLS error talking to Primero"
    request_sent = False


class PrimeroConnectError(PrimeroTransportError):
    """The connection could not be opened: the request never reached the server."""

    message = "could not connect to Primero"
    request_sent = False


class PrimeroTimeoutError(PrimeroTransportError):
    """A timeout expired."""

    message = "timed out talking to Primero"


class PrimeroConnectTimeout(PrimeroConnectError, PrimeroTimeoutError):
    """Opening the connection timed out: the request never reached the server."""

    message = "timed out connecting to Primero"
    request_sent = False


class PrimeroReadTimeout(PrimeroTimeoutError):
    """The request was sent but no response came in time; the server may have processed it."""

    message = "timed out waiting for Primero's response"


class PrimeroConnectionLost(PrimeroTransportError):
    """The connection dropped after the request was (maybe) sent."""

    message = "connection to Primero lost"


class PrimeroProtocolError(PrimeroTransportError):
    """The response could not be read or decoded."""

    message = "malformed response from Primero"


# --------------------------------------------------------------------------------------------
# API errors (the server answered with an error status)


@attrs.frozen
class ApiErrorDetail:
    """One entry of Primero's ``{"errors": [...]}`` array.

    ``status`` reads the ``status`` key, falling back to the older ``code`` key and then to the
    HTTP status. ``detail`` is a list of JSON pointers for invalid record JSON, a field name for
    model validation errors, or free text; ``message`` may be a list of messages.
    """

    status: int
    message: str
    resource: str = ""
    detail: tuple[str, ...] = ()


def _as_text_tuple(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def parse_error_body(body: bytes, http_status: int) -> tuple[tuple[ApiErrorDetail, ...], str]:
    """Parse any Primero error body into details plus one summary line.

    Handles the ``errors`` array (``status`` or ``code`` key, ``detail`` list or string,
    ``message`` string or list), the Devise 401 shape ``{"error": "..."}`` and non-JSON bodies
    such as Rack::Attack's ``Retry later``.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        payload: Any = json.loads(text) if text else None
    except ValueError:
        payload = None
    details: list[ApiErrorDetail] = []
    if isinstance(payload, Mapping):
        errors = payload.get("errors")
        if isinstance(errors, list):
            for item in errors:
                if not isinstance(item, Mapping):
                    continue
                raw_status = item.get("status", item.get("code", http_status))
                try:
                    status = int(raw_status)
                except (TypeError, ValueError):
                    status = http_status
                message = "; ".join(_as_text_tuple(item.get("message"))) or "error"
                details.append(
                    ApiErrorDetail(
                        status=status,
                        message=message,
                        resource=str(item.get("resource") or ""),
                        detail=_as_text_tuple(item.get("detail")),
                    )
                )
        elif isinstance(payload.get("error"), str):
            details.append(ApiErrorDetail(status=http_status, message=payload["error"]))
    if not details and text and payload is None:
        # Plain-text bodies (Rack::Attack "Retry later", proxies' HTML): keep a short, safe line.
        first = text.splitlines()[0][:120]
        details.append(ApiErrorDetail(status=http_status, message=first))
    summary = "; ".join(
        d.message + (f" ({', '.join(d.detail)})" if d.detail else "") for d in details
    )
    return tuple(details), summary


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    import datetime as dt

    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


class PrimeroAPIError(PrimeroError):
    """Primero answered with an error status.

    ``status`` is the HTTP status, ``errors`` the parsed :class:`ApiErrorDetail` entries,
    ``retry_after`` the seconds requested by ``Retry-After`` (429/503) or ``None``; ``method``
    and ``path`` say which call failed.
    """

    message = "Primero API error"

    def __init__(
        self,
        msg: str = "",
        *,
        status: int = 0,
        errors: tuple[ApiErrorDetail, ...] = (),
        retry_after: float | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(msg or self.message)
        self.status = status
        self.errors = errors
        self.retry_after = retry_after
        self.method = method
        self.path = path


class PrimeroAuthError(PrimeroAPIError):
    """401: credentials refused or account locked. Never retried more than once (6 failures
    lock a Primero account for 30 minutes)."""

    message = "Primero refused the credentials"


class PrimeroForbiddenError(PrimeroAPIError):
    """403: the service account's role may not do this (or a CSRF failure)."""

    message = "forbidden by Primero"


class PrimeroNotFoundError(PrimeroAPIError):
    """404: no such record or route."""

    message = "not found on Primero"


class PrimeroConflictError(PrimeroAPIError):
    """409: a record with this id already exists."""

    message = "a record with this id already exists"


class PrimeroValidationError(PrimeroAPIError):
    """422: Primero rejected the record.

    ``pointers`` holds the JSON pointers of invalid values (``"/date_of_birth"``,
    ``"/services_section/0/service_type"``) from ``Invalid Record JSON``; ``fields`` the field
    names of model validation errors (``"consent"`` for a transition refused for consent).
    """

    message = "Primero rejected the record"

    @property
    def pointers(self) -> tuple[str, ...]:
        """JSON pointers of invalid values (from ``Invalid Record JSON``)."""
        return tuple(p for e in self.errors for p in e.detail if p.startswith("/"))

    @property
    def fields(self) -> tuple[str, ...]:
        """Field names from pointers and from model validation errors."""
        names: list[str] = []
        for err in self.errors:
            for item in err.detail:
                name = item.lstrip("/").split("/")[0] if item.startswith("/") else item
                if name and " " not in name and name not in names:
                    names.append(name)
        return tuple(names)


class PrimeroRateLimitError(PrimeroAPIError):
    """429: too many requests; wait ``retry_after`` seconds."""

    message = "rate limited by Primero"


class PrimeroUnavailableError(PrimeroAPIError):
    """503: Primero is locked for a configuration update; wait ``retry_after`` seconds."""

    message = "Primero is temporarily unavailable"


class PrimeroServerError(PrimeroAPIError):
    """500/502/504...: a server or gateway failure."""

    message = "Primero server error"


_STATUS_CLASSES: dict[int, type[PrimeroAPIError]] = {
    401: PrimeroAuthError,
    403: PrimeroForbiddenError,
    404: PrimeroNotFoundError,
    409: PrimeroConflictError,
    422: PrimeroValidationError,
    429: PrimeroRateLimitError,
    503: PrimeroUnavailableError,
}


def api_error_from_response(
    status: int, body: bytes, retry_after_header: str | None, *, method: str, path: str
) -> PrimeroAPIError:
    """The typed error for an HTTP error response (status >= 400)."""
    details, summary = parse_error_body(body, status)
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = PrimeroServerError if status >= 500 else PrimeroAPIError
    retry_after = parse_retry_after(retry_after_header)
    if retry_after is None:
        # Primero's 503 also carries the delay in the detail: "Retry-After: 60".
        for d in details:
            for item in d.detail:
                if item.startswith("Retry-After:"):
                    retry_after = parse_retry_after(item.split(":", 1)[1])
    text = f"{method} {path}: HTTP {status}" + (f": {summary}" if summary else "")
    return cls(
        text, status=status, errors=details, retry_after=retry_after, method=method, path=path
    )


# --------------------------------------------------------------------------------------------
# Local refusals


class PrimeroConsentError(PrimeroError, ConsentRequired):
    """A referral or transfer refused before sending: the consent fields are not true and no
    override with a reason was given (Primero enforces the same rule server-side)."""

    message = "consent required for this transition"

    def __init__(self, msg: str = "", *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(msg or self.message)
        self.missing = missing


class PrimeroSchemaError(PrimeroError):
    """A push was refused: the server would silently drop data (see ``report``)."""

    message = "the server would drop data"

    def __init__(self, msg: str = "", *, report: SchemaReport | None = None) -> None:
        super().__init__(msg or self.message)
        self.report = report


class PrimeroJournalError(PrimeroError):
    """The push journal cannot be used (it belongs to another server or is unreadable)."""

    message = "push journal unusable"
