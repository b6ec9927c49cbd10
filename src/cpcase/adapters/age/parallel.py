"""The STREAM payload between two regular files, on several cores at once.

OpenSSL's ChaCha20-Poly1305, as ``cryptography`` calls it, holds the GIL, so threads do not
help; separate processes do. STREAM chunks are independent (chunk ``i`` uses nonce ``i`` and
the final-chunk flag), and every chunk but the last has a fixed size on both sides (64 KiB of
plaintext, 64 KiB + 16 bytes sealed), so the offsets of chunk ``i`` in the input and in the
output follow from ``i``.

The payload is cut into ranges of :data:`RANGE_CHUNKS` chunks (16 MiB). The calling process
and ``workers - 1`` forked children each claim the next unclaimed range from a shared counter
until none is left, so a process slowed down by other load on the machine simply does fewer
ranges. Each range is read and written with ``os.preadv`` / ``os.pwrite`` on the inherited
file descriptors, in 256 KiB blocks through two preallocated buffers per process. Nothing but
a small result (``None`` or an exception) travels back over a pipe: no plaintext, and the
payload key reaches the children only through fork-copied memory (never argv, environment or
files).

The chunk rules are those of the streaming path (:mod:`cpcase.adapters.age.stream`), so the
output is byte-identical and decryption rejects the same files with the same errors: ranges
after a failed one are abandoned, every range before it is completed, and the error of the
lowest failed range is raised, which is the one the streaming path would have met first.
Decrypted data is written to its final offsets as soon as each block authenticates, so
callers must discard the output on error (:func:`~cpcase.adapters.age.core.decrypt_file` does:
it writes to a temp file that is removed unless everything authenticated).

Used only where it is safe and pays: Linux (``fork``), no other thread running in the process
(a thread holding a lock at fork time could deadlock a child), and payloads of at least
:data:`PARALLEL_MIN_SIZE`.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

import attrs
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from cpcase.adapters.age.errors import InputChangedError
from cpcase.adapters.age.stream import (
    CHUNK_SIZE,
    ENCRYPTED_CHUNK_SIZE,
    TAG_SIZE,
    open_chunks,
    open_final,
    seal_chunks,
    seal_final,
)

if TYPE_CHECKING:  # not defined on Windows, where this module is never used
    from multiprocessing.context import ForkProcess

__all__ = [
    "BLOCK_CHUNKS",
    "MAX_WORKERS",
    "PARALLEL_MIN_SIZE",
    "RANGE_CHUNKS",
    "choose_workers",
    "decrypt_payload",
    "encrypt_payload",
    "sealed_size",
]

PARALLEL_MIN_SIZE = 8 * 1024 * 1024
"""Smallest payload worth forking for (below it, start-up costs more than it saves)."""
MAX_WORKERS = 4
"""At most this many processes per file: the disk, not the CPU, limits beyond that."""
RANGE_CHUNKS = 256
"""Chunks per unit of work handed to a process: 16 MiB, 64 units in a 1 GiB file."""
BLOCK_CHUNKS = 4
"""Chunks per read/seal/write step: 256 KiB, so that both buffers stay in a core's L2 cache.

