"""age encryption: cpcase against the reference ``age`` command on the same 1 GiB file.

Both sides run as separate processes on the same input, timed wall-clock from the parent
(process start-up included on both sides). Our side reports its own peak RSS
(``ru_maxrss``). Results: throughput ratios cpcase/age for encrypt and decrypt (target >= 1.0)
and our peak memory against 100 MB (target <= 1.0).

Like for like: both write a plain output file without fsync. ``cpcase archive`` and
``decrypt_file`` additionally fsync and rename atomically; that durability cost is reported
separately as a note (it is disk-bound, not crypto-bound).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks._common import Result

GIB = 1024**3
_WORK = Path(__file__).resolve().parent / "_work"

_CHILD = r"""
import json, resource, sys, time
from cpcase.adapters.age import decrypt, encrypt, read_identity_file, decrypt_file, encrypt_file
mode, src, dst, keyfile = sys.argv[1:5]
ids = read_identity_file(keyfile)
start = time.perf_counter()
if mode == "encrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        encrypt(fin, fout, [ids[0].recipient])
elif mode == "decrypt":
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        decrypt(fin, fout, ids)
elif mode == "decrypt_file":
    decrypt_file(src, dst, ids, overwrite=True)
inner = time.perf_counter() - start
print(json.dumps({"inner": inner, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _make_input(path: Path, size: int) -> None:
    block = 4 * 1024 * 1024
    with path.open("wb") as handle:
        left = size
        while left > 0:
            n = min(block, left)
            handle.write(os.urandom(n))
            left -= n


def _ours(mode: str, src: Path, dst: Path, keyfile: Path) -> tuple[float, float, float]:
    """(operation seconds, whole-process seconds, peak RSS in MB) of one cpcase process."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(src), str(dst), str(keyfile)],
        capture_output=True,
        check=True,
        text=True,
    )
    wall = time.perf_counter() - start
    report = json.loads(out.stdout)
    return report["inner"], wall, report["maxrss_kb"] / 1024


def _theirs(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def run(scale: float) -> list[Result]:
    """Encrypt and decrypt ``scale`` GiB with cpcase and with ``age``; compare."""
    from cpcase.adapters.age import X25519Identity, write_identity_file

    age = shutil.which("age")
    if age is None:
        raise RuntimeError("bench_age needs the reference `age` binary (apt-get install age)")
    size = max(1024 * 1024, int(GIB * scale))
    mib = size / 1024**2
    rounds = 3
    _WORK.mkdir(exist_ok=True)
    ours: dict[str, list[tuple[float, float, float]]] = {"encrypt": [], "decrypt": []}
    theirs: dict[str, list[float]] = {"encrypt": [], "decrypt": []}
    with tempfile.TemporaryDirectory(dir=_WORK) as tmp:
        work = Path(tmp)
        plain = work / "plain.bin"
        _make_input(plain, size)
        identity = X25519Identity.generate()
        keyfile = work / "key.txt"
        write_identity_file(keyfile, [identity], created=datetime.now(UTC))
        recipient = str(identity.recipient)
        sealed = work / "c.age"  # age decrypts our file, we decrypt age's
        age_argv = {
            "encrypt": [age, "-e", "-r", recipient, "-o", str(work / "a.age"), str(plain)],
            "decrypt": [age, "-d", "-i", str(keyfile), "-o", str(work / "a.out"), str(sealed)],
        }
        our_files = {
            "encrypt": (plain, work / "c.age"),
            "decrypt": (work / "a.age", work / "c.out"),
        }
        for i in range(rounds):  # interleaved, alternating who goes first
            order = ("age", "cpcase") if i % 2 == 0 else ("cpcase", "age")
            for mode in ("encrypt", "decrypt"):
                for who in order:
                    if who == "age":
                        theirs[mode].append(_theirs(age_argv[mode]))
                    else:
                        ours[mode].append(_ours(mode, *our_files[mode], keyfile))
            for name in ("a.out", "c.out"):  # both sides produced the whole plaintext
                assert (work / name).stat().st_size == size
                (work / name).unlink()
        durable = _ours("decrypt_file", work / "a.age", work / "d.out", keyfile)
        assert (work / "d.out").stat().st_size == size

    results = []
    for mode in ("encrypt", "decrypt"):
        op = min(r[0] for r in ours[mode])
        proc = min(r[1] for r in ours[mode])
        base = min(theirs[mode])
        note = (
            f"{mib:.0f} MiB, best of {rounds}; cpcase whole process incl. Python start-up "
            f"{mib / proc:.0f} MB/s"
        )
        if mode == "decrypt":
            note += f"; decrypt_file (fsync+rename) {mib / durable[0]:.0f} MB/s"
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
    peak = max(r[2] for runs in ours.values() for r in runs)
    results.append(
        Result(
            "age: cpcase peak memory (RSS) vs 100 MB",
            max(peak, durable[2]),
            100.0,
            1.0,
            unit="MB",
            note=f"{mib:.0f} MiB file, whole process",
        )
    )
    return results
