"""A faithful fake Primero v2 server for tests and demos (in-process or on loopback HTTP).

Written clean-room from the contract in the Primero API notes (§1, §7.6), not from Primero's
code. It reproduces the behaviours an integration must survive:

- **auth**: HTTP Basic on every endpoint; Devise-style 401 ``{"error": ...}`` bodies; account
  lock after 6 failed logins (30 minutes); ``POST /api/v2/tokens`` returns a JWT only when the
  configured version is <= 2.10 (from 2.11 it returns ``{id, user_name, group_permission}``);
  6 logins per user name per minute, then 429 ``Retry later``;
- **lists**: ``GET /api/v2/cases`` with ``page``/``per`` (default 20, capped at 1000),
  ``metadata``, comma lists, ``a..b`` ranges, ``key[0]=`` arrays, ``id`` filters, ``query``,
  ``fields=short``, ``order_by``/``order`` (default ``created_at desc``); filters on fields the
  user may not read are silently ignored; invalid filter values return nothing;
- **create**: 200 with the record, or **204 with no body** when ``data.id`` is given; **409**
  on a duplicate id; **422** ``Invalid Record JSON`` with JSON pointers; **unknown, read-only or
  wrongly shaped fields silently dropped** (strong params, then a JSON schema with
  ``additionalProperties: false``); server-assigned ``case_id``/``short_id``/
  ``case_id_display``/``status``/``record_state``/``workflow``/``registration_date``/
  ``created_*``/``owned_by*``/``last_updated_at``; without ``module_id`` almost every field
  is dropped;
- **update**: PATCH merges hashes recursively and subform rows by ``unique_id``; unknown rows
  are appended, ``_destroy`` removes; an empty array changes nothing; create-only fields are
  dropped; the response holds only the changed fields plus ``id``, ``enabled`` and
  ``last_updated_at``;
- **soft delete**, **consent-gated referrals/transfers** (422 ``detail: "consent"`` unless
  ``consent_overridden``), ``/forms``, ``/lookups``, ``/contact_information``, ``/users``;
- **faults** from a seed (:class:`Faults`): latency, 500, 502 (HTML from a "gateway"), 503 and
  429 with ``Retry-After``, dropped connections before or after processing, slow responses;
  an optional API rate limit (429) and a configuration lock (503).

Use it in-process as a transport handler::

    fake = FakePrimero()
    client = PrimeroClient(base_url="http://primero.test", auth=BasicAuth(*fake.credentials),
                           transport=MockTransport(fake))

or over real HTTP on loopback (``cpcase fake-primero --port 3000``)::

    with FakePrimeroServer(fake) as server:
        client = PrimeroClient(base_url=server.url, auth=BasicAuth(*fake.credentials))
"""

from __future__ import annotations

import base64
import contextlib
import copy
import datetime as dt
import json
import math
import random
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Final
from urllib.parse import parse_qsl, urlsplit

import attrs

from cpcase.adapters.primero.errors import PrimeroConnectionLost
from cpcase.adapters.primero.fake_config import (
    DEFAULT_FORM_PERMISSIONS,
    default_forms,
    default_lookups,
)
from cpcase.adapters.primero.transport import ApiRequest, ApiResponse

__all__ = [
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "FAULT_KINDS",
    "FakePrimero",
    "FakePrimeroServer",
    "Faults",
    "LoggedRequest",
]

DEFAULT_USER: Final = "cpcase-svc"
DEFAULT_PASSWORD: Final = "fake-primero-only"  # noqa: S105 - a fixture password for a fake
RECEIVER_USER: Final = "cw-receiver"

FAULT_KINDS: Final = ("500", "502", "503", "429", "drop", "drop_after", "slow")


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated names (keeps long name lists compact and readable)."""
    return tuple(text.split())


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT32 = (-2_147_483_648, 2_147_483_647)

_WRITABLE_TYPES = frozenset(
    _words(
        "text_field textarea radio_button tick_box select_box numeric_field date_field "
        "subform tally_field calculated audio_upload_box photo_upload_box "
        "document_upload_box signature"
    )
)
_UPLOAD_TYPES = frozenset(
    _words("audio_upload_box photo_upload_box document_upload_box signature")
)
# Core fields every writer may send (Primero's PERMITTED_CORE_FIELDS_SCHEMA).
_CORE_WRITABLE = (
    "id",
    "status",
    "state",
    "record_state",
    "case_status_reopened",
    "owned_by",
    "module_id",
    "created_at",
)
_STATUS_VALUES = ("open", "closed", "transferred", "identified")
_UPDATE_FORBIDDEN = frozenset(
    _words("id unique_identifier unique_id short_id created_at created_by case_id case_id_display")
)
# Record information readable by anyone who can read cases, plus server-kept fields.
_ALWAYS_READABLE = frozenset(
    _words(
        "alert_count assigned_user_names created_at created_by created_by_agency "
        "owned_by owned_by_agency_id owned_by_text owned_by_groups owned_by_full_name "
        "owned_by_location owned_by_user_code reopened_logs last_updated_at "
        "last_updated_by last_updated_by_full_name previously_owned_by "
        "created_organization consent_for_services disclosure_other_orgs case_type "
        "module_id status record_state workflow case_id short_id case_id_display "
        "registration_date name case_status_reopened flagged has_case_plan "
        "not_edited_by_owner associated_user_names associated_user_groups "
        "associated_user_agencies referred_users transfer_status unique_identifier "
        "hidden_name"
    )
)
_FILTERABLE_IDS = frozenset(
    _words(
        "unique_identifier short_id case_id_display case_id client_code ration_card_no "
        "icrc_ref_no rc_id_no unhcr_id_no unhcr_individual_no un_no other_agency_id "
        "survivor_code_no national_id_no other_id_no biometrics_id family_count_no "
        "dss_id camp_id tent_number nfi_distribution_id oscar_number registry_no "
        "family_number"
    )
)
_SUMMARY_FIELDS = _words(
    "created_at owned_by owned_by_agency_id photos flag_count status record_in_scope "
    "short_id alert_count case_id_display name survivor_code_no age sex "
    "registration_date hidden_name workflow case_status_reopened module_id "
    "registry_record_id client_code gender reporting_location_hierarchy "
    "location_current"
)
_LIST_CONTROL = frozenset(
    _words(
        "page per fields order order_by query id_search phonetic format total "
        "query_scope phone_number"
    )
)
_TRANSITION_KEYS = {
    "referral": frozenset(
        _words(
            "transitioned_to transitioned_to_remote transitioned_to_agency service "
            "service_record_id remote type_of_export notes consent_overridden "
            "authorized_role_unique_id allow_case_creation"
        )
    ),
    "transfer": frozenset(
        _words(
            "transitioned_to transitioned_to_remote transitioned_to_agency remote "
            "type_of_export notes consent_overridden consent_individual_transfer"
        )
    ),
}


@attrs.frozen
class Faults:
    """Seeded fault injection.

    Each request to a path starting with one of ``paths`` draws from a ``random.Random(seed)``:
    with probability ``rate`` it gets a fault of a kind drawn from ``kinds``:

    - ``"500"``/``"502"``/``"503"``/``"429"``: an error before processing, with
      ``Retry-After: retry_after`` (502 has an HTML body, as from a proxy);
    - ``"drop"``: the connection closes before the request is processed;
    - ``"drop_after"``: the request **is processed**, then the connection closes unanswered;
    - ``"slow"``: ``slow`` seconds of delay, then a normal answer.

    ``latency`` seconds are added to every request.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    latency: float = 0.0
    slow: float = 1.0
    retry_after: int = 1
    seed: int = 0
    paths: tuple[str, ...] = ("/api/v2/cases",)

    def __attrs_post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be among {', '.join(FAULT_KINDS)}")


