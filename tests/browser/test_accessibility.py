"""Issue 15: the main pages of every role of the demo pass axe-core with no serious or critical
violation, and a provider can submit a sealed bid with the keyboard alone.

axe-core (js/package-lock.json) runs inside the page, injected by ``page.evaluate`` of its
source, under the site's real Content-Security-Policy (tests/browser/a11y.py says why). The
pages are checked in Indonesian, the language people get by default.
"""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from tests.bid_fixtures import DURING_BIDDING

# axe and demo are fixtures, used as test parameters.
from tests.browser.a11y import (  # noqa: F401
    BIDDING_TENDER,
    OPENING_TENDER,
    assert_accessible,
    axe,
    demo,
    demo_provider_ready_to_bid,
    demo_tender_code,
    in_indonesian,
    sign_in,
    sign_in_demo,
    tab_to,
)
from tests.browser.signing import install_signing_key
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_pages(page: Page, axe_source: str, paths: list[str]) -> None:
    """Every page, each fully loaded, without a serious or critical axe violation."""
    failures = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        try:
            assert_accessible(page, axe_source)
        except AssertionError as failure:  # all the pages' violations at once, not the first only
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


def test_issue15_axe_runs_under_the_sites_csp_and_names_what_it_finds(demo, axe, page):
    """The check itself: injected under the real CSP, axe runs and reports a field without a
    label (critical) by rule and element, so the pages' passes below mean something."""
    in_indonesian(page)
    page.goto("/akun/masuk/")
    assert_accessible(page, axe)
    page.evaluate(
        """() => { const i = document.createElement("input"); i.id = "unlabelled";
        document.querySelector("main").append(i); }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, axe)
    assert "- label (critical)" in str(failure.value) and "#unlabelled" in str(failure.value)


def test_issue15_public_pages_have_no_serious_axe_violation(demo, axe, page):
    """Home, tender list, a tender, the catalogue, registration and sign-in, signed out."""
    code = demo_tender_code(BIDDING_TENDER)
    in_indonesian(page)
    check_pages(
        page, axe, ["/", "/tender/", f"/tender/{code}/", "/katalog/", "/daftar/", "/akun/masuk/"]
    )


def test_issue15_provider_pages_have_no_serious_axe_violation(demo, axe, page):
    """The provider's home and the bid page of a tender it registered for (bid form shown)."""
    code = demo_provider_ready_to_bid()
    in_indonesian(page)
    sign_in_demo(page, Role.PROVIDER)
    check_pages(page, axe, ["/akun/", f"/tender/{code}/penawaran/"])
    expect(page.locator("#bid-form")).to_be_visible()  # the form itself was checked


def test_issue15_committee_pages_have_no_serious_axe_violation(demo, axe, page):
    """A committee member's tender page and the opening page of the tender with a sealed bid."""
    in_indonesian(page)
    sign_in_demo(page, Role.COMMITTEE)
    check_pages(
        page,
        axe,
        [
            "/kelola/tender/",
            f"/kelola/tender/{demo_tender_code(BIDDING_TENDER)}/",
            f"/kelola/tender/{demo_tender_code(OPENING_TENDER)}/pembukaan/",
        ],
    )


def test_issue15_verifier_and_admin_pages_have_no_serious_axe_violation(demo, axe, new_page):
    """The verifier's queue; the application administrator's home and the backups page."""
    verifier, admin = in_indonesian(new_page()), in_indonesian(new_page())
    sign_in_demo(verifier, Role.VERIFIER)
    check_pages(verifier, axe, ["/akun/", "/verifikasi/"])
    sign_in_demo(admin, Role.APP_ADMIN)
    check_pages(admin, axe, ["/akun/", "/cadangan/"])


def test_issue15_a_bid_is_filled_and_submitted_with_the_keyboard_only(bidding, axe, page):
    """Tab to each field, type, Space for the declaration and the file chooser, Enter to send:
    no mouse click anywhere. The bid is encrypted, sent and its receipt verified."""
    tender, provider = bidding.tender, bidding.provider
    with time_machine.travel(DURING_BIDDING, tick=True):
        sign_in(page, provider.username, PASSWORD)
        install_signing_key(page, provider.company)
        page.goto(f"/tender/{tender.code}/penawaran/")
        # Playwright turns the browser's file-chooser interception on without waiting for it when
        # the first listener arrives; a Space pressed right after expect_file_chooser() could reach
        # the browser first and open the real (headless, empty) dialog instead — as it did once in
        # CI under load. A listener added now has it on long before the key is pressed.
        page.on("filechooser", lambda _chooser: None)
        assert_accessible(page, axe)

        tab_to(page, "#total_price")
        page.keyboard.type("1.250.000.000")
        tab_to(page, "#validity_days")
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type("90")
        tab_to(page, "input[name=declaration]")
        page.keyboard.press("Space")
        expect(page.locator("input[name=declaration]")).to_be_checked()
        tab_to(page, "#documents")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")  # the browser's own file dialog, as a person meets it
        chooser.value.set_files(
            files=[{"name": "teknis.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
        )
        tab_to(page, "#encrypt-and-send")
        page.keyboard.press("Enter")

        status = page.locator("#bid-status")
        expect(status).to_have_attribute("data-verified", "yes")
        assert_accessible(page, axe)  # the page as it is after the bid, messages included
