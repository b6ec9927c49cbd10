"""Case archives: closed or transferred case files in one age-encrypted tar.

An archive is ``OUT.cpcase.age``: an age v1 file (open it with ``age -d``) holding a tar of
``manifest.json`` (format version, creation time, organisation, case codes, retention date,
size and SHA-256 of every entry), ``cases.jsonl`` (one case file per line) and
``attachments/...``. See ``docs/archives.md``.
"""

from __future__ import annotations

from cpcase.adapters.archive.create import ArchiveSummary, CaseScan, create_archive, scan_cases
from cpcase.adapters.archive.demo import demo_archive
from cpcase.adapters.archive.errors import (
    ArchiveInputError,
    ArchiveIntegrityError,
    CasesFileError,
    ManifestError,
    UnsafeEntryError,
)
from cpcase.adapters.archive.manifest import (
    FORMAT_VERSION,
    ArchiveManifest,
    ManifestEntry,
    check_member_name,
    retain_until_after,
)
from cpcase.adapters.archive.read import (
    DEFAULT_MAX_ENTRY_SIZE,
    ExtractReport,
    VerifyReport,
    extract_archive,
    read_manifest,
    verify_archive,
)

__all__ = [
    "DEFAULT_MAX_ENTRY_SIZE",
    "FORMAT_VERSION",
    "ArchiveInputError",
    "ArchiveIntegrityError",
    "ArchiveManifest",
    "ArchiveSummary",
    "CaseScan",
    "CasesFileError",
    "ExtractReport",
    "ManifestEntry",
    "ManifestError",
    "UnsafeEntryError",
    "VerifyReport",
    "check_member_name",
    "create_archive",
    "demo_archive",
    "extract_archive",
    "read_manifest",
    "retain_until_after",
    "scan_cases",
    "verify_archive",
]
