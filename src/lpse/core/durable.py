"""How many files reach the disk cheaply: one flush of a whole file system instead of an fsync
per file, for a writer whose record is written once they are all down (a backup's manifest, an
opening's rows); and files written around the page cache, for one that writes much and reads
none of it back."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import functools
import mmap
import os
from pathlib import Path


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


class DirectFile:
    """A new file written around the page cache (O_DIRECT), for a writer of many large files
    that nobody reads back soon: the opening's documents. Through the page cache, each 10 MiB
    written took 20–25 ms of the writer's CPU on the project's VM once a few hundred MiB were
    waiting to be written (fresh memory for every page, and the writeback started from the
    writer), against 2 ms this way (bench/README-bids.md 3g). The bytes are on the device when
    ``write`` returns; the file's size and place on disk are not durable until the caller's
    ``sync_file_system``, as for any other write.

    Data goes out in whole aligned blocks from one reused buffer; the last piece, if it does
    not fill a block, through the page cache. Where O_DIRECT is refused (tmpfs, other systems)
    every write goes through the page cache: slower, never wrong."""

    BLOCK = 4096  # alignment O_DIRECT needs of the buffer, the offset and the length
    BUFFER = 1024 * 1024

    def __init__(self, path: Path | str):
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_DIRECT", 0)
        try:
            self._fd = os.open(path, flags, 0o600)
            self.direct = flags & getattr(os, "O_DIRECT", 0) != 0
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            self._fd = os.open(path, flags & ~getattr(os, "O_DIRECT", 0), 0o600)
            self.direct = False
        self._buffer = mmap.mmap(-1, self.BUFFER)  # page-aligned, as O_DIRECT requires
        self._used = 0

    def write(self, data) -> None:
        view = memoryview(data).cast("B")
        while view:
            taken = min(len(view), self.BUFFER - self._used)
            self._buffer[self._used : self._used + taken] = view[:taken]
            self._used += taken
            view = view[taken:]
            if self._used == self.BUFFER:
                self._flush(self.BUFFER)

    def _flush(self, length: int) -> None:
        with memoryview(self._buffer) as whole:
            done = 0
            while done < length:
                done += os.write(self._fd, whole[done:length])
        self._used = 0

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            whole_blocks = self._used - self._used % self.BLOCK
            tail = self._used - whole_blocks
            if whole_blocks:
                with memoryview(self._buffer) as whole:
                    rest = bytes(whole[whole_blocks : self._used])
                self._flush(whole_blocks)
                self._buffer[:tail] = rest
                self._used = tail
            if self._used:
                if self.direct:  # a piece shorter than a block cannot go around the cache
                    fcntl.fcntl(
                        self._fd, fcntl.F_SETFL, fcntl.fcntl(self._fd, fcntl.F_GETFL) & ~os.O_DIRECT
                    )
                self._flush(self._used)
        finally:
            fd, self._fd = self._fd, -1
            self._buffer.close()
            os.close(fd)

    def __enter__(self) -> DirectFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
