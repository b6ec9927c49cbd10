"""CaseFile: lossless JSON, consistency checks, reading helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpcase.case import CaseFile, RiskDecision
from cpcase.errors import FormError
from cpcase.testing import case_files, form_strategies
from cpcase.vocab import RiskLevel


@given(case_files())
def test_json_round_trip_is_identity(case: CaseFile) -> None:
    """model_validate_json(model_dump_json(case)) == case."""
    assert CaseFile.model_validate_json(case.model_dump_json()) == case
    assert CaseFile.parse_json(case.model_dump_json()) == case


@given(case_files())
def test_timeline_is_dated_and_complete(case: CaseFile) -> None:
    """The timeline holds every form and risk decision once, oldest first."""
    timeline = case.timeline()
    assert [e.date for e in timeline] == sorted(e.date for e in timeline)
    assert len(timeline) == len(case.forms()) + len(case.risk_history)
    assert {e.form_code for e in timeline} - {"RISK"} == set(case.form_codes())


@settings(max_examples=20)
@given(case_files(), st.data())
def test_with_form_adds_exactly_one_form(case: CaseFile, data: st.DataObject) -> None:
    """with_form appends to repeated forms and sets single ones; the original is unchanged."""
    form = data.draw(form_strategies()["5.A"])
    form = type(form).model_validate({**dict(form), "case_code": case.case_code})
    before = len(case.forms("5.A"))
    updated = case.with_form(form)
    assert len(updated.forms("5.A")) == before + 1
    assert len(case.forms("5.A")) == before
    assert updated.forms("5.A")[-1] == form


@settings(max_examples=10)
@given(case_files(sparse=False), st.data())
def test_form_from_another_case_is_rejected(case: CaseFile, data: st.DataObject) -> None:
    """Every form must carry the file's case code; the error names the attribute."""
    form = data.draw(form_strategies()["5.B"])
    form = type(form).model_validate({**dict(form), "case_code": "ML-XXX-ZZZ-2020-99999"})
    with pytest.raises(ValueError, match="reviews"):
        case.with_form(form)


def test_risk_history_order_and_current_risk() -> None:
    """Risk decisions are chronological; current_risk is the latest decision."""
    case = CaseFile(case_code="ML-MOP-TDH-2026-00042", organisation_id="TDH")
    assert case.current_risk is None
    case = case.with_risk(RiskDecision(level=RiskLevel.MEDIUM, decided_on=dt.date(2026, 1, 5)))
    case = case.with_risk(RiskDecision(level=RiskLevel.HIGH, decided_on=dt.date(2026, 2, 1)))
    assert case.current_risk is RiskLevel.HIGH
    with pytest.raises(ValueError, match="chronological"):
        case.with_risk(RiskDecision(level=RiskLevel.LOW, decided_on=dt.date(2025, 12, 1)))


def test_departing_from_suggestion_needs_justification() -> None:
    """The caseworker's level counts, but a departure from the suggestion is justified."""
    with pytest.raises(ValueError, match="justification"):
        RiskDecision(
            level=RiskLevel.LOW, decided_on=dt.date(2026, 1, 5), suggested_level=RiskLevel.HIGH
        )
    ok = RiskDecision(
        level=RiskLevel.LOW,
        decided_on=dt.date(2026, 1, 5),
        suggested_level=RiskLevel.HIGH,
        justification="Famille d'accueil protectrice identifiée",
    )
    assert ok.level is RiskLevel.LOW


def test_unknown_form_code_and_latest() -> None:
    """forms() refuses unknown codes; latest() is None when the form is absent."""
    case = CaseFile(case_code="ML-MOP-TDH-2026-00042", organisation_id="TDH")
    with pytest.raises(KeyError):
        case.forms("9.Z")
    assert case.latest("5.B") is None
    assert case.form_codes() == frozenset()


def test_parse_json_names_fields_without_values() -> None:
    """Invalid case JSON raises FormError naming the field, not echoing the value."""
    with pytest.raises(FormError) as info:
        CaseFile.parse_json('{"case_code": "ML-MOP-TDH-2026-00042", "organisation_id": "TDH", '
                            '"status": "Moussa Secret"}')  # fmt: skip
    assert "status" in str(info.value)
    assert "Moussa Secret" not in str(info.value)
