"""Converting a large register on every CPU: the sheet is cut into jobs (blocks of rows) that
worker processes and this process convert side by side; this process writes the outputs in row
order.

The result is the one a single process gives, byte for byte. One row's conversion depends on
earlier rows only through :class:`~cpcase.adapters.excel.convert._Claims` (register numbers,
children and case codes already seen, for duplicate warnings and unique case codes). Jobs are
converted as if nothing had been claimed, recording the keys each row looked at; the claims are
then replayed in row order. A register number or child claimed by an earlier row only adds a
duplicate warning, put in place here; in the rare case a case code was already taken, the row
is converted again here with the real state. A job that fails anywhere is redone here, in
order, so that the error raised is the one a single process raises.

Within a job, rows go through each stage together (coerce every cell column by column, settle
each row, validate every form 1.B, serialise every case, map every Primero body): one kind of
work at a time keeps its code and data in the CPU's caches.

This process converts a job itself whenever the workers have enough queued, so with two CPUs
one worker suffices: each extra process costs its own copy of the interpreter's memory.

Workers are forked (they inherit the open sheet, the converter and the Primero mapper), so this
path is used where ``fork`` exists (Linux, macOS); elsewhere conversion stays in one process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cpcase.adapters.excel._xlsx import XlsxSheet

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows, where workers are not forked anyway
    fcntl = None  # type: ignore[assignment]
from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.problems import Problem
from cpcase.adapters.excel.reader import Sheet

__all__ = ["Done", "can_fork", "convert_parallel"]

#: One converted row as the output writer needs it: the row, its outcome, its problems, the
#: case's JSON line (or ``None``), the Primero body's JSON line (or ``None``) as UTF-8 bytes,
#: the case code.
Done = tuple[RawRow, str, tuple[Problem, ...], bytes | None, bytes | None, str]
#: Converts one row in this process (with the register's real state) into a :data:`Done`.
ConvertHere = Callable[[RawRow], Done]
Job = tuple[Any, ...]
Converted = list[tuple[Any, ...]]

_CSV_BATCH = 1000
# XML per job: about a thousand rows, so that little is held at a time.
_JOB_BYTES = 1 << 19
# Jobs queued per worker, so that a worker never waits for the next one.
_QUEUED = 3
# Jobs queued or converted but not yet written, at most (bounds memory when this process runs
# ahead). Output is written in job order, so this process's own results wait behind the
# oldest worker job: with _QUEUED jobs queued per worker, it converts about as many of its own
# in that time. A backlog under twice that makes it stop and wait for the worker instead of
# converting (measured: 4 → 10 took 100k rows from 15.2 to 13.5 s, median of three).
_BACKLOG = 10
_SWITCH_INTERVAL = 0.0002
_PIPE_BYTES = 1 << 20
# Set in the parent just before the pool forks; the workers read their copy.
_STATE: _WorkerState | None = None


class _WorkerState:
    """What a job needs: the sheet (to parse blocks), the header row, the converter, the
    per-row function that turns a converted row into output lines, and the claims recorder."""

    def __init__(
        self, sheet: Sheet, header_row: int, converter: Any, finish: Any, recorder: Any
    ) -> None:
        self.sheet = sheet
        self.header_row = header_row
        self.converter = converter
        self.finish = finish
        self.recorder = recorder


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    return "fork" in multiprocessing.get_all_start_methods()


def _init_worker() -> None:
    state = _STATE
    assert state is not None  # noqa: S101 - set by the parent before forking
    state.converter._claims = state.recorder
    # Everything inherited stays alive for the worker's life: keep the collector off it (and
    # off its memory pages, which then stay shared with the parent).
    # (The collector's thresholds are the parent's, raised while converting.)
    gc.freeze()


def _rows_of(sheet: Sheet, job: Job) -> Iterable[RawRow]:
    if job[0] == "xlsx":
        assert isinstance(sheet, XlsxSheet)  # noqa: S101 - xlsx jobs come from xlsx sheets
        return sheet.parse_block(job[1], job[2], job[3])
    rows: Iterable[RawRow] = job[1]
    return rows


def _convert_rows(state: _WorkerState, job: Job) -> Converted | None:
    """Convert one job's rows with the recorder in place of the claims; ``None`` when anything
    fails (the job is then redone in order, which raises the real error: exceptions do not
    always survive pickling)."""
    converter = state.converter
    recorder = state.recorder
    defaults = converter.defaults_used
    finish = state.finish
    header = state.header_row
    out: Converted = []
    try:
        rows = [row for row in _rows_of(state.sheet, job) if row.number > header]
        prepared = []
        claims = []
        used = []
        for row, coerced in zip(rows, converter.coerce_many(rows), strict=True):
            recorder.claims = []
            if defaults:
                defaults.clear()
            prepared.append(converter.settle(row, coerced))
            claims.append(tuple(recorder.claims))
            used.append(tuple(defaults.items()) if defaults else ())
        done = finish.many(rows, converter.complete(prepared))
        for (row, outcome, problems, line, body, code), keys, defaults_used in zip(
            done, claims, used, strict=True
        ):
            out.append(
                (row.number, row.cells, outcome, problems, line, body, code, keys, defaults_used)
            )
    except Exception:
        return None
    return out


def _convert_job(job: Job) -> Converted | None:
    """In a worker: convert one job."""
    state = _STATE
    assert state is not None  # noqa: S101 - set by the parent before forking
    return _convert_rows(state, job)


def _jobs(sheet: Sheet) -> Iterator[Job]:
    """The sheet cut into jobs: XML blocks of an xlsx sheet, batches of rows otherwise."""
    if isinstance(sheet, XlsxSheet):
        for prologue, block, epilogue in sheet.blocks(_JOB_BYTES):
            yield ("xlsx", prologue, block, epilogue)
        return
    batch: list[RawRow] = []
    for row in sheet.rows():
        batch.append(row)
        if len(batch) >= _CSV_BATCH:
            yield ("rows", tuple(batch))
            batch = []
    if batch:
        yield ("rows", tuple(batch))


def convert_parallel(
    sheet: Sheet,
    header_row: int,
    converter: Any,
    finish: Callable[[RawRow, Any], Done],
    workers: int,
    recorder: Any,
) -> Iterator[Done]:
    """Every row below ``header_row``, in row order, as ``finish(row, converter.convert(row))``
    gives them in one process: converted by ``workers`` forked processes and this one.
    ``recorder`` stands in for the converter's claims while a job is converted."""
    global _STATE  # handed to the forked workers
    claims = converter._claims
    state = _WorkerState(sheet, header_row, converter, finish, recorder)

    def here(row: RawRow) -> Done:
        return finish(row, converter.convert(row))

    def local(job: Job) -> Converted | None:
        # As in a worker: claims recorded, defaults counted per row (replayed in order).
        used = converter.defaults_used
        converter._claims = recorder
        converter.defaults_used = Counter()
        try:
            return _convert_rows(state, job)
        finally:
            converter._claims = claims
            converter.defaults_used = used

    def written(job: Job, result: Converted | None) -> Iterator[Done]:
        if result is None:
            return _redo(sheet, job, header_row, here)
        return _replay(result, converter, claims, converter.defaults_used, here)

    _STATE = state
    context = multiprocessing.get_context("fork")
    interval = sys.getswitchinterval()
    try:
        with context.Pool(workers, initializer=_init_worker) as pool:
            # The pool's threads move jobs and results through pipes, taking the GIL for each
            # piece: pieces of a megabyte rather than 64 KB, and while this thread converts,
            # let them have the GIL sooner (5 ms by default), or workers wait on their pipes
            # (restored below).
            _widen_pipes(pool)
            sys.setswitchinterval(_SWITCH_INTERVAL)
            queue: deque[tuple[Job, Any]] = deque()  # (job, AsyncResult or local result)
            jobs = _jobs(sheet)
            failure: list[Exception] = []
            exhausted = False

            def pull() -> Job | None:
                nonlocal exhausted
                try:
                    job = next(jobs, None)
                except Exception as exc:  # raised once the rows before it are written
                    failure.append(exc)
                    job = None
                exhausted = job is None
                return job

            while True:
                # Keep every worker fed first, then write what is ready, else convert here.
                while not exhausted and _busy(queue) < _QUEUED * workers:
                    job = pull()
                    if job is not None:
                        queue.append((job, pool.apply_async(_convert_job, (job,))))
                if queue and (exhausted or len(queue) > _BACKLOG or _ready(queue[0][1])):
                    job, result = queue.popleft()
                    if not isinstance(result, list) and result is not None:
                        result = result.get()
                    yield from written(job, result)
                    continue
                if exhausted:
                    break
                job = pull()
                if job is not None:
                    queue.append((job, local(job)))
            if failure:
                raise failure[0]
    finally:
        _STATE = None
        sys.setswitchinterval(interval)


