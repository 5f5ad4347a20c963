"""The part file of a resumable bid upload with the data-folder store (one machine, R-9.6):
chunks appended at known offsets under an exclusive lock, with their hashes carried from one
request to the next in this process. With a shared store see ``shared_upload``."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from lpse.bids import arrival
from lpse.bids.models import Upload
from lpse.bids.upload_hashes import CHUNK, RunningHashes
from lpse.core import storage
from lpse.core.errors import DomainError


def part_path(upload: Upload) -> Path:
    """The part file of an upload with the data-folder store (one machine); with a shared
    store the chunks are objects (``shared_upload``) and there is no part file."""
    path = storage.local_path(f"uploads/{upload.id}.part")
    assert path is not None, "a part file exists only with the data-folder store"
    return path


def resume_offset(upload: Upload) -> int:
    """Where a receiving upload goes on: the bytes both recorded (after their fsync) and on disk.
    A server killed mid-chunk leaves written but unrecorded bytes after the recorded offset: they
    do not count (the next PATCH drops them), so the provider is told to resume from the byte
    that a PATCH accepts."""
    if upload.state != Upload.State.RECEIVING:
        return upload.offset
    path = part_path(upload)
    return min(upload.offset, path.stat().st_size if path.exists() else 0)


@contextmanager
def exclusive(upload: Upload):
    """One writer per upload: a client that retries while the server still reads its earlier,
    half-dead request must not interleave bytes into the same part file."""
    lock_path = part_path(upload).with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DomainError(
                _("Another request is still sending this upload; wait a moment and resume."),
                code="offset_mismatch",
            ) from None
        try:
            yield
        finally:
            if not Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).exists():
                lock_path.unlink(missing_ok=True)  # finished: nobody writes here again
            fcntl.flock(lock, fcntl.LOCK_UN)


def receive(
    upload: Upload, offset: int, stream: BinaryIO, length: int | None
) -> tuple[int, datetime, tuple[str, str] | None]:
    """Append one chunk at ``offset`` to the part file: (bytes taken, when the last of them
    arrived, the whole file's hashes when it is complete and they were carried along)."""
    path = part_path(upload)
    at = resume_offset(upload)
    if offset != at:
        raise DomainError(
            _("The upload is at byte %(at)d, not %(offset)d: resume from there.")
            % {"at": at, "offset": offset},
            code="offset_mismatch",
        )
    if path.exists() and path.stat().st_size > at:
        truncate(path, at)  # bytes of a chunk cut by a crash, never confirmed
    remaining = upload.length - offset
    hasher = running_hashes.resume(upload.pk, offset)
    written = 0
    try:
        with open(path, "ab") as out:
            while written < remaining:
                want = min(CHUNK, remaining - written)
                if length is not None:
                    want = min(want, length - written)
                    if want <= 0:
                        break
                try:
                    chunk = stream.read(want)
                except OSError:  # the connection broke (a reset): keep what arrived
                    chunk = b""
                if not chunk:
                    break
                out.write(chunk)
                if hasher:
                    hasher.update(chunk)
                written += len(chunk)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        truncate(path, offset)
        raise DomainError(
            _(
                "The server could not store the upload (%(error)s). Nothing was "
                "saved from this part; try again, or tell the LPSE helpdesk."
            )
            % {"error": exc.strerror or exc},
            code="storage",
        ) from None
    if hasher is not None:
        running_hashes.keep(upload.pk, offset + written, hasher)
    if written:
        arrived_at = arrival.now()
        Upload.objects.filter(pk=upload.pk).update(offset=offset + written, updated_at=arrived_at)
    else:
        # Nothing new (every byte was already in, and a server stopped before accepting them):
        # they arrived when the offset last moved, not now.
        arrived_at = Upload.objects.filter(pk=upload.pk).values_list("updated_at", flat=True)[0]
    if offset + written < upload.length:
        return written, arrived_at, None
    running_hashes.drop(upload.pk)
    return written, arrived_at, hasher.digests() if hasher else None


def truncate(path: Path, size: int) -> None:
    with open(path, "ab") as f:
        f.truncate(size)


running_hashes = RunningHashes()
