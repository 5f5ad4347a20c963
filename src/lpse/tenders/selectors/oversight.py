"""Reads for those who approve or watch packages and tenders without running them: the budget
user's approval queue (R-8.1) and the read-only tender statistics (LKPP's monitoring, R-5.5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum

from lpse.tenders.models import Method, Package, Tender


def packages_for_approval(user) -> QuerySet[Package]:
    """Packages of the budget user's agency, those waiting first; never the user's own as PPK."""
    if user.agency_id is None:
        return Package.objects.none()
    return (
        Package.objects.filter(agency_id=user.agency_id)
        .exclude(ppk=user)
        .select_related("ppk", "sub_field", "approval_decided_by")
        .annotate(waiting=ExpressionWrapper(Q(approval=Package.Approval.AWAITING), BooleanField()))
        # waiting first, then the newest decisions
        .order_by("-waiting", "-approval_decided_at", "-created_at")
    )


@dataclass(frozen=True)
class AgencyFigures:
    agency: str
    packages: int
    awaiting_approval: int
    tenders_published: int
    tenders_cancelled: int
    owner_estimate_total: Decimal


def tender_statistics() -> list[AgencyFigures]:
    """Per agency with packages: packages, packages waiting for approval, tenders published and
    cancelled, and the sum of owner estimates (HPS). Figures only — no bidder, no bid."""
    tenders = {
        (row["agency_id"], row["state"]): row["n"]
        for row in Tender.objects.exclude(method=Method.NON_TENDER)  # backing tenders
        .values("agency_id", "state")
        .annotate(n=Count("id"))
    }
    per_agency = (
        Package.objects.values("agency_id", "agency__name")
        .annotate(
            n=Count("id"),
            awaiting=Count("id", filter=Q(approval=Package.Approval.AWAITING)),
            hps=Sum("owner_estimate"),
        )
        .order_by("agency__name")
    )
    return [
        AgencyFigures(
            agency=row["agency__name"],
            packages=row["n"],
            awaiting_approval=row["awaiting"],
            tenders_published=tenders.get((row["agency_id"], Tender.State.PUBLISHED), 0),
            tenders_cancelled=tenders.get((row["agency_id"], Tender.State.CANCELLED), 0),
            owner_estimate_total=row["hps"] or Decimal(0),
        )
        for row in per_agency
    ]
