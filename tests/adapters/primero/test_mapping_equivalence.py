"""The Primero mapping sends exactly the bytes recorded by the reference implementation.

``data/mapping_golden_*.jsonl.gz`` hold, for 672 case files (the bundled sample register
converted, plus derandomised hypothesis case files, sparse and dense, some with a kept Primero
id), the create body, clearable fields and gaps that the mapping produced before it was compiled
into per-form steps (see ``data/make_mapping_golden.py``), for the default mapping and two
overrides that exercise explicit empties, gaps, renamed or unsent fields and extra fallbacks.
Bodies are compared as ``json.dumps(..., ensure_ascii=False)`` text, so key order counts.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from cpcase.adapters.primero import case_to_primero, default_mapping, load_mapping, map_case
from cpcase.adapters.primero.mapping import PrimeroMapping
from cpcase.case import CaseFile

DATA = Path(__file__).parent / "data"
MAPPINGS = ("default", "override_a", "override_b")


def _lines(name: str) -> list[str]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


@functools.cache
def _cases() -> tuple[CaseFile, ...]:
    return tuple(
        CaseFile.model_validate_json(line) for line in _lines("mapping_golden_cases.jsonl.gz")
    )


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
    cases = _cases()
    assert len(cases) == 672
    assert sum(c.registration is not None for c in cases) > 300
    for attr in ("action_plans", "services", "follow_ups"):
        assert sum(bool(getattr(c, attr)) for c in cases) > 50, attr
    assert sum("primero" in c.extra_fields for c in cases) > 30
    records = [json.loads(line) for line in _lines("mapping_golden_default.jsonl.gz")]
    assert sum(bool(r["gaps"]) for r in records) > 50
    assert sum(bool(r["clearable"]) for r in records) > 50
    assert sum("closure_reason_other" in r["body"]["data"] for r in records) > 10


@pytest.mark.parametrize("name", MAPPINGS)
def test_same_bodies_gaps_and_clearable_as_reference(name: str) -> None:
    mapping = _mapping(name)
    expected = _lines(f"mapping_golden_{name}.jsonl.gz")
    cases = _cases()
    assert len(expected) == len(cases)
    for i, (case, want) in enumerate(zip(cases, expected, strict=True)):
        got = _record(case, mapping)
        assert got == want, f"case {i} ({case.case_code}) differs with mapping {name}"


def test_case_to_primero_bytes_match_reference() -> None:
    """The body written to ``cases.primero.jsonl`` (default mapping), byte for byte."""
    expected = _lines("mapping_golden_default.jsonl.gz")
    for case, want in zip(_cases(), expected, strict=True):
        body = json.dumps(case_to_primero(case), ensure_ascii=False)
        assert body == json.dumps(json.loads(want)["body"], ensure_ascii=False)


def test_mapping_is_repeatable() -> None:
    """Mapping the same case twice (tables compiled once, reused) gives equal, separate bodies."""
    mapping = _mapping("override_a")
    case = next(c for c in _cases() if c.services and c.registration is not None)
    first = map_case(case, mapping)
    second = map_case(case, mapping)
    assert first == second
    assert first.body is not second.body
