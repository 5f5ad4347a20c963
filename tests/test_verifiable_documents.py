"""R-7.4: every PDF the system issues is signed (a detached Ed25519 signature over its exact
bytes), recorded, served with its .sig, prints the key's fingerprint, and can be checked by
anyone on *Verifikasi dokumen* — played here as the person who edits a letter and presents it."""

from __future__ import annotations

import json
import re
import zlib

import pytest

from lpse.core import signing
from lpse.core.models import IssuedDocument

pytestmark = pytest.mark.django_db

FORM_URL = "/daftar/formulir/pendaftaran.pdf"


def _issued(client) -> tuple[bytes, dict]:
    """The blank registration form, as anyone downloads it, and its .sig."""
    response = client.get(FORM_URL)
    assert response.status_code == 200, response.status_code
    sig_url = re.match(r"<([^>]+)>", response["Link"])[1]
    return response.content, client.get(sig_url).json()


def _text_of(pdf: bytes) -> str:
    """The PDF's text streams, uncompressed (what a reader sees printed)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


def _check(client, data: bytes, sig: dict | None = None) -> str:
    files = {"document": _upload("dokumen.pdf", data)}
    if sig is not None:
        files["signature"] = _upload("dokumen.sig", json.dumps(sig).encode())
    return client.post("/verifikasi-dokumen/", files).content.decode()


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_R_7_4_an_issued_pdf_is_signed_recorded_and_prints_the_key_fingerprint(client):
    data, sig = _issued(client)
    signing.verify_json(sig, signing.public_key_pem())  # the .sig is the LPSE's
    record = IssuedDocument.objects.get(sha256=sig["sha256"])
    assert record.kind == "provider_form" and record.size == len(data)
    assert signing.fingerprint() in _text_of(data).replace(" ", "").replace("\\", "")


def test_R_7_4_verification_confirms_the_copy_as_issued_and_refuses_an_edited_one(client):
    data, sig = _issued(client)
    assert "Asli" in _check(client, data) or "Authentic" in _check(client, data)
    edited = data + b"\n% an incremental update a forger appends\n"  # readers still open it
    page = _check(client, edited)
    assert "verified" not in page.split('id="verdict"')[1][:200]
    assert IssuedDocument.objects.filter(sha256=sig["sha256"]).exists()


def test_R_7_4_a_copy_and_its_sig_verify_without_any_record_on_the_server(client):
    """A restored or lost database changes nothing: the .sig carries the proof."""
    data, sig = _issued(client)
    IssuedDocument.objects.all().delete()
    assert 'class="state verified"' in _check(client, data, sig)
    assert 'class="state verified"' not in _check(client, data)  # no record, no .sig


def test_R_7_4_a_sig_edited_or_belonging_to_another_document_is_refused(client):
    data, sig = _issued(client)
    forged = {**sig, "kind": "award_letter"}  # edited: the signature no longer holds
    assert 'class="state rejected"' in _check(client, data, forged)
    other = b"%PDF-1.4 another document"
    assert 'class="state rejected"' in _check(client, other, sig)


def test_R_7_4_the_sig_of_an_unknown_document_is_404_and_junk_is_refused_with_a_reason(client):
    assert client.get("/verifikasi-dokumen/" + "0" * 64 + ".sig").status_code == 404
    data, _sig = _issued(client)
    response = client.post(
        "/verifikasi-dokumen/",
        {"document": _upload("a.pdf", data), "signature": _upload("a.sig", b"not json")},
    )
    assert response.status_code == 400
    assert ".sig" in response.content.decode()
