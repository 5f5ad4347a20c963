"""Sign-ins, sign-outs and refusals in the security log (issue 21, docs/asvs.md gap 11; ASVS
V16.3.1, V16.3.2): who, from where and when, for each success, failure, sign-out and refused
page — the record an investigation of a taken-over account starts from."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core import security_log
from lpse.core.middleware import BURST_SIZE
from tests.test_account_sessions import browser
from tests.test_auth_hardening import sign_in
from tests.test_security_visibility import random_address

pytestmark = pytest.mark.django_db


def test_issue21_sign_ins_failed_sign_ins_and_sign_outs_are_in_the_security_log(make_user):
    make_user(Role.PPK, "ppk-satu")
    since = timezone.now()
    client = browser("10.0.0.7", "Firefox/128")
    assert sign_in(client, "ppk-satu", "salah-sandi").status_code == 200
    assert sign_in(client, "ppk-satu").status_code == 302
    client.post("/akun/keluar/")

    kinds = [(e["kind"], e["username"], e["address"]) for e in security_log.events(since)]
    assert kinds == [
        ("sign_in.failed", "ppk-satu", "10.0.0.7"),
        ("sign_in.succeeded", "ppk-satu", "10.0.0.7"),
        ("sign_out", "ppk-satu", "10.0.0.7"),
    ]
    line = str(list(security_log.events(since)))
    assert "salah-sandi" not in line  # never the password typed


def test_issue21_a_sign_in_to_an_unknown_user_id_is_logged_too(db):
    since = timezone.now()
    sign_in(browser("10.0.0.8", "x"), "tidak-ada", "apa-saja")
    [event] = security_log.events(since, kind="sign_in.failed")
    assert event["username"] == "tidak-ada" and event["address"] == "10.0.0.8"


def test_issue21_each_authorization_refusal_is_logged_with_who_and_where(make_user):
    """ASVS V16.3.2: a signed-in person trying a page their roles do not open leaves a line
    (before, only a burst of twenty refusals from one address did)."""
    make_user(Role.PPK, "ppk-satu")
    address = random_address()
    client = browser(address, "Firefox/128")
    sign_in(client, "ppk-satu")
    since = timezone.now()
    assert client.get("/akun/pengguna/").status_code == 403

    [event] = security_log.events(since, kind="authorization.refused")
    assert event["username"] == "ppk-satu" and event["address"] == address
    assert event["path"] == "/akun/pengguna/" and event["method"] == "GET"


def test_issue21_a_flood_of_refusals_cannot_flood_the_log(make_user):
    """Each refusal is a line until the burst; after it the burst's one line stands for the rest."""
    make_user(Role.PPK, "ppk-satu")
    address = random_address()
    client = browser(address, "curl/8")
    sign_in(client, "ppk-satu")
    since = timezone.now()
    for _ in range(BURST_SIZE + 10):
        client.get("/akun/pengguna/")
    refused = list(security_log.events(since, kind="authorization.refused"))
    assert len(refused) == BURST_SIZE - 1
    assert len(list(security_log.events(since, kind="refusals.burst"))) == 1