Measured on a 2-core VM (1 MiB L2 per core), 1 GiB cost about 1.0 CPU second each way with
256 KiB blocks against 1.5-3 s with 4 MiB blocks, which go through main memory three times.
"""
_LOCK_TIMEOUT = 60.0


def sealed_size(size: int) -> int:
    """Payload bytes (without the 16-byte nonce) that ``size`` bytes of plaintext become."""
    chunks = max(1, -(-size // CHUNK_SIZE))
    return size + chunks * TAG_SIZE


def choose_workers(size: int, requested: int | None = None) -> int:
    """How many processes to use for a ``size``-byte payload; 1 means the streaming path.

    Always 1 off Linux or while other threads run in this process (forking then is unsafe).
    Otherwise ``requested`` if given, else the CPUs this process may run on, at most
    :data:`MAX_WORKERS`, and 1 below :data:`PARALLEL_MIN_SIZE`.
    """
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    if requested is not None:
        return max(1, requested)
    if size < PARALLEL_MIN_SIZE:
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


# ---------------------------------------------------------------------------- file I/O


def _pread_into(fd: int, view: memoryview, offset: int) -> int:
    """Fill ``view`` from ``fd`` at ``offset``; return the bytes read (fewer only at EOF)."""
    got = 0
    while got < len(view):
        n = os.preadv(fd, [view[got:]], offset + got)
        if n == 0:
            break
        got += n
    return got


def _pwrite_all(fd: int, view: memoryview, offset: int) -> None:
    while view:
        n = os.pwrite(fd, view, offset)
        view = view[n:]
        offset += n


_SPARSE_INSTEAD = frozenset(
    {errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
)


def _preallocate(fd: int, offset: int, length: int) -> None:
    """Give the output its final size, with its blocks reserved where possible.

    Reserved blocks keep the file contiguous and make writes cheaper. When they cannot be
    reserved (file system without fallocate, or not enough space) the file is extended
    sparsely instead, and the writes then fail where the streaming path's would: a damaged
    file announcing a huge size must give a payload error, not "no space left".
    """
    if length <= 0:
        return
    try:
        os.posix_fallocate(fd, offset, length)
    except OSError as exc:
        if exc.errno not in _SPARSE_INSTEAD:
            raise
        os.ftruncate(fd, max(os.fstat(fd).st_size, offset + length))


def _check_no_growth(fd: int, end: int) -> None:
    if os.pread(fd, 1, end):
        raise InputChangedError("the input file grew while it was being processed")


# ---------------------------------------------------------------------------- shared state


class _Lock(Protocol):
    """A ``multiprocessing`` or ``threading`` lock."""

    def acquire(self, *, timeout: float) -> bool:
        """Take the lock, waiting at most ``timeout`` seconds; False if it timed out."""

    def release(self) -> None:
        """Give the lock back."""


class _Ranges:
    """The work counter, the lowest failed range and each process's current range.

    Lives in shared memory created before the fork, so all processes see the same values.
    """

    def __init__(self, count: int, workers: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.count = count
        self.workers = workers
        self._lock: _Lock = ctx.Lock()
        self._next: Any = ctx.RawValue("q", 0)
        self._failed: Any = ctx.RawValue("q", count)  # lowest failed range; count: none
        self._current: Any = ctx.RawArray("q", [-1] * workers)

    @classmethod
    def local(cls, count: int) -> _Ranges:
        """The same state in this process only (for a single worker)."""
        ranges = cls.__new__(cls)
        ranges.count = count
        ranges.workers = 1
        ranges._lock = threading.Lock()
        ranges._next = ctypes.c_longlong(0)
        ranges._failed = ctypes.c_longlong(count)
        ranges._current = (ctypes.c_longlong * 1)(-1)
        return ranges

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Held for microseconds; only a worker killed inside it (SIGKILL) could keep it.
        if not self._lock.acquire(timeout=_LOCK_TIMEOUT):
            raise ChildProcessError("a parallel worker stopped while holding the work counter")
        try:
            yield
        finally:
            self._lock.release()

    def claim(self, worker: int) -> int | None:
        """The next range for ``worker`` to do, or None when none is left worth doing."""
        with self._locked():
            index = self._next.value
            if index >= self.count or index > self._failed.value:
                self._current[worker] = -1
                return None
            self._next.value = index + 1
            self._current[worker] = index
            return int(index)

    def fail(self, index: int) -> None:
        """Record that range ``index`` failed: later ranges need not be done."""
        with self._locked():
            self._failed.value = min(self._failed.value, index)

    @property
    def claimed(self) -> int:
        """How many ranges have been handed out so far."""
        return int(self._next.value)

    def superseded(self, index: int) -> bool:
        """Whether an earlier range failed (its error takes precedence over this range's)."""
        return bool(self._failed.value < index)

    def current(self, worker: int) -> int:
        """The range ``worker`` was doing (``count`` if none): where a crash is charged."""
        index = int(self._current[worker])
        return self.count if index < 0 else index


# ---------------------------------------------------------------------------- the job


@attrs.frozen
class _Job:
    """One payload between two file descriptors.

    ``total`` is the plaintext size when encrypting and the sealed size when decrypting; range
    ``r`` covers chunks ``r * range_chunks`` up to (not including) ``(r + 1) * range_chunks``.
    """

    src_fd: int
    src_offset: int
    total: int
    dst_fd: int
    dst_offset: int
    key: bytes = attrs.field(repr=False)
    chunks: int
    range_chunks: int
    block_chunks: int
    _scratch: list[memoryview] = attrs.field(factory=list, init=False, repr=False, eq=False)

    def _buffers(self) -> tuple[memoryview, memoryview]:
        """Input and output block buffers, allocated once per process (after the fork).

        Allocating them per range would fault in fresh pages 64 times per GiB.
        """
        if not self._scratch:
            size = self.block_chunks * ENCRYPTED_CHUNK_SIZE  # the larger side either way
            self._scratch.extend(memoryview(bytearray(size)) for _ in range(2))
        return self._scratch[0], self._scratch[1]

    @property
    def ranges(self) -> int:
        return -(-self.chunks // self.range_chunks)

    def _span(self, index: int) -> tuple[int, int]:
        start = index * self.range_chunks
        return start, min(start + self.range_chunks, self.chunks)

    def encrypt_range(self, index: int, ranges: _Ranges) -> None:
        seal = ChaCha20Poly1305(self.key).encrypt_into
        inv, outv = self._buffers()
        last = self.chunks - 1
        i, end = self._span(index)
        while i < end and not ranges.superseded(index):
            count = min(self.block_chunks, end - i)
            size = min(count * CHUNK_SIZE, self.total - i * CHUNK_SIZE)
            if _pread_into(self.src_fd, inv[:size], self.src_offset + i * CHUNK_SIZE) < size:
                raise InputChangedError("the input file shrank while it was being encrypted")
            full = count - 1 if i + count > last else count
            seal_chunks(seal, inv, outv, i, full)
            out = full * ENCRYPTED_CHUNK_SIZE
            if full < count:
                out += seal_final(seal, inv[full * CHUNK_SIZE : size], outv[out:], last)
            _pwrite_all(self.dst_fd, outv[:out], self.dst_offset + i * ENCRYPTED_CHUNK_SIZE)
            i += count

    def decrypt_range(self, index: int, ranges: _Ranges) -> None:
        open_ = ChaCha20Poly1305(self.key).decrypt_into
        inv, outv = self._buffers()
        last = self.chunks - 1
        i, end = self._span(index)
        while i < end and not ranges.superseded(index):
            count = min(self.block_chunks, end - i)
            start = i * ENCRYPTED_CHUNK_SIZE
            size = min(count * ENCRYPTED_CHUNK_SIZE, self.total - start)
            if _pread_into(self.src_fd, inv[:size], self.src_offset + start) < size:
                raise InputChangedError("the input file shrank while it was being decrypted")
            full = count - 1 if i + count > last else count
            error = open_chunks(open_, inv, outv, i, full)[1]
            if error is not None:
                raise error
            out = full * CHUNK_SIZE
            if full < count:  # the last chunk of the file: checked as the streaming path does
                sealed = inv[full * ENCRYPTED_CHUNK_SIZE : size]
                plain, error = open_final(open_, sealed, outv[out:], last)
                if error is not None:
                    raise error
                out += plain
            _pwrite_all(self.dst_fd, outv[:out], self.dst_offset + i * CHUNK_SIZE)
            i += count


# ---------------------------------------------------------------------------- running it

_Task = Callable[[int, _Ranges], None]
_Outcome = tuple[int, BaseException] | None


def _work(task: _Task, ranges: _Ranges, worker: int) -> _Outcome:
    """Do ranges until none is left; return None or (failed range, its exception)."""
    while (index := ranges.claim(worker)) is not None:
        try:
            task(index, ranges)
        except Exception as exc:  # reported to the parent, which raises it
            ranges.fail(index)
            return index, exc
    return None


def _child(task: _Task, ranges: _Ranges, worker: int, conn: Connection) -> None:
    """Body of a forked worker: do ranges, then send the outcome to the parent."""
    with contextlib.suppress(ValueError):  # Ctrl-C: the parent stops us (SIGTERM) instead
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    outcome = _work(task, ranges, worker)
    try:
        conn.send(outcome)
    except (pickle.PicklingError, TypeError, AttributeError):  # an exception pickle cannot carry
        index, exc = outcome or (ranges.count, None)
        conn.send((index, RuntimeError(f"parallel worker failed: {type(exc).__name__}")))
    conn.close()


def _run(task: _Task, ranges_count: int, workers: int) -> None:
    """Do every range with up to ``workers`` processes (this one and forked children).

    Raises the exception of the lowest failed range. A child that dies without reporting
    gives :class:`ChildProcessError`, charged to the range it was doing.
    """
    workers = max(1, min(workers, ranges_count))
    try:
        ranges = _Ranges(ranges_count, workers)
    except (ImportError, OSError):  # no working sem_open or shared memory: do it all here
        workers = 1
        ranges = _Ranges.local(ranges_count)
    ctx = multiprocessing.get_context("fork")
    children: list[tuple[ForkProcess, Connection]] = []
    errors: dict[int, BaseException] = {}
    reported = 0
    try:
        for worker in range(1, workers):
            receiver, sender = ctx.Pipe(duplex=False)
            proc = ctx.Process(
                target=_child,
                args=(task, ranges, worker, sender),
                name=f"cpcase-age-{worker}",
                daemon=True,
            )
            try:
                proc.start()
            except OSError:  # no fork (process or memory limits): fewer workers will do
                sender.close()
                receiver.close()
                break
            sender.close()
            children.append((proc, receiver))
        outcomes: list[_Outcome] = [_work(task, ranges, 0)]
        for worker, (proc, receiver) in enumerate(children, start=1):
            try:
                outcomes.append(receiver.recv())
            except EOFError:
                proc.join()
                crash = ChildProcessError(
                    f"parallel worker {worker} ended without a result "
                    f"(exit status {proc.exitcode})"
                )
                outcomes.append((ranges.current(worker), crash))
            reported = worker
        for outcome in outcomes:
            if outcome is not None:
                errors.setdefault(outcome[0], outcome[1])
    finally:  # on an exception here (Ctrl-C...), children that did not report are stopped
        for worker, (proc, receiver) in enumerate(children, start=1):
            if worker > reported:
                proc.terminate()
            proc.join()
            receiver.close()
    if errors:
        raise errors[min(errors)]


# ---------------------------------------------------------------------------- entry points


def encrypt_payload(
    src_fd: int,
    src_offset: int,
    size: int,
    dst_fd: int,
    dst_offset: int,
    key: bytes,
    *,
    workers: int,
    range_chunks: int | None = None,
    block_chunks: int = BLOCK_CHUNKS,
) -> int:
    """Seal ``size`` plaintext bytes of ``src_fd`` (from ``src_offset``) into ``dst_fd``.

    Writes the STREAM chunks (not the nonce) at ``dst_offset``, using up to ``workers``
    processes; returns the sealed size. Both descriptors must be regular files; their file
    positions are not used or moved. The input must not change meanwhile: a size different
    from ``size`` raises :class:`InputChangedError`. ``range_chunks`` (default
    :data:`RANGE_CHUNKS`) and ``block_chunks`` set the unit of work and of I/O.
    """
    chunks = max(1, -(-size // CHUNK_SIZE))
    job = _Job(
        src_fd, src_offset, size, dst_fd, dst_offset, key, chunks,
        range_chunks or RANGE_CHUNKS, block_chunks,
    )  # fmt: skip
    sealed = sealed_size(size)
    _preallocate(dst_fd, dst_offset, sealed)
    _run(job.encrypt_range, job.ranges, workers)
    _check_no_growth(src_fd, src_offset + size)
    return sealed


def decrypt_payload(
    src_fd: int,
    src_offset: int,
    size: int,
    dst_fd: int,
    dst_offset: int,
    key: bytes,
    *,
    workers: int,
    range_chunks: int | None = None,
    block_chunks: int = BLOCK_CHUNKS,
) -> int:
    """Open the ``size``-byte sealed payload of ``src_fd`` (from ``src_offset``) into ``dst_fd``.

    ``src_offset`` is just after the payload nonce. Writes the plaintext at ``dst_offset`` using
    up to ``workers`` processes and returns its size. Raises what
    :func:`~cpcase.adapters.age.stream.iter_decrypt` raises for the same bytes
    (:class:`PayloadError`, :class:`TruncatedPayloadError`); the output then holds partial
    data and must be discarded.
    """
    chunks = max(1, -(-size // ENCRYPTED_CHUNK_SIZE))
    job = _Job(
        src_fd, src_offset, size, dst_fd, dst_offset, key, chunks,
        range_chunks or RANGE_CHUNKS, block_chunks,
    )  # fmt: skip
    # A final chunk shorter than its tag (or none at all) is reported by the last range, after
    # the chunks before it, exactly as the streaming path would.
    _preallocate(dst_fd, dst_offset, size - chunks * TAG_SIZE)
    _run(job.decrypt_range, job.ranges, workers)
    _check_no_growth(src_fd, src_offset + size)
    return size - chunks * TAG_SIZE
