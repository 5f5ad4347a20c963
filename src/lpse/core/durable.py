"""One flush of a whole file system instead of an fsync per file: for a writer of many files
whose record is written once they are all down (a backup's manifest, an opening's rows)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
from pathlib import Path

# Linux's sync_file_range(2) flag: start writing the range's dirty pages, do not wait.
_SYNC_FILE_RANGE_WRITE = 2


@functools.cache
def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def sync_file_system(folder: Path | str) -> None:
    """Make every file written so far on ``folder``'s file system durable: Linux's syncfs(2),
    which Python has no binding for; elsewhere, or if refused, ``sync`` of every file system."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        if getattr(_libc(), "syncfs", None) is None or _libc().syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def start_writeback(fd: int) -> None:
    """Have the kernel start writing a finished file to disk now, without waiting for it, so
    that the later ``sync_file_system`` finds little left to do. Only a head start: where
    Linux's sync_file_range(2) is missing nothing happens, and the sync still does it all."""
    sync_file_range = getattr(_libc(), "sync_file_range", None)
    if sync_file_range is not None:
        sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
        sync_file_range(fd, 0, 0, _SYNC_FILE_RANGE_WRITE)
