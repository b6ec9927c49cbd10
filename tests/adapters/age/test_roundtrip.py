"""Properties: decrypt(encrypt(x)) == x at and around chunk and block boundaries, any I/O split."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.adapters.age import (
    CHUNK_SIZE,
    HybridIdentity,
    KeyFormatError,
    NoIdentityMatchError,
    ScryptIdentity,
    ScryptRecipient,
    TruncatedPayloadError,
    UnsupportedRecipientError,
    WorkFactorTooHighError,
    X25519Identity,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    open_decrypt,
    open_encrypt,
    parse_header,
)

ME = X25519Identity.generate()
OTHER = X25519Identity.generate()
C = CHUNK_SIZE
BOUNDARY_SIZES = [0, 1, C - 1, C, C + 1, 2 * C - 1, 2 * C, 2 * C + 1, 3 * C, 5 * C + 17]
sizes = st.one_of(st.sampled_from(BOUNDARY_SIZES), st.integers(min_value=0, max_value=6 * C))


def _data(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@given(size=sizes, seed=st.integers(0, 2**32), block_chunks=st.sampled_from([1, 2, 3, 64]))
def test_stream_round_trip(size: int, seed: int, block_chunks: int) -> None:
    """Streaming encrypt then decrypt returns the input, for any size and block size."""
    data = _data(size, seed)
    sealed = io.BytesIO()
    encrypt(io.BytesIO(data), sealed, [ME.recipient], block_chunks=block_chunks)
    # payload = header + 16-byte nonce + chunks of 64 KiB + 16-byte tags
    chunks = max(1, -(-size // C))
    header = parse_header(io.BytesIO(sealed.getvalue()))
    assert len(sealed.getvalue()) == len(header.encode()) + 16 + size + 16 * chunks
    out = io.BytesIO()
    assert decrypt(io.BytesIO(sealed.getvalue()), out, [ME], block_chunks=block_chunks) == size
    assert out.getvalue() == data


@given(
    size=sizes,
    seed=st.integers(0, 2**32),
    write_sizes=st.lists(st.integers(1, 3 * C), min_size=1, max_size=8),
    read_size=st.integers(1, 3 * C),
    armor=st.booleans(),
)
def test_writer_reader_round_trip(
    size: int, seed: int, write_sizes: list[int], read_size: int, armor: bool
) -> None:
    """The file-like writer and reader agree whatever the write and read sizes."""
    data = _data(size, seed)
    sealed = io.BytesIO()
    with open_encrypt(sealed, [ME.recipient], armor=armor) as writer:
        pos = 0
        i = 0
        while pos < size:
            step = write_sizes[i % len(write_sizes)]
            writer.write(data[pos : pos + step])
            pos += step
            i += 1
    if armor:
        assert sealed.getvalue().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    reader = open_decrypt(io.BytesIO(sealed.getvalue()), [OTHER, ME])
    got = bytearray()
    while piece := reader.read(read_size):
        got += piece
    assert bytes(got) == data


def test_writer_matches_stream_encryption_layout() -> None:
    """A full final chunk stays full (never an extra empty chunk), as age requires."""
    data = _data(2 * C, 1)
    sealed = io.BytesIO()
    with open_encrypt(sealed, [ME.recipient]) as writer:
        writer.write(data)
    header = parse_header(io.BytesIO(sealed.getvalue()))
    assert len(sealed.getvalue()) == len(header.encode()) + 16 + 2 * (C + 16)


def test_writer_abort_leaves_undecryptable_output() -> None:
    """An exception inside the with-block does not seal a final chunk."""
    sealed = io.BytesIO()

    def write_then_fail() -> None:
        with open_encrypt(sealed, [ME.recipient]) as writer:
            writer.write(_data(3 * C, 3))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_then_fail()
    with pytest.raises(TruncatedPayloadError):
        decrypt_bytes(sealed.getvalue(), [ME])


def test_multiple_recipients_each_open() -> None:
    """Every recipient of a multi-recipient file can open it; a stranger cannot."""
    sealed = encrypt_bytes(b"shared", [ME.recipient, OTHER.recipient])
    assert decrypt_bytes(sealed, [ME]) == b"shared"
    assert decrypt_bytes(sealed, [OTHER]) == b"shared"
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(sealed, [X25519Identity.generate()])


def test_passphrase_round_trip_and_wrong_passphrase() -> None:
    """scrypt files open with the passphrase only."""
    sealed = encrypt_bytes(b"x" * 70_000, [ScryptRecipient("open sesame", work_factor=10)])
    assert decrypt_bytes(sealed, [ScryptIdentity("open sesame")]) == b"x" * 70_000
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(sealed, [ScryptIdentity("open says me")])


def test_work_factor_limit_on_decrypt() -> None:
    """A work factor above the reader's maximum is refused before any scrypt work."""
    sealed = encrypt_bytes(b"x", [ScryptRecipient("pw", work_factor=12)])
    with pytest.raises(WorkFactorTooHighError):
        decrypt_bytes(sealed, [ScryptIdentity("pw", max_work_factor=11)])
    assert decrypt_bytes(sealed, [ScryptIdentity("pw", max_work_factor=12)]) == b"x"


