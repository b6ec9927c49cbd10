"""Encrypt and decrypt age v1 files, streaming, in memory that does not grow with file size.

Entry points, from lowest to highest level:

* :func:`encrypt` / :func:`decrypt`: stream from a binary source to a binary sink;
* :func:`open_encrypt` / :func:`open_decrypt`: file-like writer/reader (e.g. for ``tarfile``
  in stream mode ``w|`` / ``r|``);
* :func:`encrypt_file` / :func:`decrypt_file`: path to path, output written atomically (no
  partial plaintext is ever left on disk); between regular files of at least 8 MiB they use
  one process per core (:mod:`cpcase.adapters.age.parallel`), otherwise they stream;
* :func:`encrypt_bytes` / :func:`decrypt_bytes`: small in-memory payloads.

Decryption checks, in order: the armor, the header syntax, the identities (``no match``), the
header MAC, then every payload chunk, raising the matching error class from
:mod:`cpcase.adapters.age.errors`.
"""

from __future__ import annotations

import io
import os
import stat
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

import attrs
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from cpcase.adapters.age.armor import ArmorReader, ArmorWriter
from cpcase.adapters.age.errors import (
    ArchiveFormatError,
    HeaderMacError,
    KeyFormatError,
    NoIdentityMatchError,
    UnsupportedRecipientError,
    UnsupportedStanzaError,
)
from cpcase.adapters.age.fileio import atomic_output
from cpcase.adapters.age.format import Header, hkdf_sha256, parse_header
from cpcase.adapters.age.parallel import choose_workers, decrypt_payload, encrypt_payload
from cpcase.adapters.age.recipients import FILE_KEY_SIZE, Identity, Recipient
from cpcase.adapters.age.stream import (
    CHUNK_SIZE,
    DEFAULT_BLOCK_CHUNKS,
    ENCRYPTED_CHUNK_SIZE,
    iter_decrypt,
    iter_encrypt,
)

__all__ = [
    "SUPPORTED_STANZA_TYPES",
    "DecryptingReader",
    "EncryptingWriter",
    "decrypt",
    "decrypt_bytes",
    "decrypt_file",
    "encrypt",
    "encrypt_bytes",
    "encrypt_file",
    "open_decrypt",
    "open_encrypt",
]

SUPPORTED_STANZA_TYPES = frozenset({"X25519", "scrypt", "mlkem768x25519"})
_NONCE_SIZE = 16
_ARMOR_SNIFF = 1100  # armor allows up to 1 KiB of whitespace before BEGIN
_WS = b" \t\r\n\v\f"


class _Sink(Protocol):
    def write(self, data: bytes | bytearray | memoryview, /) -> int | None:
        """Write ``data``; return the count written (or None)."""