@attrs.frozen
class LoggedRequest:
    """One request the fake saw (no bodies, no query strings: they may hold names)."""

    method: str
    path: str
    status: int | None
    fault: str | None = None


class _Drop(Exception):
    """Internal: close the connection without answering (``processed`` says whether the
    request took effect first)."""

    def __init__(self, *, processed: bool) -> None:
        super().__init__("drop")
        self.processed = processed


@attrs.frozen
class _Field:
    name: str
    type: str
    form: str
    multi: bool = False
    options: frozenset[str] | None = None
    include_time: bool = False
    subform: Mapping[str, _Field] | None = None
    tally: tuple[str, ...] = ()


def _now_iso(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakePrimero:
    """The fake server's state and request handler (thread-safe).

    Call it with an :class:`ApiRequest` (it is a ``MockTransport`` handler) or serve it over HTTP
    with :class:`FakePrimeroServer`. Inspect ``cases`` (id -> stored record), ``log`` and
    ``counters`` in tests.
    """

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        version: str = "2.15.2.1",
        forms: Sequence[Mapping[str, Any]] | None = None,
        lookups: Sequence[Mapping[str, Any]] | None = None,
        form_permissions: Mapping[str, str] | None = None,
        module_ids: Sequence[str] = ("primeromodule-cp", "primeromodule-gbv", "primeromodule-mrm"),
        bearer_tokens: Mapping[str, str] | None = None,
        faults: Faults | None = None,
        rate_limit: tuple[int, float] | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        agency_id: str = "agency-cpcase",
    ) -> None:
        self.users: dict[str, str] = dict(
            users or {DEFAULT_USER: DEFAULT_PASSWORD, RECEIVER_USER: DEFAULT_PASSWORD}
        )
        self.credentials: tuple[str, str] = next(iter(self.users.items()))
        self.version = version
        self.forms: list[dict[str, Any]] = copy.deepcopy(
            [dict(f) for f in forms] if forms is not None else default_forms()
        )
        self.lookups: list[dict[str, Any]] = copy.deepcopy(
            [dict(lk) for lk in lookups] if lookups is not None else default_lookups()
        )
        self.form_permissions = dict(
            form_permissions if form_permissions is not None else DEFAULT_FORM_PERMISSIONS
        )
        self.module_ids = tuple(module_ids)
        self.faults = faults or Faults()
        self.rate_limit = rate_limit
        self.agency_id = agency_id
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._bearer = dict(bearer_tokens or {})
        self._lock = threading.RLock()
        self._rng = random.Random(self.faults.seed)  # noqa: S311 - fault injection
        self.cases: dict[str, dict[str, Any]] = {}
        self.transitions: dict[str, list[dict[str, Any]]] = {}
        self.log: list[LoggedRequest] = []
        self.counters: Counter[str] = Counter()
        self._seq = 0
        self._order: dict[str, int] = {}
        self._failures: Counter[str] = Counter()
        self._locked_until: dict[str, dt.datetime] = {}
        self._tokens: dict[str, tuple[str, dt.datetime]] = {}
        self._logins: dict[str, deque[float]] = {}
        self._window: deque[float] = deque()
        self._config_lock: int | None = None
        self._user_ids = {name: n for n, name in enumerate(self.users, start=1)}
        self._fields = self._index_fields()

    # -- configuration --------------------------------------------------------------------

    def _lookup_values(self) -> dict[str, frozenset[str]]:
        return {
            str(lk["unique_id"]): frozenset(str(v["id"]) for v in lk.get("values") or [])
            for lk in self.lookups
        }

    def _index_fields(self) -> dict[str, dict[str, _Field]]:
        """module id -> field name -> field, for top-level (non-nested) forms."""
        lookups = self._lookup_values()
        by_id = {form["id"]: form for form in self.forms}

        def build(form: Mapping[str, Any], owner: str) -> dict[str, _Field]:
            out: dict[str, _Field] = {}
            for f in form.get("fields") or []:
                ftype = str(f.get("type"))
                options: frozenset[str] | None = None
                source = str(f.get("option_strings_source") or "")
                if source.startswith("lookup "):
                    options = lookups.get(source.split(" ", 1)[1], frozenset())
                elif f.get("option_strings_text"):
                    options = frozenset(str(o["id"]) for o in f["option_strings_text"])
                sub = None
                if ftype == "subform" and f.get("subform_section_id") in by_id:
                    sub = build(by_id[f["subform_section_id"]], owner)
                tally = tuple(str(t["id"]) for t in f.get("tally") or [])
                out[str(f["name"])] = _Field(
                    name=str(f["name"]),
                    type=ftype,
                    form=owner,
                    multi=bool(f.get("multi_select")),
                    options=options,
                    include_time=bool(f.get("date_include_time")),
                    subform=sub,
                    tally=tally,
                )
            return out

        index: dict[str, dict[str, _Field]] = {}
        for module in self.module_ids:
            fields: dict[str, _Field] = {}
            for form in self.forms:
                if form.get("is_nested") or module not in (form.get("module_ids") or []):
                    continue
                if form.get("parent_form", "case") != "case":
                    continue
                fields.update(build(form, str(form["unique_id"])))
            index[module] = fields
        return index

    def lock_for_configuration(self, retry_after: int | None = 60) -> None:
        """Answer every authenticated call with 503 + ``Retry-After`` (``None`` unlocks)."""
        with self._lock:
            self._config_lock = retry_after

    # -- public helpers for tests -----------------------------------------------------------

    def add_case(self, data: Mapping[str, Any], *, user: str | None = None) -> dict[str, Any]:
        """Create a case directly (same rules as POST); returns the stored record."""
        user = user or self.credentials[0]
        with self._lock:
            status, payload = self._create(dict(data), user, "/api/v2/cases")
        if status >= 400:
            raise ValueError(f"fake create refused: HTTP {status}: {json.dumps(payload)}")
        record_id = data.get("id") or payload["data"]["id"]
        return copy.deepcopy(self.cases[str(record_id)])

    def stored(self, record_id: str) -> dict[str, Any]:
        """A deep copy of the stored record (all fields, as the database holds them)."""
        with self._lock:
            return copy.deepcopy(self.cases[record_id])

    def records(self) -> list[dict[str, Any]]:
        """Deep copies of every stored case, in creation order."""
        with self._lock:
            ids = sorted(self.cases, key=self._order.__getitem__)
            return [copy.deepcopy(self.cases[i]) for i in ids]

    # -- entry points ----------------------------------------------------------------------

    def __call__(self, request: ApiRequest) -> ApiResponse:
        """Handle ``request`` in-process (``MockTransport`` handler); drops raise."""
        try:
            return self.respond(request)
        except _Drop as drop:
            raise PrimeroConnectionLost(
                "fake Primero dropped the connection", request_sent=True
            ) from drop

    def respond(self, request: ApiRequest) -> ApiResponse:
        """Handle ``request``; raises ``_Drop`` when the connection must close unanswered."""
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        fault = None
        if faults.rate and request.path.startswith(faults.paths):
            with self._lock:
                if self._rng.random() < faults.rate:
                    fault = self._rng.choice(faults.kinds)
        if fault is not None:
            with self._lock:
                self.counters[f"fault_{fault}"] += 1
        if fault == "slow":
            time.sleep(faults.slow)
        elif fault is not None and fault != "drop_after":
            self._record(request, None if fault == "drop" else int(fault), fault)
            return self._fault_response(fault, request)
        response = self._dispatch(request)
        self._record(request, None if fault == "drop_after" else response.status, fault)
        if fault == "drop_after":
            raise _Drop(processed=True)
        return response

    def _record(self, request: ApiRequest, status: int | None, fault: str | None) -> None:
        with self._lock:
            self.log.append(LoggedRequest(request.method, request.path, status, fault))
            self.counters["requests"] += 1

    def _fault_response(self, fault: str, request: ApiRequest) -> ApiResponse:
        path = request.path
        if fault == "drop":
            raise _Drop(processed=False)
        retry = str(self.faults.retry_after)
        if fault == "502":
            html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
            return ApiResponse(502, {"Content-Type": "text/html", "Retry-After": retry}, html)
        if fault == "500":
            return _errors(500, path, "Internal Server Error", headers={"Retry-After": retry})
        if fault == "503":
            return _errors(
                503,
                path,
                "Service Unavailable",
                detail=f"Retry-After: {retry}",
                headers={"Retry-After": retry},
            )
        return _errors(429, path, "errors.api.too_many_requests", headers={"Retry-After": retry})

    # -- dispatch --------------------------------------------------------------------------

    _ROUTES: ClassVar[tuple[tuple[str, re.Pattern[str], str], ...]] = (
        ("GET", re.compile(r"^/api/v2/primero$"), "_public"),
        ("POST", re.compile(r"^/api/v2/tokens$"), "_login"),
        ("DELETE", re.compile(r"^/api/v2/tokens$"), "_logout"),
        ("GET", re.compile(r"^/api/v2/contact_information$"), "_contact"),
        ("GET", re.compile(r"^/api/v2/forms$"), "_forms"),
        ("GET", re.compile(r"^/api/v2/lookups$"), "_lookups"),
        ("GET", re.compile(r"^/api/v2/users$"), "_users"),
        ("GET", re.compile(r"^/api/v2/users/(?P<uid>\d+)$"), "_user"),
        ("GET", re.compile(r"^/api/v2/cases$"), "_list"),
        ("POST", re.compile(r"^/api/v2/cases$"), "_post_case"),
        ("GET", re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)$"), "_get_case"),
        ("PATCH", re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)$"), "_patch_case"),
        ("DELETE", re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)$"), "_delete_case"),
        (
            "POST",
            re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)/(?P<kind>referral|transfer)s$"),
            "_post_transition",
        ),
        (
            "GET",
            re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)/(?P<kind>referral|transfer)s$"),
            "_list_transitions",
        ),
        ("GET", re.compile(r"^/api/v2/cases/(?P<rid>[^/]+)/transitions$"), "_list_transitions"),
    )

    def _dispatch(self, request: ApiRequest) -> ApiResponse:
        path = request.path
        method = request.method.upper()
        if path == "/api/v2/tokens" and method == "POST":
            limited = self._login_throttled(request)
            if limited is not None:
                return limited
        elif self.rate_limit is not None:
            limited = self._api_throttled(path)
            if limited is not None:
                return limited
        for route_method, pattern, handler in self._ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                if handler in ("_public", "_login"):
                    result: ApiResponse = getattr(self, handler)(request, **match.groupdict())
                    return result
                user = self._authenticate(request)
                if isinstance(user, ApiResponse):
                    return user
                with self._lock:
                    if self._config_lock is not None:
                        retry = str(self._config_lock)
                        return _errors(
                            503,
                            path,
                            "Service Unavailable",
                            detail=f"Retry-After: {retry}",
                            headers={"Retry-After": retry},
                        )
                    try:
                        result = getattr(self, handler)(request, user, **match.groupdict())
                    except _BadJson:
                        return _errors(400, path, "Bad Request")
                    return result
        return _errors(404, path, "Not Found", detail=f'No route matches [{method}] "{path}"')

    # -- auth ------------------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return self._clock()

    def _check_password(self, user: str, password: str) -> ApiResponse | None:
        """None when accepted; a Devise-style 401 otherwise (counts failures, locks)."""
        with self._lock:
            until = self._locked_until.get(user)
            if until is not None and self._now() < until:
                return _devise_401("Your account is locked.")
            if until is not None:
                del self._locked_until[user]
                self._failures[user] = 0
            if user in self.users and self.users[user] == password:
                self._failures[user] = 0
                return None
            self.counters["failed_logins"] += 1
            if user in self.users:
                self._failures[user] += 1
                if self._failures[user] >= 6:
                    self._locked_until[user] = self._now() + dt.timedelta(minutes=30)
                    return _devise_401("Your account is locked.")
            return _devise_401("Invalid User name or password.")

    def _authenticate(self, request: ApiRequest) -> str | ApiResponse:
        header = request.header("Authorization") or ""
        if header.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return _devise_401("Invalid User name or password.")
            refused = self._check_password(user, password)
            return refused if refused is not None else user
        if header.startswith("Bearer "):
            token = header[7:]
            with self._lock:
                if token in self._bearer:
                    return self._bearer[token]
                issued = self._tokens.get(token)
                if issued is not None and self._now() < issued[1]:
                    return issued[0]
            return _errors(401, request.path, "Signature has expired")
        return _devise_401("You need to sign in or sign up before continuing.")

    def _login_throttled(self, request: ApiRequest) -> ApiResponse | None:
        try:
            body = request.json() or {}
            name = str(body.get("user", {}).get("user_name", "")).lower()
        except (ValueError, AttributeError):
            return None
        if not name:
            return None
        now = time.monotonic()
        with self._lock:
            window = self._logins.setdefault(name, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= 6:
                self.counters["rate_limited"] += 1
                return ApiResponse(429, {"Content-Type": "text/plain"}, b"Retry later\n")
            window.append(now)
        return None

    def _api_throttled(self, path: str) -> ApiResponse | None:
        if self.rate_limit is None:
            return None
        limit, period = self.rate_limit
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= period:
                self._window.popleft()
            if len(self._window) >= limit:
                self.counters["rate_limited"] += 1
                wait = max(1, math.ceil(period - (now - self._window[0])))
                return _errors(
                    429, path, "errors.api.too_many_requests", headers={"Retry-After": str(wait)}
                )
            self._window.append(now)
        return None

    def _public(self, request: ApiRequest) -> ApiResponse:
        return ApiResponse.from_json(
            200,
            {
                "data": {
                    "sandbox_ui": False,
                    "config_ui": "full",
                    "webpush_enabled": False,
                    "agencies": [{"unique_id": self.agency_id, "name": {"en": "cpcase"}}],
                }
            },
        )

    def _legacy(self) -> bool:
        match = re.match(r"(\d+)\.(\d+)", self.version)
        if match is None:
            return False
        return (int(match.group(1)), int(match.group(2))) < (2, 11)

    def _login(self, request: ApiRequest) -> ApiResponse:
        try:
            body = request.json() or {}
            creds = body["user"]
            user, password = str(creds["user_name"]), str(creds["password"])
        except (ValueError, KeyError, TypeError):
            return _devise_401("Invalid User name or password.")
        refused = self._check_password(user, password)
        if refused is not None:
            return refused
        payload: dict[str, Any] = {
            "id": self._user_ids[user],
            "user_name": user,
            "group_permission": "all",
        }
        if not self._legacy():
            return ApiResponse.from_json(
                200, payload, {"Set-Cookie": f"_app_session={uuid.uuid4().hex}; HttpOnly"}
            )
        token = "fakejwt." + uuid.uuid4().hex
        with self._lock:
            self._tokens[token] = (user, self._now() + dt.timedelta(minutes=60))
        return ApiResponse.from_json(
            200, {**payload, "token": token}, {"Authorization": f"Bearer {token}"}
        )

    def _logout(self, request: ApiRequest, user: str) -> ApiResponse:
        token = (request.header("Authorization") or "")[7:]
        self._tokens.pop(token, None)
        return ApiResponse.from_json(200, {})

    def expire_tokens(self) -> None:
        """Expire every issued legacy token (tests of the re-login path)."""
        with self._lock:
            self._tokens.clear()

    # -- metadata --------------------------------------------------------------------------

    def _contact(self, request: ApiRequest, user: str) -> ApiResponse:
        return ApiResponse.from_json(
            200,
            {
                "data": {
                    "name": "Fake Primero",
                    "organization": "cpcase",
                    "support_forum": "https://community.primero.org/",
                    "system_version": self.version,
                }
            },
        )

    def _forms(self, request: ApiRequest, user: str) -> ApiResponse:
        record_type = request.param("record_type")
        module_id = request.param("module_id")
        forms = [
            f
            for f in self.forms
            if (record_type is None or f.get("parent_form", "case") == record_type)
            and (module_id is None or module_id in (f.get("module_ids") or []))
        ]
        return ApiResponse.from_json(200, {"data": forms})

    def _pagination(self, request: ApiRequest, default_per: int = 20) -> tuple[int, int]:
        def number(name: str, default: int) -> int:
            raw = request.param(name)
            return int(raw) if raw and re.match(r"^\d+$", raw) else default

        per = max(1, min(number("per", default_per), 1000))
        return max(1, number("page", 1)), per

    def _lookups(self, request: ApiRequest, user: str) -> ApiResponse:
        page, per = self._pagination(request)
        chunk = self.lookups[(page - 1) * per : page * per]
        return ApiResponse.from_json(
            200,
            {"data": chunk, "metadata": {"total": len(self.lookups), "per": per, "page": page}},
        )

    def _user_json(self, user: str, *, extended: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self._user_ids[user],
            "user_name": user,
            "full_name": user,
            "agency_id": 1,
            "role_unique_id": "role-cpcase-integration",
            "role_group_permission": "all",
            "module_unique_ids": ["primeromodule-cp"],
            "disabled": False,
        }
        if extended:
            data["permitted_form_unique_ids"] = sorted(self.form_permissions)
            data["permitted_form"] = dict(self.form_permissions)
            data["agency_unique_id"] = self.agency_id
        return data

    def _users(self, request: ApiRequest, user: str) -> ApiResponse:
        # Simplification: the service account sees only itself (real Primero needs the
        # "read users" permission to list users).
        wanted = request.param("user_name")
        rows = [self._user_json(user, extended=False)] if wanted in (None, user) else []
        return ApiResponse.from_json(
            200, {"data": rows, "metadata": {"total": len(rows), "per": 20, "page": 1}}
        )

    def _user(self, request: ApiRequest, user: str, uid: str) -> ApiResponse:
        if self._user_ids.get(user) != int(uid):
            return _errors(403, request.path, "Forbidden")
        extended = request.param("extended") == "true"
        return ApiResponse.from_json(200, {"data": self._user_json(user, extended=extended)})

    # -- field permissions and validation ----------------------------------------------------

    def _module_fields(self, module: object) -> dict[str, _Field]:
        return self._fields.get(str(module), {}) if module else {}

    def _writable(self, f: _Field) -> bool:
        return f.type in _WRITABLE_TYPES and self.form_permissions.get(f.form) == "rw"

    def _readable_names(self, module: object) -> set[str]:
        fields = self._module_fields(module)
        names = {n for n, f in fields.items() if f.form in self.form_permissions}
        return names | _ALWAYS_READABLE

    def _permit(self, data: Mapping[str, Any], module: object, *, update: bool) -> dict[str, Any]:
        """Strong params: keep only writable keys of the right shape (everything else is
        silently dropped, as Primero does)."""
        fields = self._module_fields(module)
        out: dict[str, Any] = {}
        for key, value in data.items():
            if update and key in _UPDATE_FORBIDDEN:
                continue
            if key in _CORE_WRITABLE:
                if _is_scalar(value):
                    out[key] = value
                continue
            f = fields.get(key)
            if f is None or not self._writable(f):
                continue
            kept = _shape(f, value)
            if kept is not _DROPPED:
                out[key] = kept
        return out

    def _validate(self, data: Mapping[str, Any], module: object) -> list[str]:
        """JSON pointers of invalid values (``additionalProperties`` cannot fail: permitted)."""
        pointers: list[str] = []
        fields = self._module_fields(module)
        for key, value in data.items():
            pointer = f"/{key}"
            if key == "id":
                if not (isinstance(value, str) and _UUID.match(value)):
                    pointers.append(pointer)
            elif key == "status":
                if value not in _STATUS_VALUES:
                    pointers.append(pointer)
            elif key in ("record_state", "state"):
                if not isinstance(value, bool):
                    pointers.append(pointer)
            elif key == "case_status_reopened":
                if value is not None and not isinstance(value, bool):
                    pointers.append(pointer)
            elif key == "module_id":
                if value not in self.module_ids:
                    pointers.append(pointer)
            elif key in ("owned_by", "created_at"):
                if not isinstance(value, str):
                    pointers.append(pointer)
            elif key in fields:
                pointers.extend(_check_value(fields[key], value, pointer))
        return pointers

    # -- records ---------------------------------------------------------------------------

    def _view(
        self, record: Mapping[str, Any], names: Sequence[str] | None = None
    ) -> dict[str, Any]:
        readable = self._readable_names(record.get("module_id"))
        keys = [k for k in (names if names is not None else record) if k in readable]
        out: dict[str, Any] = {"id": record["id"], "enabled": record.get("record_state", True)}
        for key in keys:
            if key in record and key not in ("id",):
                out[key] = copy.deepcopy(record[key])
        if record.get("hidden_name") and "name" in out:
            out["name"] = "*******"
        out["last_updated_at"] = record.get("last_updated_at")
        return out

    def _compute(self, record: dict[str, Any], user: str) -> None:
        """Server-computed fields, recomputed on every save."""
        parts = [record.get(k) for k in ("name_first", "name_middle", "name_last")]
        name = " ".join(str(p) for p in parts if p)
        if name:
            record["name"] = name
        concerns = record.get("protection_concern_detail_subform_section")
        if isinstance(concerns, list):
            extra = [r.get("protection_concern_type") for r in concerns if isinstance(r, dict)]
            current = list(record.get("protection_concerns") or [])
            for item in extra:
                if item and item not in current:
                    current.append(item)
            if current:
                record["protection_concerns"] = current
        services = record.get("services_section") or []
        if record.get("status") == "closed":
            record["workflow"] = "closed"
        elif any(
            isinstance(s, dict) and s.get("service_implemented") == "implemented" for s in services
        ):
            record["workflow"] = "services_implemented"
        elif services:
            record["workflow"] = "service_provision"
        elif record.get("cp_case_plan_subform_case_plan_interventions") or record.get(
            "date_case_plan"
        ):
            record["workflow"] = "case_plan"
        else:
            record["workflow"] = "new"
        record["has_case_plan"] = bool(record.get("cp_case_plan_subform_case_plan_interventions"))
        for value in record.values():
            if isinstance(value, list):
                for row in value:
                    if isinstance(row, dict) and not row.get("unique_id"):
                        row["unique_id"] = str(uuid.uuid4())
        record["last_updated_at"] = _now_iso(self._now())
        record["last_updated_by"] = user

    def _create(self, data: dict[str, Any], user: str, path: str) -> tuple[int, Any]:
        module = data.get("module_id")
        permitted = self._permit(data, module, update=False)
        pointers = self._validate(permitted, module)
        if pointers:
            self.counters["rejected"] += 1
            return 422, _errors_payload(422, path, "Invalid Record JSON", detail=pointers)
        record_id = str(permitted.get("id") or uuid.uuid4())
        if record_id in self.cases:
            self.counters["conflicts"] += 1
            return 409, _errors_payload(
                409, path, "Conflict: A record with this id already exists"
            )
        now = self._now()
        unique_identifier = str(uuid.uuid4())
        short_id = unique_identifier[-7:]
        self._seq += 1
        record: dict[str, Any] = {
            "id": record_id,
            "unique_identifier": unique_identifier,
            "case_id": unique_identifier,
            "short_id": short_id,
            "case_id_display": short_id,
            "status": "open",
            "record_state": True,
            "case_status_reopened": False,
            "reopened_logs": [],
            "notes_section": [],
            "registration_date": now.date().isoformat(),
            "created_at": _now_iso(now),
            "created_by": user,
            "created_organization": self.agency_id,
            "owned_by": user,
            "owned_by_full_name": user,
            "owned_by_agency_id": self.agency_id,
            "owned_by_groups": ["usergroup-cpcase"],
            "associated_user_names": [user],
            "case_type": "person",
            "flagged": False,
            "not_edited_by_owner": False,
        }
        self._order[record_id] = self._seq
        record.update(copy.deepcopy({k: v for k, v in permitted.items() if k != "id"}))
        _strip_destroyed(record)
        self._compute(record, user)
        self.cases[record_id] = record
        self.counters["created"] += 1
        return 200, {"data": self._view(record)}

    def _body_data(self, request: ApiRequest) -> tuple[dict[str, Any] | None, ApiResponse | None]:
        try:
            body = request.json()
        except ValueError:
            raise _BadJson from None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("data"), dict)
            or not body["data"]
        ):
            return None, _errors(422, request.path, "param is missing or the value is empty: data")
        return body["data"], None

    def _post_case(self, request: ApiRequest, user: str) -> ApiResponse:
        data, error = self._body_data(request)
        if error is not None or data is None:
            return error or _errors(
                422, request.path, "param is missing or the value is empty: data"
            )
        status, payload = self._create(data, user, request.path)
        if status == 200 and data.get("id"):
            return ApiResponse(204)
        return ApiResponse.from_json(status, payload)

    def _find(self, request: ApiRequest, rid: str) -> dict[str, Any] | ApiResponse:
        record = self.cases.get(rid)
        if record is None:
            return _errors(
                404, request.path, "Not Found", detail=f"Couldn't find Child with 'id'={rid}"
            )
        return record

    def _get_case(self, request: ApiRequest, user: str, rid: str) -> ApiResponse:
        record = self._find(request, rid)
        if isinstance(record, ApiResponse):
            return record
        return ApiResponse.from_json(200, {"data": self._view(record, _field_names(request))})

    def _patch_case(self, request: ApiRequest, user: str, rid: str) -> ApiResponse:
        record = self._find(request, rid)
        if isinstance(record, ApiResponse):
            return record
        data, error = self._body_data(request)
        if error is not None or data is None:
            return error or _errors(
                422, request.path, "param is missing or the value is empty: data"
            )
        module = record.get("module_id")
        permitted = self._permit(data, module, update=True)
        pointers = self._validate(permitted, module)
        if pointers:
            self.counters["rejected"] += 1
            return _errors(422, request.path, "Invalid Record JSON", detail=pointers)
        before = copy.deepcopy(record)
        merged: dict[str, Any] = _merge(record, copy.deepcopy(permitted))
        _strip_destroyed(merged)
        self._compute(merged, user)
        changed = [
            k
            for k in merged
            if k not in ("last_updated_at", "last_updated_by") and before.get(k) != merged.get(k)
        ]
        self.cases[rid] = merged
        self.counters["updated"] += 1
        view = self._view(merged, changed)
        return ApiResponse.from_json(200, {"data": view})

    def _delete_case(self, request: ApiRequest, user: str, rid: str) -> ApiResponse:
        record = self._find(request, rid)
        if isinstance(record, ApiResponse):
            return record
        record["record_state"] = False
        record["last_updated_at"] = _now_iso(self._now())
        self.counters["disabled"] += 1
        return ApiResponse.from_json(200, {"data": {"id": rid}})

    # -- listing ---------------------------------------------------------------------------

    def _list(self, request: ApiRequest, user: str) -> ApiResponse:
        page, per = self._pagination(request)
        filters = _parse_filters(request.params)
        readable = {"id"} | _FILTERABLE_IDS
        for module in self.module_ids:
            readable |= self._readable_names(module)
        records = list(self.cases.values())
        try:
            for key, wanted in filters.items():
                if key not in readable:
                    continue  # filters on unreadable fields are silently ignored
                records = [r for r in records if _matches(r.get(key), wanted)]
            query = (request.param("query") or "").strip().lower()
            if query:
                records = [r for r in records if _query_hit(r, query)]
        except (TypeError, ValueError):
            records = []  # Primero answers an invalid filter with an empty result
        order_by = request.param("order_by") or "created_at"
        descending = (request.param("order") or "desc").lower() != "asc"
        records.sort(
            key=lambda r: (_sort_key(r.get(order_by)), self._order[r["id"]]), reverse=descending
        )
        total = len(records)
        chunk = records[(page - 1) * per : page * per]
        names = _field_names(request)
        data = [self._view(r, names) for r in chunk]
        return ApiResponse.from_json(
            200, {"data": data, "metadata": {"total": total, "per": per, "page": page}}
        )

    # -- transitions -----------------------------------------------------------------------

    def _post_transition(self, request: ApiRequest, user: str, rid: str, kind: str) -> ApiResponse:
        record = self._find(request, rid)
        if isinstance(record, ApiResponse):
            return record
        data, error = self._body_data(request)
        if error is not None or data is None:
            return error or _errors(
                422, request.path, "param is missing or the value is empty: data"
            )
        params = {k: v for k, v in data.items() if k in _TRANSITION_KEYS[kind]}
        remote = params.get("remote") is True
        problems: list[tuple[str, str]] = []
        to_user = params.get("transitioned_to")
        if not remote and not to_user:
            problems.append(("transitioned_to", "can't be blank"))
        if not _consent_given(record, kind) and params.get("consent_overridden") is not True:
            problems.append(("consent", "transition.errors.consent"))
        if not remote and to_user and (to_user not in self.users or to_user == user):
            problems.append(("transitioned_to", "transition.errors.to_user_can_receive"))
        if problems:
            payload = {
                "errors": [
                    {"status": 422, "resource": request.path, "detail": field, "message": [msg]}
                    for field, msg in problems
                ]
            }
            return ApiResponse.from_json(422, payload)
        now = _now_iso(self._now())
        transition: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "type": kind.capitalize(),
            "status": "in_progress",
            "record_id": rid,
            "record_type": "case",
            "transitioned_to": to_user,
            "transitioned_by": user,
            "transitioned_to_agency": params.get("transitioned_to_agency"),
            "notes": params.get("notes"),
            "service": params.get("service"),
            "service_record_id": params.get("service_record_id"),
            "remote": remote,
            "consent_overridden": params.get("consent_overridden") is True,
            "created_at": now,
        }
        if kind == "transfer":
            transition["consent_individual_transfer"] = (
                params.get("consent_individual_transfer") is True
            )
        transition = {k: v for k, v in transition.items() if v is not None}
        self.transitions.setdefault(rid, []).append(transition)
        changed = []
        if kind == "transfer":
            record["transfer_status"] = "in_progress"
            changed.append("transfer_status")
        elif to_user:
            record.setdefault("referred_users", [])
            if to_user not in record["referred_users"]:
                record["referred_users"].append(to_user)
            changed.append("referred_users")
        record["last_updated_at"] = now
        self.counters[f"{kind}s"] += 1
        view = {
            **copy.deepcopy(transition),
            "record_access_denied": False,
            "user_can_accept_or_reject": False,
            "record": self._view(record, changed),
        }
        return ApiResponse.from_json(200, {"data": view})

    def _list_transitions(
        self, request: ApiRequest, user: str, rid: str, kind: str | None = None
    ) -> ApiResponse:
        record = self._find(request, rid)
        if isinstance(record, ApiResponse):
            return record
        items = [
            t
            for t in self.transitions.get(rid, [])
            if kind is None or t["type"] == kind.capitalize()
        ]
        return ApiResponse.from_json(200, {"data": copy.deepcopy(items)})


