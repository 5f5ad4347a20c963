"""Ending sessions and changing one's password (issue 21, docs/asvs.md gaps 3 and 4; ASVS V7.4.3,
V7.4.5, V7.5.2, V7.1.2, V6.2.2, V6.2.3): each defence as the attack it stops — a stolen session
cookie that keeps working after "end the others", a new password or a new second factor; a
wrong current password that changes something."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts.models import User, UserSession
from lpse.accounts.roles import Role
from lpse.core.models import AuditEvent
from tests.conftest import PASSWORD, in_english
from tests.test_auth_hardening import (
    HOME_URL,
    LOGIN_URL,
    OTP_URL,
    REAUTH_URL,
    TUESDAY_10,
    sign_in,
    totp_codes,
)

pytestmark = pytest.mark.django_db

SESSIONS_URL = "/akun/sesi/"
PASSWORD_URL = "/akun/sandi/ubah/"
NEW_PASSWORD = "Lembayung-senja-77"


def browser(ip: str, agent: str) -> Client:
    return in_english(Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent))


def signed_in(username: str, ip: str = "10.0.0.1", agent: str = "Firefox/128") -> Client:
    client = browser(ip, agent)
    assert sign_in(client, username).status_code == 302
    assert client.get(HOME_URL).status_code == 200
    return client


def is_signed_out(client: Client) -> bool:
    response = client.get(HOME_URL)
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def sessions_of(user) -> list:
    return [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_issue21_my_sessions_lists_only_my_sessions_and_marks_this_one(make_user):
    ppk = make_user(Role.PPK, "ppk-satu")
    make_user(Role.PPK, "ppk-dua")
    office = signed_in("ppk-satu", "10.0.0.1", "Firefox/128 kantor")
    signed_in("ppk-satu", "10.0.0.2", "Chrome/131 rumah")
    signed_in("ppk-dua", "10.0.0.9", "Safari/18 orang-lain")

    page = office.get(SESSIONS_URL).content.decode()

    assert "10.0.0.1" in page and "Firefox/128 kantor" in page
    assert "10.0.0.2" in page and "Chrome/131 rumah" in page
    assert "10.0.0.9" not in page and "orang-lain" not in page  # another person's session
    assert page.count('id="this-session"') == 1
    assert page.index("Firefox/128 kantor") < page.index('id="this-session"')
    assert 'id="end-others"' in page
    assert UserSession.objects.filter(user=ppk).count() == 2


def test_issue21_a_page_with_no_other_session_offers_no_button(make_user):
    make_user(Role.PPK, "ppk-satu")
    page = signed_in("ppk-satu").get(SESSIONS_URL).content.decode()
    assert 'id="this-session"' in page and 'id="end-others"' not in page


def test_issue21_ending_the_others_stops_a_stolen_session_cookie(make_user):
    """ASVS V7.5.2: the owner sees a session they do not know and ends it; the cookie an
    attacker copied is worth nothing after that, while the owner's own session goes on."""
    ppk = make_user(Role.PPK, "ppk-satu")
    make_user(Role.PPK, "ppk-dua")
    owner = signed_in("ppk-satu", "10.0.0.1")
    victim_laptop = signed_in("ppk-satu", "10.0.0.2")
    attacker = browser("203.0.113.7", "curl/8")
    attacker.cookies["sessionid"] = victim_laptop.cookies["sessionid"].value
    assert attacker.get(HOME_URL).status_code == 200  # the stolen cookie works
    bystander = signed_in("ppk-dua", "10.0.0.9")

    response = owner.post(SESSIONS_URL)

    assert response.status_code == 302
    assert "1 other session(s) ended." in owner.get(response["Location"]).content.decode()
    assert is_signed_out(attacker) and is_signed_out(victim_laptop)
    assert owner.get(HOME_URL).status_code == 200
    assert bystander.get(HOME_URL).status_code == 200  # nobody else's session
    assert len(sessions_of(ppk)) == 1
    event = AuditEvent.objects.get(action="sessions.end_others")
    assert event.data == {"why": "asked", "sessions_ended": 1}


def test_issue21_a_session_whose_record_was_ended_is_signed_out_even_if_its_row_survived(
    make_user,
):
    """The record is the authority: a Django session row left behind (a key that changed in a
    race, a restored backup) does not keep a session alive once its record is gone."""
    make_user(Role.PPK, "ppk-satu")
    client = signed_in("ppk-satu")
    UserSession.objects.all().delete()
    assert is_signed_out(client)


