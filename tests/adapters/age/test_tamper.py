"""Tampering: every single-byte change and every truncation of a small file is detected.

Exhaustive over small files (a few hundred bytes, two payload chunks with a 1-chunk block size
so both the "more data follows" and the final-chunk paths are hit), each with the right class.
"""

from __future__ import annotations

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
    ScryptRecipient,
    TruncatedPayloadError,
    X25519Identity,
    decrypt,
    encrypt_bytes,
    parse_header,
)
from cpcase.adapters.age.stream import CHUNK_SIZE

ME = X25519Identity.generate()
PLAINTEXT = bytes(range(256)) * 3


def _decrypt(data: bytes, identities: list[Identity], *, armor: bool | None = None) -> bytes:
    out = io.BytesIO()
    decrypt(io.BytesIO(data), out, identities, armor=armor, block_chunks=1)
    return out.getvalue()


def _regions(sealed: bytes) -> tuple[int, int, int]:
    """(end of version line, start of MAC line, end of header)."""
    header_len = len(parse_header(io.BytesIO(sealed)).encode())
    return sealed.index(b"\n") + 1, sealed.rindex(b"\n---", 0, header_len) + 1, header_len


def _allowed(pos: int, sealed: bytes) -> tuple[type[Exception], ...]:
    version_end, mac_start, header_end = _regions(sealed)
    if pos < version_end:
        return (ArchiveFormatError,)
    if pos < mac_start:  # stanzas: malformed, or a different key/body that no longer opens
        return (ArchiveFormatError, NoIdentityMatchError)
    if pos < header_end:
        return (ArchiveFormatError, HeaderMacError)
    return (PayloadError,)  # payload nonce or chunks


@pytest.mark.parametrize(
    ("recipient", "identity"),
    [(ME.recipient, ME), (ScryptRecipient("pw", work_factor=2), ScryptIdentity("pw"))],
    ids=["x25519", "scrypt"],
)
@pytest.mark.parametrize("mask", [0x01, 0x80], ids=["low-bit", "high-bit"])
def test_every_byte_flip_detected(
    recipient: ScryptRecipient | object, identity: Identity, mask: int
) -> None:
    """Flipping any one bit of any byte raises the error class of the region it hits."""
    sealed = encrypt_bytes(PLAINTEXT, [recipient])  # type: ignore[list-item]
    assert _decrypt(sealed, [identity]) == PLAINTEXT
    for pos in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[pos] ^= mask
        allowed = _allowed(pos, sealed)
        with pytest.raises(allowed):
            _decrypt(bytes(damaged), [identity])


def test_every_flip_of_two_chunk_payload_detected() -> None:
    """Flips across a two-chunk payload (non-final and final chunks) are payload failures."""
    data = bytes(CHUNK_SIZE + 10)
    sealed = encrypt_bytes(data, [ME.recipient])
    header_end = _regions(sealed)[2]
    # every byte of the nonce, the first and last 64 bytes of each chunk, and the tags
    positions = {
        *range(header_end, header_end + 16 + 64),
        *range(len(sealed) - 200, len(sealed)),
        *range(header_end + 16 + CHUNK_SIZE - 32, header_end + 16 + CHUNK_SIZE + 48),
    }
    for pos in sorted(p for p in positions if p < len(sealed)):
        damaged = bytearray(sealed)
        damaged[pos] ^= 0x01
        with pytest.raises(PayloadError):
            _decrypt(bytes(damaged), [ME])


def test_every_armor_flip_detected() -> None:
    """Any bit flip in an armored file fails (armor, header, MAC, key or payload error)."""
    sealed = encrypt_bytes(PLAINTEXT[:100], [ME.recipient], armor=True)
    for pos in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[pos] ^= 0x01
        if bytes(damaged).strip() == sealed.strip():
            continue  # a whitespace change outside the block is tolerated by design
        with pytest.raises(
            (ArmorError, ArchiveFormatError, NoIdentityMatchError, HeaderMacError, PayloadError)
        ):
            _decrypt(bytes(damaged), [ME], armor=True)


def test_every_truncation_detected() -> None:
    """Cutting the file anywhere fails: header cuts are format errors, payload cuts payload."""
    data = bytes(CHUNK_SIZE * 2)
    sealed = encrypt_bytes(data, [ME.recipient])
    header_end = _regions(sealed)[2]
    chunk_ends = {header_end + 16 + (CHUNK_SIZE + 16) * i for i in (1, 2)}
    cuts = [*range(header_end + 17), *range(len(sealed) - 40, len(sealed))]
    cuts += [e + d for e in chunk_ends for d in (-1, 0, 1)]
    for cut in sorted(set(cuts)):
        if cut >= len(sealed):
            continue
        truncated = sealed[:cut]
        if cut < header_end + 16:
            expected: type[Exception] = ArchiveFormatError  # header or payload nonce cut
        elif cut == header_end + 16 or cut in chunk_ends:
            expected = TruncatedPayloadError  # no chunk at all, or cut at a chunk boundary
        else:
            expected = PayloadError
        with pytest.raises(expected):
            _decrypt(truncated, [ME])
