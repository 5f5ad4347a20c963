"""Document fingerprints (R-7.2): MD5 for compatibility with SPSE, SHA-256 for real."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Fingerprint:
    md5: str
    sha256: str
    size: int


class RunningFingerprint:
    """MD5, SHA-256 and size of bytes as they pass: one place for the pair every writer of a
    file takes (uploads, bid chunks, documents out of an opened envelope).

    ``md5=False``: SHA-256 and size only, the MD5 left empty for ``core.storage.complete_md5``
    to take after the fact — for the opening's workers, where it was a quarter of their CPU
    while the committee waits (bench/README-bids.md 3g)."""

    def __init__(self, *, md5: bool = True) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False) if md5 else None
        self.sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        if self.md5 is not None:
            self.md5.update(chunk)
        self.sha256.update(chunk)
        self.size += len(chunk)

    def digests(self) -> tuple[str, str]:
        return self.md5.hexdigest() if self.md5 is not None else "", self.sha256.hexdigest()

    def result(self) -> Fingerprint:
        md5, sha256 = self.digests()
        return Fingerprint(md5=md5, sha256=sha256, size=self.size)


def fingerprint_chunks(chunks: Iterable[bytes]) -> Fingerprint:
    running = RunningFingerprint()
    for chunk in chunks:
        running.update(chunk)
    return running.result()


def fingerprint_stream(stream: BinaryIO) -> Fingerprint:
    """The fingerprint of what is left to read of ``stream``, read 1 MiB at a time."""
    return fingerprint_chunks(iter(lambda: stream.read(1024 * 1024), b""))


def fingerprint_file(path: Path | str) -> Fingerprint:
    """A stored file's fingerprint, read 1 MiB at a time."""
    with open(path, "rb") as f:
        return fingerprint_stream(f)


def fingerprint_bytes(data: bytes) -> Fingerprint:
    return fingerprint_chunks([data])


def token_digest(token: str) -> str:
    """What we store of a one-time secret link token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
