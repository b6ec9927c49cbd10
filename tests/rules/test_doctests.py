"""The examples in the rules modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "calendars",
    "caseload",
    "eligibility",
    "lead_caseworker",
    "policy",
    "risk",
    "schedule",
    "workflow",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    """Every doctest of cpcase.rules.<name> passes."""
    module = importlib.import_module(f"cpcase.rules.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, name
    assert result.failed == 0, name
