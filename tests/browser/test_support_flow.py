"""R-3.4 in Chromium: a provider reports an upload problem without being asked for a password,
consents to the support view; an LPSE admin opens it read-only; the provider sees who looked,
revokes, and the admin is refused from then on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.problems.models import UploadProblem
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_3_4_report_consent_support_view_and_revoke(new_page, verified_provider, make_user):
    admin = make_user(Role.APP_ADMIN)
    provider = new_page()
    sign_in(provider, verified_provider.username)
    provider.get_by_role("link", name="Cannot upload? Report it to the helpdesk").click()
    expect(provider.locator('input[type="password"]')).to_have_count(0)
    provider.get_by_label("What happened when you tried to upload?").fill(
        "Unggahan berhenti di 40% dengan pesan koneksi terputus."
    )
    provider.get_by_role("button", name="Send to the helpdesk").click()
    expect(provider).to_have_url(re.compile(r"/penyedia/masalah-unggah/\d+/$"))
    problem = UploadProblem.objects.get()
    provider.get_by_role("button", name="Allow the support view for 60 minutes").click()
    expect(provider.get_by_text("Consent given until")).to_be_visible()

    staff = new_page()
    sign_in(staff, admin.username)
    staff.get_by_role("link", name="Upload problems").click()
    staff.get_by_role("link", name=f"#{problem.pk}", exact=True).click()
    expect(staff.get_by_text("Unggahan berhenti di 40%")).to_be_visible()
    staff.get_by_role("link", name="Open the read-only support view").click()
    expect(staff.get_by_role("heading", name="Support view: Sinar Maros")).to_be_visible()

    provider.reload()
    expect(provider.locator("#consent li").first).to_contain_text(admin.username)
    provider.get_by_role("button", name="Revoke consent now").click()
    expect(provider.get_by_text("Consent revoked")).to_be_visible()

    staff.reload()
    expect(staff.get_by_role("heading", name="Support view refused")).to_be_visible()
    expect(staff.get_by_text("revoked their consent")).to_be_visible()
