"""Verifiable documents (R-7.4): every PDF this LPSE hands out is signed — a detached Ed25519
signature over the SHA-256 of its exact bytes (embedding one in the PDF would change the bytes it
signs) — recorded, and served beside it as a ``.sig``. The public page *Verifikasi dokumen*
(``portal``) checks an uploaded copy; every PDF prints the key's fingerprint and that page's
address (``core.pdf``).

A document that an audit event issues (the opening report, the award letter) is stored with
that event's log proof (R-9.8) appended after the bytes the event recorded: printed pages and
the proof as an attached ``lpse-log-proof.json`` (``issued_with_proof``); the receipt PDF,
made on request, carries the proof of the bid's acceptance. ``pdf_log_proof_check`` reads and
checks either.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from lpse.core import log_proof
from lpse.core.models import AuditEvent, Blob, IssuedDocument
from lpse.core.pdf import PdfAppendError, append_pages, attached_json
from lpse.core.signing import SignatureInvalid, fingerprint, public_key_pem, sign_json, verify_json
from lpse.core.storage import open_blob
from lpse.core.transparency import LogProblem

logger = logging.getLogger(__name__)

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
    """A stored PDF (a letter, a report), signed and recorded on its way out, exactly as stored:
    the SHA-256 a page shows beside its link is the SHA-256 of the download."""
    with open_blob(blob) as f:
        data = f.read()
    return pdf_response(data, filename, kind=kind)


def issued_with_proof(data: bytes, event: AuditEvent, *, recorded_as: str) -> bytes:
    """At issuing, after ``event`` recorded ``data``'s SHA-256 as ``data[recorded_as]``: the
    document followed by that event's log proof, under the head signed now (R-9.8). Stored so,
    it is served the same every time. If the log no longer holds, the document goes out without
    a proof that would have to be false; the break is for ``lpse audit verify`` and the
    auditors."""
    try:
        return with_event_proof(data, event, recorded_as=recorded_as)
    except (PdfAppendError, LogProblem) as exc:
        logger.error("no log proof for %s #%s: %s", event.action, event.seq, exc)
        return data


def with_event_proof(data: bytes, event: AuditEvent, *, recorded_as: str = "") -> bytes:
    """``data`` (a PDF) with the log proof of ``event`` appended. The proof names the bytes it
    follows; ``recorded_as``: the key under which the event recorded their SHA-256, if it did."""
    document: dict = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    if recorded_as:
        document["recorded_as"] = recorded_as
    return with_log_proof(data, log_proof.proof_for(event, document=document))


def with_log_proof(data: bytes, proof: dict) -> bytes:
    """``data`` (a PDF) with the log proof appended: printed, and attached as JSON. The same
    data and proof always give the same bytes."""
    return append_pages(
        data,
        log_proof.proof_lines(proof, site=settings.LPSE_SITE_NAME),
        attachment=(PROOF_ATTACHMENT, json.dumps(proof, sort_keys=True, indent=1).encode()),
    )


PROOF_ATTACHMENT = "lpse-log-proof.json"


def pdf_log_proof(data: bytes) -> dict | None:
    """The log proof a PDF carries in its appendix, or None."""
    attached = attached_json(data)
    if attached is None:
        return None
    try:
        proof = json.loads(attached)
    except ValueError:
        return None
    return proof if isinstance(proof, dict) else None


def pdf_log_proof_check(data: bytes, public_pem: str) -> log_proof.ProofCheck:
    """The PDF's log proof holds (``log_proof.verify_proof``), its first ``size`` bytes are the
    document it names, and everything after them is exactly the appendix this LPSE writes for
    that document and proof: pages added by anyone else would not be covered by the proof."""
    proof = pdf_log_proof(data)
    if proof is None:
        raise log_proof.ProofProblem(
            "not_a_proof", "This PDF carries no log proof (no lpse-log-proof.json attached)."
        )
    check = log_proof.verify_proof(proof, public_pem)
    document = proof.get("document")
    if not isinstance(document, dict):
        raise log_proof.ProofProblem("not_a_proof", "The proof names no part of this PDF.")
    size = document.get("size")
    if not isinstance(size, int) or not 0 < size <= len(data):
        raise log_proof.ProofProblem("not_a_proof", "The proof names no part of this PDF.")
    if hashlib.sha256(data[:size]).hexdigest() != document.get("sha256"):
        raise log_proof.ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: the first {size} bytes of this PDF are not the document the proof "
            "names (their SHA-256 differs): the document was changed.",
        )
    try:
        same = with_log_proof(data[:size], proof) == data
    except PdfAppendError:
        same = False
    if not same:
        raise log_proof.ProofProblem(
            "leaf_mismatch",
            f"Leaf mismatch: after the document's {size} bytes this PDF holds more, or other, "
            "than the LPSE's proof appendix: pages were added or changed.",
        )
    return check


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
