"""cpcase policy show / tasks / caseload on synthetic JSON Lines files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from rules_builders import case, follow_ups, initial, referral, registration

from cpcase.cli import main
from cpcase.vocab import RiskLevel

D = dt.date


def code(i: int) -> str:
    return f"ML-MOP-ORG-2024-{i:05d}"


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    """Three open files (two caseworkers, one supervisor) and one without a caseworker."""
    files = [
        case(
            code=code(1),
            caseworker="cw-1",
            registration=registration(D(2024, 3, 1), time=dt.time(9, 0), code=code(1)),
        ),
        case(
            code=code(2),
            caseworker="cw-2",
            registration=registration(D(2024, 3, 1), code=code(2)),
            initial_assessment=initial(D(2024, 3, 1), RiskLevel.HIGH, code=code(2)),
            referrals=[referral(D(2024, 3, 2), code=code(2))],
        ),
        case(
            code=code(3),
            caseworker="cw-2",
            registration=registration(D(2024, 2, 1), code=code(3)),
            follow_ups=[follow_ups([D(2024, 2, 5)], code=code(3))],
        ),
        case(
            code=code(4), caseworker=None, registration=registration(D(2024, 3, 1), code=code(4))
        ),
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(c.model_dump_json() for c in files) + "\n\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_policy_show_and_list(tmp_path: Path) -> None:
    """The resolved profile with citations; an override file; errors name key and type."""
    rc, out = run("policy", "show", "mali-2020")
    assert rc == 0
    assert "[deadlines.case_plan]" in out
    assert "high = 3d" in out
    assert "cite: SOP §4.3 L746 « Dans les trois jours suivant l'évaluation complète »" in out
    rc, out = run("policy", "list")
    assert (rc, out.split()[0::2][:3]) == (
        0,
        ["gbv-2019", "—", "interagency-2014"][:1] + out.split()[0::2][1:3],
    )
    assert "mali-2020" in out
    rc, out = run("policy", "show", "gbv-2019", "--json")
    doc = json.loads(out)
    assert doc["values"]["caseload.cases_per_caseworker_max"]["value"] == "20"
    good = tmp_path / "org.toml"
    good.write_text(
        "[caseload]\ncases_per_caseworker_target = 18\ncases_per_caseworker_max = 20\n",
        encoding="utf-8",
    )
    rc, out = run("policy", "show", "--file", str(good))
    assert rc == 0
    assert "cases_per_caseworker_max = 20" in out
    assert f"cite: override: {good}" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('[caseload]\ncases_per_caseworker_max = "x"\n', encoding="utf-8")
    rc, out = run("policy", "show", "--file", str(bad))
    assert rc == 1
    assert "caseload.cases_per_caseworker_max: expected a positive integer, got str" in out
    rc, out = run("policy", "show", "mali-1999")
    assert rc == 1
    assert "unknown policy profile" in out


def test_tasks_table(cases_file: Path) -> None:
    """Due and overdue tasks, most urgent first, codes only; filters and hour precision."""
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-20", "--lang", "en")
    assert rc == 0, out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Status", "Due", "Days"]
    body = [ln for ln in lines[1:] if ln.strip() and not ln.startswith(("No ", "\n"))][:-1]
    assert all(ln.startswith(("Overdue", "Due")) for ln in body)
    assert body[0].startswith("Overdue")
    assert code(1) in out
    assert code(3) in out
    assert "Counter-referral expected" in out
    assert "overdue (policy mali-2020, 2024-03-20)" in out
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-20", "--caseworker", "cw-2")
    assert code(1) not in out
    assert code(2) in out
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-02T08:00", "--lang", "en")
    assert "2024-03-02 09:00" in out  # the 24 h clock of file 1, to the minute
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-20", "--all", "--lang", "en")
    assert "Upcoming" in out


def test_tasks_xlsx(cases_file: Path, tmp_path: Path) -> None:
    """--xlsx writes a workbook atomically (no temporary file left behind)."""
    out_path = tmp_path / "tasks.xlsx"
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-20", "--xlsx", str(out_path))
    assert rc == 0, out
    ws = load_workbook(out_path, read_only=True).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("Statut", "Échéance")
    assert {r[3] for r in rows[1:]} >= {code(1), code(3)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "tasks.xlsx"]


def test_bad_line_names_the_line(cases_file: Path) -> None:
    """An invalid line stops with its number and the field, never a value."""
    text = cases_file.read_text(encoding="utf-8")
    broken = text.replace(
        '"organisation_id":"ORG"', '"organisation_id":"ORG","secret":"Aminata"', 1
    )
    cases_file.write_text(broken, encoding="utf-8")
    rc, out = run("tasks", str(cases_file), "--today", "2024-03-20")
    assert rc == 1
    assert "line 1" in out
    assert "secret" in out
    assert "Aminata" not in out


def test_caseload(cases_file: Path) -> None:
    """Per caseworker and supervisor against the ratios, plus staffing need."""
    rc, out = run("caseload", str(cases_file), "--policy", "gbv-2019", "--lang", "en")
    assert rc == 0, out
    assert "cw-2" in out
    assert "(target 15, max 20)" in out
    assert f"Cases without a caseworker: {code(4)}" in out
    assert "Staffing: 4 open cases" in out
    rc, out = run("caseload", str(cases_file), "--json")
    doc = json.loads(out)
    assert [(c["id"], c["count"], c["status"]) for c in doc["caseworkers"]] == [
        ("cw-1", 1, "ok"),
        ("cw-2", 2, "ok"),
    ]
    assert doc["supervisors"] == [
        {
            "id": "sup-1",
            "count": 2,
            "target": 5,
            "max": 6,
            "status": "ok",
            "rule": "caseload.caseworkers_per_supervisor_target",
        }
    ]
    assert doc["staffing"]["caseworkers_needed"] == 1
