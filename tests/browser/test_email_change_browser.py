"""Issue 6 end to end in Chromium: a company's e-mail address changes from the signed statement to
the administrator's change, with every e-mail delivered to a real SMTP server (R-3.2, R-1.6)."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from tests.conftest import PASSWORD, link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD = "direktur@sinar.test"  # the verified_provider fixture's address
NEW = "pengadaan@sinar-maros.co.id"
STATEMENT = (
    b"%PDF-1.4\n1 0 obj <<>> endobj\n"
    b"% Surat pernyataan perubahan alamat e-mail CV Sinar Maros, ditandatangani direktur\n%%EOF\n"
)


def test_a_company_changes_its_email_from_signed_statement_to_applied_and_both_addresses_hear(
    new_page, smtp_server, verified_provider, make_user, bidding
):
    """R-3.2: the provider uploads the signed statement; R-1.6: the new address confirms it is
    active and controlled; the verifier records that the director's original KTP and the company
    deed were checked; the administrator applies the change, which moves the company's and the
    account's address; old and new addresses are both e-mailed; the administrator of an agency
    whose tender the company takes part in (``bidding``) sees the history with old, new, who and
    the statement's SHA-256."""
    # Accounts exist before the browser starts using the database.
    verifier = make_user(Role.VERIFIER)
    admin = make_user(Role.APP_ADMIN)
    agency_admin = bidding.setup.agency_admin
    provider, mailbox_reader, verifier_page, admin_page, agency_page = (
        new_page(),
        new_page(),
        new_page(),
        new_page(),
        new_page(),
    )

    submit_statement(provider, verified_provider.username)
    notice = mail_body(smtp_server, OLD, "change of your company's e-mail address was requested")
    assert NEW in notice

    confirm_link = link_in(
        mail_body(smtp_server, NEW, "confirm the new e-mail address"), "/ganti-email/konfirmasi/"
    )
    confirm_new_address(mailbox_reader, confirm_link)
    provider.reload()
    expect(provider.locator("#open-request")).to_contain_text("The new address is confirmed")

    check_against_ktp_and_deed(verifier_page, verifier.username)
    apply_change(admin_page, admin.username)

    for address in (OLD, NEW):
        told = mail_body(smtp_server, address, "was changed")
        assert f"changed from {OLD} to {NEW}" in told

    provider.goto("/akun/")
    expect(provider.get_by_text(f"E-mail: {NEW}")).to_be_visible()

    see_history(agency_page, agency_admin.username, verifier.username, admin.username)


# --- the steps, as the people involved do them ---------------------------------------------------


def submit_statement(page: Page, user_id: str) -> None:
    sign_in(page, user_id)
    page.get_by_role("link", name="Change the company's e-mail address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the company's e-mail address")
    form = page.locator("#email-change-form")
    form.get_by_label("New company e-mail address").fill(NEW)
    form.get_by_label("The new address is active and our company controls it").check()
    form.get_by_label("Signed statement (surat pernyataan)").set_input_files(
        {"name": "surat-pernyataan.pdf", "mimeType": "application/pdf", "buffer": STATEMENT}
    )
    form.get_by_role("button", name="Submit the request").click()
    expect(page.get_by_text("Request received")).to_be_visible()
    request = page.locator("#open-request")
    expect(request).to_contain_text("Submitted: waiting for the verifier")
    expect(request.get_by_role("status")).to_contain_text(f"open the link we sent to {NEW}")


def confirm_new_address(page: Page, link: str) -> None:
    """Whoever reads the new mailbox opens the link (no sign-in needed) and confirms."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the new e-mail address")
    page.get_by_role("button", name="Confirm this address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Address confirmed")
    expect(page.get_by_role("status")).to_contain_text(f"{NEW} is confirmed")


def check_against_ktp_and_deed(page: Page, username: str) -> None:
    sign_in(page, username)
    page.get_by_role("link", name="Company e-mail changes").click()
    page.get_by_role("link", name="Sinar Maros").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail change of Sinar Maros")
    with page.expect_download() as download:
        page.get_by_role("link", name="surat-pernyataan.pdf").click()
    assert download.value.path().read_bytes() == STATEMENT

    form = page.locator("#email-change-check")
    # Passing it on without the KTP check is refused, and says why.
    form.get_by_label("Checked against the company deed (akta)").check()
    form.get_by_label("Matches: pass it to the administrator").check()
    form.get_by_role("button", name="Record the check").click()
    form = page.locator("#email-change-check")
    expect(form).to_contain_text("director's original ID card (KTP) first")

    form.get_by_label("Checked against the director's original ID card (KTP)").check()
    form.get_by_label("Checked against the company deed (akta)").check()
    form.get_by_label("Matches: pass it to the administrator").check()
    form.get_by_label("Note").fill("KTP asli direktur dan akta pendirian sesuai.")
    form.get_by_role("button", name="Record the check").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.locator(".email-change-record")).to_contain_text(
        "Checked: waiting for the administrator"
    )


def apply_change(page: Page, username: str) -> None:
    sign_in(page, username)
    page.get_by_role("link", name="Company e-mail changes").click()
    page.get_by_role("link", name="Sinar Maros").click()
    form = page.locator("#email-change-decide")
    expect(form).to_contain_text(f"from {OLD} to {NEW}")
    form.get_by_label("Apply the change").check()
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded; the provider was e-mailed.")).to_be_visible()
    expect(page.locator(".email-change-record")).to_contain_text("Applied")


def see_history(page: Page, username: str, verifier: str, admin: str) -> None:
    sign_in(page, username)
    page.get_by_role("link", name="Company e-mail changes").click()
    row = page.locator("#email-changes tbody tr", has_text="Sinar Maros")
    for text in (OLD, NEW, verifier, admin, "Applied"):
        expect(row).to_contain_text(text)
    row.get_by_role("link", name="Sinar Maros").click()
    record = page.locator(".email-change-record")
    expect(record).to_contain_text(hashlib.sha256(STATEMENT).hexdigest())
    expect(page.locator("#email-change-check")).to_have_count(0)
    expect(page.locator("#email-change-decide")).to_have_count(0)


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def mail_body(mailbox, address: str, subject_contains: str) -> str:
    return mailbox.body(mailbox.wait_for(address, subject_contains))
