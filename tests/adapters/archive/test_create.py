"""Creating case archives: manifest, round trip, input checks, atomic output."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from cpcase.adapters.age import (
    OutputExistsError,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    open_decrypt,
)
from cpcase.adapters.archive import (
    ArchiveInputError,
    CasesFileError,
    create_archive,
    extract_archive,
    read_manifest,
    retain_until_after,
    verify_archive,
)
from cpcase.adapters.archive import create as create_module

from .conftest import CODES, CREATED


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_round_trip_with_attachments(
    tmp_path: Path, cases_file: Path, attachments: Path, identity: X25519Identity
) -> None:
    """create → verify → extract gives back the inputs byte for byte, with a full manifest."""
    before = _tree(tmp_path / "in")
    out = tmp_path / "closed.cpcase.age"
    summary = create_archive(
        cases_file,
        out,
        [identity.recipient],
        created_at=CREATED,
        attachments_dir=attachments,
        organisation="ORG-01",
        retain_until=dt.date(2036, 5, 4),
    )
    manifest = summary.manifest
    assert manifest.created_at == CREATED
    assert manifest.organisation == "ORG-01"
    assert manifest.retain_until == dt.date(2036, 5, 4)
    assert manifest.case_codes == CODES
    assert manifest.case_count == 3
    paths = [e.path for e in manifest.entries]
    assert paths == [
        "cases.jsonl",
        "attachments/ML-MOP-ORG-2026-00001/consent-scan.pdf",
        "attachments/ML-MOP-ORG-2026-00001/empty.txt",
        "attachments/photo.bin",
    ]
    for e in manifest.entries:
        source = cases_file if e.path == "cases.jsonl" else attachments / e.path[12:]
        assert e.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
        assert e.size == source.stat().st_size
    assert summary.archive_size == out.stat().st_size
    assert _tree(tmp_path / "in") == before  # inputs untouched

    assert read_manifest(out, [identity]) == manifest
    report = verify_archive(out, [identity])
    assert (report.entries_verified, report.bytes_verified) == (4, manifest.total_size)

    dest = tmp_path / "restored"
    extract_archive(out, dest, [identity])
    restored = _tree(dest)
    assert restored.pop("cases.jsonl") == cases_file.read_bytes()
    manifest_json = json.loads(restored.pop("manifest.json"))
    assert manifest_json["case_codes"] == list(CODES)
    assert restored == {f"attachments/{k}": v for k, v in _tree(attachments).items()}


def test_tar_layout_manifest_first(
    tmp_path: Path, cases_file: Path, identity: X25519Identity
) -> None:
    """Inside the age file: a PAX tar, manifest.json first, private modes, fixed mtime."""
    out = tmp_path / "a.age"
    create_archive(cases_file, out, [identity.recipient], created_at=CREATED)
    with out.open("rb") as handle:
        data = open_decrypt(handle, [identity]).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["manifest.json", "cases.jsonl"]
    assert all(m.mode == 0o600 and m.mtime == int(CREATED.timestamp()) for m in members)


def test_passphrase_archive(tmp_path: Path, cases_file: Path) -> None:
    """A passphrase archive verifies with the passphrase."""
    out = tmp_path / "p.age"
    create_archive(
        cases_file, out, [ScryptRecipient("pw 123", work_factor=10)], created_at=CREATED
    )
    assert verify_archive(out, [ScryptIdentity("pw 123")]).manifest.case_codes == CODES


def test_armored_archive(tmp_path: Path, cases_file: Path, identity: X25519Identity) -> None:
    """An armored archive is ASCII and reads back with armor detected."""
    out = tmp_path / "a.age.txt"
    create_archive(cases_file, out, [identity.recipient], created_at=CREATED, armor=True)
    assert out.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert verify_archive(out, [identity]).manifest.case_count == 3


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        (b'{"case_code": "A"}\nnot json\n', "not_json", 2),
        (b'{"case_code": "A"}\n[1, 2]\n', "not_object", 2),
        (b'{"case_code": "A"}\n{"name": "Aminata"}\n', "missing_case_code", 2),
        (b'{"case_code": 17}\n', "bad_case_code", 1),
        (b'{"case_code": ""}\n', "bad_case_code", 1),
        (b'{"case_code": "A"}\n\n{"case_code": "B"}\n', "empty_line", 2),
        (b'{"case_code": "A"}\n{"case_code": "A"}\n', "duplicate_case_code", 2),
        (b'{"case_code": "A"}\n{"case_code": "\xe9"}\n', "not_utf8", 2),
    ],
)
def test_bad_cases_lines(
    tmp_path: Path, identity: X25519Identity, content: bytes, code: str, line: int
) -> None:
    """Each bad line is reported with file, line number and code; no output is created."""
    src = tmp_path / "cases.jsonl"
    src.write_bytes(content)
    out = tmp_path / "out.age"
    with pytest.raises(CasesFileError) as info:
        create_archive(src, out, [identity.recipient], created_at=CREATED)
    assert info.value.code == code
    assert info.value.line == line
    assert f"line {line}" in str(info.value)
    assert str(src) in str(info.value)
    assert "Aminata" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl"]


def test_empty_cases_file_is_allowed(tmp_path: Path, identity: X25519Identity) -> None:
    """An empty JSONL archives zero cases (an empty office archive is still a record)."""
    src = tmp_path / "cases.jsonl"
    src.write_bytes(b"")
    summary = create_archive(src, tmp_path / "o.age", [identity.recipient], created_at=CREATED)
    assert summary.manifest.case_count == 0


def test_symlinks_and_special_files_refused(
    tmp_path: Path, cases_file: Path, attachments: Path, identity: X25519Identity
) -> None:
    """Links and FIFOs in the attachments are refused, not followed or skipped silently."""
    (attachments / "link").symlink_to(cases_file)
    with pytest.raises(ArchiveInputError) as info:
        create_archive(
            cases_file,
            tmp_path / "o.age",
            [identity.recipient],
            created_at=CREATED,
            attachments_dir=attachments,
        )
    assert info.value.code == "symlink"
    (attachments / "link").unlink()
    os.mkfifo(attachments / "pipe")
    with pytest.raises(ArchiveInputError) as info:
        create_archive(
            cases_file,
            tmp_path / "o.age",
            [identity.recipient],
            created_at=CREATED,
            attachments_dir=attachments,
        )
    assert info.value.code == "special_file"
    assert not (tmp_path / "o.age").exists()


def test_input_changed_between_passes(
    tmp_path: Path,
    cases_file: Path,
    attachments: Path,
    identity: X25519Identity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If an attachment changes after it was hashed, the archive is abandoned, nothing kept."""
    real = create_module._scan_file

    def scan_then_modify(path: Path) -> tuple[int, str]:
        result = real(path)
        if path.name == "photo.bin":
            path.write_bytes(b"X" * result[0])  # same size, different content
        return result

    monkeypatch.setattr(create_module, "_scan_file", scan_then_modify)
    with pytest.raises(ArchiveInputError) as info:
        create_archive(
            cases_file,
            tmp_path / "o.age",
            [identity.recipient],
            created_at=CREATED,
            attachments_dir=attachments,
        )
    assert info.value.code == "changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_output_not_overwritten(
    tmp_path: Path, cases_file: Path, identity: X25519Identity
) -> None:
    """An existing archive is never replaced unless overwrite=True."""
    out = tmp_path / "o.age"
    out.write_bytes(b"older archive")
    with pytest.raises(OutputExistsError):
        create_archive(cases_file, out, [identity.recipient], created_at=CREATED)
    assert out.read_bytes() == b"older archive"
    create_archive(cases_file, out, [identity.recipient], created_at=CREATED, overwrite=True)
    assert verify_archive(out, [identity]).manifest.case_count == 3


def test_naive_created_at_refused(
    tmp_path: Path, cases_file: Path, identity: X25519Identity
) -> None:
    """created_at must be timezone-aware."""
    with pytest.raises(ValueError, match="timezone"):
        create_archive(
            cases_file,
            tmp_path / "o.age",
            [identity.recipient],
            created_at=dt.datetime(2026, 1, 1),  # noqa: DTZ001 - naive on purpose
        )


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (dt.datetime(2026, 5, 4, tzinfo=dt.UTC), 10, dt.date(2036, 5, 4)),
        (dt.datetime(2028, 2, 29, tzinfo=dt.UTC), 1, dt.date(2029, 2, 28)),
        (dt.datetime(2028, 2, 29, tzinfo=dt.UTC), 4, dt.date(2032, 2, 29)),
    ],
)
def test_retain_until_after(start: dt.datetime, years: int, expected: dt.date) -> None:
    """Retention is counted in calendar years; 29 February falls back to the 28th."""
    assert retain_until_after(start, years) == expected
