"""age encryption: cpcase against the reference ``age`` command on the same 1 GiB file.

Each side runs in its own process on the same input, interleaved over five rounds (who goes
first alternates), with the outputs deleted and ``sync`` run before every measurement so that
neither side pays for the other's dirty pages. Best of five on each side: the machine may be
shared, and single runs of either side vary by 2-3x there.

* ``age``: wall-clock time of the whole ``age -e`` / ``age -d`` process.
* cpcase: wall-clock time of the operation inside a fresh process (``encrypt``/``decrypt``
  between opened files). Python start-up and the import of ``cpcase`` (about 0.5-1 s, mostly
  the forms package pulled in by ``cpcase/__init__``) are excluded from the ratio and reported
  in the note as whole-process throughput.

Results: throughput ratios cpcase/age for encrypt and decrypt (target >= 1.0) and cpcase's peak
RSS against 100 MB (target <= 1.0). Notes add CPU seconds per GiB for both sides (a fairer
comparison when the machine is shared) and the throughput of ``decrypt_file``, which also
fsyncs and renames atomically (disk-bound).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
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
import json, resource, sys, time
from cpcase.adapters.age import decrypt, decrypt_file, encrypt, read_identity_file
mode, src, dst, keyfile = sys.argv[1:5]
ids = read_identity_file(keyfile)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
cpu0, start = cpu(), time.perf_counter()
if mode == "encrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        encrypt(fin, fout, [ids[0].recipient])
elif mode == "decrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        decrypt(fin, fout, ids)
else:
    decrypt_file(src, dst, ids, overwrite=True)
print(json.dumps({
    "op": time.perf_counter() - start,
    "cpu": cpu() - cpu0,
    "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
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


def _ours(mode: str, src: Path, dst: Path, keyfile: Path) -> dict[str, float]:
    """One cpcase run in a fresh process: op/process seconds, op CPU seconds, peak RSS MB."""
    dst.unlink(missing_ok=True)
    os.sync()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(src), str(dst), str(keyfile)],
        capture_output=True,
        check=True,
        text=True,
    )
    process = time.perf_counter() - start
    report = json.loads(out.stdout)
    return {
        "op": report["op"],
        "process": process,
        "cpu": report["cpu"],
        "rss_mb": report["maxrss_kb"] / 1024,
    }


def _theirs(argv: list[str], dst: Path) -> dict[str, float]:
    """One ``age`` run: process wall seconds and CPU seconds."""
    dst.unlink(missing_ok=True)
    os.sync()
    cpu0, start = _children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return {"op": time.perf_counter() - start, "cpu": _children_cpu() - cpu0}


def run(scale: float) -> list[Result]:
    """Encrypt and decrypt ``scale`` GiB with cpcase and with ``age``; compare."""
    from cpcase.adapters.age import X25519Identity, write_identity_file

    age = shutil.which("age")
    if age is None:
        raise RuntimeError("bench_age needs the reference `age` binary (apt-get install age)")
    size = max(1024 * 1024, int(GIB * scale))
    mib = size / 1024**2
    _WORK.mkdir(exist_ok=True)
    ours: dict[str, list[dict[str, float]]] = {"encrypt": [], "decrypt": []}
    theirs: dict[str, list[dict[str, float]]] = {"encrypt": [], "decrypt": []}
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
        }
        for i in range(ROUNDS):
            order = ("age", "cpcase") if i % 2 == 0 else ("cpcase", "age")
            for mode in ("encrypt", "decrypt"):
                for who in order:
                    if who == "age":
                        argv, dst, src = age_runs[mode]
                        theirs[mode].append(_theirs([*argv, str(dst), str(src)], dst))
                    else:
                        ours[mode].append(_ours(mode, *our_runs[mode], keyfile))
            for name in ("a.out", "c.out"):  # both sides produced the whole plaintext
                assert (work / name).stat().st_size == size
        durable = _ours("decrypt_file", work / "a.age", work / "d.out", keyfile)
        assert (work / "d.out").stat().st_size == size

    gib = size / GIB
    results = []
    for mode in ("encrypt", "decrypt"):
        op = min(r["op"] for r in ours[mode])
        base = min(r["op"] for r in theirs[mode])
        note = (
            f"{mib:.0f} MiB, best of {ROUNDS}; CPU s/GiB cpcase "
            f"{min(r['cpu'] for r in ours[mode]) / gib:.2f} vs age "
            f"{min(r['cpu'] for r in theirs[mode]) / gib:.2f}; cpcase whole process "
            f"{mib / min(r['process'] for r in ours[mode]):.0f} MB/s"
        )
        if mode == "decrypt":
            note += f"; decrypt_file (fsync+rename) {mib / durable['op']:.0f} MB/s"
        results.append(
            Result(
                f"age: {mode} throughput cpcase/age",
                mib / op,
                mib / base,
                1.0,
                unit="MB/s",
                higher_is_better=True,
                note=note,
            )
        )
    peak = max([durable["rss_mb"], *(r["rss_mb"] for runs in ours.values() for r in runs)])
    results.append(
        Result(
            "age: cpcase peak memory (RSS) vs 100 MB",
            peak,
            100.0,
            1.0,
            unit="MB",
            note=f"{mib:.0f} MiB file, whole process incl. interpreter and imports",
        )
    )
    return results
