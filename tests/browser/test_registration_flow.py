"""Issue 2 end to end in Chromium: a provider registers, is verified and signs in (SPEC 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Company:
    email: str = "pengadaan@majubersama.co.id"
    legal_form: str = "pt"
    name: str = "Maju Bersama Konstruksi"
    npwp: str = "01.234.567.8-901.000"
    nib: str = "9120001234567"
    director: str = "Andi Baso Amir"
    address: str = "Jl. Poros Makassar-Maros No. 12"
    city: str = "Maros"
    phone: str = "0411-371234"
    sub_field: str = "K02 Jalan dan Jembatan"
    user_id: str = "majubersama"


PROVIDER_PASSWORD = "Layar-Terkembang-2026"


def test_a_provider_registers_by_email_is_verified_and_signs_in_to_its_profile(
    new_page, smtp_server, make_user
):
    """R-1.1 the e-mail and its one-time link; R-1.6 the e-mail-control warning ticked;
    R-1.3 the form, the User ID shown and e-mailed; the link works once; R-1.4 the documents to
    bring; R-1.5 the verifier's checklist and *complete*, then the [safer] one-time set-password
    link instead of a handed-out password; R-1.7 the verification record; the verified provider
    sees its company profile."""
    company = Company()
    verifier_account = make_user("verifier")  # before the browser starts using the database
    provider, verifier = new_page(), new_page()

    request_registration_link(provider, company)
    registration_link = link_in(
        mail_body(smtp_server, company.email, "registration link"), "/daftar/isi/"
    )

    fill_registration_form(provider, registration_link, company)
    registered = mail_body(smtp_server, company.email, "User ID")
    assert f"Your User ID: {company.user_id}" in registered

    provider.goto(registration_link)
    expect(provider.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(provider.get_by_role("alert")).to_contain_text("already been used")

    verify_company_as_complete(verifier, verifier_account, company)

    activation_link = link_in(
        mail_body(smtp_server, company.email, "set your password"), "/akun/sandi/atur/"
    )
    set_password_and_sign_in(provider, activation_link, company.user_id)

    profile = provider.locator("#company-profile")
    expect(profile).to_contain_text(company.name)
    expect(profile).to_contain_text("Verified")
    expect(profile).to_contain_text(company.npwp)


# --- the steps, as the people involved do them ---------------------------------------------------


def request_registration_link(page: Page, company: Company) -> None:
    """The anonymous visitor's first page (R-1.1, R-1.2, R-1.6)."""
    page.goto("/daftar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register as a provider")
    expect(page.locator("#registration-warnings")).to_contain_text("must be active")
    expect(
        page.get_by_role("link", name="Registration form (formulir pendaftaran)")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Participation form (formulir keikutsertaan)")
    ).to_be_visible()
    page.get_by_label("Company e-mail address").fill(company.email)
    page.get_by_label("This address is active and our company controls it").check()
    page.get_by_role("button", name="Send me the registration link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.get_by_role("status")).to_contain_text(company.email)


def fill_registration_form(page: Page, link: str, company: Company) -> None:
    """The one-time link opens the company's registration form (R-1.3)."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration form")
    expect(page.get_by_text(company.email)).to_be_visible()
    page.get_by_label("Legal form").select_option(company.legal_form)
    page.get_by_label("Company name").fill(company.name)
    page.get_by_label("Tax number (NPWP)").fill(company.npwp)
    page.get_by_label("Business licence number (NIB/SIUP)").fill(company.nib)
    page.get_by_label("Director's name").fill(company.director)
    page.get_by_label("Address").fill(company.address)
    page.get_by_label("City / regency").fill(company.city)
    page.get_by_label("Phone").fill(company.phone)
    page.get_by_label(company.sub_field).check()
    page.get_by_label("Chosen User ID").fill(company.user_id)
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Registration received")
    expect(page.get_by_role("status")).to_contain_text(
        f"{company.name} is registered with User ID {company.user_id}"
    )
    expect(page.get_by_role("status")).to_contain_text("Awaiting verification")
    expect(page.get_by_text("Bring the documents to the LPSE verifier by")).to_be_visible()


def verify_company_as_complete(page: Page, verifier, company: Company) -> None:
    """The verifier finds the registration, ticks every checklist item, marks it complete
    (R-1.5) and sees the decision recorded with their name (R-1.7)."""
    sign_in(page, verifier.username, PASSWORD)
    page.goto("/verifikasi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider registrations")
    page.get_by_role("searchbox", name="Search").fill(company.name.split()[0])
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=company.name).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(company.name)
    form = page.locator("#verification-form")
    checkboxes = form.locator("tbody").get_by_role("checkbox")
    expect(checkboxes).not_to_have_count(0)
    for checkbox in checkboxes.all():
        checkbox.check()
    form.get_by_label("Complete").check()
    form.get_by_role("button", name="Record decision").click()

    expect(page).to_have_url(re.compile(r"/verifikasi/$"))
    expect(page.get_by_text(f"Decision recorded for {company.name}")).to_be_visible()
    page.get_by_label("State").select_option("verified")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=company.name).click()
    expect(page.locator(".card", has_text="Verification record")).to_contain_text(verifier.username)


def set_password_and_sign_in(page: Page, link: str, user_id: str) -> None:
    """R-1.5 [safer]: the provider chooses its own password with the one-time link."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    expect(page.get_by_text(f"Account: {user_id}")).to_be_visible()
    page.get_by_label(re.compile(r"^New password:?$")).fill(PROVIDER_PASSWORD)
    page.get_by_label("New password again").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set")).to_be_visible()
    expect(page.get_by_label("User ID")).to_have_value(user_id)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def mail_body(mailbox, address: str, subject_contains: str) -> str:
    return mailbox.body(mailbox.wait_for(address, subject_contains))
