"""The bundled synthetic register and the demo."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cpcase.adapters.excel import SAMPLE_REGISTER, demo_convert, write_sample_register
from cpcase.adapters.excel.sample import SAMPLE_HEADERS, sample_rows


def test_bundled_register_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    """The shipped file is exactly what the generator writes (deterministic seed)."""
    fresh = write_sample_register(tmp_path / "r.xlsx")
    assert fresh.read_bytes() == SAMPLE_REGISTER.read_bytes()


def test_sample_looks_like_a_messy_french_register() -> None:
    """Title rows, merged cells, a hidden list, French headers and invented names."""
    wb = openpyxl.load_workbook(SAMPLE_REGISTER)
    assert wb.sheetnames == ["Instructions", "Registre 2023", "Listes"]
    sheet = wb["Registre 2023"]
    assert [c.value for c in sheet[4]] == list(SAMPLE_HEADERS)
    assert len(sheet.merged_cells.ranges) > 10
    names = {str(r[2]) for r in sheet.iter_rows(min_row=5, values_only=True) if r[2]}
    surnames = {
        "FICTIF",
        "EXEMPLE",
        "DÉMO",
        "ESSAI",
        "FACTICE",
        "MODÈLE",
        "INVENTÉ",
        "SIMULÉ",
        "TÉMOIN",
        "IMAGINAIRE",
    }
    assert all(any(s in n for s in surnames) for n in names)


def test_generator_is_deterministic() -> None:
    """Same seed, same rows."""
    assert list(sample_rows(50, seed=3)) == list(sample_rows(50, seed=3))
    assert list(sample_rows(50, seed=3)) != list(sample_rows(50, seed=4))


def test_demo_converts_the_bundled_register(tmp_path: Path) -> None:
    """`make demo`'s step: every row accounted for, some rejected, some kept as 18+."""
    summary = demo_convert(tmp_path, echo=False)
    assert summary.rows_read == summary.converted + summary.not_eligible + summary.rejected
    assert summary.rows_read >= 300
    assert summary.converted > 0.8 * summary.rows_read
    assert summary.rejected > 0
    assert summary.not_eligible > 0
    assert summary.exit_code == 3
    assert (tmp_path / "cases.primero.jsonl").is_file()
    lines = (tmp_path / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == summary.converted + summary.not_eligible
