"""What the public sees of a tender's results (R-8.5): after the opening, every bidder with
its offer price; after the decision, the winner or why the tender failed."""

from __future__ import annotations

from dataclasses import dataclass

from lpse.bids.models import OpenedBid, Opening
from lpse.evaluation.models import TenderOutcome


@dataclass(frozen=True)
class PublicResults:
    opened: list[OpenedBid]
    outcome: TenderOutcome | None


def public_results(tender) -> PublicResults | None:
    if not Opening.objects.filter(tender=tender, state=Opening.State.OPENED).exists():
        return None
    opened = list(
        OpenedBid.objects.filter(bid__tender=tender)
        .select_related("bid__company")
        .order_by("total_price")
    )
    outcome = (
        TenderOutcome.objects.filter(tender=tender)
        .select_related("winner__company", "report")
        .first()
    )
    return PublicResults(opened=opened, outcome=outcome)
