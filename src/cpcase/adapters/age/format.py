"""The age v1 header: version line, recipient stanzas and MAC (strict parser and serialiser).

The parser is deliberately strict (canonical unpadded base64, 64-column body lines, single
spaces between arguments, LF only) so that a header has exactly one encoding: the MAC is then
computed over the bytes as read, which equals their re-encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import Protocol

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cpcase.adapters.age.errors import (
    ArchiveFormatError,
    NotAnAgeFileError,
    UnsupportedVersionError,
)

__all__ = [
    "INTRO",
    "MAX_HEADER_BYTES",
    "Header",
    "LineReader",
    "Stanza",
    "b64decode_raw",
    "b64encode_raw",
    "hkdf_sha256",
    "parse_header",
]

INTRO = b"age-encryption.org/v1\n"
_VERSION_PREFIX = b"age-encryption.org/"
_COLUMNS = 64
_BYTES_PER_LINE = _COLUMNS // 4 * 3
MAX_HEADER_BYTES = 16 * 1024 * 1024
"""Upper bound on a header (a hostile file could otherwise make us buffer without limit)."""
_MAX_LINE = 1024 * 1024
_B64_ALPHABET = re.compile(rb"[A-Za-z0-9+/]*")


class LineReader(Protocol):
    """What the header parser needs from its input: a buffered binary stream."""

    def readline(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes, stopping after a newline."""


def b64encode_raw(data: bytes) -> str:
    """Standard base64 without ``=`` padding, as the age header uses it."""
    return base64.b64encode(data).rstrip(b"=").decode("ascii")


def b64decode_raw(text: str | bytes) -> bytes:
    """Decode canonical unpadded base64; anything else raises ``ValueError``."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else text
    if not _B64_ALPHABET.fullmatch(raw) or len(raw) % 4 == 1:
        raise ValueError("invalid unpadded base64")
    try:
        data = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("invalid unpadded base64") from exc
    if base64.b64encode(data).rstrip(b"=") != raw:
        raise ValueError("non-canonical base64")
    return data


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """HKDF-SHA-256 with 32 bytes of output, as every age key derivation uses it."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _valid_arg(arg: str) -> bool:
    return bool(arg) and all(33 <= ord(c) <= 126 for c in arg)


@attrs.frozen
class Stanza:
    """One recipient stanza: ``-> type args...`` and a binary body."""

    type: str
    args: tuple[str, ...]
    body: bytes = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        if not all(_valid_arg(a) for a in (self.type, *self.args)):
            raise ArchiveFormatError("stanza arguments must be non-empty printable ASCII")

    def encode(self) -> bytes:
        """The stanza as it appears in the header (body wrapped at 64 columns)."""
        line = "-> " + " ".join((self.type, *self.args)) + "\n"
        body = b64encode_raw(self.body)
        lines = [body[i : i + _COLUMNS] for i in range(0, len(body), _COLUMNS)]
        if not lines or len(lines[-1]) == _COLUMNS:
            lines.append("")
        return (line + "".join(f"{part}\n" for part in lines)).encode("ascii")


