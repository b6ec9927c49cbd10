"""age encryption: cpcase against the reference ``age`` command on the same 1 GiB file.

Each side runs in its own process on the same input, interleaved over five rounds (who goes
first alternates), with the outputs deleted and ``sync`` run before every measurement so that
neither side pays for the other's dirty pages. Best of five on each side: the machine may be
shared, and single runs of either side vary by 2-3x there.

* ``age``: wall-clock time of the whole ``age -e`` / ``age -d`` process; "durable" adds the
  ``fsync`` of its output, measured right after it exits.
* cpcase: wall-clock time of the operation inside a fresh process, between two opened regular
  files (the code path of ``encrypt_file``/``decrypt_file``, which uses one process per CPU
  for files of 8 MiB or more: itself and forked workers), and "durable" for ``encrypt_file``/``decrypt_file`` themselves
  (temp file, ``fsync``, rename). Python start-up and the import of ``cpcase`` are excluded
  from the ratios and reported in the note as whole-process throughput.

Results: throughput ratios cpcase/age for encrypt and decrypt, plain and durable (target >=
1.0; the notes add the ratio of the medians), and cpcase's peak memory summed over its
processes against 100 MB (target <= 1.0): the parent's peak RSS plus, for each worker, the
largest worker peak RSS (``RUSAGE_CHILDREN``), an upper bound since the peaks need not
coincide and forked workers share pages with the parent. A separate, untimed run per
direction samples ``/proc`` every 20 ms and reports the summed RSS and PSS (shared pages
counted once) in the note. Notes add CPU seconds per GiB (workers included), a fairer
comparison when the machine is shared, and the load average before and after.
"""

from __future__ import annotations

import filecmp
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import Result

GIB = 1024**3
ROUNDS = 5
_WORK = Path(__file__).resolve().parent / "_work"

_CHILD = r"""
import json, os, resource, sys, time
from cpcase.adapters.age import decrypt_file, encrypt_file, read_identity_file
from cpcase.adapters.age.core import _decrypt_files, _encrypt_files
from cpcase.adapters.age.parallel import choose_workers
mode, src, dst, keyfile = sys.argv[1:5]
ids = read_identity_file(keyfile)
def cpu():
    mine = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime
cpu0, start = cpu(), time.perf_counter()
if mode == "encrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        _encrypt_files(fin, fout, [ids[0].recipient])
elif mode == "decrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        _decrypt_files(fin, fout, ids)
elif mode == "encrypt_file":
    encrypt_file(src, dst, [ids[0].recipient], overwrite=True)
else:
    decrypt_file(src, dst, ids, overwrite=True)
print(json.dumps({
    "op": time.perf_counter() - start,
    "cpu": cpu() - cpu0,
    "workers": choose_workers(os.path.getsize(src)),
    "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "worker_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}))
"""


def _make_input(path: Path, size: int) -> None:
    block = 4 * 1024 * 1024
    with path.open("wb") as handle:
        left = size
        while left > 0:
            n = min(block, left)
            handle.write(os.urandom(n))
            left -= n


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _argv(mode: str, src: Path, dst: Path, keyfile: Path) -> list[str]:
    return [sys.executable, "-c", _CHILD, mode, str(src), str(dst), str(keyfile)]


def _ours(mode: str, src: Path, dst: Path, keyfile: Path) -> dict[str, float]:
    """One cpcase run in a fresh process: op/process seconds, CPU seconds, memory bound MB."""
    dst.unlink(missing_ok=True)
    os.sync()
    start = time.perf_counter()
    out = subprocess.run(
        _argv(mode, src, dst, keyfile), capture_output=True, check=True, text=True
    )
    process = time.perf_counter() - start
    report = json.loads(out.stdout)
    workers = report["workers"]
    return {
        "op": report["op"],
        "process": process,
        "cpu": report["cpu"],
        "workers": workers,
        "mem_mb": (report["self_kb"] + (workers - 1) * report["worker_kb"]) / 1024,
    }


def _fsync(path: Path) -> float:
    start = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def _theirs(argv: list[str], dst: Path) -> dict[str, float]:
    """One ``age`` run: process wall seconds, CPU seconds, then the fsync of its output."""
    dst.unlink(missing_ok=True)
    os.sync()
    cpu0, start = _children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    op = time.perf_counter() - start
    cpu = _children_cpu() - cpu0
    return {"op": op, "cpu": cpu, "durable": op + _fsync(dst)}


def _tree_memory(root: int) -> tuple[int, int]:
    """Summed (RSS, PSS) in kB of ``root`` and its direct children, from ``/proc``."""
    pids = [root]
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == root:
                pids.append(int(entry.name))
    rss = pss = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key == "Rss":
                rss += int(value.split()[0])
            elif key == "Pss":
                pss += int(value.split()[0])
    return rss, pss


def _sampled(mode: str, src: Path, dst: Path, keyfile: Path) -> tuple[float, float]:
    """Peak summed RSS and PSS (MB) of one cpcase run and its workers, sampled every 20 ms."""
    dst.unlink(missing_ok=True)
    peak_rss = peak_pss = 0
    with subprocess.Popen(_argv(mode, src, dst, keyfile), stdout=subprocess.DEVNULL) as proc:
        while proc.poll() is None:
            rss, pss = _tree_memory(proc.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.02)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, mode)
    return peak_rss / 1024, peak_pss / 1024


