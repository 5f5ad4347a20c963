"""Issue 11: enrolling a staff member's second factor is a write like any other — it goes through
``accounts.services`` and leaves an audit event, whether it comes from the sign-in page or is
called directly (DESIGN rules 1 and 2)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts.roles import Role
from lpse.accounts.services import totp_device_confirm, totp_device_pending
from lpse.core.models import AuditEvent
from tests.conftest import PASSWORD, in_english

OTP_URL = "/akun/2fa/"
TUESDAY_10 = datetime(2025, 6, 3, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))


def current_code(device: TOTPDevice, moment: datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = moment.timestamp()
    return f"{totp.token():0{device.digits}d}"


@pytest.mark.django_db
def test_confirming_a_device_on_the_sign_in_page_records_who_enrolled_it(make_user, settings):
    settings.LPSE_STAFF_2FA = True
    verifier = make_user(Role.VERIFIER, "verifier")
    client = in_english(Client())
    with time_machine.travel(TUESDAY_10, tick=False):
        client.post("/akun/masuk/", {"username": "verifier", "password": PASSWORD})
        client.get(OTP_URL)
        device = TOTPDevice.objects.get(user=verifier)
        assert not AuditEvent.objects.filter(action="totp_device.confirm").exists()
        response = client.post(OTP_URL, {"token": current_code(device, TUESDAY_10)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    event = AuditEvent.objects.get(action="totp_device.confirm")
    assert event.actor == verifier
    assert event.object_id == str(device.pk)
    assert event.data == {"user": "verifier", "device": "authenticator"}


@pytest.mark.django_db
def test_a_pending_device_is_reused_and_confirming_it_twice_records_one_event(make_user):
    verifier = make_user(Role.VERIFIER, "verifier")
    device = totp_device_pending(actor=verifier)
    assert totp_device_pending(actor=verifier) == device
    assert device.confirmed is False

    totp_device_confirm(actor=verifier, device=device)
    totp_device_confirm(actor=verifier, device=device)

    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.filter(action="totp_device.confirm").count() == 1


@pytest.mark.django_db
def test_nobody_confirms_a_device_of_another_account(make_user):
    verifier = make_user(Role.VERIFIER, "verifier")
    other = make_user(Role.HELPDESK, "helpdesk")
    device = totp_device_pending(actor=verifier)
    with pytest.raises(PermissionDenied):
        totp_device_confirm(actor=other, device=device)
    device.refresh_from_db()
    assert device.confirmed is False
    assert not AuditEvent.objects.filter(action="totp_device.confirm").exists()
