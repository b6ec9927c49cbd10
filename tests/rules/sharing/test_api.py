"""The public surface of cpcase.rules.sharing: sorted, complete, importable."""

from __future__ import annotations

import cpcase.rules.sharing as sharing


def test_all_is_sorted_unique_and_resolves() -> None:
    names = list(sharing.__all__)
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(sharing, name), name


def test_issue_functions_are_exported() -> None:
    for name in ("share", "consent_status", "monthly_sheet_from_cases", "suppress", "NameList"):
        assert name in sharing.__all__
