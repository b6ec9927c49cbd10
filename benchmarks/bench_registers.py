"""Excel registers (issue 5): conversion speed and memory, export speed.

- **convert**: a generated 100,000-row × 20-column register converted end to end (read, map,
  validate, write cases.jsonl and, when the Primero adapter is installed, cases.primero.jsonl,
  plus report.xlsx, rows.csv and summary.json), against openpyxl read-only merely iterating the
  same file's rows. Target: at most 0.2×.
- **memory**: peak memory of the conversion in a fresh process *and its worker processes* at
  the full size (target: under 300 MB) and at a quarter of it (target: the full size needs at
  most 1.25× the memory of the quarter size, i.e. memory does not grow with the row count).
  Memory is the sum over the process tree of each process's proportional set size (PSS: pages
  shared after fork are split between the processes sharing them, so nothing is counted
  twice), sampled every 20 ms; the summed RSS, which counts shared pages once per process, is
  given in the note as an upper bound.
- **export**: exporting 100,000 cases to Excel against a bare openpyxl write-only loop writing
  the same values (read back from cpcase's export; the time to read them is subtracted).
  Target: at most 1.2×.

``python -m benchmarks bench_registers`` runs it; ``BENCH_SCALE=0.1`` shrinks it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import Result

_ROWS = 100_000
_TODAY = dt.date(2024, 3, 1)


def _openpyxl_iterate(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            count += 1
    workbook.close()
    return count


def _convert(path: Path, out: Path, *, primero: bool = True) -> dict[str, object]:
    from cpcase.adapters.excel import ConvertOptions, convert_register

    summary = convert_register(path, out, ConvertOptions(today=_TODAY, primero=primero))
    return summary.to_json()


_CHILD = """
import datetime as dt, json, sys
from pathlib import Path
from cpcase.adapters.excel import ConvertOptions, convert_register
summary = convert_register(Path(sys.argv[1]), Path(sys.argv[2]),
                           ConvertOptions(today=dt.date(2024, 3, 1), primero=True))
print(json.dumps({"rows": summary.rows_read}))
"""


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    out = [pid]
    for current in out:
        try:
            tasks = Path(f"/proc/{current}/task").iterdir()
            for task in tasks:
                out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def _memory_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_memory(path: Path, out: Path) -> tuple[float, float]:
    """Peak (PSS, RSS) in MB summed over the conversion's process tree, sampled every 20 ms."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    pss = rss = 0
    while process.poll() is None:
        pids = _tree(process.pid)
        pss = max(pss, sum(_memory_kb(p, "Pss:") for p in pids))
        rss = max(rss, sum(_memory_kb(p, "Rss:") for p in pids))
        time.sleep(0.02)
    _, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"conversion failed: {err.decode(errors='replace')[-2000:]}")
    return pss / 1024, rss / 1024


def _cases_file(source: Path, target: Path, count: int) -> None:
    """``count`` case lines, cycling through ``source`` (distinct codes are not needed)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    with target.open("w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(lines[i % len(lines)])
            fh.write("\n")


def _openpyxl_write_same(export: Path, target: Path) -> float:
    """Seconds openpyxl write-only needs to write the values of ``export`` (reading them with
    cpcase's reader is timed separately and subtracted)."""
    import openpyxl

    from cpcase.adapters.excel.reader import RegisterFile

    with RegisterFile(export) as register:
        start = time.perf_counter()
        for name in register.sheet_names:
            for _row in register.sheet(name).rows():
                pass
        reading = time.perf_counter() - start
    with RegisterFile(export) as register:
        start = time.perf_counter()
        book = openpyxl.Workbook(write_only=True)
        for name in register.sheet_names:
            sheet = book.create_sheet(name)
            for row in register.sheet(name).rows():
                sheet.append(list(row.cells))
        book.save(target)
        both = time.perf_counter() - start
    return max(both - reading, 1e-9)


def run(scale: float) -> list[Result]:
    """Measure conversion, memory and export at ``scale`` × 100,000 rows."""
    from cpcase.adapters.excel import export_cases, write_large_register

    rows = max(int(_ROWS * scale), 1000)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-registers-") as tmp:
        base = Path(tmp)
        register = write_large_register(base / "register.xlsx", rows=rows)
        quarter = write_large_register(base / "quarter.xlsx", rows=rows // 4, seed=8)

        start = time.perf_counter()
        _openpyxl_iterate(register)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        summary = _convert(register, base / "out")
        measured = time.perf_counter() - start
        primero = "with" if summary["primero"] == "written" else "WITHOUT (adapter missing)"
        results.append(
            Result(
                f"registers: convert {rows}x20 vs openpyxl iterate",
                measured,
                baseline,
                0.2,
                note=f"{primero} cases.primero.jsonl; {summary['rows']}",
            )
        )

        start = time.perf_counter()
        _convert(register, base / "out-no-primero", primero=False)
        without = time.perf_counter() - start
        results.append(
            Result(
                f"registers: convert {rows}x20, no Primero bodies",
                without,
                baseline,
                0.2,
                note="same, without cases.primero.jsonl (for diagnosis)",
            )
        )

        full, full_rss = _peak_memory(register, base / "mem-full")
        small, small_rss = _peak_memory(quarter, base / "mem-quarter")
        results.append(
            Result(
                f"registers: peak memory (PSS, all processes) convert {rows} rows vs 300 MB",
                full,
                300.0,
                1.0,
                unit="MB",
                note=f"summed RSS {full_rss:.0f} MB",
            )
        )
        results.append(
            Result(
                f"registers: peak memory {rows} rows vs {rows // 4} rows",
                full,
                small,
                1.25,
                unit="MB",
                note=f"memory must not grow with the row count (summed RSS {small_rss:.0f} MB)",
            )
        )

        cases = base / "cases.jsonl"
        _cases_file(base / "out" / "cases.jsonl", cases, rows)
        start = time.perf_counter()
        export_cases(cases, base / "export.xlsx")
        exported = time.perf_counter() - start
        bare = _openpyxl_write_same(base / "export.xlsx", base / "openpyxl.xlsx")
        results.append(
            Result(
                f"registers: export {rows} cases vs openpyxl write-only",
                exported,
                bare,
                1.2,
            )
        )
    return results


if __name__ == "__main__":
    for result in run(float(os.environ.get("BENCH_SCALE", "1.0"))):
        print(result)
