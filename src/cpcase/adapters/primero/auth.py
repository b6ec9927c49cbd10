"""Authentication strategies for Primero v2, and safe ways to obtain the password.

An auth strategy is an httpx-style *flow*: a generator that receives the outgoing request,
yields the request(s) to send and receives each response. This lets one strategy log in first,
or log in again once when a token expires, without the client knowing the details.

- :class:`BasicAuth` (default): HTTP Basic with a service account. Works on every Primero v2
  version, skips CSRF, and keeps working on identity-provider sites for ``service_account``
  users.
- :class:`BearerAuth`: a token issued by the site's identity provider, supplied by the caller.
- :class:`LegacyTokenAuth`: ``POST /api/v2/tokens`` JWT, only for Primero <= v2.10 (v2.11
  removed native JWTs: the login now returns no token). Use :func:`supports_legacy_tokens`.

Lockout safety: Primero locks an account for 30 minutes after 6 failed logins, and with Basic
auth every request is a login. So a 401 *latches* the strategy: later requests fail locally
with :class:`PrimeroAuthError` without reaching the server. A login is never retried more than
once.

Passwords come from :func:`read_password` (environment variable or file) or a hidden prompt at
the command line, never from argv; they are kept out of ``repr`` and never logged.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Protocol

from cpcase.adapters.primero.errors import PrimeroAuthError, PrimeroProtocolError
from cpcase.adapters.primero.transport import ApiRequest, ApiResponse

__all__ = [
    "Auth",
    "AuthFlow",
    "BasicAuth",
    "BearerAuth",
    "LegacyTokenAuth",
    "Secret",
    "parse_version",
    "read_password",
    "supports_legacy_tokens",
]

AuthFlow = Generator[ApiRequest, ApiResponse, None]

TOKENS_PATH = "/api/v2/tokens"


class Secret:
    """A string that never shows itself in ``repr``/``str`` (logs, tracebacks, reports)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value; call only where it is sent."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


class Auth(Protocol):
    """An authentication strategy: ``auth_flow`` yields the requests to send."""

    def auth_flow(self, request: ApiRequest) -> AuthFlow:
        """Yield ``request`` (authenticated), plus any login requests; receive each response."""

    def reset(self) -> None:
        """Clear a latched failure after the operator fixed the credentials."""


class _LatchedAuth:
    """Shared lock-out protection: after one 401, refuse to send anything more."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: str | None = None

    def _check_latch(self) -> None:
        if self._failed is not None:
            raise PrimeroAuthError(
                f"not sent: credentials already refused ({self._failed}); "
                "fix them before retrying (Primero locks the account after 6 failures)",
                status=401,
            )

    def _latch(self, why: str) -> None:
        with self._lock:
            self._failed = why

    @property
    def failed(self) -> bool:
        """True once the server refused the credentials."""
        return self._failed is not None

    def reset(self) -> None:
        """Allow sending again (after the credentials were fixed)."""
        with self._lock:
            self._failed = None


class BasicAuth(_LatchedAuth):
    """HTTP Basic with a (service-account) user name and password."""

    def __init__(self, user_name: str, password: str | Secret) -> None:
        super().__init__()
        if not user_name or ":" in user_name:
            raise ValueError("user name must be non-empty and contain no ':'")
        secret = password if isinstance(password, Secret) else Secret(password)
        token = base64.b64encode(f"{user_name}:{secret.reveal()}".encode()).decode("ascii")
        self.user_name = user_name
        self._header = Secret(f"Basic {token}")

    def __repr__(self) -> str:
        return f"BasicAuth(user_name={self.user_name!r}, password='***')"

    def auth_flow(self, request: ApiRequest) -> AuthFlow:
        """Add the Basic header; a 401 latches (no further request will be sent)."""
        self._check_latch()
        response = yield request.with_header("Authorization", self._header.reveal())
        if response.status == 401:
            self._latch("HTTP 401 to Basic auth")


class BearerAuth(_LatchedAuth):
    """A bearer token from the site's identity provider (supplied by the caller)."""

    def __init__(self, token: str | Secret) -> None:
        super().__init__()
        self._token = token if isinstance(token, Secret) else Secret(token)

    def __repr__(self) -> str:
        return "BearerAuth(token='***')"

    def auth_flow(self, request: ApiRequest) -> AuthFlow:
        """Add the bearer header; a 401 latches."""
        self._check_latch()
        response = yield request.with_header("Authorization", f"Bearer {self._token.reveal()}")
        if response.status == 401:
            self._latch("HTTP 401 to bearer token")


