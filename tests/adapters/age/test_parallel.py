"""The multi-process file path: same bytes and same errors as the streaming path.

Small files exercise it with several workers and 1-3 chunk ranges (``RANGE_CHUNKS`` is
patched down), so chunk, block, range and final-chunk boundaries all occur within a few
hundred KiB; a few tests use real 8 MiB files to check when the path is chosen.
"""

from __future__ import annotations

import errno
import io
import itertools
import multiprocessing
import os
import random
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import given
from hypothesis import strategies as st

from cpcase.adapters.age import (
    ArchiveDecryptionError,
    InputChangedError,
    PayloadError,
    TruncatedPayloadError,
    X25519Identity,
    core,
    decrypt_file,
    encrypt_file,
    parallel,
    parse_header,
)
from cpcase.adapters.age.format import hkdf_sha256
from cpcase.adapters.age.parallel import (
    PARALLEL_MIN_SIZE,
    choose_workers,
    decrypt_payload,
    encrypt_payload,
)
from cpcase.adapters.age.stream import (
    CHUNK_SIZE,
    ENCRYPTED_CHUNK_SIZE,
    iter_encrypt,
    seal_chunks,
    seal_final,
)

ME = X25519Identity.generate()
C = CHUNK_SIZE
E = ENCRYPTED_CHUNK_SIZE
FILE_KEY = bytes(range(16))
NONCE = bytes(range(100, 116))
PAYLOAD_KEY = hkdf_sha256(FILE_KEY, NONCE, b"payload")
SIZES = [0, 1, C - 1, C, C + 1, 2 * C, 3 * C - 1, 3 * C, 3 * C + 1, 4 * C, 7 * C + 5, 9 * C]


