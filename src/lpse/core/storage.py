"""Content-addressed file storage (DESIGN rule 5: nothing lost or half-done).

An upload streams to a temporary file while it is hashed; only a complete file is moved into
place under its SHA-256, and the ``Blob`` row is written in the caller's transaction. If the
transaction rolls back, the file stays as an unreferenced blob that ``blobs_orphaned`` finds;
a reader never sees a partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lpse.core.errors import DomainError
from lpse.core.hashing import Fingerprint
from lpse.core.models import Blob

CHUNK = 1024 * 1024


def _blob_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "blobs" / sha256[:2] / sha256


def store_chunks(chunks: Iterable[bytes], *, max_size: int | None = None) -> Blob:
    import hashlib

    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    size = 0
    tmp_dir = Path(settings.MEDIA_ROOT) / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise DomainError(
                        _("The file is larger than the %(mb)d MB allowed here.")
                        % {"mb": max_size // (1024 * 1024)},
                        field="file",
                    )
                md5.update(chunk)
                sha.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise DomainError(_("The file is empty. Choose the file again."), field="file")
        fingerprint = Fingerprint(md5=md5.hexdigest(), sha256=sha.hexdigest(), size=size)
        final = _blob_path(fingerprint.sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)  # atomic on one filesystem
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    blob, _created = Blob.objects.get_or_create(
        sha256=fingerprint.sha256, defaults={"md5": fingerprint.md5, "size": fingerprint.size}
    )
    return blob


def store_upload(upload: UploadedFile, *, max_size: int | None = None) -> Blob:
    return store_chunks(upload.chunks(CHUNK), max_size=max_size)


def store_bytes(data: bytes) -> Blob:
    return store_chunks([data])


def open_blob(blob: Blob):
    return open(_blob_path(blob.sha256), "rb")
