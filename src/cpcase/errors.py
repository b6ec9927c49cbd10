"""The cpcase exception tree.

Outcomes such as "not eligible", "overdue" or "over caseload" are return values, never
exceptions. Exceptions are for misuse, bad input and I/O::

    CpcaseError                         root; never raised bare
    ├── FormError                       a form or case file failed validation (names fields, never values)
    ├── CaseCodeError                   a malformed anonymised case code
    ├── PolicyError                     a policy profile file is malformed (names key and expected type)
    │   └── UnknownProfileError         no profile by that name (also a LookupError)
    ├── RuleViolation                   raised only by ``check_*`` helpers; carries ``.code``
    ├── SharingError                    information sharing refused
    │   ├── ConsentRequired             consent missing, expired, withdrawn or used
    │   └── NotPermitted                the audience may not see this for this purpose
    └── AdapterError                    I/O with the outside world
        ├── RegisterImportError         an Excel/CSV register cannot be read (names file, sheet, cell)
        ├── PrimeroError                talking to CPIMS+/Primero v2
        └── ArchiveError                encrypted archives (age format)

Messages name files, rows, cells, fields and case codes, never a child's name or free text.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "ArchiveError",
    "CaseCodeError",
    "ConsentRequired",
    "CpcaseError",
    "FormError",
    "NotPermitted",
    "PolicyError",
    "PrimeroError",
    "RegisterImportError",
    "RuleViolation",
    "SharingError",
    "UnknownProfileError",
]


class CpcaseError(Exception):
    """Root of every error cpcase raises on purpose."""

    message = "cpcase error"

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or (self.message,)))


class FormError(CpcaseError, ValueError):
    """A form or case file failed validation.

    ``problems`` holds ``(field_path, label_fr, label_en, message)`` tuples so that callers can
    show them in either language without parsing text. Input values are never included.
    """

    message = "form validation failed"

    def __init__(self, summary: str, problems: tuple[tuple[str, str, str, str], ...] = ()) -> None:
        super().__init__(summary)
        self.problems = problems


class CaseCodeError(CpcaseError, ValueError):
    """An anonymised case code does not match the configured format."""

    message = "invalid case code"


class PolicyError(CpcaseError, ValueError):
    """A policy profile is malformed; the message names the key and the expected type."""

    message = "invalid policy profile"


class UnknownProfileError(PolicyError, LookupError):
    """No policy profile has that name."""

    message = "unknown policy profile"


class RuleViolation(CpcaseError, ValueError):
    """A ``check_*`` helper found a rule broken; ``code`` is machine-readable."""

    message = "rule violated"

    def __init__(self, msg: str, *, code: str) -> None:
        super().__init__(msg)
        self.code = code


class SharingError(CpcaseError):
    """Information sharing was refused."""

    message = "sharing refused"


class ConsentRequired(SharingError):
    """Sharing needs a consent that is missing, expired, withdrawn or already used."""

    message = "consent required"


class NotPermitted(SharingError, PermissionError):
    """The sharing matrix does not allow this audience and purpose."""

    message = "not permitted"


class AdapterError(CpcaseError):
    """Failure while reading or writing outside data (files, servers, archives)."""

    message = "adapter error"


class RegisterImportError(AdapterError, ValueError):
    """An Excel/CSV register cannot be read at all (per-row problems go in the report)."""

    message = "register cannot be read"


class PrimeroError(AdapterError):
    """Failure talking to a CPIMS+/Primero v2 server."""

    message = "Primero error"


class ArchiveError(AdapterError):
    """Failure creating, reading or verifying an encrypted archive."""

    message = "archive error"