def _data(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two chunks per range: a 10-chunk file is five units of work."""
    monkeypatch.setattr(parallel, "RANGE_CHUNKS", 2)


@pytest.fixture
def fixed_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new file gets FILE_KEY and NONCE (so two encryptions share a payload)."""
    values = itertools.cycle([FILE_KEY, NONCE])

    def fresh(size: int) -> bytes:
        value = next(values)
        assert len(value) == size
        return value

    monkeypatch.setattr(core, "_fresh_secret", fresh)


@pytest.fixture
def payload_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each use of the parallel path by ``encrypt_file``/``decrypt_file``."""
    calls: list[str] = []

    def spy(name: str, real: Callable[..., int]) -> Callable[..., int]:
        def wrapper(*args: object, **kwargs: object) -> int:
            calls.append(name)
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(core, "encrypt_payload", spy("encrypt", encrypt_payload))
    monkeypatch.setattr(core, "decrypt_payload", spy("decrypt", decrypt_payload))
    return calls


def _payload_start(sealed: bytes) -> int:
    """Offset of the first chunk: after the header and the 16-byte payload nonce."""
    return len(parse_header(io.BytesIO(sealed)).encode()) + 16


def _seal(tmp_path: Path, data: bytes, *, workers: int | None = 1) -> Path:
    src = tmp_path / "plain.bin"
    src.write_bytes(data)
    out = tmp_path / "sealed.age"
    encrypt_file(src, out, [ME.recipient], workers=workers, overwrite=True)
    src.unlink()
    return out


def _in_workers(
    monkeypatch: pytest.MonkeyPatch, method: str, action: Callable[[], None] | None = None
) -> None:
    """Patch ``_Job.<method>`` so that forked workers run ``action`` first.

    The calling process waits in its first range until a child has claimed one (it is the
    only other claimant meanwhile), so that a child surely takes part however fast the
    calling process is and however loaded the machine is (it could otherwise do every range
    itself before the children start).
    """
    parent = os.getpid()
    real = getattr(parallel._Job, method)

    def patched(job: parallel._Job, index: int, ranges: parallel._Ranges) -> None:
        if os.getpid() != parent:
            if action is not None:
                action()
        else:
            deadline = time.monotonic() + 30
            while ranges.workers > 1 and ranges.claimed < 2:
                if time.monotonic() > deadline:
                    raise AssertionError("no worker process took a range in 30 s")
                time.sleep(0.002)
        real(job, index, ranges)

    monkeypatch.setattr(parallel._Job, method, patched)


# ---------------------------------------------------------------------------- same bytes


@given(
    size=st.one_of(st.sampled_from(SIZES), st.integers(0, 9 * C)),
    workers=st.integers(2, 4),
    range_chunks=st.integers(1, 3),
    block_chunks=st.sampled_from([1, 2, 64]),
    seed=st.integers(0, 2**32),
)
def test_payload_matches_streaming_and_round_trips(
    size: int, workers: int, range_chunks: int, block_chunks: int, seed: int
) -> None:
    """encrypt_payload writes exactly what iter_encrypt yields; decrypt_payload inverts it.

    The payload sits at odd offsets in both files (after a 3- and a 5-byte prefix), as it
    does after a header.
    """
    data = _data(size, seed)
    key = random.Random(seed).randbytes(32)
    expected = b"".join(bytes(b) for b in iter_encrypt(io.BytesIO(data), key))
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as monkeypatch:
        _in_workers(monkeypatch, "encrypt_range")
        _in_workers(monkeypatch, "decrypt_range")
        plain, sealed, out = Path(tmp, "plain"), Path(tmp, "sealed"), Path(tmp, "out")
        plain.write_bytes(b"abc" + data)
        sealed.write_bytes(b"12345")
        with plain.open("rb") as fin, sealed.open("r+b") as fout:
            written = encrypt_payload(
                fin.fileno(), 3, size, fout.fileno(), 5, key,
                workers=workers, range_chunks=range_chunks, block_chunks=block_chunks,
            )  # fmt: skip
        assert written == len(expected)
        assert sealed.read_bytes() == b"12345" + expected
        out.write_bytes(b"")
        with sealed.open("rb") as fin, out.open("r+b") as fout:
            opened = decrypt_payload(
                fin.fileno(), 5, len(expected), fout.fileno(), 0, key,
                workers=workers, range_chunks=range_chunks, block_chunks=block_chunks,
            )  # fmt: skip
        assert opened == size
        assert out.read_bytes() == data


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.usefixtures("small_ranges", "fixed_secrets")
def test_file_outputs_identical_to_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """With the same file key and nonce, 2-4 workers write the streaming path's payload.

    (The headers differ: each X25519 stanza has a fresh ephemeral key.) Every output then
    decrypts with either path.
    """
    data = _data(size, size)
    (tmp_path / "plain").write_bytes(data)
    _in_workers(monkeypatch, "encrypt_range")
    _in_workers(monkeypatch, "decrypt_range")
    outputs = {}
    for workers in (1, 2, 3, 4):
        out = tmp_path / f"w{workers}.age"
        encrypt_file(tmp_path / "plain", out, [ME.recipient], workers=workers)
        outputs[workers] = out.read_bytes()
    payloads = {w: o[_payload_start(o) - 16 :] for w, o in outputs.items()}
    assert payloads[1][:16] == NONCE
    assert payloads[2] == payloads[3] == payloads[4] == payloads[1]
    for workers in (1, 3):
        for source in (1, 4):
            out = tmp_path / "out"
            got = decrypt_file(tmp_path / f"w{source}.age", out, [ME], workers=workers)
            assert got == size
            assert out.read_bytes() == data
            out.unlink()


@pytest.mark.parametrize(
    ("size", "parallel_in"),
    [
        (PARALLEL_MIN_SIZE - C, []),
        # 8 MiB - 1 of plaintext is read whole when encrypting; its sealed payload is larger.
        (PARALLEL_MIN_SIZE - 1, ["decrypt"]),
        (PARALLEL_MIN_SIZE, ["encrypt", "decrypt"]),
        (PARALLEL_MIN_SIZE + C + 1, ["encrypt", "decrypt"]),
    ],
)
def test_threshold_and_default_workers(
    tmp_path: Path, payload_spy: list[str], size: int, parallel_in: list[str]
) -> None:
    """By default the payload read must be 8 MiB or more; one process per CPU (at most 4)."""
    cpus = len(os.sched_getaffinity(0))
    assert choose_workers(PARALLEL_MIN_SIZE - 1) == 1
    assert choose_workers(PARALLEL_MIN_SIZE) == min(cpus, parallel.MAX_WORKERS)
    data = _data(size, 5)
    sealed = _seal(tmp_path, data, workers=None)
    assert decrypt_file(sealed, tmp_path / "out", [ME]) == size
    assert (tmp_path / "out").read_bytes() == data
    assert payload_spy == (parallel_in if cpus > 1 else [])


# ---------------------------------------------------------------------------- same errors


def _decrypt_error(sealed: Path, workers: int) -> ArchiveDecryptionError:
    """The error decrypt_file raises for ``sealed`` with ``workers`` processes."""
    with pytest.raises(ArchiveDecryptionError) as info:
        decrypt_file(sealed, sealed.with_name("out.bin"), [ME], workers=workers)
    return info.value


def _flip(*chunks: int) -> Callable[[bytes], bytes]:
    def damage(sealed: bytes) -> bytes:
        out = bytearray(sealed)
        for chunk in chunks:
            out[_payload_start(sealed) + chunk * E + 100] ^= 0x01
        return bytes(out)

    return damage


def _cut(chunks: int, extra: int) -> Callable[[bytes], bytes]:
    def damage(sealed: bytes) -> bytes:
        return sealed[: _payload_start(sealed) + chunks * E + extra]

    return damage


def _append(data: bytes) -> Callable[[bytes], bytes]:
    return lambda sealed: sealed + data


def _nonce_flip(sealed: bytes) -> bytes:
    out = bytearray(sealed)
    out[_payload_start(sealed) - 3] ^= 0x80
    return bytes(out)


# Plaintext 10 chunks + 100 bytes: chunks 0-9 full, chunk 10 (final) 116 bytes sealed.
TAMPER_CASES: dict[str, tuple[Callable[[bytes], bytes], type[PayloadError], int]] = {
    "flip chunk 0 (calling process)": (_flip(0), PayloadError, 0),
    "flip chunk 5": (_flip(5), PayloadError, 5),
    "flip chunk 9 (last full)": (_flip(9), PayloadError, 9),
    "flip final chunk 10": (_flip(10), PayloadError, 10),
    "flips in chunks 3 and 8: the first wins": (_flip(8, 3), PayloadError, 3),
    "flips in chunks 1 and 2 (same range)": (_flip(2, 1), PayloadError, 1),
    "flip in the payload nonce": (_nonce_flip, PayloadError, 0),
    "cut at a chunk boundary": (_cut(6, 0), TruncatedPayloadError, 6),
    "cut at the last chunk boundary": (_cut(10, 0), TruncatedPayloadError, 10),
    "cut inside chunk 6": (_cut(6, 1000), PayloadError, 6),
    "cut to 10 bytes of the final chunk": (_cut(10, 10), PayloadError, 10),
    "cut to an empty final chunk": (_cut(10, 16), PayloadError, 10),
    "one byte appended": (_append(b"x"), PayloadError, 10),
    "a chunk's worth appended": (_append(bytes(E + 20)), PayloadError, 10),
}


@pytest.mark.parametrize("case", list(TAMPER_CASES))
@pytest.mark.usefixtures("small_ranges")
def test_tampering_detected_with_the_streaming_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Each damage gives the streaming path's class, chunk and message; nothing is left."""
    damage, cls, chunk = TAMPER_CASES[case]
    sealed = _seal(tmp_path, _data(10 * C + 100, 1))
    _in_workers(monkeypatch, "decrypt_range")
    sealed.write_bytes(damage(sealed.read_bytes()))
    sequential = _decrypt_error(sealed, 1)
    for workers in (2, 3):
        error = _decrypt_error(sealed, workers)
        assert type(error) is type(sequential) is cls
        assert isinstance(error, PayloadError)
        assert isinstance(sequential, PayloadError)
        assert error.chunk == sequential.chunk == chunk
        assert str(error) == str(sequential)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]
    assert multiprocessing.active_children() == []


