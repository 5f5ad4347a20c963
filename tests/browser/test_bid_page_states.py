"""Issue 15, part B in Chromium: the bid page after a bid, its language and WITA times, and the
feedback on long actions (upload progress, busy states).

The clock travels with time-machine, ticking, as in test_sealed_bid_flow.py (its docstring
explains why the live server's clock moves with it).
"""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from lpse.bids.models import Bid
from lpse.tenders.models import TenderDocument
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING
from tests.browser.signing import install_signing_key
from tests.browser.test_sealed_bid_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every value an attribute takes on the elements a selector finds, now or later.
WATCH = """([selector, attribute]) => {
  window.seen = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes" && r.target.matches(selector)) {
        window.seen.push(r.target.getAttribute(attribute));
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: [attribute] });
  window.samePage = true;  // gone if the page reloads
}"""


def in_indonesian(page: Page, settings) -> None:
    """The language switch's cookie, as a person who chose Bahasa Indonesia has it."""
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "id", "url": settings.LPSE_BASE_URL}]
    )


def test_issue_15_after_a_bid_my_bids_updates_without_reload_in_indonesian_and_wita(
    new_page, bidding, settings
):
    """Items 1, 2, 7, 8: the offer is sent with the form busy and the progress bar next to its
    button (above the offline-envelope box); the status speaks through the JavaScript catalogue
    with the receipt time in WITA, spelled out in Indonesian; "Penawaran saya" lists the bid
    without a reload."""
    page = new_page()
    with time_machine.travel(DURING_BIDDING, tick=True):
        sign_in(page, bidding.provider.username)
        install_signing_key(page, bidding.provider.company)
        in_indonesian(page, settings)
        page.goto(f"/tender/{bidding.tender.code}/penawaran/")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.locator("#my-bids")).to_contain_text("Belum ada penawaran")

        # The bar belongs to the bid form, before the offline-envelope box.
        assert page.evaluate(
            """() => {
              const box = document.getElementById("progress-box");
              const offline = document.getElementById("envelope-form");
              return document.getElementById("bid-form").contains(box) &&
                Boolean(box.compareDocumentPosition(offline) & Node.DOCUMENT_POSITION_FOLLOWING);
            }"""
        )
        page.evaluate(WATCH, ["#bid-form", "aria-busy"])
        page.locator("#total_price").fill("1.234.567.890,50")
        page.locator("#validity_days").fill("60")
        page.locator("input[name=declaration]").check()
        page.locator("#documents").set_input_files(
            files=[{"name": "teknis.pdf", "mimeType": "application/pdf", "buffer": b"%PDF x"}]
        )
        page.locator("#encrypt-and-send").click()

        status = page.locator("#bid-status")
        expect(status).to_have_attribute("data-verified", "yes")
        [bid] = Bid.objects.all()
        rows = page.locator("#my-bids tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(bid.envelope.sha256)
        assert page.evaluate("window.samePage") is True  # no reload happened

        assert "true" in page.evaluate("window.seen")  # busy while encrypting and sending
        expect(page.locator("#bid-form")).not_to_have_attribute("aria-busy", "true")
        text = status.inner_text()
        # The receipt time as people read it: WITA, Indonesian weekday and month, no UTC ISO.
        assert re.search(r"Rabu, 8 Juli 2026 10:\d\d WITA", text), text
        assert "+00:00" not in text and "server time" not in text
        # Each sentence is the catalogue's: whatever the page's language makes of it.
        verified = page.evaluate("gettext('Receipt signature verified ✓')")
        assert text.endswith(verified), text


def test_issue_15_unlocking_a_share_shows_a_busy_state_until_done(new_page, bidding):
    """Item 7: unlocking takes seconds; the button is disabled and the form aria-busy at once."""
    member = bidding.setup.members[0]
    page = new_page()
    with time_machine.travel(AT_OPENING, tick=True):
        sign_in(page, member.username)
        page.goto(f"/kelola/tender/{bidding.tender.code}/pembukaan/")
        # What the form looked like when it turned busy, kept across the navigation that follows.
        page.evaluate(
            """() => { const form = document.getElementById("unlock-form");
              new MutationObserver(() => sessionStorage.setItem("busy", JSON.stringify({
                busy: form.getAttribute("aria-busy"),
                disabled: document.getElementById("unlock-btn").disabled,
                spinner: form.querySelectorAll("progress.busy").length,
              }))).observe(form, { attributes: true, attributeFilter: ["aria-busy"] }); }"""
        )
        page.get_by_label("The secret part of your own age key").fill(
            bidding.setup.identity_of(member)
        )
        page.get_by_role("button", name="Unlock").click()
        expect(page.locator(".messages")).to_contain_text("Your share is unlocked")
        expect(page.locator("#unlock-form")).to_have_count(0)  # item 5: not offered again
        expect(page.locator("#unlock-closed")).to_contain_text("You unlocked your share on")
        seen = json.loads(page.evaluate("sessionStorage.getItem('busy')"))
    assert seen == {"busy": "true", "disabled": True, "spinner": 1}, seen


def test_issue_15_an_addendum_upload_shows_progress_and_then_the_servers_answer(new_page, bidding):
    """Item 8: a multipart form (here the addendum) goes up with XMLHttpRequest and a <progress>
    bar next to its button; then the page is the server's answer, flash message included."""
    member = bidding.setup.members[0]
    page = new_page()
    with time_machine.travel(DURING_BIDDING, tick=True):
        sign_in(page, member.username)
        page.goto(f"/kelola/tender/{bidding.tender.code}/")
        page.evaluate(WATCH, [".upload-progress progress", "value"])
        kinds = []
        page.on("request", lambda r: r.method == "POST" and kinds.append(r.resource_type))
        form = page.locator("#document-form")
        form.get_by_label("Title").fill("Adendum 1")
        form.locator("input[type=file]").set_input_files(
            files=[
                {"name": "adendum.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" * 50000}
            ]
        )
        form.get_by_role("button", name="Upload").click()
        expect(page.locator(".messages")).to_contain_text("Document uploaded.")
        assert kinds == ["xhr"], kinds
        assert page.evaluate("window.samePage") is True  # the answer replaced the body in place
        assert "0" in page.evaluate("window.seen")  # the bar was there from the start
    assert TenderDocument.objects.filter(title="Adendum 1", kind="addendum").exists()
    expect(page.locator("#document-form")).to_be_visible()  # the new page works as a page
