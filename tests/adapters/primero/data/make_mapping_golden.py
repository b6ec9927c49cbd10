"""Writes the golden files of ``test_mapping_equivalence.py`` (run from the repository root).

The expected bodies were produced by the mapping implementation *before* it was compiled into
per-form steps (commit history of ``src/cpcase/adapters/primero/mapping.py``), so the test
proves the faster implementation sends the same bytes. Regenerate only when the mapping's
output is meant to change, and say so in the commit.

Inputs (``mapping_golden_cases.jsonl.gz``, one CaseFile JSON per line):

- every case converted from the bundled sample register ``registre_exemple.xlsx``
  (``ConvertOptions(today=2024-03-01)``);
- hypothesis-generated case files (``cpcase.testing.case_files``, derandomised), sparse and
  dense, some with a kept Primero id in ``extra_fields["primero"]``.

Outputs: for the default mapping and the two test overrides, one line per case with the create
body, the clearable fields and the gaps (``mapping_golden_<name>.jsonl.gz``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from cpcase.adapters.excel import ConvertOptions
from cpcase.adapters.excel.convert import RowConverter, open_sheet
from cpcase.adapters.excel.mapping import map_columns
from cpcase.adapters.excel.reader import RegisterFile
from cpcase.adapters.primero import default_mapping, load_mapping, map_case
from cpcase.adapters.primero.mapping import PrimeroMapping
from cpcase.case import CaseFile
from cpcase.testing import case_files

HERE = Path(__file__).parent


def register_cases() -> list[CaseFile]:
    opts = ConvertOptions(today=dt.date(2024, 3, 1))
    path = Path(str(resources.files("cpcase.data").joinpath("registre_exemple.xlsx")))
    with RegisterFile(path) as reg:
        sheet, guess = open_sheet(reg, opts)
        rows = [r for r in sheet.rows() if r.number > guess.row]
    conv = RowConverter(map_columns(list(guess.names), opts.mapping), opts, sheet=sheet.name)
    return [
        r.case for r in map(conv.convert, rows) if r.outcome == "converted" and r.case is not None
    ]


def generated_cases(n: int, *, sparse: bool) -> list[CaseFile]:
    out: list[CaseFile] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case_files(sparse=sparse))
    def collect(case: CaseFile) -> None:
        out.append(case)

    collect()
    return out


def with_kept_id(case: CaseFile, i: int) -> CaseFile:
    extras = {**case.extra_fields, "primero": {"id": f"kept-{i:04d}-0000-5000-8000-000000000000"}}
    return CaseFile.model_validate({**dict(case), "extra_fields": extras})


def expected(case: CaseFile, mapping: PrimeroMapping) -> str:
    mapped = map_case(case, mapping)
    record: dict[str, Any] = {
        "body": mapped.create_body(),
        "clearable": sorted(mapped.clearable),
        "gaps": [[g.path, g.code, g.pointer] for g in mapped.gaps],
    }
    return json.dumps(record, ensure_ascii=False)


def main() -> None:
    cases = register_cases()
    generated = generated_cases(300, sparse=True) + generated_cases(150, sparse=False)
    cases += [with_kept_id(c, i) if i % 7 == 3 else c for i, c in enumerate(generated)]
    seen: set[str] = set()
    lines = []
    for case in cases:
        text = case.model_dump_json()
        if text not in seen:
            seen.add(text)
            lines.append(text)
    # Inputs are read back from JSON, exactly as the test reads them.
    loaded = [CaseFile.model_validate_json(t) for t in lines]
    with gzip.open(HERE / "mapping_golden_cases.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(t + "\n" for t in lines)
    mappings = {
        "default": default_mapping(),
        "override_a": load_mapping(HERE / "mapping_override_a.toml"),
        "override_b": load_mapping(HERE / "mapping_override_b.toml"),
    }
    for name, mapping in mappings.items():
        out = HERE / f"mapping_golden_{name}.jsonl.gz"
        with gzip.open(out, "wt", encoding="utf-8") as fh:
            fh.writelines(expected(c, mapping) + "\n" for c in loaded)
    print(f"{len(lines)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
