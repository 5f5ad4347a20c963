"""The hashes of bid uploads (R-7.2: MD5 for SPSE, SHA-256 for real), computed as the chunks
arrive so that accepting a large bid does not read it again (R-9.6)."""

from __future__ import annotations

import threading
from pathlib import Path

from lpse.core.hashing import RunningFingerprint, fingerprint_file

CHUNK = 1024 * 1024


class RunningHashes:
    """The hashes of each upload in progress, carried from one PATCH to the next in this process,
    so that accepting a large bid does not read the whole file again. Valid only for the offset
    they cover: a chunk handled by another worker, a restart or a crash-truncated part file
    leaves no match, and the acceptance then hashes the file (as it always may)."""

    LIMIT = 1000  # uploads in progress per process; the oldest are forgotten first

    def __init__(self):
        self._lock = threading.Lock()
        self._by_upload: dict = {}

    def resume(self, upload_id, offset: int) -> RunningFingerprint | None:
        if offset == 0:
            return RunningFingerprint()
        with self._lock:
            entry = self._by_upload.pop(upload_id, None)
        return entry[1] if entry is not None and entry[0] == offset else None

    def keep(self, upload_id, offset: int, hashes: RunningFingerprint) -> None:
        with self._lock:
            self._by_upload[upload_id] = (offset, hashes)
            while len(self._by_upload) > self.LIMIT:
                self._by_upload.pop(next(iter(self._by_upload)))

    def drop(self, upload_id) -> None:
        with self._lock:
            self._by_upload.pop(upload_id, None)


def hash_file(path: Path) -> tuple[str, str]:
    fingerprint = fingerprint_file(path)
    return fingerprint.md5, fingerprint.sha256
