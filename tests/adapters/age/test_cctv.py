"""Conformance: every C2SP CCTV age vector, by its ``expect:`` class (one test per file)."""

from __future__ import annotations

import hashlib
import io

import pytest

from cpcase.adapters.age import (
    ArchiveFormatError,
    ArmorError,
    HeaderMacError,
    Identity,
    NoIdentityMatchError,
    PayloadError,
    ScryptIdentity,
    decrypt,
    open_decrypt,
    parse_header,
    parse_identity,
)
from cpcase.adapters.age.armor import ArmorReader, ArmorWriter
from cpcase.adapters.age.format import hkdf_sha256
from cpcase.adapters.age.stream import iter_encrypt

from .conftest import Vector, cctv_vectors

VECTORS = cctv_vectors()
EXPECTED_ERROR: dict[str, type[Exception]] = {
    "header failure": ArchiveFormatError,
    "armor failure": ArmorError,
    "no match": NoIdentityMatchError,
    "HMAC failure": HeaderMacError,
    "payload failure": PayloadError,
}


def _identities(vector: Vector) -> list[Identity]:
    return [parse_identity(s) for s in vector.identities] + [
        ScryptIdentity(p) for p in vector.passphrases
    ]


def _released(vector: Vector) -> tuple[bytes, Exception | None]:
    """All plaintext the API released, and the error that stopped it (if any)."""
    out = bytearray()
    try:
        reader = open_decrypt(io.BytesIO(vector.body), _identities(vector), armor=vector.armored)
        raw = reader.raw  # unbuffered: every byte handed out before an error is counted
        buf = bytearray(100_000)
        while n := raw.readinto(buf):
            out += buf[:n]
    except Exception as exc:
        return bytes(out), exc
    return bytes(out), None


def test_all_vectors_present() -> None:
    """The vendored copy is complete: 143 vectors over the six expect classes."""
    assert len(VECTORS) == 143
    assert {v.expect for v in VECTORS} == {"success", *EXPECTED_ERROR}


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_vector(vector: Vector) -> None:
    """Decryption succeeds or fails with the error class the vector expects.

    For successes and payload failures, all plaintext released must match the payload hash.
    """
    released, error = _released(vector)
    if vector.expect == "success":
        assert error is None, f"{type(error).__name__}: {error}"
    else:
        expected = EXPECTED_ERROR[vector.expect]
        assert isinstance(error, expected), f"expected {expected.__name__}, got {error!r}"
        others = tuple(c for c in EXPECTED_ERROR.values() if c is not expected)
        assert not isinstance(error, others)
    if vector.expect in {"success", "payload failure"}:
        assert hashlib.sha256(released).hexdigest() == vector.payload_sha256
    else:
        assert released == b""


def _binary(vector: Vector) -> bytes:
    if not vector.armored:
        return vector.body
    return io.BufferedReader(ArmorReader(io.BufferedReader(io.BytesIO(vector.body)))).read()


HEADER_OK = [v for v in VECTORS if v.expect not in {"header failure", "armor failure"}]


@pytest.mark.parametrize("vector", HEADER_OK, ids=[v.name for v in HEADER_OK])
def test_header_round_trip(vector: Vector) -> None:
    """Any header that parses re-encodes to exactly the same bytes (the parser is strict)."""
    data = _binary(vector)
    stream = io.BytesIO(data)
    header = parse_header(stream)
    assert header.encode() == data[: stream.tell()]


STREAM_OK = [v for v in VECTORS if v.expect == "success" and v.file_key is not None]


@pytest.mark.parametrize("vector", STREAM_OK, ids=[v.name for v in STREAM_OK])
@pytest.mark.parametrize("block_chunks", [1, 64])
def test_stream_encrypt_round_trip(vector: Vector, block_chunks: int) -> None:
    """Re-sealing the plaintext under the vector's file key and nonce gives its payload."""
    assert vector.file_key is not None
    data = _binary(vector)
    stream = io.BytesIO(data)
    parse_header(stream)
    nonce = stream.read(16)
    payload = stream.read()
    plaintext, error = _released(vector)
    assert error is None
    key = hkdf_sha256(vector.file_key, nonce, b"payload")
    sealed = b"".join(
        bytes(b) for b in iter_encrypt(io.BytesIO(plaintext), key, block_chunks=block_chunks)
    )
    assert sealed == payload


ARMOR_OK = [v for v in VECTORS if v.armored and v.expect != "armor failure"]


@pytest.mark.parametrize("vector", ARMOR_OK, ids=[v.name for v in ARMOR_OK])
def test_armor_round_trip(vector: Vector) -> None:
    """Re-armoring the decoded bytes gives the vector up to CRLF and outer whitespace."""
    data = _binary(vector)
    out = io.BytesIO()
    writer = ArmorWriter(out)
    writer.write(data)
    writer.close()
    normalised = vector.body.replace(b"\r\n", b"\n").strip() + b"\n"
    assert out.getvalue() == normalised


PAYLOAD_CHECKED = [v for v in VECTORS if v.expect in {"success", "payload failure"}]


@pytest.mark.parametrize("vector", PAYLOAD_CHECKED, ids=[v.name for v in PAYLOAD_CHECKED])
@pytest.mark.parametrize("block_chunks", [1, 64])
def test_streaming_decrypt_writes_only_released_plaintext(
    vector: Vector, block_chunks: int
) -> None:
    """decrypt() (background writer) writes exactly the authenticated plaintext, then raises."""
    sink = io.BytesIO()
    try:
        decrypt(
            io.BytesIO(vector.body),
            sink,
            _identities(vector),
            armor=vector.armored,
            block_chunks=block_chunks,
        )
    except PayloadError:
        assert vector.expect == "payload failure"
    else:
        assert vector.expect == "success"
    assert hashlib.sha256(sink.getvalue()).hexdigest() == vector.payload_sha256
