"""Views that receive a secret mark it sensitive, so Django's error reports (the e-mail to the
administrators, the log) show it as stars (issue 12, R-5.7): a member's unlocked share of a
tender key, a password, a second-factor code."""

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


def test_an_unlocked_share_never_reaches_an_error_report(client, bidding):
    """The opening pages take no passphrase and no key any more (R-9.9: the browser opens them);
    what the member's browser sends — one share of the tender's key, a secret until the
    opening — is starred."""
    member = bidding.setup.members[0]
    client.force_login(member)
    _hidden(
        client.post(reverse("bids:opening", args=[bidding.tender.code]), {"share": "{}"}),
        "share",
    )


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
