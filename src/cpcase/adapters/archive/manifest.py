"""The manifest of a case archive (``manifest.json``, the first entry of the tar).

It records what the archive holds and why it exists: format version, creation time,
organisation, the anonymised case codes, the date until which the archive must be kept
(``retain_until``), and the size and SHA-256 of every other entry, so that an archive can be
verified without trusting anything but the decryption key.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    ValidationError,
    model_validator,
)

from cpcase.adapters.archive.errors import ManifestError, UnsafeEntryError

__all__ = [
    "CASES_ENTRY",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MANIFEST_ENTRY",
    "ArchiveManifest",
    "ManifestEntry",
    "check_member_name",
    "retain_until_after",
]

FORMAT_NAME = "cpcase-archive"
FORMAT_VERSION = 1
MANIFEST_ENTRY = "manifest.json"
CASES_ENTRY = "cases.jsonl"
ATTACHMENTS_PREFIX = "attachments/"
_CONFIG = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_member_name(name: str) -> PurePosixPath:
    """Return ``name`` as a safe relative path, or raise :class:`UnsafeEntryError`.

    Refused: empty names, absolute paths (``/x``, ``C:\\x``), ``..`` or ``.`` components,
    backslashes, control characters, non-normalised forms (``a//b``, trailing ``/``).
    """
    shown = repr(name)[:120]
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UnsafeEntryError(
            f"absolute path in archive: {shown}", code="absolute_path", entry=name
        )
    parts = name.split("/")
    if ".." in parts:
        raise UnsafeEntryError(
            f"path traversal in archive: {shown}", code="path_traversal", entry=name
        )
    if (
        not name
        or "\\" in name
        or _CONTROL.search(name)
        or any(p in {"", "."} for p in parts)
        or any(len(p.encode("utf-8", "surrogatepass")) > 255 for p in parts)
        or len(name) > 4096
    ):
        raise UnsafeEntryError(
            f"unusable entry name in archive: {shown}", code="bad_name", entry=name
        )
    return PurePosixPath(name)


def retain_until_after(created_at: dt.datetime, years: int) -> dt.date:
    """The date ``years`` after ``created_at`` (29 February falls back to 28 February)."""
    start = created_at.date()
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a non-leap year
        return start.replace(year=start.year + years, day=28)


class ManifestEntry(BaseModel):
    """One archived entry: its name in the tar, size in bytes and SHA-256 (hex)."""

    model_config = _CONFIG

    path: str
    size: NonNegativeInt
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ArchiveManifest(BaseModel):
    """Everything ``cpcase archive list`` shows, and what ``verify`` checks against."""

    model_config = _CONFIG

    format: Literal["cpcase-archive"] = "cpcase-archive"
    format_version: Literal[1] = 1
    created_at: AwareDatetime
    generator: str
    organisation: str | None = None
    case_count: NonNegativeInt
    case_codes: tuple[str, ...]
    retain_until: dt.date | None = None
    entries: tuple[ManifestEntry, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ArchiveManifest:
        if self.case_count != len(self.case_codes):
            raise ValueError("case_count does not match the number of case codes")
        paths = [e.path for e in self.entries]
        if len(set(paths)) != len(paths):
            raise ValueError("duplicate entry paths")
        if CASES_ENTRY not in paths:
            raise ValueError("the cases.jsonl entry is missing")
        for path in paths:
            check_member_name(path)
            if path != CASES_ENTRY and not path.startswith(ATTACHMENTS_PREFIX):
                raise ValueError("entries must be cases.jsonl or under attachments/")
        return self

    @property
    def total_size(self) -> int:
        """Bytes of data in the archive (manifest excluded)."""
        return sum(e.size for e in self.entries)

    def to_json_bytes(self) -> bytes:
        """Pretty UTF-8 JSON, as stored in the archive."""
        data = self.model_dump(mode="json")
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json_bytes(cls, data: bytes) -> ArchiveManifest:
        """Parse and validate; raises :class:`ManifestError` (without echoing values)."""
        try:
            raw = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ManifestError("manifest.json is not valid UTF-8 JSON", code="invalid") from None
        if isinstance(raw, dict) and raw.get("format") == FORMAT_NAME:
            version = raw.get("format_version")
            if isinstance(version, int) and version > FORMAT_VERSION:
                raise ManifestError(
                    f"archive format version {version} is newer than this cpcase supports "
                    f"({FORMAT_VERSION}); upgrade cpcase",
                    code="unsupported_version",
                )
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            where = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'manifest'}: {e['msg']}"
                for e in exc.errors(include_input=False)[:5]
            )
            raise ManifestError(f"manifest.json is invalid: {where}", code="invalid") from None
