"""The fast paths of the forward mapping send what the plain rules would.

``test_mapping_equivalence.py`` compares whole bodies with the reference implementation's
output. These tests pin what that comparison does not show on its own: the bytes that
``cpcase convert --to primero`` writes (``pydantic_core.to_json``, not ``json.dumps``), the
consent tick boxes read from the scope instead of the form's properties, the generated fill
function keeping deployment field names as data, and the remembered risk-note texts.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from primero_helpers import golden_cases, golden_lines
from pydantic_core import to_json

from cpcase.adapters.primero import case_to_primero, default_mapping, load_mapping, map_case
from cpcase.adapters.primero.mapping import _note_text, _NoteTexts
from cpcase.case import CaseFile, RiskDecision
from cpcase.forms import ConsentForm
from cpcase.testing import form_strategies
from cpcase.vocab import ConsentScope, RiskLevel

DATA = Path(__file__).parent / "data"


def test_written_bytes_are_the_reference_bytes() -> None:
    """``to_json(case_to_primero(case))`` (the line written to ``cases.primero.jsonl``) equals
    ``to_json`` of the reference body, whose values are plain JSON values."""
    expected = golden_lines("mapping_golden_default.jsonl.gz")
    cases = golden_cases()
    assert len(expected) == len(cases) == 672
    for case, want in zip(cases, expected, strict=True):
        reference = json.loads(want)["body"]
        assert to_json(case_to_primero(case)) == to_json(reference), case.case_code


def _plain(value: Any) -> bool:
    if type(value) is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if type(value) is list:
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, bool, int)


def test_bodies_hold_only_plain_json_values() -> None:
    """No enum member, date or tuple reaches a body: any JSON encoder writes the same text."""
    for name in ("default", "override_a", "override_b"):
        mapping = (
            default_mapping() if name == "default" else load_mapping(DATA / f"mapping_{name}.toml")
        )
        for case in golden_cases():
            assert _plain(map_case(case, mapping).body), (name, case.case_code)


@given(form=form_strategies()["1.A"])
def test_consent_tick_boxes_follow_the_consent_form(form: ConsentForm) -> None:
    case = CaseFile(case_code=form.case_code, organisation_id="TDH", consents=(form,))
    body = map_case(case).body
    assert body["consent_for_services"] is form.consent_for_services
    assert body["disclosure_other_orgs"] is form.disclosure_other_orgs
    for name, scope in (
        ("consent_reporting", ConsentScope.STATISTICAL_REPORTING),
        ("consent_for_tracing", ConsentScope.FAMILY_TRACING),
    ):
        assert body[name] == ("true" if scope in form.consent_scope else "false")


def test_deployment_field_names_stay_data(tmp_path: Path) -> None:
    """Field names that look like code are sent as keys, never written into the fill code."""
    odd = {
        "registration.name_first": "x'] = 1\nimport os  #",
        "registration.sex": 'sexe "guillemets" {accolades}',
        "registration.protection_concerns": "préoccupations\\n",
        "consent.consent_reporting": "__import__('os')",
    }
    path = tmp_path / "site.toml"
    path.write_text(
        "[fields]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in odd.items()),
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    case = next(c for c in golden_cases() if c.registration is not None and c.consents)
    body = map_case(case, mapping).body
    plain = map_case(case).body
    assert body[odd["registration.name_first"]] == plain["name_first"]
    assert body[odd["registration.sex"]] == plain["sex"]
    assert body[odd["registration.protection_concerns"]] == plain["protection_concerns"]
    assert body[odd["consent.consent_reporting"]] == plain["consent_reporting"]
    assert not {"name_first", "sex", "protection_concerns", "consent_reporting"} & set(body)
    # Same values, same order, under the new names.
    renamed = {odd.get(f"registration.{k}", k): v for k, v in plain.items()}
    renamed = {
        (odd["consent.consent_reporting"] if k == "consent_reporting" else k): v
        for k, v in renamed.items()
    }
    assert list(body.items()) == list(renamed.items())
    source = mapping.compiled.source
    assert all(name not in source for name in odd.values())
    assert "import" not in source


def _decision(day: int, level: RiskLevel, **kw: Any) -> RiskDecision:
    return RiskDecision(level=level, decided_on=dt.date(2025, 1, 1) + dt.timedelta(days=day), **kw)


def test_repeated_risk_decisions_keep_their_own_note_text() -> None:
    """Decisions that share every field but one, or only their position, get their own text;
    mapping again (texts remembered) sends the same notes."""
    history = (
        _decision(0, RiskLevel.HIGH, decided_by="cw1", source_form="1.B"),
        _decision(1, RiskLevel.HIGH, decided_by="cw1", source_form="1.B"),
        _decision(2, RiskLevel.HIGH, decided_by="cw2", source_form="1.B"),
        _decision(
            3,
            RiskLevel.MEDIUM,
            decided_by="cw1",
            suggested_level=RiskLevel.HIGH,
            justification='famille "relais" trouvée',
        ),
        _decision(4, RiskLevel.HIGH, decided_by="cw1", source_form="1.B"),
    )
    case = CaseFile(case_code="ML-MOP-TDH-2026-00077", organisation_id="TDH", risk_history=history)
    first = map_case(case).body["notes_section"]
    again = map_case(case).body["notes_section"]
    assert first == again
    assert [n["note_text"] for n in first] == [_note_text(i, d) for i, d in enumerate(history)]
    assert [json.loads(n["note_text"])["seq"] for n in first] == [0, 1, 2, 3, 4]
    assert [n["note_date"] for n in first] == [d.decided_on.isoformat() for d in history]
    assert len({n["unique_id"] for n in first}) == 5


def test_note_text_memory_stays_bounded() -> None:
    texts = _NoteTexts()
    for seq in range(5000):
        decision = _decision(0, RiskLevel.LOW, decided_by=f"cw{seq}")
        assert texts.remember((seq, ("low", f"cw{seq}")), _note_text(seq, decision))
    assert 0 < len(texts) <= 4096
