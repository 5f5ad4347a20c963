"""Issue 2: account security — brute-force lock (R-4.4), login hours (R-5.7), staff TOTP,
session timeouts, re-authentication, argon2 and one-time set-password links.

Every clock is moved with time-machine (``tick=False``), so nothing depends on how fast the
tests run. Times are WITA (Asia/Makassar, UTC+8).
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts.models import LoginWindow, PasswordLink, RoleGrant
from lpse.accounts.roles import Role
from lpse.accounts.services import (
    login_window_set,
    password_link_send,
    password_set_with_link,
)
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from tests.conftest import PASSWORD, in_english

WITA = ZoneInfo("Asia/Makassar")
LOGIN_URL = "/akun/masuk/"
HOME_URL = "/akun/"
OTP_URL = "/akun/2fa/"
REAUTH_URL = "/akun/konfirmasi-sandi/"
EMAIL_URL = "/akun/email/"

# A Tuesday in office hours, and other moments of the same week.
TUESDAY_10 = datetime(2025, 6, 3, 10, 0, tzinfo=WITA)
TUESDAY_20 = datetime(2025, 6, 3, 20, 0, tzinfo=WITA)
SATURDAY_10 = datetime(2025, 6, 7, 10, 0, tzinfo=WITA)

OUTSIDE_HOURS = "Your account may only sign in during its allowed hours (WITA)"
WRONG_PASSWORD = "The User ID or password is wrong."
LOCKED = "Too many wrong passwords were typed for this User ID from this network."
SESSION_ENDED = "Your session has ended (the maximum session length has passed)."


def new_client(ip: str = "10.0.0.1") -> Client:
    return in_english(Client(REMOTE_ADDR=ip))


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def failures(username: str, ip: str) -> int:
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip).first()
    return attempt.failures_since_start if attempt else 0


def is_signed_in(client: Client) -> bool:
    """Whether the client's next request is treated as signed in (home page answers 200)."""
    return client.get(HOME_URL).status_code == 200


# --- brute-force protection on username + IP ----------------------------------------------


@pytest.mark.django_db
def test_r4_4_wrong_passwords_lock_only_that_user_id_from_that_ip_until_the_cool_off_ends(
    make_user,
):
    bidder = make_user(Role.PROVIDER, "bidder")
    make_user(Role.PROVIDER, "neighbour")
    limit = settings.AXES_FAILURE_LIMIT
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    rival = new_client("10.0.0.66")

    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        for attempt in range(1, limit):
            response = sign_in(rival, "bidder", f"guess-{attempt}")
            assert response.status_code == 200, attempt
            assert WRONG_PASSWORD in response.content.decode()
        locked = sign_in(rival, "bidder", "guess-last")
        assert locked.status_code == 429
        page = locked.content.decode()
        assert LOCKED in page
        assert f"is blocked for {minutes} minutes" in page
        assert failures("bidder", "10.0.0.66") == limit

        # Locked means locked: even the right password from that IP is refused.
        right_but_locked = sign_in(rival, "bidder", PASSWORD)
        assert right_but_locked.status_code == 429
        assert not is_signed_in(rival)

        # The real bidder, elsewhere, signs in as usual (the rival cannot lock them out).
        at_home = new_client("10.0.0.7")
        response = sign_in(at_home, "bidder")
        assert response.status_code == 302
        assert response["Location"] == HOME_URL
        assert is_signed_in(at_home)
        # ...and that success does not lift the lock the rival earned on their own IP.
        assert sign_in(new_client("10.0.0.66"), "bidder", PASSWORD).status_code == 429

        # Another User ID from the rival's IP is unaffected.
        other = new_client("10.0.0.66")
        assert sign_in(other, "neighbour").status_code == 302
        assert is_signed_in(other)

        # Just before the cool-off ends the pair is still locked. (Each refused try during the
        # lock starts the cool-off again, as the page's "blocked for N minutes" says.)
        last_try = TUESDAY_10 + settings.AXES_COOLOFF_TIME - timedelta(seconds=30)
        clock.move_to(last_try)
        assert sign_in(new_client("10.0.0.66"), "bidder", PASSWORD).status_code == 429

        # Once the cool-off has passed, the right password works again from that IP.
        clock.move_to(last_try + settings.AXES_COOLOFF_TIME + timedelta(seconds=30))
        later = new_client("10.0.0.66")
        response = sign_in(later, "bidder")
        assert response.status_code == 302
        assert is_signed_in(later)
    bidder.refresh_from_db()
    assert bidder.last_login is not None