class _Source(Protocol):
    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes."""


_WRITE_BUFFERS = 3  # blocks in flight: one being filled, up to two being written


def _write_fully(write: Callable[[memoryview], int | None], view: memoryview) -> None:
    """Write all of ``view`` (raw files may accept less than asked)."""
    while view:
        written = write(view)
        if written is None or written >= len(view):
            return
        view = view[written:]


def _write_behind(blocks: Iterator[memoryview], sink: _Sink | BinaryIO) -> int:
    """Write ``blocks`` from one background thread so that disk writes overlap with crypto.

    ``blocks`` must rotate at least ``_WRITE_BUFFERS`` buffers. If the iterator raises, the
    blocks already yielded (authenticated plaintext, when decrypting) are written before the
    error propagates. Returns the number of bytes written.
    """
    total = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cpcase-age-write") as pool:
        pending: deque[Future[None]] = deque()
        for block in blocks:
            total += len(block)
            pending.append(pool.submit(_write_fully, sink.write, block))
            while len(pending) >= _WRITE_BUFFERS:
                pending.popleft().result()
        while pending:
            pending.popleft().result()
    return total


# ---------------------------------------------------------------------------- encryption


def _check_recipients(recipients: Sequence[Recipient]) -> None:
    if not recipients:
        raise KeyFormatError("no recipient given: pass at least one age1... key or a passphrase")
    if len(recipients) > 1 and any(r.exclusive for r in recipients):
        raise KeyFormatError("a passphrase cannot be combined with other recipients (age spec)")
    if len({r.family for r in recipients}) > 1:
        raise UnsupportedRecipientError(
            "post-quantum and classical recipients must not be mixed in one file"
        )


def _fresh_secret(size: int) -> bytes:
    """A new random file key or payload nonce (a seam for tests that need fixed ones)."""
    return os.urandom(size)


def _start(recipients: Sequence[Recipient]) -> tuple[bytes, bytes]:
    """Return (header bytes incl. payload nonce, payload key) for a new file."""
    _check_recipients(recipients)
    file_key = _fresh_secret(FILE_KEY_SIZE)
    header = Header.build(file_key, tuple(r.wrap(file_key) for r in recipients))
    nonce = _fresh_secret(_NONCE_SIZE)
    return header.encode() + nonce, hkdf_sha256(file_key, nonce, b"payload")


def _regular_size(handle: object) -> int | None:
    """The size of ``handle`` if it is an open regular file (not a pipe, tty or socket)."""
    fileno = getattr(handle, "fileno", None)
    if fileno is None:
        return None
    try:
        info = os.fstat(fileno())
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def encrypt(
    src: BinaryIO | io.RawIOBase,
    dst: _Sink | BinaryIO,
    recipients: Sequence[Recipient],
    *,
    armor: bool = False,
    block_chunks: int = DEFAULT_BLOCK_CHUNKS,
) -> None:
    """Encrypt everything readable from ``src`` to ``dst`` (``src`` needs ``readinto``)."""
    prefix, key = _start(recipients)
    out: _Sink | BinaryIO = ArmorWriter(dst) if armor else dst
    out.write(prefix)
    blocks = iter_encrypt(
        src,  # type: ignore[arg-type]
        key,
        block_chunks=block_chunks,
        buffers=_WRITE_BUFFERS,
    )
    _write_behind(blocks, out)
    if isinstance(out, ArmorWriter):
        out.close()


class EncryptingWriter(io.RawIOBase):
    """A write-only file object that encrypts to ``dst`` as data arrives.

    Call :meth:`close` (or leave the ``with`` block normally) to write the final chunk. If the
    ``with`` block raises, the final chunk is *not* written, so the output is an incomplete,
    undecryptable file (and :func:`encrypt_file`-style callers delete it).
    """

    def __init__(
        self,
        dst: _Sink | BinaryIO,
        recipients: Sequence[Recipient],
        *,
        armor: bool = False,
        block_chunks: int = DEFAULT_BLOCK_CHUNKS,
    ) -> None:
        super().__init__()
        prefix, key = _start(recipients)
        self._armor = ArmorWriter(dst) if armor else None
        self._dst: _Sink | BinaryIO = self._armor if self._armor is not None else dst
        self._dst.write(prefix)
        self._seal = ChaCha20Poly1305(key).encrypt_into
        self._threshold = block_chunks * CHUNK_SIZE
        self._pending = bytearray()
        self._out = bytearray(block_chunks * ENCRYPTED_CHUNK_SIZE + ENCRYPTED_CHUNK_SIZE)
        self._counter = 0
        self._aborted = False
        self._written = 0

    def writable(self) -> bool:
        """Writable until closed."""
        return True

    def tell(self) -> int:
        """Plaintext bytes written so far (``tarfile`` asks for it; no seeking is possible)."""
        return self._written

    def _flush_chunks(self, *, final: bool) -> None:
        pending = memoryview(self._pending)
        out = memoryview(self._out)
        off = 0
        pos = 0
        size = len(pending)
        try:
            while off + CHUNK_SIZE < size:
                if pos + ENCRYPTED_CHUNK_SIZE > len(out):
                    self._dst.write(out[:pos])
                    pos = 0
                self._seal(
                    self._counter.to_bytes(11, "big") + b"\x00",
                    pending[off : off + CHUNK_SIZE],
                    None,
                    out[pos : pos + ENCRYPTED_CHUNK_SIZE],
                )
                self._counter += 1
                off += CHUNK_SIZE
                pos += ENCRYPTED_CHUNK_SIZE
            if final:
                if pos + ENCRYPTED_CHUNK_SIZE > len(out):
                    self._dst.write(out[:pos])
                    pos = 0
                rest = size - off
                self._seal(
                    self._counter.to_bytes(11, "big") + b"\x01",
                    pending[off:size],
                    None,
                    out[pos : pos + rest + 16],
                )
                pos += rest + 16
                off = size
            if pos:
                self._dst.write(out[:pos])
        finally:
            pending.release()
            out.release()
        del self._pending[:off]

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Buffer ``data``; seal and write whole chunks once a block has accumulated."""
        if self.closed:
            raise ValueError("write to a closed EncryptingWriter")
        self._pending += data
        if len(self._pending) > self._threshold:
            self._flush_chunks(final=False)
        size = memoryview(data).nbytes
        self._written += size
        return size

    def close(self) -> None:
        """Seal the final chunk and finish the armor (the underlying ``dst`` stays open)."""
        if not self.closed:
            if not self._aborted:
                self._flush_chunks(final=True)
                if self._armor is not None:
                    self._armor.close()
            self._pending = bytearray()
        super().close()

    def abort(self) -> None:
        """Close without writing the final chunk: the output will not decrypt."""
        self._aborted = True
        self.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()


