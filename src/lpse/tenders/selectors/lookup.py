"""Tenders found by code, the facts other apps ask of a tender, and the rows they lock.

The bids and evaluation apps see a tender only through these reads (DESIGN "Boundaries"), so
what a state or a category means stays written in this app.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from lpse.tenders.models import Category, Method, Package, Participation, Tender


def tender_by_code(code: str) -> Tender | None:
    """The tender with this code in any state, or None (the offline CLI names it, R-7.1)."""
    return Tender.objects.filter(code=code).first()


def tender_or_404(code: str) -> Tender:
    """The tender with its package, in any state; Http404 when there is none. Who may see it is
    the caller's check (the PPK, a bidder, the committee)."""
    return get_object_or_404(Tender.objects.select_related("package"), code=code)


def published_tender_or_404(code: str) -> Tender:
    """A published tender with its package: only one takes bids (R-8.3). Http404 otherwise."""
    return get_object_or_404(
        Tender.objects.select_related("package"), code=code, state=Tender.State.PUBLISHED
    )


def announced_tender_or_404(code: str) -> Tender:
    """A tender the public may see (published, or cancelled with its reason, R-8.5), with what
    its public page shows beside it. Http404 for a draft or an unknown code."""
    return get_object_or_404(
        Tender.objects.select_related(
            "package", "agency", "package__sub_field", "package__committee"
        ),
        ~Q(method=Method.NON_TENDER),  # a non-tender's backing tender: not a tender
        code=code,
        state__in=[Tender.State.PUBLISHED, Tender.State.CANCELLED],
    )


def is_published(tender: Tender) -> bool:
    return tender.state == Tender.State.PUBLISHED


def is_cancelled(tender: Tender) -> bool:
    """A cancelled tender takes no more bids or registrations (R-8.4)."""
    return tender.state == Tender.State.CANCELLED


def is_works(package: Package) -> bool:
    """Construction works: the category where basic capability counts (R-5.6)."""
    return package.category == Category.WORKS


def tender_lock(tender: Tender) -> None:
    """Lock the tender's row until the caller's transaction ends: decisions on one tender
    (verdicts, winner, announcement, award) then happen one after another (R-8.4)."""
    Tender.objects.select_for_update().filter(pk=tender.pk).first()


def participation_lock(*, tender: Tender, company) -> None:
    """Lock the company's participation in the tender, a row that exists for every bidder, so
    two of its uploads finishing together are accepted one after the other (R-8.3)."""
    Participation.objects.select_for_update().filter(tender=tender, company=company).first()
