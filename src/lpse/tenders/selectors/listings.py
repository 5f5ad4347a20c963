"""Reads worth naming: the public tender list (R-8.5) and the workspaces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from lpse.core.words import words
from lpse.tenders import search_index
from lpse.tenders.models import (
    ListedTender,
    Method,
    Package,
    Participation,
    ScheduleChange,
    ScheduleEntry,
    Tender,
)
from lpse.tenders.selectors import list_reads
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.timeline import status_of


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
    """Published tenders matching ``filters``, newest first (the API and the OCDS output; the
    public list's page reads ``listed``)."""
    # A non-tender procurement's backing tender is no tender: its public page is the non-tender
    # results.
    tenders = Tender.objects.filter(state=Tender.State.PUBLISHED).exclude(method=Method.NON_TENDER)
    tenders = tenders.prefetch_related("package__sub_field", "agency")
    return _filtered(tenders, filters, package="package__")


def listed(filters: TenderFilters, *, row_by_row: bool = False) -> QuerySet[ListedTender]:
    """The public list's rows matching ``filters``, newest first (``tenders.listing``).

    ``row_by_row``: the search words and the stage are checked on each row as the list's order
    index is walked, rather than every match looked up first and sorted (SQLite; see
    ``prefer_row_by_row``)."""
    return _filtered(ListedTender.objects.all(), filters, package="", row_by_row=row_by_row)


def listed_count(filters: TenderFilters) -> int:
    """How many rows the list shows for ``filters``. The whole list's count is its newest
    row's position (positions have no gaps, ``tenders.listing``): one index entry read, where
    a count reads every row (5 ms at 100,000 tenders on PostgreSQL)."""
    if filters == TenderFilters():
        return ListedTender.objects.aggregate(n=Max("position"))["n"] or 0
    return listed(filters).count()


def page_ids(
    filters: TenderFilters, *, skipped: int, shown: int, row_by_row: bool = False
) -> list[int]:
    """The ids of the ``shown`` rows after the first ``skipped`` of the list for ``filters``.

    The whole list's page is a range of positions below the newest: the same rows as an
    ``OFFSET``, read in 20 index entries at any depth (page 2000 skipped 40,000 of them)."""
    if filters == TenderFilters():
        return list_reads.whole_list_ids(skipped=skipped, shown=shown)
    rows = listed(filters, row_by_row=row_by_row)
    return list(rows.values_list("pk", flat=True)[skipped : skipped + shown])


def prefer_row_by_row(
    filters: TenderFilters,
    *,
    matching: int,
    listed_total: Callable[[], int],
    skipped: int,
    shown: int,
) -> bool:
    """Whether a page of ``matching`` rows out of ``listed_total()``, after ``skipped``, is
    found faster by walking the list in order and checking each row (about (skipped + shown) ×
    listed_total / matching rows checked, the matches spread along the list) than by looking
    up every match and sorting them (``matching`` lookups); the two cost about the same a row.
    SQLite has no statistics unless ANALYZE ran, and without them looks every match up:
    "Jembatan" (10,000 matches of 100,000 tenders) took 17 ms that way and 0.1 ms row by row;
    a word matching no tender 0.01 ms that way and 143 ms row by row (bench/README.md).
    PostgreSQL has statistics and chooses by itself.

    A number typed in the search (a year, a tender code: codes begin with the fiscal year)
    matches tenders bunched together in the list, not spread along it: the walk would pass
    every newer tender first, so those are looked up."""
    if connection.vendor != "sqlite" or matching == 0 or not (filters.q or filters.stage):
        return False
    if any(word.isdigit() for word in words(filters.q)):
        return False
    return (skipped + shown) * listed_total() < matching * matching


def _filtered(
    rows: QuerySet, filters: TenderFilters, *, package: str, row_by_row: bool = False
) -> QuerySet:
    """``filters`` on tenders (the package's fields under ``package__``) or on listed rows (their
    own fields), whose primary key is the tender's.

    Written for 100,000 tenders (issue 3, bench/portal.py). Search and stage are ``id IN (…)``
    subqueries, so the database first finds the few matching ids (ranges of the word index,
    the schedule index) instead of testing a name or a correlated EXISTS on every tender;
    ``row_by_row`` when the matches are many.
    """
    if filters.q:
        found = search_index.matching(filters.q, row_by_row=row_by_row)
        rows = rows.filter(found) if found is not None else rows.none()
    if filters.agency:
        rows = rows.filter(agency_id=filters.agency)
    if filters.category:
        rows = rows.filter(**{f"{package}category": filters.category})
    if filters.year:
        rows = rows.filter(**{f"{package}fiscal_year": filters.year})
    if filters.min_value is not None:
        rows = rows.filter(**{f"{package}owner_estimate__gte": filters.min_value})
    if filters.max_value is not None:
        rows = rows.filter(**{f"{package}owner_estimate__lte": filters.max_value})
    if filters.stage:
        now = timezone.now()
        open_now = ScheduleEntry.objects.filter(stage=filters.stage, start__lte=now, end__gt=now)
        if row_by_row:
            rows = rows.filter(Exists(open_now.filter(tender_id=OuterRef("pk"))))
        else:
            rows = rows.filter(pk__in=open_now.values("tender_id"))
    return rows.order_by("-published_at", "-pk")


class ListedRow(NamedTuple):
    """A row of the public list as its page shows it."""

    code: str
    name: str
    category: str
    fiscal_year: int
    owner_estimate: Decimal
    agency_name: str
    status: sched.StageStatus
    changes_at: datetime | None  # the next moment its stage now changes by the clock


def listed_rows(ids: list[int]) -> list[ListedRow]:
    """The listed rows with these ids, in their order, each with its stage now."""
    now = timezone.now()
    by_id = list_reads.rows_by_id(ids)
    rows = []
    for pk in ids:
        if pk in by_id:  # else unlisted between the two reads
            code, name, category, year, estimate, agency, timeline = by_id[pk]
            status, changes_at = status_of(timeline, now)
            rows.append(ListedRow(code, name, category, year, estimate, agency, status, changes_at))
    return rows


def next_change(rows: list[ListedRow]) -> datetime | None:
    """When the first of these rows changes stage by the clock (its page goes out of date)."""
    return min((row.changes_at for row in rows if row.changes_at is not None), default=None)


def schedules_by_tender(
    tender_ids: list[int], *, only: Q | None = None
) -> dict[int, sched.Schedule]:
    """The schedules of these tenders in one query, each tender's by its id (every id present,
    an empty schedule for a tender without entries); ``only`` narrows the entries read."""
    schedules: dict[int, sched.Schedule] = {pk: {} for pk in tender_ids}
    entries = ScheduleEntry.objects.filter(tender_id__in=tender_ids)
    if only is not None:
        entries = entries.filter(only)
    for tender_id, stage, start, end in entries.values_list("tender_id", "stage", "start", "end"):
        schedules[tender_id][stage] = (start, end)
    return schedules


def with_status(tenders) -> list[tuple[Tender, sched.StageStatus]]:
    """Attach the current stage to a page of tenders with one query for all their schedules
    (the API's pages). Only the stages not yet over are read: every schedule has all stages
    (schedule.problems_of), and the first, over or not, keeps a finished tender's schedule
    non-empty, so status_at still says "finished"."""
    tenders = list(tenders)
    now = timezone.now()
    schedules = schedules_by_tender(
        [t.pk for t in tenders], only=Q(end__gt=now) | Q(stage=sched.STAGE_ORDER[0])
    )
    return [(t, sched.status_at(schedules[t.pk], now)) for t in tenders]


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
