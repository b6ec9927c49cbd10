"""Archives hold real ``CaseFile`` JSON (cpcase.case) losslessly: archive, extract, re-validate."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpcase.adapters.age import X25519Identity
from cpcase.adapters.archive import create_archive, extract_archive, verify_archive
from cpcase.case import CaseFile
from cpcase.testing import case_files

from .conftest import CREATED

ME = X25519Identity.generate()


@settings(
    max_examples=10, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(cases=st.lists(case_files(), min_size=1, max_size=3, unique_by=lambda c: c.case_code))
def test_case_files_round_trip(cases: list[CaseFile]) -> None:
    """Case files written with model_dump_json come back equal after archive + extract."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "cases.jsonl"
        src.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
        out = root / "a.cpcase.age"
        summary = create_archive(src, out, [ME.recipient], created_at=CREATED)
        assert summary.manifest.case_codes == tuple(c.case_code for c in cases)
        assert verify_archive(out, [ME]).manifest.case_count == len(cases)
        extract_archive(out, root / "x", [ME])
        lines = (root / "x" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
        assert [CaseFile.model_validate_json(line) for line in lines] == cases
