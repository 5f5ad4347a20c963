"""R-2.2 training requests from the SKPD's letter to attendance (annex 2.4), with the standard
times of the phone confirmation (1–5 min) and the reply letter (10–20 min) (R-3.6), the letters
as PDF, and participants' registration."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lpse.accounts.models import Agency
from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, Blob, SentEmail
from lpse.core.storage import open_blob
from lpse.training import selectors
from lpse.training.models import Participant, Room, TrainingRequest
from lpse.training.services import participants
from lpse.training.services import requests as services
from tests.training_helpers import (
    LETTER,
    NOW,
    at,
    confirm,
    confirmed,
    pdf_text,
    pdf_title,
    register,
    room,
)

pytestmark = pytest.mark.django_db
State = TrainingRequest.State


@pytest.fixture
def staff(make_user):
    class Staff:
        helpdesk = make_user(Role.HELPDESK)
        head = make_user(Role.LPSE_HEAD)
        trainer = make_user(Role.TRAINER, username="pelatih-satu")

    Staff.head.first_name, Staff.head.last_name = "Muhammad", "Idris"
    Staff.head.save()
    Staff.trainer.first_name, Staff.trainer.last_name = "Rahmat", "Hidayat"
    Staff.trainer.employee_number = "198703122010011002"
    Staff.trainer.email = "rahmat@lpse.test"
    Staff.trainer.save()
    return Staff


def scheduled(staff, request, start=None, end=None, where=None):
    request.refresh_from_db()
    return services.session_schedule(
        actor=staff.head,
        request=request,
        start=start or request.agreed_start,
        end=end or request.agreed_end,
        room=where or room(),
        trainer=staff.trainer,
    )


def announced(staff, request, **kwargs):
    """Scheduled as agreed, reply drafted and both letters issued."""
    scheduled(staff, request, **kwargs)
    services.reply_begin(actor=staff.helpdesk, request=request)
    return services.letters_issue(
        actor=staff.helpdesk,
        request=request,
        reply_number="005/41/LPSE/VIII/2026",
        assignment_number="800/17/LPSE/VIII/2026",
    )


def mails_to(address: str) -> list[SentEmail]:
    return list(SentEmail.objects.filter(to=address).order_by("id"))


def test_R_2_2_a_request_goes_from_letter_to_attendance_with_its_standard_times(
    staff, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOW, tick=False) as clock,
        django_capture_on_commit_callbacks(execute=True),
    ):
        request = register(staff.helpdesk)  # (1) the letter arrives at 08:00
        assert request.state == State.REGISTERED
        clock.shift(timedelta(minutes=3))  # (2) the helpdesk calls right away: 3 minutes
        confirm(staff.helpdesk, request, at(7, 9), at(7, 12))
        clock.shift(timedelta(minutes=50))  # (3) the head schedules it as agreed
        session = scheduled(staff, request)
        clock.shift(timedelta(minutes=5))  # (4) the helpdesk drafts the reply in 12 minutes
        services.reply_begin(actor=staff.helpdesk, request=request)
        clock.shift(timedelta(minutes=12))
        session = services.letters_issue(
            actor=staff.helpdesk,
            request=request,
            reply_number="005/41/LPSE/VIII/2026",
            assignment_number="800/17/LPSE/VIII/2026",
        )
    request.refresh_from_db()
    assert request.state == State.REPLY_SENT
    assert [(r.minutes, r.met) for r in selectors.step_rows(request)] == [(3, True), (12, True)]
    assert [r.standard for r in selectors.step_rows(request)] == ["1–5 min", "10–20 min"]

    # (5) the SKPD contact and (6) the trainer are told, with the letters' fingerprints.
    [reply_mail] = mails_to("sekretariat@disdik.test")
    assert "005/41/LPSE/VIII/2026" in reply_mail.body
    assert session.reply_letter.sha256 in reply_mail.body
    assert "Friday, 7 August 2026" in reply_mail.body or "Jumat, 7 Agustus 2026" in reply_mail.body
    link = re.search(r"http://testserver/pelatihan/daftar/\S+/", reply_mail.body).group(0)
    [trainer_mail] = mails_to("rahmat@lpse.test")
    assert "800/17/LPSE/VIII/2026" in trainer_mail.subject
    assert session.assignment_letter.sha256 in trainer_mail.body

    # (7) participants register through the link and at the desk; attendance on the day.
    with (
        time_machine.travel(at(6, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        participants.participant_register(
            actor=None,
            session=session,
            name="Nur Aisyah",
            email="Nur.Aisyah@disdik.test",
            organisation="Dinas Pendidikan",
        )
        participants.participant_register(
            actor=staff.helpdesk,
            session=session,
            name="Baso Amir",
            email="baso@disdik.test",
            organisation="Dinas Pendidikan",
        )
    assert "You are registered" in mails_to("nur.aisyah@disdik.test")[0].subject
    aisyah, baso = Participant.objects.order_by("id")
    assert (aisyah.registered_by, baso.registered_by) == (None, staff.helpdesk)
    with time_machine.travel(at(7, 9, 20), tick=False):
        participants.attendance_record(actor=staff.trainer, participant=aisyah, attended=True)
        participants.session_held(actor=staff.trainer, session=session)
    request.refresh_from_db()
    assert request.state == State.HELD
    assert selectors.attendance_count(session) == (1, 2)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "training.request_register",
        "training.phone_confirm",
        "training.schedule",
        "training.reply_begin",
        "training.letters_issue",
        "training.participant_register",
        "training.attendance",
        "training.held",
    } <= actions
    assert link.endswith(f"/pelatihan/daftar/{session.registration_token}/")


def test_R_2_2_the_reply_letter_and_the_surat_tugas_say_what_was_scheduled(staff):
    with time_machine.travel(NOW, tick=False):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
        session = announced(staff, request)
    with open_blob(session.reply_letter) as f:
        reply = f.read()
    with open_blob(session.assignment_letter) as f:
        assignment = f.read()
    assert hashlib.sha256(reply).hexdigest() == session.reply_letter.sha256
    assert hashlib.md5(reply).hexdigest() == session.reply_letter.md5

    text = pdf_text(reply)
    assert "SURAT JAWABAN PERMOHONAN PELATIHAN" in text
    assert "Nomor: 005/41/LPSE/VIII/2026" in text
    assert "Kepala Dinas Pendidikan" in text
    assert "Nomor 005/123/DISDIK/VII/2026 tanggal 30 Juli 2026" in text
    assert "Jumat, 7 Agustus 2026" in text
    assert "09.00-12.00 WITA" in text
    assert "Rahmat Hidayat" in text  # the trainer
    assert "(Muhammad Idris)" in text  # signed by the head who scheduled it
    assert session.registration_token in text
    assert "bukan" in text and "data produksi" in text.replace("\n", " ")
    assert "Surat Jawaban" in pdf_title(reply)

    text = pdf_text(assignment)
    assert "SURAT TUGAS" in text
    assert "Nomor: 800/17/LPSE/VIII/2026" in text
    assert "198703122010011002" in text  # the trainer's NIP
    assert "Rahmat Hidayat" in text
    assert "Jumat, 7 Agustus 2026" in text
    assert "Ruang Pelatihan LPSE" in text


def test_R_3_6_a_slow_phone_call_and_a_slow_reply_are_over_their_standard(staff):
    with time_machine.travel(NOW, tick=False) as clock:
        request = register(staff.helpdesk)
        clock.shift(timedelta(hours=2))  # the letter waited two hours for the call
        confirm(staff.helpdesk, request, at(7, 9), at(7, 12))
        scheduled(staff, request)
        services.reply_begin(actor=staff.helpdesk, request=request)
        clock.shift(timedelta(minutes=45))
        services.letters_issue(
            actor=staff.helpdesk, request=request, reply_number="1", assignment_number="2"
        )
    rows = selectors.step_rows(request)
    assert [(r.minutes, r.met) for r in rows] == [(120, False), (45, False)]


def test_R_3_6_the_reply_is_timed_from_when_drafting_began(staff):
    """Issuing without pressing "begin" would time the reply at zero: it is refused."""
    with time_machine.travel(NOW, tick=False):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
        scheduled(staff, request)
        with pytest.raises(DomainError, match="Begin the reply letter"):
            services.letters_issue(
                actor=staff.helpdesk, request=request, reply_number="1", assignment_number="2"
            )
        services.reply_begin(actor=staff.helpdesk, request=request)
        with pytest.raises(DomainError, match="two numbers"):
            services.letters_issue(
                actor=staff.helpdesk, request=request, reply_number="7", assignment_number="7"
            )
        services.letters_issue(
            actor=staff.helpdesk, request=request, reply_number="1", assignment_number="2"
        )
        # Once the letters are out, the time no longer moves and the letters are not re-issued.
        with pytest.raises(DomainError, match="can no longer move"):
            scheduled(staff, request, at(7, 10), at(7, 13))
        with pytest.raises(DomainError, match="issued once"):
            services.letters_issue(
                actor=staff.helpdesk, request=request, reply_number="3", assignment_number="4"
            )


def test_R_2_2_a_letter_is_registered_once_with_its_file(staff):
    blobs = Blob.objects.count()
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(DomainError, match="PDF, JPG or PNG"):
            services.request_register(
                actor=staff.helpdesk,
                data=services.RequestData(
                    agency=Agency.objects.get(code="DISDIK"),
                    letter_number="1/X",
                    letter_date=NOW.date(),
                    audience="agency_staff",
                    topic="SPSE",
                    participants_expected=5,
                    contact_name="A",
                    contact_phone="1",
                    contact_email="a@b.test",
                ),
                letter=SimpleUploadedFile("surat.exe", b"MZ"),
            )
        assert Blob.objects.count() == blobs and not TrainingRequest.objects.exists()
        first = register(staff.helpdesk)
        with pytest.raises(DomainError, match=f"already registered as request #{first.pk}"):
            register(staff.helpdesk)
        with pytest.raises(DomainError, match="You are not allowed"):
            register(staff.head)  # the head schedules; the helpdesk registers letters
    with open_blob(first.letter) as f:
        assert f.read() == LETTER


# --- participants --------------------------------------------------------------------------------


def test_R_2_2_participants_register_up_to_the_room_capacity_until_the_start(staff, client):
    with time_machine.travel(NOW, tick=False):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12), expected=2)
        session = scheduled(staff, request, where=room("Ruang Kecil", capacity=2))
        page = reverse("training:self_register", args=[session.registration_token])
        # Before the reply letter is out, the link is not open yet.
        assert "Registration for this training is closed" in client.get(page).content.decode()
        services.reply_begin(actor=staff.helpdesk, request=request)
        services.letters_issue(
            actor=staff.helpdesk, request=request, reply_number="1", assignment_number="2"
        )
        form = {"name": "Nur Aisyah", "email": "nur@disdik.test", "organisation": "Disdik"}
        response = client.post(page, form)
        assert response.status_code == 302
        assert "You are registered" in client.get(page).content.decode()
        again = client.post(page, form)
        assert "nur@disdik.test is already registered" in again.content.decode()
        client.post(page, {**form, "email": "dua@disdik.test"})
        full = client.get(page).content.decode()
        assert "This training is full." in full and 'id="seats-left">0<' in full
        with pytest.raises(DomainError, match="all 2 seats are taken"):
            participants.participant_register(
                actor=staff.helpdesk,
                session=session,
                name="Tiga",
                email="tiga@disdik.test",
                organisation="Disdik",
            )
    assert session.participants.count() == 2
    assert Participant.objects.filter(registered_by__isnull=True).count() == 2

    request2 = None
    with time_machine.travel(NOW, tick=False):
        request2 = confirmed(staff.helpdesk, at(10, 9), at(10, 12), number="2/DISDIK")
        session2 = announced(staff, request2)
    with time_machine.travel(at(10, 9, 5), tick=False):
        with pytest.raises(DomainError, match="Registration closed at 10-08-2026 09:00 WITA"):
            participants.participant_register(
                actor=None, session=session2, name="Late", email="l@x.test", organisation="X"
            )
        # A walk-in is still registered at the desk during the training.
        participants.participant_register(
            actor=staff.helpdesk, session=session2, name="Walk In", email="w@x.test",
            organisation="X",
        )  # fmt: skip
    assert request2.pk and session2.participants.count() == 1


def test_R_2_2_an_unknown_registration_link_is_not_found(client, db):
    assert client.get("/pelatihan/daftar/nope/").status_code == 404


def test_R_2_2_attendance_is_recorded_by_the_sessions_trainer_or_the_helpdesk(
    staff, client, make_user
):
    with time_machine.travel(NOW, tick=False):
        session = announced(staff, confirmed(staff.helpdesk, at(7, 9), at(7, 12)))
        participant = participants.participant_register(
            actor=staff.helpdesk,
            session=session,
            name="Nur",
            email="nur@disdik.test",
            organisation="Disdik",
        )
        with pytest.raises(DomainError, match="from the start of the training"):
            participants.attendance_record(
                actor=staff.trainer, participant=participant, attended=True
            )
    other_trainer = make_user(Role.TRAINER, username="pelatih-lain")
    url = reverse("training:attendance", args=[participant.pk])
    with time_machine.travel(at(7, 9, 30), tick=False):
        client.force_login(other_trainer)
        # Not their training: not found at all (issue 21), before the service's own refusal.
        assert client.post(url, {"attended": "yes"}).status_code == 404
        participant.refresh_from_db()
        assert not participant.attended
        client.force_login(staff.helpdesk)
        assert client.post(url, {"attended": "yes"}).status_code == 302
        participant.refresh_from_db()
        assert participant.attended and participant.attendance_by == staff.helpdesk
        client.force_login(staff.trainer)
        client.post(url, {"attended": "no"})  # a mistake is undone
        participant.refresh_from_db()
        assert not participant.attended
        page = client.get(reverse("training:request_detail", args=[session.request_id]))
        assert "Nur is present" in page.content.decode()


def test_R_2_2_a_cancelled_training_tells_everyone_who_was_told_and_frees_the_slot(
    staff, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
        session = announced(staff, request)
        participants.participant_register(
            actor=None, session=session, name="Nur", email="nur@disdik.test", organisation="D"
        )
        with pytest.raises(DomainError, match="Give the reason"):
            services.request_cancel(actor=staff.head, request=request, reason=" ")
        services.request_cancel(actor=staff.head, request=request, reason="Pelatih sakit")
        with pytest.raises(DomainError, match="closed"):
            participants.participant_register(
                actor=None, session=session, name="B", email="b@x.test", organisation="D"
            )
    for address in ("sekretariat@disdik.test", "rahmat@lpse.test", "nur@disdik.test"):
        cancelled = [m for m in mails_to(address) if "cancelled" in m.subject]
        assert cancelled and "Pelatih sakit" in cancelled[0].body, address


# --- pages ---------------------------------------------------------------------------------------


def test_R_2_2_the_helpdesk_registers_a_letter_on_the_page_and_sees_the_next_step(staff, client):
    client.force_login(staff.helpdesk)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("training:overview") in home
    form = {
        "agency": Agency.objects.get(code="DINKES").pk,
        "letter_number": "800/77/DINKES/2026",
        "letter_date": "2026-07-31",
        "letter": SimpleUploadedFile("surat.pdf", LETTER, "application/pdf"),
        "audience": "providers",
        "topic": "Penawaran elektronik",
        "participants_expected": "15",
        "contact_name": "Hasanah",
        "contact_phone": "0811",
        "contact_email": "umum@dinkes.test",
    }
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("training:request_create"), form)
        request = TrainingRequest.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("training:request_detail", args=[request.pk])
        page = client.get(response["Location"]).content.decode()
        assert "Call Hasanah at 0811" in page
        assert "Wednesday or Thursday, 09:00–13:00 WITA" in page
        # A Friday agreed for providers is refused in place, with what was typed kept.
        refused = client.post(
            reverse("training:confirm", args=[request.pk]),
            {"confirmed_with": "Hasanah", "date": "2026-08-07", "start": "09:00", "end": "12:00"},
        )
        assert refused.status_code == 200
        assert "Provider trainings are held on Wednesdays and Thursdays" in refused.content.decode()
        assert 'value="Hasanah"' in refused.content.decode()
        ok = client.post(
            reverse("training:confirm", args=[request.pk]),
            {"confirmed_with": "Hasanah", "date": "2026-08-05", "start": "09:00", "end": "12:00"},
        )
        assert ok.status_code == 302
        letter = client.get(reverse("training:request_letter", args=[request.pk]))
        assert letter.content == LETTER and letter["Content-Type"] == "application/pdf"
        overview = client.get(reverse("training:overview")).content.decode()
        assert "Penawaran elektronik" in overview and "Confirmed: to schedule" in overview


def test_R_2_2_the_letters_downloaded_are_the_bytes_whose_fingerprints_the_page_shows(
    staff, client
):
    with time_machine.travel(NOW, tick=False):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
        session = announced(staff, request)
    client.force_login(staff.trainer)
    page = client.get(reverse("training:request_detail", args=[request.pk])).content.decode()
    for name, blob in (
        ("reply_pdf", session.reply_letter),
        ("assignment_pdf", session.assignment_letter),
    ):
        response = client.get(reverse(f"training:{name}", args=[request.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert hashlib.sha256(response.content).hexdigest() == blob.sha256
        assert f"SHA-256 {blob.sha256} · MD5 {blob.md5}" in page


def test_R_2_2_the_head_manages_the_rooms(staff, client):
    client.force_login(staff.head)
    url = reverse("training:rooms")
    assert "Ruang Pelatihan LPSE" in client.get(url).content.decode()  # from the start
    assert client.post(url, {"name": "Lab Komputer Infokom", "capacity": "16"}).status_code == 302
    lab = Room.objects.get(name="Lab Komputer Infokom")
    client.post(url, {"room": lab.pk, "name": lab.name, "capacity": "18", "active": "off"})
    lab.refresh_from_db()
    assert (lab.capacity, lab.active) == (18, False)
    duplicate = client.post(url, {"name": "lab komputer infokom", "capacity": "5"})
    assert "There is already a room with this name." in duplicate.content.decode()


def test_R_2_2_participants_are_told_when_their_training_moves_or_is_cancelled(
    staff, django_capture_on_commit_callbacks
):
    """The helpdesk confirms with the participants: one registered at the desk while the
    training is only scheduled hears of a new time and of a cancellation."""
    with time_machine.travel(NOW, tick=False):
        request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
        session = scheduled(staff, request)
        participants.participant_register(
            actor=staff.helpdesk,
            session=session,
            name="Baso Amir",
            email="baso@disdik.test",
            organisation="Dinas Pendidikan",
        )
        with django_capture_on_commit_callbacks(execute=True):
            scheduled(staff, request, start=at(10, 9), end=at(10, 12))
        with django_capture_on_commit_callbacks(execute=True):
            services.request_cancel(actor=staff.head, request=request, reason="Pelatih sakit")
    subjects = list(
        SentEmail.objects.filter(to="baso@disdik.test").values_list("subject", flat=True)
    )
    assert any("moved" in s for s in subjects) and any("cancelled" in s for s in subjects)