class LegacyTokenAuth(_LatchedAuth):
    """``POST /api/v2/tokens`` login returning a JWT: Primero <= v2.10 only.

    The token is read from the body (``token``) or the ``Authorization`` response header. When
    an authenticated request gets a 401 (token expired after 60 minutes), the strategy logs in
    again **once** and replays the request; a refused login is never retried.
    """

    def __init__(self, user_name: str, password: str | Secret) -> None:
        super().__init__()
        self.user_name = user_name
        self._password = password if isinstance(password, Secret) else Secret(password)
        self._token: Secret | None = None
        self._login_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LegacyTokenAuth(user_name={self.user_name!r}, password='***')"

    def _login_request(self, template: ApiRequest) -> ApiRequest:
        base = template.url[: len(template.url) - len(template.path)]
        body = json.dumps(
            {"user": {"user_name": self.user_name, "password": self._password.reveal()}}
        ).encode()
        return ApiRequest(
            "POST",
            base + TOKENS_PATH,
            headers=(("Content-Type", "application/json"), ("Accept", "application/json")),
            body=body,
            timeout=template.timeout,
        )

    def _token_from(self, response: ApiResponse) -> Secret:
        if response.status == 401:
            self._latch("login refused")
            raise PrimeroAuthError(
                f"POST {TOKENS_PATH}: HTTP 401: login refused (not retried)", status=401
            )
        if response.status != 200:
            raise PrimeroAuthError(
                f"POST {TOKENS_PATH}: HTTP {response.status}: login failed", status=response.status
            )
        payload = response.json()
        token = payload.get("token") if isinstance(payload, dict) else None
        if not token:
            header = response.header("Authorization") or ""
            token = header[7:] if header.lower().startswith("bearer ") else None
        if not token:
            raise PrimeroProtocolError(
                "login returned no token: this server is Primero >= v2.11, use Basic auth",
                request_sent=True,
            )
        return Secret(str(token))

    def auth_flow(self, request: ApiRequest) -> AuthFlow:
        """Log in if needed, send, and on 401 log in again once and replay."""
        self._check_latch()
        used: Secret | None = None
        for attempt in range(2):
            with self._login_lock:
                self._check_latch()
                if self._token is None or (attempt == 1 and self._token is used):
                    login = yield self._login_request(request)
                    self._token = self._token_from(login)
                used = self._token
            response = yield request.with_header("Authorization", f"Bearer {used.reveal()}")
            if response.status != 401:
                return
        self._latch("token refused right after a fresh login")


_VERSION_RE = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"2.15.2.1"`` -> ``(2, 15, 2)``; ``ValueError`` for text without a version."""
    match = _VERSION_RE.search(text or "")
    if not match:
        raise ValueError("no version number found")
    return (int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))


def supports_legacy_tokens(system_version: str) -> bool:
    """True for Primero <= v2.10, where ``POST /api/v2/tokens`` still returns a JWT."""
    return parse_version(system_version) < (2, 11, 0)


def read_password(*, env: str | None = None, file: Path | None = None) -> Secret:
    """The password from environment variable ``env`` or the first line of ``file``.

    Errors name the variable or file, never the value. A file readable by group or others is
    refused (a password file must be private: ``chmod 600``).
    """
    if (env is None) == (file is None):
        raise ValueError("give exactly one of env= or file=")
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise PrimeroAuthError(f"environment variable {env} is not set or empty")
        return Secret(value)
    if file is None:  # unreachable: checked above; keeps type checkers informed
        raise ValueError("give exactly one of env= or file=")
    try:
        mode = file.stat().st_mode
    except OSError as exc:
        raise PrimeroAuthError(f"password file {file}: cannot read ({exc.strerror})") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PrimeroAuthError(
            f"password file {file} is readable by other users; run: chmod 600 {file}"
        )
    lines = file.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0]:
        raise PrimeroAuthError(f"password file {file}: first line is empty")
    return Secret(lines[0])
