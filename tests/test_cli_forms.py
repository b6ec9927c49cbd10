"""`cpcase --version`, `cpcase forms` and `cpcase schema`."""

from __future__ import annotations

import json

from click.testing import CliRunner

import cpcase
from cpcase.cli import main
from cpcase.forms import CATALOGUE


def test_version() -> None:
    """--version prints the package version."""
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert cpcase.__version__ in result.output


def test_forms_lists_the_whole_catalogue() -> None:
    """Every catalogue code appears with both names."""
    result = CliRunner().invoke(main, ["forms"])
    assert result.exit_code == 0, result.output
    for code, entry in CATALOGUE.items():
        line = next(ln for ln in result.output.splitlines() if ln.split()[0] == code)
        assert entry.name_fr in line
        assert entry.name_en in line
    rows = json.loads(CliRunner().invoke(main, ["forms", "--json"]).output)
    assert [r["code"] for r in rows] == list(CATALOGUE)


def test_schema_prints_a_json_schema() -> None:
    """`cpcase schema 3.A` prints the plan's JSON Schema with labelled properties."""
    result = CliRunner().invoke(main, ["schema", "3.A"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["type"] == "object"
    assert "case_code" in schema["required"]
    assert schema["properties"]["case_code"]["label_fr"] == "Code du dossier (anonymisé)"
    case_schema = json.loads(CliRunner().invoke(main, ["schema", "CASE"]).output)
    assert "registration" in case_schema["properties"]


def test_schema_unknown_code_is_a_usage_error() -> None:
    """An unknown code exits 2 and lists the known codes."""
    result = CliRunner().invoke(main, ["schema", "9.Z"])
    assert result.exit_code == 2
    assert "3.A" in result.output
