"""Pull cases from Primero into cpcase case files (``cpcase pull``).

Pages through ``GET /api/v2/cases`` (``per`` up to 1000, oldest first), optionally only the
cases updated since a date (``last_updated_at`` range), and reads each record back with
:func:`~cpcase.adapters.primero.mapping.primero_to_case`. When local case files are given as
``base`` (matched by Primero id, then by case code), Primero's values update them; Primero
fields cpcase does not model are kept in ``extra_fields["primero"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from cpcase.adapters.primero.client import PrimeroClient, Range
from cpcase.adapters.primero.mapping import (
    PrimeroMapping,
    PullResult,
    default_mapping,
    map_case,
    primero_to_case,
)
from cpcase.adapters.primero.push import write_jsonl_atomic
from cpcase.case import CaseFile

__all__ = ["PullSummary", "base_index", "iter_pulled", "pull_to_jsonl"]


@attrs.frozen
class PullSummary:
    """How many cases were written, how many merged into a local file, and the warnings
    (``(case code, path, message)``)."""

    written: int
    merged: int
    warnings: tuple[tuple[str, str, str], ...] = ()

    def render(self) -> str:
        """One line for people, plus one line per warning."""
        lines = [f"pulled {self.written} case(s) ({self.merged} merged into local files)"]
        lines += [f"warning {code}: {path}: {msg}" for code, path, msg in self.warnings]
        return "\n".join(lines)


def base_index(
    cases: Iterable[CaseFile], mapping: PrimeroMapping | None = None
) -> dict[str, CaseFile]:
    """Local case files by Primero record id and by case code (for matching pulled records)."""
    m = mapping or default_mapping()
    index: dict[str, CaseFile] = {}
    for case in cases:
        index[map_case(case, m).record_id] = case
        index[f"code:{case.case_code}"] = case
    return index


def iter_pulled(
    client: PrimeroClient,
    *,
    today: dt.date,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    base: Mapping[str, CaseFile] | None = None,
    mapping: PrimeroMapping | None = None,
    per: int = 1000,
) -> Iterator[tuple[PullResult, bool]]:
    """Yield ``(result, merged)`` for every case of the mapping's module.

    ``since``/``until`` (aware date-times) filter on ``last_updated_at``; ``until`` defaults to
    the end of ``today``.
    """
    m = mapping or default_mapping()
    filters: dict[str, Any] = {"module_id": m.module_id}
    if since is not None:
        end = until or dt.datetime.combine(today, dt.time.max, tzinfo=dt.UTC)
        filters["last_updated_at"] = Range(since, end)
    for record in client.iter_cases(per=per, filters=filters):
        local = None
        if base:
            local = base.get(str(record.get("id"))) or base.get(f"code:{record.get(m.id_field)}")
        yield primero_to_case(record, today=today, base=local, mapping=m), local is not None


def pull_to_jsonl(
    client: PrimeroClient,
    out: Path,
    *,
    today: dt.date,
    since: dt.datetime | None = None,
    base: Iterable[CaseFile] = (),
    mapping: PrimeroMapping | None = None,
    per: int = 1000,
) -> PullSummary:
    """Write every pulled case file to ``out`` (JSON lines, atomically)."""
    m = mapping or default_mapping()
    index = base_index(base, m)
    warnings: list[tuple[str, str, str]] = []
    merged = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal merged
        for result, was_merged in iter_pulled(
            client, today=today, since=since, base=index, mapping=m, per=per
        ):
            merged += int(was_merged)
            warnings.extend((result.case.case_code, p, w) for p, w in result.warnings)
            yield result.case.model_dump(mode="json")

    written = write_jsonl_atomic(out, rows())
    return PullSummary(written=written, merged=merged, warnings=tuple(warnings))
