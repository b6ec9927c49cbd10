"""``cpcase convert`` / ``mapping suggest`` / ``export`` / ``template``: exit codes and files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from cpcase.cli import main

from .conftest import write_md_workbook

CLEAN = """
| N° dossier | Date d'enregistrement | Nom | Prénom | Sexe | Âge | Problème principal |
| 1 | 12/03/2023 | FICTIF | Awa | F | 12 | Négligence |
| 2 | 13/03/2023 | DÉMO | Issa | M | 9 | Abandon |
"""
ONE_BAD = CLEAN + "| 3 | 31/02/2023 | ESSAI | Oumar | M | 7 | Viol |\n"


def test_convert_exit_0_when_every_row_converts(tmp_path: Path) -> None:
    """Exit status 0, the outputs written, the summary printed (no progress bar off a tty)."""
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": CLEAN})
    result = CliRunner().invoke(
        main, ["convert", str(path), "-o", str(tmp_path / "out"), "--today", "2024-03-01"]
    )
    assert result.exit_code == 0, result.output
    assert "converties : 2" in result.output
    assert "Conversion" not in result.stderr  # no progress bar when stderr is not a terminal
    for name in ("cases.jsonl", "report.xlsx", "rows.csv", "summary.json"):
        assert (tmp_path / "out" / name).is_file()


def test_convert_exit_3_when_rows_are_rejected(tmp_path: Path) -> None:
    """Exit status 3 when some rows were rejected; --quiet prints nothing."""
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": ONE_BAD})
    result = CliRunner().invoke(
        main, ["convert", str(path), "-o", str(tmp_path / "out"), "--quiet", "--lang", "en"]
    )
    assert result.exit_code == 3
    assert result.output == ""
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["rejected"] == 1


def test_convert_exit_2_for_unusable_input(tmp_path: Path) -> None:
    """Exit status 2 for a damaged register or a bad mapping file, with a clear message."""
    bad = tmp_path / "r.xlsx"
    bad.write_bytes(b"PK\x03\x04 truncated")
    result = CliRunner().invoke(main, ["convert", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "r.xlsx" in result.stderr
    good = write_md_workbook(tmp_path / "g.xlsx", {"R": CLEAN})
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"Nom" = "nom_de_famille"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["convert", str(good), "-o", str(tmp_path / "o2"), "--mapping", str(mapping)]
    )
    assert result.exit_code == 2
    assert "nom_de_famille" in result.stderr
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "absent.xlsx"), "-o", "x"])
    assert result.exit_code == 2


def test_convert_to_primero(tmp_path: Path) -> None:
    """--to primero writes one Primero v2 create body per converted case."""
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": CLEAN})
    result = CliRunner().invoke(
        main, ["convert", str(path), "-o", str(tmp_path / "out"), "--to", "primero", "-q"]
    )
    assert result.exit_code == 0, result.stderr
    bodies = (tmp_path / "out" / "cases.primero.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(bodies) == 2
    first = json.loads(bodies[0])
    assert first["data"]["sex"] == "female"


def test_mapping_suggest_lists_unknown_columns(tmp_path: Path) -> None:
    """The draft maps known columns, proposes extra: for the others, and lists them."""
    md = "| N° | Date | Sexe (M/F) | Observations |\n| 1 | 12/03/2023 | F | rien |\n"
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": md})
    out = tmp_path / "mapping.toml"
    result = CliRunner().invoke(main, ["mapping", "suggest", str(path), "-o", str(out)])
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert '"Sexe (M/F)" = "sex"' in text
    assert '"Observations" = "extra:observations"' in text
    assert "Observations" in result.stderr
    from cpcase.adapters.excel.mapping import load_mapping

    config = load_mapping(out)  # the draft is a valid mapping file as written
    assert config.header_row == 1


def test_export_and_template_commands(tmp_path: Path) -> None:
    """`cpcase template` and `cpcase export` write workbooks."""
    runner = CliRunner()
    result = runner.invoke(main, ["template", "-o", str(tmp_path / "t.xlsx"), "--lang", "en"])
    assert result.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "Register"
    path = write_md_workbook(tmp_path / "r.xlsx", {"R": CLEAN})
    runner.invoke(main, ["convert", str(path), "-o", str(tmp_path / "out"), "-q"])
    result = runner.invoke(
        main, ["export", str(tmp_path / "out" / "cases.jsonl"), "-o", str(tmp_path / "e.xlsx")]
    )
    assert result.exit_code == 0
    assert "2 dossiers exportés" in result.output
    bad = runner.invoke(main, ["export", str(tmp_path / "none.jsonl"), "-o", "x.xlsx"])
    assert bad.exit_code == 2
