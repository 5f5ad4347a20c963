"""R-3.5 / Pasal 9.3: problems LPSE cannot solve go to LKPP as an escalation record (problem,
diagnosis, attachments without secrets, sent, answer, closed) exported as one ZIP for e-mail,
whose manifest lists the SHA-256 of every file; R-3.4 [safer]: the package carries the diagnosis,
never credentials; R-3.6: the escalation step is timed, and the R-3.1 procedure writes its steps
to the same table."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.models import OpenedBid
from lpse.bids.services import submission, unopenable
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, StepTiming
from lpse.core.standard_times import Procedure
from lpse.problems.models import Escalation
from lpse.problems.services import escalations
from lpse.problems.services import upload_problems as services
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit

pytestmark = pytest.mark.django_db

T0 = DURING_BIDDING + timedelta(hours=1)
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + b"tangkapan layar galat unggah" * 20


def files_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def assert_manifest_holds(files: dict[str, bytes]) -> None:
    listed = {}
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == set(files) - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def assert_no_secrets(files: dict[str, bytes], provider) -> None:
    for name, content in files.items():
        assert b"AGE-SECRET-KEY" not in content.upper(), name
        assert b"PRIVATE KEY" not in content, name
        assert provider.password.encode() not in content, name
        assert b"argon2" not in content, name


@pytest.fixture
def escalated(bidding, make_user):
    """An upload problem the admin reproduced and escalated, with the provider's attempts."""
    provider, tender = bidding.provider, bidding.tender
    with time_machine.travel(DURING_BIDDING, tick=False):
        upload = submission.upload_start(
            actor=provider, tender=tender, length=300, client="Edge/120"
        )
        with pytest.raises(DomainError):
            submission.upload_append(
                actor=provider, upload=upload, offset=0, stream=io.BytesIO(b"z" * 300), length=300
            )
    admin = make_user(Role.APP_ADMIN)
    with time_machine.travel(T0, tick=False):
        problem = services.problem_report(
            actor=provider, description="Unggahan selalu ditolak.", tender=tender
        )
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        services.problem_take(actor=admin, problem=problem)
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        escalation = services.problem_escalate(
            actor=admin, problem=problem, diagnosis="Direproduksi: server menolak berkas 300 bita."
        )
    return admin, problem, escalation


