"""ASCII armor for age files: strict PEM (RFC 7468) with the label ``AGE ENCRYPTED FILE``.

The reader is strict, as the age spec recommends, so that armored files are not malleable:
canonical padded base64 only, 64-column lines (only the last may be shorter), no headers, no
blank lines, no trailing spaces. Whitespace is tolerated only before the BEGIN line and after
the END line (at most 1 KiB each), and LF or CRLF line endings.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import BinaryIO, Protocol

from cpcase.adapters.age.errors import ArmorError

__all__ = ["BEGIN", "END", "ArmorReader", "ArmorWriter", "LineSource", "Writable"]

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
_COLUMNS = 64
_BYTES_PER_LINE = _COLUMNS // 4 * 3
_MAX_WHITESPACE = 1024
_LINE = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_FAST_WINDOW = 64 * 1024


class Writable(Protocol):
    """A binary sink."""

    def write(self, data: bytes | bytearray | memoryview, /) -> int | None:
        """Write all of ``data``."""


class LineSource(Protocol):
    """A buffered binary source with ``readline`` and ``read``."""

    def readline(self, size: int | None = -1, /) -> bytes:
        """Read one line (up to ``size`` bytes)."""

    def read(self, size: int | None = -1, /) -> bytes:
        """Read up to ``size`` bytes."""


class ArmorWriter(io.RawIOBase):
    """Wrap binary output in the armor; :meth:`close` writes the END line (``dst`` stays open)."""

    def __init__(self, dst: Writable | BinaryIO) -> None:
        super().__init__()
        self._dst = dst
        self._pending = bytearray()
        dst.write(BEGIN + b"\n")

    def writable(self) -> bool:
        """Always writable until closed."""
        return True

    def _emit(self, data: bytes | bytearray) -> None:
        encoded = binascii.b2a_base64(data, newline=False)
        lines = [encoded[i : i + _COLUMNS] for i in range(0, len(encoded), _COLUMNS)]
        lines.append(b"")
        self._dst.write(b"\n".join(lines))

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Buffer and encode whole 48-byte lines."""
        if self.closed:
            raise ValueError("write to a closed ArmorWriter")
        self._pending += data
        full = len(self._pending) // _BYTES_PER_LINE * _BYTES_PER_LINE
        if full:
            self._emit(self._pending[:full])
            del self._pending[:full]
        return len(data)

    def close(self) -> None:
        """Write the final line and the END line."""
        if not self.closed:
            if self._pending:
                self._emit(self._pending)
                self._pending.clear()
            self._dst.write(END + b"\n")
        super().close()


class ArmorReader(io.RawIOBase):
    """Decode an armored age file from ``src`` (which must offer ``readline``), strictly."""

    def __init__(self, src: LineSource) -> None:
        super().__init__()
        self._src = src
        self._started = False
        self._done = False
        self._unread = b""
        self._error: ArmorError | None = None

    def readable(self) -> bool:
        """Always readable."""
        return True

    def _line(self) -> bytes:
        line = self._src.readline(_COLUMNS + 3)
        if not line:
            raise ArmorError("the armored file ends before its END line")
        if len(line) > _COLUMNS + 2:  # 64 columns plus CRLF at most
            raise ArmorError("armor line longer than 64 columns")
        if line.endswith(b"\n"):
            line = line[:-1]
        if line.endswith(b"\r"):
            line = line[:-1]
        return line

    def _drain(self) -> None:
        rest = self._src.read(_MAX_WHITESPACE)
        if rest.strip():
            raise ArmorError("data after the END line of the armored file")
        if len(rest) == _MAX_WHITESPACE:
            raise ArmorError("too much whitespace after the END line of the armored file")
        self._done = True

    def _start(self) -> None:
        skipped = 0
        while True:
            line = self._src.readline(len(BEGIN) + 3)
            if not line:
                raise ArmorError("the armored file has no BEGIN line")
            if not line.strip():
                skipped += len(line)
                if skipped > _MAX_WHITESPACE:
                    raise ArmorError("too much whitespace before the BEGIN line")
                continue
            if line.rstrip(b"\n").removesuffix(b"\r") != BEGIN or not line.endswith(b"\n"):
                raise ArmorError("the armored file does not start with the age BEGIN line")
            self._started = True
            return

    def _fast(self) -> bytes:
        """Decode a run of full 64-column lines in one go (the bulk of a large file).

        Only lines that are exactly 64 base64 characters (no padding) followed by LF or CRLF
        are taken; anything else is left to the line-by-line path, which reports errors in
        place after releasing the lines before them.
        """
        peek = getattr(self._src, "peek", None)
        if peek is None:
            return b""
        window = peek(_FAST_WINDOW)
        end = window.rfind(b"\n") + 1
        for width, eol in ((_COLUMNS + 1, b"\n"), (_COLUMNS + 2, b"\r\n")):
            rows = end // width
            block = window[: rows * width]
            if rows and all(
                block[_COLUMNS + i :: width] == eol[i : i + 1] * rows for i in range(len(eol))
            ):  # every row is exactly 64 columns and its line ending (checked in C, not per line)
                data = block.translate(None, b"\r\n")
                if len(data) == rows * _COLUMNS and not data.translate(None, _ALPHABET):
                    self._src.read(len(block))
                    return binascii.a2b_base64(data, strict_mode=True)
        parts: list[bytes] = []
        sizes: list[int] = []
        for line in window[:end].split(b"\n")[:-1]:
            size = len(line)
            if size == _COLUMNS:
                parts.append(line)
            elif size == _COLUMNS + 1 and line[_COLUMNS] == 13:  # CRLF
                parts.append(line[:_COLUMNS])
            else:
                break
            sizes.append(size + 1)
        joined = b"".join(parts)
        if joined.translate(None, _ALPHABET):  # a bad character: keep the lines before it
            good = 0
            while not parts[good].translate(None, _ALPHABET):
                good += 1
            parts, sizes = parts[:good], sizes[:good]
            joined = b"".join(parts)
        if not parts:
            return b""
        self._src.read(sum(sizes))
        return binascii.a2b_base64(joined, strict_mode=True)

    def _next(self) -> bytes:
        if not self._started:
            self._start()
        data = self._fast()
        if data:
            return data
        line = self._line()
        if line == END:
            self._drain()
            return b""
        if not line:
            raise ArmorError("blank line inside the armored data")
        if len(line) > _COLUMNS:
            raise ArmorError("armor line longer than 64 columns")
        if len(line) % 4 or not _LINE.fullmatch(line):
            raise ArmorError("invalid base64 in the armored data")
        try:
            data = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise ArmorError("invalid base64 in the armored data") from None
        if base64.b64encode(data) != line:
            raise ArmorError("non-canonical base64 in the armored data")
        if len(data) < _BYTES_PER_LINE:
            if self._line() != END:
                raise ArmorError("a short armor line is not followed by the END line")
            self._drain()
        return data

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` with decoded bytes; 0 at the END line."""
        if self._error is not None:
            raise self._error
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if not self._unread:
                if self._done:
                    break
                try:
                    self._unread = self._next()
                except ArmorError as exc:
                    self._error = exc
                    if filled:
                        break
                    raise
                continue
            n = min(len(view) - filled, len(self._unread))
            view[filled : filled + n] = self._unread[:n]
            self._unread = self._unread[n:]
            filled += n
        return filled
