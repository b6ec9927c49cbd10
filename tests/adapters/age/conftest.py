"""Shared helpers for the age tests: the CCTV vector loader and the reference ``age`` binary."""

from __future__ import annotations

import os
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# A verbatim copy of C2SP/CCTV age/testdata (0BSD / CC0 / Unlicense, see cctv/README.md).
CCTV_DIR = Path(__file__).resolve().parent / "cctv"


@dataclass(frozen=True)
class Vector:
    """One C2SP CCTV age test vector (see the README next to the vectors)."""

    name: str
    expect: str
    body: bytes
    payload_sha256: str | None
    identities: tuple[str, ...] = ()
    passphrases: tuple[str, ...] = ()
    armored: bool = False
    file_key: bytes | None = None
    extra: dict[str, list[str]] = field(default_factory=dict)


def load_vector(path: Path) -> Vector:
    """Parse a vector file: ``key: value`` lines, a blank line, then the (maybe zlib) file."""
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, f"{path.name}: no blank line after the vector header"
    meta: dict[str, list[str]] = {}
    for line in head.decode("utf-8").splitlines():
        key, _, value = line.partition(": ")
        meta.setdefault(key, []).append(value)
    if meta.get("compressed") == ["zlib"]:
        body = zlib.decompress(body)
    return Vector(
        name=path.name,
        expect=meta["expect"][0],
        body=body,
        payload_sha256=meta.get("payload", [None])[0],
        identities=tuple(meta.get("identity", [])),
        passphrases=tuple(meta.get("passphrase", [])),
        armored=meta.get("armored") == ["yes"],
        file_key=bytes.fromhex(meta["file key"][0]) if "file key" in meta else None,
        extra=meta,
    )


def cctv_vectors() -> list[Vector]:
    """Every vector file (the README is the only non-vector file in the directory)."""
    return [
        load_vector(p)
        for p in sorted(CCTV_DIR.iterdir())
        if p.name != "README.md" and not p.name.startswith(".")
    ]


@pytest.fixture(scope="session")
def age_bin() -> str:
    """Path of the reference ``age`` binary; required when CI=true, else skipped if absent."""
    path = shutil.which("age")
    if path is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("the reference `age` binary is required in CI (apt-get install age)")
        pytest.skip("the reference `age` binary is not installed (apt-get install age)")
    return path
