"""Idempotent, resumable, concurrent push of case records to Primero.

Primero has no import: every record goes through ``POST/PATCH /api/v2/cases``. A push is an
**upsert** per record:

1. ``POST`` with the deterministic ``data.id`` -> 204: *created*;
2. 409 (it exists, or a retried POST already landed) -> ``GET`` it, compute the difference
   (:func:`compute_patch`: changed fields only, subform rows merged by ``unique_id``) and
   ``PATCH`` it -> *updated*, or nothing to send -> *unchanged*.

So running the same push twice changes nothing the second time. A :class:`~.journal.Journal`
records each record's state; after an interruption the next run skips what was confirmed with
the same content and redoes the rest. One bad record (422) never stops the batch; a refused
login (401), an unreachable server or a TLS/URL problem stops it at once (nothing more is
sent: Primero locks accounts after 6 failed logins).

Before anything is written, the :class:`~.schema.CaseSchema` check runs over the whole batch:
if Primero would silently drop a field, the push refuses to run unless that field is allowed
with ``allow_drop`` (its values are then not sent); values Primero would reject (422) fail
their record locally without being sent.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from cpcase.adapters.primero.client import (
    UPDATE_FORBIDDEN_FIELDS,
    PrimeroClient,
)
from cpcase.adapters.primero.errors import (
    PrimeroAPIError,
    PrimeroAuthError,
    PrimeroConnectError,
    PrimeroInvalidRequestError,
    PrimeroNotFoundError,
    PrimeroSchemaError,
    PrimeroTLSError,
    PrimeroValidationError,
)
from cpcase.adapters.primero.journal import Journal
from cpcase.adapters.primero.mapping import MappedCase, PrimeroMapping, default_mapping, map_case
from cpcase.adapters.primero.schema import CaseSchema, SchemaReport
from cpcase.case import CaseFile
from cpcase.errors import PrimeroError
from cpcase.labels import LabelledEnum, Lang

__all__ = [
    "MappingGapError",
    "PushAction",
    "PushOutcome",
    "PushRecord",
    "PushSummary",
    "compute_patch",
    "content_digest",
    "map_for_push",
    "push_cases",
    "push_records",
    "read_push_input",
    "strip_fields",
    "write_jsonl_atomic",
]

_NEVER_DIFFED = UPDATE_FORBIDDEN_FIELDS | {"module_id"}


class PushAction(LabelledEnum):
    """What happened to one record during a push."""

    CREATED = ("created", "Créé", "Created", "POST 204")
    UPDATED = ("updated", "Mis à jour", "Updated", "409, then PATCH of the difference")
    UNCHANGED = ("unchanged", "Inchangé", "Unchanged", "409, no difference")
    SKIPPED = ("skipped", "Déjà confirmé (journal)", "Already confirmed (journal)", "journal")
    FAILED = ("failed", "Échec", "Failed", "")
    WOULD_CREATE = ("would_create", "Serait créé", "Would be created", "dry run")
    WOULD_UPDATE = ("would_update", "Serait mis à jour", "Would be updated", "dry run")


@attrs.frozen
class PushRecord:
    """One record to push: ``key`` (our case code) and ``body``, the ``data`` object of the
    create request (it must carry ``id`` and ``module_id``)."""

    key: str
    body: Mapping[str, Any]
    clearable: frozenset[str] = frozenset()

    @property
    def record_id(self) -> str:
        """Primero's ``data.id`` for this record."""
        return str(self.body["id"])


@attrs.frozen
class PushOutcome:
    """The result for one record; ``fields`` lists changed fields (updates), invalid JSON
    pointers (422) or dropped fields; ``error_code`` is machine-readable."""

    key: str
    record_id: str
    action: PushAction
    error_code: str | None = None
    message: str = ""
    fields: tuple[str, ...] = ()


