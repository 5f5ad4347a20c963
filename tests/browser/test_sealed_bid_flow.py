"""Issue 4 end to end in Chromium: a provider encrypts in the browser and submits with a progress
bar, gets and verifies its receipt; three of five committee members open; the opening report
lists the offer (SPEC 9; R-9.1, R-9.2, R-9.3, R-9.6, R-7.1).

The clock: ``bidding`` (tests/bid_fixtures.py) is a tender with a fixed schedule in July 2026,
so the test travels with time-machine, ticking, to the bid submission stage and then to the
opening stage. That moves the live server's clock too: the live server is a thread of this
process, and time-machine patches ``time.time``, ``datetime.now`` and the rest process-wide
(the server would otherwise refuse every upload as outside the bid window, so a passing run
proves it). ``time.monotonic`` is left alone, so socket and Playwright timeouts are real time.
Chromium keeps its own (real) clock; that only matters for cookie expiry, and the site's
cookies are browser-session cookies or carry ``Max-Age``, which Chromium counts from its own
clock. The alternative, a schedule relative to real now (test_tender_flow.schedule_open_now),
would still need a jump of days to reach the opening: the minimum durations of the stages
forbid an opening minutes after bids are taken.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from lpse.bids import envelope, receipts
from lpse.bids.models import Bid, OpenedBid
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING
from tests.browser.signing import install_signing_key
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHUNK = 4 * 1024 * 1024  # bid.js sends the envelope in chunks of this size


def document(marker: bytes, size: int) -> bytes:
    """A recognisable, incompressible "PDF" of ``size`` bytes."""
    head = b"%PDF-1.4\n% " + marker + b"\n"
    return head + random.Random(marker).randbytes(size - len(head))


FIRST_PRICE, FIRST_PRICE_DIGITS = "1.234.567.890,50", b"1234567890"
# Larger than one chunk, so the upload takes two PATCH requests and the bar passes a middle value.
FIRST_DOCUMENT = ("penawaran-teknis.pdf", document(b"RAHASIA-DOKUMEN-TEKNIS", CHUNK + 600_000))
SECOND_PRICE, SECOND_PRICE_SHOWN = "987.654.321,25", "987,654,321.25"
SECOND_DOCUMENT = ("penawaran-revisi.pdf", document(b"RAHASIA-DOKUMEN-REVISI", 300_000))

# Records every value the <progress> bar takes (each assignment to .value sets its attribute).
WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  const bar = document.getElementById("progress");
  new MutationObserver((records) => {
    for (const r of records) window.progressSeen.push(Number(r.oldValue));
    window.progressSeen.push(bar.value);
  }).observe(bar, { attributes: true, attributeFilter: ["value"], attributeOldValue: true });
}"""


def test_a_sealed_bid_is_encrypted_in_the_browser_receipted_replaced_and_opened_by_three_of_five(
    new_page, bidding, tmp_path
):
    """R-9.1 the provider's browser packs the offer and a document and encrypts them (R-7.1,
    the age envelope of Apendo); the server stores only ciphertext. R-9.6 the envelope goes up
    in chunks at known offsets with a progress bar, and resumes from the server's offset after a
    broken connection. R-9.3 the signed receipt verifies in the browser (WebCrypto), in Python
    and with ``lpse apendo verify-receipt`` using the published key. A second bid replaces the
    first in "My bids". R-9.2 at the opening stage two of the five members unlock and nothing
    opens; the third opens the bids; the offers table lists the provider's latest price, the
    documents inside are the bytes the browser packed, and the opening report PDF hashes to the
    SHA-256 the page shows."""
    tender, provider = bidding.tender, bidding.provider
    openers = bidding.setup.members[:3]
    provider_page = new_page()
    member_pages = [new_page() for _ in openers]

    with time_machine.travel(DURING_BIDDING, tick=True) as clock:
        sign_in(provider_page, provider.username)
        install_signing_key(provider_page, provider.company)  # the bid is signed here
        first = submit_bid(
            provider_page, tender.code, FIRST_PRICE, FIRST_DOCUMENT, interrupt_second_chunk=True
        )
        check_receipt(provider_page, first, tmp_path)
        check_only_ciphertext_is_stored(first, FIRST_PRICE_DIGITS, FIRST_DOCUMENT[1])

        second = submit_bid(provider_page, tender.code, SECOND_PRICE, SECOND_DOCUMENT)
        see_first_bid_replaced(provider_page, first, second)

        clock.move_to(AT_OPENING)
        for n, (member, page) in enumerate(zip(openers, member_pages, strict=True), start=1):
            sign_in(page, member.username)
            unlock_share(page, tender.code, bidding.setup.identity_of(member))
            if n < 3:
                see_nothing_open(page, unlocked=n)
        see_offers_and_check_report(member_pages[-1], tender.code)

    [opened] = OpenedBid.objects.all()
    assert opened.bid.receipt["sha256"] == second["sha256"]
    assert opened.total_price == Decimal("987654321.25") and opened.validity_days == 60
    name, data = SECOND_DOCUMENT
    assert [(d["name"], d["sha256"]) for d in opened.documents] == [
        (name, hashlib.sha256(data).hexdigest())
    ]


