"""File-level encryption: atomic outputs, nothing left behind on error, inputs untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cpcase.adapters.age import (
    NoIdentityMatchError,
    OutputExistsError,
    PayloadError,
    X25519Identity,
    atomic_output,
    decrypt_file,
    encrypt_file,
)

ME = X25519Identity.generate()


def _sealed(tmp_path: Path, data: bytes) -> Path:
    src = tmp_path / "plain.bin"
    src.write_bytes(data)
    out = tmp_path / "sealed.age"
    encrypt_file(src, out, [ME.recipient])
    src.unlink()
    return out


def test_file_round_trip_private_mode(tmp_path: Path) -> None:
    """Outputs are mode 0600 and the input file is left unchanged."""
    data = os.urandom(200_000)
    src = tmp_path / "plain.bin"
    src.write_bytes(data)
    sealed = tmp_path / "sealed.age"
    encrypt_file(src, sealed, [ME.recipient])
    assert src.read_bytes() == data
    out = tmp_path / "out.bin"
    assert decrypt_file(sealed, out, [ME]) == len(data)
    assert out.read_bytes() == data
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600


def test_tampered_payload_leaves_no_plaintext(tmp_path: Path) -> None:
    """A payload error late in the file leaves neither the output nor a temp file."""
    sealed = _sealed(tmp_path, os.urandom(300_000))
    damaged = bytearray(sealed.read_bytes())
    damaged[-5] ^= 0x01  # last chunk: the earlier chunks decrypt fine first
    sealed.write_bytes(bytes(damaged))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(PayloadError):
        decrypt_file(sealed, tmp_path / "out.bin", [ME])
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_wrong_key_leaves_nothing(tmp_path: Path) -> None:
    """A wrong key fails before any output is created."""
    sealed = _sealed(tmp_path, b"data")
    with pytest.raises(NoIdentityMatchError):
        decrypt_file(sealed, tmp_path / "out.bin", [X25519Identity.generate()])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing output is kept unless overwrite=True."""
    sealed = _sealed(tmp_path, b"new")
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with pytest.raises(OutputExistsError):
        decrypt_file(sealed, out, [ME])
    assert out.read_bytes() == b"old"
    decrypt_file(sealed, out, [ME], overwrite=True)
    assert out.read_bytes() == b"new"


def test_atomic_output_cleans_up_on_any_exception(tmp_path: Path) -> None:
    """Even a non-cpcase exception removes the temp file and creates no output."""
    target = tmp_path / "x.bin"

    def interrupted() -> None:
        with atomic_output(target) as handle:
            handle.write(b"half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert list(tmp_path.iterdir()) == []
