"""A resilient Primero v2 client: envelopes, retries, pagination, filters, cases, transitions.

The client owns configuration (base URL, auth, timeouts, retry policy, optional client-side
rate limit) and turns HTTP results into Python values or typed errors. It never logs record
data. Sending is delegated to a :class:`~cpcase.adapters.primero.transport.Transport`::

    client = PrimeroClient(base_url="https://cpims.example.org", auth=BasicAuth("svc", pw))
    for case in client.iter_cases(filters={"status": "open", "age": Range(10, 15)}):
        print(case["id"])

Retry rules (exponential backoff with full jitter, ``RetryPolicy``):

- the request never reached the server (connection refused, connect timeout): always retried;
- 429 and 503: retried on every method, waiting ``Retry-After`` when given;
- connection dropped or read timeout after sending, and 500/502/504: retried only for
  idempotent calls. GET/DELETE are idempotent; a create carrying a client ``id`` is (a replay
  answers 409, read as "exists"); a PATCH is when every subform row carries a ``unique_id``.
- 401 is never retried (and latches the auth strategy); other 4xx are never retried.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from cpcase._version import __version__
from cpcase.adapters.primero.auth import Auth
from cpcase.adapters.primero.errors import (
    PrimeroConflictError,
    PrimeroConnectError,
    PrimeroConnectionLost,
    PrimeroConsentError,
    PrimeroProtocolError,
    PrimeroReadTimeout,
    PrimeroTransportError,
    api_error_from_response,
)
from cpcase.adapters.primero.transport import ApiRequest, ApiResponse, Timeout, Transport

__all__ = [
    "CASES_PATH",
    "CP_MODULE",
    "MAX_PER",
    "SERVER_COMPUTED_FIELDS",
    "UPDATE_FORBIDDEN_FIELDS",
    "ClientStats",
    "ConsentOverride",
    "CreateResult",
    "Page",
    "PrimeroClient",
    "Range",
    "RetryPolicy",
    "UpdateResult",
    "consent_missing",
    "encode_filters",
    "is_server_computed",
    "patch_is_idempotent",
]

CASES_PATH = "/api/v2/cases"
CP_MODULE = "primeromodule-cp"
GBV_MODULE = "primeromodule-gbv"
MAX_PER = 1000


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated names (keeps long name lists compact and readable)."""
    return tuple(text.split())


# Fields Primero computes or defaults itself (API notes §1.6.8 and §7.5): never sent.
SERVER_COMPUTED_FIELDS = frozenset(
    _words(
        "workflow name short_id case_id_display unique_identifier enabled "
        "record_in_scope complete type has_case_plan has_incidents flagged flag_count "
        "alert_count case_type transfer_status not_edited_by_owner last_updated_at "
        "last_updated_by last_updated_by_full_name last_updated_organization created_by "
        "created_by_full_name created_organization created_by_groups created_by_agency "
        "reopened_logs permitted_forms permitted_form_actions"
    )
)
_COMPUTED_PREFIXES = ("owned_by_", "associated_user_", "referred_users", "transferred_to_")

# Dropped by Primero on update (UPDATE_FORBIDDEN plus the case identifiers).
UPDATE_FORBIDDEN_FIELDS = frozenset(
    {"id", "unique_identifier", "unique_id", "short_id", "created_at", "created_by"}
    | {"case_id", "case_id_display"}
)

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_server_computed(name: str) -> bool:
    """True for fields Primero computes itself (never sent by cpcase)."""
    return name in SERVER_COMPUTED_FIELDS or name.startswith(_COMPUTED_PREFIXES)


def _check_record_id(record_id: str) -> str:
    if not isinstance(record_id, str) or not _UUID_RE.match(record_id):
        raise ValueError("record id must be a lower-case UUID (Primero's data.id)")
    return record_id


# --------------------------------------------------------------------------------------------
# Filters


@attrs.frozen
class Range:
    """A ``from..to`` filter (numbers, dates or date-times), e.g. ``Range(10, 15)``."""

    start: int | dt.date | dt.datetime
    end: int | dt.date | dt.datetime


FilterValue = str | int | bool | dt.date | dt.datetime | Range | Sequence[str | int | dt.date]