def test_R_3_5_the_escalation_package_has_its_manifest_and_no_secrets(bidding, escalated, client):
    admin, _problem, escalation = escalated
    client.force_login(admin)
    url = f"/admin-lpse/eskalasi-lkpp/{escalation.pk}/"
    assert "Direproduksi" in client.get(url).content.decode()

    # A screenshot is welcome; a key or a password is refused before it is stored.
    response = client.post(
        f"{url}tindak/",
        {
            "action": "attach",
            "file": SimpleUploadedFile("galat unggah.png", SCREENSHOT),
            "description": "Pesan galat di peramban",
        },
    )
    assert response.status_code == 302
    for name, content, kind in [
        ("kunci.txt", b"# created\nAGE-SECRET-KEY-1" + b"Q" * 58 + b"\n", "an age secret key"),
        ("id_ed25519", b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n", "a private key"),
        ("catatan.txt", b"user: cv-sinar\npassword = Rahasia-123\n", "a password"),
    ]:
        with pytest.raises(DomainError, match=kind):
            escalations.escalation_attach(
                actor=admin, escalation=escalation, upload=SimpleUploadedFile(name, content)
            )
    assert [a.filename for a in escalation.attachments.all()] == ["galat-unggah.png"]

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        client.post(f"{url}tindak/", {"action": "send"})
    escalation.refresh_from_db()
    assert escalation.state == Escalation.State.SENT and escalation.package is not None
    with pytest.raises(DomainError, match="before the escalation is sent"):
        escalations.escalation_attach(
            actor=admin, escalation=escalation, upload=SimpleUploadedFile("b.png", SCREENSHOT)
        )

    client.force_login(admin)  # the session from the travel above is past its lifetime
    download = client.get(f"{url}paket.zip")
    assert download["Content-Type"] == "application/zip"
    assert f"{escalation.reference}.zip" in download["Content-Disposition"]
    data = download.content
    assert hashlib.sha256(data).hexdigest() == escalation.package.sha256  # as sent, byte for byte
    assert client.get(f"{url}paket.zip").content == data
    files = files_of(data)
    assert set(files) == {
        "ringkasan.json",
        "ringkasan.txt",
        "ringkasan.pdf",
        "lampiran/galat-unggah.png",
        "SHA256SUMS",
    }
    assert files["lampiran/galat-unggah.png"] == SCREENSHOT
    assert files["ringkasan.pdf"].startswith(b"%PDF")
    assert_manifest_holds(files)
    assert_no_secrets(files, bidding.provider)

    summary = json.loads(files["ringkasan.json"])
    assert summary["source"] == "upload_problem"
    assert summary["diagnosis"] == "Direproduksi: server menolak berkas 300 bita."
    assert summary["problem"] == "Unggahan selalu ditolak."
    assert summary["sent_at"] is not None
    [attempt] = summary["upload_problem"]["upload_attempts"]
    assert attempt["outcome"] == "refused" and "not an encrypted bid" in attempt["error"]
    assert attempt["client"] == "Edge/120" and attempt["size"] == 300
    assert summary["attachments"] == [
        {
            "file": "lampiran/galat-unggah.png",
            "sha256": hashlib.sha256(SCREENSHOT).hexdigest(),
            "size": len(SCREENSHOT),
            "description": "Pesan galat di peramban",
        }
    ]
    assert "Unggahan selalu ditolak." in files["ringkasan.txt"].decode()
    assert AuditEvent.objects.filter(action="escalation.export").count() == 2


def test_R_3_5_the_escalation_moves_from_sent_to_answered_to_closed_and_resolves_the_case(
    escalated, client
):
    admin, problem, escalation = escalated
    with pytest.raises(DomainError, match="after the escalation is sent"):
        escalations.escalation_answer(
            actor=admin, escalation=escalation, answer="Sudah diperbaiki."
        )
    with pytest.raises(DomainError, match="once LKPP's answer is recorded"):
        escalations.escalation_close(actor=admin, escalation=escalation)
    with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
        escalations.escalation_send(actor=admin, escalation=escalation)
    with pytest.raises(DomainError, match="already been sent"):
        escalations.escalation_send(actor=admin, escalation=escalation)
    with time_machine.travel(T0 + timedelta(hours=5, minutes=25), tick=False):
        with pytest.raises(DomainError, match="Record LKPP's answer"):
            escalations.escalation_answer(actor=admin, escalation=escalation, answer=" ")
        escalations.escalation_answer(
            actor=admin, escalation=escalation, answer="Batas ukuran di server dinaikkan."
        )
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        escalations.escalation_close(actor=admin, escalation=escalation)
    escalation.refresh_from_db()
    problem.refresh_from_db()
    assert escalation.state == Escalation.State.CLOSED and escalation.closed_at is not None
    assert problem.state == "resolved" and problem.resolution == "Batas ukuran di server dinaikkan."

    # reproduction 25 min (within 15–30), escalation 5 h (within 1–24 h).
    timings = {
        t.step: t.ended_at - t.started_at
        for t in StepTiming.objects.filter(
            procedure=Procedure.UPLOAD_PROBLEM, subject_id=str(problem.pk)
        )
    }
    assert timings == {"reproduce": timedelta(minutes=25), "escalation": timedelta(hours=5)}
    client.force_login(admin)
    page = client.get(f"/admin-lpse/masalah-unggah/{problem.pk}/").content.decode()
    assert "Escalate to LKPP: 5 h 0 min (within the standard, 1–24 h)" in page


def test_R_3_5_an_escalation_not_tied_to_a_case_and_who_may_make_one(make_user, client):
    admin = make_user(Role.SYSADMIN)
    client.force_login(admin)
    response = client.post(
        "/admin-lpse/eskalasi-lkpp/",
        {
            "subject": "Fitur tidak tersedia",
            "problem": "Aplikasi tidak mendukung e-katalog lokal.",
            "diagnosis": "Di luar cakupan aplikasi.",
        },
    )
    escalation = Escalation.objects.get()
    assert response["Location"] == f"/admin-lpse/eskalasi-lkpp/{escalation.pk}/"
    assert escalation.source == Escalation.Source.OTHER and escalation.state == "draft"
    files = files_of(client.get(f"/admin-lpse/eskalasi-lkpp/{escalation.pk}/paket.zip").content)
    assert set(files) == {"ringkasan.json", "ringkasan.txt", "ringkasan.pdf", "SHA256SUMS"}
    assert_manifest_holds(files)
    with pytest.raises(DomainError, match="a password"):
        escalations.escalation_create(
            actor=admin, subject="x", problem="Akun admin", diagnosis="kata sandi: rahasia12345"
        )
    for role in (Role.HELPDESK, Role.PROVIDER, Role.LPSE_HEAD):
        with pytest.raises(DomainError, match="not allowed"):
            escalations.escalation_create(
                actor=make_user(role), subject="x", problem="y", diagnosis="z"
            )
        client.force_login(make_user(role))
        assert client.get(f"/admin-lpse/eskalasi-lkpp/{escalation.pk}/paket.zip").status_code == 403


@pytest.fixture
def unopened(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
    path = Path(settings.MEDIA_ROOT) / bid.envelope.storage_name
    path.write_bytes(path.read_bytes()[:-40])  # damaged on disk
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
    return OpenedBid.objects.get(bid=bid)


def test_R_3_6_the_unopenable_procedure_writes_its_steps_to_the_shared_table(
    bidding, unopened, make_user
):
    admin = make_user(Role.APP_ADMIN)
    with time_machine.travel(AT_OPENING + timedelta(minutes=5), tick=False):
        case = unopenable.case_request(actor=bidding.setup.members[0], opened_bid=unopened)
    with time_machine.travel(AT_OPENING + timedelta(minutes=17), tick=False):
        unopenable.case_attempt(actor=admin, case=case, resolved=False, result="Gagal.")
    with time_machine.travel(AT_OPENING + timedelta(minutes=23), tick=False):
        unopenable.case_escalate(actor=admin, case=case)
    timings = {
        t.step: (t.ended_at - t.started_at, t.actor)
        for t in StepTiming.objects.filter(procedure=Procedure.UNOPENABLE_FILE)
    }
    assert timings == {
        "admin_attempt": (timedelta(minutes=12), admin),
        "escalation": (timedelta(minutes=6), admin),
    }
    assert [v for _s, v in unopenable.timings(case)] == [
        "12 min (within the standard, 5–15 min)",
        "6 min (over the standard, 1–5 min)",
    ]


def test_R_3_5_an_unopenable_bid_file_goes_to_lkpp_with_its_sealed_envelope_and_no_key(
    bidding, unopened, make_user, client
):
    admin = make_user(Role.APP_ADMIN)
    case = unopenable.case_request(actor=bidding.setup.members[0], opened_bid=unopened)
    with pytest.raises(DomainError, match="tried and could not open"):
        escalations.escalation_from_unopenable(actor=admin, case=case)
    unopenable.case_attempt(actor=admin, case=case, resolved=False, result="Dicoba ulang.")
    client.force_login(admin)
    assert bidding.tender.code in client.get("/admin-lpse/eskalasi-lkpp/").content.decode()
    client.post(f"/admin-lpse/eskalasi-lkpp/berkas-tidak-terbuka/{case.pk}/")
    escalation = Escalation.objects.get()
    assert escalation.source == Escalation.Source.UNOPENABLE_BID
    with pytest.raises(DomainError, match="already has an escalation"):
        escalations.escalation_from_unopenable(actor=admin, case=case)
    files = files_of(client.get(f"/admin-lpse/eskalasi-lkpp/{escalation.pk}/paket.zip").content)
    bid = unopened.bid
    envelope_name = f"lampiran/sampul-penawaran-{bid.pk}.age"
    # The envelope as stored (here damaged: it no longer matches the receipt's SHA-256, which
    # the summary gives LKPP next to it).
    stored = (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes()
    assert files[envelope_name] == stored
    assert_manifest_holds(files)
    assert_no_secrets(files, bidding.provider)
    summary = json.loads(files["ringkasan.json"])
    assert summary["unopenable_bid"]["diagnosis"]["code"] == "truncated"
    assert summary["unopenable_bid"]["envelope"]["sha256"] == bid.envelope.sha256
    # No share, no identity, no passphrase-sealed key of any committee member travels with it.
    for member in bidding.setup.members:
        identity = bidding.setup.identity_of(member)
        assert all(identity.encode() not in content for content in files.values())
