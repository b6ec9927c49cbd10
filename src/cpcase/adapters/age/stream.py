"""The age STREAM payload: 64 KiB chunks under ChaCha20-Poly1305, in constant memory.

Each chunk ``i`` is sealed with the nonce ``i`` (11 bytes, big endian) followed by ``0x01`` for
the final chunk and ``0x00`` otherwise. The final chunk may be full but is never empty unless
the whole payload is empty.

For speed the generators here read and write blocks of many chunks (4 MiB by default) with
``readinto`` into preallocated buffers, and seal/open each chunk in place with
``encrypt_into``/``decrypt_into``: memory stays at a few MiB whatever the file size, and the
per-chunk Python work is a couple of calls.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from cpcase.adapters.age.errors import PayloadError, TruncatedPayloadError

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_BLOCK_CHUNKS",
    "ENCRYPTED_CHUNK_SIZE",
    "TAG_SIZE",
    "Readable",
    "iter_decrypt",
    "iter_encrypt",
]

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
DEFAULT_BLOCK_CHUNKS = 64
"""Chunks processed per read: 64 x 64 KiB = 4 MiB blocks (large I/O, little per-call overhead)."""

_NONCE = struct.Struct(">3xQB")  # 11-byte big-endian counter (top 3 bytes zero) + final flag


class Readable(Protocol):
    """A binary source that can fill a buffer (files, BytesIO, buffered readers)."""

    def readinto(self, buffer: memoryview, /) -> int | None:
        """Read into ``buffer``; return the count, 0 at end of file."""


def _fill(src: Readable, view: memoryview, start: int) -> tuple[int, bool]:
    """Fill ``view[start:]`` as far as possible; return (bytes now held, reached EOF)."""
    filled = start
    end = len(view)
    while filled < end:
        n = src.readinto(view[filled:])
        if not n:  # 0 is EOF; None (non-blocking, no data) is not supported here
            return filled, True
        filled += n
    return filled, False


def _out_buffers(count: int, size: int) -> list[memoryview]:
    if count < 1:
        raise ValueError("at least one output buffer is needed")
    return [memoryview(bytearray(size)) for _ in range(count)]


def iter_encrypt(
    src: Readable,
    key: bytes,
    *,
    block_chunks: int = DEFAULT_BLOCK_CHUNKS,
    buffers: int = 1,
) -> Iterator[memoryview]:
    """Yield the sealed payload (without the nonce prefix) block by block.

    Output buffers rotate: a yielded view stays valid until ``buffers`` more blocks have been
    yielded (so a background writer may still be writing it meanwhile).
    """
    aead = ChaCha20Poly1305(key)
    seal = aead.encrypt_into
    pack = _NONCE.pack
    inbuf = bytearray((block_chunks + 1) * CHUNK_SIZE)
    inv = memoryview(inbuf)
    outs = _out_buffers(buffers, (block_chunks + 1) * ENCRYPTED_CHUNK_SIZE)
    rotation = 0
    counter = 0
    held = 0
    while True:
        filled, eof = _fill(src, inv, held)
        outv = outs[rotation % buffers]
        rotation += 1
        off = 0
        out = 0
        # A chunk is certainly not the last when at least one byte follows it.
        while off + CHUNK_SIZE < filled:
            seal(
                pack(counter, 0),
                inv[off : off + CHUNK_SIZE],
                None,
                outv[out : out + ENCRYPTED_CHUNK_SIZE],
            )
            counter += 1
            off += CHUNK_SIZE
            out += ENCRYPTED_CHUNK_SIZE
        if eof:
            rest = filled - off  # 1..CHUNK_SIZE bytes, or 0 only for an empty payload
            seal(pack(counter, 1), inv[off:filled], None, outv[out : out + rest + TAG_SIZE])
            yield outv[: out + rest + TAG_SIZE]
            return
        if out:
            yield outv[:out]
        held = filled - off
        inv[:held] = inv[off:filled]


def iter_decrypt(
    src: Readable,
    key: bytes,
    *,
    block_chunks: int = DEFAULT_BLOCK_CHUNKS,
    buffers: int = 1,
) -> Iterator[memoryview]:
    """Yield the plaintext block by block, authenticating every chunk.

    Plaintext is released only after its chunk authenticates; on failure the plaintext of the
    chunks before it has been yielded and :class:`PayloadError` (or
    :class:`TruncatedPayloadError`) is raised. Output buffers rotate as in
    :func:`iter_encrypt`.
    """
    aead = ChaCha20Poly1305(key)
    open_ = aead.decrypt_into
    pack = _NONCE.pack
    inbuf = bytearray((block_chunks + 1) * ENCRYPTED_CHUNK_SIZE)
    inv = memoryview(inbuf)
    outs = _out_buffers(buffers, (block_chunks + 1) * CHUNK_SIZE)
    rotation = 0
    counter = 0
    held = 0
    while True:
        filled, eof = _fill(src, inv, held)
        outv = outs[rotation % buffers]
        rotation += 1
        off = 0
        out = 0
        while off + ENCRYPTED_CHUNK_SIZE < filled:  # more data follows: not the last chunk
            chunk = inv[off : off + ENCRYPTED_CHUNK_SIZE]
            try:
                open_(pack(counter, 0), chunk, None, outv[out : out + CHUNK_SIZE])
            except InvalidTag:
                try:
                    open_(pack(counter, 1), chunk, None, outv[out : out + CHUNK_SIZE])
                except InvalidTag:
                    if out:
                        yield outv[:out]
                    raise PayloadError(
                        f"payload chunk {counter} failed authentication: "
                        "the file was modified or damaged",
                        chunk=counter,
                    ) from None
                yield outv[: out + CHUNK_SIZE]
                raise PayloadError(
                    f"data follows the final payload chunk {counter}: the file was modified",
                    chunk=counter + 1,
                ) from None
            counter += 1
            off += ENCRYPTED_CHUNK_SIZE
            out += CHUNK_SIZE
        if not eof:
            if out:
                yield outv[:out]
            held = filled - off
            inv[:held] = inv[off:filled]
            continue
        rest = filled - off
        if rest == 0:
            if out:
                yield outv[:out]
            raise TruncatedPayloadError(
                "the file is truncated: the payload has no chunks" if counter == 0 else None,
                chunk=counter,
            )
        if rest < TAG_SIZE or (rest == TAG_SIZE and counter > 0):
            if out:
                yield outv[:out]
            what = "is empty" if rest == TAG_SIZE else "is too short"
            raise PayloadError(
                f"final payload chunk {counter} {what}: the file was modified or truncated",
                chunk=counter,
            )
        chunk = inv[off:filled]
        plain = rest - TAG_SIZE
        if rest == ENCRYPTED_CHUNK_SIZE:
            # A full chunk at end of file: either a full final chunk, or the file was cut
            # exactly at a chunk boundary.
            try:
                open_(pack(counter, 0), chunk, None, outv[out : out + plain])
            except InvalidTag:
                pass
            else:
                yield outv[: out + plain]
                raise TruncatedPayloadError(chunk=counter + 1)
        try:
            open_(pack(counter, 1), chunk, None, outv[out : out + plain])
        except InvalidTag:
            if out:
                yield outv[:out]
            raise PayloadError(
                f"final payload chunk {counter} failed authentication: "
                "the file was modified or truncated",
                chunk=counter,
            ) from None
        yield outv[: out + plain]
        return
