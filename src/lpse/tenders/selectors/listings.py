"""Reads worth naming: the public tender list (R-8.5) and the workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from lpse.accounts.selectors import agencies_by_id
from lpse.tenders import search_index
from lpse.tenders.models import (
    Method,
    Package,
    Participation,
    ScheduleChange,
    ScheduleEntry,
    Tender,
)
from lpse.tenders.selectors import schedule as sched


@dataclass
class TenderFilters:
    q: str = ""
    agency: int | None = None
    category: str = ""
    stage: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    year: int | None = None


def public_tenders(filters: TenderFilters) -> QuerySet[Tender]:
    """Published tenders matching ``filters``, newest first.

    Written for 100,000 tenders (issue 3, bench/portal.py). The package, sub-field and agency of
    the listed tenders are prefetched (three small queries a page) rather than joined: with the
    joins, a deep page (OFFSET 40,000) joins every row it skips. Search and stage are ``id IN
    (…)`` subqueries, so the database first finds the few matching ids (ranges of the word
    index, the schedule index) instead of testing a name or a correlated EXISTS on every tender.
    """
    # A non-tender procurement's backing tender is no tender: its public page is the non-tender
    # results.
    tenders = Tender.objects.filter(state=Tender.State.PUBLISHED).exclude(method=Method.NON_TENDER)
    tenders = tenders.prefetch_related("package__sub_field", "agency")
    if filters.q:
        found = search_index.matching(filters.q)
        tenders = tenders.filter(found) if found is not None else tenders.none()
    if filters.agency:
        tenders = tenders.filter(agency_id=filters.agency)
    if filters.category:
        tenders = tenders.filter(package__category=filters.category)
    if filters.year:
        tenders = tenders.filter(package__fiscal_year=filters.year)
    if filters.min_value is not None:
        tenders = tenders.filter(package__owner_estimate__gte=filters.min_value)
    if filters.max_value is not None:
        tenders = tenders.filter(package__owner_estimate__lte=filters.max_value)
    if filters.stage:
        now = timezone.now()
        open_now = ScheduleEntry.objects.filter(stage=filters.stage, start__lte=now, end__gt=now)
        tenders = tenders.filter(pk__in=open_now.values("tender_id"))
    return tenders.order_by("-published_at", "-id")


def with_status(tenders) -> list[tuple[Tender, sched.StageStatus]]:
    """Attach the current stage to a page of tenders with one query for all their schedules."""
    return page_with_status(tenders)[0]


def page_with_status(tenders) -> tuple[list[tuple[Tender, sched.StageStatus]], datetime | None]:
    """``with_status``, and the next moment one of these tenders enters or leaves a stage (when
    the page's "stage now" goes out of date by itself). Only the stages not yet over are read,
    as plain rows: turning a page's 240 schedule entries into aware datetimes was a quarter of
    the public list's time on SQLite (bench/README.md, issue 19)."""
    tenders = list(tenders)
    schedules: dict[int, sched.Schedule] = {t.pk: {} for t in tenders}
    now = timezone.now()
    upcoming: datetime | None = None
    # Every schedule has all stages (schedule.problems_of): the first stage, over or not, keeps
    # a finished tender's schedule non-empty, so status_at still says "finished".
    for tender_id, stage, start, end in ScheduleEntry.objects.filter(
        Q(end__gt=now) | Q(stage=sched.STAGE_ORDER[0]), tender_id__in=schedules
    ).values_list("tender_id", "stage", "start", "end"):
        schedules[tender_id][stage] = (start, end)
        if end > now:
            moment = start if start > now else end
            upcoming = moment if upcoming is None else min(upcoming, moment)
    return [(t, sched.status_at(schedules[t.pk], now)) for t in tenders], upcoming


# What a row of the public list shows of a package: reading only these columns halves the
# rows' conversion work (dates, decimals and texts the list never shows; bench/README.md).
LISTED_PACKAGE_FIELDS = ("name", "category", "fiscal_year", "owner_estimate")
LISTED_TENDER_FIELDS = ("code", "package_id", "agency_id", "published_at")


def listed_tenders() -> QuerySet[Tender]:
    """The columns a row of the public list shows of a tender (its page reads them by id)."""
    return Tender.objects.only(*LISTED_TENDER_FIELDS)


def with_related(tenders) -> list[Tender]:
    """A page of tenders with the package columns the public list shows and their agencies,
    in two queries."""
    tenders = list(tenders)
    packages = Package.objects.only(*LISTED_PACKAGE_FIELDS).in_bulk({t.package_id for t in tenders})
    agencies = agencies_by_id(t.agency_id for t in tenders)
    for tender in tenders:
        tender.package = packages[tender.package_id]
        tender.agency = agencies[tender.agency_id]
    return tenders


def public_schedule_changes(tender: Tender) -> QuerySet[ScheduleChange]:
    return tender.schedule_changes.filter(state=ScheduleChange.State.APPLIED).order_by(
        "-decided_at"
    )


def packages_of_ppk(user) -> QuerySet[Package]:
    return Package.objects.filter(ppk=user).select_related("committee", "sub_field")


def packages_of_committee_member(user, *, query: str = "") -> QuerySet[Package]:
    """The packages handed to the user's committees, newest first; ``query`` narrows them to a
    package name or a tender code (the committee's work list, paged by its view)."""
    packages = Package.objects.filter(committee__members=user)
    if query:
        packages = packages.filter(
            Q(name__icontains=query) | Q(tenders__code__icontains=query)
        ).distinct()
    return (
        packages.select_related("committee", "agency").prefetch_related("tenders").order_by("-pk")
    )


def pending_schedule_changes() -> QuerySet[ScheduleChange]:
    return ScheduleChange.objects.filter(state=ScheduleChange.State.PENDING).select_related(
        "tender", "tender__package", "requested_by"
    )


def participations_of_company(company) -> QuerySet[Participation]:
    """The tenders a company registered for, newest first, with each tender's package and
    schedule (the provider's bid overview and the support desk, R-3.4)."""
    return (
        Participation.objects.filter(company=company)
        .select_related("tender__package")
        .prefetch_related("tender__schedule")
        .order_by("-registered_at")
    )
