"""Documents a provider uploads as evidence (the signed statement of R-3.2, the proof of an
experience): a PDF or a scan as an image, of a bounded size.

The checks run on the upload before anything is stored (DESIGN rule 5), and the type is read
from the file's first bytes, not from its name or the browser's word for it.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from lpse.core.errors import DomainError
from lpse.core.models import Blob
from lpse.core.storage import store_upload

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024

# The leading bytes of each accepted type, and the type a download is served as.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def content_type_of(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def evidence_store(upload: UploadedFile | None, *, field: str, uploader=None) -> Blob:
    """Check and store one evidence file; the caller writes the row that refers to it."""
    if upload is None:
        raise DomainError(_("Choose the file to upload."), field=field)
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise DomainError(
            _(
                "“%(name)s” is %(size).1f MB; at most %(mb)d MB is accepted. Scan it at a lower "
                "resolution or save it as a smaller PDF, then upload it again."
            )
            % {
                "name": upload.name,
                "size": upload.size / (1024 * 1024),
                "mb": MAX_EVIDENCE_BYTES // (1024 * 1024),
            },
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if content_type_of(head) is None:
        raise DomainError(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG file. Upload the signed document as a PDF "
                "or as a photo or scan in JPEG or PNG."
            )
            % {"name": upload.name},
            field=field,
        )
    try:
        return store_upload(upload, max_size=MAX_EVIDENCE_BYTES, uploader=uploader)
    except DomainError as exc:
        raise DomainError(exc.message, field=field, code=exc.code) from None
