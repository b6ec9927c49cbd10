"""Read case archives: list the manifest, verify everything, extract safely.

All three stream the tar straight out of the decrypting reader; nothing is buffered whole.

* :func:`read_manifest` decrypts only the start of the archive (the manifest is its first
  entry), so it is quick but does not check the rest;
* :func:`verify_archive` decrypts and authenticates the whole file, hashes every entry against
  the manifest and re-reads the case codes, without writing any plaintext to disk;
* :func:`extract_archive` does the same checks while writing into a private staging directory
  next to the destination, and renames it into place only when everything verified: on any
  error no plaintext is left behind. Entries that are links, devices, absolute or ``..`` paths,
  not listed in the manifest, or larger than ``max_entry_size`` are refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, BinaryIO

import attrs

from cpcase.adapters.age import Identity, OutputExistsError, open_decrypt
from cpcase.adapters.archive.create import scan_cases
from cpcase.adapters.archive.errors import (
    ArchiveIntegrityError,
    CasesFileError,
    ManifestError,
    UnsafeEntryError,
)
from cpcase.adapters.archive.manifest import (
    CASES_ENTRY,
    MANIFEST_ENTRY,
    ArchiveManifest,
    check_member_name,
)

__all__ = [
    "DEFAULT_MAX_ENTRY_SIZE",
    "ExtractReport",
    "VerifyReport",
    "extract_archive",
    "read_manifest",
    "verify_archive",
]

DEFAULT_MAX_ENTRY_SIZE = 2 * 1024**3
"""Largest entry :func:`extract_archive` writes by default (2 GiB); bigger ones are refused."""
MAX_MANIFEST_SIZE = 64 * 1024**2
_BLOCK = 1024 * 1024


@attrs.frozen
class VerifyReport:
    """A verified archive: its manifest and how much was checked."""

    manifest: ArchiveManifest
    entries_verified: int
    bytes_verified: int


@attrs.frozen
class ExtractReport:
    """An extracted archive: where the files went."""

    directory: Path
    manifest: ArchiveManifest
    files: tuple[Path, ...]


@contextlib.contextmanager
def _open_tar(
    archive: str | os.PathLike[str], identities: Sequence[Identity], *, armor: bool | None
) -> Iterator[tuple[tarfile.TarFile, io.BufferedReader]]:
    with open(archive, "rb") as handle:
        reader = open_decrypt(handle, identities, armor=armor)
        try:
            tar = tarfile.open(fileobj=reader, mode="r|")  # noqa: SIM115 - closed by `with tar`
        except tarfile.TarError:
            raise ManifestError(
                "the decrypted archive is not a tar archive (not a cpcase archive?)",
                code="missing",
            ) from None
        with tar:
            yield tar, reader


def _read_member_manifest(tar: tarfile.TarFile) -> tuple[ArchiveManifest, bytes]:
    try:
        first = tar.next()
    except tarfile.TarError:
        raise ManifestError("the archive's tar structure is damaged", code="invalid") from None
    if first is None:
        raise ManifestError("the archive is empty: no manifest.json", code="missing")
    if first.name != MANIFEST_ENTRY:
        raise ManifestError(
            "manifest.json is not the first entry of the archive", code="not_first"
        )
    if not first.isreg():
        raise ManifestError("manifest.json is not a regular file", code="invalid")
    if first.size > MAX_MANIFEST_SIZE:
        raise ManifestError("manifest.json is implausibly large", code="too_large")
    raw = _contents(tar, first).read()
    return ArchiveManifest.from_json_bytes(raw), raw


def _contents(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    source = tar.extractfile(member)
    if source is None:  # only for non-regular members, which are refused before this
        raise ArchiveIntegrityError(f"entry {member.name!r} has no contents", code="bad_tar")
    return source


def read_manifest(
    archive: str | os.PathLike[str],
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
) -> ArchiveManifest:
    """Decrypt only as far as the manifest and return it (quick; does not verify the rest)."""
    with _open_tar(archive, identities, armor=armor) as (tar, _reader):
        return _read_member_manifest(tar)[0]


def _check_member(
    member: tarfile.TarInfo, manifest: ArchiveManifest, seen: set[str], max_entry_size: int | None
) -> int:
    """Validate one tar member against the safety rules and the manifest; return its size."""
    name = member.name
    check_member_name(name)
    shown = repr(name)[:120]
    if member.issym() or member.islnk():
        raise UnsafeEntryError(f"link in archive refused: {shown}", code="link", entry=name)
    if not member.isreg() or member.issparse():
        raise UnsafeEntryError(
            f"special entry in archive refused (device, fifo, directory): {shown}",
            code="special_file",
            entry=name,
        )
    if max_entry_size is not None and member.size > max_entry_size:
        raise UnsafeEntryError(
            f"entry {shown} is {member.size} bytes, over the {max_entry_size}-byte limit",
            code="too_large",
            entry=name,
        )
    expected = {e.path: e for e in manifest.entries}.get(name)
    if expected is None:
        raise ArchiveIntegrityError(
            f"entry {shown} is not listed in the manifest", code="unexpected_entry", entry=name
        )
    if name in seen:
        raise ArchiveIntegrityError(
            f"entry {shown} appears twice", code="duplicate_entry", entry=name
        )
    if member.size != expected.size:
        raise ArchiveIntegrityError(
            f"entry {shown} has size {member.size}, manifest says {expected.size}",
            code="size_mismatch",
            entry=name,
        )
    seen.add(name)
    return member.size


class _Tee:
    """Read from a tar member, hash everything, optionally copy it to ``sink``."""

    def __init__(self, source: IO[bytes], sink: BinaryIO | None) -> None:
        self._source = source
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def _seen(self, data: bytes) -> bytes:
        self.digest.update(data)
        self.size += len(data)
        if self._sink is not None:
            self._sink.write(data)
        return data

    def readline(self, size: int = -1, /) -> bytes:
        return self._seen(self._source.readline(size))

    def copy_all(self) -> None:
        while self._seen(self._source.read(_BLOCK)):
            pass


def _walk(
    archive: str | os.PathLike[str],
    identities: Sequence[Identity],
    *,
    armor: bool | None,
    max_entry_size: int | None,
    staging: Path | None,
) -> VerifyReport:
    """Check every entry (and write it under ``staging`` when given)."""
    with _open_tar(archive, identities, armor=armor) as (tar, reader):
        manifest, raw_manifest = _read_member_manifest(tar)
        if max_entry_size is not None:
            for entry in manifest.entries:
                if entry.size > max_entry_size:
                    raise UnsafeEntryError(
                        f"entry {entry.path!r} is {entry.size} bytes, over the "
                        f"{max_entry_size}-byte limit (raise it to extract this archive)",
                        code="too_large",
                        entry=entry.path,
                    )
        if staging is not None:
            _write_file(staging / MANIFEST_ENTRY, raw_manifest)
        digests = {e.path: e.sha256 for e in manifest.entries}
        seen: set[str] = set()
        total = 0
        try:
            while (member := tar.next()) is not None:
                _check_member(member, manifest, seen, max_entry_size)
                source = _contents(tar, member)
                with _sink(staging, member.name) as sink:
                    tee = _Tee(source, sink)
                    if member.name == CASES_ENTRY:
                        _check_cases(tee, manifest)
                    else:
                        tee.copy_all()
                if tee.size != member.size:
                    raise ArchiveIntegrityError(
                        f"entry {member.name!r} is shorter than its header says",
                        code="size_mismatch",
                        entry=member.name,
                    )
                if tee.digest.hexdigest() != digests[member.name]:
                    raise ArchiveIntegrityError(
                        f"entry {member.name!r} does not match its SHA-256 in the manifest",
                        code="hash_mismatch",
                        entry=member.name,
                    )
                total += tee.size
        except tarfile.TarError:
            raise ArchiveIntegrityError(
                "the archive's tar structure is damaged", code="bad_tar"
            ) from None
        missing = [e.path for e in manifest.entries if e.path not in seen]
        if missing:
            raise ArchiveIntegrityError(
                f"{len(missing)} entries listed in the manifest are missing, e.g. {missing[0]!r}",
                code="missing_entry",
                entry=missing[0],
            )
        # Read to the very end: the final age chunk must authenticate (truncation check),
        # and nothing but tar padding may follow the end-of-archive marker.
        while block := reader.read(_BLOCK):
            if block.count(0) != len(block):
                raise ArchiveIntegrityError(
                    "unexpected data after the end of the tar archive", code="trailing_data"
                )
    return VerifyReport(manifest=manifest, entries_verified=len(seen), bytes_verified=total)


def _check_cases(tee: _Tee, manifest: ArchiveManifest) -> None:
    try:
        scan = scan_cases(tee, source=CASES_ENTRY)
    except CasesFileError as exc:
        raise ArchiveIntegrityError(
            f"cases.jsonl in the archive is damaged: {exc}",
            code="case_mismatch",
            entry=CASES_ENTRY,
        ) from None
    if scan.case_codes != manifest.case_codes:
        raise ArchiveIntegrityError(
            "the case codes in cases.jsonl differ from the manifest's",
            code="case_mismatch",
            entry=CASES_ENTRY,
        )


@contextlib.contextmanager
def _sink(staging: Path | None, name: str) -> Iterator[BinaryIO | None]:
    if staging is None:
        yield None
        return
    parts = name.split("/")
    target = staging.joinpath(*parts)
    folder = staging
    for part in parts[:-1]:  # one level at a time: mkdir(parents=True) ignores the mode
        folder = folder / part
        if not folder.is_dir():
            folder.mkdir(mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def _write_file(path: Path, data: bytes) -> None:
    with _sink(path.parent, path.name) as handle:
        if handle is not None:
            handle.write(data)


def verify_archive(
    archive: str | os.PathLike[str],
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
) -> VerifyReport:
    """Decrypt the whole archive in memory-bounded streaming and check it against its manifest.

    Raises the age errors (wrong key, tampered, truncated) or :class:`ManifestError`,
    :class:`ArchiveIntegrityError`, :class:`UnsafeEntryError`. Writes nothing to disk.
    """
    return _walk(archive, identities, armor=armor, max_entry_size=None, staging=None)


def extract_archive(
    archive: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    identities: Sequence[Identity],
    *,
    max_entry_size: int = DEFAULT_MAX_ENTRY_SIZE,
    armor: bool | None = None,
) -> ExtractReport:
    """Extract into the new directory ``destination``, all or nothing.

    ``destination`` must not exist; files are written (mode 0600, directories 0700) into a
    staging directory beside it, which is renamed to ``destination`` only after the whole
    archive decrypted and every hash matched. On any error the staging directory is removed.
    """
    dest = Path(destination)
    if dest.exists() or dest.is_symlink():
        raise OutputExistsError(f"{dest}: already exists (extract into a new directory)")
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial"))
    try:
        report = _walk(
            archive, identities, armor=armor, max_entry_size=max_entry_size, staging=staging
        )
        if dest.exists() or dest.is_symlink():
            raise OutputExistsError(f"{dest}: appeared during extraction; not replaced")
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = (
        dest / MANIFEST_ENTRY,
        *(dest.joinpath(*e.path.split("/")) for e in report.manifest.entries),
    )
    return ExtractReport(directory=dest, manifest=report.manifest, files=files)
