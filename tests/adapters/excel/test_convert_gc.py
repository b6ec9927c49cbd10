"""Converting leaves no reference cycles behind: every row's objects are freed as soon as the
row is done, so the garbage collector may be held back on large registers without memory
growing (conversion raises its thresholds, see ``_parallel._GC_THRESHOLD``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from cpcase.adapters.excel import ConvertOptions, convert_register, write_sample_register
from cpcase.adapters.excel import convert as conv
from cpcase.adapters.excel.mapping import map_columns
from cpcase.adapters.excel.problems import Severity
from cpcase.adapters.excel.reader import RegisterFile

_TODAY = dt.date(2024, 3, 1)


@contextlib.contextmanager
def saved_garbage() -> Iterator[list[object]]:
    """``gc.garbage`` filled with every object the collector finds unreachable from now on
    (instead of being freed)."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()


def test_rows_leave_no_cycles(tmp_path: Path) -> None:
    # The messy sample: unreadable dates and values (cached coercion errors), rejected rows,
    # duplicates, form-rule failures, 18+ rows.
    register = write_sample_register(tmp_path / "sample.xlsx", rows=400)
    options = ConvertOptions(today=_TODAY, primero=True)
    finish = conv._Finisher(conv._primero_mapper())
    problems: Counter[Severity] = Counter()
    with RegisterFile(register) as book:
        sheet, guess = conv.open_sheet(book, options)
        converter = conv.RowConverter(
            map_columns(list(guess.names), options.mapping), options, sheet=sheet.name
        )
        rows = [row for row in sheet.rows() if row.number > guess.row]
        # A first pass imports and builds what is built once (classes, compiled mappings).
        for row in rows:
            finish(row, converter.convert(row))
        converter = conv.RowConverter(
            map_columns(list(guess.names), options.mapping), options, sheet=sheet.name
        )
        # Caches full of coercion errors, replaced when they fill up, as on a large register.
        converter_cache_size = conv._CACHE_SIZE
        try:
            conv._CACHE_SIZE = 8
            with saved_garbage() as garbage:
                for row in rows:
                    done = finish(row, converter.convert(row))
                    problems.update(p.severity for p in done[2])
                del done
                gc.collect()
                kinds = Counter(type(obj).__name__ for obj in garbage)
        finally:
            conv._CACHE_SIZE = converter_cache_size
    # The check can fail: the sample has rows the coercers and forms reject.
    assert problems[Severity.ERROR] > 20
    assert problems[Severity.WARNING] > 20
    assert not kinds, f"conversion left reference cycles: {kinds.most_common(8)}"


def test_detached_exception_holds_no_frames() -> None:
    def fail() -> None:
        try:
            raise KeyError("inner")
        except KeyError:
            raise ValueError("outer") from None

    try:
        fail()
    except ValueError as exc:
        kept = conv._detached(exc)
    assert kept.__traceback__ is None
    assert kept.__context__ is None
    assert kept.__cause__ is None
    assert str(kept) == "outer"


def test_collector_held_back_only_while_converting(tmp_path: Path) -> None:
    register = write_sample_register(tmp_path / "sample.xlsx", rows=1200)
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    convert_register(
        register,
        tmp_path / "out",
        ConvertOptions(today=_TODAY, workers=1),
        progress=lambda done: seen.append(gc.get_threshold()),
    )
    # Called every 1,000 rows while converting, and once when done.
    assert len(seen) == 2
    assert seen[0][0] >= conv._GC_THRESHOLD
    assert gc.get_threshold() == before
