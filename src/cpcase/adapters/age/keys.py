"""Key strings and key files: parse ``age1...`` / ``AGE-SECRET-KEY-1...``, read and write files.

Identity files use the format of ``age-keygen``: one key per line, blank lines and ``#``
comments ignored, so the same file works with ``age -d -i key.txt``. Identity files are
written atomically with mode 0600 and never overwritten silently. Errors name the file and the
line number, never the key itself.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cpcase.adapters.age.errors import KeyFormatError, UnsupportedRecipientError
from cpcase.adapters.age.fileio import atomic_output
from cpcase.adapters.age.hybrid import HybridIdentity, HybridRecipient
from cpcase.adapters.age.recipients import (
    Identity,
    Recipient,
    X25519Identity,
    X25519Recipient,
)

__all__ = [
    "generate_identity",
    "parse_identity",
    "parse_recipient",
    "read_identity_file",
    "read_recipients_file",
    "write_identity_file",
]

_MAX_KEY_FILE = 1024 * 1024


def generate_identity(*, post_quantum: bool = False) -> X25519Identity | HybridIdentity:
    """A new random identity: X25519 by default, ML-KEM-768+X25519 hybrid if asked."""
    return HybridIdentity.generate() if post_quantum else X25519Identity.generate()


def parse_recipient(text: str) -> Recipient:
    """Parse one recipient string (``age1...`` or ``age1pq1...``).

    Raises :class:`UnsupportedRecipientError` for plugin, tag and SSH recipients, which age
    knows but cpcase does not implement, and :class:`KeyFormatError` for anything malformed.
    """
    text = text.strip()
    if text.startswith("age1pq1"):
        return HybridRecipient.from_string(text)
    if text.startswith(("ssh-", "ecdsa-")):
        raise UnsupportedRecipientError("SSH public keys are not supported as recipients")
    if text.startswith("age1") and text.rfind("1") > 3:
        kind = text[4 : text.rfind("1")]
        raise UnsupportedRecipientError(
            f"age recipient type {kind[:20]!r} (a plugin or hardware key) is not supported"
        )
    if not text.startswith("age1"):
        raise KeyFormatError("not an age recipient: expected a key starting with age1")
    return X25519Recipient.from_string(text)


def parse_identity(text: str) -> Identity:
    """Parse one identity string (``AGE-SECRET-KEY-1...`` or ``AGE-SECRET-KEY-PQ-1...``)."""
    text = text.strip()
    if text.startswith("AGE-SECRET-KEY-PQ-1"):
        return HybridIdentity.from_string(text)
    if text.startswith("AGE-SECRET-KEY-1"):
        return X25519Identity.from_string(text)
    if text.startswith("AGE-PLUGIN-"):
        raise UnsupportedRecipientError("age plugin identities are not supported")
    raise KeyFormatError("not an age identity: expected a key starting with AGE-SECRET-KEY-1")


def _key_lines(path: Path) -> list[tuple[int, str]]:
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_KEY_FILE + 1)
    except OSError as exc:
        raise KeyFormatError(f"{path}: cannot read key file ({exc.strerror})") from None
    if len(data) > _MAX_KEY_FILE:
        raise KeyFormatError(f"{path}: too large for a key file")
    if data.startswith((b"age-encryption.org/", b"-----BEGIN AGE")):
        raise UnsupportedRecipientError(
            f"{path}: passphrase-protected identity files are not supported; "
            "decrypt it first with `age -d`"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFormatError(f"{path}: not a text key file") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append((number, stripped))
    if not lines:
        raise KeyFormatError(f"{path}: no key found in the file")
    return lines


def read_identity_file(path: str | os.PathLike[str]) -> list[Identity]:
    """All identities in an ``age-keygen``-style file (as ``age -i`` reads it)."""
    file = Path(path)
    identities = []
    for number, line in _key_lines(file):
        try:
            identities.append(parse_identity(line))
        except (KeyFormatError, UnsupportedRecipientError) as exc:
            raise type(exc)(f"{file}, line {number}: {exc}") from None
    return identities


def read_recipients_file(path: str | os.PathLike[str]) -> list[Recipient]:
    """All recipients in a recipients file (as ``age -R`` reads it): one per line."""
    file = Path(path)
    recipients = []
    for number, line in _key_lines(file):
        try:
            recipients.append(parse_recipient(line))
        except (KeyFormatError, UnsupportedRecipientError) as exc:
            raise type(exc)(f"{file}, line {number}: {exc}") from None
    return recipients


def write_identity_file(
    path: str | os.PathLike[str],
    identities: Sequence[X25519Identity | HybridIdentity],
    *,
    created: datetime,
    overwrite: bool = False,
) -> None:
    """Write identities in ``age-keygen`` format, atomically, readable by the owner only (0600).

    ``created`` goes into the ``# created:`` comment (pass a timezone-aware datetime).
    """
    lines = []
    for identity in identities:
        lines.append(f"# created: {created.isoformat(timespec='seconds')}")
        lines.append(f"# public key: {identity.recipient}")
        lines.append(identity.secret_string())
    with atomic_output(path, overwrite=overwrite, mode=0o600) as handle:
        handle.write(("\n".join(lines) + "\n").encode("ascii"))
