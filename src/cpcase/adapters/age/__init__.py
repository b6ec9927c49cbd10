"""age v1 file encryption (https://age-encryption.org/v1), implemented on ``cryptography``.

Files written here open with the reference ``age`` command, and files from ``age -e`` open
here: X25519 keys (``age1...`` / ``AGE-SECRET-KEY-1...``), passphrases (scrypt), the
post-quantum ML-KEM-768+X25519 hybrid (``age1pq1...``) and ASCII armor. Encryption and
decryption stream in 4 MiB blocks, so memory does not grow with file size; between two
regular files of 8 MiB or more, :func:`encrypt_file` and :func:`decrypt_file` use one process
per CPU (:mod:`cpcase.adapters.age.parallel`).

>>> from cpcase.adapters.age import X25519Identity, decrypt_bytes, encrypt_bytes
>>> me = X25519Identity.generate()
>>> decrypt_bytes(encrypt_bytes(b"case file", [me.recipient]), [me])
b'case file'
"""

from __future__ import annotations

from cpcase.adapters.age.core import (
    SUPPORTED_STANZA_TYPES,
    DecryptingReader,
    EncryptingWriter,
    decrypt,
    decrypt_bytes,
    decrypt_file,
    encrypt,
    encrypt_bytes,
    encrypt_file,
    open_decrypt,
    open_encrypt,
)
from cpcase.adapters.age.errors import (
    ArchiveDecryptionError,
    ArchiveFormatError,
    ArmorError,
    HeaderMacError,
    InputChangedError,
    KeyFormatError,
    NoIdentityMatchError,
    NotAnAgeFileError,
    OutputExistsError,
    PayloadError,
    TruncatedPayloadError,
    UnsupportedRecipientError,
    UnsupportedStanzaError,
    UnsupportedVersionError,
    WorkFactorTooHighError,
)
from cpcase.adapters.age.fileio import atomic_output
from cpcase.adapters.age.format import Header, Stanza, parse_header
from cpcase.adapters.age.hybrid import HybridIdentity, HybridRecipient
from cpcase.adapters.age.keys import (
    generate_identity,
    parse_identity,
    parse_recipient,
    read_identity_file,
    read_recipients_file,
    write_identity_file,
)
from cpcase.adapters.age.recipients import (
    DEFAULT_MAX_WORK_FACTOR,
    DEFAULT_WORK_FACTOR,
    MAX_WORK_FACTOR_LIMIT,
    Identity,
    Recipient,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    X25519Recipient,
)
from cpcase.adapters.age.stream import CHUNK_SIZE

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_MAX_WORK_FACTOR",
    "DEFAULT_WORK_FACTOR",
    "MAX_WORK_FACTOR_LIMIT",
    "SUPPORTED_STANZA_TYPES",
    "ArchiveDecryptionError",
    "ArchiveFormatError",
    "ArmorError",
    "DecryptingReader",
    "EncryptingWriter",
    "Header",
    "HeaderMacError",
    "HybridIdentity",
    "HybridRecipient",
    "Identity",
    "InputChangedError",
    "KeyFormatError",
    "NoIdentityMatchError",
    "NotAnAgeFileError",
    "OutputExistsError",
    "PayloadError",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "Stanza",
    "TruncatedPayloadError",
    "UnsupportedRecipientError",
    "UnsupportedStanzaError",
    "UnsupportedVersionError",
    "WorkFactorTooHighError",
    "X25519Identity",
    "X25519Recipient",
    "atomic_output",
    "decrypt",
    "decrypt_bytes",
    "decrypt_file",
    "encrypt",
    "encrypt_bytes",
    "encrypt_file",
    "generate_identity",
    "open_decrypt",
    "open_encrypt",
    "parse_header",
    "parse_identity",
    "parse_recipient",
    "read_identity_file",
    "read_recipients_file",
    "write_identity_file",
]
