"""Views that receive a secret mark it sensitive, so Django's error reports (the e-mail to the
administrators, the log) show it as stars (issue 12, R-5.7): the passphrase that opens a
member's share, an age secret key, a password, a second-factor code."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from lpse.accounts.roles import Role

pytestmark = pytest.mark.django_db


def _hidden(response, *names: str) -> None:
    request = response.wsgi_request
    assert set(names) <= set(getattr(request, "sensitive_post_parameters", ())), names
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    for name in names:
        assert cleaned[name] == SafeExceptionReporterFilter.cleansed_substitute


def test_an_opening_passphrase_and_an_age_secret_key_never_reach_an_error_report(client, bidding):
    member = bidding.setup.members[0]
    client.force_login(member)
    secret = {"passphrase": "kata sandi rahasia sekali", "identity": "AGE-SECRET-KEY-1XYZ"}
    _hidden(
        client.post(reverse("bids:opening", args=[bidding.tender.code]), secret),
        "passphrase",
        "identity",
    )
    _hidden(client.post(reverse("bids:opening_key"), {"passphrase": "x"}), "passphrase")


def test_passwords_and_second_factor_codes_never_reach_an_error_report(client, make_user):
    user = make_user(Role.APP_ADMIN)
    client.force_login(user)
    _hidden(client.post(reverse("accounts:reauth"), {"password": "rahasia"}), "password")
    _hidden(client.post(reverse("accounts:otp"), {"token": "123456"}), "token")
    _hidden(
        client.post(
            reverse("accounts:set_password", args=["token-salah"]),
            {"password1": "a", "password2": "a"},
        ),
        "password1",
        "password2",
    )
