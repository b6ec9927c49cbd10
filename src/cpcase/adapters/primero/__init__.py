"""CPIMS+/Primero v2 adapter: mapping, resilient client, idempotent resumable push, pull, fake.

Primero v2 has no case import and silently drops fields it does not know: this package maps
case files to Primero records (:mod:`.mapping`, option tables as TOML data), checks them
against the server's own forms and lookups before writing (:mod:`.schema`), upserts them with
deterministic ids through a retrying client (:mod:`.client`, :mod:`.push`) with a SQLite
journal for resuming (:mod:`.journal`), reads them back (:mod:`.pull`), and ships a faithful
fake server for tests and demos (:mod:`.fake`). See ``docs/primero.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cpcase.errors import PrimeroError

if TYPE_CHECKING:
    from cpcase.adapters.primero.auth import (
        BasicAuth,
        BearerAuth,
        LegacyTokenAuth,
        Secret,
        read_password,
        supports_legacy_tokens,
    )
    from cpcase.adapters.primero.client import (
        ConsentOverride,
        CreateResult,
        Page,
        PrimeroClient,
        Range,
        RetryPolicy,
        UpdateResult,
        consent_missing,
        encode_filters,
    )
    from cpcase.adapters.primero.demo import demo_round_trip
    from cpcase.adapters.primero.errors import (
        ApiErrorDetail,
        PrimeroAPIError,
        PrimeroAuthError,
        PrimeroConflictError,
        PrimeroConnectError,
        PrimeroConnectionLost,
        PrimeroConnectTimeout,
        PrimeroConsentError,
        PrimeroForbiddenError,
        PrimeroInvalidRequestError,
        PrimeroJournalError,
        PrimeroNotFoundError,
        PrimeroProtocolError,
        PrimeroRateLimitError,
        PrimeroReadTimeout,
        PrimeroSchemaError,
        PrimeroServerError,
        PrimeroTimeoutError,
        PrimeroTLSError,
        PrimeroTransportError,
        PrimeroUnavailableError,
        PrimeroValidationError,
    )
    from cpcase.adapters.primero.fake import FakePrimero, FakePrimeroServer, Faults
    from cpcase.adapters.primero.journal import Journal, JournalEntry
    from cpcase.adapters.primero.mapping import (
        MappedCase,
        MappingGap,
        PrimeroMapping,
        PullResult,
        case_to_primero,
        default_mapping,
        load_mapping,
        map_case,
        primero_to_case,
    )
    from cpcase.adapters.primero.pull import PullSummary, pull_to_jsonl
    from cpcase.adapters.primero.push import (
        MappingGapError,
        PushAction,
        PushOutcome,
        PushRecord,
        PushSummary,
        compute_patch,
        push_cases,
        push_records,
    )
    from cpcase.adapters.primero.schema import CaseSchema, IssueCode, SchemaIssue, SchemaReport
    from cpcase.adapters.primero.transport import (
        ApiRequest,
        ApiResponse,
        MockTransport,
        RequestsTransport,
        Transport,
    )

# Where each public name is defined. Names are imported on first use: mapping cases
# (``cpcase convert --to primero``) then loads neither the HTTP client nor requests.
_MODULES: dict[str, tuple[str, ...]] = {
    "auth": (
        "BasicAuth",
        "BearerAuth",
        "LegacyTokenAuth",
        "Secret",
        "read_password",
        "supports_legacy_tokens",
    ),
    "client": (
        "ConsentOverride",
        "CreateResult",
        "Page",
        "PrimeroClient",
        "Range",
        "RetryPolicy",
        "UpdateResult",
        "consent_missing",
        "encode_filters",
    ),
    "demo": ("demo_round_trip",),
    "errors": (
        "ApiErrorDetail",
        "PrimeroAPIError",
        "PrimeroAuthError",
        "PrimeroConflictError",
        "PrimeroConnectError",
        "PrimeroConnectionLost",
        "PrimeroConnectTimeout",
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
        "PrimeroTimeoutError",
        "PrimeroTLSError",
        "PrimeroTransportError",
        "PrimeroUnavailableError",
        "PrimeroValidationError",
    ),
    "fake": ("FakePrimero", "FakePrimeroServer", "Faults"),
    "journal": ("Journal", "JournalEntry"),
    "mapping": (
        "MappedCase",
        "MappingGap",
        "PrimeroMapping",
        "PullResult",
        "case_to_primero",
        "default_mapping",
        "load_mapping",
        "map_case",
        "primero_to_case",
    ),
    "pull": ("PullSummary", "pull_to_jsonl"),
    "push": (
        "MappingGapError",
        "PushAction",
        "PushOutcome",
        "PushRecord",
        "PushSummary",
        "compute_patch",
        "push_cases",
        "push_records",
    ),
    "schema": ("CaseSchema", "IssueCode", "SchemaIssue", "SchemaReport"),
    "transport": ("ApiRequest", "ApiResponse", "MockTransport", "RequestsTransport", "Transport"),
}
_SOURCE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "ApiErrorDetail",
    "ApiRequest",
    "ApiResponse",
    "BasicAuth",
    "BearerAuth",
    "CaseSchema",
    "ConsentOverride",
    "CreateResult",
    "FakePrimero",
    "FakePrimeroServer",
    "Faults",
    "IssueCode",
    "Journal",
    "JournalEntry",
    "LegacyTokenAuth",
    "MappedCase",
    "MappingGap",
    "MappingGapError",
    "MockTransport",
    "Page",
    "PrimeroAPIError",
    "PrimeroAuthError",
    "PrimeroClient",
    "PrimeroConflictError",
    "PrimeroConnectError",
    "PrimeroConnectTimeout",
    "PrimeroConnectionLost",
    "PrimeroConsentError",
    "PrimeroError",
    "PrimeroForbiddenError",
    "PrimeroInvalidRequestError",
    "PrimeroJournalError",
    "PrimeroMapping",
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
    "PullResult",
    "PullSummary",
    "PushAction",
    "PushOutcome",
    "PushRecord",
    "PushSummary",
    "Range",
    "RequestsTransport",
    "RetryPolicy",
    "SchemaIssue",
    "SchemaReport",
    "Secret",
    "Transport",
    "UpdateResult",
    "case_to_primero",
    "compute_patch",
    "consent_missing",
    "default_mapping",
    "demo_round_trip",
    "encode_filters",
    "load_mapping",
    "map_case",
    "primero_to_case",
    "pull_to_jsonl",
    "push_cases",
    "push_records",
    "read_password",
    "supports_legacy_tokens",
]


def __getattr__(name: str) -> Any:
    module = _SOURCE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
