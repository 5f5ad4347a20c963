"""A direct procurement from the invitation to the SPK in Chromium with a real sealed offer
(R-8.6, with R-9.1, R-9.2, R-9.7): the procurement officer makes the procurement's key in their
browser (1 of 1, sealed to their own opening key), the invited provider signs the integrity
pact on its invitations page (R-7.3), then encrypts and signs the offer in its browser on the bid page of the backing tender, the officer unlocks at the opening
and sees the price, and issues the SPK from it. The clock travels as in test_sealed_bid_flow.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from lpse.bids.models import OpenedBid, TenderKey
from lpse.nontender.models import Procurement
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.schedule import schedule_publish
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, bind_signing_key
from tests.browser.signing import install_signing_key
from tests.browser.test_sealed_bid_flow import sign_in, submit_bid, unlock_share
from tests.nontender_fixtures import OFFER_SCHEDULE, hand_over, officer, officer_opening_key  # noqa: F401
from tests.tender_fixtures import PREPARED_AT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFER = ("penawaran-harga.pdf", b"%PDF-1.4\n% PENAWARAN\n" + bytes(range(256)) * 20)


def test_R_8_6_a_direct_procurement_from_invitation_to_spk_with_a_browser_sealed_offer(
    new_page, agency_a, officer, verified_provider
):
    company = verified_provider.company
    with time_machine.travel(PREPARED_AT, tick=True):
        keys = officer_opening_key(officer)
        procurement = hand_over(agency_a, officer)
        invitation_add(actor=officer, procurement=procurement, company=company)
        procurement = schedule_publish(actor=officer, procurement=procurement, **OFFER_SCHEDULE)
        code = procurement.tender.code
        desk = new_page()
        sign_in(desk, officer.username)
        desk.goto(f"/kelola/non-tender/{procurement.pk}/")
        desk.locator("#offer-key-link").click()
        desk.get_by_role("button", name="Make the key in this browser").click()
        expect(desk.locator(".messages")).to_contain_text("The tender's key is stored")
    tender_key = TenderKey.objects.get(tender=procurement.tender)
    assert tender_key.origin == TenderKey.Origin.BROWSER and tender_key.threshold == 1
    bind_signing_key(company)

    with time_machine.travel(DURING_BIDDING, tick=True):
        bidder = new_page()
        sign_in(bidder, verified_provider.username)
        bidder.goto("/penyedia/non-tender/")
        # The integrity pact first, as a tender's participant signs it: then the offer.
        expect(bidder.get_by_role("link", name="Send a sealed offer")).to_have_count(0)
        bidder.get_by_role("button", name="Sign the integrity pact").click()
        expect(bidder.locator(".messages")).to_contain_text("You signed the integrity pact")
        bidder.get_by_role("link", name="Send a sealed offer").click()
        expect(bidder.get_by_role("heading", level=1)).to_contain_text("Submit a bid")
        install_signing_key(bidder, company)
        receipt = submit_bid(bidder, code, "148.500.000,00", OFFER)
        assert receipt["provider_signature"]

    with time_machine.travel(AT_OPENING, tick=True):
        desk = new_page()  # days later: a new session
        sign_in(desk, officer.username)
        unlock_share(desk, code, keys.identity_of(officer))
        expect(desk.locator("#opening-status")).to_contain_text("Opened")
        desk.goto(f"/kelola/non-tender/{procurement.pk}/")
        offers = desk.locator("#offers")
        expect(offers).to_contain_text("Sinar Maros")
        expect(offers).to_contain_text("148,500,000.00")
        desk.get_by_role("button", name="Choose this provider and issue the SPK").click()
        expect(desk.locator(".messages")).to_be_visible()

    [opened] = OpenedBid.objects.filter(bid__tender=procurement.tender)
    assert not opened.problem and opened.total_price == Decimal("148500000.00")
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.AWARDED and procurement.winner == company
    assert procurement.award_price == Decimal("148500000.00")
    assert procurement.purchase_order is not None
