"""Sharing and statistics: costs against reading the same case files, and suppression scaling.

Baselines are measured in the same run on the same synthetic data (the bundled demo register,
replicated with fresh case codes to ``2000 × scale`` files):

* ``monthly sheet`` (facts as of month end, deadline engine, 40 suppressed tables) against
  parsing the same JSON lines into case files: target ≤ 8×;
* ``share meeting views`` (anonymised view + audit record per file) against parsing: ≤ 6×;
* ``suppress 120×4 table`` (many small cells) against verifying the final pattern once with
  ``feasible_intervals``: ≤ 10× (the search should cost a few verifications, not one per cell).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from benchmarks._common import Result, timed


def _demo_lines(n: int) -> list[str]:
    from cpcase.adapters.excel.demo import demo_convert

    with tempfile.TemporaryDirectory() as tmp:
        demo_convert(tmp, echo=False, primero=False)
        base = (Path(tmp) / "cases.jsonl").read_text("utf-8").splitlines()
    lines = []
    for i in range(n):
        src = base[i % len(base)]
        code = src.split('"case_code":"', 1)[1].split('"', 1)[0]
        lines.append(src.replace(code, f"ML-MOP-ORG-2023-{i + 1:05d}"))
    return lines


def run(scale: float) -> list[Result]:
    from cpcase.case import CaseFile
    from cpcase.rules.sharing import (
        Audience,
        ConsentContext,
        CountTable,
        Purpose,
        Requester,
        Scope,
        feasible_intervals,
        monthly_sheet_from_cases,
        share,
        suppress,
    )

    n = max(50, int(2000 * scale))
    lines = _demo_lines(n)
    cases: list[CaseFile] = []
    parse = timed(lambda: cases.extend(CaseFile.parse_json(line) for line in lines))
    requester = Requester(Audience.ORG_MANAGER, organisation_id="ORG")
    sheet = timed(
        lambda: monthly_sheet_from_cases(
            cases, "2023-10", Scope.parse("org:ORG"), requester=requester
        )
    )
    now = dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC)
    ctx = ConsentContext(actor_id="GC-01", actor_organisation_id="ORG")
    views = timed(
        lambda: [
            share(c, Audience.MEETING, Purpose.CASE_CONFERENCE, consent_context=ctx, now=now)
            for c in cases
        ]
    )
    rng = random.Random(7)
    rows = 120
    cells = tuple(
        tuple(rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 40]) for _ in range(4)) for _ in range(rows)
    )
    table = CountTable(tuple(f"r{i}" for i in range(rows)), ("f", "m", "o", "u"), cells)
    found = []
    search = timed(lambda: found.append(suppress(table)))
    check = timed(lambda: feasible_intervals(table.grid(), found[0].suppressed))
    return [
        Result(f"monthly sheet, {n} case files / parse", sheet, parse, 8.0),
        Result(f"share meeting views, {n} case files / parse", views, parse, 6.0),
        Result("suppress 120x4 table / one exact verification", search, check, 10.0),
    ]
