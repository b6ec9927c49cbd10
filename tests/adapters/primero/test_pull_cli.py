"""Pull (since, base merge, atomic output) and the command line (push, pull, check, fake)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from primero_helpers import TODAY, small_case

from cpcase.adapters.primero import (
    BasicAuth,
    FakePrimero,
    FakePrimeroServer,
    Faults,
    PrimeroClient,
    PrimeroServerError,
    RetryPolicy,
    map_case,
    pull_to_jsonl,
    push_cases,
)
from cpcase.case import CaseFile
from cpcase.cli import main

PW_ENV = {"CPCASE_FAKE_PW": "fake-primero-only"}


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _write(path: Path, cases: list[CaseFile]) -> Path:
    path.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    return path


def _read(path: Path) -> list[CaseFile]:
    return [CaseFile.model_validate_json(line) for line in path.read_text().splitlines()]


def test_pull_since_and_base_merge(tmp_path: Path) -> None:
    clock = Clock()
    fake = FakePrimero(clock=clock)
    with FakePrimeroServer(fake) as server:
        client = PrimeroClient(base_url=server.url, auth=BasicAuth(*fake.credentials))
        old = [small_case(n) for n in range(1, 4)]
        push_cases(client, old)
        clock.now = dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
        new = [small_case(n) for n in range(4, 6)]
        push_cases(client, new)
        out = tmp_path / "all.jsonl"
        summary = pull_to_jsonl(client, out, today=TODAY, base=old)
        assert (summary.written, summary.merged) == (5, 3)
        pulled = {c.case_code: c for c in _read(out)}
        for case in old:
            got = pulled[case.case_code]
            assert got.model_dump(exclude={"extra_fields"}) == case.model_dump(
                exclude={"extra_fields"}
            )
        assert pulled[new[0].case_code].registration is None  # no local file: kept in extras
        assert pulled[new[0].case_code].extra_fields["primero"]["name_first"] == "Awa"  # type: ignore[index]
        recent = tmp_path / "recent.jsonl"
        since = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
        assert pull_to_jsonl(client, recent, today=TODAY, since=since).written == 2
        assert {c.case_code for c in _read(recent)} == {c.case_code for c in new}


def test_pull_failure_leaves_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "cases.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    fake = FakePrimero(faults=Faults(rate=1.0, kinds=("500",)))
    fake_ok = FakePrimero()
    client = PrimeroClient(
        base_url="http://x",
        auth=BasicAuth(*fake_ok.credentials),
        retry=RetryPolicy(max_attempts=2, backoff_base=0.0),
        sleep=lambda s: None,
    )
    from cpcase.adapters.primero import MockTransport

    client.transport = MockTransport(fake)
    with pytest.raises(PrimeroServerError):
        pull_to_jsonl(client, out, today=TODAY)
    assert out.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cases.jsonl"]  # no temp file left behind


def test_push_help_has_no_password_option() -> None:
    result = CliRunner().invoke(main, ["push", "--help"])
    assert result.exit_code == 0
    assert "--password-env" in result.output
    assert "--password-file" in result.output
    assert "--password " not in result.output


def test_push_without_password_source_is_a_usage_error(tmp_path: Path) -> None:
    data = _write(tmp_path / "c.jsonl", [small_case(1)])
    result = CliRunner().invoke(
        main, ["push", str(data), "--url", "http://127.0.0.1:9", "--user", "u"]
    )
    assert result.exit_code == 2
    assert "never on the command line" in result.output


def test_cli_push_dry_run_check_and_pull(tmp_path: Path) -> None:
    runner = CliRunner()
    good = _write(tmp_path / "good.jsonl", [small_case(n) for n in range(1, 4)])
    gap_case = small_case(9, age_status="presumed_minor")
    gappy = _write(tmp_path / "gappy.jsonl", [gap_case])
    with FakePrimeroServer() as server:
        common = ["--url", server.url, "--user", "cpcase-svc", "--password-env", "CPCASE_FAKE_PW"]
        dry = runner.invoke(main, ["push", str(good), *common, "--dry-run"], env=PW_ENV)
        assert dry.exit_code == 0, dry.output
        assert dry.output.count("would be created") == 3
        assert server.fake.cases == {}
        check = runner.invoke(
            main, ["primero", "check", str(gappy), *common, "--json"], env=PW_ENV
        )
        assert check.exit_code == 1
        report = json.loads(check.output)
        assert report["gaps"][0]["path"] == "registration.age_status"
        refused = runner.invoke(main, ["push", str(gappy), *common], env=PW_ENV)
        assert refused.exit_code == 3
        assert "--allow-drop" in refused.output
        assert server.fake.cases == {}
        pushed = runner.invoke(main, ["push", str(good), *common], env=PW_ENV)
        assert pushed.exit_code == 0, pushed.output
        assert len(server.fake.cases) == 3
        assert (tmp_path / "good.jsonl.primero-journal.sqlite").exists()
        allowed = runner.invoke(
            main,
            ["push", str(gappy), *common, "--allow-drop", "registration.age_status"],
            env=PW_ENV,
        )
        assert allowed.exit_code == 0, allowed.output
        out = tmp_path / "pulled.jsonl"
        pulled = runner.invoke(
            main, ["pull", *common, "-o", str(out), "--base", str(good)], env=PW_ENV
        )
        assert pulled.exit_code == 0, pulled.output
        assert len(_read(out)) == 4


def test_cli_push_failures_file(tmp_path: Path) -> None:
    bad = {"data": {**map_case(small_case(1)).body, "sex": "not_an_option"}}
    good = {"data": map_case(small_case(2)).body}
    data = tmp_path / "bodies.jsonl"
    data.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    with FakePrimeroServer() as server:
        common = ["--url", server.url, "--user", "cpcase-svc", "--password-env", "CPCASE_FAKE_PW"]
        result = CliRunner().invoke(main, ["push", str(data), *common], env=PW_ENV)
        assert result.exit_code == 1
        assert len(server.fake.cases) == 1
    failures = [
        json.loads(x)
        for x in (tmp_path / "bodies.jsonl.primero-failures.jsonl").read_text().splitlines()
    ]
    assert failures == [
        {
            "key": "ML-MOP-TDH-2026-00001",
            "record_id": bad["data"]["id"],
            "error_code": "invalid_value",
            "message": "not sent: Primero would reject these values (422)",
            "fields": ["/sex"],
        }
    ]


def test_bad_input_line_is_named(tmp_path: Path) -> None:
    data = tmp_path / "c.jsonl"
    data.write_text(small_case(1).model_dump_json() + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "push",
            str(data),
            "--url",
            "http://127.0.0.1:9",
            "--user",
            "u",
            "--password-env",
            "CPCASE_FAKE_PW",
        ],
        env=PW_ENV,
    )
    assert result.exit_code == 3
    assert "c.jsonl:2" in result.output


def test_fake_primero_command_serves_http() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cpcase", "fake-primero", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        resp = requests.get(
            url + "/api/v2/contact_information",
            auth=("cpcase-svc", "fake-primero-only"),
            timeout=5,
        )
        assert resp.json()["data"]["system_version"] == "2.15.2.1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_plain_http_to_a_remote_server_is_refused(tmp_path: Path) -> None:
    data = _write(tmp_path / "c.jsonl", [small_case(1)])
    result = CliRunner().invoke(
        main,
        [
            "push",
            str(data),
            "--url",
            "http://cpims.example.org",
            "--user",
            "u",
            "--password-env",
            "CPCASE_FAKE_PW",
        ],
        env=PW_ENV,
    )
    assert result.exit_code == 2
    assert "refusing plain http://" in result.output


def test_netrc_never_replaces_our_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login cpcase-svc password wrong-from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with FakePrimeroServer() as server:
        client = PrimeroClient(
            base_url=server.url, auth=BasicAuth("cpcase-svc", "fake-primero-only")
        )
        assert client.system_version() == "2.15.2.1"
        assert server.fake.counters["failed_logins"] == 0
