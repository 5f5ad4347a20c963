"""Reads of sealed-bid records worth naming, for other apps (the support desk, R-3.4; the
evaluation, R-8.4).

Nothing here returns a bid's contents, a key or a share: only what the server already shows the
provider about their own uploads and bids (sizes, states, fingerprints, times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.bids.models import Bid, KeyShare, OpenedBid, Opening, UnopenableCase, Upload
from lpse.core.audit_since import Touched, ids_along
from lpse.core.calendar import WITA
from lpse.tenders.selectors.listings import participations_of_company
from lpse.tenders.services.preparation import schedule_of

if TYPE_CHECKING:
    from lpse.tenders.models import Tender

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
    participations = participations_of_company(company)
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
    return set(active_bids_of(tender).values_list("company__email", flat=True))


def active_bids_of(tender: Tender) -> QuerySet[Bid]:
    """The bids that stand: each bidder's latest, the ones replaced excluded (R-8.3). The
    caller picks the relations it needs."""
    return Bid.objects.filter(tender=tender, state=Bid.State.ACTIVE)


def active_bid_of_company(tender: Tender, company) -> Bid | None:
    """The company's standing bid on the tender, with its company, or None."""
    return active_bids_of(tender).filter(company=company).select_related("company").first()


def active_bid_of_user(tender: Tender, user) -> Bid | None:
    """The standing bid of the company the user acts for, with its company, or None: whoever
    objects must be a bidder (R-8.4)."""
    return active_bids_of(tender).filter(company__user=user).select_related("company").first()


def is_opened(tender: Tender) -> bool:
    """Whether the tender's bids are opened (R-8.4, R-9.2): only then does the evaluation
    begin and the public see the offers."""
    return Opening.objects.filter(tender=tender, state=Opening.State.OPENED).exists()


def opened_bids_of(tender: Tender) -> QuerySet[OpenedBid]:
    """The opened bids of a tender (what the opening read from each envelope), unordered: the
    caller picks the relations and the order it shows."""
    return OpenedBid.objects.filter(bid__tender=tender)


def opened_bid_of(bid: Bid) -> QuerySet[OpenedBid]:
    """The opened record of one bid (none until the opening), as a query so the caller picks
    ``.get()`` or ``.first()`` and the relations it needs."""
    return OpenedBid.objects.filter(bid=bid)


# →: a bid file the LPSE admin tried and could not open may go to LKPP.
ESCALATABLE_CASE_STATES = (UnopenableCase.State.ATTEMPTED, UnopenableCase.State.ESCALATED)


def unopenable_cases_escalatable() -> QuerySet[UnopenableCase]:
    """Unopenable-file cases the LPSE admin tried and could not open, oldest request first,
    with the bid, its tender and company (R-3.1, for the escalation to LKPP, R-3.5)."""
    return (
        UnopenableCase.objects.filter(state__in=ESCALATABLE_CASE_STATES)
        .select_related("opened_bid__bid__tender", "opened_bid__bid__company")
        .order_by("requested_at")
    )


def unopenable_case(pk: int, *, lock: bool = False) -> UnopenableCase | None:
    """One unopenable-file case with its bid, tender and company; ``lock`` re-reads it under a
    row lock inside the caller's transaction (the state a page showed may have moved on)."""
    cases = UnopenableCase.objects.select_related(
        "opened_bid__bid__tender", "opened_bid__bid__company"
    )
    if lock:
        cases = cases.select_for_update(of=("self",))
    return cases.filter(pk=pk).first()


def is_escalatable(case: UnopenableCase) -> bool:
    return case.state in ESCALATABLE_CASE_STATES


def unopened_shares_of(*, committee, member) -> list[str]:
    """Registered on ``hooks.committee_member_leaving``: a member holding a share of the opening
    key of a tender whose bids are not opened cannot leave its committee (R-9.2), or the
    committee might not reach k of n at the opening."""
    codes = sorted(
        KeyShare.objects.filter(member=member, tender_key__tender__package__committee=committee)
        .exclude(tender_key__tender__opening__state=Opening.State.OPENED)
        .exclude(tender_key__tender__state="cancelled")  # its bids are never opened
        .values_list("tender_key__tender__code", flat=True)
    )
    if not codes:
        return []
    return [
        str(
            _(
                "%(user)s holds a share of the opening key of tenders whose bids are not opened "
                "yet (%(tenders)s): they can leave the committee after the opening."
            )
        )
        % {"user": member.username, "tenders": ", ".join(codes)}
    ]


def bids_by_state(year: int) -> list[tuple[str, str, int]]:
    """(state, its label, how many) of the bids received in ``year`` (a WITA year), every state
    listed, zero included (LKPP's monitor, R-5.5): figures only, nothing of a bid's contents."""
    start = datetime(year, 1, 1, tzinfo=WITA)
    end = datetime(year + 1, 1, 1, tzinfo=WITA)
    counts = dict(
        Bid.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return [(state.value, str(state.label), counts.get(state.value, 0)) for state in Bid.State]


# The bids app's audited objects that change what is published of a tender: its bids,
# its opening and an unopenable bid's case. Keys and uploads are not published.
_TOUCHED_PATHS = {
    Bid: "tender_id",
    Opening: "tender_id",
    UnopenableCase: "opened_bid__bid__tender_id",
}


def tender_ids_touched(touched: Touched) -> set[int]:
    """The tenders the audited writes ``touched`` (lpse.core.audit_since) concern."""
    return ids_along(touched, _TOUCHED_PATHS)