# ------------------------------------------------------------------------------------------
# Helpers (pure)


class _BadJson(Exception):
    """The request body is not JSON."""


_DROPPED: Final = object()


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _shape(f: _Field, value: Any) -> Any:
    """Rails strong params: a value of the wrong shape for its field is dropped."""
    if f.type == "subform":
        if value is None:
            return None
        if not isinstance(value, list):
            return _DROPPED
        rows = []
        sub = f.subform or {}
        for row in value:
            if not isinstance(row, dict):
                continue
            kept: dict[str, Any] = {}
            for key, item in row.items():
                if key in ("unique_id", "_destroy"):
                    if _is_scalar(item):
                        kept[key] = item
                    continue
                sf = sub.get(key)
                if sf is None or sf.type not in _WRITABLE_TYPES:
                    continue
                shaped = _shape(sf, item)
                if shaped is not _DROPPED:
                    kept[key] = shaped
            rows.append(kept)
        return rows
    if f.type == "tally_field":
        return value if value is None or isinstance(value, dict) else _DROPPED
    if f.type in _UPLOAD_TYPES:
        return _DROPPED  # attachments go through their own endpoint
    if f.type == "select_box" and f.multi:
        if value is None:
            return None
        if isinstance(value, list) and all(_is_scalar(v) for v in value):
            return value
        return _DROPPED
    return value if _is_scalar(value) else _DROPPED