# --- login hours --------------------------------------------------------------------------


@pytest.fixture
def committee_office_hours(make_user):
    """Committee members may sign in Monday–Friday 07:00–16:00 WITA."""
    admin = make_user(Role.APP_ADMIN, "admin")
    return login_window_set(
        actor=admin, role=Role.COMMITTEE, weekdays="12345", start=time(7), end=time(16)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        SATURDAY_10,
        TUESDAY_20,
        datetime(2025, 6, 3, 6, 59, tzinfo=WITA),
        datetime(2025, 6, 3, 16, 0, tzinfo=WITA),  # the end is exclusive
        datetime(2025, 6, 8, 10, 0, tzinfo=WITA),  # Sunday
    ],
    ids=["saturday-10", "tuesday-20", "tuesday-0659", "tuesday-1600", "sunday-10"],
)
def test_r5_7_a_committee_member_is_refused_outside_the_role_window_with_the_hours_listed(
    make_user, committee_office_hours, moment
):
    make_user(Role.COMMITTEE, "pokja")
    client = new_client()
    with time_machine.travel(moment, tick=False):
        response = sign_in(client, "pokja")
        assert response.status_code == 200
        page = response.content.decode()
        assert OUTSIDE_HOURS in page
        assert "Monday, Tuesday, Wednesday, Thursday, Friday 07:00–16:00" in page
        assert WRONG_PASSWORD not in page
        assert not is_signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        TUESDAY_10,
        datetime(2025, 6, 2, 7, 0, tzinfo=WITA),  # Monday, the first minute
        datetime(2025, 6, 6, 15, 59, tzinfo=WITA),  # Friday, the last minute
    ],
    ids=["tuesday-10", "monday-0700", "friday-1559"],
)
def test_r5_7_a_committee_member_signs_in_inside_the_role_window(
    make_user, committee_office_hours, moment
):
    make_user(Role.COMMITTEE, "pokja")
    client = new_client()
    with time_machine.travel(moment, tick=False):
        response = sign_in(client, "pokja")
        assert response.status_code == 302
        assert response["Location"] == HOME_URL
        assert is_signed_in(client)


@pytest.mark.django_db
def test_r5_7_a_personal_window_replaces_the_role_window_for_that_user_only(
    make_user, committee_office_hours
):
    admin = make_user(Role.APP_ADMIN, "admin2")
    weekend = make_user(Role.COMMITTEE, "pokja-weekend")
    make_user(Role.COMMITTEE, "pokja-weekday")
    login_window_set(actor=admin, user=weekend, weekdays="6", start=time(8), end=time(12))

    with time_machine.travel(SATURDAY_10, tick=False):
        assert sign_in(new_client(), "pokja-weekend").status_code == 302
        refused = sign_in(new_client(), "pokja-weekday")
        assert OUTSIDE_HOURS in refused.content.decode()

    with time_machine.travel(TUESDAY_10, tick=False):
        # The personal window replaces the role's Monday–Friday, it does not add to it.
        refused = sign_in(new_client(), "pokja-weekend")
        page = refused.content.decode()
        assert OUTSIDE_HOURS in page
        assert "Saturday 08:00–12:00" in page
        assert "07:00–16:00" not in page
        assert sign_in(new_client(), "pokja-weekday").status_code == 302


@pytest.mark.django_db
def test_r5_7_a_person_who_also_holds_a_role_without_windows_is_unrestricted(
    make_user, committee_office_hours
):
    both = make_user(Role.COMMITTEE, "pokja-ppk")
    RoleGrant.objects.create(user=both, role=Role.PPK)
    with time_machine.travel(SATURDAY_10, tick=False):
        client = new_client()
        assert sign_in(client, "pokja-ppk").status_code == 302
        assert is_signed_in(client)
        # Other roles are untouched by the committee's window.
        provider = new_client()
        make_user(Role.PROVIDER, "bidder")
        assert sign_in(provider, "bidder").status_code == 302


