"""The public API surface: sorted, complete __all__ lists; the core never imports adapters."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import cpcase

PACKAGES = ["cpcase", "cpcase.forms", "cpcase.vocab", "cpcase.rules"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_resolves(name: str) -> None:
    """Every name in __all__ exists, and __all__ is sorted (dunders and constants first)."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    for item in exported:
        assert hasattr(module, item), f"{name}.{item}"
    assert len(set(exported)) == len(exported)
    assert exported == sorted(exported), name


def test_version_is_exposed() -> None:
    """cpcase.__version__ is a PEP 440-ish version string."""
    assert cpcase.__version__.count(".") >= 2


def test_core_does_not_import_adapter_dependencies() -> None:
    """Importing the core (forms, rules, case) loads none of the adapters' dependencies."""
    code = (
        "import sys, cpcase, cpcase.forms, cpcase.rules, cpcase.case, cpcase.testing;"
        "bad = [m for m in ('openpyxl', 'requests', 'python_calamine', 'cryptography',"
        " 'defusedxml', 'cpcase.adapters') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