def _widen_pipes(pool: Any) -> None:
    """Let the pool's pipes hold a megabyte (Linux; elsewhere, or if refused, they stay)."""
    size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if size is None:
        return
    for queue in (getattr(pool, "_inqueue", None), getattr(pool, "_outqueue", None)):
        reader = getattr(queue, "_reader", None)
        if reader is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            fcntl.fcntl(reader.fileno(), size, _PIPE_BYTES)


def _redo(sheet: Sheet, job: Job, header_row: int, here: ConvertHere) -> Iterator[Done]:
    """A failed job's rows converted here, in order (raising the real error, if any)."""
    for row in _rows_of(sheet, job):
        if row.number > header_row:
            yield here(row)


def _busy(queue: deque[tuple[Job, Any]]) -> int:
    """Jobs handed to workers and not finished yet."""
    return sum(1 for _, result in queue if not _ready(result))


def _ready(result: Any) -> bool:
    return isinstance(result, list) or result is None or bool(result.ready())


def _replay(
    result: Converted, converter: Any, claims: Any, defaults_used: Any, here: ConvertHere
) -> Iterator[Done]:
    for number, cells, outcome, problems, line, body, code, keys, defaults in result:
        row = RawRow(number, cells)
        if keys:
            found = claims.replay(keys, number)
            if found:
                # Duplicates of earlier rows: the warnings go in, nothing else changes.
                problems = converter.with_duplicates(row, problems, found)
            if found is None or problems is None:
                yield here(row)
                continue
        for key, count in defaults:
            defaults_used[key] += count
        yield row, outcome, problems, line, body, code
