"""A restore's blobs straight into the bucket the nodes will read (``lpse restore --storage-url
s3://…``, issue 19): with object storage the blobs are not the data folder's, and copying a
restored folder into the bucket by hand doubled the disk a restore needs and skipped the proof.

Blobs are decrypted in batches into a scratch folder (each proven against the signed manifest
by ``pieces``), uploaded, and the local copy removed, so the scratch folder never holds more
than one batch. The bucket's ``blobs/`` must be empty; on any failure every blob this restore
uploaded is deleted again, so a half restore never looks like a store.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

from lpse.archive import pieces
from lpse.archive.pieces import Piece
from lpse.archive.targets import Target
from lpse.core import storage

# One batch of plaintext at a time in the scratch folder.
BATCH_BYTES = 256 * 1024 * 1024


class BucketRefused(Exception):
    """The bucket cannot take the restore; the message says why and what to do."""


def open_empty_bucket(url: str) -> storage.S3Backend:
    """The bucket of ``url``, answering and without blobs; else BucketRefused."""
    try:
        bucket = storage.bucket_at(url)
    except ValueError as exc:
        raise BucketRefused(str(exc).replace("LPSE_STORAGE_URL", "--storage-url")) from None
    try:
        bucket.check()
        held = bucket.keys("blobs/")
    except storage.StorageUnavailable as exc:
        raise BucketRefused(
            f"{bucket!r} does not answer ({exc}): check the address, the bucket's name and "
            "LPSE_STORAGE_S3_ACCESS_KEY / LPSE_STORAGE_S3_SECRET_KEY"
        ) from None
    if held:
        raise BucketRefused(
            f"{bucket!r} already holds {len(held)} blobs: restore only into an empty bucket "
            "(or a new prefix), never over a site's files."
        )
    return bucket


def _batches(blobs: dict[str, Piece]) -> Iterator[list[tuple[str, Piece]]]:
    batch: list[tuple[str, Piece]] = []
    held = 0
    for key, piece in blobs.items():
        if batch and held + piece.plain_size > BATCH_BYTES:
            yield batch
            batch, held = [], 0
        batch.append((key, piece))
        held += piece.plain_size
    if batch:
        yield batch


def blobs_into_bucket(
    target: Target,
    blobs: dict[str, Piece],
    identities: list,
    bucket: storage.S3Backend,
    scratch: Path,
    *,
    workers: int,
    restored: Callable[[int], None],
) -> int:
    """Every blob of the manifest decrypted, proven and put in ``bucket`` under its key
    (``blobs/ab/abcd…``, the key the nodes read); ``restored(size)`` after each. Returns how
    many; on failure the ones put are deleted and the error goes on."""
    uploaded: list[str] = []
    try:
        for batch in _batches(blobs):
            jobs = [(piece, scratch / key) for key, piece in batch]
            for size in pieces.decrypt_many(target, jobs, identities, workers=workers):
                restored(size)
            for key, piece in batch:
                bucket.put_file(key, scratch / key)  # removes the local copy once it is up
                uploaded.append(key)
                stored = bucket.size(key)
                if stored != piece.plain_size:
                    raise BucketRefused(
                        f"{key}: the bucket holds {stored} bytes, the manifest says "
                        f"{piece.plain_size}"
                    )
        return len(uploaded)
    except BaseException:
        for key in uploaded:
            with suppress(Exception):
                bucket.delete(key)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