def _median_ratio(
    base: list[dict[str, float]], base_key: str, ours: list[dict[str, float]], our_key: str
) -> float:
    """Throughput ratio cpcase/age of the median times (best-of hides the spread)."""
    return statistics.median(r[base_key] for r in base) / statistics.median(
        r[our_key] for r in ours
    )


def run(scale: float) -> list[Result]:
    """Encrypt and decrypt ``scale`` GiB with cpcase and with ``age``; compare."""
    from cpcase.adapters.age import X25519Identity, write_identity_file

    age = shutil.which("age")
    if age is None:
        raise RuntimeError("bench_age needs the reference `age` binary (apt-get install age)")
    size = max(1024 * 1024, int(GIB * scale))
    mib = size / 1024**2
    load_before = os.getloadavg()[0]
    _WORK.mkdir(exist_ok=True)
    modes = ("encrypt", "decrypt")
    ours: dict[str, list[dict[str, float]]] = {
        m: [] for m in (*modes, "encrypt_file", "decrypt_file")
    }
    theirs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory(dir=_WORK) as tmp:
        work = Path(tmp)
        plain = work / "plain.bin"
        _make_input(plain, size)
        identity = X25519Identity.generate()
        keyfile = work / "key.txt"
        write_identity_file(keyfile, [identity], created=datetime.now(UTC))
        # age encrypts to a.age and decrypts our c.age; we encrypt to c.age and decrypt a.age.
        age_runs = {
            "encrypt": ([age, "-e", "-r", str(identity.recipient), "-o"], work / "a.age", plain),
            "decrypt": ([age, "-d", "-i", str(keyfile), "-o"], work / "a.out", work / "c.age"),
        }
        our_runs = {
            "encrypt": (plain, work / "c.age"),
            "decrypt": (work / "a.age", work / "c.out"),
            "encrypt_file": (plain, work / "e.age"),
            "decrypt_file": (work / "a.age", work / "d.out"),
        }
        for i in range(ROUNDS):
            order = ("age", "cpcase") if i % 2 == 0 else ("cpcase", "age")
            for mode in modes:
                for who in order:
                    if who == "age":
                        argv, dst, src = age_runs[mode]
                        theirs[mode].append(_theirs([*argv, str(dst), str(src)], dst))
                    else:
                        ours[mode].append(_ours(mode, *our_runs[mode], keyfile))
                        fmode = f"{mode}_file"
                        ours[fmode].append(_ours(fmode, *our_runs[fmode], keyfile))
        # Both sides produced the whole plaintext, and age opened what we wrote.
        for name in ("a.out", "c.out", "d.out"):
            if not filecmp.cmp(plain, work / name, shallow=False):
                raise RuntimeError(f"bench_age: {name} differs from the input")
        sampled = {m: _sampled(m, *our_runs[m], keyfile) for m in modes}
    load = f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"

    gib = size / GIB
    results = []
    for mode in modes:
        mine, durable, base = ours[mode], ours[f"{mode}_file"], theirs[mode]
        note = (
            f"{mib:.0f} MiB, {mine[0]['workers']:.0f} process(es), best of {ROUNDS} (ratio of "
            f"medians {_median_ratio(base, 'op', mine, 'op'):.2f}); CPU s/GiB "
            f"cpcase {min(r['cpu'] for r in mine) / gib:.2f} vs age "
            f"{min(r['cpu'] for r in base) / gib:.2f}; cpcase whole process "
            f"{mib / min(r['process'] for r in mine):.0f} MB/s; {load}"
        )
        results.append(
            Result(
                f"age: {mode} throughput cpcase/age",
                mib / min(r["op"] for r in mine),
                mib / min(r["op"] for r in base),
                1.0,
                unit="MB/s",
                higher_is_better=True,
                note=note,
            )
        )
        results.append(
            Result(
                f"age: {mode}_file (fsync+rename) / age+fsync",
                mib / min(r["op"] for r in durable),
                mib / min(r["durable"] for r in base),
                1.0,
                unit="MB/s",
                higher_is_better=True,
                note=(
                    f"{mib:.0f} MiB, best of {ROUNDS} (ratio of medians "
                    f"{_median_ratio(base, 'durable', durable, 'op'):.2f}), "
                    "outputs made durable on both sides"
                ),
            )
        )
    peak = max(r["mem_mb"] for runs in ours.values() for r in runs)
    results.append(
        Result(
            "age: cpcase peak memory, all processes, vs 100 MB",
            peak,
            100.0,
            1.0,
            unit="MB",
            note=(
                f"{mib:.0f} MiB file; parent peak RSS + workers x worker peak RSS (upper "
                "bound, interpreter and imports included); sampled summed RSS/PSS: "
                + ", ".join(f"{m} {rss:.0f}/{pss:.0f} MB" for m, (rss, pss) in sampled.items())
            ),
        )
    )
    return results
