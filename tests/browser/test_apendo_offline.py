"""The offline Apendo in Chromium (R-7.1, R-9.1, R-9.7; issue 15): the provider downloads the one
HTML file from the bid page, opens the saved copy as file:// in a browser with no network, makes
a signed envelope with the company's key export file, and sends the envelope and its signature
file through the bid page's "envelope made offline" form; the server accepts it and issues a
verified receipt, and the rebuilt tender key opens it into the offer and documents typed in.

The envelope-making code is a twin of bid.js (apendo-offline.js says so); the bid.js side is
tested the same way, through the server, by tests/browser/test_sealed_bid_flow.py."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from lpse.bids import envelope, keys, signatures, views_apendo
from lpse.bids.models import Bid
from tests.bid_fixtures import DURING_BIDDING, signing_key_of
from tests.browser.test_sealed_bid_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "kuda baterai staples benar"
DOCUMENTS = {
    "Penawaran Teknis.pdf": b"%PDF-1.4\n% RAHASIA-OFFLINE-TEKNIS\n" + bytes(range(256)) * 40,
    "harga.pdf": b"%PDF-1.4\n% RAHASIA-OFFLINE-HARGA\n",
}


def test_R_7_1_an_envelope_made_in_the_saved_offline_apendo_is_accepted_by_the_bid_page(
    new_page, bidding, tmp_path
):
    tender, provider = bidding.tender, bidding.provider
    company = provider.company
    key_file = tmp_path / "kunci-tanda-tangan.age"
    key_file.write_bytes(
        signatures.key_export(
            signing_key_of(company), company=company.name, npwp=company.npwp, passphrase=PASSPHRASE
        )
    )
    bid_page = new_page()
    with time_machine.travel(DURING_BIDDING, tick=True):
        sign_in(bid_page, provider.username)
        bid_page.goto(f"/tender/{tender.code}/penawaran/")
        recipient = bid_page.locator("#tender-recipient").inner_text()
        tool = save_the_tool(bid_page, tmp_path)

        envelope_file, signature_file = make_envelope_offline(
            new_page(), tool, recipient, tender.code, key_file, tmp_path
        )

        bid_page.locator("#envelope").set_input_files(str(envelope_file))
        bid_page.locator("#envelope-signature").set_input_files(str(signature_file))
        bid_page.get_by_role("button", name="Send the envelope").click()
        expect(bid_page.locator("#bid-status")).to_have_attribute("data-verified", "yes")

    bid = Bid.objects.select_related("envelope", "signing_key").get()
    sent = envelope_file.read_bytes()
    assert bid.receipt["sha256"] == hashlib.sha256(sent).hexdigest()
    assert bid.receipt["provider_key_fingerprint"] == bid.signing_key.fingerprint
    opened = open_with_the_tender_key(bidding, bid)
    assert opened.offer.total_price == Decimal("1234567890.50")
    assert opened.offer.validity_days == 60 and opened.offer.tender == tender.code
    assert opened.documents == {
        "Penawaran_Teknis.pdf": DOCUMENTS["Penawaran Teknis.pdf"],  # bid.js's safe name
        "harga.pdf": DOCUMENTS["harga.pdf"],
    }


def save_the_tool(page: Page, tmp_path: Path) -> Path:
    """Download the file from the bid page's link and check it against the published hash."""
    with page.expect_download() as download:
        page.get_by_role("link", name="download the offline Apendo").click()
    tool = tmp_path / download.value.suggested_filename
    download.value.save_as(tool)
    assert tool.name == "apendo-offline.html"
    with translation.override("en"):  # the browser tests choose English
        published = views_apendo.offline_tool_context()["apendo_sha256"]
    assert hashlib.sha256(tool.read_bytes()).hexdigest() == published
    return tool


def make_envelope_offline(
    page: Page, tool: Path, recipient: str, code: str, key_file: Path, tmp_path: Path
) -> tuple[Path, Path]:
    """The provider's own computer: the saved file, opened with the network off."""
    reached = []
    page.on(
        "request", lambda r: None if r.url.startswith(("file:", "blob:")) else reached.append(r.url)
    )
    page.context.set_offline(True)
    page.goto(tool.as_uri())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offline Apendo")

    page.get_by_role("button", name="Make the envelope").click()
    expect(page.locator("#status")).to_contain_text("Paste the tender's public key")

    page.get_by_label("Tender public key").fill(recipient)
    page.get_by_label("Tender code").fill(code)
    page.get_by_label("Total price (Rp)").fill("1.234.567.890,50")
    page.get_by_label("Offer valid for (days)").fill("60")
    page.get_by_label("We declare that this offer is true").check()
    page.get_by_label("Bid documents").set_input_files(
        files=[
            {"name": name, "mimeType": "application/pdf", "buffer": data}
            for name, data in DOCUMENTS.items()
        ]
    )
    page.get_by_label("Signing key export file").set_input_files(str(key_file))
    page.get_by_label("Export file passphrase").fill("not the passphrase")
    page.get_by_role("button", name="Make the envelope").click()
    expect(page.locator("#status")).to_contain_text("The passphrase is wrong")
    expect(page.locator("#status")).to_have_class("error")

    page.get_by_label("Export file passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Make the envelope").click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#status")).to_contain_text("Envelope ready")

    files = []
    for link in ("#download-envelope", "#download-signature"):
        with page.expect_download() as download:
            page.locator(link).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files.append(path)
    envelope_file, signature_file = files
    assert envelope_file.name == f"penawaran-{code}.age"
    assert signature_file.name == f"penawaran-{code}.age.sig"
    # What the page shows is what was saved, and the signature file is `lpse apendo sign`'s.
    shown = page.locator("#envelope-sha256").inner_text()
    assert shown == hashlib.sha256(envelope_file.read_bytes()).hexdigest()
    assert page.locator("#signature-sha256").inner_text() == (
        hashlib.sha256(signature_file.read_bytes()).hexdigest()
    )
    sig = json.loads(signature_file.read_text())
    assert sig["format"] == signatures.FORMAT and sig["sha256"] == shown
    signatures.verify(
        public_key=sig["public_key"],
        signature=sig["signature"],
        tender_code=code,
        npwp=sig["provider_npwp"],
        sha256=shown,
        size=envelope_file.stat().st_size,
    )
    assert reached == [], f"the offline Apendo reached the network: {reached}"
    return envelope_file, signature_file


def open_with_the_tender_key(bidding, bid) -> envelope.OpenedEnvelope:
    """Three members' shares rebuild the tender identity, which opens the stored envelope."""
    shares = [
        keys.unseal_share(s.sealed, bidding.setup.identity_of(s.member))
        for s in bidding.tender.bid_key.shares.select_related("member")[:3]
    ]
    identity = keys.combine(
        shares,
        tender_code=bidding.tender.code,
        recipient=bidding.recipient,
        wrapped_identity=bidding.tender.bid_key.wrapped_identity,
    )
    stored = Path(settings.MEDIA_ROOT) / bid.envelope.storage_name
    return envelope.decrypt(stored, identity, tender_code=bidding.tender.code)
