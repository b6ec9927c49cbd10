"""Keys: Bech32, the spec's example key pair, key files (0600, atomic) and unsupported types."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpcase.adapters.age import (
    HybridIdentity,
    HybridRecipient,
    KeyFormatError,
    OutputExistsError,
    ScryptIdentity,
    ScryptRecipient,
    UnsupportedRecipientError,
    X25519Identity,
    X25519Recipient,
    bech32,
    generate_identity,
    parse_identity,
    parse_recipient,
    read_identity_file,
    read_recipients_file,
    write_identity_file,
)

# The example key pair printed in the age v1 spec (§ "The X25519 recipient type").
SPEC_IDENTITY = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
SPEC_RECIPIENT = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"
CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class TestBech32:
    def test_spec_identity_decodes_to_0x42_bytes(self) -> None:
        """The spec's identity is 32 bytes of 0x42 under the uppercase HRP."""
        assert bech32.decode(SPEC_IDENTITY) == ("AGE-SECRET-KEY-", b"\x42" * 32)

    def test_uppercase_hrp_encodes_uppercase(self) -> None:
        """Encoding with the uppercase HRP reproduces the spec's string exactly."""
        assert bech32.encode("AGE-SECRET-KEY-", b"\x42" * 32) == SPEC_IDENTITY

    @pytest.mark.parametrize(
        "text",
        [
            SPEC_RECIPIENT[:-1] + "q",  # checksum broken
            SPEC_RECIPIENT[:10] + SPEC_RECIPIENT[10:].upper(),  # mixed case
            "age1" + "b" * 52,  # 'b' is not in the Bech32 alphabet
            "1qqqqqqq",  # empty HRP
            "age1qqqq",  # too short for a checksum
        ],
    )
    def test_rejects_malformed(self, text: str) -> None:
        """Malformed strings raise Bech32Error (a ValueError)."""
        with pytest.raises(bech32.Bech32Error):
            bech32.decode(text)

    @given(hrp=st.sampled_from(["age", "age1pq", "AGE-SECRET-KEY-"]), data=st.binary(max_size=80))
    def test_round_trip(self, hrp: str, data: bytes) -> None:
        """decode(encode(x)) == x for any data (no length limit, as age requires)."""
        assert bech32.decode(bech32.encode(hrp, data)) == (hrp, data)


class TestParse:
    def test_spec_key_pair(self) -> None:
        """The spec's identity derives the spec's recipient."""
        identity = parse_identity(SPEC_IDENTITY)
        assert isinstance(identity, X25519Identity)
        assert str(identity.recipient) == SPEC_RECIPIENT
        assert identity.secret_string() == SPEC_IDENTITY

    def test_recipient_round_trip(self) -> None:
        """A recipient prints back as the same age1 string."""
        recipient = parse_recipient(SPEC_RECIPIENT)
        assert isinstance(recipient, X25519Recipient)
        assert str(recipient) == SPEC_RECIPIENT

    def test_secrets_never_in_repr(self) -> None:
        """repr of identities and passphrase objects shows no secret material."""
        identity = parse_identity(SPEC_IDENTITY)
        hybrid = HybridIdentity.generate()
        texts = [
            repr(identity),
            str(identity),
            repr(hybrid),
            repr(ScryptIdentity("correct horse")),
            repr(ScryptRecipient("correct horse", work_factor=10)),
        ]
        for text in texts:
            assert "GFPYYSJZ" not in text
            assert hybrid.secret_string()[20:40] not in text
            assert "correct horse" not in text

    @pytest.mark.parametrize(
        "text",
        [
            "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t",
            "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH",
        ],
    )
    def test_unsupported_recipients(self, text: str) -> None:
        """Plugin, tag and SSH recipients give a clear "not supported" error."""
        with pytest.raises(UnsupportedRecipientError, match="not supported"):
            parse_recipient(text)

    def test_plugin_identity_unsupported(self) -> None:
        """Plugin identities are recognised and refused as unsupported."""
        with pytest.raises(UnsupportedRecipientError):
            parse_identity("AGE-PLUGIN-YUBIKEY-1QQQQQQ")

    @pytest.mark.parametrize("text", ["", "hello", "age1zzz", SPEC_IDENTITY.lower()[:-3]])
    def test_malformed(self, text: str) -> None:
        """Anything else is a KeyFormatError whose message does not echo the input."""
        with pytest.raises((KeyFormatError, UnsupportedRecipientError)) as info:
            parse_recipient(text) if not text.startswith("age-") else parse_identity(text)
        if text:
            assert text not in str(info.value)

    def test_hybrid_key_pair_round_trip(self) -> None:
        """Post-quantum identities and recipients round-trip through their strings."""
        identity = generate_identity(post_quantum=True)
        assert isinstance(identity, HybridIdentity)
        again = parse_identity(identity.secret_string())
        assert isinstance(again, HybridIdentity)
        assert str(again.recipient) == str(identity.recipient)
        recipient = parse_recipient(str(identity.recipient))
        assert isinstance(recipient, HybridRecipient)
        assert str(recipient).startswith("age1pq1")

    def test_work_factor_bounds(self) -> None:
        """Work factors outside 1..22 are refused."""
        with pytest.raises(KeyFormatError):
            ScryptRecipient("pw", work_factor=0)
        with pytest.raises(KeyFormatError):
            ScryptIdentity("pw", max_work_factor=23)
        with pytest.raises(KeyFormatError):
            ScryptRecipient("")


