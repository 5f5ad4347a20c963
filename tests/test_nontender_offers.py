"""The sealed, signed offers of a non-tender procurement through the tender bid machinery
(R-8.6, with R-8.3, R-9.1, R-9.2, R-9.7): a backing tender made at the schedule's publication,
the offer window its bid submission stage, the invited providers its only participants, the
procurement officer its only opener (1 of 1), the opened price the procurement's offer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.models import Bid, KeyShare, OpenedBid, OpeningKey
from lpse.bids.services import opening, submission, tender_keys
from lpse.core.errors import DomainError
from lpse.nontender.models import Offer, Procurement
from lpse.nontender.services.award import negotiation_record, procurement_award
from lpse.nontender.services.schedule import schedule_change_apply, schedule_change_request
from lpse.tenders.models import Participation
from lpse.tenders.selectors.access import openers_of
from lpse.tenders.selectors.counts import tenders_by_state
from lpse.tenders.selectors.listings import TenderFilters, public_tenders
from lpse.tenders.selectors.oversight import tender_statistics
from lpse.tenders.selectors.touched import announced_tenders
from lpse.tenders.services import participation
from tests.bid_fixtures import AT_OPENING, DEADLINE, DURING_BIDDING, seal, submit
from tests.evaluation_fixtures import provider
from tests.nontender_fixtures import offer_bidding, officer  # noqa: F401
from tests.tender_fixtures import agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db

OFFERED = "148500000.00"  # under the package's HPS of Rp 150 juta


def _open(offer_bidding) -> None:
    officer = offer_bidding.openers[0]
    with time_machine.travel(AT_OPENING, tick=False):
        offline.unlock_share(
            member=officer,
            tender=offer_bidding.tender,
            identity=offer_bidding.setup.identity_of(officer),
        )


def test_R_8_6_publishing_the_schedule_makes_a_backing_tender_keyed_to_the_officer_alone(
    offer_bidding, agency_a
):
    tender = offer_bidding.tender
    officer = offer_bidding.openers[0]
    procurement = Procurement.objects.get(tender=tender)
    assert tender.method == "non_tender" and tender.state == "published"
    assert tender.code == procurement.code
    stages = {e.stage: (e.start, e.end) for e in tender.schedule.all()}
    assert stages["bid_submission"] == (procurement.offers_open_at, procurement.offers_close_at)
    assert stages["bid_opening"][0] == procurement.opening_at
    # The invitation is the registration: the invited provider takes part, nobody else.
    assert list(Participation.objects.filter(tender=tender).values_list("company", flat=True)) == [
        offer_bidding.provider.company.pk
    ]
    # The officer opens, not the agency's committee: the key is 1 of 1, sealed to their key.
    assert openers_of(tender) == [officer]
    [share] = KeyShare.objects.filter(tender_key__tender=tender)
    assert share.member == officer and share.tender_key.threshold == 1
    assert share.member_recipient == OpeningKey.objects.get(user=officer).recipient
    with pytest.raises(DomainError, match="procurement officer of this procurement"):
        tender_keys.ceremony_inputs(actor=agency_a.members[0], tender=tender)


def test_R_8_6_the_backing_tender_is_no_tender_in_the_public_list_page_or_counts(
    offer_bidding, client
):
    assert not public_tenders(TenderFilters()).filter(pk=offer_bidding.tender.pk).exists()
    assert client.get(f"/tender/{offer_bidding.tender.code}/").status_code == 404
    # OCDS publishes it as a non-tender procurement (announced_backing_tenders), not a tender.
    assert not announced_tenders([offer_bidding.tender.pk]).exists()
    assert sum(n for _state, _label, n in tenders_by_state(2026)) == 0
    assert [f.tenders_published for f in tender_statistics()] == [0]


def test_R_8_6_an_invited_providers_sealed_signed_offer_is_taken_in_the_window(offer_bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(
            offer_bidding.provider,
            offer_bidding.tender,
            seal(offer_bidding.recipient, offer_bidding.tender.code, OFFERED),
        )
    assert bid.state == Bid.State.ACTIVE and bid.company == offer_bidding.provider.company
    assert bid.receipt["sha256"] == bid.envelope.sha256  # the signed receipt


def test_R_8_6_an_offer_after_the_deadline_is_refused_by_the_submission(offer_bidding):
    envelope = seal(offer_bidding.recipient, offer_bidding.tender.code, OFFERED)
    with time_machine.travel(DEADLINE, tick=False):
        with pytest.raises(DomainError, match="No bid is accepted after the deadline") as caught:
            submit(offer_bidding.provider, offer_bidding.tender, envelope)
    assert caught.value.code == "closed"
    assert not Bid.objects.filter(tender=offer_bidding.tender).exists()


def test_R_8_6_a_provider_not_invited_can_neither_register_nor_offer(offer_bidding):
    outsider = provider("Lain Jaya", "019876543210000")  # verified, of the same field
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="officer invited") as refused:
            participation.participation_register(actor=outsider, tender=offer_bidding.tender)
        assert refused.value.code == "forbidden"
        with pytest.raises(DomainError, match="Register for the tender") as refused:
            submission.upload_start(actor=outsider, tender=offer_bidding.tender, length=1000)
        assert refused.value.code == "forbidden"
    assert not Participation.objects.filter(tender=offer_bidding.tender, company__user=outsider)


def test_R_8_6_the_officer_opens_sees_the_offered_price_and_awards_from_it(offer_bidding, agency_a):
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(
            offer_bidding.provider,
            offer_bidding.tender,
            seal(offer_bidding.recipient, offer_bidding.tender.code, OFFERED),
        )
    # Nobody but the officer holds a share: a committee member of the agency opens nothing.
    with time_machine.travel(AT_OPENING, tick=False):
        with pytest.raises(DomainError, match="procurement officer of this") as refused:
            opening.share_unlock(actor=agency_a.members[0], tender=offer_bidding.tender, share="x")
    assert refused.value.code == "forbidden"
    _open(offer_bidding)
    assert str(OpenedBid.objects.get(bid=bid).total_price) == OFFERED
    offer = Offer.objects.get(bid=bid)
    assert offer.price == Decimal(OFFERED)
    assert offer.invitation.company == offer_bidding.provider.company
    procurement = Procurement.objects.get(tender=offer_bidding.tender)
    assert procurement.state == Procurement.State.OPENED
    officer = offer_bidding.openers[0]
    with time_machine.travel(AT_OPENING, tick=False):
        negotiation_record(
            actor=officer, offer=offer, price="147000000", reason="Negosiasi harga satuan"
        )
        procurement = procurement_award(actor=officer, procurement=procurement, offer=offer)
    assert procurement.state == Procurement.State.AWARDED
    assert procurement.award_price == Decimal("147000000")


def test_R_3_3_an_applied_schedule_change_moves_the_offer_deadline_of_the_submission(
    offer_bidding, make_user
):
    """The deadline the bid machinery judges is the procurement's, after a change too."""
    procurement = Procurement.objects.get(tender=offer_bidding.tender)
    later = DEADLINE + timedelta(days=1)
    with time_machine.travel(DURING_BIDDING, tick=False):
        change = schedule_change_request(
            actor=offer_bidding.openers[0],
            procurement=procurement,
            reason="Penyedia minta waktu survei lokasi",
            offers_open_at=procurement.offers_open_at,
            offers_close_at=later,
            opening_at=later,
        )
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
    envelope = seal(offer_bidding.recipient, offer_bidding.tender.code, OFFERED)
    with time_machine.travel(DEADLINE + timedelta(hours=1), tick=False):
        bid = submit(offer_bidding.provider, offer_bidding.tender, envelope)  # the old deadline
    assert bid.state == Bid.State.ACTIVE
    with time_machine.travel(later, tick=False), pytest.raises(DomainError, match="deadline"):
        submit(offer_bidding.provider, offer_bidding.tender, envelope)
