"""Content-addressed file storage (DESIGN rule 5: nothing lost or half-done).

An upload streams to a temporary file while it is hashed; only a complete file is stored under
its SHA-256 (in the data folder or a bucket, ``backends``), and the ``Blob`` row is written in
the caller's transaction. If the transaction rolls back, the object stays as an unreferenced
blob that ``blobs_orphaned`` finds; a reader never sees a partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import held_mail, malware, security_log
from lpse.core.errors import DomainError
from lpse.core.hashing import Fingerprint, RunningFingerprint
from lpse.core.malware import ScanState, Verdict
from lpse.core.models import Blob
from lpse.core.storage.backends import (
    S3Backend,
    StorageFull,
    StorageUnavailable,
    bucket_at,
    current,
    writing,
)
from lpse.core.storage.files import (
    blob_file,
    blob_key,
    blob_size,
    check,
    delete_blob,
    delete_object,
    local_blob_path,
    local_path,
    open_object,
    open_stored,
    put_blob_file,
    put_object_file,
    release_file,
    scratch_dir,
    shared_store,
)
from lpse.core.storage.pending_md5 import blobs_awaiting_md5, complete_md5

__all__ = [
    "BlobUnavailable",
    "InfectedUpload",
    "S3Backend",
    "StorageFull",
    "StorageUnavailable",
    "blob_file",
    "blob_row",
    "blob_size",
    "blobs_awaiting_md5",
    "bucket_at",
    "check",
    "complete_md5",
    "delete_blob",
    "delete_object",
    "local_blob_path",
    "local_path",
    "make_durable",
    "open_blob",
    "open_object",
    "open_stored",
    "put_blob_file",
    "put_object_file",
    "release_file",
    "scratch_dir",
    "shared_store",
    "store_bytes",
    "store_chunks",
    "store_hashed_file",
    "store_upload",
    "writing",
]

CHUNK = 1024 * 1024


class InfectedUpload(DomainError):
    """The virus scanner found malware in an upload (R-4.4): refused, nothing kept."""


class BlobUnavailable(Exception):
    """A held or infected blob was asked for: core.middleware answers with a page saying why."""

    def __init__(self, blob: Blob):
        super().__init__(blob.sha256)
        self.blob = blob


def store_chunks(
    chunks: Iterable[bytes],
    *,
    max_size: int | None = None,
    scan: bool = False,
    uploader=None,
    filename: str = "",
) -> Blob:
    """Keep a file under its SHA-256. ``scan``: an upload by a person, checked by the virus
    scanner before it is kept (malware.scan_path); ``uploader`` is told if it is held."""
    running = RunningFingerprint()
    backend = current()
    with writing():
        fd, tmp_name = tempfile.mkstemp(dir=backend.scratch_dir(), prefix="upload-")
    try:
        # A full disk while the upload is written: StorageFull, the temporary file removed.
        with writing(), os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                if max_size is not None and running.size + len(chunk) > max_size:
                    raise DomainError(
                        _("The file is larger than the %(mb)d MB allowed here.")
                        % {"mb": max_size // (1024 * 1024)},
                        field="file",
                    )
                running.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if running.size == 0:
            raise DomainError(_("The file is empty. Choose the file again."), field="file")
        fingerprint = running.result()
        verdict = _scan(tmp_name, fingerprint, filename) if scan else None
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    blob = store_hashed_file(tmp_name, fingerprint)
    if verdict is not None:
        _keep_verdict(blob, verdict, uploader, filename)
    return blob


def store_hashed_file(path: Path | str, fingerprint: Fingerprint) -> Blob:
    """Keep a complete file whose ``fingerprint`` was taken as it was written (by
    ``store_chunks``, or by a process of the opening's pool), without reading it again: in the
    data folder it is renamed into place. A fingerprint without an MD5 leaves it to
    ``complete_md5``. The file is gone afterwards, kept or not. A file not
    fsynced by its writer is durable once ``make_durable`` has run: call it before the rows
    that name the blob commit."""
    backend = current()
    try:
        if fingerprint.size == 0:
            raise DomainError(_("The file is empty. Choose the file again."), field="file")
        key = blob_key(fingerprint.sha256)
        if backend.size(key) == fingerprint.size:
            os.unlink(path)  # the same bytes are stored already
        else:
            backend.put_file(key, path)  # whole or not at all, in either backend
    except BaseException:
        if os.path.exists(path):
            os.unlink(path)
        raise
    return blob_row(fingerprint)


def blob_row(fingerprint: Fingerprint) -> Blob:
    """The ``Blob`` row of stored bytes, written if new. A row kept without its MD5 (the
    opening's documents, ``pending_md5``) takes it from a writer that has it, so a document
    uploaded again later does not carry the empty MD5 into its records."""
    blob, created = Blob.objects.get_or_create(
        sha256=fingerprint.sha256, defaults={"md5": fingerprint.md5, "size": fingerprint.size}
    )
    if not created and not blob.md5 and fingerprint.md5:
        Blob.objects.filter(pk=blob.pk, md5="").update(md5=fingerprint.md5)
        blob.md5 = fingerprint.md5
    return blob


def make_durable() -> None:
    """Every blob stored so far survives a power cut: one flush of the store's file system for
    a writer of many files (the opening), instead of an fsync per file."""
    current().make_durable()


def _scan(path: str, fingerprint: Fingerprint, filename: str) -> Verdict:
    """The scanner's word on a complete upload, before it is kept. Content seen clean before
    is not sent again; infected content is refused here, its refusal written outside the
    transaction that the refusal rolls back (security_log)."""
    known = Blob.objects.filter(sha256=fingerprint.sha256, scan_state=ScanState.CLEAN).first()
    if known is not None:
        return Verdict(ScanState.CLEAN)
    verdict = malware.scan_path(path)
    if verdict.state == ScanState.INFECTED:
        security_log.record(
            "upload.infected",
            sha256=fingerprint.sha256,
            size=fingerprint.size,
            filename=filename,
            signature=verdict.signature,
        )
        raise InfectedUpload(
            _(
                "The virus scanner found malware (%(signature)s) in “%(name)s”, so it was not "
                "accepted. Check the computer the file came from with an up-to-date virus "
                "scanner, then send a clean copy."
            )
            % {"signature": verdict.signature, "name": filename or _("the file")},
            field="file",
            code="infected",
        )
    return verdict


def _keep_verdict(blob: Blob, verdict: Verdict, uploader: Any, filename: str) -> None:
    if blob.scan_state == ScanState.CLEAN:
        return
    blob.scan_state = verdict.state
    blob.scanned_at = timezone.now() if verdict.state == ScanState.CLEAN else None
    blob.held_for = uploader if verdict.state == ScanState.HELD else None
    blob.save(update_fields=["scan_state", "scanned_at", "held_for"])
    if verdict.state == ScanState.HELD:
        security_log.record(
            "upload.held", sha256=blob.sha256, filename=filename, problem=verdict.problem
        )
        if uploader is not None and uploader.email:
            held_mail.mail_held(uploader, blob, filename)


def store_upload(upload: UploadedFile, *, max_size: int | None = None, uploader=None) -> Blob:
    """A person's upload: scanned for malware (R-4.4) before it is kept."""
    return store_chunks(
        upload.chunks(CHUNK),
        max_size=max_size,
        scan=True,
        uploader=uploader,
        filename=(upload.name or "")[:200],
    )


def store_bytes(data: bytes) -> Blob:
    return store_chunks([data])


def open_blob(blob: Blob) -> BinaryIO:
    """The stored bytes, unless the virus scanner holds or refused them (R-4.4)."""
    if blob.scan_state in (ScanState.HELD, ScanState.INFECTED):
        raise BlobUnavailable(blob)
    return open_stored(blob.sha256)
