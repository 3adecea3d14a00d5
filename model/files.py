"""Opening files named by a user (model, manifest, token) without hanging or reading forever.

A FIFO blocks a plain open until someone writes to it, and a link to /dev/zero never ends: only
regular files are opened, and small ones are read with a bound.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


class NotRegularFile(OSError):
    """The path names a directory, FIFO, device or socket."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for binary reading; NotRegularFile (an OSError) unless it is a regular file."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO returns at once
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise NotRegularFile(f"{path} is not a regular file")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_small(path: Path, limit: int) -> bytes:
    """The whole of a regular file of at most `limit` bytes; ValueError if it is larger."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path} is over {limit} bytes")
    return data


def describe(exc: OSError) -> str:
    """A short reason for an OSError: 'Permission denied', 'is not a regular file'."""
    if isinstance(exc, NotRegularFile):
        return "not a regular file"
    return exc.strerror or str(exc)


@contextmanager
def replaced_atomically(path: Path, replace=os.replace) -> Iterator[Path]:
    """A temporary path beside `path` to write; when the block completes, its content is synced
    to disk and renamed over `path`, so readers see the old file or the new one, never a part.
    On an error (or a signal) the temporary is removed and `path` is untouched."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
