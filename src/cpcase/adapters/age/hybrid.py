"""The post-quantum ``mlkem768x25519`` recipient type (ML-KEM-768 + X25519, "X-Wing").

Identities are ``AGE-SECRET-KEY-PQ-1...`` (a 32-byte seed), recipients ``age1pq1...`` (the
1184-byte ML-KEM encapsulation key followed by the 32-byte X25519 share). The file key is sealed
with HPKE base mode (RFC 9180): KEM MLKEM768-X25519 (id 0x647a), KDF HKDF-SHA256, AEAD
ChaCha20-Poly1305, ``info = "age-encryption.org/mlkem768x25519"``. The KEM follows
filippo.io/hpke-pq; ML-KEM itself comes from ``cryptography`` (OpenSSL).

Note: the reference ``age`` 1.1 in Debian does not know this type; use it only between peers
running cpcase or age >= 1.3.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from typing import ClassVar

import attrs
from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.mlkem import (
    MLKEM768PrivateKey,
    MLKEM768PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from cpcase.adapters.age import bech32
from cpcase.adapters.age.errors import (
    ArchiveFormatError,
    KeyFormatError,
    UnsupportedRecipientError,
)
from cpcase.adapters.age.format import Stanza, b64decode_raw, b64encode_raw
from cpcase.adapters.age.recipients import Identity, Recipient

__all__ = ["HybridIdentity", "HybridRecipient"]

_STANZA = "mlkem768x25519"
_INFO = b"age-encryption.org/mlkem768x25519"
_LABEL = b"\\.//^\\"  # the X-Wing combiner label, 5c2e2f2f5e5c
_SUITE = b"HPKE" + bytes.fromhex("647a") + bytes.fromhex("0001") + bytes.fromhex("0003")
_EK_PQ = 1184
_CT_PQ = 1088
_ENC = _CT_PQ + 32
_EK = _EK_PQ + 32
_WRAPPED = 32


_NO_MLKEM = (
    "post-quantum age keys need ML-KEM, which this build of the cryptography package "
    "(or its OpenSSL) does not provide"
)


def _expand_key(seed: bytes) -> tuple[MLKEM768PrivateKey, X25519PrivateKey]:
    full = hashlib.shake_256(seed).digest(64 + 32)
    try:
        pq = MLKEM768PrivateKey.from_seed_bytes(full[:64])
    except UnsupportedAlgorithm:
        raise UnsupportedRecipientError(_NO_MLKEM) from None
    return pq, X25519PrivateKey.from_private_bytes(full[64:])


def _public_pq(data: bytes) -> MLKEM768PublicKey:
    try:
        return MLKEM768PublicKey.from_public_bytes(data)
    except UnsupportedAlgorithm:
        raise UnsupportedRecipientError(_NO_MLKEM) from None
    except ValueError:
        raise KeyFormatError("invalid ML-KEM-768 public key") from None


def _combine(ss_pq: bytes, ss_t: bytes, ct_t: bytes, ek_t: bytes) -> bytes:
    return hashlib.sha3_256(ss_pq + ss_t + ct_t + ek_t + _LABEL).digest()


def _labeled_extract(salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt or bytes(32), b"HPKE-v1" + _SUITE + label + ikm, "sha256").digest()


def _labeled_expand(prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    labeled = length.to_bytes(2, "big") + b"HPKE-v1" + _SUITE + label + info
    out = b""
    block = b""
    counter = 1
    while len(out) < length:
        block = hmac.new(prk, block + labeled + bytes([counter]), "sha256").digest()
        out += block
        counter += 1
    return out[:length]


def _key_schedule(shared_secret: bytes) -> tuple[bytes, bytes]:
    """HPKE base-mode key and nonce (RFC 9180 §5.1) for age's ``info``."""
    context = (
        b"\x00"
        + _labeled_extract(b"", b"psk_id_hash", b"")
        + _labeled_extract(b"", b"info_hash", _INFO)
    )
    secret = _labeled_extract(shared_secret, b"secret", b"")
    return (
        _labeled_expand(secret, b"key", context, 32),
        _labeled_expand(secret, b"base_nonce", context, 12),
    )


