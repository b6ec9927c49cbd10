"""Recipient and identity types: X25519 keys and scrypt passphrases (age v1 native types).

A *recipient* wraps the file key into a stanza when encrypting; an *identity* unwraps it when
decrypting. Identities ignore stanzas of other types, reject malformed stanzas of their own type
(:class:`ArchiveFormatError`) and return ``None`` when a well-formed stanza is simply not theirs.

Secrets (private keys, passphrases) never appear in ``repr``, ``str`` or error messages.
"""

from __future__ import annotations

import abc
import os
import re
from collections.abc import Sequence
from typing import ClassVar

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cpcase.adapters.age import bech32
from cpcase.adapters.age.errors import (
    ArchiveFormatError,
    KeyFormatError,
    WorkFactorTooHighError,
)
from cpcase.adapters.age.format import Stanza, b64decode_raw, b64encode_raw, hkdf_sha256

__all__ = [
    "DEFAULT_MAX_WORK_FACTOR",
    "DEFAULT_WORK_FACTOR",
    "FILE_KEY_SIZE",
    "MAX_WORK_FACTOR_LIMIT",
    "Identity",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "X25519Identity",
    "X25519Recipient",
]

FILE_KEY_SIZE = 16
DEFAULT_WORK_FACTOR = 18
"""log2 of the scrypt work factor used when encrypting (age's own default: ~1-2 s, 256 MiB)."""
DEFAULT_MAX_WORK_FACTOR = 20
"""Highest log2 work factor accepted when decrypting by default (1 GiB of memory, seconds).

age itself writes 18; a hostile file asking for more is refused with
:class:`WorkFactorTooHighError` unless the caller raises the limit explicitly.
"""
MAX_WORK_FACTOR_LIMIT = 22
"""Hard ceiling on any configured limit (2^22 needs 4 GiB of memory; age refuses more too)."""

_ZERO_NONCE = bytes(12)
_X25519_INFO = b"age-encryption.org/v1/X25519"
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_DECIMAL = re.compile(r"[1-9][0-9]*")
_WRAPPED_SIZE = FILE_KEY_SIZE + 16


def _wrap(key: bytes, file_key: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, file_key, None)


def _unwrap(key: bytes, body: bytes) -> bytes | None:
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


class Recipient(abc.ABC):
    """Something a file can be encrypted to."""

    #: Stanza type; files must not mix ``exclusive`` types with anything else.
    stanza_type: ClassVar[str]
    exclusive: ClassVar[bool] = False
    #: Recipients of different ``family`` must not be mixed (post-quantum vs classical).
    family: ClassVar[str] = "classical"

    @abc.abstractmethod
    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap the 16-byte file key into a fresh stanza."""


class Identity(abc.ABC):
    """Something that can open files: a private key or a passphrase."""

    @abc.abstractmethod
    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key from the first stanza this identity opens, else ``None``."""


def _share_arg(stanza: Stanza, size: int) -> bytes:
    if len(stanza.args) != 1:
        raise ArchiveFormatError(f"{stanza.type} stanza must have exactly one argument")
    try:
        share = b64decode_raw(stanza.args[0])
    except ValueError:
        raise ArchiveFormatError(
            f"{stanza.type} stanza argument is not canonical base64"
        ) from None
    if len(share) != size:
        raise ArchiveFormatError(f"{stanza.type} stanza argument has the wrong length")
    if len(stanza.body) != _WRAPPED_SIZE:
        raise ArchiveFormatError(f"{stanza.type} stanza body has the wrong length")
    return share


@attrs.frozen
class X25519Recipient(Recipient):
    """An ``age1...`` public key."""

    stanza_type: ClassVar[str] = "X25519"
    public_key: bytes = attrs.field(validator=attrs.validators.instance_of(bytes))

    def __attrs_post_init__(self) -> None:
        if len(self.public_key) != 32:
            raise KeyFormatError("an X25519 public key is 32 bytes")

    @classmethod
    def from_string(cls, text: str) -> X25519Recipient:
        """Parse ``age1...``; raises :class:`KeyFormatError`."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as exc:
            raise KeyFormatError(f"malformed age recipient: {exc}") from None
        if hrp != "age" or len(data) != 32:
            raise KeyFormatError("not an age X25519 recipient (age1...)")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode("age", self.public_key)

    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap to this key with a fresh ephemeral X25519 share."""
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        secret = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_key))
        key = hkdf_sha256(secret, share + self.public_key, _X25519_INFO)
        return Stanza(self.stanza_type, (b64encode_raw(share),), _wrap(key, file_key))