def _filter_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("date-time filters must be timezone-aware")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "," in value or ".." in value:
            raise ValueError(
                "filter values cannot contain ',' or '..' (Primero list/range syntax)"
            )
        return value
    raise TypeError(f"unsupported filter value type {type(value).__name__}")


def encode_filters(filters: Mapping[str, FilterValue] | None) -> list[tuple[str, str]]:
    """Query pairs in Primero's filter syntax: lists ``a,b``, ranges ``x..y``, booleans.

    >>> encode_filters({"sex": "female", "age": Range(10, 15), "status": ["open", "closed"]})
    [('sex', 'female'), ('age', '10..15'), ('status', 'open,closed')]

    Primero silently ignores filters on fields the user may not read (and returns nothing for
    invalid values), so check results rather than trusting a filter blindly.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in (filters or {}).items():
        if not re.match(r"^[a-z][a-z0-9_:]*$", key):
            raise ValueError(f"invalid filter name {key!r}")
        if isinstance(value, Range):
            pairs.append((key, f"{_filter_scalar(value.start)}..{_filter_scalar(value.end)}"))
        elif isinstance(value, list | tuple | set | frozenset):
            items = [_filter_scalar(v) for v in value]
            if not items:
                raise ValueError(f"filter {key!r}: empty list")
            pairs.append((key, ",".join(items)))
        else:
            pairs.append((key, _filter_scalar(value)))
    return pairs


# --------------------------------------------------------------------------------------------
# Results and policies


@attrs.frozen
class Page:
    """One page of a list: records plus Primero's ``metadata`` (total, per, page)."""

    records: tuple[dict[str, Any], ...]
    total: int
    per: int
    page: int

    @property
    def is_last(self) -> bool:
        """True when no further page holds records (``page * per >= total``)."""
        return not self.records or self.page * self.per >= self.total


@attrs.frozen
class CreateResult:
    """Outcome of a create: ``created`` False means the id already existed (HTTP 409)."""

    id: str
    created: bool
    record: dict[str, Any] | None = None


@attrs.frozen
class UpdateResult:
    """Outcome of a PATCH: the changed fields Primero echoed back, and the sent top-level
    fields it did not echo (changed fields are always echoed, so these were silently dropped
    when the sent value differed from the stored one)."""

    record: dict[str, Any]
    unechoed: tuple[str, ...]


@attrs.frozen
class ConsentOverride:
    """An explicit, justified override of missing consent for a referral or transfer.

    The reason is written into the transition notes so the decision is auditable in Primero.
    """

    reason: str = attrs.field()

    @reason.validator
    def _check(self, _attr: object, value: str) -> None:
        if not value or not value.strip():
            raise ValueError("a consent override needs a reason")


@attrs.frozen
class RetryPolicy:
    """Retries with exponential backoff and full jitter.

    Attempt ``n`` (1-based) waits ``uniform(0, min(backoff_max, backoff_base * 2**(n-1)))``
    unless the server sent ``Retry-After``; a ``Retry-After`` above ``retry_after_max`` is not
    waited for (the error is raised).
    """

    max_attempts: int = 6
    backoff_base: float = 0.2
    backoff_max: float = 10.0
    retry_after_max: float = 120.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        cap = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt - 1)))
        return rng.uniform(0.0, cap)