@attrs.frozen
class HybridRecipient(Recipient):
    """An ``age1pq1...`` post-quantum hybrid public key."""

    stanza_type: ClassVar[str] = _STANZA
    family: ClassVar[str] = "post-quantum"
    public_key: bytes = attrs.field(repr=False)

    def __attrs_post_init__(self) -> None:
        if len(self.public_key) != _EK:
            raise KeyFormatError("an ML-KEM-768+X25519 public key is 1216 bytes")
        _public_pq(self.public_key[:_EK_PQ])

    @classmethod
    def from_string(cls, text: str) -> HybridRecipient:
        """Parse ``age1pq1...``; raises :class:`KeyFormatError`."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as exc:
            raise KeyFormatError(f"malformed age recipient: {exc}") from None
        if hrp != "age1pq":
            raise KeyFormatError("not an age post-quantum recipient (age1pq1...)")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode("age1pq", self.public_key)

    def __repr__(self) -> str:
        text = str(self)
        return f"HybridRecipient({text[:16]}...{text[-8:]})"

    def wrap(self, file_key: bytes) -> Stanza:
        """HPKE SealBase of the file key to this recipient."""
        ek_t = self.public_key[_EK_PQ:]
        ss_pq, ct_pq = _public_pq(self.public_key[:_EK_PQ]).encapsulate()
        ephemeral = X25519PrivateKey.generate()
        ct_t = ephemeral.public_key().public_bytes_raw()
        ss_t = ephemeral.exchange(X25519PublicKey.from_public_bytes(ek_t))
        key, nonce = _key_schedule(_combine(ss_pq, ss_t, ct_t, ek_t))
        body = ChaCha20Poly1305(key).encrypt(nonce, file_key, None)
        return Stanza(self.stanza_type, (b64encode_raw(ct_pq + ct_t),), body)


@attrs.frozen(repr=False)
class HybridIdentity(Identity):
    """An ``AGE-SECRET-KEY-PQ-1...`` post-quantum hybrid identity (never printed)."""

    _seed: bytes = attrs.field(alias="seed")

    def __attrs_post_init__(self) -> None:
        if len(self._seed) != 32:
            raise KeyFormatError("a post-quantum age identity is a 32-byte seed")

    @classmethod
    def generate(cls) -> HybridIdentity:
        """A fresh random identity."""
        return cls(os.urandom(32))

    @classmethod
    def from_string(cls, text: str) -> HybridIdentity:
        """Parse ``AGE-SECRET-KEY-PQ-1...``; raises :class:`KeyFormatError` (without the key)."""
        try:
            hrp, data = bech32.decode(text)
        except bech32.Bech32Error as exc:
            raise KeyFormatError(f"malformed age identity: {exc}") from None
        if hrp != "AGE-SECRET-KEY-PQ-":
            raise KeyFormatError("not an age post-quantum identity (AGE-SECRET-KEY-PQ-1...)")
        return cls(data)

    def secret_string(self) -> str:
        """The ``AGE-SECRET-KEY-PQ-1...`` encoding: a secret, for writing key files only."""
        return bech32.encode("AGE-SECRET-KEY-PQ-", self._seed)

    @property
    def recipient(self) -> HybridRecipient:
        """The matching public ``age1pq1...`` recipient."""
        pq, t = _expand_key(self._seed)
        return HybridRecipient(
            pq.public_key().public_bytes_raw() + t.public_key().public_bytes_raw()
        )

    def __repr__(self) -> str:
        return "HybridIdentity(<secret>)"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Open the first ``mlkem768x25519`` stanza addressed to this identity."""
        keys: tuple[MLKEM768PrivateKey, X25519PrivateKey] | None = None
        for stanza in stanzas:
            if stanza.type != _STANZA:
                continue
            if len(stanza.args) != 1:
                raise ArchiveFormatError("mlkem768x25519 stanza must have exactly one argument")
            try:
                enc = b64decode_raw(stanza.args[0])
            except ValueError:
                raise ArchiveFormatError(
                    "mlkem768x25519 stanza argument is not canonical base64"
                ) from None
            if len(enc) != _ENC:
                raise ArchiveFormatError("mlkem768x25519 stanza argument has the wrong length")
            if len(stanza.body) != _WRAPPED:
                raise ArchiveFormatError("mlkem768x25519 stanza body has the wrong length")
            if keys is None:
                keys = _expand_key(self._seed)
            pq, t = keys
            ct_t = enc[_CT_PQ:]
            try:
                ss_t = t.exchange(X25519PublicKey.from_public_bytes(ct_t))
            except ValueError:
                raise ArchiveFormatError("mlkem768x25519 stanza has a low-order share") from None
            ss_pq = pq.decapsulate(enc[:_CT_PQ])
            ek_t = t.public_key().public_bytes_raw()
            key, nonce = _key_schedule(_combine(ss_pq, ss_t, ct_t, ek_t))
            try:
                return ChaCha20Poly1305(key).decrypt(nonce, stanza.body, None)
            except InvalidTag:
                continue
        return None
