"""``cpcase share`` and ``cpcase indicators`` on small JSONL files, and the demo step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpcase.cli import main
from cpcase.cli.sharing import demo_sharing

from . import _fixtures as fx

NOW = "2026-10-15T09:00:00"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    other = fx.case().model_dump_json().replace(fx.CODE, "ML-MOP-TDH-2026-00043")
    path.write_text(fx.case().model_dump_json() + "\n\n" + other + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_share_provider_then_single_use_refusal(cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "provider.jsonl"
    code, _, err = _run(
        "share", str(cases), "--audience", "provider", "--purpose", "referral",
        "--service", "health", "--actor", "cw-01", "-o", str(out), "--now", NOW,
    )  # fmt: skip
    assert code == 0, err
    views = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [v["case_code"] for v in views] == [fx.CODE, "ML-MOP-TDH-2026-00043"]
    text = out.read_text("utf-8")
    assert fx.NAME_FIRST not in text
    assert fx.CONFIDENTIAL not in text
    assert fx.CW_PHONE in text
    audit = out.with_name("provider.jsonl.audit.jsonl")
    records = [json.loads(line) for line in audit.read_text("utf-8").splitlines()]
    assert {r["consent_id"] for r in records} == {"E-CONSENT-1"}
    assert "2 view(s) of 2 case(s)" in err
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    # Again, with the audit log of the first run: the single-use consents are spent.
    again = tmp_path / "again.jsonl"
    code, _, err = _run(
        "share", str(cases), "--audience", "provider", "--purpose", "referral",
        "--actor", "cw-01", "-o", str(again), "--now", NOW, "--prior-audit", str(audit),
        "--strict",
    )  # fmt: skip
    assert code == 1
    assert "refused: 2 (consent_used: 2)" in err
    assert again.read_text("utf-8") == ""


def test_share_meeting_and_refusal_codes(cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "meeting.jsonl"
    code, _, err = _run(
        "share", str(cases), "--audience", "meeting", "--purpose", "case_conference",
        "--actor", "cw-09", "--organisation", "TDH", "-o", str(out), "--now", NOW,
    )  # fmt: skip
    assert code == 0, err
    assert fx.NAME_FIRST not in out.read_text("utf-8")
    code, _, err = _run(
        "share", str(cases), "--audience", "receiving_org", "--purpose", "transfer",
        "--actor", "cw-01", "-o", str(out), "--now", NOW,
    )  # fmt: skip
    assert code == 0
    assert "no_transfer_on_file: 2" in err


def test_share_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(fx.case().model_dump_json() + "\n" + '{"case_code": "x"}\n', "utf-8")
    code, _, err = _run(
        "share", str(bad), "--audience", "caseworker", "--purpose", "case_work",
        "--actor", "cw-01", "-o", str(tmp_path / "o.jsonl"),
    )  # fmt: skip
    assert code == 1
    assert "line 2" in err
    assert not (tmp_path / "o.jsonl").exists()  # nothing half-written
    code, _, err = _run(
        "share", str(bad), "--audience", "provider", "--purpose", "referral",
        "--service", "e", "--actor", "cw-01", "-o", str(tmp_path / "o.jsonl"),
    )  # fmt: skip
    assert code == 2
    assert "not one service category" in err


def test_indicators_prints_and_writes(cases: Path, tmp_path: Path) -> None:
    xlsx = tmp_path / "sheet.xlsx"
    js = tmp_path / "sheet.json"
    code, out, err = _run(
        "indicators", str(cases), "--month", "2026-09", "--scope", "org:TDH",
        "--xlsx", str(xlsx), "--json", str(js),
    )  # fmt: skip
    assert code == 0, err
    assert "new_registrations" in out
    assert "x" in out  # 2 cases: everything small is suppressed
    assert fx.CODE not in out  # aggregates carry no case codes
    data = json.loads(js.read_text("utf-8"))
    assert data["scope"] == "org:TDH"
    assert data["threshold"] == 5
    from openpyxl import load_workbook

    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["about", "indicators", "compliance"]


def test_indicators_scope_is_enforced(cases: Path) -> None:
    code, _, err = _run(
        "indicators", str(cases), "--month", "2026-09", "--scope", "org:ENDA",
        "--as", "org_manager:TDH",
    )  # fmt: skip
    assert code == 1
    assert "outside_own_organisation" in err
    code, _, err = _run("indicators", str(cases), "--month", "2026-9", "--scope", "org:TDH")
    assert code == 2
    assert "YYYY-MM" in err
    code, _, err = _run("indicators", str(cases), "--month", "2026-09", "--scope", "planet")
    assert code == 2


def test_demo_step(cases: Path, tmp_path: Path) -> None:
    text = demo_sharing(cases, tmp_path)
    assert "refused (consent_used)" in text
    assert (tmp_path / "indicators.xlsx").exists()
    assert fx.NAME_FIRST not in (tmp_path / "meeting.jsonl").read_text("utf-8")
    assert fx.NAME_FIRST not in (tmp_path / "provider.jsonl").read_text("utf-8")


def test_rules_never_import_adapter_dependencies() -> None:
    code = (
        "import sys, cpcase.rules.sharing\n"
        "bad = [m for m in ('openpyxl', 'requests', 'cryptography', 'python_calamine') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
