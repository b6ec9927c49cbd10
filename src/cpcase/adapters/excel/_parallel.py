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
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from cpcase.adapters.excel._xlsx import XlsxSheet

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows, where workers are not forked anyway
    fcntl = None  # type: ignore[assignment]
from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.problems import Problem
from cpcase.adapters.excel.reader import Sheet

__all__ = ["Chunk", "Done", "can_fork", "chunk_of", "convert_parallel", "join_lines"]

#: One converted row as the output writer needs it: the row, its outcome, its problems, the
#: case's JSON line (or ``None``), the Primero body's JSON line (or ``None``) as UTF-8 bytes,
#: the case code.
Done = tuple[RawRow, str, tuple[Problem, ...], bytes | None, bytes | None, str]
#: Converts one row in this process (with the register's real state) into a :data:`Done`.
ConvertHere = Callable[[RawRow], Done]
Job = tuple[Any, ...]

# Outcomes whose rows have a case line; of those, "converted" rows also have a Primero body.
_WITH_CASE = frozenset({"converted", "not_eligible"})


@attrs.define(slots=True)
class Chunk:
    """Rows converted, in order, as the outputs take them: their numbers, outcomes and case
    codes (for ``rows.csv``), their case lines and Primero body lines each joined into one
    string (every line ends with a newline), and the rows that have problems, with those
    problems and whether the row has a case line (for the report and the counts).

    Outputs are written a chunk at a time: one write per file, not one per row."""

    numbers: list[int]
    outcomes: list[str]
    codes: list[str]
    cases: bytes
    bodies: bytes
    flagged: list[tuple[RawRow, tuple[Problem, ...], bool]]


def chunk_of(done: Iterable[Done]) -> Chunk:
    """The chunk of rows converted one by one."""
    chunk = Chunk([], [], [], b"", b"", [])
    cases: list[bytes] = []
    bodies: list[bytes] = []
    for row, outcome, problems, line, body, code in done:
        chunk.numbers.append(row.number)
        chunk.outcomes.append(outcome)
        chunk.codes.append(code)
        if line is not None:
            cases.append(line)
            if body is not None:
                bodies.append(body)
        if problems:
            chunk.flagged.append((row, problems, line is not None))
    chunk.cases = join_lines(cases)
    chunk.bodies = join_lines(bodies)
    return chunk


def join_lines(lines: list[bytes]) -> bytes:
    """``lines``, each followed by a newline, as one string."""
    if not lines:
        return b""
    lines.append(b"")
    return b"\n".join(lines)


@attrs.define(slots=True)
class _Converted:
    """One job converted without the register's state (claims are recorded, not checked), as
    it crosses from a worker: per row its number, cells, outcome, problems and case code; the
    case and Primero lines joined (see :class:`Chunk`); the claims each row recorded, as
    ``(which, hash, at)`` triples one after the other with a count per row; the defaults each
    row applied, and their total."""

    numbers: list[int]
    cells: list[tuple[Any, ...]]
    outcomes: list[str]
    problems: list[tuple[Problem, ...]]
    codes: list[str]
    lines: bytes  # per row: 1 when it has a case line, 3 when it has a Primero body too
    cases: bytes
    bodies: bytes
    claims: array[int]
    claim_counts: bytes
    defaults: list[tuple[tuple[str, int], ...]]
    defaults_total: Counter[str]


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


def _convert_rows(state: _WorkerState, job: Job) -> _Converted | None:
    """Convert one job's rows with the recorder in place of the claims; ``None`` when anything
    fails (the job is then redone in order, which raises the real error: exceptions do not
    always survive pickling)."""
    converter = state.converter
    recorder = state.recorder
    defaults = converter.defaults_used
    try:
        rows = [row for row in _rows_of(state.sheet, job) if row.number > state.header_row]
        prepared = []
        claims: list[tuple[int, int, int]] = []
        counts = bytearray()
        used: list[tuple[tuple[str, int], ...]] = []
        for row, coerced in zip(rows, converter.coerce_many(rows), strict=True):
            recorder.claims = []
            if defaults:
                defaults.clear()
            prepared.append(converter.settle(row, coerced))
            counts.append(len(recorder.claims))
            claims += recorder.claims
            used.append(tuple(defaults.items()) if defaults else ())
        results = converter.complete(prepared)
        lines, bodies = state.finish.lines(results)
        # Rows apply the same few defaults: one tuple for each combination (pickled once),
        # and their total, added up in the order the defaults first appear (as row by row).
        interned: dict[tuple[tuple[str, int], ...], int] = Counter(used)
        total: Counter[str] = Counter()
        for items, times in interned.items():
            for key, count in items:
                total[key] += count * times
        same = {items: items for items in interned}
        return _Converted(
            numbers=[row.number for row in rows],
            cells=[row.cells for row in rows],
            outcomes=[result.outcome for result in results],
            problems=[result.problems for result in results],
            codes=["" if result.case is None else result.case.case_code for result in results],
            lines=bytes(
                0 if line is None else 1 if body is None else 3
                for line, body in zip(lines, bodies, strict=True)
            ),
            cases=join_lines([line for line in lines if line is not None]),
            bodies=join_lines([body for body in bodies if body is not None]),
            claims=array("q", [part for claim in claims for part in claim]),
            claim_counts=bytes(counts),
            defaults=[same[items] for items in used],
            defaults_total=total,
        )
    except Exception:
        return None