@pytest.mark.django_db
def test_r5_7_a_signed_in_session_that_passes_out_of_the_window_is_signed_out_with_the_hours(
    make_user, committee_office_hours
):
    make_user(Role.COMMITTEE, "pokja")
    client = new_client()
    with time_machine.travel(datetime(2025, 6, 3, 15, 50, tzinfo=WITA), tick=False) as clock:
        assert sign_in(client, "pokja").status_code == 302
        assert client.get(HOME_URL).status_code == 200

        clock.move_to(datetime(2025, 6, 3, 16, 5, tzinfo=WITA))
        response = client.get(HOME_URL, follow=True)
        assert response.redirect_chain[0] == (LOGIN_URL, 302)
        page = response.content.decode()
        assert OUTSIDE_HOURS in page
        assert "07:00–16:00" in page
        assert not is_signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"role": Role.COMMITTEE, "weekdays": "12345", "start": time(16), "end": time(7)},
            "The window must start before it ends.",
        ),
        (
            {"role": Role.COMMITTEE, "weekdays": "12345", "start": time(9), "end": time(9)},
            "The window must start before it ends.",
        ),
        (
            {"role": Role.COMMITTEE, "weekdays": "158", "start": time(7), "end": time(16)},
            "Choose the days as numbers 1 (Monday) to 7 (Sunday).",
        ),
        (
            {"role": Role.COMMITTEE, "weekdays": "", "start": time(7), "end": time(16)},
            "Choose the days as numbers 1 (Monday) to 7 (Sunday).",
        ),
        (
            {"role": Role.COMMITTEE, "weekdays": "Mon", "start": time(7), "end": time(16)},
            "Choose the days as numbers 1 (Monday) to 7 (Sunday).",
        ),
        (
            {"role": "chief", "weekdays": "12345", "start": time(7), "end": time(16)},
            "Unknown role “chief”.",
        ),
        (
            {"weekdays": "12345", "start": time(7), "end": time(16)},
            "A login window is for either a role or one user.",
        ),
    ],
    ids=[
        "start-after-end",
        "empty-window",
        "day-8",
        "no-days",
        "day-names",
        "unknown-role",
        "no-one",
    ],
)
def test_r5_7_bad_login_window_input_is_refused_with_a_readable_message(make_user, kwargs, message):
    admin = make_user(Role.APP_ADMIN, "admin")
    with pytest.raises(DomainError) as refused:
        login_window_set(actor=admin, **kwargs)
    assert str(refused.value) == message
    assert not LoginWindow.objects.exists()


@pytest.mark.django_db
def test_r5_7_only_a_login_hours_manager_may_set_a_window(make_user):
    helpdesk = make_user(Role.HELPDESK, "helpdesk")
    with pytest.raises(DomainError) as refused:
        login_window_set(
            actor=helpdesk, role=Role.COMMITTEE, weekdays="1", start=time(7), end=time(16)
        )
    assert refused.value.code == "forbidden"
    assert not LoginWindow.objects.exists()


@pytest.mark.django_db
def test_r5_7_an_outside_hours_refusal_is_not_counted_as_a_wrong_password(
    make_user, committee_office_hours
):
    make_user(Role.COMMITTEE, "pokja")
    client = new_client("10.0.0.9")
    with time_machine.travel(TUESDAY_20, tick=False) as clock:
        for guess in ("wrong-1", "wrong-2"):
            assert WRONG_PASSWORD in sign_in(client, "pokja", guess).content.decode()
        assert failures("pokja", "10.0.0.9") == 2

        # More right-password attempts than the failure limit, all outside the hours.
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            response = sign_in(client, "pokja")
            assert response.status_code == 200
            assert OUTSIDE_HOURS in response.content.decode()
        assert failures("pokja", "10.0.0.9") == 2

        # Next morning the person signs in from the same place; the counter is reset.
        clock.move_to(datetime(2025, 6, 4, 8, 0, tzinfo=WITA))
        assert sign_in(client, "pokja").status_code == 302
        assert failures("pokja", "10.0.0.9") == 0


# --- staff second factor (TOTP) ------------------------------------------------------------------