class TestKeyFiles:
    def test_write_is_0600_and_age_keygen_format(self, tmp_path: Path) -> None:
        """The identity file is private, commented like age-keygen, and reads back."""
        identity = X25519Identity.generate()
        path = tmp_path / "key.txt"
        write_identity_file(path, [identity], created=CREATED)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        lines = path.read_text().splitlines()
        assert lines[0] == "# created: 2026-03-01T09:30:00+00:00"
        assert lines[1] == f"# public key: {identity.recipient}"
        (again,) = read_identity_file(path)
        assert isinstance(again, X25519Identity)
        assert str(again.recipient) == str(identity.recipient)
        assert [p.name for p in tmp_path.iterdir()] == ["key.txt"]  # no temp file left

    def test_never_overwrites(self, tmp_path: Path) -> None:
        """An existing key file is never replaced unless overwrite=True."""
        path = tmp_path / "key.txt"
        path.write_text("precious\n")
        with pytest.raises(OutputExistsError):
            write_identity_file(path, [X25519Identity.generate()], created=CREATED)
        assert path.read_text() == "precious\n"
        write_identity_file(path, [X25519Identity.generate()], created=CREATED, overwrite=True)
        assert path.read_text().startswith("# created:")

    def test_bad_line_named_without_key(self, tmp_path: Path) -> None:
        """A bad line is reported with file and line number, not its content."""
        path = tmp_path / "ids.txt"
        secret_looking = "AGE-SECRET-KEY-1NOTAREALKEYATALL"
        path.write_text(f"# comment\n\n{SPEC_IDENTITY}\n{secret_looking}\n")
        with pytest.raises(KeyFormatError) as info:
            read_identity_file(path)
        assert "line 4" in str(info.value)
        assert str(path) in str(info.value)
        assert secret_looking not in str(info.value)

    def test_recipients_file(self, tmp_path: Path) -> None:
        """Recipients files take one key per line, comments and blanks ignored."""
        one, two = X25519Identity.generate(), X25519Identity.generate()
        path = tmp_path / "recipients.txt"
        path.write_text(f"# office A\n{one.recipient}\n\n# office B\n{two.recipient}\n")
        got = read_recipients_file(path)
        assert [str(r) for r in got] == [str(one.recipient), str(two.recipient)]

    def test_empty_and_encrypted_key_files(self, tmp_path: Path) -> None:
        """Empty files and passphrase-protected identity files get distinct clear errors."""
        empty = tmp_path / "empty.txt"
        empty.write_text("# nothing\n")
        with pytest.raises(KeyFormatError, match="no key"):
            read_identity_file(empty)
        protected = tmp_path / "protected.age"
        protected.write_bytes(b"age-encryption.org/v1\n-> scrypt ...")
        with pytest.raises(UnsupportedRecipientError, match="passphrase-protected"):
            read_identity_file(protected)
