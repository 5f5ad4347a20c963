"""R-4.2 in Chromium: the engineer on duty checks a visitor in on the visitor log page (refused
first for a person not named on the permit), sees the visit in the log, and checks them out; the
page has no serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.operations.services import server_room as services
from tests.browser.a11y import assert_accessible, axe  # noqa: F401  (axe: a fixture)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_4_2_the_engineer_checks_a_visitor_in_and_out_on_the_visitor_log(
    new_page,
    make_user,
    axe,
):
    requester = make_user(Role.TECH_SOFTWARE)
    head = make_user(Role.LPSE_HEAD)
    engineer = make_user(Role.TECH_HARDWARE, username="teknisi-jaga")
    escort = make_user(Role.SYSADMIN, username="admin-sistem")
    escort.first_name, escort.last_name = "Budi", "Santoso"
    escort.save()
    now = timezone.now()
    permit = services.permit_request(
        actor=requester,
        purpose="Penggantian baterai UPS",
        valid_from=now - timedelta(minutes=30),
        valid_until=now + timedelta(hours=4),
        visitors=[services.VisitorData("Andi Rahman", "PT Telkom Maros", "7309011203850001")],
    )
    services.permit_decide(actor=head, permit=permit, approve=True)

    page = new_page()
    sign_in(page, engineer.username)
    page.goto("/operasi/ruang-server/kunjungan/")
    expect(page.locator("#valid-permits")).to_contain_text("Andi Rahman")
    assert_accessible(page, axe)

    form = page.locator("#check-in")
    form.get_by_label("Permit number").fill(str(permit.pk))
    form.get_by_label("Visitor's ID number").fill("7309000000000009")
    form.get_by_label("Escort (LPSE staff)").select_option(label="Budi Santoso")
    form.get_by_role("button", name="Check in").click()
    expect(page.locator("#check-in")).to_contain_text(
        f"Nobody with ID number 7309000000000009 is named on permit #{permit.pk}"
    )
    assert_accessible(page, axe)  # the refusal, shown in place

    form = page.locator("#check-in")
    form.get_by_label("Visitor's ID number").fill("7309 0112 0385 0001")
    form.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Andi Rahman checked in.")).to_be_visible()
    row = page.locator("#server-room-visits tbody tr", has_text="Andi Rahman")
    expect(row).to_contain_text("PT Telkom Maros")
    expect(row).to_contain_text("Budi Santoso")
    expect(row).to_contain_text(f"#{permit.pk}")
    assert_accessible(page, axe)

    row.get_by_role("button", name="Check out Andi Rahman").click()
    expect(page.get_by_text("Andi Rahman checked out.")).to_be_visible()
    row = page.locator("#server-room-visits tbody tr", has_text="Andi Rahman")
    expect(row.get_by_role("button")).to_have_count(0)
    assert_accessible(page, axe)
