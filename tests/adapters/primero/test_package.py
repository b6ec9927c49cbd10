"""Package hygiene: curated public API; requests imported in exactly one module; no values logged."""

from __future__ import annotations

import ast
from pathlib import Path

import cpcase.adapters.primero as primero

SRC = Path(primero.__file__).parent


def test_all_is_sorted_and_resolves() -> None:
    assert primero.__all__ == sorted(primero.__all__)
    for name in primero.__all__:
        assert hasattr(primero, name), name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_transport_imports_requests() -> None:
    modules = [*sorted(SRC.glob("*.py")), SRC.parents[1] / "cli" / "primero.py"]
    importers = [p.name for p in modules if {"requests", "urllib3"} & _imports(p)]
    assert importers == ["transport.py"]


def test_nothing_logs_or_prints_record_data() -> None:
    """The adapter never uses logging or print (record data would end up in logs)."""
    for path in SRC.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", path.name
        assert "logging" not in _imports(path), path.name


def test_names_come_lazily_from_the_module_that_defines_them() -> None:
    import importlib

    for module, names in primero._MODULES.items():
        source = importlib.import_module(f"cpcase.adapters.primero.{module}")
        for name in names:
            assert getattr(primero, name) is getattr(source, name), name
    assert set(primero._SOURCE) | {"PrimeroError"} == set(primero.__all__)


def test_mapping_cases_does_not_load_the_http_stack() -> None:
    """``cpcase convert --to primero`` maps cases: requests (0.14 s to import) stays out."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from cpcase.adapters import primero\n"
        "assert callable(primero.case_to_primero)\n"
        "print(sorted(m for m in ('requests', 'urllib3') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    code = code.replace("primero.case_to_primero", "primero.PrimeroClient")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['requests', 'urllib3']"  # the check can fail
