"""Bid trust (issue 12), played as the attacker: someone with write access to the database and
the storage folder but no secret — not the receipt-signing key, not a committee member's key.

R-9.9: the opening reads only the envelope a bid's signed receipt names. Each test here makes the
swap that succeeded before the check (the opening read the forged price) and shows it now stops
that bid as "replaced after receipt", which the unopenable-file procedure (R-3.1) then handles.

Each attack runs on a tender's bid and on a non-tender procurement's sealed offer (R-8.6), which
goes through the same machinery on its backing tender and is opened by the procurement officer.
"""

from __future__ import annotations

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.models import Bid, OpenedBid
from lpse.bids.services import opening, unopenable
from lpse.core.storage import store_bytes
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, EITHER_BIDDING, seal, submit
from tests.nontender_fixtures import offer_bidding, officer  # noqa: F401

pytestmark = pytest.mark.django_db

GENUINE_PRICE = "1234567890.50"
FORGED_PRICE = "1.00"


def _open(bidding) -> None:
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.openers[: bidding.needed]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )


def _genuine_bid(bidding) -> Bid:
    with time_machine.travel(DURING_BIDDING, tick=False):
        return submit(
            bidding.provider,
            bidding.tender,
            seal(bidding.recipient, bidding.tender.code, price=GENUINE_PRICE),
        )


def _forged_envelope(bidding):
    """What the attacker can make with no secret: a bid encrypted to the tender's *public*
    key, stored as a blob like any other (its row's SHA-256 and size are right for it)."""
    return store_bytes(seal(bidding.recipient, bidding.tender.code, price=FORGED_PRICE))


@EITHER_BIDDING
def test_R_9_9_a_bid_swapped_in_the_database_is_refused_at_the_opening_as_replaced_after_receipt(
    bidding, make_user
):
    bid = _genuine_bid(bidding)
    receipt_sha256 = bid.receipt["sha256"]
    forged = _forged_envelope(bidding)
    Bid.objects.filter(pk=bid.pk).update(envelope=forged)  # the swap, straight in the database

    _open(bidding)

    opened = OpenedBid.objects.get(bid=bid)
    assert opened.total_price is None  # the forged price 1.00 was never read
    assert opened.problem == "replaced"
    assert "replaced after receipt" in opened.problem_message
    assert receipt_sha256 in opened.problem_message and forged.sha256 in opened.problem_message
    # The unopenable-file procedure takes it: the committee reports it, the LPSE admin's
    # re-check finds the same, and the witness report states both fingerprints.
    member = bidding.openers[0]  # a committee member, or the procurement officer
    with time_machine.travel(AT_OPENING, tick=False):
        case = unopenable.case_request(actor=member, opened_bid=opened, note="Harga aneh")
        case = unopenable.case_attempt(
            actor=make_user(Role.APP_ADMIN), case=case, resolved=False, result="Tidak dibuka."
        )
    assert case.attempt_result.startswith("replaced after receipt")


@EITHER_BIDDING
def test_R_9_9_a_receipt_edited_to_name_the_swapped_envelope_fails_its_signature(bidding):
    bid = _genuine_bid(bidding)
    forged = _forged_envelope(bidding)
    receipt = {**bid.receipt, "sha256": forged.sha256, "size": forged.size}
    Bid.objects.filter(pk=bid.pk).update(envelope=forged, receipt=receipt)

    _open(bidding)

    opened = OpenedBid.objects.get(bid=bid)
    assert opened.total_price is None and opened.problem == "replaced"
    assert "does not verify" in opened.problem_message


@EITHER_BIDDING
def test_R_9_9_an_earlier_bid_put_back_with_its_own_valid_receipt_is_refused(bidding):
    """The attacker cannot forge a receipt, but may reuse a real one: the provider's first bid
    (replaced by a later one) had a valid receipt. Putting the first envelope and its receipt on
    the standing bid would make the opening read the old offer; the receipt names its bid."""
    first = _genuine_bid(bidding)
    with time_machine.travel(DURING_BIDDING, tick=False):
        latest = submit(
            bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code, "900.00")
        )
    first.refresh_from_db()
    assert first.state == Bid.State.REPLACED and latest.state == Bid.State.ACTIVE
    Bid.objects.filter(pk=latest.pk).update(envelope=first.envelope, receipt=first.receipt)

    _open(bidding)

    opened = OpenedBid.objects.get(bid=latest)
    assert opened.total_price is None and opened.problem == "replaced"
    assert "belongs to another bid" in opened.problem_message


def test_R_9_9_an_untouched_bid_opens_and_the_public_results_show_its_receipt_hash(
    tender_bidding, client
):
    """A tender's public page (a non-tender's results page shows no bids, R-8.6)."""
    bidding = tender_bidding
    bid = _genuine_bid(bidding)
    _open(bidding)
    opened = OpenedBid.objects.get(bid=bid)
    assert opened.problem == "" and str(opened.total_price) == GENUINE_PRICE
    assert opening.diagnose(bid) is None
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert bid.receipt["sha256"] in page