@attrs.frozen
class PushSummary:
    """Every outcome, whether the push stopped early (``aborted`` says why) and timings."""

    outcomes: tuple[PushOutcome, ...]
    aborted: str | None = None
    elapsed: float = 0.0
    requests: int = 0
    retries: int = 0

    def counts(self) -> dict[PushAction, int]:
        """Records per action."""
        counter = Counter(o.action for o in self.outcomes)
        return {action: counter.get(action, 0) for action in PushAction}

    @property
    def failed(self) -> tuple[PushOutcome, ...]:
        """The failed records."""
        return tuple(o for o in self.outcomes if o.action is PushAction.FAILED)

    @property
    def ok(self) -> bool:
        """True when nothing failed and the push ran to the end."""
        return self.aborted is None and not self.failed

    def render(self, lang: Lang = "en") -> str:
        """A short, readable summary."""
        parts = [f"{action.label(lang)}: {n}" for action, n in self.counts().items() if n]
        line = ", ".join(parts) or "nothing to push"
        rate = len(self.outcomes) / self.elapsed if self.elapsed else 0.0
        line += f" ({len(self.outcomes)} records in {self.elapsed:.1f}s, {rate:.0f}/s"
        line += f", {self.requests} requests, {self.retries} retries)"
        if self.aborted:
            line += f"\nSTOPPED: {self.aborted}"
        return line


# --------------------------------------------------------------------------------------------
# Pure helpers


def content_digest(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``body`` (detects records changed since last push)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_rows(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(r, Mapping) for r in value) and bool(value)


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, list) and isinstance(have, list):
        if all(not isinstance(x, dict | list) for x in (*want, *have)):
            return sorted(map(json.dumps, want)) == sorted(map(json.dumps, have))
        return bool(want == have)
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        return all(_same(v, have.get(k)) for k, v in want.items())
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    return bool(want == have)


def _rows_patch(want: Sequence[Mapping[str, Any]], have: object) -> list[dict[str, Any]]:
    current = {
        str(r["unique_id"]): r
        for r in (have if isinstance(have, list) else [])
        if isinstance(r, Mapping) and r.get("unique_id")
    }
    out: list[dict[str, Any]] = []
    for row in want:
        uid = row.get("unique_id")
        old = current.get(str(uid)) if uid else None
        if old is None:
            out.append(dict(row))
            continue
        changes = {
            k: v
            for k, v in row.items()
            if k != "unique_id" and v is not None and not _same(v, old.get(k))
        }
        if changes:
            out.append({"unique_id": uid, **changes})
    return out


def compute_patch(
    desired: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    clearable: Iterable[str] = (),
) -> dict[str, Any]:
    """The PATCH body that makes ``current`` hold every value of ``desired``.

    Only changed fields are sent; subform rows are matched by ``unique_id`` and only their
    changed cells sent (Primero merges rows); multi-select lists compare as sets. Values the
    server holds that ``desired`` leaves empty (``None`` or absent) are **kept**: the push never
    erases what a caseworker entered in Primero, except the ``clearable`` fields (sent empty on
    purpose, e.g. ``risk_level`` for our risk level ``none``). Create-only and identity fields
    are never diffed.

    >>> compute_patch({"age": 9, "sex": "female"}, {"age": 8, "sex": "female", "name": "*"})
    {'age': 9}
    """
    patch: dict[str, Any] = {}
    empty_ok = frozenset(clearable)
    for key, want in desired.items():
        if key in _NEVER_DIFFED or want == []:
            continue
        if want is None:
            if key in empty_ok and current.get(key) is not None:
                patch[key] = None
            continue
        have = current.get(key)
        if _is_rows(want):
            rows = _rows_patch(want, have)
            if rows:
                patch[key] = rows
        elif not _same(want, have):
            patch[key] = want
    return patch


