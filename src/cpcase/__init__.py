"""cpcase: child-protection case management.

The core (``cpcase.forms``, ``cpcase.vocab``, ``cpcase.case``, ``cpcase.codes``, ``cpcase.rules``)
needs only pydantic and attrs; the adapters (``cpcase.adapters.excel``, ``.primero``, ``.age``,
``.archive``) do the I/O and are never imported from here.
"""

from cpcase._version import __version__
from cpcase.case import CaseFile, RiskDecision, TimelineEntry
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
from cpcase.forms import CATALOGUE, CatalogueEntry, FormBase, get_form
from cpcase.labels import LabelledEnum

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
