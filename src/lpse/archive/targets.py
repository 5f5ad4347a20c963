"""Where backups go (SPEC 6, R-6.2): a folder (the portable medium, mounted where the operator
says) or an S3-compatible bucket (``targets_s3.py``). A target stores named *pieces*; every
write is all-or-nothing (a reader never sees half a piece), so a backup killed midway leaves
only whole pieces that no manifest names, which the next run sweeps away.

Names are relative POSIX paths (``blobs/ab/<sha256>.age``, ``manifests/<id>.json``).
Configured by ``LPSE_BACKUP_TARGETS``: a comma-separated list of ``folder:/mnt/usb-backup`` and
``s3://bucket/prefix`` entries (the S3 endpoint and keys in ``LPSE_BACKUP_S3_*``).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# The shared vocabulary, named here too: callers import targets only.
from lpse.archive.target_base import (
    CHUNK,
    PieceMissing,
    Target,
    TargetError,
    TargetFull,
    Written,
    checked_key,
    copy_hashed,
)
from lpse.core.durable import sync_file_system

__all__ = [
    "CHUNK",
    "FolderTarget",
    "PieceMissing",
    "Target",
    "TargetError",
    "TargetFull",
    "Written",
    "configured_targets",
    "copy_hashed",
    "target_from_spec",
]


class FolderTarget:
    """A folder: a USB disk or a network share mounted by the operator. A piece is written to
    a ``.partial`` file beside its place, flushed to the disk, then renamed over it (atomic on
    one file system); the folder is synced so the rename survives a power cut."""

    PARTIAL = ".partial"

    def __init__(self, root: Path | str, name: str | None = None):
        self.root = Path(root)
        self.name = name or f"folder:{self.root}"

    def _ready(self) -> None:
        if not self.root.is_dir():
            raise TargetError(
                f"{self.name}: the folder does not exist or is not mounted; mount the backup "
                "medium there (or correct LPSE_BACKUP_TARGETS)."
            )

    def put(self, key: str, source: BinaryIO) -> Written:
        with self.writer(key) as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)
        return out.written

    @contextmanager
    def writer(self, key: str) -> Iterator[_HashingFile]:
        """Write a piece as it is produced (no copy through a spool file), hashed on the way."""
        with self._partial(key) as partial, partial.open("wb") as raw:
            out = _HashingFile(raw)
            yield out

    def produce(self, key: str, make: Callable[[Path], None]) -> Written:
        """Let ``make`` write the piece's file by its path (a program that writes files itself,
        like age's encrypt_file, needs no Python in its loop), then hash what it wrote."""
        with self._partial(key) as partial:
            make(partial)
            written = Written(size=partial.stat().st_size, sha256=file_sha256(partial))
        return written

    def local_path(self, key: str) -> Path | None:
        """Where a piece is on this computer (a folder can be read in place)."""
        path = self.root / checked_key(key)
        return path if path.is_file() else None

    @contextmanager
    def _partial(self, key: str) -> Iterator[Path]:
        """A ``.partial`` file beside the piece's place, renamed over it (atomic on one file
        system) once the caller is done. Not flushed one by one: ``sync()`` makes every piece
        durable at once before the manifest that names them is written. On any error the
        partial file is removed."""
        self._ready()
        final = self.root / checked_key(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=final.name, suffix=self.PARTIAL)
        os.close(fd)
        partial = Path(name)
        try:
            yield partial
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise TargetFull(
                    f"{self.name} is full ({_free(self.root)} free): nothing of this piece was "
                    "kept. Free space on the medium or use a larger one, then run the backup "
                    "again."
                ) from None
            raise TargetError(f"{self.name}: cannot write {key}: {exc.strerror}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def sync(self) -> None:
        """Make every piece written so far durable (one ``syncfs`` of the medium instead of an
        fsync per piece: a tenth of a full backup's time on this VM). Called before the
        manifest is stored, so a manifest never names a piece a power cut could lose."""
        self._ready()
        sync_file_system(self.root)

    def open(self, key: str) -> BinaryIO:
        try:
            return (self.root / checked_key(key)).open("rb")
        except FileNotFoundError:
            raise PieceMissing(f"{self.name}: {key} is missing") from None

    def size(self, key: str) -> int | None:
        try:
            return (self.root / checked_key(key)).stat().st_size
        except FileNotFoundError:
            return None

    def keys(self, prefix: str) -> Iterator[str]:
        self._ready()
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(self.PARTIAL):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, key: str) -> None:
        (self.root / checked_key(key)).unlink(missing_ok=True)

    def sweep_partial(self) -> int:
        if not self.root.is_dir():
            return 0
        partials = [p for p in self.root.rglob(f"*{self.PARTIAL}") if p.is_file()]
        for path in partials:
            path.unlink(missing_ok=True)
        return len(partials)


class _HashingFile(io.RawIOBase):
    """A file being written, hashing and counting what passes; ``written`` once done."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)

    @property
    def written(self) -> Written:
        return Written(size=self.size, sha256=self.digest.hexdigest())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        while chunk := stored.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _free(path: Path) -> str:
    try:
        free = shutil.disk_usage(path).free
    except OSError:
        return "unknown"
    return f"{free / 1024 / 1024:.1f} MiB"


def target_from_spec(spec: str) -> Target:
    """One entry of LPSE_BACKUP_TARGETS."""
    spec = spec.strip()
    if spec.startswith("folder:"):
        return FolderTarget(spec.removeprefix("folder:"), name=spec)
    if spec.startswith("s3://"):
        from lpse.archive.targets_s3 import S3Target

        return S3Target.from_spec(spec)
    raise TargetError(
        f"{spec!r} is not a backup target: write folder:/path/to/medium or s3://bucket/prefix."
    )


def configured_targets() -> list[Target]:
    from django.conf import settings

    return [target_from_spec(spec) for spec in settings.LPSE_BACKUP_TARGETS]
