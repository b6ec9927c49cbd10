"""The Primero mapping sends exactly the bytes recorded by the reference implementation.

``data/mapping_golden_*.jsonl.gz`` hold, for 672 case files (the bundled sample register
converted, plus derandomised hypothesis case files, sparse and dense, some with a kept Primero
id), the create body, clearable fields and gaps that the mapping produced before it was compiled
into per-form steps (see ``data/make_mapping_golden.py``), for the default mapping and two
overrides that exercise explicit empties, gaps, renamed or unsent fields and extra fallbacks.
Bodies are compared as ``json.dumps(..., ensure_ascii=False)`` text, so key order counts.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import typing
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st
from primero_helpers import golden_cases, golden_lines
from pydantic import BaseModel, ValidationError

from cpcase.adapters.primero import case_to_primero, default_mapping, load_mapping, map_case
from cpcase.adapters.primero.mapping import (
    _ACTIVITY,
    _CLOSURE,
    _CONSENT,
    _FOLLOW_UP,
    _ISO_DATES,
    _PLAN,
    _REGISTRATION,
    _SERVICE,
    PrimeroMapping,
    _Cache,
    _date_text,
    _note_text,
)
from cpcase.case import CaseFile, RiskDecision
from cpcase.forms import (
    CaseClosure,
    ConsentForm,
    FollowUpContact,
    IndividualActionPlan,
    PlanActivity,
    RegistrationForm,
    ServiceRecord,
)
from cpcase.labels import LabelledEnum
from cpcase.vocab import RiskLevel

DATA = Path(__file__).parent / "data"
MAPPINGS = ("default", "override_a", "override_b")


def _mapping(name: str) -> PrimeroMapping:
    if name == "default":
        return default_mapping()
    return load_mapping(DATA / f"mapping_{name}.toml")


def _record(case: CaseFile, mapping: PrimeroMapping) -> str:
    mapped = map_case(case, mapping)
    record: dict[str, Any] = {
        "body": mapped.create_body(),
        "clearable": sorted(mapped.clearable),
        "gaps": [[g.path, g.code, g.pointer] for g in mapped.gaps],
    }
    return json.dumps(record, ensure_ascii=False)


def test_golden_inputs_cover_the_mapping() -> None:
    """The stored cases exercise every subform, fallbacks, gaps and kept ids."""
    cases = golden_cases()
    assert len(cases) == 672
    assert sum(c.registration is not None for c in cases) > 300
    for attr in ("action_plans", "services", "follow_ups"):
        assert sum(bool(getattr(c, attr)) for c in cases) > 50, attr
    assert sum("primero" in c.extra_fields for c in cases) > 30
    records = [json.loads(line) for line in golden_lines("mapping_golden_default.jsonl.gz")]
    assert sum(bool(r["gaps"]) for r in records) > 50
    assert sum(bool(r["clearable"]) for r in records) > 50
    assert sum("closure_reason_other" in r["body"]["data"] for r in records) > 10


@pytest.mark.parametrize("name", MAPPINGS)
def test_same_bodies_gaps_and_clearable_as_reference(name: str) -> None:
    mapping = _mapping(name)
    expected = golden_lines(f"mapping_golden_{name}.jsonl.gz")
    cases = golden_cases()
    assert len(expected) == len(cases)
    for i, (case, want) in enumerate(zip(cases, expected, strict=True)):
        got = _record(case, mapping)
        assert got == want, f"case {i} ({case.case_code}) differs with mapping {name}"


def test_case_to_primero_bytes_match_reference() -> None:
    """The body written to ``cases.primero.jsonl`` (default mapping), byte for byte."""
    expected = golden_lines("mapping_golden_default.jsonl.gz")
    for case, want in zip(golden_cases(), expected, strict=True):
        body = json.dumps(case_to_primero(case), ensure_ascii=False)
        assert body == json.dumps(json.loads(want)["body"], ensure_ascii=False)


def test_mapping_is_repeatable() -> None:
    """Mapping the same case twice (tables compiled once, reused) gives equal, separate bodies."""
    mapping = _mapping("override_a")
    case = next(c for c in golden_cases() if c.services and c.registration is not None)
    first = map_case(case, mapping)
    second = map_case(case, mapping)
    assert first == second
    assert first.body is not second.body


def _enums_in(annotation: Any) -> set[type[LabelledEnum]]:
    if isinstance(annotation, type) and issubclass(annotation, LabelledEnum):
        return {annotation}
    return {e for arg in typing.get_args(annotation) for e in _enums_in(arg)}


@pytest.mark.parametrize(
    ("specs", "model"),
    [
        (_REGISTRATION, RegistrationForm),
        (_CONSENT, ConsentForm),
        (_PLAN, IndividualActionPlan),
        (_ACTIVITY, PlanActivity),
        (_SERVICE, ServiceRecord),
        (_FOLLOW_UP, FollowUpContact),
        (_CLOSURE, CaseClosure),
    ],
)
def test_option_specs_name_the_vocabulary_of_their_field(
    specs: tuple[Any, ...], model: type[BaseModel]
) -> None:
    """The compiled option tables are keyed by the spec's vocabulary: it must be the field's."""
    for spec in specs:
        if spec.enum is not None and spec.attr:
            annotation = model.model_fields[spec.attr].annotation
            assert _enums_in(annotation) == {spec.enum}, spec.path
    if specs is _REGISTRATION:
        secondary = model.model_fields["protection_concerns_secondary"].annotation
        assert _enums_in(secondary) == {spec.enum for spec in specs if spec.kind == "concerns"}


_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30) | st.sampled_from(
    ['"quoted"', "back\\slash", "tab\there", "line\nbreak", "\u00e9t\u00e9 \U0001f600", "\x7f\x00"]
)


@given(
    seq=st.integers(0, 10_000),
    level=st.sampled_from(list(RiskLevel)),
    suggested=st.none() | st.sampled_from(list(RiskLevel)),
    decided_by=st.none() | _TEXT,
    justification=st.none() | _TEXT,
    source_form=st.none() | st.sampled_from(["1.B", "1.C", "2.A"]),
)
def test_risk_note_text_is_json_dumps_sorted(
    seq: int,
    level: RiskLevel,
    suggested: RiskLevel | None,
    decided_by: str | None,
    justification: str | None,
    source_form: str | None,
) -> None:
    try:
        decision = RiskDecision(
            level=level,
            decided_on=dt.date(2026, 1, 5),
            decided_by=decided_by,
            suggested_level=suggested,
            justification=justification,
            source_form=source_form,
        )
    except ValidationError:
        reject()
    payload = {
        "seq": seq,
        "level": decision.level.value,
        "decided_by": decision.decided_by,
        "suggested_level": decision.suggested_level.value if decision.suggested_level else None,
        "justification": decision.justification,
        "source_form": decision.source_form,
    }
    want = json.dumps(
        {k: v for k, v in payload.items() if v is not None}, ensure_ascii=False, sort_keys=True
    )
    assert _note_text(seq, decision) == want


@given(parts=st.lists(st.text(max_size=12), min_size=1, max_size=5))
def test_record_and_row_ids_are_uuid5(parts: list[str]) -> None:
    m = default_mapping()
    assert m.uuid(*parts) == str(uuid.uuid5(m.config.namespace, ":".join(parts)))


def test_mapping_pickles_without_its_compiled_steps() -> None:
    mapping = _mapping("override_a")
    case = golden_cases()[0]
    before = map_case(case, mapping)
    copy = pickle.loads(pickle.dumps(mapping))  # noqa: S301 - our own bytes
    assert "compiled" not in vars(copy)
    assert map_case(case, copy) == before


def test_date_text_cache_stays_bounded() -> None:
    cache = _Cache(_date_text)
    start = dt.date(1900, 1, 1)
    for i in range(50_001):
        day = start + dt.timedelta(days=i)
        assert cache[day] == day.isoformat()
    assert 0 < len(cache) <= 50_000
    assert _ISO_DATES[start] == "1900-01-01"
    # A datetime is not its date: cached apart.
    assert (
        _ISO_DATES[dt.datetime(1900, 1, 1, 12, 30, tzinfo=dt.UTC)] == "1900-01-01T12:30:00+00:00"
    )
