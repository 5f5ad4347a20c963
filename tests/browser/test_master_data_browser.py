"""R-5.6 in Chromium: the application administrator maintains business fields — creates one,
renames it, retires a field in use — and a retired field's sub-fields are no longer offered."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.catalog import selectors
from lpse.catalog.models import BusinessField
from lpse.catalog.services import reference_data_load
from lpse.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_5_6_the_administrator_creates_renames_and_retires_a_business_field(
    new_page, make_user, verified_provider
):
    reference_data_load(actor=None)
    admin = make_user(Role.APP_ADMIN)
    page = new_page()
    sign_in(page, admin.username)
    page.get_by_role("link", name="Business fields", exact=True).click()
    expect(page.get_by_role("heading", name="Business fields")).to_be_visible()

    form = page.locator("#master-data-form")
    form.get_by_label("Code").fill("XK1")
    form.get_by_label("Name").fill("Konstruksi lokal")
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    row = page.locator("#row-XK1")
    expect(row).to_contain_text("Konstruksi lokal")

    row.get_by_role("link", name="Rename").click()
    page.get_by_label("New name").fill("Konstruksi lokal Maros")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#row-XK1")).to_contain_text("Konstruksi lokal Maros")

    # F (Konstruksi) is in use: the demo provider's K01 sits under it. Retiring keeps it.
    in_use = page.locator("#row-F")
    in_use.get_by_role("button", name="Retire").click()
    expect(page.get_by_text("F Konstruksi retired")).to_be_visible()
    expect(page.locator("#row-F")).to_contain_text("retired")
    expect(page.locator("#row-F").get_by_role("button", name="Reinstate")).to_be_visible()

    field = BusinessField.objects.get(code="F")
    assert field.retired_at is not None
    assert verified_provider.company.sub_fields.filter(code="K01").exists()
    assert not selectors.sub_fields_for_choice().filter(field=field).exists()
    actions = set(
        AuditEvent.objects.filter(action__startswith="catalog.fields").values_list(
            "action", flat=True
        )
    )
    assert actions == {"catalog.fields.create", "catalog.fields.rename", "catalog.fields.retire"}