@attrs.frozen(repr=False)
class X25519Identity(Identity):
    """An ``AGE-SECRET-KEY-1...`` private key (never printed)."""

    _private: X25519PrivateKey = attrs.field(alias="private")

    @classmethod
    def generate(cls) -> X25519Identity:
        """A fresh random identity."""
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_string(cls, text: str) -> X25519Identity:
        """Parse ``AGE-SECRET-KEY-1...``; raises :class:`KeyFormatError` (without the key)."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as exc:
            raise KeyFormatError(f"malformed age identity: {exc}") from None
        if hrp != "AGE-SECRET-KEY-" or len(data) != 32:
            raise KeyFormatError("not an age X25519 identity (AGE-SECRET-KEY-1...)")
        return cls(X25519PrivateKey.from_private_bytes(data))

    def secret_string(self) -> str:
        """The ``AGE-SECRET-KEY-1...`` encoding: a secret, for writing key files only."""
        return bech32.encode("AGE-SECRET-KEY-", self._private.private_bytes_raw())

    @property
    def recipient(self) -> X25519Recipient:
        """The matching public ``age1...`` recipient."""
        return X25519Recipient(self._private.public_key().public_bytes_raw())

    def __repr__(self) -> str:
        return f"X25519Identity(recipient={self.recipient})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Open the first ``X25519`` stanza addressed to this key."""
        own = self._private.public_key().public_bytes_raw()
        for stanza in stanzas:
            if stanza.type != "X25519":
                continue
            share = _share_arg(stanza, 32)
            try:
                secret = self._private.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                raise ArchiveFormatError("X25519 stanza has a low-order share") from None
            key = hkdf_sha256(secret, share + own, _X25519_INFO)
            file_key = _unwrap(key, stanza.body)
            if file_key is not None:
                return file_key
        return None


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)
    if not data:
        raise KeyFormatError("the passphrase is empty")
    return data


def _check_work_factor(value: int, what: str) -> int:
    if not isinstance(value, int) or not 1 <= value <= MAX_WORK_FACTOR_LIMIT:
        raise KeyFormatError(f"{what} must be an integer from 1 to {MAX_WORK_FACTOR_LIMIT}")
    return value


def _scrypt_key(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


@attrs.frozen(repr=False)
class ScryptRecipient(Recipient):
    """Encrypt with a passphrase; must be the only recipient of a file (age spec).

    ``work_factor`` is log2 of scrypt's N (default 18, as age; memory is ``2**(w+10)`` bytes).
    """

    stanza_type: ClassVar[str] = "scrypt"
    exclusive: ClassVar[bool] = True
    _passphrase: bytes = attrs.field(alias="passphrase", converter=_passphrase_bytes)
    work_factor: int = attrs.field(default=DEFAULT_WORK_FACTOR)

    def __attrs_post_init__(self) -> None:
        _check_work_factor(self.work_factor, "the scrypt work factor")

    def __repr__(self) -> str:
        return f"ScryptRecipient(work_factor={self.work_factor})"

    def wrap(self, file_key: bytes) -> Stanza:
        """Wrap under a key derived from the passphrase and a fresh 16-byte salt."""
        salt = os.urandom(16)
        key = _scrypt_key(self._passphrase, salt, self.work_factor)
        args = (b64encode_raw(salt), str(self.work_factor))
        return Stanza(self.stanza_type, args, _wrap(key, file_key))


@attrs.frozen(repr=False)
class ScryptIdentity(Identity):
    """Decrypt with a passphrase, refusing work factors above ``max_work_factor``."""

    _passphrase: bytes = attrs.field(alias="passphrase", converter=_passphrase_bytes)
    max_work_factor: int = attrs.field(default=DEFAULT_MAX_WORK_FACTOR)

    def __attrs_post_init__(self) -> None:
        _check_work_factor(self.max_work_factor, "the maximum scrypt work factor")

    def __repr__(self) -> str:
        return f"ScryptIdentity(max_work_factor={self.max_work_factor})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Open the ``scrypt`` stanza (which, per the spec, must be the only stanza)."""
        for stanza in stanzas:
            if stanza.type != "scrypt":
                continue
            if len(stanzas) != 1:
                raise ArchiveFormatError("an scrypt stanza must be the only stanza in the header")
            if len(stanza.args) != 2:
                raise ArchiveFormatError("scrypt stanza must have exactly two arguments")
            try:
                salt = b64decode_raw(stanza.args[0])
            except ValueError:
                raise ArchiveFormatError("scrypt salt is not canonical base64") from None
            if len(salt) != 16:
                raise ArchiveFormatError("scrypt salt must be 16 bytes")
            text = stanza.args[1]
            if not _DECIMAL.fullmatch(text):
                raise ArchiveFormatError("scrypt work factor is not a plain decimal number")
            if len(text) > 2 or int(text) > self.max_work_factor:
                raise WorkFactorTooHighError(
                    f"scrypt work factor 2^{text if len(text) <= 4 else '(huge)'} exceeds the "
                    f"maximum 2^{self.max_work_factor} (raise it only for files you trust)"
                )
            if len(stanza.body) != _WRAPPED_SIZE:
                raise ArchiveFormatError("scrypt stanza body has the wrong length")
            key = _scrypt_key(self._passphrase, salt, int(text))
            file_key = _unwrap(key, stanza.body)
            if file_key is not None:
                return file_key
        return None