def _convert_job(job: Job) -> _Converted | None:
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
    finish: Any,
    workers: int,
    recorder: Any,
) -> Iterator[Chunk]:
    """Every row below ``header_row``, in row order and in chunks, as ``finish(row,
    converter.convert(row))`` gives them in one process: converted by ``workers`` forked
    processes and this one. ``recorder`` stands in for the converter's claims while a job is
    converted; ``finish.lines(results)`` gives converted rows' case and Primero lines."""
    global _STATE  # handed to the forked workers
    claims = converter._claims
    state = _WorkerState(sheet, header_row, converter, finish, recorder)

    def here(row: RawRow) -> Done:
        done: Done = finish(row, converter.convert(row))
        return done

    def local(job: Job) -> _Converted | None:
        # As in a worker: claims recorded, defaults counted per row (replayed in order).
        used = converter.defaults_used
        converter._claims = recorder
        converter.defaults_used = Counter()
        try:
            return _convert_rows(state, job)
        finally:
            converter._claims = claims
            converter.defaults_used = used

    def written(job: Job, result: _Converted | None) -> Chunk:
        if result is None:
            return chunk_of(_redo(sheet, job, header_row, here))
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
                    if result is not None and not isinstance(result, _Converted):
                        result = result.get()
                    yield written(job, result)
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
    return result is None or isinstance(result, _Converted) or bool(result.ready())


def _replay(
    result: _Converted, converter: Any, claims: Any, defaults_used: Any, here: ConvertHere
) -> Chunk:
    """A job converted without the register's state, made what one process gives: its claims
    replayed in row order, duplicate warnings put in place, and the rare row whose case code
    was taken converted again here."""
    numbers = result.numbers
    count = len(numbers)
    problems = result.problems
    changed: dict[int, tuple[Problem, ...]] = {}
    redone: dict[int, Done] = {}
    counted = 0  # rows whose defaults are counted (only once a row is converted again)
    at = position = 0
    while True:
        at, position, found = claims.replay_rows(
            result.claims, result.claim_counts, numbers, at, position
        )
        if at >= count:
            break
        row = RawRow(numbers[at], result.cells[at])
        if found is not None:
            # Duplicates of earlier rows: the warnings go in, nothing else changes.
            new = converter.with_duplicates(row, problems[at], found)
            if new is not None:
                changed[at] = new
                at += 1
                continue
        # Converted again here, in order: the defaults of the rows before it count first.
        for items in result.defaults[counted:at]:
            for key, times in items:
                defaults_used[key] += times
        redone[at] = here(row)
        counted = at + 1
        at += 1
    if not redone:
        defaults_used.update(result.defaults_total)
        if changed:
            problems = list(problems)
            for at, new in changed.items():
                problems[at] = new
        cells = result.cells
        flags = result.lines
        return Chunk(
            numbers,
            result.outcomes,
            result.codes,
            result.cases,
            result.bodies,
            [
                (RawRow(numbers[at], cells[at]), found_problems, flags[at] != 0)
                for at, found_problems in enumerate(problems)
                if found_problems
            ],
        )
    for items in result.defaults[counted:]:
        for key, times in items:
            defaults_used[key] += times
    return chunk_of(_rows_done(result, changed, redone))


def _rows_done(
    result: _Converted, changed: dict[int, tuple[Problem, ...]], redone: dict[int, Done]
) -> Iterator[Done]:
    """A job's rows one by one, with rows ``changed`` (new problems) or ``redone`` here."""
    cases = iter(result.cases.split(b"\n"))
    bodies = iter(result.bodies.split(b"\n"))
    for at, number in enumerate(result.numbers):
        flags = result.lines[at]
        line = next(cases) if flags & 1 else None
        body = next(bodies) if flags & 2 else None
        done = redone.get(at)
        if done is None:
            row = RawRow(number, result.cells[at])
            problems = changed.get(at, result.problems[at])
            done = (row, result.outcomes[at], problems, line, body, result.codes[at])
        yield done
