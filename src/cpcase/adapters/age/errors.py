"""Errors of the age v1 implementation, one class per failure a user must tell apart.

The tree follows the failure classes of the C2SP CCTV age test vectors, so that a parsing
problem is never masked by a later, higher-level error::

    ArchiveError                          (cpcase.errors)
    ├── ArchiveFormatError                "header failure": the header cannot be parsed
    │   ├── NotAnAgeFileError             no age version line (empty file, other format)
    │   ├── UnsupportedVersionError       an age version line other than v1
    │   └── WorkFactorTooHighError        scrypt work factor above the configured maximum
    ├── ArmorError                        "armor failure": the ASCII armor is malformed
    ├── ArchiveDecryptionError            the header parses but decryption fails
    │   ├── NoIdentityMatchError          "no match": wrong key or wrong passphrase
    │   │   └── UnsupportedStanzaError    only recipient types cpcase cannot open
    │   ├── HeaderMacError                "HMAC failure": the header was modified
    │   └── PayloadError                  "payload failure": payload modified or cut
    │       └── TruncatedPayloadError     the file ends before its final chunk
    ├── KeyFormatError                    a malformed age1... / AGE-SECRET-KEY-1... string or key file
    ├── UnsupportedRecipientError         a recipient or identity type cpcase does not implement
    ├── InputChangedError                 the input file changed size while being processed
    └── OutputExistsError                 refusing to overwrite an existing output file

Messages never contain keys, passphrases or plaintext: they name the file, the line or the
chunk number and the reason.
"""

from __future__ import annotations

from cpcase.errors import ArchiveError

__all__ = [
    "ArchiveDecryptionError",
    "ArchiveFormatError",
    "ArmorError",
    "HeaderMacError",
    "InputChangedError",
    "KeyFormatError",
    "NoIdentityMatchError",
    "NotAnAgeFileError",
    "OutputExistsError",
    "PayloadError",
    "TruncatedPayloadError",
    "UnsupportedRecipientError",
    "UnsupportedStanzaError",
    "UnsupportedVersionError",
    "WorkFactorTooHighError",
]


class ArchiveFormatError(ArchiveError, ValueError):
    """The age header is malformed (CCTV "header failure")."""

    message = "malformed age header"


class NotAnAgeFileError(ArchiveFormatError):
    """The input does not start with an age version line or an age armor block."""

    message = "not an age encrypted file"


class UnsupportedVersionError(ArchiveFormatError):
    """The file is an age file of a version other than v1."""

    message = "unsupported age format version"


class WorkFactorTooHighError(ArchiveFormatError):
    """The scrypt work factor exceeds the maximum this reader accepts.

    A hostile file could otherwise ask for hours of work and gigabytes of memory.
    """

    message = "scrypt work factor too high"


class ArmorError(ArchiveError, ValueError):
    """The ASCII armor (PEM ``AGE ENCRYPTED FILE``) is malformed (CCTV "armor failure")."""

    message = "malformed age armor"


class ArchiveDecryptionError(ArchiveError):
    """The header parses, but the file cannot be decrypted and authenticated."""

    message = "decryption failed"


class NoIdentityMatchError(ArchiveDecryptionError):
    """None of the given keys or passphrases opens the file (CCTV "no match")."""

    message = "no identity matched: wrong key or wrong passphrase"


class UnsupportedStanzaError(NoIdentityMatchError):
    """The file is encrypted only to recipient types cpcase does not implement.

    ``stanza_types`` lists the types found (e.g. ``("piv-p256",)``); they are not secret.
    """

    message = "the file is encrypted to recipient types cpcase does not support"

    def __init__(self, msg: str, stanza_types: tuple[str, ...] = ()) -> None:
        super().__init__(msg)
        self.stanza_types = stanza_types


class HeaderMacError(ArchiveDecryptionError):
    """The header MAC does not match: the header was modified (CCTV "HMAC failure")."""

    message = "header MAC mismatch: the header was modified"


class PayloadError(ArchiveDecryptionError):
    """A payload chunk fails authentication (CCTV "payload failure").

    ``chunk`` is the index of the failing 64 KiB chunk, or ``None`` when unknown.
    """

    message = "payload authentication failed: the file was modified or truncated"

    def __init__(self, msg: str | None = None, *, chunk: int | None = None) -> None:
        super().__init__(msg or self.message)
        self.chunk = chunk


class TruncatedPayloadError(PayloadError):
    """The file ends before its final chunk: it was cut short (copy interrupted, disk full)."""

    message = "the file is truncated: it ends before the final chunk"


class KeyFormatError(ArchiveError, ValueError):
    """A recipient, identity or key file is malformed; names the file and line, never the key."""

    message = "malformed age key"


class UnsupportedRecipientError(ArchiveError, ValueError):
    """A recipient or identity type cpcase does not implement (plugin, SSH or hardware keys)."""

    message = "unsupported recipient type"


class InputChangedError(ArchiveError):
    """The input file changed size while it was being encrypted or decrypted.

    The multi-process file path reads a file at offsets computed from its size when it
    started; if another program appends to it or cuts it meanwhile, the result would not be
    the file's contents, so the operation fails (and its output is removed) instead.
    """

    message = "the input file changed while it was being processed"


class OutputExistsError(ArchiveError, FileExistsError):
    """The output file exists already; cpcase does not overwrite unless asked to."""

    message = "output file exists"
