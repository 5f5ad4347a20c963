"""The key ceremony in Chromium with the bundled JS crypto (R-9.9, R-9.2, R-9.7): a member makes
their opening key in the browser, another makes the tender's key in the browser and the tender is
published, a provider encrypts and signs a bid in its browser, and at the opening two members
unlock in their browsers — one with a passphrase, one with their own age key — and the bid opens
with its signature verified. Every request the pages send is recorded: no
passphrase, no identity and no other member's share leaves a browser.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import time_machine
from playwright.sync_api import Page, expect

from lpse.bids import keys
from lpse.bids.models import KeyShare, OpenedBid, TenderKey
from lpse.bids.services import opening
from lpse.tenders.services import participation, preparation
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, bind_signing_key
from tests.browser.signing import install_signing_key
from tests.browser.test_sealed_bid_flow import sign_in, submit_bid
from tests.tender_fixtures import PREPARED_AT, at, draft_tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "Kuda lumping menari di Bantimurung 1987"
BID_DOCUMENT = ("penawaran.pdf", b"%PDF-1.4\n% RAHASIA\n" + bytes(range(256)) * 40)


def record_posts(page: Page) -> list[str]:
    """Every body the page sends (form posts, fetches), as text."""
    bodies: list[str] = []
    page.on("request", lambda r: bodies.append(r.post_data or "") if r.method != "GET" else None)
    return bodies


def test_R_9_9_passphrase_never_sent_key_made_and_unlocked_in_the_browser(
    new_page, agency_a, verified_provider
):
    setup = agency_a  # three members: the tender opens with 2 of 3
    first, second, _third = setup.members
    with time_machine.travel(PREPARED_AT, tick=True):
        tender = draft_tender(setup)
        # The first member replaces their age-keygen key with one made in the browser.
        page = new_page()
        sent = record_posts(page)
        sign_in(page, first.username)
        page.goto("/kelola/kunci-pembuka/")
        page.locator("#pp1").fill("lpse12345")
        expect(page.locator("#pp-strength")).to_contain_text("too weak")
        page.locator("#pp2").fill("lpse12345")
        page.get_by_role("button", name="Make my key").click()
        expect(page.locator("#make-key-status")).to_contain_text("too easy to guess")
        page.locator("#pp1").fill(PASSPHRASE)
        page.locator("#pp2").fill(PASSPHRASE)
        page.get_by_role("button", name="Make my key").click()
        expect(page.locator(".messages")).to_contain_text("Your opening key is saved")
        first.opening_key.refresh_from_db()
        assert first.opening_key.uses_passphrase

        # The second member makes the tender's key in their browser.
        maker = new_page()
        sent_by_maker = record_posts(maker)
        sign_in(maker, second.username)
        maker.goto(f"/kelola/tender/{tender.code}/kunci/")
        maker.get_by_role("button", name="Make the key in this browser").click()
        expect(maker.locator(".messages")).to_contain_text("The tender's key is stored")
        expect(maker.locator("#key-status")).to_contain_text("made in a committee member's browser")
        tender_key = TenderKey.objects.get(tender=tender)
        assert tender_key.origin == TenderKey.Origin.BROWSER and tender_key.threshold == 2
        _publish(setup, tender)
    tender.refresh_from_db()
    with time_machine.travel(at(0, 9), tick=False):
        preparation.pact_sign(actor=verified_provider, tender=tender)
        participation.participation_register(actor=verified_provider, tender=tender)
    bind_signing_key(verified_provider.company)
    with time_machine.travel(DURING_BIDDING, tick=True):
        bidder = new_page()
        sign_in(bidder, verified_provider.username)
        install_signing_key(bidder, verified_provider.company)
        receipt = submit_bid(bidder, tender.code, "1.234.567.890,50", BID_DOCUMENT)
        assert receipt["provider_signature"]

    [material] = [
        json.loads(form_field(b, "material")) for b in sent_by_maker if form_field(b, "material")
    ]
    assert set(material) == {
        "format",
        "tender",
        "recipient",
        "wrapped_identity",
        "threshold",
        "shares",
    }
    with time_machine.travel(AT_OPENING, tick=True):
        unlocker = new_page()
        sent_at_unlock = record_posts(unlocker)
        sign_in(unlocker, first.username)
        unlock_with_passphrase(unlocker, tender.code)
        own = new_page()
        sent_by_own = record_posts(own)
        sign_in(own, second.username)
        own.goto(f"/kelola/tender/{tender.code}/pembukaan/")
        own.get_by_label("The secret part of your own age key").fill(setup.identity_of(second))
        own.get_by_role("button", name="Unlock").click()
        expect(own.locator(".messages")).to_contain_text("Your share is unlocked")
        expect(own.locator("#opening-status")).to_contain_text("Opened")
    assert opening.opening_of(tender).state == "opened"
    [opened] = OpenedBid.objects.filter(bid__tender=tender)
    assert not opened.problem and opened.total_price == Decimal("1234567890.50")

    everything = "\n".join(sent + sent_by_maker + sent_at_unlock + sent_by_own)
    assert PASSPHRASE.replace(" ", "+") not in everything and PASSPHRASE not in everything
    assert "AGE-SECRET-KEY" not in everything.upper().replace("%2D", "-")
    # Each member sent exactly their own share, nothing of anyone else's.
    for member, bodies in ((first, sent_at_unlock), (second, sent_by_own)):
        shares = [form_field(b, "share") for b in bodies if form_field(b, "share")]
        assert len(shares) == 1
        mine = KeyShare.objects.get(tender_key__tender=tender, member=member)
        assert keys.parse_share(shares[0]).index == mine.index


def form_field(body: str, name: str) -> str:
    """A field of a posted form, urlencoded or multipart."""
    match = re.search(rf'name="{name}"\r\n\r\n(.*?)\r\n--', body, flags=re.S)
    if match:
        return match.group(1)
    return parse_qs(body).get(name, [""])[0]


def unlock_with_passphrase(page: Page, code: str) -> None:
    page.goto(f"/kelola/tender/{code}/pembukaan/")
    page.get_by_label("Your opening passphrase").fill("not my passphrase at all")
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator("#unlock-status")).to_contain_text("The passphrase is wrong")
    page.get_by_label("Your opening passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator(".messages")).to_contain_text("Your share is unlocked")


def _publish(setup, tender) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    preparation.document_add(
        actor=setup.members[0],
        tender=tender,
        title="Dokumen Tender",
        upload=SimpleUploadedFile("dok.pdf", b"%PDF-1.4 x"),
    )
    for user in [setup.ppk, *setup.members]:
        preparation.pact_sign(actor=user, tender=tender)
    preparation.tender_publish(actor=setup.members[0], tender=tender)
