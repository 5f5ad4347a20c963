"""Resumable bid uploads whose chunks may reach different application nodes (issue 19, R-9.11).

With a shared object store (``LPSE_STORAGE_URL=s3://…``) no node keeps a part file: each chunk
request stores what it received as one object, then records it (``UploadChunk``) in the same
transaction that moves the upload's offset — only if the offset is still where the request
started, so of two requests racing at one offset exactly one counts, on whichever nodes they
ran. The provider's next chunk may then go to any node. At acceptance the chunks are composed
by one streaming pass that computes the MD5 and SHA-256 as it copies (S3's multipart needs
parts of 5 MiB or more and bid.js sends 4 MiB; a copy also gives the hashes, which no node
could carry from chunk to chunk).

The object store down while a chunk comes in: nothing is recorded, the provider is told to
resume from the same byte. Down at acceptance: the bid is not accepted (its transaction never
runs without the envelope stored), and the chunks stay for the next try.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.bids import arrival
from lpse.bids.models import Upload, UploadChunk
from lpse.bids.upload_hashes import CHUNK
from lpse.core import storage
from lpse.core.errors import DomainError
from lpse.core.hashing import RunningFingerprint


def receive(
    upload: Upload, offset: int, stream: BinaryIO, length: int | None
) -> tuple[int, object]:
    """Take one chunk at ``offset``: returns (bytes taken, when the last of them arrived)."""
    at = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True)[0]
    if offset != at:
        raise _mismatch(at, offset)
    remaining = upload.length - offset
    fd, name = tempfile.mkstemp(dir=storage.scratch_dir(), prefix="chunk-")
    spool = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            written = _copy(stream, out, remaining if length is None else min(remaining, length))
        if not written:
            spool.unlink()
            arrived = Upload.objects.filter(pk=upload.pk).values_list("updated_at", flat=True)[0]
            return 0, arrived
        arrived = arrival.now()  # the last byte is here; storing it is the server's time
        key = f"uploads/{upload.pk}/{offset:015d}-{secrets.token_hex(6)}"
        storage.put_object_file(key, spool)
    except storage.StorageUnavailable as exc:
        spool.unlink(missing_ok=True)
        raise DomainError(
            _(
                "The file store did not answer (%(detail)s). Nothing was saved from this part; "
                "your browser resumes the upload from byte %(at)d."
            )
            % {"detail": exc.detail, "at": offset},
            code="storage",
        ) from None
    except BaseException:
        spool.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        moved = Upload.objects.filter(
            pk=upload.pk, state=Upload.State.RECEIVING, offset=offset
        ).update(offset=offset + written, updated_at=arrived)
        if moved:
            UploadChunk.objects.create(upload=upload, offset=offset, size=written, key=key)
    if not moved:
        storage.delete_object(key)  # recorded nowhere: the request that won has these bytes
        raise DomainError(
            _("Another request is still sending this upload; wait a moment and resume."),
            code="offset_mismatch",
        )
    return written, arrived


def _copy(stream: BinaryIO, out, want: int) -> int:
    written = 0
    while written < want:
        try:
            chunk = stream.read(min(CHUNK, want - written))
        except OSError:  # the connection broke (a reset): keep what arrived
            chunk = b""
        if not chunk:
            break
        out.write(chunk)
        written += len(chunk)
    return written


def _mismatch(at: int, offset: int) -> DomainError:
    return DomainError(
        _("The upload is at byte %(at)d, not %(offset)d: resume from there.")
        % {"at": at, "offset": offset},
        code="offset_mismatch",
    )


def compose(upload: Upload) -> tuple[Path, str, str]:
    """The whole envelope as one file on this node, with its MD5 and SHA-256, read once from
    the recorded chunks in order. Raises StorageUnavailable (nothing accepted) if the store
    fails midway."""
    chunks = list(UploadChunk.objects.filter(upload=upload).order_by("offset"))
    expected = 0
    for chunk in chunks:
        if chunk.offset != expected:
            raise DomainError(_("The upload has a gap; resume it."), code="offset_mismatch")
        expected += chunk.size
    if expected != upload.length:
        raise _mismatch(expected, upload.length)
    hashes = RunningFingerprint()
    fd, name = tempfile.mkstemp(dir=storage.scratch_dir(), prefix="envelope-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                with storage.open_object(chunk.key) as source:
                    while data := source.read(CHUNK):
                        hashes.update(data)
                        out.write(data)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    md5, sha256 = hashes.digests()
    return path, md5, sha256


def forget(upload: Upload) -> None:
    """Remove the chunks of an upload that is accepted or refused (its bytes are in the blob,
    or never will be)."""
    for chunk in UploadChunk.objects.filter(upload=upload):
        try:
            storage.delete_object(chunk.key)
        except storage.StorageUnavailable:
            continue  # its row stays, so a later sweep finds the object
        chunk.delete()
