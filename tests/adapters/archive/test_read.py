"""Reading archives: verify writes nothing, extract is safe and all-or-nothing.

Hostile archives are hand-made tars encrypted to our own key: anyone who knows a public
recipient key can make one, so the tar inside is untrusted input.
"""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest

from cpcase.adapters.age import (
    NoIdentityMatchError,
    OutputExistsError,
    PayloadError,
    X25519Identity,
)
from cpcase.adapters.archive import (
    ArchiveIntegrityError,
    ManifestError,
    UnsafeEntryError,
    create_archive,
    extract_archive,
    read_manifest,
    verify_archive,
)

from .conftest import CASES_BYTES, CREATED, build_archive, entry, manifest_for


@pytest.fixture
def archive(tmp_path: Path, cases_file: Path, attachments: Path, identity: X25519Identity) -> Path:
    out = tmp_path / "a.cpcase.age"
    create_archive(
        cases_file, out, [identity.recipient], created_at=CREATED, attachments_dir=attachments
    )
    return out


def _listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_verify_writes_nothing(tmp_path: Path, archive: Path, identity: X25519Identity) -> None:
    """verify leaves the file system exactly as it was."""
    before = _listing(tmp_path)
    verify_archive(archive, [identity])
    assert _listing(tmp_path) == before


def test_extract_modes(tmp_path: Path, archive: Path, identity: X25519Identity) -> None:
    """Extracted files are 0600, directories 0700."""
    dest = tmp_path / "out"
    report = extract_archive(archive, dest, [identity])
    assert len(report.files) == 5  # manifest + cases + 3 attachments
    for path in dest.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700


def test_extract_refuses_existing_destination(
    tmp_path: Path, archive: Path, identity: X25519Identity
) -> None:
    """The destination must be a new directory."""
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(OutputExistsError):
        extract_archive(archive, dest, [identity])


def test_wrong_key(archive: Path) -> None:
    """A stranger's key gives NoIdentityMatchError for every operation."""
    stranger = X25519Identity.generate()
    for op in (read_manifest, verify_archive):
        with pytest.raises(NoIdentityMatchError):
            op(archive, [stranger])


@pytest.mark.parametrize("where", ["middle", "end"])
def test_tampered_archive_leaves_no_plaintext(
    tmp_path: Path, archive: Path, identity: X25519Identity, where: str
) -> None:
    """A modified byte fails verify and extract, and extract leaves nothing behind."""
    data = bytearray(archive.read_bytes())
    data[len(data) // 2 if where == "middle" else -3] ^= 0x04
    archive.write_bytes(bytes(data))
    with pytest.raises(PayloadError):
        verify_archive(archive, [identity])
    before = _listing(tmp_path)
    with pytest.raises(PayloadError):
        extract_archive(archive, tmp_path / "out", [identity])
    assert _listing(tmp_path) == before


def test_truncated_archive(tmp_path: Path, archive: Path, identity: X25519Identity) -> None:
    """A cut archive still lists (the manifest is at the start) but fails verification."""
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 200])
    assert read_manifest(archive, [identity]).case_count == 3
    with pytest.raises(PayloadError):
        verify_archive(archive, [identity])
    with pytest.raises(PayloadError):
        extract_archive(archive, tmp_path / "out", [identity])
    assert not (tmp_path / "out").exists()


CASES = entry("cases.jsonl", CASES_BYTES)


def _hostile(
    tmp_path: Path,
    identity: X25519Identity,
    extra: list[tuple[tarfile.TarInfo, bytes]],
    *,
    manifest_extra: list[tuple[tarfile.TarInfo, bytes]] | None = None,
) -> Path:
    members = [CASES, *extra]
    listed = [CASES, *(manifest_extra or [])]
    return build_archive(tmp_path / "h.age", identity, members, manifest_for(listed))