def strip_fields(body: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A copy of ``body`` without the dotted ``fields`` (``a`` or ``subform.cell``)."""
    top: set[str] = set()
    nested: dict[str, set[str]] = {}
    for name in fields:
        head, _, tail = name.partition(".")
        if tail:
            nested.setdefault(head, set()).add(tail)
        else:
            top.add(head)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in top:
            continue
        if key in nested and isinstance(value, list):
            value = [
                {k: v for k, v in row.items() if k not in nested[key]}
                if isinstance(row, Mapping)
                else row
                for row in value
            ]
        out[key] = value
    return out


def write_jsonl_atomic(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write JSON lines atomically (temp file in the same directory, fsync, ``os.replace``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


# --------------------------------------------------------------------------------------------
# The push


class _Abort(Exception):
    """Internal: stop submitting work."""


_FATAL = (PrimeroAuthError, PrimeroConnectError, PrimeroTLSError, PrimeroInvalidRequestError)


def _failure(record: PushRecord, exc: PrimeroError) -> PushOutcome:
    if isinstance(exc, PrimeroValidationError):
        return PushOutcome(
            record.key,
            record.record_id,
            PushAction.FAILED,
            "invalid_record",
            f"HTTP 422: {'; '.join(e.message for e in exc.errors) or 'rejected'}",
            exc.pointers or exc.fields,
        )
    if isinstance(exc, PrimeroAPIError):
        # Server messages of 5xx errors can echo internals: keep only the status for those.
        first = exc.errors[0].message[:200] if exc.errors and exc.status < 500 else ""
        code = "auth" if isinstance(exc, PrimeroAuthError) else f"http_{exc.status}"
        return PushOutcome(
            record.key,
            record.record_id,
            PushAction.FAILED,
            code,
            f"{exc.method} HTTP {exc.status}: {first}".strip(),
        )
    kind = type(exc).__name__
    return PushOutcome(record.key, record.record_id, PushAction.FAILED, "transport", kind)


class _Pusher:
    def __init__(
        self,
        client: PrimeroClient,
        journal: Journal | None,
        *,
        dry_run: bool,
        verify: bool,
        force: bool,
    ) -> None:
        self.client = client
        self.journal = journal
        self.dry_run = dry_run
        self.verify = verify
        self.force = force
        self.abort = threading.Event()
        self.abort_reason: str | None = None

    def one(self, record: PushRecord) -> PushOutcome:
        key, rid = record.key, record.record_id
        digest = content_digest(record.body)
        journal = self.journal
        if journal is not None and not self.force:
            entry = journal.get(key)
            if (
                entry is not None
                and entry.state == "confirmed"
                and entry.digest == digest
                and entry.record_id == rid
            ):
                return PushOutcome(key, rid, PushAction.SKIPPED)
        if self.dry_run:
            return self._dry(record)
        if self.abort.is_set():
            raise _Abort
        if journal is not None:
            journal.mark_pending(key, rid, digest)
        try:
            if journal is not None:
                journal.mark_sent(key)
            outcome = self._upsert(record)
        except PrimeroError as exc:
            outcome = _failure(record, exc)
            if isinstance(exc, _FATAL) and not self.abort.is_set():
                self.abort_reason = f"{type(exc).__name__}: {exc}"
                self.abort.set()
        if journal is not None:
            if outcome.action is PushAction.FAILED:
                detail = outcome.message
                if outcome.fields:
                    detail += " [" + ", ".join(outcome.fields) + "]"
                journal.mark_failed(key, outcome.error_code or "failed", detail)
            else:
                journal.mark_confirmed(key, outcome.action.value)
        return outcome

    def _upsert(self, record: PushRecord) -> PushOutcome:
        key, rid, body = record.key, record.record_id, record.body
        result = self.client.create_case(body)
        if result.created:
            if self.verify:
                current = self.client.get_case(rid)
                missing = compute_patch(body, current, clearable=record.clearable)
                if missing:
                    return PushOutcome(
                        key,
                        rid,
                        PushAction.FAILED,
                        "dropped",
                        "Primero dropped fields",
                        tuple(sorted(missing)),
                    )
            return PushOutcome(key, rid, PushAction.CREATED)
        patch = compute_patch(body, self.client.get_case(rid), clearable=record.clearable)
        if not patch:
            return PushOutcome(key, rid, PushAction.UNCHANGED)
        update = self.client.update_case(rid, patch)
        if update.unechoed:
            return PushOutcome(
                key,
                rid,
                PushAction.FAILED,
                "dropped",
                "Primero silently dropped changed fields",
                update.unechoed,
            )
        return PushOutcome(key, rid, PushAction.UPDATED, fields=tuple(sorted(patch)))

    def _dry(self, record: PushRecord) -> PushOutcome:
        key, rid = record.key, record.record_id
        try:
            current = self.client.get_case(rid)
        except PrimeroNotFoundError:
            return PushOutcome(key, rid, PushAction.WOULD_CREATE)
        except PrimeroError as exc:
            return _failure(record, exc)
        patch = compute_patch(record.body, current, clearable=record.clearable)
        if not patch:
            return PushOutcome(key, rid, PushAction.UNCHANGED)
        return PushOutcome(key, rid, PushAction.WOULD_UPDATE, fields=tuple(sorted(patch)))


def push_records(
    client: PrimeroClient,
    records: Iterable[PushRecord],
    *,
    journal: Journal | None = None,
    schema: CaseSchema | None = None,
    allow_drop: Iterable[str] = (),
    workers: int = 4,
    dry_run: bool = False,
    verify: bool = False,
    force: bool = False,
    on_outcome: Callable[[PushOutcome], None] | None = None,
) -> PushSummary:
    """Push ``records``; return every outcome (see the module docstring for the rules).

    ``schema``: when given, the batch is checked first; :class:`PrimeroSchemaError` (with the
    report) if a field would be dropped and is not in ``allow_drop``. ``verify`` re-reads each
    created record and fails it if a field did not stick. ``force`` ignores the journal's
    confirmed entries. ``on_outcome`` is called (under a lock) as each record finishes.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    batch = list(records)
    seen: set[str] = set()
    for record in batch:
        if record.key in seen:
            raise ValueError(f"duplicate record key {record.key!r} in the batch")
        seen.add(record.key)
        if not record.body.get("id") or not record.body.get("module_id"):
            raise ValueError(f"record {record.key}: body needs 'id' and 'module_id'")
    started = time.perf_counter()
    stats_before = client.stats.snapshot()
    outcomes: list[PushOutcome] = []
    lock = threading.Lock()

    def emit(outcome: PushOutcome) -> None:
        with lock:
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

    allowed = frozenset(allow_drop)
    rejected: dict[str, SchemaReport] = {}
    if schema is not None:
        report = schema.check_many((r.key, r.body) for r in batch)
        blocking = report.blocking(allowed)
        if blocking:
            raise PrimeroSchemaError(
                "Primero would silently drop data; fix the mapping or allow the fields with "
                "--allow-drop:\n" + SchemaReport(blocking, report.permissions_known).render(),
                report=report,
            )
        if allowed:
            batch = [PushRecord(r.key, strip_fields(r.body, allowed), r.clearable) for r in batch]
        for key in report.rejected_keys():
            rejected[key] = SchemaReport(report.for_key(key))
    pusher = _Pusher(client, journal, dry_run=dry_run, verify=verify, force=force)
    todo: list[PushRecord] = []
    for record in batch:
        if record.key in rejected:
            issues = rejected[record.key].issues
            outcome = PushOutcome(
                record.key,
                record.record_id,
                PushAction.FAILED,
                "invalid_value",
                "not sent: Primero would reject these values (422)",
                tuple(i.pointer for i in issues if i.code.rejects_record),
            )
            if journal is not None and not dry_run:
                journal.mark_pending(record.key, record.record_id, content_digest(record.body))
                journal.mark_failed(
                    record.key,
                    "invalid_value",
                    outcome.message + " [" + ", ".join(outcome.fields) + "]",
                )
            emit(outcome)
        else:
            todo.append(record)

    def run(record: PushRecord) -> None:
        try:
            emit(pusher.one(record))
        except _Abort:
            return

    with concurrent.futures.ThreadPoolExecutor(
        max_workers=workers, thread_name_prefix="cpcase-push"
    ) as pool:
        window = threading.BoundedSemaphore(workers * 4)
        futures = []
        try:
            for record in todo:
                if pusher.abort.is_set():
                    break
                window.acquire()
                future = pool.submit(run, record)
                future.add_done_callback(lambda _f: window.release())
                futures.append(future)
            for future in futures:
                future.result()
        except BaseException:
            pusher.abort.set()
            for future in futures:
                future.cancel()
            raise
    stats_after = client.stats.snapshot()
    done = {o.key for o in outcomes}
    order = {r.key: n for n, r in enumerate(batch)}
    ordered = sorted(outcomes, key=lambda o: order.get(o.key, 0))
    aborted = pusher.abort_reason
    if aborted is not None:
        aborted += f" ({sum(1 for r in batch if r.key not in done)} record(s) not attempted)"
    return PushSummary(
        outcomes=tuple(ordered),
        aborted=aborted,
        elapsed=time.perf_counter() - started,
        requests=stats_after["requests"] - stats_before["requests"],
        retries=stats_after["retries"] - stats_before["retries"],
    )


class MappingGapError(PrimeroSchemaError):
    """A push refused: some values have no CPIMS+ equivalent (``gaps``: ``(case code, gap)``).

    Add an option to the mapping (``--mapping``) or accept the loss with ``--allow-drop PATH``.
    """

    message = "values without a CPIMS+ equivalent"

    def __init__(self, msg: str = "", *, gaps: tuple[tuple[str, Any], ...] = ()) -> None:
        super().__init__(msg or self.message)
        self.gaps = gaps


def map_for_push(
    cases: Iterable[CaseFile],
    *,
    mapping: PrimeroMapping | None = None,
    allow_drop: Iterable[str] = (),
) -> list[MappedCase]:
    """Map every case; :class:`MappingGapError` if a value has no CPIMS+ equivalent and its
    path is not in ``allow_drop``."""
    m = mapping or default_mapping()
    allowed = frozenset(allow_drop)
    mapped = [map_case(case, m) for case in cases]
    gaps = tuple((mc.key, g) for mc in mapped for g in mc.gaps if g.path not in allowed)
    if gaps:
        counts = Counter((g.path, g.code) for _, g in gaps)
        lines = [
            f"gap   {path} = {code}: no CPIMS+ option ({n} record(s))"
            for (path, code), n in sorted(counts.items())
        ]
        raise MappingGapError(
            "some values have no CPIMS+ equivalent; add them to the mapping (--mapping) or "
            "accept the loss with --allow-drop PATH:\n" + "\n".join(lines),
            gaps=gaps,
        )
    return mapped


def push_cases(
    client: PrimeroClient,
    cases: Iterable[CaseFile],
    *,
    mapping: PrimeroMapping | None = None,
    allow_drop: Iterable[str] = (),
    **options: Any,
) -> PushSummary:
    """Map ``cases`` and push them (:func:`push_records` options apply); gaps refuse the push
    unless allowed."""
    allowed = tuple(allow_drop)
    mapped = map_for_push(cases, mapping=mapping, allow_drop=allowed)
    records = [PushRecord(mc.key, mc.body, mc.clearable) for mc in mapped]
    return push_records(client, records, allow_drop=allowed, **options)


def read_push_input(
    path: Path, *, mapping: PrimeroMapping | None = None
) -> tuple[list[CaseFile], list[PushRecord]]:
    """Read a JSON-lines file of case files and/or ready create bodies (``{"data": {...}}``).

    Errors name the file, the line and the fields, never the values.
    """
    from cpcase.errors import FormError

    m = mapping or default_mapping()
    cases: list[CaseFile] = []
    bodies: list[PushRecord] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PrimeroError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise PrimeroError(f"{path}: not UTF-8 text") from None
    for lineno, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            payload = json.loads(text)
        except ValueError:
            raise PrimeroError(f"{path}:{lineno}: not a JSON object") from None
        if isinstance(payload, dict) and set(payload) == {"data"}:
            data = payload["data"]
            if not isinstance(data, dict) or not data.get("id"):
                raise PrimeroError(f"{path}:{lineno}: 'data' needs an 'id'")
            key = data.get(m.id_field) or data["id"]
            bodies.append(PushRecord(str(key), data))
            continue
        try:
            cases.append(CaseFile.parse_json(text))
        except FormError as exc:
            raise PrimeroError(f"{path}:{lineno}: {exc}") from None
    return cases, bodies
