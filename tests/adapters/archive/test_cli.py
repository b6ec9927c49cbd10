"""``cpcase archive ...``: the command line, including the secrets-never-in-argv rules."""

from __future__ import annotations

import json
import stat
import subprocess
import tarfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cpcase.cli.archive import register

from .conftest import CODES


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("cpcase")
    register(group)
    return group


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _keygen(cli: click.Group, runner: CliRunner, path: Path) -> str:
    result = runner.invoke(cli, ["archive", "keygen", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().removeprefix("Public key: ")


def test_keygen_writes_private_file(cli: click.Group, runner: CliRunner, tmp_path: Path) -> None:
    """keygen writes a 0600 identity file and prints its public key; never overwrites."""
    key = tmp_path / "key.txt"
    public = _keygen(cli, runner, key)
    assert public.startswith("age1")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert f"# public key: {public}" in key.read_text()
    again = runner.invoke(cli, ["archive", "keygen", "-o", str(key)])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_create_list_verify_extract(
    cli: click.Group, runner: CliRunner, tmp_path: Path, cases_file: Path, attachments: Path
) -> None:
    """The whole cycle with recipients, a recipients file and retention."""
    key = tmp_path / "key.txt"
    public = _keygen(cli, runner, key)
    other = _keygen(cli, runner, tmp_path / "other.txt")
    recipients = tmp_path / "recipients.txt"
    recipients.write_text(f"# regional office\n{other}\n")
    out = tmp_path / "closed.cpcase.age"
    result = runner.invoke(
        cli,
        [
            "archive",
            "create",
            str(cases_file),
            str(attachments),
            "-o",
            str(out),
            "-r",
            public,
            "-R",
            str(recipients),
            "--organisation",
            "ORG-01",
            "--retain-years",
            "10",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Archived 3 cases and 3 attachments" in result.output

    listed = runner.invoke(cli, ["archive", "list", str(out), "-i", str(key), "--json"])
    assert listed.exit_code == 0, listed.output
    manifest = json.loads(listed.stdout)
    assert manifest["case_codes"] == list(CODES)
    assert manifest["organisation"] == "ORG-01"
    assert manifest["retain_until"] is not None

    for k in (key, tmp_path / "other.txt"):
        verified = runner.invoke(cli, ["archive", "verify", str(out), "-i", str(k)])
        assert verified.exit_code == 0, verified.output
        assert verified.output.startswith("OK:")

    extracted = runner.invoke(
        cli, ["archive", "extract", str(out), "-i", str(key), "-o", str(tmp_path / "x")]
    )
    assert extracted.exit_code == 0, extracted.output
    assert (tmp_path / "x" / "cases.jsonl").read_bytes() == cases_file.read_bytes()


def test_passphrase_from_env_file_and_prompt(
    cli: click.Group,
    runner: CliRunner,
    tmp_path: Path,
    cases_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Passphrases come from an env var, a file or a hidden prompt, and are never echoed."""
    secret = "sahel-night-31"
    monkeypatch.setenv("CPCASE_TEST_PASS", secret)
    out = tmp_path / "p.age"
    created = runner.invoke(
        cli,
        [
            "archive",
            "create",
            str(cases_file),
            "-o",
            str(out),
            "--passphrase-env",
            "CPCASE_TEST_PASS",
            "--work-factor",
            "10",
        ],
    )
    assert created.exit_code == 0, created.output
    assert b"-> scrypt " in out.read_bytes()[:200]

    pass_file = tmp_path / "pass.txt"
    pass_file.write_text(secret + "\n")
    by_file = runner.invoke(
        cli, ["archive", "verify", str(out), "--passphrase-file", str(pass_file)]
    )
    assert by_file.exit_code == 0, by_file.output

    prompted = runner.invoke(
        cli, ["archive", "verify", str(out), "--passphrase"], input=secret + "\n"
    )
    assert prompted.exit_code == 0, prompted.output
    for result in (created, by_file, prompted):
        assert secret not in result.output

    wrong = runner.invoke(cli, ["archive", "verify", str(out), "--passphrase"], input="nope\n")
    assert wrong.exit_code == 1
    assert "wrong key or wrong passphrase" in wrong.output
    assert "nope" not in wrong.output.replace("Passphrase:", "")


def test_prompt_create_asks_twice(
    cli: click.Group, runner: CliRunner, tmp_path: Path, cases_file: Path
) -> None:
    """Creating with --passphrase asks for confirmation; a mismatch is asked again."""
    out = tmp_path / "p.age"
    result = runner.invoke(
        cli,
        [
            "archive",
            "create",
            str(cases_file),
            "-o",
            str(out),
            "--passphrase",
            "--work-factor",
            "10",
        ],
        input="one\ntwo\nsame-pass\nsame-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--passphrase-env",
                "X",
                "-r",
                "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
            ],
            "cannot be combined",
        ),
        ([], "give recipients"),
        (["--passphrase-env", "CPCASE_UNSET_VAR"], "not set"),
        (
            [
                "-r",
                "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
                "--retain-years",
                "1",
                "--retain-until",
                "2030-01-01",
            ],
            "not both",
        ),
    ],
)
def test_create_usage_errors(
    cli: click.Group,
    runner: CliRunner,
    tmp_path: Path,
    cases_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    """Contradictory or missing key options are usage errors (exit 2), nothing written."""
    monkeypatch.setenv("X", "some passphrase")
    monkeypatch.delenv("CPCASE_UNSET_VAR", raising=False)
    out = tmp_path / "o.age"
    result = runner.invoke(cli, ["archive", "create", str(cases_file), "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_bad_jsonl_reports_line(cli: click.Group, runner: CliRunner, tmp_path: Path) -> None:
    """A bad input line gives a one-line error with the line number (exit 1)."""
    src = tmp_path / "cases.jsonl"
    src.write_text('{"case_code": "A"}\n{"first_name": "Fatoumata"}\n')
    public = _keygen(cli, runner, tmp_path / "k.txt")
    result = runner.invoke(
        cli, ["archive", "create", str(src), "-o", str(tmp_path / "o.age"), "-r", public]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert "Fatoumata" not in result.output
    assert "Traceback" not in result.output


def test_unsupported_recipient(
    cli: click.Group, runner: CliRunner, tmp_path: Path, cases_file: Path
) -> None:
    """A plugin recipient is refused clearly."""
    result = runner.invoke(
        cli,
        [
            "archive",
            "create",
            str(cases_file),
            "-o",
            str(tmp_path / "o.age"),
            "-r",
            "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t",
        ],
    )
    assert result.exit_code == 1
    assert "not supported" in result.output


@pytest.mark.interop
def test_cli_archive_opens_with_age_and_tar(
    age_bin: str, cli: click.Group, runner: CliRunner, tmp_path: Path, cases_file: Path
) -> None:
    """The archive is a plain age file holding a tar: `age -d | tar -t` lists it."""
    key = tmp_path / "key.txt"
    public = _keygen(cli, runner, key)
    out = tmp_path / "a.cpcase.age"
    created = runner.invoke(
        cli, ["archive", "create", str(cases_file), "-o", str(out), "-r", public]
    )
    assert created.exit_code == 0, created.output
    plain = subprocess.run(
        [age_bin, "-d", "-i", str(key), str(out)], capture_output=True, check=True
    )
    tar_path = tmp_path / "a.tar"
    tar_path.write_bytes(plain.stdout)
    with tarfile.open(tar_path) as tar:
        assert tar.getnames() == ["manifest.json", "cases.jsonl"]
