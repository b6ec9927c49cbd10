"""Create a case archive: a tar of manifest.json, cases.jsonl and attachments, age-encrypted.

Two passes over the inputs keep the manifest first in the tar (so ``list`` reads only the
start of the archive) while never holding more than a few MiB in memory:

1. scan: read every input once, checking each JSONL line (a JSON object with a ``case_code``)
   and computing sizes and SHA-256 digests; nothing is written if anything is wrong;
2. write: stream the tar into the age encrypter, re-hashing every input on the way; a file
   that changed in between aborts the archive (``ArchiveInputError``, code ``changed``).

The output appears atomically (temp file, fsync, rename) and only if everything succeeded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import stat
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

import attrs

from cpcase._version import __version__
from cpcase.adapters.age import OutputExistsError, Recipient, atomic_output
from cpcase.adapters.age.core import EncryptingWriter
from cpcase.adapters.archive.errors import ArchiveInputError, CasesFileError, UnsafeEntryError
from cpcase.adapters.archive.manifest import (
    ATTACHMENTS_PREFIX,
    CASES_ENTRY,
    MANIFEST_ENTRY,
    ArchiveManifest,
    ManifestEntry,
    check_member_name,
)

__all__ = ["ArchiveSummary", "CaseScan", "create_archive", "scan_cases"]

MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest accepted JSONL line (one case file); longer lines are refused, not truncated."""
_COPY_BUFFER = 4 * 1024 * 1024
_MAX_CODE_LENGTH = 200


class _LineStream(Protocol):
    def readline(self, size: int = -1, /) -> bytes:
        """Read one line of at most ``size`` bytes."""


@attrs.frozen
class CaseScan:
    """What a pass over a cases JSONL stream found: codes in file order, size, digest."""

    case_codes: tuple[str, ...]
    size: int
    sha256: str


@attrs.frozen
class ArchiveSummary:
    """The result of :func:`create_archive`: where it went and what it holds."""

    path: Path
    manifest: ArchiveManifest
    archive_size: int


def scan_cases(stream: _LineStream, *, source: str = CASES_ENTRY) -> CaseScan:
    """Read a JSONL stream line by line: check each line, collect case codes, hash the bytes.

    Raises :class:`CasesFileError` naming ``source`` and the line number; the message never
    repeats the line's contents (they are case data).
    """
    digest = hashlib.sha256()
    size = 0
    codes: list[str] = []
    seen: dict[str, int] = {}
    number = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            break
        number += 1
        digest.update(line)
        size += len(line)
        if len(line) > MAX_LINE_BYTES:
            raise CasesFileError(
                f"{source}, line {number}: longer than {MAX_LINE_BYTES // 2**20} MiB",
                code="line_too_long",
                line=number,
            )
        text = line.rstrip(b"\n").removesuffix(b"\r")
        where = f"{source}, line {number}"
        if not text.strip():
            raise CasesFileError(f"{where}: empty line", code="empty_line", line=number)
        try:
            value = json.loads(text.decode("utf-8"))
        except UnicodeDecodeError:
            raise CasesFileError(f"{where}: not UTF-8", code="not_utf8", line=number) from None
        except json.JSONDecodeError as exc:
            raise CasesFileError(
                f"{where}: not valid JSON ({exc.msg} at column {exc.colno})",
                code="not_json",
                line=number,
            ) from None
        if not isinstance(value, dict):
            raise CasesFileError(
                f"{where}: not a JSON object (one case file per line)",
                code="not_object",
                line=number,
            )
        code = value.get("case_code")
        if code is None:
            raise CasesFileError(f"{where}: no case_code", code="missing_case_code", line=number)
        if (
            not isinstance(code, str)
            or not code.strip()
            or len(code) > _MAX_CODE_LENGTH
            or any(ord(c) < 32 or ord(c) == 127 for c in code)
        ):
            raise CasesFileError(
                f"{where}: case_code must be a short non-empty string",
                code="bad_case_code",
                line=number,
            )
        if code in seen:
            raise CasesFileError(
                f"{where}: case code {code} already on line {seen[code]}",
                code="duplicate_case_code",
                line=number,
            )
        seen[code] = number
        codes.append(code)
    return CaseScan(tuple(codes), size, digest.hexdigest())


