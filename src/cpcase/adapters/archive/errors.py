"""Errors of case archives (the tar inside the age encryption), each with a machine code.

Encryption-level failures (wrong key, tampered or truncated file) are the age errors from
:mod:`cpcase.adapters.age.errors`; the classes here cover the archive's contents::

    ArchiveError                     (cpcase.errors)
    ├── CasesFileError               a line of the input JSONL is unusable (names file and line)
    ├── ArchiveInputError            an attachment cannot be archived (link, special file, changed)
    ├── ManifestError                manifest.json missing, not first, invalid or of a newer version
    ├── ArchiveIntegrityError        contents disagree with the manifest (hash, size, entries)
    └── UnsafeEntryError             extraction refused: traversal, absolute path, link, too large

``code`` is a stable machine-readable reason; messages name files, lines and entries, never
case contents.
"""

from __future__ import annotations

from cpcase.errors import ArchiveError

__all__ = [
    "ArchiveInputError",
    "ArchiveIntegrityError",
    "CasesFileError",
    "ManifestError",
    "UnsafeEntryError",
]


class _Coded(ArchiveError):
    """An archive error with a machine-readable ``code``."""

    def __init__(self, msg: str, *, code: str) -> None:
        super().__init__(msg)
        self.code = code


class CasesFileError(_Coded, ValueError):
    """A line of the cases JSONL file is not a JSON object with a usable ``case_code``.

    ``code`` is one of ``not_utf8``, ``empty_line``, ``line_too_long``, ``not_json``,
    ``not_object``, ``missing_case_code``, ``bad_case_code``, ``duplicate_case_code``,
    ``unreadable``; ``line`` is the 1-based line number (0 for the whole file).
    """

    message = "invalid cases file"

    def __init__(self, msg: str, *, code: str, line: int = 0) -> None:
        super().__init__(msg, code=code)
        self.line = line


class ArchiveInputError(_Coded, ValueError):
    """An attachment cannot be archived.

    ``code``: ``not_a_directory``, ``symlink``, ``special_file``, ``bad_name``, ``unreadable``,
    ``changed`` (the file changed while being archived).
    """

    message = "invalid archive input"


class ManifestError(_Coded, ValueError):
    """The archive's manifest is missing, misplaced, malformed or of an unknown version.

    ``code``: ``missing``, ``not_first``, ``too_large``, ``invalid``, ``unsupported_version``.
    """

    message = "invalid archive manifest"


class ArchiveIntegrityError(_Coded):
    """The archive's contents disagree with its manifest.

    ``code``: ``hash_mismatch``, ``size_mismatch``, ``missing_entry``, ``unexpected_entry``,
    ``duplicate_entry``, ``case_mismatch``, ``trailing_data``. ``entry`` names the member.
    """

    message = "archive contents do not match the manifest"

    def __init__(self, msg: str, *, code: str, entry: str | None = None) -> None:
        super().__init__(msg, code=code)
        self.entry = entry


class UnsafeEntryError(_Coded):
    """Extraction refused an entry.

    ``code``: ``absolute_path``, ``path_traversal``, ``bad_name``, ``link``, ``special_file``,
    ``too_large``. ``entry`` is the member name (shown escaped).
    """

    message = "unsafe archive entry"

    def __init__(self, msg: str, *, code: str, entry: str | None = None) -> None:
        super().__init__(msg, code=code)
        self.entry = entry
