"""Reads worth naming: the public tender list (R-8.5) and the workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from lpse.tenders.models import Package, Participation, ScheduleChange, ScheduleEntry, Tender
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
    (…)`` subqueries, so the database first finds the few matching ids (a scan of package names,
    the schedule index) instead of testing a name or a correlated EXISTS on every tender.
    """
    tenders = Tender.objects.filter(state=Tender.State.PUBLISHED).prefetch_related(
        "package__sub_field", "agency"
    )
    if filters.q:
        by_name = Tender.objects.order_by().filter(package__name__icontains=filters.q)
        by_code = Tender.objects.order_by().filter(code=filters.q.strip())
        tenders = tenders.filter(pk__in=by_name.values("pk").union(by_code.values("pk")))
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
    tenders = list(tenders)
    schedules: dict[int, sched.Schedule] = {t.pk: {} for t in tenders}
    for entry in ScheduleEntry.objects.filter(tender_id__in=schedules).only(
        "tender_id", "stage", "start", "end"
    ):
        schedules[entry.tender_id][entry.stage] = (entry.start, entry.end)
    now = timezone.now()
    return [(t, sched.status_at(schedules[t.pk], now)) for t in tenders]


def public_schedule_changes(tender: Tender) -> QuerySet[ScheduleChange]:
    return tender.schedule_changes.filter(state=ScheduleChange.State.APPLIED).order_by(
        "-decided_at"
    )


def packages_of_ppk(user) -> QuerySet[Package]:
    return Package.objects.filter(ppk=user).select_related("committee", "sub_field")


def packages_of_committee_member(user) -> QuerySet[Package]:
    return (
        Package.objects.filter(committee__members=user)
        .select_related("committee", "agency")
        .prefetch_related("tenders")
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