@pytest.mark.usefixtures("small_ranges", "fixed_secrets")
def test_data_after_a_full_final_chunk_and_empty_final_chunk(tmp_path: Path) -> None:
    """A full final chunk followed by data, and an empty final chunk after full ones."""
    sealed = _seal(tmp_path, _data(6 * C, 2))  # chunk 5 is a full final chunk
    original = sealed.read_bytes()
    start = _payload_start(original)
    sealed.write_bytes(original + bytes(300))
    errors = [_decrypt_error(sealed, workers) for workers in (1, 3)]
    assert all(type(e) is PayloadError for e in errors)
    assert [e.chunk for e in errors if isinstance(e, PayloadError)] == [6, 6]
    assert "data follows the final payload chunk 5" in str(errors[1])
    assert str(errors[0]) == str(errors[1])

    # Same six chunks sealed as non-final, then an empty final chunk: forbidden by the spec.
    seal = ChaCha20Poly1305(PAYLOAD_KEY).encrypt_into
    plain = memoryview(_data(6 * C, 2))
    body = memoryview(bytearray(6 * E + 16))
    seal_chunks(seal, plain, body, 0, 6)
    seal_final(seal, plain[:0], body[6 * E :], 6)
    sealed.write_bytes(original[:start] + bytes(body))
    errors = [_decrypt_error(sealed, workers) for workers in (1, 3)]
    assert all(type(e) is PayloadError for e in errors)
    assert "final payload chunk 6 is empty" in str(errors[1])
    assert str(errors[0]) == str(errors[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]


@pytest.mark.usefixtures("fixed_secrets")
def test_empty_payload_allowed_only_alone(tmp_path: Path) -> None:
    """An empty file decrypts through the parallel path; a payload with no chunk does not."""
    sealed = _seal(tmp_path, b"")
    assert decrypt_file(sealed, tmp_path / "out", [ME], workers=3) == 0
    assert (tmp_path / "out").read_bytes() == b""
    sealed.write_bytes(sealed.read_bytes()[:-16])  # nonce, then nothing
    error = _decrypt_error(sealed, 3)
    assert type(error) is TruncatedPayloadError
    assert "no chunks" in str(error)


# ---------------------------------------------------------------------------- failures


@pytest.mark.usefixtures("small_ranges")
@pytest.mark.parametrize("direction", ["encrypt", "decrypt"])
def test_worker_os_error_propagates_and_output_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direction: str
) -> None:
    """A full disk in a worker raises the same OSError (ENOSPC) here; no file is left."""
    data = _data(10 * C, 3)
    sealed = _seal(tmp_path, data)
    (tmp_path / "plain.bin").write_bytes(data)
    parent = os.getpid()
    real = parallel._pwrite_all

    def failing(fd: int, view: memoryview, offset: int) -> None:
        if os.getpid() != parent:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, view, offset)

    monkeypatch.setattr(parallel, "_pwrite_all", failing)
    _in_workers(monkeypatch, f"{direction}_range")
    out = tmp_path / "out"

    def run() -> None:
        if direction == "encrypt":
            encrypt_file(tmp_path / "plain.bin", out, [ME.recipient], workers=3)
        else:
            decrypt_file(sealed, out, [ME], workers=3)

    with pytest.raises(OSError, match="No space left") as info:
        run()
    assert info.value.errno == errno.ENOSPC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.bin", "sealed.age"]
    assert multiprocessing.active_children() == []


