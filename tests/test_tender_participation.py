"""Providers in a tender (R-8.3), clarification, documents and their hashes (R-7.2), and the
scoping of agencies and providers (DESIGN rule 4)."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import SentEmail
from lpse.providers.models import Company
from lpse.tenders.models import DocumentDownload, Participation, TenderDocument
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from tests.tender_fixtures import at

pytestmark = pytest.mark.django_db


def join(provider, tender):
    services.pact_sign(actor=provider, tender=tender)
    return participation.participation_register(actor=provider, tender=tender)


# --- registration ---------------------------------------------------------------------------------


def test_R_8_3_no_registration_before_the_announcement(published_tender, verified_provider):
    services.pact_sign(actor=verified_provider, tender=published_tender)
    with (
        time_machine.travel(at(0, 7, 59), tick=False),
        pytest.raises(
            DomainError, match="Registration opens with the announcement on 6 Jul 2026 08:00 WITA"
        ),
    ):
        participation.participation_register(actor=verified_provider, tender=published_tender)
    with time_machine.travel(at(0, 8), tick=False):
        assert participation.participation_register(
            actor=verified_provider, tender=published_tender
        )


def test_R_8_3_no_registration_once_bids_have_closed(published_tender, verified_provider):
    with time_machine.travel(at(9, 10), tick=False):
        services.pact_sign(actor=verified_provider, tender=published_tender)
        with pytest.raises(
            DomainError, match="Registration closed with bid submission on 15 Jul 2026 10:00 WITA"
        ):
            participation.participation_register(actor=verified_provider, tender=published_tender)


def test_R_8_3_only_verified_providers_take_part(published_tender, verified_provider):
    Company.objects.filter(user=verified_provider).update(state=Company.State.AWAITING_VERIFICATION)
    verified_provider.refresh_from_db()
    with time_machine.travel(at(0, 9), tick=False):
        with pytest.raises(DomainError, match="Only verified providers take part"):
            participation.participation_register(actor=verified_provider, tender=published_tender)


def test_R_8_3_a_provider_outside_the_business_field_is_told_so(
    published_tender, verified_provider
):
    from lpse.catalog.models import BusinessSubField

    verified_provider.company.sub_fields.set(BusinessSubField.objects.filter(code="B01"))
    with time_machine.travel(at(0, 9), tick=False):
        services.pact_sign(actor=verified_provider, tender=published_tender)
        with pytest.raises(
            DomainError,
            match="sub-field “K01 Bangunan Gedung”, which your company is not registered for",
        ):
            participation.participation_register(actor=verified_provider, tender=published_tender)
    assert not Participation.objects.exists()


def test_R_7_3_a_provider_signs_the_pact_before_registering(published_tender, verified_provider):
    with time_machine.travel(at(0, 9), tick=False):
        with pytest.raises(DomainError, match="Sign the integrity pact") as err:
            participation.participation_register(actor=verified_provider, tender=published_tender)
        assert err.value.code == "pact_missing"
        registered = join(verified_provider, published_tender)
        assert join(verified_provider, published_tender) == registered  # a double click: one row


# --- documents and hashes ----------------------------------------------------------------------------


def test_R_7_2_documents_show_md5_and_sha256_of_the_bytes_served(
    published_tender, verified_provider, client
):
    document = published_tender.documents.get()
    body = b"%PDF-1.4 tender"
    page = client.get(f"/tender/{published_tender.code}/").content.decode()
    assert hashlib.md5(body).hexdigest() in page and hashlib.sha256(body).hexdigest() in page
    with time_machine.travel(at(0, 9), tick=False):
        join(verified_provider, published_tender)
        client.force_login(verified_provider)
        response = client.get(f"/dokumen/{document.pk}/unduh/")
    served = b"".join(response.streaming_content)
    assert served == body
    assert response["Digest"] == f"sha-256={hashlib.sha256(body).hexdigest()}"
    assert DocumentDownload.objects.filter(document=document).count() == 1


def test_R_8_3_only_participants_download_and_only_in_the_download_window(
    published_tender, verified_provider
):
    document = published_tender.documents.get()
    with time_machine.travel(at(0, 9), tick=False):
        with pytest.raises(DomainError, match="Register for the tender to download"):
            participation.document_fetch(actor=verified_provider, document=document)
        join(verified_provider, published_tender)
    with time_machine.travel(at(9, 10), tick=False):
        with pytest.raises(DomainError, match="until bids close on 15 Jul 2026 10:00 WITA"):
            participation.document_fetch(actor=verified_provider, document=document)


def test_R_8_3_an_addendum_after_publication_notifies_participants(
    published_tender, verified_provider, agency_a, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(0, 9), tick=False):
        join(verified_provider, published_tender)
        with pytest.raises(DomainError, match="issued as addenda"):
            services.document_add(
                actor=agency_a.members[0],
                tender=published_tender,
                title="x",
                upload=SimpleUploadedFile("x.pdf", b"x"),
            )
        with django_capture_on_commit_callbacks(execute=True):
            addendum = services.document_add(
                actor=agency_a.members[1],
                tender=published_tender,
                title="Adendum 1",
                kind=TenderDocument.Kind.ADDENDUM,
                upload=SimpleUploadedFile("adendum.pdf", b"%PDF addendum"),
            )
    mail = SentEmail.objects.get(subject__contains="addendum")
    assert mail.to == verified_provider.company.email and addendum.blob.sha256 in mail.body


def test_R_7_2_an_empty_upload_is_refused_and_leaves_no_file(published_tender, agency_a, settings):
    from pathlib import Path

    with time_machine.travel(at(0, 9), tick=False):
        with pytest.raises(DomainError, match="The file is empty"):
            services.document_add(
                actor=agency_a.members[0],
                tender=published_tender,
                title="Adendum",
                kind=TenderDocument.Kind.ADDENDUM,
                upload=SimpleUploadedFile("a.pdf", b""),
            )
    assert published_tender.documents.count() == 1
    assert list((Path(settings.MEDIA_ROOT) / "tmp").iterdir()) == []


# --- clarification -------------------------------------------------------------------------------------


def test_R_8_3_questions_only_during_clarification(published_tender, verified_provider):
    with time_machine.travel(at(0, 9), tick=False):
        join(verified_provider, published_tender)
        with pytest.raises(
            DomainError,
            match="during the clarification stage, 7 Jul 2026 09:00 WITA to 7 Jul 2026 12:00 WITA",
        ):
            participation.question_ask(
                actor=verified_provider, tender=published_tender, text="Apakah boleh?"
            )
    with time_machine.travel(at(1, 12), tick=False):
        with pytest.raises(DomainError, match="clarification stage"):
            participation.question_ask(
                actor=verified_provider, tender=published_tender, text="Apakah boleh?"
            )
    with time_machine.travel(at(1, 11, 59), tick=False):
        assert participation.question_ask(
            actor=verified_provider, tender=published_tender, text="Apakah SBU BG002 diterima?"
        )


def test_R_8_3_answers_reach_every_participant_without_naming_who_asked(
    published_tender,
    verified_provider,
    agency_a,
    make_user,
    client,
    django_capture_on_commit_callbacks,
):
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessSubField

    other = user_bootstrap(
        username="cv-lain", email="lain@test", roles={Role.PROVIDER}, password="x" * 12
    )
    company = Company.objects.create(
        user=other,
        state=Company.State.VERIFIED,
        legal_form="pt",
        name="Lain Jaya",
        npwp="023456789012000",
        nib="1",
        address="a",
        city="Maros",
        phone="1",
        email="lain@test",
        director_name="B",
        registered_at=published_tender.published_at,
        verify_by=published_tender.published_at,
        forms_ref="ref-lain",
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
    with time_machine.travel(at(1, 10), tick=False):
        join(verified_provider, published_tender)
        join(other, published_tender)
        question = participation.question_ask(
            actor=verified_provider, tender=published_tender, text="Apakah SBU BG002 diterima?"
        )
        with pytest.raises(DomainError, match="not allowed"):
            participation.question_answer(actor=other, question=question, answer="ya")
        with django_capture_on_commit_callbacks(execute=True):
            participation.question_answer(
                actor=agency_a.members[2], question=question, answer="Ya, SBU BG002 diterima."
            )
        assert sorted(
            SentEmail.objects.filter(subject__contains="answered").values_list("to", flat=True)
        ) == ["direktur@sinar.test", "lain@test"]
        client.force_login(other)
        page = client.get(f"/tender/{published_tender.code}/").content.decode()
    assert "Apakah SBU BG002 diterima?" in page and "Ya, SBU BG002 diterima." in page
    assert "Sinar Maros" not in page and "cv-sinar" not in page


# --- scoping ------------------------------------------------------------------------------------------


def test_DESIGN_4_a_committee_of_agency_b_cannot_touch_agency_as_tender(published_tender, agency_b):
    from lpse.tenders.selectors.sample import sample_schedule
    from lpse.tenders.services.schedule_changes import schedule_change_request

    intruder = agency_b.members[0]
    with time_machine.travel(at(0, 9), tick=False):
        for attempt in (
            lambda: services.document_add(
                actor=intruder,
                tender=published_tender,
                title="x",
                kind=TenderDocument.Kind.ADDENDUM,
                upload=SimpleUploadedFile("x.pdf", b"x"),
            ),
            lambda: services.tender_publish(actor=intruder, tender=published_tender),
            lambda: schedule_change_request(
                actor=intruder,
                tender=published_tender,
                new_schedule=sample_schedule(at(7, 8)),
                reason="Mengubah jadwal tender lain",
            ),
        ):
            with pytest.raises(DomainError, match="Only members of this tender's committee") as err:
                attempt()
            assert err.value.code == "forbidden"


def test_DESIGN_4_agency_b_committee_gets_403_on_agency_as_tender_pages(
    published_tender, agency_b, client
):
    client.force_login(agency_b.members[0])
    code = published_tender.code
    assert client.get(f"/kelola/tender/{code}/").status_code == 403
    assert client.get(f"/kelola/tender/{code}/jadwal/").status_code == 403
    assert client.post(f"/kelola/tender/{code}/umumkan/").status_code == 403


def test_DESIGN_4_a_provider_sees_only_its_own_participation(
    published_tender, verified_provider, client
):
    from lpse.accounts.services import user_bootstrap

    stranger = user_bootstrap(
        username="cv-asing", email="asing@test", roles={Role.PROVIDER}, password="x" * 12
    )
    with time_machine.travel(at(0, 9), tick=False):
        join(verified_provider, published_tender)
        assert participation.participation_of(stranger, published_tender) is None
        client.force_login(stranger)
        page = client.get(f"/tender/{published_tender.code}/").content.decode()
        assert "You are registered for this tender" not in page and 'id="questions"' not in page
        client.force_login(verified_provider)
        page = client.get(f"/tender/{published_tender.code}/").content.decode()
        assert "You are registered for this tender" in page
