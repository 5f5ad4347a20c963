"""Change of a company's e-mail address (R-3.2, annex 3.2), service level and pages.

The provider submits a signed statement and confirms the new address (R-1.6: active and
controlled); the verifier checks the statement against the director's original KTP and the
company deed; the administrator applies it. Every change keeps old, new, who and the evidence,
the agency admin sees the history, and old and new addresses are both told. The browser test in
tests/browser/test_email_change_browser.py walks the same flow through the pages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, Blob, SentEmail, StepTiming
from lpse.core.standard_times import Procedure
from lpse.providers.documents import MAX_EVIDENCE_BYTES
from lpse.providers.models import Company, EmailChangeRequest
from lpse.providers.services import email_change as services
from tests.conftest import link_in

pytestmark = pytest.mark.django_db

OLD = "direktur@sinar.test"  # the verified_provider fixture's address
NEW = "pengadaan@sinar-maros.co.id"
STATEMENT = (
    b"%PDF-1.4\n% surat pernyataan perubahan alamat e-mail, ditandatangani direktur\n%%EOF\n"
)
State = EmailChangeRequest.State


def statement(data: bytes = STATEMENT, name: str = "surat-pernyataan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def token_from(smtp_server, address: str = NEW) -> str:
    body = smtp_server.body(smtp_server.wait_for(address, "confirm the new e-mail address"))
    return link_in(body, "/ganti-email/konfirmasi/").rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def staff(make_user):
    return {
        "verifier": make_user(Role.VERIFIER),
        "admin": make_user(Role.APP_ADMIN),
        "agency_admin": make_user(Role.AGENCY_ADMIN),
    }


@pytest.fixture
def submitted(verified_provider, smtp_server, django_capture_on_commit_callbacks):
    """A request submitted and its new address confirmed through the e-mailed link."""
    with django_capture_on_commit_callbacks(execute=True):
        change = services.email_change_submit(
            actor=verified_provider, new_email=NEW, statement=statement()
        )
    services.email_change_confirm(token=token_from(smtp_server))
    change.refresh_from_db()
    return change


@pytest.fixture
def checked(submitted, staff):
    return services.email_change_check(
        actor=staff["verifier"], change=submitted, checked_ktp=True, checked_deed=True
    )


def other_provider(make_user) -> Company:
    user = make_user(Role.PROVIDER, username="cv-bintang")
    now = timezone.now()
    return Company.objects.create(
        user=user,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Bintang Timur",
        npwp="023456789012000",
        nib="9120007654321",
        address="Jl. Sudirman 1",
        city="Maros",
        phone="0411-2",
        email=user.email,
        director_name="Besse",
        registered_at=now,
        verify_by=now,
        forms_ref="ref-bintang",
    )


# --- the procedure -------------------------------------------------------------------------------


def test_R_3_2_statement_confirmation_check_and_apply_change_both_addresses_and_tell_both(
    verified_provider, staff, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.email_change_submit(
            actor=verified_provider,
            new_email="  Pengadaan@Sinar-Maros.CO.ID ",
            statement=statement(),
        )
    assert (change.state, change.old_email, change.new_email) == (State.SUBMITTED, OLD, NEW)
    assert change.statement.sha256 == Blob.objects.get().sha256
    # The old address hears of the request at once (a stolen session cannot quietly move it).
    notice = smtp_server.body(smtp_server.wait_for(OLD, "change of your company's e-mail"))
    assert NEW in notice and "helpdesk" in notice

    # the new address proves it is active and controlled.
    token = token_from(smtp_server)
    assert token not in change.confirm_digest  # only the digest is kept
    services.email_change_confirm(token=token)
    services.email_change_confirm(token=token)  # a second click is harmless
    change.refresh_from_db()
    assert change.confirmed_at is not None

    t0 = timezone.now()
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        change = services.email_change_check(
            actor=staff["verifier"],
            change=change,
            checked_ktp=True,
            checked_deed=True,
            note="KTP asli dan akta pendirian sesuai.",
        )
    assert change.state == State.CHECKED and change.checked_by == staff["verifier"]
    assert change.checked_ktp and change.checked_deed

    with (
        time_machine.travel(t0 + timedelta(hours=2, minutes=20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        change = services.email_change_apply(actor=staff["admin"], change=change)
    assert change.state == State.APPLIED and change.decided_by == staff["admin"]
    company = Company.objects.select_related("user").get(pk=change.company_id)
    assert company.email == NEW and company.user.email == NEW  # the sign-in address too

    for address in (OLD, NEW):
        told = smtp_server.body(smtp_server.wait_for(address, "was changed"))
        assert f"from {OLD} to {NEW}" in told

    event = AuditEvent.objects.get(action="email_change.apply")
    assert event.data["old"] == OLD and event.data["new"] == NEW
    assert event.data["statement_sha256"] == change.statement.sha256
    assert event.actor == staff["admin"]

    # Annex 3.2 (15–30 min): from the verifier's hand-over to the administrator's change.
    timing = StepTiming.objects.get(procedure=Procedure.EMAIL_CHANGE)
    assert timing.step == "apply" and timing.actor == staff["admin"]
    assert timing.ended_at - timing.started_at == timedelta(minutes=20)


# --- bad paths: refused with a readable reason, nothing changed -------------------------------


def test_R_3_2_applying_before_the_verifier_checked_is_refused(submitted, staff):
    with pytest.raises(DomainError, match="verifier has not checked this request"):
        services.email_change_apply(actor=staff["admin"], change=submitted)
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert Company.objects.get(pk=submitted.company_id).email == OLD
    assert not StepTiming.objects.exists()


@pytest.mark.parametrize(
    ("ktp", "deed", "missing"),
    [(False, True, "original ID card"), (True, False, "company deed"), (False, False, "KTP")],
)
def test_R_3_2_the_check_needs_both_the_directors_ktp_and_the_company_deed(
    submitted, staff, ktp, deed, missing
):
    with pytest.raises(DomainError, match=missing) as err:
        services.email_change_check(
            actor=staff["verifier"], change=submitted, checked_ktp=ktp, checked_deed=deed
        )
    assert err.value.field == ("checked_ktp" if not ktp else "checked_deed")
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and submitted.checked_by is None


def test_R_1_6_the_verifier_cannot_check_before_the_new_address_is_confirmed(
    verified_provider, staff, django_capture_on_commit_callbacks
):
    change = services.email_change_submit(
        actor=verified_provider, new_email=NEW, statement=statement()
    )
    with pytest.raises(DomainError, match="not been confirmed yet"):
        services.email_change_check(
            actor=staff["verifier"], change=change, checked_ktp=True, checked_deed=True
        )


def test_R_3_2_only_the_verifier_checks_and_only_the_administrator_applies(
    submitted, staff, verified_provider
):
    for actor in (staff["admin"], staff["agency_admin"], verified_provider):
        with pytest.raises(DomainError, match="not allowed"):
            services.email_change_check(
                actor=actor, change=submitted, checked_ktp=True, checked_deed=True
            )
    checked = services.email_change_check(
        actor=staff["verifier"], change=submitted, checked_ktp=True, checked_deed=True
    )
    for actor in (staff["verifier"], staff["agency_admin"], verified_provider):
        with pytest.raises(DomainError, match="not allowed"):
            services.email_change_apply(actor=actor, change=checked)
    assert Company.objects.get(pk=checked.company_id).email == OLD


def test_R_3_2_the_new_address_must_differ_from_the_current_one(verified_provider):
    with pytest.raises(DomainError, match="already the company's address") as err:
        services.email_change_submit(
            actor=verified_provider, new_email=" Direktur@Sinar.test", statement=statement()
        )
    assert err.value.field == "new_email"
    assert not EmailChangeRequest.objects.exists() and not Blob.objects.exists()


def test_R_3_2_an_address_of_another_account_or_company_is_refused(
    verified_provider, make_user, staff
):
    rival = other_provider(make_user)
    for taken in (rival.email, staff["verifier"].email.upper()):
        with pytest.raises(DomainError, match="belongs to another account") as err:
            services.email_change_submit(
                actor=verified_provider, new_email=taken, statement=statement()
            )
        assert err.value.field == "new_email"
    assert not EmailChangeRequest.objects.exists() and not Blob.objects.exists()


def test_R_3_2_an_address_taken_while_the_request_waited_is_refused_at_apply(
    checked, staff, make_user
):
    rival = other_provider(make_user)
    Company.objects.filter(pk=rival.pk).update(email=NEW)
    with pytest.raises(DomainError, match="belongs to another account"):
        services.email_change_apply(actor=staff["admin"], change=checked)
    checked.refresh_from_db()
    assert checked.state == State.CHECKED
    assert Company.objects.get(pk=checked.company_id).email == OLD


def test_R_3_2_one_open_request_per_company(submitted, verified_provider):
    with pytest.raises(DomainError, match="already has a request"):
        services.email_change_submit(
            actor=verified_provider, new_email="lain@sinar.test", statement=statement()
        )
    assert EmailChangeRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (statement(b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, "besar.pdf"), "at most 5 MB"),
        (statement(b"MZ\x90\x00 an executable", "pernyataan.pdf"), "not a PDF, JPEG or PNG"),
        (statement(b"<html>surat</html>", "pernyataan.html"), "not a PDF, JPEG or PNG"),
        (None, "Choose the file"),
    ],
    ids=["too-large", "exe-named-pdf", "html", "missing"],
)
def test_R_3_2_a_statement_too_large_or_of_the_wrong_type_is_refused_and_nothing_stored(
    verified_provider, settings, upload, message
):
    with pytest.raises(DomainError, match=message) as err:
        services.email_change_submit(actor=verified_provider, new_email=NEW, statement=upload)
    assert err.value.field == "statement"
    assert not EmailChangeRequest.objects.exists() and not Blob.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_R_3_2_a_scan_as_jpeg_or_png_is_accepted(verified_provider):
    jpeg = SimpleUploadedFile("ktp-scan.jpg", b"\xff\xd8\xff\xe0 scan", content_type="image/jpeg")
    change = services.email_change_submit(actor=verified_provider, new_email=NEW, statement=jpeg)
    assert change.statement_name == "ktp-scan.jpg"


def test_R_3_2_rejection_keeps_the_address_records_the_reason_and_tells_the_provider(
    checked, staff, smtp_server, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="Give the reason"):
        services.email_change_reject(actor=staff["admin"], change=checked, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        change = services.email_change_reject(
            actor=staff["admin"], change=checked, reason="Tanda tangan tidak sesuai KTP direktur."
        )
    assert change.state == State.REJECTED and change.decided_by == staff["admin"]
    assert Company.objects.get(pk=change.company_id).email == OLD
    told = smtp_server.body(smtp_server.wait_for(OLD, "was rejected"))
    assert "Tanda tangan tidak sesuai KTP direktur." in told
    # The administrator's step ended with the decision.
    assert StepTiming.objects.get(procedure=Procedure.EMAIL_CHANGE).ended_at is not None
    with pytest.raises(DomainError, match="already decided"):
        services.email_change_apply(actor=staff["admin"], change=change)


def test_R_3_2_the_provider_withdraws_an_unchecked_request_and_may_ask_again(
    submitted, verified_provider, staff
):
    services.email_change_withdraw(actor=verified_provider, change=submitted)
    submitted.refresh_from_db()
    assert submitted.state == State.WITHDRAWN
    again = services.email_change_submit(
        actor=verified_provider, new_email="baru@sinar.test", statement=statement()
    )
    EmailChangeRequest.objects.filter(pk=again.pk).update(confirmed_at=timezone.now())
    services.email_change_check(
        actor=staff["verifier"], change=again, checked_ktp=True, checked_deed=True
    )
    with pytest.raises(DomainError, match="with the LPSE already"):
        services.email_change_withdraw(actor=verified_provider, change=again)


def test_R_1_6_an_expired_confirmation_link_is_refused_and_a_new_one_can_be_sent(
    verified_provider, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.email_change_submit(
            actor=verified_provider, new_email=NEW, statement=statement()
        )
    first = token_from(smtp_server)
    with (
        time_machine.travel(timezone.now() + timedelta(hours=49), tick=False),
        pytest.raises(DomainError, match="expired"),
    ):
        services.email_change_confirm(token=first)
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.email_change_resend(actor=verified_provider, change=change)
    second = token_from(smtp_server)
    with pytest.raises(DomainError, match="not valid"):
        services.email_change_confirm(token=first)
    assert services.email_change_confirm(token=second).confirmed_at is not None


# --- who sees what ------------------------------------------------------------------------------


def test_R_3_2_a_provider_cannot_see_or_touch_another_companys_request(
    submitted, make_user, client
):
    rival = other_provider(make_user)
    with pytest.raises(DomainError, match="another company"):
        services.email_change_withdraw(actor=rival.user, change=submitted)
    client.force_login(rival.user)
    page = client.get("/penyedia/ganti-email/").content.decode()
    assert NEW not in page and "Sinar Maros" not in page
    for url in (
        f"/penyedia/ganti-email/{submitted.pk}/tarik/",
        f"/penyedia/ganti-email/{submitted.pk}/kirim-ulang/",
    ):
        assert client.post(url).status_code == 404
    assert client.get(f"/verifikasi/ganti-email/{submitted.pk}/").status_code == 403
    assert (
        client.get(f"/verifikasi/ganti-email/{submitted.pk}/surat-pernyataan/").status_code == 403
    )
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_R_3_2_the_agency_admin_sees_the_history_with_old_new_who_and_the_evidence(
    bidding, checked, staff, client, django_capture_on_commit_callbacks
):
    """The company takes part in a tender of the agency (``bidding``: RSUD): its administrator
    follows the company's address changes."""
    services.email_change_apply(actor=staff["admin"], change=checked)
    client.force_login(bidding.setup.agency_admin)
    desk = client.get("/verifikasi/ganti-email/").content.decode()
    assert "Sinar Maros" in desk and OLD in desk and NEW in desk
    assert staff["verifier"].username in desk and staff["admin"].username in desk
    detail = client.get(f"/verifikasi/ganti-email/{checked.pk}/").content.decode()
    assert checked.statement.sha256 in detail and "surat-pernyataan.pdf" in detail
    assert "Record the check" not in detail and "Record the decision" not in detail
    download = client.get(f"/verifikasi/ganti-email/{checked.pk}/surat-pernyataan/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == STATEMENT
    assert download["Digest"] == f"sha-256={checked.statement.sha256}"
    # Seeing is not deciding.
    assert client.post(f"/verifikasi/ganti-email/{checked.pk}/putuskan/").status_code == 403


def test_R_3_2_the_pages_walk_the_request_from_statement_to_applied(
    verified_provider, staff, client, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(verified_provider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/penyedia/ganti-email/",
            {"new_email": NEW, "email_control": "on", "statement": statement()},
        )
    assert response.status_code == 302
    confirm_url = f"/ganti-email/konfirmasi/{token_from(smtp_server)}/"
    assert "Confirm this address" in client.get(confirm_url).content.decode()
    assert "Address confirmed" in client.post(confirm_url).content.decode()
    change = EmailChangeRequest.objects.get()

    client.force_login(staff["verifier"])
    refused = client.post(
        f"/verifikasi/ganti-email/{change.pk}/periksa/",
        {"checked_deed": "on", "decision": "pass"},
    )
    assert "original ID card (KTP)" in refused.content.decode()
    response = client.post(
        f"/verifikasi/ganti-email/{change.pk}/periksa/",
        {"checked_ktp": "on", "checked_deed": "on", "decision": "pass"},
    )
    assert response.status_code == 302

    client.force_login(staff["admin"])
    detail = client.get(f"/verifikasi/ganti-email/{change.pk}/").content.decode()
    assert "Record the decision" in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/verifikasi/ganti-email/{change.pk}/putuskan/", {"decision": "apply"}
        )
    assert response.status_code == 302
    assert Company.objects.get(pk=change.company_id).email == NEW
    assert SentEmail.objects.filter(to=OLD, subject__contains="was changed").exists()
    assert SentEmail.objects.filter(to=NEW, subject__contains="was changed").exists()


def test_R_3_2_a_refused_upload_on_the_page_says_why_and_keeps_the_address_typed(
    verified_provider, client
):
    client.force_login(verified_provider)
    response = client.post(
        "/penyedia/ganti-email/",
        {
            "new_email": NEW,
            "email_control": "on",
            "statement": SimpleUploadedFile("surat.docx", b"PK\x03\x04 word"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "is not a PDF, JPEG or PNG file" in page and f'value="{NEW}"' in page
    assert not EmailChangeRequest.objects.exists() and not Blob.objects.exists()


def test_R_3_2_a_provider_cannot_bypass_the_procedure_from_the_account_page(
    verified_provider, client
):
    """The account's own address change is for staff; a company's address changes only by the
    procedure (statement, the verifier's check, the administrator), so the two stay in step."""
    from lpse.accounts.services import email_change_own

    with pytest.raises(DomainError, match="e-mail change procedure"):
        email_change_own(actor=verified_provider, new_email="lain@contoh.test")
    verified_provider.refresh_from_db()
    assert verified_provider.email != "lain@contoh.test"
    client.force_login(verified_provider)
    home = client.get("/akun/").content.decode()
    assert "/penyedia/ganti-email/" in home and 'href="/akun/email/"' not in home


def test_R_3_2_the_mail_log_does_not_keep_the_confirmation_link(settings):
    from lpse.core.mail import ONE_TIME_LINK

    settings.LPSE_DEMO = False
    link = "http://127.0.0.1:8000/penyedia/ganti-email/konfirmasi/abc123/"
    assert ONE_TIME_LINK.search(f"Buka {link} untuk mengonfirmasi")


def test_R_3_2_the_one_who_checked_does_not_also_apply(submitted, staff, make_user):
    """The verifier passes the checked request to the administrator: two people, even when one
    account holds both roles."""
    both = make_user(Role.VERIFIER, username="verifikator-admin")
    both.role_grants.create(role=Role.APP_ADMIN)
    services.email_change_check(actor=both, change=submitted, checked_ktp=True, checked_deed=True)
    with pytest.raises(DomainError, match="another administrator applies it"):
        services.email_change_apply(actor=both, change=submitted)
    services.email_change_apply(actor=staff["admin"], change=submitted)
    submitted.refresh_from_db()
    assert submitted.company.email == NEW


def test_R_3_2_issue21_an_agency_admin_sees_only_the_companies_taking_part_in_its_tenders(
    bidding, checked, staff, client
):
    """Object-level scope (issue 21): the administrator of another agency (DPUPR, where the
    company takes part in nothing) finds neither the request nor its signed statement, by the
    list, by a search or by guessing the URL; the verifier and the administrator see it all."""
    client.force_login(staff["agency_admin"])  # DPUPR
    assert "Sinar Maros" not in client.get("/verifikasi/ganti-email/").content.decode()
    assert "Sinar Maros" not in client.get("/verifikasi/ganti-email/?q=sinar").content.decode()
    assert client.get(f"/verifikasi/ganti-email/{checked.pk}/").status_code == 404
    statement_url = f"/verifikasi/ganti-email/{checked.pk}/surat-pernyataan/"
    assert client.get(statement_url).status_code == 404
    for who in (staff["verifier"], staff["admin"], bidding.setup.agency_admin):
        client.force_login(who)
        assert "Sinar Maros" in client.get("/verifikasi/ganti-email/").content.decode()
        assert client.get(statement_url).status_code == 200