def totp_codes(device: TOTPDevice, moment: datetime) -> list[str]:
    """The codes the device accepts at ``moment``: the current step and its neighbours."""
    codes = []
    for offset in (-1, 0, 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        totp.time = moment.timestamp()
        codes.append(f"{totp.token():0{device.digits}d}")
    return codes


@pytest.mark.django_db
def test_staff_must_enrol_and_pass_totp_before_any_page_and_a_wrong_code_is_refused(
    make_user, settings
):
    settings.LPSE_STAFF_2FA = True
    verifier = make_user(Role.VERIFIER, "verifier")
    client = new_client()
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        response = sign_in(client, "verifier")
        assert response.status_code == 302

        for page in (HOME_URL, EMAIL_URL, "/"):
            response = client.get(page)
            assert response.status_code == 302, page
            assert response["Location"].startswith(f"{OTP_URL}?next={page}"), page

        enrolment = client.get(f"{OTP_URL}?next={HOME_URL}")
        assert enrolment.status_code == 200
        page = enrolment.content.decode()
        assert "<svg" in page
        device = TOTPDevice.objects.get(user=verifier)
        assert device.confirmed is False
        secret = device.config_url.split("secret=")[1].split("&")[0]
        assert f'<code id="otp-secret">{secret}</code>' in page

        accepted = totp_codes(device, TUESDAY_10)
        wrong = next(
            c
            for c in (f"{(int(accepted[1]) + n) % 10**6:06d}" for n in range(1, 10))
            if c not in accepted
        )
        refused = client.post(OTP_URL, {"token": wrong, "next": HOME_URL})
        assert refused.status_code == 200
        assert "That code is not right." in refused.content.decode()
        assert client.get(HOME_URL).status_code == 302
        device.refresh_from_db()
        assert device.confirmed is False

        # After the one-second throttle that follows a wrong code, the right code works.
        moment = TUESDAY_10 + timedelta(seconds=5)
        clock.move_to(moment)
        right = totp_codes(device, moment)[1]
        response = client.post(OTP_URL, {"token": right, "next": HOME_URL})
        assert response.status_code == 302
        assert response["Location"] == HOME_URL
        assert client.get(HOME_URL).status_code == 200
        device.refresh_from_db()
        assert device.confirmed is True


@pytest.mark.django_db
def test_a_staff_member_with_a_device_is_asked_for_a_code_without_enrolling_again(
    make_user, settings
):
    settings.LPSE_STAFF_2FA = True
    verifier = make_user(Role.VERIFIER, "verifier")
    device = TOTPDevice.objects.create(user=verifier, name="phone", confirmed=True)
    client = new_client()
    with time_machine.travel(TUESDAY_10, tick=False):
        sign_in(client, "verifier")
        page = client.get(OTP_URL).content.decode()
        assert "<svg" not in page
        assert "otp-secret" not in page
        response = client.post(OTP_URL, {"token": totp_codes(device, TUESDAY_10)[1]})
        assert response.status_code == 302
        assert client.get(HOME_URL).status_code == 200
    assert TOTPDevice.objects.filter(user=verifier).count() == 1


@pytest.mark.django_db
def test_a_provider_is_not_asked_for_a_second_factor(make_user, settings):
    settings.LPSE_STAFF_2FA = True
    make_user(Role.PROVIDER, "bidder")
    client = new_client()
    assert sign_in(client, "bidder").status_code == 302
    assert client.get(HOME_URL).status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_in_demo_mode_staff_are_not_asked_for_a_second_factor(make_user, settings):
    settings.LPSE_STAFF_2FA = False
    make_user(Role.VERIFIER, "verifier")
    client = new_client()
    assert sign_in(client, "verifier").status_code == 302
    assert client.get(HOME_URL).status_code == 200


# --- session timeouts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_session_ends_after_the_maximum_length_even_if_it_was_never_idle(make_user):
    make_user(Role.PROVIDER, "bidder")
    client = new_client()
    keep_alive = timedelta(seconds=settings.SESSION_IDLE_SECONDS // 2)
    maximum = timedelta(seconds=settings.SESSION_MAX_SECONDS)
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        assert sign_in(client, "bidder").status_code == 302
        # Stay active: a request every half idle period, up to just before the maximum.
        moment = TUESDAY_10
        while moment + keep_alive < TUESDAY_10 + maximum:
            moment += keep_alive
            clock.move_to(moment)
            assert client.get(HOME_URL).status_code == 200, moment
        clock.move_to(TUESDAY_10 + maximum - timedelta(seconds=1))
        assert client.get(HOME_URL).status_code == 200

        clock.move_to(TUESDAY_10 + maximum + timedelta(seconds=1))
        response = client.get(HOME_URL, follow=True)
        assert response.redirect_chain[0] == (f"{LOGIN_URL}?next={HOME_URL}", 302)
        assert SESSION_ENDED in response.content.decode()
        assert not is_signed_in(client)


@pytest.mark.django_db
def test_the_maximum_session_length_counts_from_sign_in_not_from_the_first_page(make_user):
    make_user(Role.PROVIDER, "bidder")
    client = new_client()
    keep_alive = timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)
    maximum = timedelta(seconds=settings.SESSION_MAX_SECONDS)
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        assert sign_in(client, "bidder").status_code == 302
        moment = TUESDAY_10
        while moment + keep_alive < TUESDAY_10 + maximum:
            moment += keep_alive
            clock.move_to(moment)
            assert client.get(HOME_URL).status_code == 200, moment
        clock.move_to(TUESDAY_10 + maximum + timedelta(seconds=1))
        assert client.get(HOME_URL).status_code == 302
        assert not is_signed_in(client)


@pytest.mark.django_db
def test_an_idle_session_expires_and_every_request_pushes_the_expiry_forward(make_user):
    make_user(Role.PROVIDER, "bidder")
    idle = settings.SESSION_IDLE_SECONDS
    assert idle == int(os.environ.get("LPSE_SESSION_IDLE_MINUTES", "30")) * 60
    assert idle == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    client = new_client()
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        assert sign_in(client, "bidder").status_code == 302
        key = client.session.session_key
        assert Session.objects.get(session_key=key).expire_date == TUESDAY_10 + timedelta(
            seconds=idle
        )

        later = TUESDAY_10 + timedelta(seconds=idle - 60)
        clock.move_to(later)
        assert client.get(HOME_URL).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == later + timedelta(seconds=idle)

        # Idle for one second longer than the idle period: the session is gone.
        clock.move_to(later + timedelta(seconds=idle + 1))
        response = client.get(HOME_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN_URL}?next=")


# --- re-authentication before sensitive changes --------------------------------------------------


@pytest.mark.django_db
def test_changing_the_email_needs_the_password_again_and_tells_both_addresses(
    make_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "lpse.core.mail.RecordingBackend"
    user = make_user(Role.PROVIDER, "bidder")
    old = user.email
    client = new_client()
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        sign_in(client, "bidder")

        response = client.get(EMAIL_URL)
        assert response.status_code == 302
        assert response["Location"] == f"{REAUTH_URL}?next={EMAIL_URL}"
        # Posting the change directly is refused the same way, and changes nothing.
        response = client.post(EMAIL_URL, {"email": "thief@example.test"})
        assert response["Location"] == f"{REAUTH_URL}?next={EMAIL_URL}"
        user.refresh_from_db()
        assert user.email == old

        wrong = client.post(REAUTH_URL, {"password": "not-my-password", "next": EMAIL_URL})
        assert wrong.status_code == 200
        assert "The password is wrong." in wrong.content.decode()
        assert client.get(EMAIL_URL).status_code == 302

        right = client.post(REAUTH_URL, {"password": PASSWORD, "next": EMAIL_URL})
        assert right.status_code == 302
        assert right["Location"] == EMAIL_URL
        assert client.get(EMAIL_URL).status_code == 200

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(EMAIL_URL, {"email": "New.Address@Example.test"})
        assert response.status_code == 302
        assert response["Location"] == HOME_URL
        user.refresh_from_db()
        assert user.email == "new.address@example.test"

        for address in (old, "new.address@example.test"):
            mail = SentEmail.objects.get(to=address)
            assert mail.subject == "Your LPSE e-mail address was changed"
            assert old in mail.body and "new.address@example.test" in mail.body
        event = AuditEvent.objects.get(action="user.email_change")
        assert event.object_id == str(user.pk)
        assert event.data == {"old": old, "new": "new.address@example.test"}

        # Within the re-auth period the page stays open; after it, the password is asked again.
        clock.move_to(TUESDAY_10 + timedelta(seconds=settings.REAUTH_SECONDS - 10))
        assert client.get(EMAIL_URL).status_code == 200
        clock.move_to(TUESDAY_10 + timedelta(seconds=settings.REAUTH_SECONDS + 10))
        response = client.get(EMAIL_URL)
        assert response.status_code == 302
        assert response["Location"] == f"{REAUTH_URL}?next={EMAIL_URL}"


@pytest.mark.django_db
def test_reauth_does_not_follow_a_next_link_to_another_site(make_user):
    make_user(Role.PROVIDER, "bidder")
    client = new_client()
    sign_in(client, "bidder")
    response = client.post(REAUTH_URL, {"password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


# --- password storage ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(make_user):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = make_user(Role.PROVIDER, "bidder")
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_password_set_by_link_is_stored_with_argon2(make_user):
    user = make_user(Role.PROVIDER, "bidder")
    token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    password_set_with_link(token=token, password="Another-Strong-Phrase-7")
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


# --- one-time set-password links -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_set_password_link_works_once_and_is_refused_when_reused(make_user):
    user = make_user(Role.PROVIDER, "bidder")
    token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    password_set_with_link(token=token, password="Another-Strong-Phrase-7")
    user.refresh_from_db()
    assert user.check_password("Another-Strong-Phrase-7")

    with pytest.raises(DomainError) as refused:
        password_set_with_link(token=token, password="Yet-Another-Phrase-8")
    assert refused.value.code == "used_link"
    assert "already been used" in str(refused.value)
    user.refresh_from_db()
    assert user.check_password("Another-Strong-Phrase-7")

    page = new_client().get(f"/akun/sandi/atur/{token}/")
    assert page.status_code == 410
    assert "This link has already been used." in page.content.decode()


@pytest.mark.django_db
def test_a_new_set_password_link_voids_the_older_one(make_user):
    user = make_user(Role.PROVIDER, "bidder")
    first = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    second = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
    with pytest.raises(DomainError) as refused:
        password_set_with_link(token=first, password="Another-Strong-Phrase-7")
    assert refused.value.code == "used_link"
    password_set_with_link(token=second, password="Another-Strong-Phrase-7")


@pytest.mark.django_db
def test_an_expired_set_password_link_is_refused(make_user):
    user = make_user(Role.PROVIDER, "bidder")
    hours = settings.LPSE_SET_PASSWORD_HOURS
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
        clock.move_to(TUESDAY_10 + timedelta(hours=hours, seconds=1))
        with pytest.raises(DomainError) as refused:
            password_set_with_link(token=token, password="Another-Strong-Phrase-7")
        assert refused.value.code == "expired_link"
        assert "This link has expired." in str(refused.value)
        page = new_client().get(f"/akun/sandi/atur/{token}/")
        assert page.status_code == 410
        assert "This link has expired." in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_set_password_link_still_works_just_before_it_expires(make_user):
    user = make_user(Role.PROVIDER, "bidder")
    hours = settings.LPSE_SET_PASSWORD_HOURS
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)
        clock.move_to(TUESDAY_10 + timedelta(hours=hours, seconds=-1))
        password_set_with_link(token=token, password="Another-Strong-Phrase-7")
    user.refresh_from_db()
    assert user.check_password("Another-Strong-Phrase-7")


@pytest.mark.django_db
def test_a_weak_password_is_refused_with_the_validator_message_and_the_link_stays_usable(
    make_user,
):
    user = make_user(Role.PROVIDER, "bidder")
    token = password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)

    with pytest.raises(DomainError) as refused:
        password_set_with_link(token=token, password="12345678")
    assert refused.value.field == "password"
    message = str(refused.value)
    assert "This password is too short. It must contain at least 10 characters." in message
    assert "This password is entirely numeric." in message
    assert PasswordLink.objects.get(user=user, used_at__isnull=True)

    # Through the page too: the message shows on the form, the link keeps working.
    client = new_client()
    url = f"/akun/sandi/atur/{token}/"
    response = client.post(url, {"password1": "password1234", "password2": "password1234"})
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    response = client.post(
        url, {"password1": "Another-Strong-Phrase-7", "password2": "Another-Strong-Phrase-7"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?username=bidder"
    user.refresh_from_db()
    assert user.check_password("Another-Strong-Phrase-7")
    assert client.get(url).status_code == 410


@pytest.mark.django_db
def test_re_authentication_cannot_be_used_to_guess_passwords(make_user):
    """R-4.4: five wrong passwords at the re-authentication prompt end the session."""
    user = make_user(Role.VERIFIER, "verifikator-tebak")
    client = new_client()
    client.force_login(user)
    for _ in range(4):
        response = client.post("/akun/konfirmasi-sandi/", {"password": "salah-terus"})
        assert response.status_code == 200 and "The password is wrong." in response.content.decode()
    response = client.post("/akun/konfirmasi-sandi/", {"password": "salah-terus"}, follow=True)
    assert "Too many wrong passwords" in response.content.decode()
    assert client.get("/akun/").status_code == 302  # signed out