def test_issue21_a_new_password_ends_the_other_sessions_and_keeps_this_one(make_user):
    """ASVS V7.4.3 and V6.2.3: even though Django's session hash would refuse the old sessions
    at their next request, their rows and records are deleted at once, and this session stays."""
    ppk = make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu", "10.0.0.1")
    stolen = signed_in("ppk-satu", "10.0.0.2")
    assert here.post(REAUTH_URL, {"password": PASSWORD}).status_code == 302

    response = here.post(
        PASSWORD_URL,
        {
            "current_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302 and response["Location"] == HOME_URL
    assert len(sessions_of(ppk)) == 1  # deleted, not merely invalid by the hash
    assert UserSession.objects.filter(user=ppk).count() == 1
    assert is_signed_out(stolen)
    assert here.get(HOME_URL).status_code == 200
    ppk.refresh_from_db()
    assert ppk.check_password(NEW_PASSWORD) and not ppk.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="password.change", object_id=str(ppk.pk)).exists()
    assert AuditEvent.objects.get(action="sessions.end_others").data["why"] == "password.change"
    assert sign_in(browser("10.0.0.3", "x"), "ppk-satu", PASSWORD).status_code == 200
    assert sign_in(browser("10.0.0.4", "x"), "ppk-satu", NEW_PASSWORD).status_code == 302


def test_issue21_a_wrong_current_password_changes_nothing(make_user):
    """ASVS V6.2.2: someone at an unlocked computer cannot lock the owner out by setting a
    password: without the current one nothing changes and no session ends."""
    ppk = make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu", "10.0.0.1")
    other = signed_in("ppk-satu", "10.0.0.2")
    here.post(REAUTH_URL, {"password": PASSWORD})
    before = User.objects.get(pk=ppk.pk).password

    response = here.post(
        PASSWORD_URL,
        {
            "current_password": "Tebakan-salah-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "The current password is wrong." in response.content.decode()
    assert User.objects.get(pk=ppk.pk).password == before
    assert other.get(HOME_URL).status_code == 200
    assert not AuditEvent.objects.filter(action__in=["password.change", "sessions.end_others"])


@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("pendek", "pendek", "This password is too short."),
        ("1234567890123", "1234567890123", "This password is entirely numeric."),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
        (PASSWORD, PASSWORD, "The new password is the same as the current one"),
    ],
)
def test_issue21_a_new_password_the_rules_refuse_changes_nothing(make_user, new1, new2, message):
    ppk = make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu")
    here.post(REAUTH_URL, {"password": PASSWORD})
    response = here.post(
        PASSWORD_URL,
        {"current_password": PASSWORD, "new_password1": new1, "new_password2": new2},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    ppk.refresh_from_db()
    assert ppk.check_password(PASSWORD)


def test_issue21_changing_the_password_needs_the_password_typed_again(make_user):
    make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu")
    response = here.get(PASSWORD_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{REAUTH_URL}?next={PASSWORD_URL}"


def test_issue21_guessing_the_current_password_from_a_stolen_session_is_limited(make_user):
    """Wrong current passwords count with the re-authentication page's: the fifth ends it."""
    make_user(Role.PPK, "ppk-satu")
    here = signed_in("ppk-satu")
    here.post(REAUTH_URL, {"password": PASSWORD})
    wrong = {"current_password": "x", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(4):
        assert here.post(PASSWORD_URL, wrong).status_code == 200
    response = here.post(PASSWORD_URL, wrong)
    assert response.status_code == 302 and response["Location"] == LOGIN_URL
    assert is_signed_out(here)


def test_issue21_enrolling_a_second_factor_ends_the_sessions_opened_with_the_password_alone(
    make_user, settings
):
    """ASVS V7.4.3: someone who had the password and signed in before the owner enrolled keeps
    a session that the second factor never covered — unless enrolment ends it."""
    settings.LPSE_STAFF_2FA = True
    verifier = make_user(Role.VERIFIER, "verifier")
    with time_machine.travel(TUESDAY_10, tick=False):
        intruder = browser("203.0.113.7", "curl/8")
        assert sign_in(intruder, "verifier").status_code == 302
        owner = browser("10.0.0.1", "Firefox/128")
        sign_in(owner, "verifier")
        owner.get(OTP_URL)  # the enrolment page makes the pending device
        device = TOTPDevice.objects.get(user=verifier, confirmed=False)
        response = owner.post(OTP_URL, {"token": totp_codes(device, TUESDAY_10)[1]})
        assert response.status_code == 302

        assert is_signed_out(intruder)  # to the sign-in page, not to the enrolment page
        assert owner.get(HOME_URL).status_code == 200
        assert len(sessions_of(verifier)) == 1
        event = AuditEvent.objects.get(action="sessions.end_others")
        assert event.data == {"why": "totp_device.confirm", "sessions_ended": 1}


def test_issue21_signing_out_forgets_the_session_record(make_user):
    ppk = make_user(Role.PPK, "ppk-satu")
    client = signed_in("ppk-satu")
    assert UserSession.objects.filter(user=ppk).count() == 1
    client.post("/akun/keluar/")
    assert not UserSession.objects.filter(user=ppk).exists()


def test_issue21_the_operator_signs_everybody_out_with_a_reason(make_user):
    """ASVS V7.4.5, "everyone's sessions": after a suspected breach, one command."""
    make_user(Role.PPK, "ppk-satu")
    make_user(Role.PROVIDER, "penyedia")
    clients = [signed_in("ppk-satu"), signed_in("penyedia", "10.0.0.5")]
    with pytest.raises(CommandError, match="reason"):
        call_command("end_all_sessions", "--reason", " ")
    assert not any(is_signed_out(c) for c in clients)
    out = StringIO()
    call_command("end_all_sessions", "--reason", "Dugaan kebocoran", stdout=out)
    assert "2 session(s) ended" in out.getvalue()
    assert all(is_signed_out(c) for c in clients)
    event = AuditEvent.objects.get(action="sessions.end_everyone")
    assert event.data == {"reason": "Dugaan kebocoran", "sessions_ended": 2}


def test_issue21_records_of_timed_out_sessions_go_at_the_next_sign_in(make_user, settings):
    ppk = make_user(Role.PPK, "ppk-satu")
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        signed_in("ppk-satu", "10.0.0.1")
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 120))
        fresh = signed_in("ppk-satu", "10.0.0.2")
        assert list(UserSession.objects.filter(user=ppk).values_list("address", flat=True)) == [
            "10.0.0.2"
        ]
        assert "10.0.0.1" not in fresh.get(SESSIONS_URL).content.decode()
