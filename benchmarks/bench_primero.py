"""Push throughput to a fake Primero with 20 ms latency, against a naive requests.post loop.

The fake server runs in its own process (``cpcase fake-primero --latency 20 --rate-limit``) so
that its CPU does not compete with the client's threads. Both the baseline and cpcase's push
create the same number of (distinct) cases in the same run:

- baseline: a sequential loop of ``requests.post`` with no session reuse (a new connection and
  TLS-less handshake per request), the way a first script usually does it;
- cpcase: ``push_cases`` (schema check, mapping, journal-free upsert) with 16 workers over one
  pooled session, rate-limited on the client side below the server's 429 threshold.

The target is a throughput ratio of at least 5x with no 429 received.

A second measurement times the mapping alone (``case_to_primero``) on the cases converted from
a generated 10,000-row register (``10000 * scale`` rows), against openpyxl read-only merely
iterating the same file's rows (the baseline of the register conversion's 0.2x budget, issue
5). Target: the mapping takes at most 0.05x, a quarter of that budget. The note gives the
microseconds per case (54 before the mapping was compiled into flat steps, 21 after, on the
2-core development machine).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from benchmarks._common import Result
from cpcase.adapters.primero import (
    BasicAuth,
    CaseSchema,
    PrimeroClient,
    RequestsTransport,
    case_to_primero,
    map_case,
    push_cases,
)
from cpcase.case import CaseFile
from cpcase.forms import RegistrationForm

__all__ = ["run"]

USER, PASSWORD = "cpcase-svc", "fake-primero-only"
LATENCY_MS = 20
SERVER_LIMIT = (600, 1.0)  # the fake answers 429 beyond 600 requests per second
CLIENT_RATE = 500.0  # stay below it
WORKERS = 16


def _cases(n: int, org: str) -> list[CaseFile]:
    out = []
    for i in range(1, n + 1):
        code = f"ML-MOP-{org}-2026-{i:05d}"
        reg = RegistrationForm.model_validate(
            {
                "case_code": code,
                "form_date": dt.date(2026, 3, 2),
                "identification_date": dt.date(2026, 3, 1),
                "registration_date": dt.date(2026, 3, 2),
                "identification_source": "outreach",
                "identified_by": "cp_organisation",
                "name_first": "Synthetic",
                "name_last": f"Child{i}",
                "sex": "female" if i % 2 else "male",
                "age": i % 18,
                "age_status": "documented",
                "protection_concern_primary": "neglect",
                "eligibility_outcome": "case_opened",
            },
            context={"today": dt.date(2026, 11, 1)},
        )
        out.append(CaseFile(case_code=code, organisation_id=org, registration=reg))
    return out


def _start_server() -> tuple[subprocess.Popen[str], str]:
    limit = f"{SERVER_LIMIT[0]}/{SERVER_LIMIT[1]:g}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cpcase",
            "fake-primero",
            "--port",
            "0",
            "--quiet",
            "--latency",
            str(LATENCY_MS),
            "--rate-limit",
            limit,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise RuntimeError("fake Primero did not start")
    return proc, url


def _register_cases(path: Path) -> list[CaseFile]:
    """The cases converted from the register at ``path`` (as ``cpcase convert`` maps them)."""
    from cpcase.adapters.excel import ConvertOptions
    from cpcase.adapters.excel.convert import RowConverter, open_sheet
    from cpcase.adapters.excel.mapping import map_columns
    from cpcase.adapters.excel.reader import RegisterFile

    options = ConvertOptions(today=dt.date(2024, 3, 1))
    with RegisterFile(path) as register:
        sheet, guess = open_sheet(register, options)
        rows = [r for r in sheet.rows() if r.number > guess.row]
    convert = RowConverter(
        map_columns(list(guess.names), options.mapping), options, sheet=sheet.name
    ).convert
    return [r.case for r in map(convert, rows) if r.outcome == "converted" and r.case is not None]


def _openpyxl_iterate(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            count += 1
    workbook.close()
    return count


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_mapping(scale: float) -> Result:
    """``case_to_primero`` over converted register cases vs openpyxl iterating the register."""
    from cpcase.adapters.excel import write_large_register

    rows = max(500, int(10_000 * scale))
    with tempfile.TemporaryDirectory(prefix="cpcase-bench-") as tmp:
        path = write_large_register(Path(tmp) / "register.xlsx", rows=rows)
        cases = _register_cases(path)
        baseline = _best(lambda: _openpyxl_iterate(path), 2)

    def map_all() -> None:
        for case in cases:  # bodies dropped one by one, as the converter writes them
            case_to_primero(case)

    mapping = _best(map_all, 5)
    return Result(
        name="primero: map register cases vs openpyxl iterate",
        measured=mapping,
        baseline=baseline,
        target=0.05,
        note=(
            f"{len(cases)} cases from {rows} rows, {mapping / len(cases) * 1e6:.1f} us/case, "
            f"openpyxl {baseline / rows * 1e6:.0f} us/row, best of 5 and 2"
        ),
    )


def run(scale: float) -> list[Result]:
    """Push ``2000 * scale`` cases both ways and compare throughput; time the mapping."""
    return [run_push(scale), run_mapping(scale)]


def run_push(scale: float) -> Result:
    """Push ``2000 * scale`` cases both ways and compare throughput."""
    n = max(50, int(2000 * scale))
    proc, url = _start_server()
    try:
        baseline_bodies = [map_case(c).create_body() for c in _cases(n, "BASE")]
        start = time.perf_counter()
        for body in baseline_bodies:
            resp = requests.post(  # a new connection every time: no session reuse
                url + "/api/v2/cases", json=body, auth=(USER, PASSWORD), timeout=30
            )
            if resp.status_code == 429:
                time.sleep(float(resp.headers.get("Retry-After", "1")))
            elif resp.status_code not in (200, 204):
                raise RuntimeError(f"baseline: HTTP {resp.status_code}")
        naive = time.perf_counter() - start

        cases = _cases(n, "CPCASE")
        client = PrimeroClient(
            base_url=url,
            auth=BasicAuth(USER, PASSWORD),
            transport=RequestsTransport(pool_maxsize=WORKERS),
            rate_limit=CLIENT_RATE,
        )
        start = time.perf_counter()
        summary = push_cases(client, cases, schema=CaseSchema.load(client), workers=WORKERS)
        ours = time.perf_counter() - start
        if not summary.ok:
            raise RuntimeError(summary.render())
        stats = client.stats.snapshot()
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    too_many = stats["statuses"].get(429, 0)
    note = (
        f"{n} cases, {LATENCY_MS} ms latency, {WORKERS} workers, {stats['requests']} requests, "
        f"{too_many} x 429 (server limit {SERVER_LIMIT[0]}/{SERVER_LIMIT[1]:g}s)"
    )
    # A 429 means the limit was exceeded: report it as a failed ratio rather than hide it.
    measured = n / ours if too_many == 0 else 0.0
    return Result(
        name="primero push vs naive requests.post loop",
        measured=measured,
        baseline=n / naive,
        target=5.0,
        unit="rec/s",
        higher_is_better=True,
        note=note,
    )


if __name__ == "__main__":
    for result in run(float(os.environ.get("BENCH_SCALE", "1.0"))):
        print(
            f"{result.name}: {result.measured:.3g} vs {result.baseline:.3g} {result.unit} "
            f"= {result.ratio:.3g}x (target {result.target}x) {result.note}"
        )
