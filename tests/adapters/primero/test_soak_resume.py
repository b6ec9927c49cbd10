"""Fault soak over real loopback HTTP, and kill-and-resume with a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from primero_helpers import small_case

from cpcase.adapters.primero import (
    BasicAuth,
    CaseSchema,
    FakePrimero,
    FakePrimeroServer,
    Faults,
    Journal,
    PrimeroClient,
    RetryPolicy,
    compute_patch,
    map_case,
    push_cases,
)
from cpcase.adapters.primero.push import content_digest


def _assert_server_holds_each_once(fake: FakePrimero, cases: list) -> None:  # type: ignore[type-arg]
    """Every case exactly once (by our code), with the data we sent."""
    stored = fake.records()
    codes = [r.get("cpims_id") for r in stored]
    assert sorted(codes) == sorted(c.case_code for c in cases)  # none lost, none duplicated
    for case in cases:
        mapped = map_case(case)
        assert compute_patch(mapped.body, fake.stored(mapped.record_id)) == {}, case.case_code


def test_fault_soak_2000_cases_10_percent_faults(tmp_path: Path) -> None:
    cases = [small_case(n) for n in range(1, 2001)]
    fake = FakePrimero(faults=Faults(rate=0.10, seed=2026, retry_after=0, slow=0.6))
    with FakePrimeroServer(fake) as server:
        client = PrimeroClient(
            base_url=server.url,
            auth=BasicAuth(*fake.credentials),
            timeout=(2.0, 0.4),  # "slow" faults outlast the read timeout: retried after a GET
            retry=RetryPolicy(max_attempts=8, backoff_base=0.02, backoff_max=0.2),
        )
        with Journal(tmp_path / "j.sqlite", server=server.url, module_id="primeromodule-cp") as j:
            summary = push_cases(
                client, cases, journal=j, schema=CaseSchema.load(client), workers=8
            )
            assert summary.ok, summary.render()
            assert j.counts()["confirmed"] == 2000
            for case in cases:
                entry = j.get(case.case_code)
                assert entry is not None
                mapped = map_case(case)
                assert (entry.record_id, entry.digest) == (
                    mapped.record_id,
                    content_digest(mapped.body),
                )
    faults = sum(v for k, v in fake.counters.items() if k.startswith("fault_"))
    assert faults > 150  # about 10% of ~2,200 requests were faulty
    for kind in ("500", "502", "503", "429", "drop", "drop_after", "slow"):
        assert fake.counters[f"fault_{kind}"] > 0, kind
    assert client.stats.snapshot()["retries"] >= faults - fake.counters["fault_slow"]
    _assert_server_holds_each_once(fake, cases)


def _confirmed(journal: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
        try:
            return int(
                db.execute("SELECT COUNT(*) FROM records WHERE state = 'confirmed'").fetchone()[0]
            )
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _push_cmd(path: Path, url: str, journal: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cpcase",
        "push",
        str(path),
        "--url",
        url,
        "--user",
        "cpcase-svc",
        "--password-env",
        "CPCASE_FAKE_PW",
        "--journal",
        str(journal),
        "--workers",
        "2",
    ]


def test_killed_push_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    cases = [small_case(n) for n in range(1, 301)]
    data = tmp_path / "cases.jsonl"
    data.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    journal = tmp_path / "journal.sqlite"
    env = {**os.environ, "CPCASE_FAKE_PW": "fake-primero-only"}
    fake = FakePrimero(faults=Faults(latency=0.01))
    with FakePrimeroServer(fake) as server:
        cmd = _push_cmd(data, server.url, journal)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while _confirmed(journal) < 60 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        proc.kill()  # SIGKILL: no cleanup, mid-push
        proc.wait(timeout=10)
        done_before = _confirmed(journal)
        assert 60 <= done_before < 300, "the push must be interrupted mid-way"
        assert len(fake.cases) < 300
        # resume: the same command finishes the job
        finish = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert finish.returncode == 0, finish.stderr
        assert "Already confirmed (journal)" in finish.stderr
        _assert_server_holds_each_once(fake, cases)
        assert fake.counters["created"] == 300
        with Journal(journal, server=server.url, module_id="primeromodule-cp") as j:
            assert j.counts() == {"pending": 0, "sent": 0, "confirmed": 300, "failed": 0}
        # a finished push run again changes nothing on the server
        writes_before = sum(1 for r in fake.log if r.method != "GET")
        snapshot = fake.records()
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert fake.records() == snapshot
        assert sum(1 for r in fake.log if r.method != "GET") == writes_before
