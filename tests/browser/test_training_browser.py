"""R-2.2 end to end in Chromium: an SKPD's training request goes from its letter to the
attendance list (annex 2.4, steps 1–7), with both letters downloaded and read."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from tests.conftest import PASSWORD, link_in
from tests.training_helpers import LETTER, pdf_text, room

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Monday 3 August 2026, 08:30 WITA; the training is agreed for Friday 7 August, 09:00–12:00.
MONDAY = datetime(2026, 8, 3, 8, 30, tzinfo=WITA)
TRAINING_DAY = datetime(2026, 8, 7, 9, 20, tzinfo=WITA)
CONTACT = "sekretariat@disdik.test"
TRAINER_EMAIL = "rahmat.hidayat@lpse.test"
TOPIC = "Penggunaan SPSE untuk PPK dan Pokja"
LETTER_NUMBER = "005/123/DISDIK/VII/2026"
REPLY_NUMBER = "005/41/LPSE/VIII/2026"
ASSIGNMENT_NUMBER = "800/17/LPSE/VIII/2026"


def test_a_training_request_goes_from_the_letter_to_the_attendance_list(
    new_page, make_user, smtp_server, tmp_path
):
    """R-2.2: the helpdesk registers the SKPD's letter and records the phone confirmation with
    the agreed time; the head of LPSE schedules it, and a time outside the rules is refused; the
    helpdesk drafts the reply and issues the reply letter and the surat tugas (PDF, fingerprints
    shown, the SKPD and the trainer e-mailed); a participant registers through the link in the
    reply, another at the desk; on the day the trainer records attendance and that the training
    was held."""
    helpdesk = make_user(Role.HELPDESK)
    head = make_user(Role.LPSE_HEAD)
    trainer = make_user(Role.TRAINER, username="rahmat")
    trainer.first_name, trainer.last_name, trainer.email = "Rahmat", "Hidayat", TRAINER_EMAIL
    trainer.employee_number = "198703122010011002"
    trainer.save()
    room("Ruang Pelatihan LPSE", capacity=20)
    letter_file = tmp_path / "surat-permohonan-disdik.pdf"
    letter_file.write_bytes(LETTER)

    with time_machine.travel(MONDAY, tick=True) as clock:
        desk, head_page = new_page(), new_page()
        sign_in(desk, helpdesk.username)
        register_the_letter(desk, letter_file)
        record_the_phone_call(desk)

        sign_in(head_page, head.username)
        schedule_the_training(head_page)

        desk.reload()
        reply_sha256 = issue_the_letters(desk)
        reply = download(desk, "Reply letter (surat jawaban), PDF", "#reply-fingerprint")
        assert hashlib.sha256(reply).hexdigest() == reply_sha256
        check_the_reply_letter(reply)

        notice = mail_body(smtp_server, CONTACT, "Reply to your training request")
        assert REPLY_NUMBER in notice and reply_sha256 in notice
        registration_link = link_in(notice, "/pelatihan/daftar/")
        assigned = mail_body(smtp_server, TRAINER_EMAIL, f"Surat tugas {ASSIGNMENT_NUMBER}")
        assert "Friday, 7 August 2026" in assigned or "Jumat, 7 Agustus 2026" in assigned

        participant = new_page()
        register_myself(participant, registration_link)
        confirmation = mail_body(smtp_server, "nur.aisyah@disdik.test", "You are registered")
        assert TOPIC in confirmation
        register_a_walk_in(desk)

        clock.move_to(TRAINING_DAY)
        trainer_page = new_page()
        sign_in(trainer_page, trainer.username)
        record_attendance(trainer_page)
        assignment = download(
            trainer_page,
            "Trainer's assignment letter (surat tugas), PDF",
            "#assignment-fingerprint",
        )
        check_the_assignment_letter(assignment)


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def open_the_request(page: Page) -> None:
    page.get_by_role("link", name="Training requests and sessions").click()
    page.locator("#training-requests").get_by_role("link", name=TOPIC).click()
    expect(page.get_by_role("heading", name=TOPIC)).to_be_visible()


def register_the_letter(page: Page, letter_file: Path) -> None:
    page.get_by_role("link", name="Training requests and sessions").click()
    page.get_by_role("link", name="Register a request letter").click()
    page.get_by_label("SKPD:", exact=True).select_option(label="Dinas Pendidikan")
    page.get_by_label("Letter number").fill(LETTER_NUMBER)
    page.get_by_label("Letter date").fill("2026-07-30")
    page.get_by_label("The letter (PDF, JPG or PNG)").set_input_files(letter_file)
    page.get_by_label("Agency staff (Admin Agency, PPK, committee)").check()
    page.get_by_label("Topic").fill(TOPIC)
    page.get_by_label("Participants expected").fill("12")
    page.get_by_label("SKPD contact person").fill("Andi Nurhayati")
    page.get_by_label("Contact phone").fill("0411-371111")
    page.get_by_label("Contact e-mail").fill(CONTACT)
    page.get_by_role("button", name="Register the request").click()
    expect(page.locator("#training-state")).to_contain_text("Registered: to confirm by phone")
    expect(page.locator("#phone-confirmation")).to_contain_text(
        "Call Andi Nurhayati at 0411-371111"
    )
    expect(page.locator("#request-letter")).to_contain_text(hashlib.sha256(LETTER).hexdigest())


def record_the_phone_call(page: Page) -> None:
    call = page.locator("#phone-confirmation")
    expect(call.get_by_label("Spoke with (name at the SKPD)")).to_have_value("Andi Nurhayati")
    call.get_by_label("Agreed day").fill("2026-08-07")
    call.get_by_label("From (WITA)").fill("09:00")
    call.get_by_label("Until (WITA)").fill("12:00")
    call.get_by_role("button", name="Record the phone confirmation").click()
    expect(page.locator("#training-state")).to_contain_text("Confirmed: to schedule")
    expect(page.locator("#agreed-time")).to_have_text("Friday, 7 August 2026 09:00–12:00 WITA")


def schedule_the_training(page: Page) -> None:
    open_the_request(page)
    form = page.locator("#schedule")
    # The agreed time is offered; an afternoon past 15:00 is refused with the rule's words.
    expect(form.get_by_label("Day")).to_have_value("2026-08-07")
    expect(form.get_by_label("From (WITA)")).to_have_value("09:00")
    form.get_by_label("Until (WITA)").fill("16:00")
    form.get_by_label("Room").select_option(label="Ruang Pelatihan LPSE")
    form.get_by_label("Trainer").select_option(label="Rahmat Hidayat")
    form.get_by_role("button", name="Schedule the training").click()
    expect(page.locator("#schedule")).to_contain_text(
        "Trainings for Admin Agency, PPK and committees run from 09:00 to 15:00 WITA"
    )
    form = page.locator("#schedule")
    expect(form.get_by_label("Until (WITA)")).to_have_value("16:00")  # what was typed is kept
    form.get_by_label("Until (WITA)").fill("12:00")
    form.get_by_role("button", name="Schedule the training").click()
    expect(page.locator("#training-state")).to_contain_text("Scheduled: reply letter to send")
    expect(page.locator("#session-time")).to_have_text("Friday, 7 August 2026, 09:00–12:00 WITA")


def issue_the_letters(page: Page) -> str:
    letters = page.locator("#letters")
    letters.get_by_role("button", name="Begin the reply letter").click()
    letters = page.locator("#letters")
    letters.get_by_label("Reply letter number").fill(REPLY_NUMBER)
    letters.get_by_label("Surat tugas number").fill(ASSIGNMENT_NUMBER)
    letters.get_by_role("button", name="Issue the reply letter and the surat tugas").click()
    expect(page.locator("#training-state")).to_contain_text("Reply sent: training announced")
    times = page.locator("#standard-times")
    expect(times).to_contain_text("Confirm with the SKPD by phone")
    expect(times).to_contain_text("within the standard")
    shown = page.locator("#reply-fingerprint").inner_text()
    return re.search(r"SHA-256 ([0-9a-f]{64})", shown).group(1)


def download(page: Page, link_name: str, fingerprint: str) -> bytes:
    """Download a letter from its link and check it against the SHA-256 and MD5 shown."""
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    data = Path(download.value.path()).read_bytes()
    shown = page.locator(fingerprint).inner_text()
    sha256, md5 = re.fullmatch(r"SHA-256 ([0-9a-f]{64}) · MD5 ([0-9a-f]{32})", shown).groups()
    assert hashlib.sha256(data).hexdigest() == sha256
    assert hashlib.md5(data).hexdigest() == md5
    assert download.value.suggested_filename.endswith(".pdf")
    return data


def check_the_reply_letter(data: bytes) -> None:
    text = pdf_text(data)
    for expected in (
        "SURAT JAWABAN PERMOHONAN PELATIHAN",
        f"Nomor: {REPLY_NUMBER}",
        "Kepala Dinas Pendidikan",
        f"Nomor {LETTER_NUMBER} tanggal 30 Juli 2026",
        TOPIC,
        "Jumat, 7 Agustus 2026",
        "09.00-12.00 WITA",
        "Ruang Pelatihan LPSE",
        "Rahmat Hidayat",
        "/pelatihan/daftar/",
    ):
        assert expected in text, (expected, text)


def check_the_assignment_letter(data: bytes) -> None:
    text = pdf_text(data)
    for expected in (
        "SURAT TUGAS",
        f"Nomor: {ASSIGNMENT_NUMBER}",
        "Rahmat Hidayat",
        "198703122010011002",
        "Jumat, 7 Agustus 2026",
        "09.00-12.00 WITA",
        REPLY_NUMBER,
    ):
        assert expected in text, (expected, text)


def register_myself(page: Page, link: str) -> None:
    page.goto(link)
    expect(page.locator("#training-info")).to_contain_text(TOPIC)
    expect(page.locator("#seats-left")).to_have_text("20")
    page.get_by_label("Full name").fill("Nur Aisyah")
    page.get_by_label("E-mail").fill("nur.aisyah@disdik.test")
    page.get_by_label("Agency or company").fill("Dinas Pendidikan")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("ul.messages")).to_contain_text("You are registered")
    expect(page.locator("#seats-left")).to_have_text("19")


def register_a_walk_in(page: Page) -> None:
    page.reload()
    box = page.locator("#participants")
    expect(box).to_contain_text("Nur Aisyah")
    box.get_by_label("Full name").fill("Baso Amir")
    box.get_by_label("E-mail").fill("baso.amir@disdik.test")
    box.get_by_label("Agency or company").fill("Dinas Pendidikan")
    box.get_by_role("button", name="Register the participant").click()
    expect(page.locator("#participants")).to_contain_text("Baso Amir")
    expect(page.locator("#participants")).to_contain_text("0 attended · 2 registered · 20 seats")


def record_attendance(page: Page) -> None:
    open_the_request(page)
    page.get_by_role("button", name="Nur Aisyah is present").click()
    box = page.locator("#participants")
    expect(box).to_contain_text("1 attended · 2 registered · 20 seats")
    expect(box.locator("tr", has_text="Nur Aisyah")).to_contain_text("Present")
    expect(box.locator("tr", has_text="Baso Amir")).not_to_contain_text("Present")
    page.get_by_role("button", name="The training was held").click()
    expect(page.locator("#training-state")).to_contain_text("Held")
    expect(page.locator("#participants")).to_contain_text("Recorded as held on 07-08-2026")


def mail_body(mailbox, address: str, subject_contains: str) -> str:
    return mailbox.body(mailbox.wait_for(address, subject_contains))