def _exit() -> None:
    os._exit(3)


def _sigkill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.usefixtures("small_ranges")
@pytest.mark.parametrize("death", [_exit, _sigkill], ids=["exit", "sigkill"])
def test_worker_crash_raises_child_process_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, death: Callable[[], None]
) -> None:
    """A worker that dies without reporting fails the whole file; the temp file goes."""
    sealed = _seal(tmp_path, _data(10 * C, 4))
    _in_workers(monkeypatch, "decrypt_range", death)
    with pytest.raises(ChildProcessError, match="ended without a result"):
        decrypt_file(sealed, tmp_path / "out", [ME], workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]
    assert multiprocessing.active_children() == []


@pytest.mark.usefixtures("small_ranges")
def test_unpicklable_worker_error_still_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exception that cannot cross the pipe becomes a RuntimeError naming its type."""
    sealed = _seal(tmp_path, _data(10 * C, 4))

    class LocalError(Exception):  # a local class: pickle cannot find it by name
        pass

    def odd() -> None:
        raise LocalError

    _in_workers(monkeypatch, "decrypt_range", odd)
    with pytest.raises(RuntimeError, match="LocalError"):
        decrypt_file(sealed, tmp_path / "out", [ME], workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]


@pytest.mark.usefixtures("small_ranges")
def test_interrupt_stops_workers_and_removes_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the calling process stops the workers; no output or temp file remains."""
    sealed = _seal(tmp_path, _data(10 * C, 8))
    parent = os.getpid()
    _in_workers(monkeypatch, "decrypt_range", lambda: time.sleep(30))  # busy workers
    real = parallel._Job.decrypt_range

    def interrupted(job: parallel._Job, index: int, ranges: parallel._Ranges) -> None:
        real(job, index, ranges)
        if os.getpid() == parent:
            raise KeyboardInterrupt

    monkeypatch.setattr(parallel._Job, "decrypt_range", interrupted)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        decrypt_file(sealed, tmp_path / "out", [ME], workers=3)
    assert time.monotonic() - start < 20  # the sleeping workers were terminated
    assert multiprocessing.active_children() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sealed.age"]


