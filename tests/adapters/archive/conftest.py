"""Fixtures for case-archive tests: synthetic cases (no real child data), keys, hostile tars."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from cpcase.adapters.age import X25519Identity, encrypt_bytes


@pytest.fixture(scope="session")
def age_bin() -> str:
    """Path of the reference ``age`` binary; required when CI=true, else skipped if absent."""
    path = shutil.which("age")
    if path is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("the reference `age` binary is required in CI (apt-get install age)")
        pytest.skip("the reference `age` binary is not installed (apt-get install age)")
    return path


CREATED = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
CODES = ("ML-MOP-ORG-2026-00001", "ML-MOP-ORG-2026-00002", "ML-SEG-ORG-2026-00017")


@pytest.fixture
def identity() -> X25519Identity:
    """A fresh X25519 identity."""
    return X25519Identity.generate()


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    """Three synthetic case files, one JSON object per line."""
    path = tmp_path / "in" / "cases.jsonl"
    path.parent.mkdir()
    lines = [
        json.dumps({"case_code": code, "status": "closed", "forms": {"1.B": {"n": i}}})
        for i, code in enumerate(CODES)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def attachments(tmp_path: Path) -> Path:
    """An attachments tree with nesting, an empty file and binary data."""
    root = tmp_path / "in" / "attachments"
    (root / "ML-MOP-ORG-2026-00001").mkdir(parents=True)
    (root / "ML-MOP-ORG-2026-00001" / "consent-scan.pdf").write_bytes(b"%PDF-1.4 synthetic\n")
    (root / "ML-MOP-ORG-2026-00001" / "empty.txt").write_bytes(b"")
    (root / "photo.bin").write_bytes(bytes(range(256)) * 300)
    return root


def entry(name: str, data: bytes = b"", **fields: object) -> tuple[tarfile.TarInfo, bytes]:
    """A tar member (regular file unless ``type`` etc. are overridden) with its data."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    return info, data


def manifest_for(
    members: list[tuple[tarfile.TarInfo, bytes]], **overrides: object
) -> dict[str, object]:
    """A manifest dict matching the regular members, with optional field overrides."""
    cases = next((d for i, d in members if i.name == "cases.jsonl"), b"")
    codes = [json.loads(line)["case_code"] for line in cases.splitlines() if line.strip()]
    data: dict[str, object] = {
        "format": "cpcase-archive",
        "format_version": 1,
        "created_at": CREATED.isoformat(),
        "generator": "test",
        "organisation": None,
        "case_count": len(codes),
        "case_codes": codes,
        "retain_until": None,
        "entries": [
            {"path": i.name, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for i, d in members
            if i.isreg()
        ],
    }
    data.update(overrides)
    return data


def build_archive(
    path: Path,
    identity: X25519Identity,
    members: list[tuple[tarfile.TarInfo, bytes]],
    manifest: dict[str, object] | None,
    *,
    manifest_first: bool = True,
    trailing: bytes = b"",
) -> Path:
    """Write a hand-made (possibly hostile) tar, encrypted to ``identity``, at ``path``."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        items = list(members)
        if manifest is not None:
            raw = json.dumps(manifest).encode()
            item = entry("manifest.json", raw)
            items = [item, *items] if manifest_first else [*items, item]
        for info, data in items:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(encrypt_bytes(buf.getvalue() + trailing, [identity.recipient]))
    return path


CASES_BYTES = b"".join(json.dumps({"case_code": c}).encode() + b"\n" for c in CODES)
