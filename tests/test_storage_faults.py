"""The file store failing outside bid uploads (issue 21): the data folder's disk full, and the
object store (SeaweedFS) killed, while a person uploads a document, while a PDF is generated and
kept, while a document is downloaded. Each time: a clear message (code ``storage_full`` or
``storage``; a 503 page for a download), nothing half-written (no row pointing at a missing or
partial file, no partial file), and the same action works once the store is back.

The disk is a real 4 MiB tmpfs and the store a real SeaweedFS killed with SIGKILL
(tests/fault_fixtures.py). Bid uploads have their own: tests/test_bid_faults.py,
tests/test_bid_uploads_shared.py; backups with the store down: tests/test_backup_store_down.py."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.catalog.models import BusinessSubField
from lpse.core import storage
from lpse.core.errors import DomainError
from lpse.core.models import Blob
from lpse.providers.models import Experience
from lpse.providers.services import experience
from lpse.tenders.models import DocumentDownload, IntegrityPact, TenderDocument
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as tenders
from tests.tender_fixtures import PREPARED_AT, at, draft_tender

pytestmark = pytest.mark.django_db

KiB = 1024
FULL_MESSAGE = "The server's file storage is full, so the file was not saved."
DOWN_MESSAGE = "The file store is not reachable right now"


def _pdf(size: int = 300 * KiB, name: str = "dokumen.pdf") -> SimpleUploadedFile:
    """A PDF-looking upload of random (incompressible) bytes."""
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n" + os.urandom(size), content_type="application/pdf"
    )


def _files(folder: Path) -> list[str]:
    """Every file under ``folder`` but the ballast: what a failed write may have left."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "ballast"
    )


# ----- the uploads a person makes, each through its own service -------------------------------


def _draft(agency_a, verified_provider):
    with time_machine.travel(PREPARED_AT, tick=False):
        return draft_tender(agency_a)


def _tender_document(tender, agency_a, verified_provider, upload):
    with time_machine.travel(PREPARED_AT, tick=False):
        document = tenders.document_add(
            actor=agency_a.members[0], tender=tender, title="Dokumen Tender", upload=upload
        )
    return document.blob


def _experience_proof(_nothing, agency_a, verified_provider, upload):
    return experience.experience_add(
        actor=verified_provider,
        data=experience.ExperienceData(
            contract_name="Pembangunan gedung SD",
            client="Dinas Pendidikan Kabupaten Maros",
            sub_field=BusinessSubField.objects.get(code="K01"),
            contract_value="1.000.000.000",
            completed_on=date(2020, 3, 20),
        ),
        proof=upload,
    ).proof


# (what is made before, the upload through its service, the model of the row it would add)
UPLOADS = {
    "tender document": (_draft, _tender_document, TenderDocument),
    "provider experience proof": (lambda *_: None, _experience_proof, Experience),
}


@pytest.mark.parametrize("path", list(UPLOADS))
def test_issue21_a_full_disk_refuses_an_upload_clearly_and_keeps_nothing(
    path, agency_a, verified_provider, settings, full_disk
):
    prepare, upload_to, model = UPLOADS[path]
    before = prepare(agency_a, verified_provider)
    rows, blobs = model.objects.count(), Blob.objects.count()
    settings.MEDIA_ROOT = full_disk
    full_disk.fill(leave=100 * KiB)
    upload = _pdf(300 * KiB)

    with pytest.raises(DomainError) as refused:  # a form shows it beside the file field
        upload_to(before, agency_a, verified_provider, upload)

    assert refused.value.code == "storage_full"
    assert FULL_MESSAGE in str(refused.value) and "helpdesk" in str(refused.value)
    assert (model.objects.count(), Blob.objects.count()) == (rows, blobs)
    assert _files(full_disk) == []  # no partial upload, no stored object

    full_disk.free()  # the operator frees space; the person sends the same file again
    upload.seek(0)
    blob = upload_to(before, agency_a, verified_provider, upload)
    upload.seek(0)
    assert blob.sha256 == hashlib.sha256(upload.read()).hexdigest()
    assert model.objects.count() == rows + 1
    assert _files(full_disk) == [f"blobs/{blob.sha256[:2]}/{blob.sha256}"]


def test_issue21_the_committee_sees_why_a_document_was_not_uploaded(
    agency_a, settings, full_disk, client
):
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(agency_a)
    settings.MEDIA_ROOT = full_disk
    full_disk.fill(leave=50 * KiB)
    client.force_login(agency_a.members[0])
    with time_machine.travel(PREPARED_AT, tick=False):
        page = client.post(
            f"/kelola/tender/{tender.code}/",
            {"title": "Dokumen Tender", "file": _pdf(300 * KiB)},
        )
    assert page.status_code == 200
    assert "file storage is full" in page.content.decode()
    assert not tender.documents.exists() and _files(full_disk) == []