def test_when_the_answer_to_the_last_chunk_is_lost_the_page_still_gets_the_receipt(
    new_page, bidding
):
    """R-9.6, the deadline rush: the server received the last byte and accepted the bid, but the
    connection broke before its answer arrived. The page resumes, learns from the upload that it
    became a bid, shows and verifies the receipt, and stops (it used to ask without end)."""
    page = new_page()
    with time_machine.travel(DURING_BIDDING, tick=True):
        sign_in(page, bidding.provider.username)
        install_signing_key(page, bidding.provider.company)
        page.goto(f"/tender/{bidding.tender.code}/penawaran/")
        requests = []
        page.on("request", lambda r: requests.append(r.method))
        lose_the_answer_to_the_first_patch(page)
        fill_offer(page, SECOND_PRICE, SECOND_DOCUMENT)
        page.get_by_role("button", name="Encrypt and send").click()

        status = page.locator("#bid-status")
        expect(status).to_have_attribute("data-verified", "yes")
        [stored] = Bid.objects.all()
        expect(status).to_contain_text(stored.receipt["sha256"])
        expect(page.get_by_role("button", name="Encrypt and send")).to_be_enabled()
        page.wait_for_timeout(300)  # time for a loop, if there were one, to show itself
        assert requests.count("PATCH") == 2, requests  # the lost one and one more: no loop

        page.reload()
        bids = page.locator("#my-bids tbody tr")
        expect(bids).to_have_count(1)
        expect(bids).to_contain_text("Active")
        expect(bids.get_by_role("link", name="JSON")).to_have_attribute(
            "href", f"/penawaran/{stored.pk}/tanda-terima.json"
        )


def lose_the_answer_to_the_first_patch(page: Page) -> None:
    lost = []

    def handle(route):
        if route.request.method == "PATCH" and not lost:
            lost.append(route.fetch())  # the server gets every byte and accepts the bid…
            route.abort("connectionreset")  # …but its answer never reaches the browser
        else:
            route.continue_()

    page.route("**/penawaran/unggah/*/", handle)


# --- the provider ----------------------------------------------------------------------------


def submit_bid(
    page: Page, code: str, price: str, doc: tuple[str, bytes], *, interrupt_second_chunk=False
) -> dict:
    """Fill the offer, attach the document, "Encrypt and send"; returns the receipt."""
    page.goto(f"/tender/{code}/penawaran/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit a bid")
    patches = []  # the Upload-Offset of every PATCH request, in order

    def record(request):
        if request.method == "PATCH":
            patches.append(int(request.headers["upload-offset"]))

    page.on("request", record)
    if interrupt_second_chunk:
        break_connection_once(page)
    fill_offer(page, price, doc)
    page.evaluate(WATCH_PROGRESS)
    page.get_by_role("button", name="Encrypt and send").click()

    status = page.locator("#bid-status")
    expect(status).to_have_attribute("data-verified", "yes")
    expect(status).to_contain_text("Receipt signature verified")
    expect(page.locator("#progress")).to_have_js_property("value", 100)
    expect(page.locator("#progress-box")).to_be_visible()
    seen, data = page.evaluate("window.progressSeen"), doc[1]
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen), seen
    if len(data) > CHUNK:
        assert any(0 < value < 100 for value in seen), seen  # the bar moved through the middle
        assert patches[0] == 0 and patches[-1] == CHUNK, patches
    if interrupt_second_chunk:
        # The cut PATCH never reached the server; bid.js asked where it stood and sent it again.
        assert patches == [0, CHUNK, CHUNK], patches
    page.remove_listener("request", record)
    return download_receipt(page)


def fill_offer(page: Page, price: str, doc: tuple[str, bytes]) -> None:
    page.get_by_label("Total price (Rp)").fill(price)
    page.get_by_label("Offer valid for (days)").fill("60")
    page.get_by_label("We declare that this offer is true").check()
    name, data = doc
    page.get_by_label("Bid documents").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}]
    )