def test_recipient_mixing_rules() -> None:
    """A passphrase is always alone; post-quantum and classical keys are not mixed."""
    with pytest.raises(KeyFormatError):
        encrypt_bytes(b"x", [ScryptRecipient("pw", work_factor=10), ME.recipient])
    with pytest.raises(UnsupportedRecipientError):
        encrypt_bytes(b"x", [HybridIdentity.generate().recipient, ME.recipient])
    with pytest.raises(KeyFormatError):
        encrypt_bytes(b"x", [])


def test_hybrid_round_trip() -> None:
    """Post-quantum hybrid recipients round-trip (decryption is checked by the CCTV vectors)."""
    pq = HybridIdentity.generate()
    sealed = encrypt_bytes(b"post-quantum", [pq.recipient], armor=True)
    assert decrypt_bytes(sealed, [ME, pq]) == b"post-quantum"
    with pytest.raises(NoIdentityMatchError):
        decrypt_bytes(sealed, [HybridIdentity.generate()])


def test_armor_detected_automatically(tmp_path: Path) -> None:
    """Armored input is recognised (even after leading whitespace) without a flag."""
    sealed = encrypt_bytes(b"armored", [ME.recipient], armor=True)
    assert decrypt_bytes(b"\n  \n" + sealed, [ME]) == b"armored"
    lines = sealed.decode().splitlines()
    assert all(len(line) <= 64 for line in lines)
    assert lines[-1] == "-----END AGE ENCRYPTED FILE-----"


def test_stream_from_unbuffered_pipe_like_source() -> None:
    """Short reads (pipes) are handled: the source returns at most 1000 bytes per call."""

    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(min(len(b), 1000))
            b[: len(chunk)] = chunk
            return len(chunk)

    data = _data(3 * C + 5, 7)
    sealed = io.BytesIO()
    encrypt(Trickle(data), sealed, [ME.recipient])
    out = io.BytesIO()
    decrypt(Trickle(sealed.getvalue()), out, [ME])
    assert out.getvalue() == data


class _Zeros(io.RawIOBase):
    """A source of ``size`` zero bytes that holds nothing in memory."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(b), self._left)
        memoryview(b)[:n] = bytes(n)
        self._left -= n
        return n


class _Discard:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self.size += memoryview(data).nbytes
        return memoryview(data).nbytes


def test_memory_does_not_grow_with_size(tmp_path: Path) -> None:
    """Streaming 96 MiB each way allocates at most a few 4 MiB blocks (tracemalloc peak)."""
    import tracemalloc

    size = 96 * 1024 * 1024
    sealed = tmp_path / "big.age"
    tracemalloc.start()
    try:
        with sealed.open("wb") as out:
            encrypt(_Zeros(size), out, [ME.recipient])
        _, enc_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = _Discard()
        with sealed.open("rb") as src:
            decrypt(src, sink, [ME])
        _, dec_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with sealed.open("rb") as src:
            reader = open_decrypt(src, [ME])
            while reader.read(1_000_000):
                pass
        _, reader_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size
    limit = 24 * 1024 * 1024  # input + 3 rotating ~4 MiB buffers, far below the 96 MiB moved
    assert enc_peak < limit
    assert dec_peak < limit
    assert reader_peak < limit
