"""cpcase: child-protection case management.

The core (``cpcase.forms``, ``cpcase.vocab``, ``cpcase.case``, ``cpcase.codes``, ``cpcase.rules``)
needs only pydantic and attrs; the adapters (``cpcase.adapters.excel``, ``.primero``, ``.age``,
``.archive``) do the I/O and are never imported from here.
"""

import importlib
from typing import TYPE_CHECKING, Any

from cpcase._version import __version__
from cpcase.codes import DEFAULT_CASE_CODE_FORMAT, CaseCode, CaseCodeFormat, CaseCodeGenerator
from cpcase.errors import (
    AdapterError,
    ArchiveError,
    CaseCodeError,
    ConsentRequired,
    CpcaseError,
    FormError,
    NotPermitted,
    PolicyError,
    PrimeroError,
    RegisterImportError,
    RuleViolation,
    SharingError,
    UnknownProfileError,
)
from cpcase.labels import LabelledEnum

if TYPE_CHECKING:
    from cpcase.case import CaseFile, RiskDecision, TimelineEntry
    from cpcase.forms import CATALOGUE, CatalogueEntry, FormBase, get_form

# The form models are built on first use, so that ``import cpcase.adapters.age`` or a CLI
# command that needs no form does not pay for building them.
_LAZY = {
    "CaseFile": "cpcase.case",
    "RiskDecision": "cpcase.case",
    "TimelineEntry": "cpcase.case",
    "CATALOGUE": "cpcase.forms",
    "CatalogueEntry": "cpcase.forms",
    "FormBase": "cpcase.forms",
    "get_form": "cpcase.forms",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cpcase' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [  # noqa: RUF022 - plain sorted() order, checked by tests/test_public_api.py
    "AdapterError",
    "ArchiveError",
    "CATALOGUE",
    "CaseCode",
    "CaseCodeError",
    "CaseCodeFormat",
    "CaseCodeGenerator",
    "CaseFile",
    "CatalogueEntry",
    "ConsentRequired",
    "CpcaseError",
    "DEFAULT_CASE_CODE_FORMAT",
    "FormBase",
    "FormError",
    "LabelledEnum",
    "NotPermitted",
    "PolicyError",
    "PrimeroError",
    "RegisterImportError",
    "RiskDecision",
    "RuleViolation",
    "SharingError",
    "TimelineEntry",
    "UnknownProfileError",
    "__version__",
    "get_form",
]
