"""Verifiable documents (R-7.4): every PDF this LPSE hands out is signed — a detached Ed25519
signature over the SHA-256 of its exact bytes (embedding one in the PDF would change the bytes it
signs) — recorded, and served beside it as a ``.sig``. The public page *Verifikasi dokumen*
(``portal``) checks an uploaded copy; every PDF prints the key's fingerprint and that page's
address (``core.pdf``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from lpse.core.models import Blob, IssuedDocument
from lpse.core.signing import SignatureInvalid, fingerprint, public_key_pem, sign_json, verify_json
from lpse.core.storage import open_blob

DOCUMENT_FORMAT = "lpse-document-signature-v1"


def document_issue(data: bytes, *, kind: str) -> IssuedDocument:
    """Sign and record a document on its way out; the same bytes issued again keep their
    first record (a form downloaded twice is one document)."""
    sha256 = hashlib.sha256(data).hexdigest()
    existing = IssuedDocument.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    now = timezone.now()
    signed = sign_json(
        {
            "format": DOCUMENT_FORMAT,
            "sha256": sha256,
            "size": len(data),
            "kind": kind,
            "issued_at": now.isoformat(timespec="seconds"),
            "key_fingerprint": fingerprint(),
        }
    )
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(
                sha256=sha256, size=len(data), kind=kind, issued_at=now, signed=signed
            )
    except IntegrityError:  # issued by a parallel request a moment ago
        return IssuedDocument.objects.get(sha256=sha256)


def pdf_response(data: bytes, filename: str, *, kind: str, attachment: bool = True) -> HttpResponse:
    """The PDF, signed and recorded, with the address of its ``.sig`` in a ``Link`` header."""
    document = document_issue(data, kind=kind)
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    sig = reverse("portal:document_signature", args=[document.sha256])
    response["Link"] = f'<{sig}>; rel="describedby"; type="application/json"'
    response["X-Content-SHA256"] = document.sha256
    return response


def blob_pdf_response(blob: Blob, filename: str, *, kind: str) -> HttpResponse:
    """A stored PDF (a letter, a report), signed and recorded on its way out."""
    with open_blob(blob) as f:
        return pdf_response(f.read(), filename, kind=kind)


@dataclass(frozen=True)
class DocumentCheck:
    # "authentic", or why not: "not_found" (no record and no .sig), "bad_signature" (the .sig
    # or record is not signed by this LPSE's key, or was changed), "other_document" (a valid
    # .sig, but for other bytes: the file was changed, or the .sig is another document's)
    verdict: str
    document: dict | None = None  # the signed record (kind, issued_at …) when authentic

    @property
    def authentic(self) -> bool:
        return self.verdict == "authentic"


def document_check(data: bytes, signature: dict | None = None) -> DocumentCheck:
    """Is ``data`` a document this LPSE issued, unchanged? With its ``.sig`` the answer needs no
    record on the server (a restored or lost database changes nothing); without, the record of
    its SHA-256 is looked up and its signature checked."""
    sha256 = hashlib.sha256(data).hexdigest()
    if signature is None:
        record = IssuedDocument.objects.filter(sha256=sha256).first()
        if record is None:
            return DocumentCheck("not_found")
        signature = record.signed
    try:
        verify_json(signature, public_key_pem())
    except SignatureInvalid:
        return DocumentCheck("bad_signature")
    if signature.get("format") != DOCUMENT_FORMAT:
        return DocumentCheck("bad_signature")
    if signature.get("sha256") != sha256 or signature.get("size") != len(data):
        return DocumentCheck("other_document")
    return DocumentCheck("authentic", signature)