def _scan_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(_COPY_BUFFER):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _attachments(root: Path) -> list[tuple[str, Path]]:
    """(member name, path) for every regular file under ``root``, sorted; refuse links etc."""
    if not root.is_dir():
        raise ArchiveInputError(f"{root}: not a directory", code="not_a_directory")
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                raise ArchiveInputError(
                    f"{here / name}: symbolic links are not archived (copy the target instead)",
                    code="symlink",
                )
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise ArchiveInputError(
                    f"{path}: symbolic links are not archived (copy the target instead)",
                    code="symlink",
                )
            if not stat.S_ISREG(mode):
                raise ArchiveInputError(
                    f"{path}: not a regular file (device, socket or pipe)", code="special_file"
                )
            relative = path.relative_to(root).as_posix()
            member = ATTACHMENTS_PREFIX + relative
            try:
                check_member_name(member)
            except UnsafeEntryError:
                raise ArchiveInputError(
                    f"{path}: file name not portable (control character or backslash)",
                    code="bad_name",
                ) from None
            found.append((member, path))
    return sorted(found)


class _HashingReader:
    """Wrap a file so that what tarfile copies is hashed on the way (detects changes)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def _write_tar(
    writer: EncryptingWriter,
    manifest_bytes: bytes,
    files: list[tuple[str, Path]],
    entries: list[ManifestEntry],
    mtime: float,
) -> None:
    with tarfile.TarFile(
        fileobj=writer,
        mode="w",
        format=tarfile.PAX_FORMAT,
        copybufsize=_COPY_BUFFER,
    ) as tar:
        tar.addfile(
            _tarinfo(MANIFEST_ENTRY, len(manifest_bytes), mtime), io.BytesIO(manifest_bytes)
        )
        for (member, path), entry in zip(files, entries, strict=True):
            with path.open("rb") as handle:
                reader = _HashingReader(handle)
                try:
                    tar.addfile(_tarinfo(member, entry.size, mtime), reader)
                except (OSError, tarfile.TarError):
                    raise ArchiveInputError(
                        f"{path}: changed while being archived (shorter); try again",
                        code="changed",
                    ) from None
                extra = handle.read(1)
            if extra or reader.digest.hexdigest() != entry.sha256:
                raise ArchiveInputError(
                    f"{path}: changed while being archived; try again", code="changed"
                )


def create_archive(
    cases_jsonl: str | os.PathLike[str],
    output: str | os.PathLike[str],
    recipients: Sequence[Recipient],
    *,
    created_at: dt.datetime,
    attachments_dir: str | os.PathLike[str] | None = None,
    organisation: str | None = None,
    retain_until: dt.date | None = None,
    armor: bool = False,
    overwrite: bool = False,
) -> ArchiveSummary:
    """Archive the cases (and attachments) into one age-encrypted tar at ``output``.

    ``created_at`` must be timezone-aware (the CLI passes the current time). ``recipients``
    are age recipients: X25519 keys and/or one :class:`~cpcase.adapters.age.ScryptRecipient`.
    Inputs are never modified; ``output`` appears only if everything succeeded.
    """
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    cases_path = Path(cases_jsonl)
    out_path = Path(output)
    if not overwrite and out_path.exists():
        raise OutputExistsError(f"{out_path}: already exists (refusing to overwrite)")
    # Pass 1: check and hash everything before creating any output.
    try:
        with cases_path.open("rb") as handle:
            scan = scan_cases(handle, source=str(cases_path))
    except OSError as exc:
        raise CasesFileError(
            f"{cases_path}: cannot read ({exc.strerror})", code="unreadable"
        ) from None
    files: list[tuple[str, Path]] = [(CASES_ENTRY, cases_path)]
    entries = [ManifestEntry(path=CASES_ENTRY, size=scan.size, sha256=scan.sha256)]
    if attachments_dir is not None:
        for member, path in _attachments(Path(attachments_dir)):
            try:
                size, digest = _scan_file(path)
            except OSError as exc:
                raise ArchiveInputError(
                    f"{path}: cannot read ({exc.strerror})", code="unreadable"
                ) from None
            files.append((member, path))
            entries.append(ManifestEntry(path=member, size=size, sha256=digest))
    manifest = ArchiveManifest(
        created_at=created_at,
        generator=f"cpcase {__version__}",
        organisation=organisation,
        case_count=len(scan.case_codes),
        case_codes=scan.case_codes,
        retain_until=retain_until,
        entries=tuple(entries),
    )
    # Pass 2: stream the tar through the encrypter into an atomic output file.
    with atomic_output(out_path, overwrite=overwrite) as sink:
        with EncryptingWriter(sink, recipients, armor=armor) as writer:
            _write_tar(writer, manifest.to_json_bytes(), files, entries, created_at.timestamp())
        archive_size = sink.tell()
    return ArchiveSummary(path=out_path, manifest=manifest, archive_size=archive_size)