@pytest.mark.parametrize(
    ("member", "code"),
    [
        (entry("../evil.sh", b"x"), "path_traversal"),
        (entry("attachments/../../evil.sh", b"x"), "path_traversal"),
        (entry("/etc/cron.d/evil", b"x"), "absolute_path"),
        (entry("attachments\\..\\evil", b"x"), "bad_name"),
        (entry("attachments/a\nb", b"x"), "bad_name"),
        (entry("attachments/link", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "link"),
        (entry("attachments/hard", type=tarfile.LNKTYPE, linkname="cases.jsonl"), "link"),
        (entry("attachments/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3), "special_file"),
        (entry("attachments/fifo", type=tarfile.FIFOTYPE), "special_file"),
        (entry("attachments/dir", type=tarfile.DIRTYPE), "special_file"),
    ],
    ids=[
        "dotdot",
        "nested-dotdot",
        "absolute",
        "backslash",
        "newline",
        "symlink",
        "hardlink",
        "device",
        "fifo",
        "directory",
    ],
)
def test_unsafe_members_refused(
    tmp_path: Path, identity: X25519Identity, member: tuple[tarfile.TarInfo, bytes], code: str
) -> None:
    """Unsafe members fail verify and extract with a coded error; nothing is written."""
    path = _hostile(tmp_path, identity, [member])
    with pytest.raises(UnsafeEntryError) as info:
        verify_archive(path, [identity])
    assert info.value.code == code
    before = _listing(tmp_path)
    with pytest.raises(UnsafeEntryError):
        extract_archive(path, tmp_path / "out", [identity])
    assert _listing(tmp_path) == before
    assert not (tmp_path.parent / "evil.sh").exists()


def test_unlisted_entry(tmp_path: Path, identity: X25519Identity) -> None:
    """A regular file the manifest does not list is refused."""
    path = _hostile(tmp_path, identity, [entry("attachments/smuggled.txt", b"x")])
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert (info.value.code, info.value.entry) == ("unexpected_entry", "attachments/smuggled.txt")


def test_entry_over_size_limit(tmp_path: Path, identity: X25519Identity) -> None:
    """extract refuses entries over max_entry_size before writing anything."""
    big = entry("attachments/big.bin", b"z" * 5000)
    path = _hostile(tmp_path, identity, [big], manifest_extra=[big])
    assert verify_archive(path, [identity]).entries_verified == 2
    before = _listing(tmp_path)
    with pytest.raises(UnsafeEntryError) as info:
        extract_archive(path, tmp_path / "out", [identity], max_entry_size=4096)
    assert info.value.code == "too_large"
    assert _listing(tmp_path) == before


def test_hash_mismatch(tmp_path: Path, identity: X25519Identity) -> None:
    """Contents that do not match the manifest's SHA-256 are an integrity error."""
    listed = entry("attachments/a.txt", b"original")
    actual = entry("attachments/a.txt", b"modified")
    members = [CASES, actual]
    path = build_archive(tmp_path / "h.age", identity, members, manifest_for([CASES, listed]))
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert info.value.code == "hash_mismatch"
    with pytest.raises(ArchiveIntegrityError):
        extract_archive(path, tmp_path / "out", [identity])
    assert not (tmp_path / "out").exists()


def test_missing_entry(tmp_path: Path, identity: X25519Identity) -> None:
    """An entry listed in the manifest but absent from the tar is reported."""
    ghost = entry("attachments/ghost.txt", b"boo")
    path = _hostile(tmp_path, identity, [], manifest_extra=[ghost])
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert (info.value.code, info.value.entry) == ("missing_entry", "attachments/ghost.txt")


def test_duplicate_entry(tmp_path: Path, identity: X25519Identity) -> None:
    """The same name twice is refused (the second could overwrite the first)."""
    dup = entry("attachments/a.txt", b"same")
    members = [CASES, dup, entry("attachments/a.txt", b"same")]
    path = build_archive(tmp_path / "h.age", identity, members, manifest_for([CASES, dup]))
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert info.value.code == "duplicate_entry"


def test_case_codes_must_match_manifest(tmp_path: Path, identity: X25519Identity) -> None:
    """cases.jsonl is re-read and its codes compared with the manifest's."""
    manifest = manifest_for([CASES], case_codes=["X-1", "X-2", "X-3"])
    path = build_archive(tmp_path / "h.age", identity, [CASES], manifest)
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert info.value.code == "case_mismatch"


def test_trailing_data_after_tar(tmp_path: Path, identity: X25519Identity) -> None:
    """Non-zero bytes after the tar's end are refused."""
    path = build_archive(
        tmp_path / "h.age", identity, [CASES], manifest_for([CASES]), trailing=b"\x00" * 512 + b"X"
    )
    with pytest.raises(ArchiveIntegrityError) as info:
        verify_archive(path, [identity])
    assert info.value.code == "trailing_data"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"manifest": None}, "not_first"),
        ({"manifest_first": False}, "not_first"),
        ({"manifest": {"format": "cpcase-archive", "format_version": 2}}, "unsupported_version"),
        ({"manifest": {"format": "cpcase-archive", "format_version": 1}}, "invalid"),
        ({"manifest": {"hello": "world"}}, "invalid"),
    ],
    ids=["missing", "last", "newer-version", "incomplete", "foreign"],
)
def test_manifest_problems(
    tmp_path: Path, identity: X25519Identity, kwargs: dict[str, object], code: str
) -> None:
    """A missing, misplaced, newer or invalid manifest gives a coded ManifestError."""
    manifest = kwargs.pop("manifest", manifest_for([CASES]))
    path = build_archive(
        tmp_path / "h.age",
        identity,
        [CASES],
        manifest,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    with pytest.raises(ManifestError) as info:
        read_manifest(path, [identity])
    assert info.value.code == code


def test_not_a_tar(tmp_path: Path, identity: X25519Identity) -> None:
    """An age file that does not hold a tar is reported as not a cpcase archive."""
    from cpcase.adapters.age import encrypt_bytes

    path = tmp_path / "plain.age"
    path.write_bytes(encrypt_bytes(b"just some text, not a tar" * 40, [identity.recipient]))
    with pytest.raises(ManifestError):
        read_manifest(path, [identity])
