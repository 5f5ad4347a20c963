"""Gaps the ASVS map found (issue 21, docs/asvs.md), each as the attack or fault that succeeded
before the fix: a session key fixed before the second factor, a session that keeps a role taken
away, a trimmed password, TRACE answered, a signed-in page kept in a shared cache."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import lifecycle
from lpse.accounts.models import PasswordLink, User
from lpse.accounts.roles import Role
from lpse.accounts.services import password_link_send
from tests.conftest import PASSWORD
from tests.test_auth_hardening import (
    HOME_URL,
    LOGIN_URL,
    OTP_URL,
    TUESDAY_10,
    new_client,
    sign_in,
    totp_codes,
)

pytestmark = pytest.mark.django_db


def test_issue21_the_session_key_changes_when_the_second_factor_is_passed(make_user, settings):
    """ASVS V7.2.4: an attacker who planted or read the session key before the code was typed
    holds a key that no longer works after it."""
    settings.LPSE_STAFF_2FA = True
    verifier = make_user(Role.VERIFIER, "verifier")
    device = TOTPDevice.objects.create(user=verifier, name="phone", confirmed=True)
    client = new_client()
    with time_machine.travel(TUESDAY_10, tick=False):
        sign_in(client, "verifier")
        before = client.cookies["sessionid"].value
        response = client.post(OTP_URL, {"token": totp_codes(device, TUESDAY_10)[1]})
        assert response.status_code == 302
        after = client.cookies["sessionid"].value
        assert after != before
        attacker = Client()
        attacker.cookies["sessionid"] = before
        assert attacker.get(HOME_URL).status_code == 302  # sent to sign in
        assert client.get(HOME_URL).status_code == 200


def test_issue21_a_role_taken_away_ends_the_sessions_that_held_it(make_user):
    """ASVS V7.4 / privilege change: a verifier whose role is revoked is signed out everywhere
    at once — not left on an open page with rights they no longer have."""
    verifier = make_user(Role.VERIFIER, "verifier")
    admin = make_user(Role.APP_ADMIN, "admin")
    lifecycle.role_give(
        actor=admin, user=verifier, role=Role.TRAINER, reason="rotasi"
    )  # keeps a role
    client = new_client()
    sign_in(client, "verifier")
    assert client.get("/verifikasi/").status_code == 200
    lifecycle.role_revoke(actor=admin, user=verifier, role=Role.VERIFIER, reason="pindah tugas")
    response = client.get("/verifikasi/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    sign_in(client, "verifier")  # signing in again gives the rights held now
    assert client.get("/verifikasi/").status_code == 403


def test_issue21_a_password_with_spaces_at_either_end_is_kept_as_typed(make_user):
    """ASVS V6.2.8: the set-password form trimmed the password, and sign-in (which does not)
    then refused the password exactly as the person typed it."""
    make_user(Role.PROVIDER, "spasi")
    user = User.objects.get(username="spasi")
    token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    spaced = "  spasi di tepi 2026  "
    client = new_client()
    page = client.post(f"/akun/sandi/atur/{token}/", {"password1": spaced, "password2": spaced})
    assert page.status_code == 302, page.content.decode()[:2000]
    user.refresh_from_db()
    assert user.check_password(spaced) and not user.check_password(spaced.strip())
    assert sign_in(new_client(), "spasi", spaced).status_code == 302


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PROPFIND"])
@pytest.mark.parametrize("path", ["/", "/tender/", "/daftar/", "/layanan/helpdesk/", "/api/v1/"])
def test_issue21_methods_the_site_does_not_use_are_refused_everywhere(client, method, path):
    """ASVS V13.4.4: TRACE was answered 200 by every page without a method decorator."""
    response = client.generic(method, path)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"] and "GET" in response["Allow"]
    assert "Content-Security-Policy" in response


def test_issue21_signed_in_pages_are_not_cached_and_sign_out_clears_the_browser_cache(
    make_user,
):
    """ASVS V14.3.2: a signed-in page carried no Cache-Control, so a shared proxy or the next
    person at an office computer could read it back; V14.3.1: sign-out clears the cache."""
    make_user(Role.PROVIDER, "penyedia")
    client = new_client()
    public = client.get("/")
    assert "no-store" not in public.get("Cache-Control", "")
    sign_in(client, "penyedia", PASSWORD)
    page = client.get(HOME_URL)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
    out = client.post("/akun/keluar/")
    assert out["Clear-Site-Data"] == '"cache"'
