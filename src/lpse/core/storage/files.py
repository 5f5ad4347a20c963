"""Stored blobs by SHA-256, whichever backend holds them (``backends``): their size, a stream,
a file on this node for tools that need a path (age, the virus scanner, the PDF maker), and
their removal. No check of the virus scanner's verdict here: ``open_blob`` is the door for
people; these are for the site's own jobs (opening, backups, rescans)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

from lpse.core.storage.backends import current, writing

# Copies fetched for a tool are removed by the next fetch once this old (a crashed worker's
# leftovers); a tool that needs its copy longer than this is not one we have.
COPY_LIFETIME = 3600.0


def blob_key(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}"


def blob_size(sha256: str) -> int | None:
    """The stored size, or None when the store has no such blob."""
    return current().size(blob_key(sha256))


def open_stored(sha256: str) -> BinaryIO:
    """The stored bytes as a stream; FileNotFoundError when the store has no such blob."""
    try:
        return current().open(blob_key(sha256))
    except KeyError:
        raise FileNotFoundError(blob_key(sha256)) from None


def local_blob_path(sha256: str) -> Path | None:
    """The blob's own file when the store is this node's folder, else None."""
    return current().local_path(blob_key(sha256))


def blob_file(sha256: str) -> Path:
    """A file with the blob's bytes on this node, for a tool that wants a path. The folder
    backend gives its own file; a bucket's blob is fetched afresh into the scratch folder (so a
    check of the copy is a check of what is stored now). When the store has no such blob the
    path returned does not exist, as the folder's would not."""
    backend = current()
    local = backend.local_path(blob_key(sha256))
    if local is not None:
        return local
    folder = backend.scratch_dir() / "copies"
    with writing():
        folder.mkdir(parents=True, exist_ok=True)
    _forget_old_copies(folder)
    with writing():
        fd, partial = tempfile.mkstemp(dir=folder, prefix=f".{sha256[:16]}-")
    os.close(fd)
    copy = folder / f"{sha256}-{Path(partial).name[-8:]}"
    try:
        with writing(partial):  # a full scratch disk: StorageFull, no partial copy left
            backend.download(blob_key(sha256), Path(partial))
    except KeyError:  # ``writing`` removed the partial copy already
        return copy  # does not exist: the blob is missing
    os.replace(partial, copy)
    return copy


def _forget_old_copies(folder: Path) -> None:
    limit = time.time() - COPY_LIFETIME
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except FileNotFoundError:
            pass  # another worker removed it first


def release_file(path: Path) -> None:
    """Done with a ``blob_file``: a fetched copy goes now, the folder's own file stays."""
    backend = current()
    if backend.local_path("") is None:
        path.unlink(missing_ok=True)


def delete_blob(sha256: str) -> None:
    current().delete(blob_key(sha256))


def scratch_dir() -> Path:
    """Where this node keeps temporary files (beside the blobs for the folder backend)."""
    return current().scratch_dir()


def check() -> str:
    """The store answers (the readiness probe): a description of it, or an exception."""
    backend = current()
    backend.check()
    return f"ok ({backend.kind})"


# ----- objects other than blobs (the chunks of a bid upload sent through several nodes) --------


def shared_store() -> bool:
    """True when every node sees the same objects (a bucket), False for this node's folder."""
    return current().local_path("") is None


def local_path(key: str) -> Path | None:
    """Where an object of the data folder lives (None with a bucket): for files that are only
    ever written on a single machine, like the part file of a resumable upload."""
    return current().local_path(key)


def put_object_file(key: str, source: Path) -> None:
    """Store a complete file under ``key`` (whole or not at all); the file is consumed."""
    current().put_file(key, source)


def open_object(key: str) -> BinaryIO:
    try:
        return current().open(key)
    except KeyError:
        raise FileNotFoundError(key) from None


def delete_object(key: str) -> None:
    current().delete(key)


def put_blob_file(sha256: str, source: Path, size: int) -> None:
    """Keep a file already hashed (a composed bid envelope) as the blob ``sha256``: unless the
    same bytes are stored already. The file is consumed either way."""
    if blob_size(sha256) == size:
        source.unlink()
    else:
        current().put_file(blob_key(sha256), source)
