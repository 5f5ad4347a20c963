"""Document fingerprints (R-7.2): MD5 for compatibility with SPSE, SHA-256 for real."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fingerprint:
    md5: str
    sha256: str
    size: int


def fingerprint_chunks(chunks: Iterable[bytes]) -> Fingerprint:
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    size = 0
    for chunk in chunks:
        md5.update(chunk)
        sha.update(chunk)
        size += len(chunk)
    return Fingerprint(md5=md5.hexdigest(), sha256=sha.hexdigest(), size=size)


def fingerprint_bytes(data: bytes) -> Fingerprint:
    return fingerprint_chunks([data])


def token_digest(token: str) -> str:
    """What we store of a one-time secret link token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
