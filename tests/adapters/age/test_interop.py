"""Interoperability with the reference ``age`` command, both ways, keys and passphrases.

``age`` reads passphrases from the terminal only, so those tests run it under a pseudo-terminal
(``pty.fork``) and type the passphrase at its prompts. Required in CI (CI=true): the
``age_bin`` fixture fails there if the binary is missing, and skips with the reason elsewhere.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpcase.adapters.age import (
    DEFAULT_WORK_FACTOR,
    PayloadError,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    decrypt_file,
    encrypt_file,
    parallel,
    read_identity_file,
    write_identity_file,
)
from cpcase.adapters.age.stream import CHUNK_SIZE

pytestmark = pytest.mark.interop

PASSPHRASE = "synthetic test passphrase 7"
SIZES = [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 123]


def run_with_tty(argv: list[str], passphrase: str, timeout: float = 120) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal, answering each passphrase prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # child: becomes session leader with the pty as controlling terminal
        try:
            os.execv(argv[0], argv)  # noqa: S606 - fixed argv, no shell wanted
        finally:
            os._exit(127)
    output = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, 9)
                raise TimeoutError(f"{argv[0]} did not finish in {timeout}s")
            try:
                data = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            prompts = output.count(b"Enter passphrase") + output.count(b"Confirm passphrase")
            while answered < prompts:
                os.write(fd, passphrase.encode() + b"\n")
                answered += 1
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output


def _keyfile(tmp_path: Path, name: str = "key.txt") -> tuple[X25519Identity, Path]:
    identity = X25519Identity.generate()
    path = tmp_path / name
    write_identity_file(path, [identity], created=datetime(2026, 1, 1, tzinfo=UTC))
    return identity, path


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
def test_ours_to_age_recipient(age_bin: str, tmp_path: Path, size: int, armor: bool) -> None:
    """Files we encrypt to an X25519 key decrypt with `age -d -i` (our key file)."""
    identity, keyfile = _keyfile(tmp_path)
    data = os.urandom(size)
    (tmp_path / "plain").write_bytes(data)
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [identity.recipient], armor=armor)
    result = subprocess.run(
        [age_bin, "-d", "-i", str(keyfile), str(tmp_path / "f.age")],
        capture_output=True,
        check=True,
    )
    assert result.stdout == data


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armor", [False, True], ids=["binary", "armor"])
def test_age_to_ours_recipient(age_bin: str, tmp_path: Path, size: int, armor: bool) -> None:
    """Files `age -e -r` encrypts (binary and -a armor) decrypt with our identity file."""
    identity, keyfile = _keyfile(tmp_path)
    data = os.urandom(size)
    (tmp_path / "plain").write_bytes(data)
    argv = [age_bin, "-e", "-r", str(identity.recipient), "-o", str(tmp_path / "f.age")]
    subprocess.run([*argv, *(["-a"] if armor else []), str(tmp_path / "plain")], check=True)
    decrypt_file(tmp_path / "f.age", tmp_path / "out", read_identity_file(keyfile))
    assert (tmp_path / "out").read_bytes() == data


def test_age_keygen_file_and_recipient_agree(age_bin: str, tmp_path: Path) -> None:
    """An age-keygen identity file reads here; `age-keygen -y` of ours gives our recipient."""
    keygen = Path(age_bin).with_name("age-keygen")
    subprocess.run(
        [str(keygen), "-o", str(tmp_path / "theirs.txt")], check=True, capture_output=True
    )
    (theirs,) = read_identity_file(tmp_path / "theirs.txt")
    assert isinstance(theirs, X25519Identity)
    public = subprocess.run(
        [str(keygen), "-y", str(tmp_path / "theirs.txt")], capture_output=True, check=True
    )
    assert public.stdout.decode().strip() == str(theirs.recipient)
    identity, keyfile = _keyfile(tmp_path)
    ours = subprocess.run([str(keygen), "-y", str(keyfile)], capture_output=True, check=True)
    assert ours.stdout.decode().strip() == str(identity.recipient)


def test_multiple_recipients_file_to_age(age_bin: str, tmp_path: Path) -> None:
    """A file for two recipients opens with `age -d` using either key."""
    one, key1 = _keyfile(tmp_path, "one.txt")
    two, key2 = _keyfile(tmp_path, "two.txt")
    (tmp_path / "plain").write_bytes(b"transfer file")
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [one.recipient, two.recipient])
    for key in (key1, key2):
        result = subprocess.run(
            [age_bin, "-d", "-i", str(key), str(tmp_path / "f.age")],
            capture_output=True,
            check=True,
        )
        assert result.stdout == b"transfer file"


def test_ours_to_age_passphrase_default_work_factor(age_bin: str, tmp_path: Path) -> None:
    """A passphrase file we write (work factor 2^18, the default) opens with `age -d`."""
    data = os.urandom(CHUNK_SIZE + 7)
    (tmp_path / "plain").write_bytes(data)
    recipient = ScryptRecipient(PASSPHRASE)
    assert recipient.work_factor == DEFAULT_WORK_FACTOR == 18
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [recipient])
    assert b"-> scrypt " in (tmp_path / "f.age").read_bytes()[:100]
    code, output = run_with_tty(
        [age_bin, "-d", "-o", str(tmp_path / "out"), str(tmp_path / "f.age")], PASSPHRASE
    )
    assert code == 0, output.decode(errors="replace")
    assert (tmp_path / "out").read_bytes() == data


def test_age_to_ours_passphrase(age_bin: str, tmp_path: Path) -> None:
    """A file `age -p` encrypts opens with our scrypt identity (and not with a wrong one)."""
    data = os.urandom(2 * CHUNK_SIZE)
    (tmp_path / "plain").write_bytes(data)
    code, output = run_with_tty(
        [age_bin, "-p", "-o", str(tmp_path / "f.age"), str(tmp_path / "plain")], PASSPHRASE
    )
    assert code == 0, output.decode(errors="replace")
    decrypt_file(tmp_path / "f.age", tmp_path / "out", [ScryptIdentity(PASSPHRASE)])
    assert (tmp_path / "out").read_bytes() == data


# The multi-process path (files of 8 MiB or more, or ``workers`` given): 2-chunk work ranges
# for the small sizes, so that several processes share even a 10-chunk file.
PARALLEL_CASES = [
    (5 * CHUNK_SIZE + 3, 3),
    (10 * CHUNK_SIZE, 2),
    (parallel.PARALLEL_MIN_SIZE + 12345, None),
]


@pytest.mark.parametrize(("size", "workers"), PARALLEL_CASES)
def test_parallel_ours_to_age(
    age_bin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, workers: int | None
) -> None:
    """What the parallel path writes, `age -d` decrypts."""
    if workers is not None:
        monkeypatch.setattr(parallel, "RANGE_CHUNKS", 2)
    identity, keyfile = _keyfile(tmp_path)
    data = os.urandom(size)
    (tmp_path / "plain").write_bytes(data)
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [identity.recipient], workers=workers)
    subprocess.run(
        [age_bin, "-d", "-i", str(keyfile), "-o", str(tmp_path / "out"), str(tmp_path / "f.age")],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "out").read_bytes() == data


@pytest.mark.parametrize(("size", "workers"), PARALLEL_CASES)
def test_age_to_ours_parallel(
    age_bin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, workers: int | None
) -> None:
    """What `age -e` writes, the parallel path decrypts; a flipped byte is still caught."""
    if workers is not None:
        monkeypatch.setattr(parallel, "RANGE_CHUNKS", 2)
    identity, keyfile = _keyfile(tmp_path)
    data = os.urandom(size)
    (tmp_path / "plain").write_bytes(data)
    argv = [age_bin, "-e", "-r", str(identity.recipient), "-o", str(tmp_path / "f.age")]
    subprocess.run([*argv, str(tmp_path / "plain")], check=True)
    ids = read_identity_file(keyfile)
    assert decrypt_file(tmp_path / "f.age", tmp_path / "out", ids, workers=workers) == size
    assert (tmp_path / "out").read_bytes() == data
    sealed = bytearray((tmp_path / "f.age").read_bytes())
    sealed[-(size // 2)] ^= 0x10  # a chunk in the middle
    (tmp_path / "f.age").write_bytes(bytes(sealed))
    with pytest.raises(PayloadError):
        decrypt_file(tmp_path / "f.age", tmp_path / "out2", ids, workers=workers)
    assert not (tmp_path / "out2").exists()
