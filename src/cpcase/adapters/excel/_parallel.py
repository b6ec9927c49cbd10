"""Converting a large register on every CPU: blocks of rows go to worker processes, which parse,
convert, validate and serialise them; this process writes the outputs in row order.

The result is the one a single process gives, byte for byte. One row's conversion depends on
earlier rows only through :class:`~cpcase.adapters.excel.convert._Claims` (register numbers,
children and case codes already seen, for duplicate warnings and unique case codes). Workers
convert each row as if nothing had been claimed and record the keys it looked at; this process
replays those claims in row order and, in the rare case one was already taken, converts that
row again itself with the real state.

Workers are forked (they inherit the open sheet, the converter and the Primero mapper), so this
path is used where ``fork`` exists (Linux, macOS); elsewhere conversion stays in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cpcase.adapters.excel._xlsx import XlsxSheet
from cpcase.adapters.excel.cells import RawRow
from cpcase.adapters.excel.problems import Problem
from cpcase.adapters.excel.reader import Sheet

__all__ = ["Done", "can_fork", "convert_parallel"]

#: One converted row as the output writer needs it: the row, its outcome, its problems, the
#: case's JSON line (or ``None``), the Primero body's JSON line (or ``None``), the case code.
Done = tuple[RawRow, str, tuple[Problem, ...], str | None, str | None, str]
#: Converts one row in this process (with the register's real state) into a :data:`Done`.
ConvertHere = Callable[[RawRow], Done]

_CSV_BATCH = 2000
# Set in the parent just before the pool forks; the workers read their copy.
_STATE: _WorkerState | None = None


class _WorkerState:
    """What a forked worker needs: the sheet (to parse blocks), the header row, the converter
    and the per-row function that turns a converted row into output lines."""

    def __init__(self, sheet: Sheet, header_row: int, converter: Any, finish: Any) -> None:
        self.sheet = sheet
        self.header_row = header_row
        self.converter = converter
        self.finish = finish


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    return "fork" in multiprocessing.get_all_start_methods()


def _init_worker() -> None:
    from cpcase.adapters.excel.convert import _Recorder

    state = _STATE
    assert state is not None  # noqa: S101 - set by the parent before forking
    state.converter._claims = _Recorder()
    # Everything inherited stays alive for the worker's life: keep the collector off it, and
    # collect young objects less often (rows allocate many small containers, few cycles).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _rows_of(state: _WorkerState, job: tuple[Any, ...]) -> list[RawRow]:
    if job[0] == "xlsx":
        sheet = state.sheet
        assert isinstance(sheet, XlsxSheet)  # noqa: S101 - xlsx jobs come from xlsx sheets
        return sheet.parse_block(job[1], job[2], job[3])
    return list(job[1])


def _convert_job(job: tuple[Any, ...]) -> list[tuple[Any, ...]] | None:
    """Convert one job's rows; ``None`` when anything fails (the parent redoes the job itself
    and raises the real error: exceptions do not always survive pickling)."""
    state = _STATE
    assert state is not None  # noqa: S101 - set by the parent before forking
    converter = state.converter
    recorder = converter._claims
    defaults = converter.defaults_used
    finish = state.finish
    header = state.header_row
    out: list[tuple[Any, ...]] = []
    try:
        for row in _rows_of(state, job):
            if row.number <= header:
                continue
            recorder.claims = []
            if defaults:
                defaults.clear()
            _, outcome, problems, line, body, code = finish(row, converter.convert(row))
            out.append(
                (
                    row.number,
                    row.cells,
                    outcome,
                    problems,
                    line,
                    body,
                    code,
                    tuple(recorder.claims),
                    tuple(defaults.items()) if defaults else (),
                )
            )
    except Exception:
        return None
    return out


class _Jobs:
    """The sheet cut into jobs (XML blocks of an xlsx sheet, batches of rows otherwise), read
    in the pool's feeder thread. Jobs are kept until their result is used, so that a failed one
    can be redone; a reading error is kept for the parent to raise in order."""

    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet
        self._lock = threading.Lock()
        self._kept: dict[int, tuple[Any, ...]] = {}
        self.error: BaseException | None = None

    def _generate(self) -> Iterator[tuple[Any, ...]]:
        sheet = self._sheet
        if isinstance(sheet, XlsxSheet):
            for prologue, block, epilogue in sheet.blocks():
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

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        try:
            for index, job in enumerate(self._generate()):
                with self._lock:
                    self._kept[index] = job
                yield job
        except Exception as exc:
            self.error = exc

    def take(self, index: int) -> tuple[Any, ...]:
        """Job ``index``, forgotten once taken."""
        with self._lock:
            return self._kept.pop(index)


def convert_parallel(
    sheet: Sheet,
    header_row: int,
    converter: Any,
    finish: Callable[[RawRow, Any], Done],
    workers: int,
) -> Iterator[Done]:
    """Every row below ``header_row`` converted by ``workers`` forked processes, in row order,
    as ``finish(row, converter.convert(row))`` would give them in this process."""
    global _STATE
    claims = converter._claims
    jobs = _Jobs(sheet)

    def here(row: RawRow) -> Done:
        return finish(row, converter.convert(row))

    _STATE = _WorkerState(sheet, header_row, converter, finish)
    context = multiprocessing.get_context("fork")
    try:
        with context.Pool(workers, initializer=_init_worker) as pool:
            for index, result in enumerate(pool.imap(_convert_job, jobs)):
                job = jobs.take(index)
                if result is None:
                    yield from _redo(sheet, job, header_row, here)
                    continue
                yield from _replay(result, claims, converter.defaults_used, here)
    finally:
        _STATE = None
    if jobs.error is not None:
        raise jobs.error


def _redo(
    sheet: Sheet, job: tuple[Any, ...], header_row: int, here: ConvertHere
) -> Iterator[Done]:
    rows: Iterable[RawRow]
    if job[0] == "xlsx":
        assert isinstance(sheet, XlsxSheet)  # noqa: S101 - xlsx jobs come from xlsx sheets
        rows = sheet.parse_block(job[1], job[2], job[3])
    else:
        rows = job[1]
    for row in rows:
        if row.number > header_row:
            yield here(row)


def _replay(
    result: list[tuple[Any, ...]], claims: Any, defaults_used: Any, here: ConvertHere
) -> Iterator[Done]:
    for number, cells, outcome, problems, line, body, code, keys, defaults in result:
        row = RawRow(number, cells)
        if keys and not claims.replay(keys, number):
            yield here(row)
            continue
        if defaults:
            defaults_used.update(dict(defaults))
        yield row, outcome, problems, line, body, code
