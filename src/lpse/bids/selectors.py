"""Reads of sealed-bid records worth naming, for other apps (the support desk, R-3.4).

Nothing here returns a bid's contents, a key or a share: only what the server already shows the
provider about their own uploads and bids (sizes, states, fingerprints, times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.bids.models import Bid, Upload
from lpse.tenders.models import Participation, Tender
from lpse.tenders.services.preparation import schedule_of

# Every upload is a bid envelope: the age file the browser (or `lpse apendo encrypt`) made.
UPLOAD_KIND = _("bid envelope (age)")


def upload_attempts(*, company, tender: Tender | None = None, limit: int = 100) -> list[Upload]:
    """A company's recorded upload attempts, newest first: when, how big, how far it got, how it
    ended, the error if any, and the client that sent it (R-3.4)."""
    uploads = Upload.objects.filter(company=company).select_related("tender", "user")
    if tender is not None:
        uploads = uploads.filter(tender=tender)
    return list(uploads.order_by("-created_at")[:limit])


def bids_of(company) -> QuerySet[Bid]:
    """A company's bids with their receipts' fingerprints (never the envelope's contents)."""
    return (
        Bid.objects.filter(company=company)
        .select_related("tender", "envelope")
        .order_by("-submitted_at")
    )


@dataclass(frozen=True)
class TenderBidState:
    tender: Tender
    registered_at: datetime
    opens: datetime | None
    closes: datetime | None
    is_open: bool
    active_bid: Bid | None
    uploads: int


def bid_states_of(company) -> list[TenderBidState]:
    """For each tender the company takes part in: the bid window by server time, the active bid
    (if any) and how many uploads were tried."""
    now = timezone.now()
    participations = (
        Participation.objects.filter(company=company)
        .select_related("tender__package")
        .prefetch_related("tender__schedule")
        .order_by("-registered_at")
    )
    active = {
        b.tender_id: b
        for b in Bid.objects.filter(company=company, state=Bid.State.ACTIVE).select_related(
            "envelope"
        )
    }
    counts: dict[int, int] = {}
    for tender_id in Upload.objects.filter(company=company).values_list("tender_id", flat=True):
        counts[tender_id] = counts.get(tender_id, 0) + 1
    rows = []
    for participation in participations:
        tender = participation.tender
        opens, closes = schedule_of(tender).get("bid_submission", (None, None))
        rows.append(
            TenderBidState(
                tender=tender,
                registered_at=participation.registered_at,
                opens=opens,
                closes=closes,
                is_open=bool(opens and closes and opens <= now < closes),
                active_bid=active.get(tender.pk),
                uploads=counts.get(tender.pk, 0),
            )
        )
    return rows


def bidder_emails(tender: Tender) -> set[str]:
    """Addresses of the companies with an active bid on the tender (told of a schedule change,
    R-3.3)."""
    return set(
        Bid.objects.filter(tender=tender, state=Bid.State.ACTIVE).values_list(
            "company__email", flat=True
        )
    )