class ClientStats:
    """Thread-safe counters: requests sent, retries, responses by status, transport errors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.transport_errors = 0
        self.statuses: Counter[int] = Counter()

    def _add(
        self,
        *,
        request: bool = False,
        retry: bool = False,
        status: int | None = None,
        transport_error: bool = False,
    ) -> None:
        with self._lock:
            self.requests += int(request)
            self.retries += int(retry)
            self.transport_errors += int(transport_error)
            if status is not None:
                self.statuses[status] += 1

    def snapshot(self) -> dict[str, Any]:
        """A plain-dict copy (for reports and benchmarks)."""
        with self._lock:
            return {
                "requests": self.requests,
                "retries": self.retries,
                "transport_errors": self.transport_errors,
                "statuses": dict(self.statuses),
            }


class _RateLimiter:
    """Spaces request starts at least ``1/rate`` seconds apart across all threads."""

    def __init__(self, rate: float, sleep: Callable[[float], None]) -> None:
        if rate <= 0:
            raise ValueError("rate limit must be positive")
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def acquire(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


def patch_is_idempotent(changes: Mapping[str, Any]) -> bool:
    """True when replaying ``changes`` cannot append duplicates: every subform row (any list of
    objects) carries a ``unique_id``."""
    for value in changes.values():
        if isinstance(value, list) and any(
            isinstance(row, Mapping) and not row.get("unique_id") for row in value
        ):
            return False
    return True


def consent_missing(record: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    """Consent fields that must be true, and are not, for a ``"referral"`` or ``"transfer"``.

    Mirrors Primero's server rule (``Transition#consent_given?``): CP referrals need
    ``disclosure_other_orgs`` and ``consent_for_services``, CP transfers
    ``disclosure_other_orgs``; GBV needs ``consent_for_services`` for both.
    """
    if kind not in ("referral", "transfer"):
        raise ValueError("kind must be 'referral' or 'transfer'")
    if record.get("module_id") == GBV_MODULE:
        needed: tuple[str, ...] = ("consent_for_services",)
    elif kind == "referral":
        needed = ("disclosure_other_orgs", "consent_for_services")
    else:
        needed = ("disclosure_other_orgs",)
    return tuple(name for name in needed if record.get(name) is not True)


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


# --------------------------------------------------------------------------------------------
# The client


class PrimeroClient:
    """A Primero v2 API client (thread-safe: share one instance between worker threads).

    ``timeout`` is ``(connect, read)`` seconds and applies to every call. ``rate_limit`` (requests
    per second, optional) keeps a client under a server's 429 threshold. ``sleep`` and ``seed``
    make retry timing reproducible in tests.
    """

    def __init__(
        self,
        *,
        base_url: str,
        auth: Auth,
        transport: Transport | None = None,
        timeout: Timeout = (5.0, 30.0),
        retry: RetryPolicy | None = None,
        rate_limit: float | None = None,
        module_id: str = CP_MODULE,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ) -> None:
        if not re.match(r"^https?://[^/?#]+(/[^?#]*)?$", base_url):
            raise ValueError("base_url must be an http(s) URL without query or fragment")
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        if transport is None:
            from cpcase.adapters.primero.transport import RequestsTransport

            transport = RequestsTransport()
        self.transport = transport
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.module_id = module_id
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = random.Random(seed)  # noqa: S311 - jitter, not cryptography
        self._rng_lock = threading.Lock()
        self._limiter = _RateLimiter(rate_limit, sleep) if rate_limit else None

    def __repr__(self) -> str:
        return f"PrimeroClient(base_url={self.base_url!r}, auth={self.auth!r})"

    def close(self) -> None:
        """Release pooled connections."""
        self.transport.close()

    def __enter__(self) -> PrimeroClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ------------------------------------------------------------------------

    def _send(self, request: ApiRequest) -> ApiResponse:
        """Run the auth flow for one logical request (login, replay) and return the response."""
        flow = self.auth.auth_flow(request)
        try:
            outgoing = next(flow)
            while True:
                if self._limiter is not None:
                    self._limiter.acquire()
                self.stats._add(request=True)
                response = self.transport.send(outgoing)
                self.stats._add(status=response.status)
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    return response
        finally:
            flow.close()

    def _delay(self, attempt: int) -> float:
        with self._rng_lock:
            return self.retry.backoff(attempt, self._rng)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Any = None,
        idempotent: bool | None = None,
    ) -> ApiResponse:
        """Send one API call with retries; return the 2xx response or raise a typed error.

        ``body`` is wrapped by the caller (Primero wants ``{"data": ...}``) and JSON-encoded
        here. ``idempotent`` defaults to True for GET/HEAD/PUT/DELETE.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        headers = [("Accept", "application/json"), ("User-Agent", f"cpcase/{__version__}")]
        payload = None
        if body is not None:
            payload = json.dumps(
                body, ensure_ascii=False, separators=(",", ":"), default=_json_default
            ).encode("utf-8")
            headers.append(("Content-Type", "application/json"))
        request = ApiRequest(
            method,
            self.base_url + path,
            params=tuple(params),
            headers=tuple(headers),
            body=payload,
            timeout=self.timeout,
        )
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.max_attempts
            try:
                response = self._send(request)
            except PrimeroTransportError as exc:
                self.stats._add(transport_error=True)
                safe = isinstance(exc, PrimeroConnectError) or (
                    idempotent
                    and isinstance(
                        exc, PrimeroConnectionLost | PrimeroReadTimeout | PrimeroProtocolError
                    )
                )
                if last or not safe:
                    raise
                self.stats._add(retry=True)
                self._sleep(self._delay(attempt))
                continue
            if 200 <= response.status < 300:
                return response
            if 300 <= response.status < 400:
                raise PrimeroProtocolError(
                    f"{method} {request.path}: unexpected redirect (HTTP {response.status}); "
                    "check the base URL (https?)",
                    request_sent=True,
                )
            error = api_error_from_response(
                response.status,
                response.body,
                response.header("Retry-After"),
                method=method,
                path=request.path,
            )
            retryable = response.status in (429, 503) or (
                idempotent and response.status in (500, 502, 504)
            )
            if last or not retryable:
                raise error
            wait = error.retry_after
            if wait is None:
                wait = self._delay(attempt)
            elif wait > self.retry.retry_after_max:
                raise error
            self.stats._add(retry=True)
            self._sleep(wait)

    def _data(self, response: ApiResponse) -> Any:
        payload = response.json()
        if not isinstance(payload, Mapping) or "data" not in payload:
            raise PrimeroProtocolError("response has no 'data' envelope", request_sent=True)
        return payload["data"]

    # -- metadata ---------------------------------------------------------------------------

    def contact_information(self) -> dict[str, Any]:
        """``GET /api/v2/contact_information`` (authenticated); holds ``system_version``."""
        data = self._data(self.request("GET", "/api/v2/contact_information"))
        if not isinstance(data, dict):
            raise PrimeroProtocolError("contact_information: 'data' is not an object")
        return data

    def system_version(self) -> str:
        """The server's Primero version string, e.g. ``"2.15.2.1"``."""
        return str(self.contact_information().get("system_version") or "")

    def get_forms(
        self, *, record_type: str = "case", module_id: str | None = None
    ) -> list[dict[str, Any]]:
        """``GET /api/v2/forms`` for a record type and module (not paginated)."""
        params = [("record_type", record_type), ("module_id", module_id or self.module_id)]
        data = self._data(self.request("GET", "/api/v2/forms", params=params))
        if not isinstance(data, list):
            raise PrimeroProtocolError("forms: 'data' is not a list")
        return data

    def iter_lookups(self, *, per: int = MAX_PER) -> Iterator[dict[str, Any]]:
        """Every lookup (``GET /api/v2/lookups``, paginated)."""
        yield from self._iterate("/api/v2/lookups", per=per, params=[])

    def find_user(self, user_name: str) -> dict[str, Any] | None:
        """The user record with this ``user_name`` (needs permission to list users)."""
        params = [("user_name", user_name), ("per", "10")]
        data = self._data(self.request("GET", "/api/v2/users", params=params))
        for user in data if isinstance(data, list) else []:
            if isinstance(user, dict) and user.get("user_name") == user_name:
                return user
        return None

    def get_user(self, user_id: int | str, *, extended: bool = True) -> dict[str, Any]:
        """``GET /api/v2/users/:id`` (``extended`` adds ``permitted_form``: form -> r|rw)."""
        if not re.match(r"^\d+$", str(user_id)):
            raise ValueError("user id must be numeric")
        params = [("extended", "true")] if extended else []
        data = self._data(self.request("GET", f"/api/v2/users/{user_id}", params=params))
        if not isinstance(data, dict):
            raise PrimeroProtocolError("user: 'data' is not an object")
        return data

    # -- listing ----------------------------------------------------------------------------

    def _page(self, path: str, *, page: int, per: int, params: Sequence[tuple[str, str]]) -> Page:
        if not 1 <= per <= MAX_PER:
            raise ValueError(f"per must be between 1 and {MAX_PER}")
        if page < 1:
            raise ValueError("page starts at 1")
        query = [*params, ("page", str(page)), ("per", str(per))]
        payload = self.request("GET", path, params=query).json()
        if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
            raise PrimeroProtocolError(f"GET {path}: list response without a 'data' array")
        meta = payload.get("metadata") or {}
        records = tuple(r for r in payload["data"] if isinstance(r, dict))
        return Page(
            records=records,
            total=int(meta.get("total", len(records))),
            per=int(meta.get("per", per)),
            page=int(meta.get("page", page)),
        )

    def _iterate(
        self, path: str, *, per: int, params: Sequence[tuple[str, str]]
    ) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            result = self._page(path, page=page, per=per, params=params)
            yield from result.records
            if result.is_last:
                return
            page += 1

    def list_cases(
        self,
        *,
        page: int = 1,
        per: int = 100,
        filters: Mapping[str, FilterValue] | None = None,
        fields: Sequence[str] | str | None = None,
        order_by: str | None = None,
        order: str | None = None,
    ) -> Page:
        """One page of cases (``per`` <= 1000)."""
        return self._page(
            CASES_PATH,
            page=page,
            per=per,
            params=self._list_params(filters, fields, order_by, order),
        )

    def iter_cases(
        self,
        *,
        per: int = MAX_PER,
        filters: Mapping[str, FilterValue] | None = None,
        fields: Sequence[str] | str | None = None,
        order_by: str | None = "created_at",
        order: str | None = "asc",
    ) -> Iterator[dict[str, Any]]:
        """Every case matching ``filters``, page after page (``per`` <= 1000).

        The API adds no default filters: closed and disabled cases are included unless
        filtered out (``filters={"status": "open", "record_state": True}``).
        """
        yield from self._iterate(
            CASES_PATH, per=per, params=self._list_params(filters, fields, order_by, order)
        )

    @staticmethod
    def _list_params(
        filters: Mapping[str, FilterValue] | None,
        fields: Sequence[str] | str | None,
        order_by: str | None,
        order: str | None,
    ) -> list[tuple[str, str]]:
        params = encode_filters(filters)
        if fields:
            params.append(("fields", fields if isinstance(fields, str) else ",".join(fields)))
        if order_by:
            params.append(("order_by", order_by))
        if order:
            if order not in ("asc", "desc"):
                raise ValueError("order must be 'asc' or 'desc'")
            params.append(("order", order))
        return params

    # -- single cases -------------------------------------------------------------------------

    def get_case(self, record_id: str, *, fields: Sequence[str] | None = None) -> dict[str, Any]:
        """``GET /api/v2/cases/:id`` (404 raises :class:`PrimeroNotFoundError`)."""
        params = [("fields", ",".join(fields))] if fields else []
        data = self._data(
            self.request("GET", f"{CASES_PATH}/{_check_record_id(record_id)}", params=params)
        )
        if not isinstance(data, dict):
            raise PrimeroProtocolError("case: 'data' is not an object")
        return data

    @staticmethod
    def _check_writable(data: Mapping[str, Any], *, update: bool) -> None:
        computed = sorted(k for k in data if is_server_computed(k))
        if computed:
            raise ValueError("never send server-computed fields: " + ", ".join(computed))
        if update:
            forbidden = sorted(k for k in data if k in UPDATE_FORBIDDEN_FIELDS)
            if forbidden:
                raise ValueError("Primero drops these fields on update: " + ", ".join(forbidden))

    def create_case(self, data: Mapping[str, Any], *, exists_ok: bool = True) -> CreateResult:
        """``POST /api/v2/cases``.

        With a client ``data.id`` Primero answers 204 with no body, and a replay answers 409:
        returned as ``created=False`` when ``exists_ok`` (so the call is safely retried).
        ``module_id`` is required: without it Primero drops almost every field.
        """
        if not data.get("module_id"):
            raise ValueError("module_id is required on create (else Primero drops the fields)")
        self._check_writable(data, update=False)
        client_id = data.get("id")
        if client_id is not None:
            _check_record_id(str(client_id))
        try:
            response = self.request(
                "POST", CASES_PATH, body={"data": dict(data)}, idempotent=client_id is not None
            )
        except PrimeroConflictError:
            if exists_ok and client_id is not None:
                return CreateResult(id=str(client_id), created=False)
            raise
        if response.status == 204 or not response.body:
            if client_id is None:
                raise PrimeroProtocolError(
                    "create without id returned no record", request_sent=True
                )
            return CreateResult(id=str(client_id), created=True)
        record = self._data(response)
        if not isinstance(record, dict) or not record.get("id"):
            raise PrimeroProtocolError("create: response record has no id", request_sent=True)
        return CreateResult(id=str(record["id"]), created=True, record=record)

    def update_case(
        self,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        record_action: str | None = None,
    ) -> UpdateResult:
        """``PATCH /api/v2/cases/:id`` with the changed fields only.

        Subform arrays merge by ``unique_id``: rows with an unknown ``unique_id`` are appended,
        ``{"unique_id": ..., "_destroy": true}`` removes a row; scalars and plain arrays are
        replaced.
        """
        self._check_writable(changes, update=True)
        body: dict[str, Any] = {"data": dict(changes)}
        if record_action:
            body["record_action"] = record_action
        response = self.request(
            "PATCH",
            f"{CASES_PATH}/{_check_record_id(record_id)}",
            body=body,
            idempotent=patch_is_idempotent(changes),
        )
        record = self._data(response) if response.body else {}
        if not isinstance(record, dict):
            raise PrimeroProtocolError("update: 'data' is not an object", request_sent=True)
        unechoed = tuple(sorted(k for k in changes if k not in record))
        return UpdateResult(record=record, unechoed=unechoed)

    def delete_case(self, record_id: str) -> None:
        """``DELETE /api/v2/cases/:id``: a soft delete (``record_state`` becomes false)."""
        self.request("DELETE", f"{CASES_PATH}/{_check_record_id(record_id)}")

    # -- transitions --------------------------------------------------------------------------

    def _transition(
        self,
        kind: str,
        record_id: str,
        body: dict[str, Any],
        *,
        override: ConsentOverride | None,
        record: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        _check_record_id(record_id)
        if record is None:
            record = self.get_case(
                record_id, fields=["module_id", "consent_for_services", "disclosure_other_orgs"]
            )
        missing = consent_missing(record, kind)
        if missing and override is None:
            raise PrimeroConsentError(
                f"{kind} of case {record_id} refused locally: "
                f"{', '.join(missing)} not true (give an override with a reason)",
                missing=missing,
            )
        if missing and override is not None:
            body["consent_overridden"] = True
            note = f"Consent overridden: {override.reason.strip()}"
            body["notes"] = f"{body['notes']}\n{note}" if body.get("notes") else note
        path = f"{CASES_PATH}/{record_id}/{kind}s"
        data = self._data(self.request("POST", path, body={"data": body}, idempotent=False))
        if not isinstance(data, dict):
            raise PrimeroProtocolError(f"{kind}: 'data' is not an object", request_sent=True)
        return data

    def refer_case(
        self,
        record_id: str,
        *,
        to_user: str | None = None,
        to_agency: str | None = None,
        remote: bool = False,
        service: str | None = None,
        service_record_id: str | None = None,
        notes: str | None = None,
        override: ConsentOverride | None = None,
        record: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v2/cases/:id/referrals``, refused locally without consent.

        CP referrals need ``consent_for_services`` and ``disclosure_other_orgs`` true, unless
        ``override`` gives a reason (sent as ``consent_overridden`` plus a note). ``record``
        (with ``module_id`` and the consent fields) saves a GET.
        """
        if not remote and not to_user:
            raise ValueError("a referral needs to_user unless remote=True")
        body: dict[str, Any] = {"transitioned_to": to_user} if to_user else {}
        body.update(
            {
                k: v
                for k, v in {
                    "transitioned_to_agency": to_agency,
                    "service": service,
                    "service_record_id": service_record_id,
                    "notes": notes,
                }.items()
                if v is not None
            }
        )
        if remote:
            body["remote"] = True
        return self._transition("referral", record_id, body, override=override, record=record)

    def transfer_case(
        self,
        record_id: str,
        *,
        to_user: str | None = None,
        to_agency: str | None = None,
        remote: bool = False,
        notes: str | None = None,
        override: ConsentOverride | None = None,
        record: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v2/cases/:id/transfers``; CP transfers need ``disclosure_other_orgs``."""
        if not remote and not to_user:
            raise ValueError("a transfer needs to_user unless remote=True")
        body: dict[str, Any] = {"transitioned_to": to_user} if to_user else {}
        if to_agency:
            body["transitioned_to_agency"] = to_agency
        if notes:
            body["notes"] = notes
        if remote:
            body["remote"] = True
        return self._transition("transfer", record_id, body, override=override, record=record)
