"""Security visibility (R-4.4, issue 17): the administrators' page of failed sign-ins and
lock-outs by User ID and address, second-factor failures, bursts of refused requests per address
and refused uploads — each caused here for real — and the daily summary e-mail."""

from __future__ import annotations

import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.core.errors import DomainError
from lpse.core.storage import store_upload
from lpse.operations.services import security_summary
from tests.clamd import EICAR
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def random_address() -> str:
    """The shared cache and the event files outlive one test: each test has its own address."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def security_page(client, make_user, role="sysadmin"):
    client.force_login(make_user(role, username=f"{role}-melihat"))
    return client.get("/operasi/keamanan/?hari=1")


def test_R_4_4_failed_sign_ins_and_a_lock_out_are_shown_by_user_id_and_address(
    client, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("provider", username="penyedia-korban")
    address = random_address()
    for _ in range(3):
        client.post(
            "/akun/masuk/",
            {"username": "penyedia-korban", "password": "bukan-ini"},
            REMOTE_ADDR=address,
        )
    page = security_page(client, make_user).content.decode()
    assert "penyedia-korban" in page and address in page
    section = page[page.index('id="locked-now"') :]
    assert "penyedia-korban" in section[: section.index("</table>")]


def test_R_4_4_a_second_factor_failure_is_recorded_with_its_address(client, make_user, settings):
    settings.LPSE_STAFF_2FA = True
    staff = make_user("verifier", username="verifikator-2fa")
    address = random_address()
    client.post(
        "/akun/masuk/", {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=address
    )
    client.post("/akun/2fa/", {"token": "000000"}, REMOTE_ADDR=address)
    client.logout()
    settings.LPSE_STAFF_2FA = False
    page = security_page(client, make_user).content.decode()
    section = page[page.index('id="otp-failures"') :]
    assert "verifikator-2fa" in section and address in section


def test_R_4_4_a_burst_of_404s_from_one_address_is_recorded_once(client, make_user):
    address = random_address()
    for n in range(25):
        client.get(f"/admin/backup-{n}.zip", REMOTE_ADDR=address)
    page = security_page(client, make_user).content.decode()
    section = page[page.index('id="bursts"') :]
    assert section.count(address) == 1


def test_R_4_4_an_upload_refused_for_malware_is_on_the_page(client, make_user, scanner):
    name = f"lampiran-{secrets.token_hex(4)}.pdf"
    with pytest.raises(DomainError):
        store_upload(SimpleUploadedFile(name, b"%PDF-1.4\n" + EICAR))
    page = security_page(client, make_user).content.decode()
    assert name in page[page.index('id="refused-uploads"') :]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("sysadmin", 200),
        ("app_admin", 200),
        ("auditor", 200),
        ("tech_hardware", 403),
        ("provider", 403),
    ],
)
def test_R_4_4_the_security_page_is_for_administrators_and_auditors(
    client, make_user, role, status
):
    assert security_page(client, make_user, role).status_code == status


def test_R_4_4_the_daily_summary_is_mailed_once_a_day_over_smtp(
    make_user, smtp_server, django_capture_on_commit_callbacks
):
    admin = make_user("sysadmin", username="admin-ringkasan")
    with django_capture_on_commit_callbacks(execute=True):
        assert security_summary.mail_daily_summary() is True
    message = smtp_server.wait_for(admin.email)
    body = smtp_server.body(message)
    assert "/operasi/keamanan/" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert security_summary.mail_daily_summary() is False  # once a day