@attrs.frozen
class Header:
    """A parsed or freshly built age v1 header.

    ``mac`` is the 32-byte HMAC-SHA-256 over :meth:`encode_without_mac` under the key derived
    from the file key.
    """

    stanzas: tuple[Stanza, ...]
    mac: bytes = attrs.field(repr=False)

    def encode_without_mac(self) -> bytes:
        """The header bytes the MAC covers: everything up to and including ``---``."""
        return INTRO + b"".join(s.encode() for s in self.stanzas) + b"---"

    def encode(self) -> bytes:
        """The full header, ending with the MAC line."""
        return self.encode_without_mac() + b" " + b64encode_raw(self.mac).encode() + b"\n"

    @staticmethod
    def compute_mac(file_key: bytes, header_without_mac: bytes) -> bytes:
        """HMAC-SHA-256 of the header under ``HKDF(file key, "", "header")``."""
        key = hkdf_sha256(file_key, b"", b"header")
        return hmac.new(key, header_without_mac, hashlib.sha256).digest()

    @classmethod
    def build(cls, file_key: bytes, stanzas: tuple[Stanza, ...]) -> Header:
        """A header for ``stanzas`` with its MAC computed under ``file_key``."""
        unsigned = cls(stanzas=stanzas, mac=b"")
        return cls(stanzas=stanzas, mac=cls.compute_mac(file_key, unsigned.encode_without_mac()))

    def verify_mac(self, file_key: bytes) -> bool:
        """Whether the MAC matches ``file_key`` (constant-time comparison)."""
        return hmac.compare_digest(self.mac, self.compute_mac(file_key, self.encode_without_mac()))


def _readline(src: LineReader, total: int) -> bytes:
    line = src.readline(min(_MAX_LINE, MAX_HEADER_BYTES - total + 1))
    if not line.endswith(b"\n"):
        if total + len(line) > MAX_HEADER_BYTES or len(line) >= _MAX_LINE:
            raise ArchiveFormatError("age header too large")
        raise ArchiveFormatError("age header ends unexpectedly (truncated file?)")
    return line


def _split(line: bytes) -> list[str]:
    try:
        return line[:-1].decode("ascii").split(" ")
    except UnicodeDecodeError:
        raise ArchiveFormatError("non-ASCII byte in the age header") from None


def parse_header(src: LineReader) -> Header:
    """Read and parse one age v1 header from ``src``, leaving it positioned at the payload.

    Raises :class:`NotAnAgeFileError`, :class:`UnsupportedVersionError` or
    :class:`ArchiveFormatError` naming what is wrong (never the header's contents).
    """
    first = src.readline(len(INTRO) + 64)
    if first != INTRO:
        if not first:
            raise NotAnAgeFileError("the file is empty, not an age file")
        if first == INTRO[:-1] + b"\r\n":
            raise ArchiveFormatError(
                "the age header has CRLF line endings: the file was converted as text"
            )
        if first.startswith(_VERSION_PREFIX) and first.endswith(b"\n"):
            raise UnsupportedVersionError("the file uses an age format version other than v1")
        raise NotAnAgeFileError("the file does not start with an age v1 header")
    total = len(first)
    stanzas: list[Stanza] = []
    while True:
        line = _readline(src, total)
        total += len(line)
        if line.startswith(b"---"):
            parts = _split(line)
            if parts[0] != "---" or len(parts) != 2:
                raise ArchiveFormatError("malformed header MAC line")
            try:
                mac = b64decode_raw(parts[1])
            except ValueError:
                raise ArchiveFormatError("malformed header MAC encoding") from None
            if len(mac) != 32:
                raise ArchiveFormatError("header MAC has the wrong length")
            if not stanzas:
                raise ArchiveFormatError("the age header has no recipient stanza")
            return Header(stanzas=tuple(stanzas), mac=mac)
        if not line.startswith(b"->"):
            raise ArchiveFormatError("unexpected line in the age header")
        parts = _split(line)
        if parts[0] != "->" or len(parts) < 2 or not all(_valid_arg(a) for a in parts[1:]):
            raise ArchiveFormatError("malformed recipient stanza line")
        body = bytearray()
        while True:
            body_line = _readline(src, total)
            total += len(body_line)
            try:
                chunk = b64decode_raw(body_line[:-1])
            except ValueError:
                raise ArchiveFormatError("malformed recipient stanza body") from None
            if len(chunk) > _BYTES_PER_LINE:
                raise ArchiveFormatError("recipient stanza body line longer than 64 columns")
            body += chunk
            if len(chunk) < _BYTES_PER_LINE:
                break
        stanzas.append(Stanza(type=parts[1], args=tuple(parts[2:]), body=bytes(body)))
