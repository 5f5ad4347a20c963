"""Reads worth naming: the public tender list (R-8.5) and the workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lpse.tenders import schedule as sched
from lpse.tenders.models import Package, ScheduleChange, ScheduleEntry, Tender


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
    tenders = Tender.objects.filter(state=Tender.State.PUBLISHED).select_related(
        "package", "agency", "package__sub_field"
    )
    if filters.q:
        tenders = tenders.filter(Q(package__name__icontains=filters.q) | Q(code=filters.q.strip()))
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
        open_now = ScheduleEntry.objects.filter(
            tender=OuterRef("pk"), stage=filters.stage, start__lte=now, end__gt=now
        )
        tenders = tenders.filter(Exists(open_now))
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