def _valid_date(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _valid_datetime(value: str) -> bool:
    if _DATE.match(value) or "T" not in value:
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_value(f: _Field, value: Any, pointer: str) -> list[str]:
    """Pointers of invalid values for one field (Primero's per-type schema, §1.6.5)."""
    t = f.type
    if t in ("text_field", "textarea"):
        return [] if value is None or isinstance(value, str) else [pointer]
    if t == "date_field":
        if value is None:
            return []
        ok = isinstance(value, str) and (
            _valid_datetime(value) if f.include_time else _valid_date(value)
        )
        return [] if ok else [pointer]
    if t == "tick_box":
        return [] if isinstance(value, bool) else [pointer]
    if t == "numeric_field":
        if value is None:
            return []
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok and _INT32[0] <= value <= _INT32[1] else [pointer]
    if t == "select_box" and f.multi:
        if value is None:
            return []
        return [
            f"{pointer}/{i}"
            for i, item in enumerate(value)
            if not isinstance(item, str) or (f.options is not None and item not in f.options)
        ]
    if t == "select_box":
        if value is None:
            return []
        ok = isinstance(value, str) and (f.options is None or value in f.options)
        return [] if ok else [pointer]
    if t == "radio_button":
        if value is None:
            return []
        if isinstance(value, bool):
            booleans = f.options is not None and f.options <= {"true", "false"}
            return [] if booleans else [pointer]
        ok = isinstance(value, str) and (f.options is None or value in f.options)
        return [] if ok else [pointer]
    if t == "subform":
        if value is None:
            return []
        out: list[str] = []
        sub = f.subform or {}
        for i, row in enumerate(value):
            for key, item in row.items():
                p = f"{pointer}/{i}/{key}"
                if key == "unique_id":
                    if not (isinstance(item, str) and _UUID.match(item)):
                        out.append(p)
                elif key == "_destroy":
                    if item is not None and not isinstance(item, bool):
                        out.append(p)
                elif key in sub:
                    out.extend(_check_value(sub[key], item, p))
        return out
    if t == "tally_field":
        if value is None:
            return []
        return [
            f"{pointer}/{k}"
            for k, v in value.items()
            if k in (*f.tally, "total")
            and not (v is None or (isinstance(v, int) and not isinstance(v, bool)))
        ]
    return []


def _merge(old: Any, new: Any) -> Any:
    """Primero's merge: hashes recursively, arrays of hashes by ``unique_id``, else replace."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = _merge(old[key], value) if key in old else value
        return out
    if _rows(old) and _rows(new):
        merged: list[Any] = []
        for row in old:
            uid = row.get("unique_id")
            match = next((r for r in new if uid and r.get("unique_id") == uid), None)
            merged.append(_merge(row, match) if match is not None else row)
        known = {r.get("unique_id") for r in merged}
        merged.extend(r for r in new if r.get("unique_id") not in known)
        return [r for r in merged if not r.get("_destroy")]
    return new


def _rows(value: Any) -> bool:
    return isinstance(value, list) and (not value or isinstance(value[0], dict))


def _strip_destroyed(record: dict[str, Any]) -> None:
    for key, value in list(record.items()):
        if _rows(value):
            record[key] = [
                {k: v for k, v in r.items() if k != "_destroy"}
                for r in value
                if not r.get("_destroy")
            ]


def _consent_given(record: Mapping[str, Any], kind: str) -> bool:
    if record.get("module_id") == "primeromodule-gbv":
        return record.get("consent_for_services") is True
    if kind == "referral":
        return (
            record.get("disclosure_other_orgs") is True
            and record.get("consent_for_services") is True
        )
    return record.get("disclosure_other_orgs") is True


def _field_names(request: ApiRequest) -> list[str] | None:
    fields = request.param("fields")
    if not fields:
        return None
    if fields == "short":
        return list(_SUMMARY_FIELDS)
    return [f for f in fields.split(",") if f]


def _destringify(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    if re.match(r"^-?\d+$", value):
        return int(value)
    return value


def _parse_filters(params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Query pairs -> {field: scalar | list | {"from", "to"}} (Primero's DestringifyService)."""
    out: dict[str, Any] = {}
    for key, raw in params:
        match = re.match(r"^([a-z][a-z0-9_:]*)(?:\[(\w+)\])?$", key)
        if not match or match.group(1) in _LIST_CONTROL:
            continue
        name, sub = match.group(1), match.group(2)
        if sub is None:
            if "," in raw:
                out[name] = [_destringify(v) for v in raw.split(",")]
            elif ".." in raw:
                start, _, end = raw.partition("..")
                out[name] = {
                    "from": _destringify(start) if start else None,
                    "to": _destringify(end) if end else None,
                }
            else:
                out[name] = _destringify(raw)
        elif sub.isdigit():
            current = out.get(name)
            items = current if isinstance(current, list) else []
            items.append(_destringify(raw))
            out[name] = items
        elif sub in ("from", "to"):
            current = out.get(name)
            bounds = current if isinstance(current, dict) else {"from": None, "to": None}
            bounds[sub] = _destringify(raw)
            out[name] = bounds
    return out


def _as_comparable(value: Any) -> Any:
    """Dates and date-times as aware datetimes, numbers as numbers (TypeError otherwise)."""
    if isinstance(value, bool):
        raise TypeError("booleans have no order")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        if _DATE.match(value):
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise TypeError("not comparable")


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        if actual is None:
            return False
        value = _as_comparable(actual)
        low = wanted.get("from")
        high = wanted.get("to")
        if low is not None and value < _as_comparable(low):
            return False
        if high is not None:
            bound = _as_comparable(high)
            if isinstance(high, str) and _DATE.match(high):
                bound = bound + dt.timedelta(days=1)  # a date "to" includes that whole day
                return bool(value < bound)
            return bool(value <= bound)
        return True
    options = wanted if isinstance(wanted, list) else [wanted]
    values = actual if isinstance(actual, list) else [actual]
    return any(v == o or (isinstance(v, str) and str(o) == v) for v in values for o in options)


def _query_hit(record: Mapping[str, Any], query: str) -> bool:
    for key in ("name", "name_first", "name_last", *_FILTERABLE_IDS):
        value = record.get(key)
        if isinstance(value, str) and query in value.lower():
            return True
    return False


def _sort_key(value: Any) -> tuple[int, str]:
    if value is None:
        return (0, "")
    return (1, value if isinstance(value, str) else json.dumps(value, sort_keys=True))


def _errors_payload(
    status: int, resource: str, message: str, *, detail: Any = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "resource": resource}
    if detail:
        error["detail"] = detail
    error["message"] = message
    return {"errors": [error]}


def _errors(
    status: int,
    resource: str,
    message: str,
    *,
    detail: Any = None,
    headers: Mapping[str, str] | None = None,
) -> ApiResponse:
    return ApiResponse.from_json(
        status, _errors_payload(status, resource, message, detail=detail), headers
    )


def _devise_401(message: str) -> ApiResponse:
    return ApiResponse.from_json(
        401, {"error": message}, {"WWW-Authenticate": 'Bearer realm="Primero" charset="UTF8"'}
    )


# ------------------------------------------------------------------------------------------
# Loopback HTTP server

_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_MAX_BODY = 16 * 1024 * 1024


def _base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else str(host)
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], fake: FakePrimero, log: Callable[[str], None] | None
    ) -> None:
        self.fake = fake
        self.log = log
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else None
        split = urlsplit(self.path)
        request = ApiRequest(
            self.command,
            _base_url(self.server) + split.path,
            params=parse_qsl(split.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
        )
        try:
            response = self.server.fake.respond(request)
        except _Drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            if self.server.log:
                self.server.log(f"{self.command} {split.path} (connection dropped)")
            return
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)
        if self.server.log:
            self.server.log(f"{self.command} {split.path} {response.status}")

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle  # noqa: N815 - stdlib names

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Silenced: ``_handle`` logs method, path (no query string) and status only."""

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced (the default writes client addresses and full request lines to stderr)."""


class FakePrimeroServer:
    """Serve a :class:`FakePrimero` over HTTP on loopback, in a background thread.

    ``port=0`` picks a free port; read it back from ``url``. Use as a context manager::

        with FakePrimeroServer(FakePrimero(faults=Faults(latency=0.02))) as server:
            ...  # server.url == "http://127.0.0.1:NNNNN"
    """

    def __init__(
        self,
        fake: FakePrimero | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError("the fake Primero listens on loopback only (127.0.0.1, ::1)")
        self.fake = fake or FakePrimero()
        self._server = _Server((host, port), self.fake, log)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return _base_url(self._server)

    def start(self) -> FakePrimeroServer:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-primero",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakePrimeroServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