# ----- a PDF the site generates and keeps --------------------------------------------------------


def test_issue21_a_generated_pdf_on_a_full_disk_is_not_kept_half_and_is_made_again(
    agency_a, settings, full_disk
):
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(agency_a)
    settings.MEDIA_ROOT = full_disk
    full_disk.fill(leave=0)
    with time_machine.travel(PREPARED_AT, tick=False):
        with pytest.raises(storage.StorageFull):
            tenders.pact_sign(actor=agency_a.ppk, tender=tender)
        assert not IntegrityPact.objects.filter(tender=tender, signer=agency_a.ppk).exists()
        assert _files(full_disk) == []
        full_disk.free()
        pact = tenders.pact_sign(actor=agency_a.ppk, tender=tender)
    assert (full_disk / f"blobs/{pact.document.sha256[:2]}/{pact.document.sha256}").exists()


def test_issue21_a_copy_for_a_tool_on_a_full_scratch_disk_leaves_no_partial_copy(
    s3_store, settings, full_disk
):
    """Blobs in a bucket are fetched to this node's scratch folder for the PDF tools, the virus
    scanner and the opening (``blob_file``): a full scratch disk says so and keeps no copy."""
    blob = storage.store_bytes(os.urandom(600 * KiB))
    settings.LPSE_SCRATCH_DIR = str(full_disk)
    full_disk.fill(leave=200 * KiB)
    with pytest.raises(storage.StorageFull):
        storage.blob_file(blob.sha256)
    assert _files(full_disk) == []
    full_disk.free()
    copy = storage.blob_file(blob.sha256)
    assert copy.stat().st_size == blob.size
    storage.release_file(copy)


# ----- the object store killed ---------------------------------------------------------------------


def test_issue21_the_store_killed_during_a_download_answers_503_and_records_nothing(
    own_store, published_tender, verified_provider, client
):
    document = published_tender.documents.get()
    with time_machine.travel(at(0, 9), tick=False):
        tenders.pact_sign(actor=verified_provider, tender=published_tender)
        participation.participation_register(actor=verified_provider, tender=published_tender)
        client.force_login(verified_provider)
        own_store.server.kill()
        page = client.get(f"/dokumen/{document.pk}/unduh/")
        assert page.status_code == 503 and page["Retry-After"] == "60"
        assert DOWN_MESSAGE in page.content.decode()
        # Not counted as downloaded: the provider got nothing.
        assert not DocumentDownload.objects.filter(document=document).exists()
        own_store.restart()
        page = client.get(f"/dokumen/{document.pk}/unduh/")
    assert page.status_code == 200
    assert b"".join(page.streaming_content) == b"%PDF-1.4 tender"
    assert DocumentDownload.objects.filter(document=document).count() == 1


def test_issue21_the_store_killed_while_a_pdf_is_kept_records_nothing_then_works(
    own_store, agency_a
):
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(agency_a)
        blobs = Blob.objects.count()
        own_store.server.kill()
        with pytest.raises(storage.StorageUnavailable) as down:
            tenders.pact_sign(actor=agency_a.ppk, tender=tender)
        assert down.value.code == "storage" and DOWN_MESSAGE in str(down.value)
        assert not IntegrityPact.objects.filter(tender=tender, signer=agency_a.ppk).exists()
        assert Blob.objects.count() == blobs
        assert _files(Path(storage.scratch_dir())) == []
        own_store.restart()
        pact = tenders.pact_sign(actor=agency_a.ppk, tender=tender)
    with storage.open_blob(pact.document) as stored:
        assert stored.read(5) == b"%PDF-"


def test_issue21_the_committee_is_told_when_the_store_is_down_as_it_signs_the_pact(
    own_store, agency_a, client
):
    """The same through the page: the pact PDF cannot be kept, the member reads why."""
    member = agency_a.members[0]
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(agency_a)
        client.force_login(member)
        own_store.server.kill()
        page = client.post(f"/kelola/tender/{tender.code}/pakta/", follow=True)
        assert DOWN_MESSAGE in page.content.decode()
        assert not IntegrityPact.objects.filter(tender=tender, signer=member).exists()
        own_store.restart()
        client.post(f"/kelola/tender/{tender.code}/pakta/")
    assert IntegrityPact.objects.filter(tender=tender, signer=member).exists()