def open_encrypt(
    dst: _Sink | BinaryIO, recipients: Sequence[Recipient], *, armor: bool = False
) -> EncryptingWriter:
    """A file-like writer encrypting to ``dst``; use it as a context manager."""
    return EncryptingWriter(dst, recipients, armor=armor)


def encrypt_bytes(data: bytes, recipients: Sequence[Recipient], *, armor: bool = False) -> bytes:
    """Encrypt a small in-memory payload."""
    out = io.BytesIO()
    encrypt(io.BytesIO(data), out, recipients, armor=armor)
    return out.getvalue()


def _encrypt_files(
    fin: BinaryIO,
    fout: BinaryIO,
    recipients: Sequence[Recipient],
    *,
    armor: bool = False,
    workers: int | None = None,
) -> None:
    """Encrypt from ``fin``'s position to ``fout``'s, in parallel when both are regular files."""
    size = _regular_size(fin)
    if size is not None:
        size = max(0, size - fin.tell())
    if armor or size is None or _regular_size(fout) is None:
        count = 1
    else:
        count = choose_workers(size, workers)
    if size is None or count <= 1:
        encrypt(fin, fout, recipients, armor=armor)
        return
    prefix, key = _start(recipients)
    fout.write(prefix)
    fout.flush()
    start = fout.tell()
    sealed = encrypt_payload(
        fin.fileno(), fin.tell(), size, fout.fileno(), start, key, workers=count
    )
    fin.seek(size, os.SEEK_CUR)
    fout.seek(start + sealed)


def encrypt_file(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    recipients: Sequence[Recipient],
    *,
    armor: bool = False,
    overwrite: bool = False,
    workers: int | None = None,
) -> None:
    """Encrypt the file ``src`` to ``dst``, written atomically.

    ``workers`` is the number of processes: ``None`` uses one per CPU (up to 4) for binary
    output from a regular file of at least 8 MiB on Linux and streams otherwise; ``1`` always
    streams. The output is the same either way.
    """
    with open(src, "rb") as fin, atomic_output(dst, overwrite=overwrite) as fout:
        _encrypt_files(fin, fout, recipients, armor=armor, workers=workers)


# ---------------------------------------------------------------------------- decryption


class _PrefixedRaw(io.RawIOBase):
    """A raw stream that replays ``prefix`` and then reads ``src`` (never closes ``src``)."""

    def __init__(self, prefix: bytes, src: BinaryIO | io.RawIOBase | _Source) -> None:
        super().__init__()
        self._prefix = memoryview(prefix)
        self._src = src
        self._readinto = getattr(src, "readinto", None)

        self._delivered = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        """Bytes handed out so far (the prefix included); no seeking is possible."""
        return self._delivered

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        elif self._readinto is not None:
            n = self._readinto(view) or 0
        else:
            data = self._src.read(len(view))
            n = len(data)
            view[:n] = data
        self._delivered += n
        return n


def _input_stream(
    src: BinaryIO | io.RawIOBase | _Source, *, armor: bool | None
) -> tuple[io.BufferedIOBase, bool]:
    """The binary payload stream of ``src`` and whether it was armored."""
    prefix = b""
    if armor is None:
        prefix = src.read(_ARMOR_SNIFF) or b""
        armor = prefix.lstrip(_WS).startswith(b"-----BEGIN")
    raw = io.BufferedReader(_PrefixedRaw(prefix, src), buffer_size=64 * 1024)
    if armor:
        return io.BufferedReader(ArmorReader(raw), buffer_size=64 * 1024), True
    return raw, False


@attrs.frozen
class _Opened:
    """A file whose header authenticated; ``stream`` is positioned at the first chunk.

    For binary input, ``stream.tell()`` is the number of bytes consumed from the source.
    """

    stream: io.BufferedIOBase
    header: Header
    payload_key: bytes = attrs.field(repr=False)
    armored: bool


def _open(
    src: BinaryIO | io.RawIOBase | _Source,
    identities: Sequence[Identity],
    *,
    armor: bool | None,
) -> _Opened:
    stream, armored = _input_stream(src, armor=armor)
    header = parse_header(stream)
    if not identities:
        raise KeyFormatError("no identity given: pass an identity file or a passphrase")
    types = [s.type for s in header.stanzas]
    if "scrypt" in types and len(types) > 1:
        raise ArchiveFormatError("an scrypt stanza must be the only stanza in the header")
    file_key = None
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is not None:
            break
    if file_key is None:
        if not SUPPORTED_STANZA_TYPES.intersection(types):
            shown = tuple(dict.fromkeys(t[:40] for t in types))[:5]
            raise UnsupportedStanzaError(
                "the file is encrypted only to recipient types cpcase does not support: "
                + ", ".join(shown),
                shown,
            )
        raise NoIdentityMatchError(
            "no identity matched: wrong key or wrong passphrase for this file"
        )
    if not header.verify_mac(file_key):
        raise HeaderMacError("the header MAC does not match: the file header was modified")
    nonce = stream.read(_NONCE_SIZE)
    if len(nonce) != _NONCE_SIZE:
        raise ArchiveFormatError("the file ends before the payload nonce (truncated)")
    return _Opened(stream, header, hkdf_sha256(file_key, nonce, b"payload"), armored)


