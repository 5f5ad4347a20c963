"""An administrator ends a person's sessions, and two administrators reset a lost second factor
(issue 21, docs/asvs.md gaps 3 and 5; ASVS V7.4.5, V6.4.4): each as the attack it stops — one
insider alone taking over a staff account by resetting its authenticator, a session kept by
someone who found a lost laptop."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import lifecycle, second_factor_reset
from lpse.accounts.models import SecondFactorReset
from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from tests.conftest import in_english
from tests.test_account_sessions import is_signed_out, signed_in
from tests.test_auth_hardening import HOME_URL, OTP_URL, TUESDAY_10, sign_in

pytestmark = pytest.mark.django_db

NOTE = "KTP asli dan SK pengangkatan diperiksa di ruang LPSE"


@pytest.fixture
def people(make_user):
    verifier = make_user(Role.VERIFIER, "verifier")
    TOTPDevice.objects.create(user=verifier, name="authenticator", confirmed=True)
    return {
        "verifier": verifier,
        "admin1": make_user(Role.APP_ADMIN, "admin-satu"),
        "admin2": make_user(Role.APP_ADMIN, "admin-dua"),
    }


def page_of(admin, account) -> str:
    client = in_english(Client())
    client.force_login(admin)
    return client.get(reverse("accounts:account_detail", args=[account.pk])).content.decode()


def test_issue21_an_administrator_ends_a_persons_sessions_without_deactivating(make_user):
    """ASVS V7.4.5: a laptop left signed in is lost; the administrator signs its owner out
    everywhere, the account stays active, and the reason is in the audit log."""
    ppk = make_user(Role.PPK, "ppk-satu")
    admin = make_user(Role.APP_ADMIN, "admin-satu")
    lost_laptop = signed_in("ppk-satu", "10.0.0.1")
    desk = signed_in("ppk-satu", "10.0.0.2")
    admin_client = in_english(Client())
    admin_client.force_login(admin)
    url = reverse("accounts:account_sessions_end", args=[ppk.pk])

    refused = admin_client.post(url, {"reason": " "}, follow=True)
    assert "give the reason" in refused.content.decode()
    assert lost_laptop.get(HOME_URL).status_code == 200

    response = admin_client.post(url, {"reason": "Laptop hilang"}, follow=True)

    assert "2 session(s) of the account ended." in response.content.decode()
    assert is_signed_out(lost_laptop) and is_signed_out(desk)
    ppk.refresh_from_db()
    assert ppk.is_active
    assert sign_in(in_english(Client()), "ppk-satu").status_code == 302  # signs in again
    event = AuditEvent.objects.get(action="sessions.end_all")
    assert event.actor == admin
    assert event.data == {"username": "ppk-satu", "reason": "Laptop hilang", "sessions_ended": 2}
    assert admin_client.get(HOME_URL).status_code == 200  # the administrator's own session


def test_issue21_only_a_manager_of_the_account_ends_its_sessions(make_user):
    ppk = make_user(Role.PPK, "ppk-satu")
    other_agency_admin = make_user(Role.AGENCY_ADMIN, "admin-dinkes", agency_code="DINKES")
    own_agency_admin = make_user(Role.AGENCY_ADMIN, "admin-dpupr")
    with pytest.raises(DomainError, match="You may not change the account"):
        lifecycle.account_sessions_end(actor=other_agency_admin, user=ppk, reason="iseng")
    with pytest.raises(DomainError, match="your own account"):
        lifecycle.account_sessions_end(actor=ppk, user=ppk, reason="iseng")
    client = in_english(Client())
    client.force_login(other_agency_admin)
    url = reverse("accounts:account_sessions_end", args=[ppk.pk])
    assert client.post(url, {"reason": "iseng"}).status_code == 404  # not in their list
    assert lifecycle.account_sessions_end(actor=own_agency_admin, user=ppk, reason="ok") == 0
    assert 'id="account-sessions"' in page_of(own_agency_admin, ppk)


def test_issue21_one_administrator_alone_cannot_reset_a_second_factor(people):
    """ASVS V6.4.4: an insider who knows a colleague's password (or set it through a reset
    link) removes the colleague's authenticator and enrols their own — unless a second person
    must apply the reset."""
    verifier, admin1 = people["verifier"], people["admin1"]
    with pytest.raises(DomainError, match="original ID card"):
        second_factor_reset.second_factor_reset_check(
            actor=admin1, user=verifier, checked_identity=False, note=NOTE
        )
    with pytest.raises(DomainError, match="Say how you checked"):
        second_factor_reset.second_factor_reset_check(
            actor=admin1, user=verifier, checked_identity=True, note=" "
        )
    reset = second_factor_reset.second_factor_reset_check(
        actor=admin1, user=verifier, checked_identity=True, note=NOTE
    )
    with pytest.raises(DomainError, match="another administrator applies"):
        second_factor_reset.second_factor_reset_apply(actor=admin1, reset=reset)
    assert TOTPDevice.objects.filter(user=verifier, confirmed=True).exists()
    with pytest.raises(DomainError, match="already waits"):
        second_factor_reset.second_factor_reset_check(
            actor=people["admin2"], user=verifier, checked_identity=True, note=NOTE
        )
    check = AuditEvent.objects.get(action="second_factor_reset.check")
    assert check.actor == admin1 and check.data["note"] == NOTE


def test_issue21_nobody_resets_their_own_second_factor(people, make_user):
    admin1 = people["admin1"]
    TOTPDevice.objects.create(user=admin1, name="authenticator", confirmed=True)
    with pytest.raises(DomainError, match="your own second factor"):
        second_factor_reset.second_factor_reset_check(
            actor=admin1, user=admin1, checked_identity=True, note=NOTE
        )
    reset = second_factor_reset.second_factor_reset_check(
        actor=people["admin2"], user=admin1, checked_identity=True, note=NOTE
    )
    with pytest.raises(DomainError, match="your own second factor"):
        second_factor_reset.second_factor_reset_apply(actor=admin1, reset=reset)
    outsider = make_user(Role.AGENCY_ADMIN, "admin-dpupr")
    with pytest.raises(DomainError, match="You may not reset"):
        second_factor_reset.second_factor_reset_apply(actor=outsider, reset=reset)


def test_issue21_a_second_administrator_applies_the_reset_and_the_person_enrols_again(
    people, settings
):
    settings.LPSE_STAFF_2FA = True
    verifier, admin1, admin2 = people["verifier"], people["admin1"], people["admin2"]
    with time_machine.travel(TUESDAY_10, tick=False):
        thief = in_english(Client())
        assert sign_in(thief, "verifier").status_code == 302  # password only: waits at the code
        reset = second_factor_reset.second_factor_reset_check(
            actor=admin1, user=verifier, checked_identity=True, note=NOTE
        )
        second_factor_reset.second_factor_reset_apply(actor=admin2, reset=reset)

        reset.refresh_from_db()
        assert reset.state == SecondFactorReset.State.APPLIED and reset.decided_by == admin2
        assert not TOTPDevice.objects.filter(user=verifier).exists()
        assert is_signed_out(thief)  # its session ended with the device
        applied = AuditEvent.objects.get(action="second_factor_reset.apply")
        assert applied.actor == admin2
        assert applied.data["checked_by"] == admin1.pk and applied.data["devices_removed"] == 1
        assert applied.data["sessions_ended"] == 1

        owner = in_english(Client())
        sign_in(owner, "verifier")
        enrolment = owner.get(OTP_URL)
        assert enrolment.status_code == 200 and "<svg" in enrolment.content.decode()
        with pytest.raises(DomainError, match="already decided"):
            second_factor_reset.second_factor_reset_apply(actor=admin2, reset=reset)


def test_issue21_an_old_identity_check_is_not_applied(people):
    verifier = people["verifier"]
    with time_machine.travel(TUESDAY_10, tick=False) as clock:
        reset = second_factor_reset.second_factor_reset_check(
            actor=people["admin1"], user=verifier, checked_identity=True, note=NOTE
        )
        clock.shift(timedelta(days=3))
        with pytest.raises(DomainError, match="more than two days ago"):
            second_factor_reset.second_factor_reset_apply(actor=people["admin2"], reset=reset)
        assert TOTPDevice.objects.filter(user=verifier).exists()
        assert "Apply the reset" not in page_of(people["admin2"], verifier)
        second_factor_reset.second_factor_reset_cancel(actor=people["admin2"], reset=reset)
        reset.refresh_from_db()
        assert reset.state == SecondFactorReset.State.CANCELLED
        assert AuditEvent.objects.filter(action="second_factor_reset.cancel").exists()


def test_issue21_the_account_page_offers_each_administrator_only_their_next_step(people):
    """A screen shows only what its user may do now: the check form while nothing waits, then
    the apply button to the second administrator only."""
    verifier, admin1, admin2 = people["verifier"], people["admin1"], people["admin2"]
    check_url = reverse("accounts:second_factor_reset_check", args=[verifier.pk])
    apply_url = reverse("accounts:second_factor_reset_apply", args=[verifier.pk])
    first = page_of(admin1, verifier)
    assert check_url in first and apply_url not in first

    client = in_english(Client())
    client.force_login(admin1)
    response = client.post(check_url, {"checked_identity": "on", "note": NOTE}, follow=True)
    assert "a second administrator now applies the reset" in response.content.decode()

    mine = page_of(admin1, verifier)
    assert check_url not in mine and apply_url not in mine
    assert "Another administrator applies the reset." in mine
    theirs = page_of(admin2, verifier)
    assert apply_url in theirs and NOTE in theirs

    second = in_english(Client())
    second.force_login(admin2)
    done = second.post(apply_url, follow=True).content.decode()
    assert "the person enrols a new one at the next sign-in" in done
    assert 'id="second-factor-reset"' not in done  # no device, nothing waits: nothing to offer
    assert not TOTPDevice.objects.filter(user=verifier).exists()


def test_issue21_a_person_without_an_authenticator_has_nothing_to_reset(make_user, people):
    ppk = make_user(Role.PPK, "ppk-satu")
    with pytest.raises(DomainError, match="nothing to reset"):
        second_factor_reset.second_factor_reset_check(
            actor=people["admin1"], user=ppk, checked_identity=True, note=NOTE
        )
    assert 'id="second-factor-reset"' not in page_of(people["admin1"], ppk)
