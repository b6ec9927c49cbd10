"""Atomic output files: write to a private temp file in the same directory, fsync, rename.

A reader never sees a half-written file, and on error nothing is left behind (important for
decrypted plaintext: a failed or tampered decryption must not leave partial case data on disk).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cpcase.adapters.age.errors import OutputExistsError

__all__ = ["atomic_output"]


@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, overwrite: bool = False, mode: int = 0o600
) -> Iterator[BinaryIO]:
    """Yield a binary file that becomes ``path`` only if the ``with`` block succeeds.

    The temp file is created with mode 0600 (readable by the owner only) before any byte is
    written; ``mode`` is applied just before the rename. Raises :class:`OutputExistsError` if
    ``path`` exists and ``overwrite`` is false.
    """
    target = Path(path)
    if not overwrite and target.exists():
        raise OutputExistsError(f"{target}: already exists (refusing to overwrite)")
    directory = target.parent
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if not overwrite and target.exists():
            raise OutputExistsError(f"{target}: already exists (refusing to overwrite)")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows it
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
