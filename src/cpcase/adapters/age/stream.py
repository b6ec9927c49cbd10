"""The age STREAM payload: 64 KiB chunks under ChaCha20-Poly1305, in constant memory.

Each chunk ``i`` is sealed with the nonce ``i`` (11 bytes, big endian) followed by ``0x01`` for
the final chunk and ``0x00`` otherwise. The final chunk may be full but is never empty unless
the whole payload is empty.

For speed the generators here read and write blocks of many chunks (4 MiB by default) with
``readinto`` into preallocated buffers, and seal/open each chunk in place with
``encrypt_into``/``decrypt_into``: memory stays at a few MiB whatever the file size, and the
per-chunk Python work is a couple of calls.

The chunk rules live in four helpers (:func:`seal_chunks`, :func:`seal_final`,
:func:`open_chunks`, :func:`open_final`) shared with the multi-process file path in
:mod:`cpcase.adapters.age.parallel`, so both paths accept and reject exactly the same files
with the same errors.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from cpcase.adapters.age.errors import PayloadError, TruncatedPayloadError

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_BLOCK_CHUNKS",
    "ENCRYPTED_CHUNK_SIZE",
    "TAG_SIZE",
    "AeadInto",
    "Readable",
    "iter_decrypt",
    "iter_encrypt",
    "open_chunks",
    "open_final",
    "seal_chunks",
    "seal_final",
]

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
DEFAULT_BLOCK_CHUNKS = 64
"""Chunks processed per read: 64 x 64 KiB = 4 MiB blocks (large I/O, little per-call overhead)."""

_NONCE = struct.Struct(">3xQB")  # 11-byte big-endian counter (top 3 bytes zero) + final flag

AeadInto = Callable[[bytes, memoryview, None, memoryview], int]
"""``ChaCha20Poly1305(key).encrypt_into`` or ``.decrypt_into``: (nonce, data, aad, out)."""


class Readable(Protocol):
    """A binary source that can fill a buffer (files, BytesIO, buffered readers)."""

    def readinto(self, buffer: memoryview, /) -> int | None:
        """Read into ``buffer``; return the count, 0 at end of file."""


# ---------------------------------------------------------------------------- chunk rules


def seal_chunks(seal: AeadInto, src: memoryview, dst: memoryview, first: int, count: int) -> None:
    """Seal ``count`` full, non-final chunks from ``src`` into ``dst``, counters from ``first``.

    ``src`` holds ``count`` x 64 KiB of plaintext from its start, ``dst`` receives
    ``count`` x (64 KiB + 16) bytes from its start.
    """
    pack = _NONCE.pack
    off = 0
    out = 0
    for counter in range(first, first + count):
        seal(
            pack(counter, 0),
            src[off : off + CHUNK_SIZE],
            None,
            dst[out : out + ENCRYPTED_CHUNK_SIZE],
        )
        off += CHUNK_SIZE
        out += ENCRYPTED_CHUNK_SIZE


def seal_final(seal: AeadInto, src: memoryview, dst: memoryview, counter: int) -> int:
    """Seal all of ``src`` (1..64 KiB, or 0 only for an empty payload) as the final chunk.

    Returns the number of bytes written at the start of ``dst`` (``len(src) + 16``).
    """
    size = len(src)
    seal(_NONCE.pack(counter, 1), src, None, dst[: size + TAG_SIZE])
    return size + TAG_SIZE


def open_chunks(
    open_: AeadInto, src: memoryview, dst: memoryview, first: int, count: int
) -> tuple[int, PayloadError | None]:
    """Open ``count`` full chunks that more data follows (so none of them may be final).

    ``src`` holds the sealed chunks from its start; plaintext goes to the start of ``dst``.
    Returns (chunks whose authenticated plaintext is now in ``dst``, the error that stopped
    there or None). A chunk that opens only as a *final* chunk has authentic plaintext but
    data after it: it is counted, and the error names the chunk after it.
    """
    pack = _NONCE.pack
    off = 0
    out = 0
    for counter in range(first, first + count):
        chunk = src[off : off + ENCRYPTED_CHUNK_SIZE]
        plain = dst[out : out + CHUNK_SIZE]
        try:
            open_(pack(counter, 0), chunk, None, plain)
        except InvalidTag:
            done = counter - first
            try:
                open_(pack(counter, 1), chunk, None, plain)
            except InvalidTag:
                return done, PayloadError(
                    f"payload chunk {counter} failed authentication: "
                    "the file was modified or damaged",
                    chunk=counter,
                )
            return done + 1, PayloadError(
                f"data follows the final payload chunk {counter}: the file was modified",
                chunk=counter + 1,
            )
        off += ENCRYPTED_CHUNK_SIZE
        out += CHUNK_SIZE
    return count, None


def open_final(
    open_: AeadInto, chunk: memoryview, dst: memoryview, counter: int
) -> tuple[int, PayloadError | None]:
    """Open the last ``chunk`` of the payload (everything up to end of file) as chunk ``counter``.

    Returns (plaintext bytes now at the start of ``dst``, the error or None). The checks: no
    chunk at all is a truncation; fewer than 16 bytes, or an empty chunk after others, is a
    modified file; a full chunk that opens as *non*-final means the file was cut exactly at a
    chunk boundary (its plaintext is authentic, the error is a truncation).
    """
    rest = len(chunk)
    if rest == 0:
        return 0, TruncatedPayloadError(
            "the file is truncated: the payload has no chunks" if counter == 0 else None,
            chunk=counter,
        )
    if rest < TAG_SIZE or (rest == TAG_SIZE and counter > 0):
        what = "is empty" if rest == TAG_SIZE else "is too short"
        return 0, PayloadError(
            f"final payload chunk {counter} {what}: the file was modified or truncated",
            chunk=counter,
        )
    plain = rest - TAG_SIZE
    out = dst[:plain]
    if rest == ENCRYPTED_CHUNK_SIZE:
        # A full chunk at end of file: either a full final chunk, or the file was cut
        # exactly at a chunk boundary.
        try:
            open_(_NONCE.pack(counter, 0), chunk, None, out)
        except InvalidTag:
            pass
        else:
            return plain, TruncatedPayloadError(chunk=counter + 1)
    try:
        open_(_NONCE.pack(counter, 1), chunk, None, out)
    except InvalidTag:
        return 0, PayloadError(
            f"final payload chunk {counter} failed authentication: "
            "the file was modified or truncated",
            chunk=counter,
        )
    return plain, None


# ---------------------------------------------------------------------------- streaming


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
    seal = ChaCha20Poly1305(key).encrypt_into
    inv = memoryview(bytearray((block_chunks + 1) * CHUNK_SIZE))
    outs = _out_buffers(buffers, (block_chunks + 1) * ENCRYPTED_CHUNK_SIZE)
    rotation = 0
    counter = 0
    held = 0
    while True:
        filled, eof = _fill(src, inv, held)
        outv = outs[rotation % buffers]
        rotation += 1
        # A chunk is certainly not the last when at least one byte follows it.
        count = (filled - 1) // CHUNK_SIZE if filled else 0
        seal_chunks(seal, inv, outv, counter, count)
        counter += count
        off = count * CHUNK_SIZE
        out = count * ENCRYPTED_CHUNK_SIZE
        if eof:  # 1..CHUNK_SIZE bytes left, or 0 only for an empty payload
            out += seal_final(seal, inv[off:filled], outv[out:], counter)
            yield outv[:out]
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
    open_ = ChaCha20Poly1305(key).decrypt_into
    inv = memoryview(bytearray((block_chunks + 1) * ENCRYPTED_CHUNK_SIZE))
    outs = _out_buffers(buffers, (block_chunks + 1) * CHUNK_SIZE)
    rotation = 0
    counter = 0
    held = 0
    while True:
        filled, eof = _fill(src, inv, held)
        outv = outs[rotation % buffers]
        rotation += 1
        # Chunks with more data after them are not the last one.
        count = (filled - 1) // ENCRYPTED_CHUNK_SIZE if filled else 0
        done, error = open_chunks(open_, inv, outv, counter, count)
        if error is not None:
            if done:
                yield outv[: done * CHUNK_SIZE]
            raise error
        counter += count
        off = count * ENCRYPTED_CHUNK_SIZE
        out = count * CHUNK_SIZE
        if not eof:
            if out:
                yield outv[:out]
            held = filled - off
            inv[:held] = inv[off:filled]
            continue
        plain, error = open_final(open_, inv[off:filled], outv[out:], counter)
        if out + plain:
            yield outv[: out + plain]
        if error is not None:
            raise error
        return
