"""The `make demo` leg: push to a loopback fake Primero, push again, pull back, nothing lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from primero_helpers import TODAY, services, small_case

from cpcase.adapters.primero import demo_round_trip
from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import PrimeroError
from cpcase.vocab import RiskLevel


def test_demo_round_trip(tmp_path: Path) -> None:
    rich = small_case(7, age_status="presumed_minor").with_risk(
        RiskDecision(level=RiskLevel.NONE, decided_on=dt.date(2026, 3, 4))
    )
    rich = rich.with_form(services(rich.case_code, {"service_type": "psychosocial"}, {}))
    cases = [*(small_case(n) for n in range(1, 6)), rich]
    source = tmp_path / "cases.jsonl"
    source.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    text = demo_round_trip(source, tmp_path / "out", today=TODAY)
    assert "6 case files pushed" in text
    assert "nothing lost" in text
    assert "registration.age_status" in text  # the one gap is named, not hidden
    pulled = [
        CaseFile.model_validate_json(line)
        for line in (tmp_path / "out" / "cases.pulled.jsonl").read_text().splitlines()
    ]
    assert len(pulled) == 6
    assert (tmp_path / "out" / "cases.primero.jsonl").read_text().count("\n") == 6


def test_demo_reports_unreadable_input(tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text("{}\n", encoding="utf-8")
    with pytest.raises(PrimeroError, match=r"cases\.jsonl:1"):
        demo_round_trip(source, tmp_path / "out", today=TODAY)