def decrypt(
    src: BinaryIO | io.RawIOBase,
    dst: _Sink | BinaryIO,
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
    block_chunks: int = DEFAULT_BLOCK_CHUNKS,
) -> int:
    """Decrypt ``src`` into ``dst``; return the plaintext size.

    ``armor=None`` detects the ASCII armor. On error, ``dst`` has received only authenticated
    plaintext from the chunks before the failure; use :func:`decrypt_file` to get an
    all-or-nothing output file.
    """
    return _decrypt_opened(_open(src, identities, armor=armor), dst, block_chunks=block_chunks)


def _decrypt_opened(
    opened: _Opened, dst: _Sink | BinaryIO, *, block_chunks: int = DEFAULT_BLOCK_CHUNKS
) -> int:
    blocks = iter_decrypt(
        opened.stream, opened.payload_key, block_chunks=block_chunks, buffers=_WRITE_BUFFERS
    )
    return _write_behind(blocks, dst)


class DecryptingReader(io.RawIOBase):
    """A read-only file object over the plaintext, authenticated chunk by chunk.

    Once an error is raised it is raised again by every later read, so a consumer that
    swallows it cannot mistake the rest for a clean end of file.
    """

    def __init__(self, opened: _Opened, *, block_chunks: int = DEFAULT_BLOCK_CHUNKS) -> None:
        super().__init__()
        self.header = opened.header
        self._blocks: Iterator[memoryview] = iter_decrypt(
            opened.stream, opened.payload_key, block_chunks=block_chunks
        )
        self._current = memoryview(b"")
        self._error: BaseException | None = None
        self._eof = False

    def readable(self) -> bool:
        """Readable until closed."""
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Copy plaintext into ``buffer``; 0 only at the authenticated end of file."""
        view = memoryview(buffer).cast("B")
        while not self._current:
            if self._error is not None:
                raise self._error
            if self._eof:
                return 0
            try:
                self._current = next(self._blocks)
            except StopIteration:
                self._eof = True
            except Exception as exc:
                self._error = exc
                raise
        n = min(len(view), len(self._current))
        view[:n] = self._current[:n]
        self._current = self._current[n:]
        return n


def open_decrypt(
    src: BinaryIO | io.RawIOBase,
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
) -> io.BufferedReader:
    """Parse the header, unwrap the file key and return a buffered plaintext reader.

    Header, key and MAC errors are raised here; payload errors are raised by reads.
    """
    return io.BufferedReader(DecryptingReader(_open(src, identities, armor=armor)), CHUNK_SIZE)


def decrypt_bytes(
    data: bytes, identities: Sequence[Identity], *, armor: bool | None = None
) -> bytes:
    """Decrypt a small in-memory file; all or nothing."""
    out = io.BytesIO()
    decrypt(io.BytesIO(data), out, identities, armor=armor)
    return out.getvalue()


def _decrypt_files(
    fin: BinaryIO,
    fout: BinaryIO,
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
    workers: int | None = None,
) -> int:
    """Decrypt ``fin`` into ``fout``, in parallel when both are regular files and not armored.

    On error ``fout`` holds partial, unordered plaintext: callers must discard it.
    """
    start = fin.tell()
    opened = _open(fin, identities, armor=armor)
    size = _regular_size(fin)
    if opened.armored or size is None or _regular_size(fout) is None:
        return _decrypt_opened(opened, fout)
    payload_start = start + opened.stream.tell()
    size = max(0, size - payload_start)
    count = choose_workers(size, workers)
    if count <= 1:
        return _decrypt_opened(opened, fout)
    fout.flush()
    out = fout.tell()
    plain = decrypt_payload(
        fin.fileno(), payload_start, size, fout.fileno(), out, opened.payload_key, workers=count
    )
    fin.seek(payload_start + size)
    fout.seek(out + plain)
    return plain


def decrypt_file(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    identities: Sequence[Identity],
    *,
    armor: bool | None = None,
    overwrite: bool = False,
    workers: int | None = None,
) -> int:
    """Decrypt ``src`` to ``dst`` atomically: ``dst`` appears only if the whole file authenticates.

    Returns the plaintext size. ``workers`` as in :func:`encrypt_file` (armored input always
    streams); errors and their classes are the same either way.
    """
    with open(src, "rb") as fin, atomic_output(Path(dst), overwrite=overwrite) as fout:
        return _decrypt_files(fin, fout, identities, armor=armor, workers=workers)
