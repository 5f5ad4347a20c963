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


# Linux's flag for writes that bypass the page cache; 0 where there is none (DirectFile).
_O_DIRECT = getattr(os, "O_DIRECT", 0)


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
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            self._fd = os.open(path, flags | _O_DIRECT, 0o600)
            self.direct = _O_DIRECT != 0
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            self._fd = os.open(path, flags, 0o600)
            self.direct = False
        try:
            self._buffer = mmap.mmap(-1, self.BUFFER)  # page-aligned, as O_DIRECT requires
        except BaseException:
            os.close(self._fd)
            raise
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
                try:
                    done += os.write(self._fd, whole[done:length])
                except OSError as exc:
                    # A file system that opened with O_DIRECT but wants another alignment (or
                    # a short write left this one unaligned): the rest through the cache.
                    if exc.errno != errno.EINVAL or not self.direct:
                        raise
                    self._stop_direct()
        self._used = 0

    def _stop_direct(self) -> None:
        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~_O_DIRECT)
        self.direct = False

    def close(self, *, flush: bool = True) -> None:
        """Write what is buffered and close; ``flush=False`` (leaving on an error) only closes:
        the caller removes the file, and a second error must not hide the first."""
        if self._fd < 0:
            return
        try:
            if flush:
                self._flush_rest()
        finally:
            fd, self._fd = self._fd, -1
            self._buffer.close()
            os.close(fd)

    def _flush_rest(self) -> None:
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
                self._stop_direct()
            self._flush(self._used)

    def __enter__(self) -> DirectFile:
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self.close(flush=exc_type is None)