def break_connection_once(page: Page) -> None:
    """The connection drops as the second chunk goes out (R-9.6)."""
    broken = []

    def handle(route):
        offset = route.request.headers.get("upload-offset")
        if route.request.method == "PATCH" and offset and offset != "0" and not broken:
            broken.append(offset)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/penawaran/unggah/*/", handle)


def download_receipt(page: Page) -> dict:
    links = page.locator("#bid-status + p")
    with page.expect_download() as download:
        links.get_by_role("link", name="JSON").click()
    return json.loads(Path(download.value.path()).read_text())


def check_receipt(page: Page, receipt: dict, tmp_path: Path) -> None:
    """R-9.3: the receipt verifies offline, with the key the site publishes."""
    published = page.request.get("/api/v1/receipt-key")
    assert published.ok
    pem = published.text()
    assert pem == receipts.public_key_pem()
    receipts.verify(receipt, pem)
    receipt_file, key_file = tmp_path / "tanda-terima.json", tmp_path / "lpse-receipt-key.pem"
    receipt_file.write_text(json.dumps(receipt))
    key_file.write_text(pem)
    call_command("apendo", "verify-receipt", str(receipt_file), "--public-key", str(key_file))
    assert receipt["provider"] == "Sinar Maros" and receipt["replaces"] == []
    with pytest.raises(receipts.ReceiptInvalid):
        receipts.verify({**receipt, "size": receipt["size"] + 1}, pem)


def check_only_ciphertext_is_stored(receipt: dict, price_digits: bytes, data: bytes) -> None:
    """R-9.1: what the server keeps is an age envelope of the receipt's hash, not the offer."""
    bid = Bid.objects.select_related("envelope").get(pk=receipt["bid"])
    stored = (Path(settings.MEDIA_ROOT) / bid.envelope.storage_name).read_bytes()
    assert stored.startswith(envelope.AGE_MAGIC)
    assert hashlib.sha256(stored).hexdigest() == receipt["sha256"] == bid.envelope.sha256
    assert len(stored) == receipt["size"] > len(data)
    assert price_digits not in stored
    for start in (0, len(data) // 2, len(data) - 64):
        assert data[start : start + 64] not in stored
    assert b"RAHASIA" not in stored and b"offer.json" not in stored
    assert not list((Path(settings.MEDIA_ROOT) / "uploads").glob("*.part"))


def see_first_bid_replaced(page: Page, first: dict, second: dict) -> None:
    assert second["replaces"] == [first["bid"]]
    page.reload()
    bids = page.locator("#my-bids tbody tr")
    expect(bids).to_have_count(2)
    expect(bids.filter(has_text=first["sha256"])).to_contain_text("Replaced")
    expect(bids.filter(has_text=second["sha256"])).to_contain_text("Active")


# --- the committee ---------------------------------------------------------------------------


def unlock_share(page: Page, code: str, identity: str) -> None:
    page.goto(f"/kelola/tender/{code}/pembukaan/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bid opening")
    page.get_by_label("The secret part of your own age key").fill(identity)
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator(".messages")).to_contain_text("Your share is unlocked")


def see_nothing_open(page: Page, *, unlocked: int) -> None:
    status = page.locator("#opening-status")
    expect(status).to_contain_text("3 of the 5 committee members must unlock")
    expect(status.locator(".state.verified")).to_have_count(unlocked)
    expect(status).to_contain_text("Waiting for committee members")
    expect(page.locator("#opened-bids")).to_have_count(0)
    # This member has unlocked: no second unlock form, the page says when (issue 15).
    expect(page.locator("#unlock-closed")).to_be_visible()


def see_offers_and_check_report(page: Page, code: str) -> None:
    expect(page.locator("#opening-status")).to_contain_text("Opened")
    offers = page.locator("#opened-bids")
    rows = offers.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Sinar Maros")
    expect(rows).to_contain_text(SECOND_PRICE_SHOWN)
    expect(rows).to_contain_text(SECOND_DOCUMENT[0])
    expect(offers).not_to_contain_text("1,234,567,890.50")  # the replaced bid is not opened

    link = offers.get_by_role("link", name="Opening report (berita acara pembukaan), PDF")
    shown = re.fullmatch(r"SHA-256 ([0-9a-f]{64})", offers.locator(".mono").inner_text().strip())
    assert shown, offers.inner_text()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"berita-acara-pembukaan-{code}.pdf"
    report = Path(download.value.path()).read_bytes()
    assert report.startswith(b"%PDF")
    assert hashlib.sha256(report).hexdigest() == shown.group(1)


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))
