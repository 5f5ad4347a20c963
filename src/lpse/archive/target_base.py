"""The vocabulary every backup target shares (``targets.py``: the folder; ``targets_s3.py``: an
S3-compatible bucket): the protocol, what a put stored, and the errors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class TargetError(Exception):
    """A target refused or failed an operation; the message says which target and what to do."""


class TargetFull(TargetError):
    """The target has no room left for a piece."""


class PieceMissing(TargetError):
    """A piece a manifest names is not on the target."""


@dataclass(frozen=True)
class Written:
    """What a put stored: the piece's size and SHA-256 as they are on the target."""

    size: int
    sha256: str


class Target(Protocol):
    name: str  # how the operator named it in LPSE_BACKUP_TARGETS (shown and recorded)

    def put(self, key: str, source: BinaryIO) -> Written:
        """Store ``source`` (read to its end) as ``key``, replacing a piece of that name,
        all or nothing."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Read a piece; PieceMissing if there is none."""
        ...

    def size(self, key: str) -> int | None:
        """The piece's size, or None if there is no such piece."""
        ...

    def keys(self, prefix: str) -> Iterator[str]:
        """Every piece whose name starts with ``prefix``."""
        ...

    def delete(self, key: str) -> None:
        """Remove a piece (no error if it is already gone)."""
        ...

    def sweep_partial(self) -> int:
        """Remove what an interrupted put left behind; returns how many."""
        ...


def checked_key(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise TargetError(f"not a piece name: {key!r}")
    return path


def copy_hashed(source: BinaryIO, out: BinaryIO) -> Written:
    """Copy ``source`` to ``out`` while hashing what passes."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    return Written(size=size, sha256=digest.hexdigest())