@pytest.mark.usefixtures("small_ranges")
def test_no_space_to_reserve_falls_back_to_a_sparse_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the blocks cannot be reserved up front, the work still runs (and fails, if at all,
    where the streaming path would): here it succeeds."""

    def no_space(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    data = _data(10 * C + 7, 9)
    (tmp_path / "plain").write_bytes(data)
    monkeypatch.setattr(os, "posix_fallocate", no_space)
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [ME.recipient], workers=3)
    assert decrypt_file(tmp_path / "f.age", tmp_path / "out", [ME], workers=3) == len(data)
    assert (tmp_path / "out").read_bytes() == data


def test_input_size_changes_are_refused(tmp_path: Path) -> None:
    """Bytes beyond, or missing from, the announced size raise InputChangedError."""
    src = tmp_path / "plain"
    src.write_bytes(_data(5 * C))
    key = bytes(32)
    for size, what in ((4 * C, "grew"), (6 * C, "shrank")):
        with (
            src.open("rb") as fin,
            (tmp_path / "out").open("wb") as fout,
            pytest.raises(InputChangedError, match=what),
        ):
            encrypt_payload(
                fin.fileno(), 0, size, fout.fileno(), 0, key, workers=2, range_chunks=2
            )


@pytest.mark.usefixtures("small_ranges")
def test_without_shared_memory_the_work_is_done_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No sem_open or /dev/shm (some sandboxes): same result, no child forked."""

    def unavailable(self: parallel._Ranges, count: int, workers: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    def no_fork() -> int:
        raise AssertionError("no process should be forked")

    monkeypatch.setattr(parallel._Ranges, "__init__", unavailable)
    monkeypatch.setattr(os, "fork", no_fork)
    data = _data(10 * C + 5, 6)
    sealed = _seal(tmp_path, data, workers=3)
    assert decrypt_file(sealed, tmp_path / "out", [ME], workers=3) == len(data)
    assert (tmp_path / "out").read_bytes() == data


@pytest.mark.usefixtures("small_ranges")
def test_fork_failure_leaves_the_work_to_the_calling_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no process can be forked (EAGAIN: process limit), the file is still processed."""

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    data = _data(10 * C + 11, 10)
    (tmp_path / "plain").write_bytes(data)
    monkeypatch.setattr(os, "fork", no_fork)
    encrypt_file(tmp_path / "plain", tmp_path / "f.age", [ME.recipient], workers=3)
    assert decrypt_file(tmp_path / "f.age", tmp_path / "out", [ME], workers=3) == len(data)
    assert (tmp_path / "out").read_bytes() == data


# ---------------------------------------------------------------------------- path choice


def test_other_threads_disable_the_parallel_path() -> None:
    """Forking while another thread runs is unsafe: one process is used then."""
    assert choose_workers(PARALLEL_MIN_SIZE, 3) == 3
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert choose_workers(PARALLEL_MIN_SIZE, 3) == 1
        assert choose_workers(10 * PARALLEL_MIN_SIZE) == 1
    finally:
        stop.set()
        thread.join()


def test_armor_and_pipes_stream(tmp_path: Path, payload_spy: list[str]) -> None:
    """Armored files and non-regular inputs (a FIFO) take the streaming path and still work."""
    data = _data(5 * C + 9, 7)
    (tmp_path / "plain").write_bytes(data)
    encrypt_file(tmp_path / "plain", tmp_path / "a.age", [ME.recipient], armor=True, workers=3)
    assert (tmp_path / "a.age").read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    decrypt_file(tmp_path / "a.age", tmp_path / "a.out", [ME], workers=3)
    assert (tmp_path / "a.out").read_bytes() == data
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with subprocess.Popen(["cp", str(tmp_path / "plain"), str(fifo)]) as writer:
        encrypt_file(fifo, tmp_path / "f.age", [ME.recipient], workers=3)
    assert writer.returncode == 0
    decrypt_file(tmp_path / "f.age", tmp_path / "f.out", [ME], workers=1)
    assert (tmp_path / "f.out").read_bytes() == data
    assert payload_spy == []
