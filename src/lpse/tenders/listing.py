"""The public tender list's rows (R-8.5, issue 19): one ``ListedTender`` a listed tender.

A page of the list read the tenders, their packages and 240 schedule entries, and turned every
entry's dates into aware datetimes: at 100,000 tenders its uncached cost was 13–26× a bare view.
A listed row holds what the list shows and the schedule as whole numbers (microseconds since
1970), so a page is one read of one index and a split of 20 short texts; the stage shown is
still computed from that schedule and the clock at each request (DESIGN rule 3), never stored.

Each row also holds its **position** in the list's order (published, then id; 1 the oldest,
no gaps), so page N of the whole list is a range of positions: an ``OFFSET`` of 40,000 walked
40,000 index entries (5.8 ms on PostgreSQL for page 2000), a range reads 20 at any depth. A
publication comes after every listed tender and takes the next position; a cancellation
closes its gap (the tenders listed after it move down one); anything else renumbers the list.

The rows are written in the transactions that change what they show: publication
(``list_tenders``), an applied schedule change (``schedule_changed``), a cancellation
(``unlist``). A package's listed fields do not change once it has a tender; an agency's name is
read with the page. Non-tender procurements have their own public page (R-8.6) and no row.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from lpse.tenders.models import ListedTender, Method, Tender
from lpse.tenders.selectors.listings import schedules_by_tender
from lpse.tenders.selectors.schedule import Schedule
from lpse.tenders.selectors.timeline import timeline_of

_BATCH = 2000


def list_tenders(tenders: Iterable[Tender], *, place: bool = True) -> None:
    """Put published ``tenders`` (with their packages) on the public list, or write their rows
    again from scratch; call in the write's transaction, after their schedule is written.

    ``place=False`` leaves the new rows without their positions, for a caller listing many
    tenders in several calls (the demo generator) that calls ``renumber`` once at the end."""
    listed = sorted(
        (t for t in tenders if t.method != Method.NON_TENDER),
        key=lambda t: (t.published_at, t.pk),
    )
    with transaction.atomic():
        _one_writer()
        last = ListedTender.objects.order_by("-position").values_list(
            "published_at", "tender_id", "position"
        )[:1]
        newest = last[0] if last else None
        removed, _ = ListedTender.objects.filter(pk__in=[t.pk for t in listed]).delete()
        # The usual case, a publication: after every listed tender, the next positions.
        appended = (
            place
            and not removed
            and bool(listed)
            and (newest is None or (listed[0].published_at, listed[0].pk) > newest[:2])
        )
        after = newest[2] if newest else 0
        for first in range(0, len(listed), _BATCH):
            batch = listed[first : first + _BATCH]
            schedules = schedules_by_tender([tender.pk for tender in batch])
            ListedTender.objects.bulk_create(
                [
                    ListedTender(
                        tender_id=tender.pk,
                        published_at=tender.published_at,
                        position=after + first + i + 1 if appended else 0,
                        code=tender.code,
                        name=tender.package.name,
                        category=tender.package.category,
                        fiscal_year=tender.package.fiscal_year,
                        owner_estimate=tender.package.owner_estimate,
                        agency_id=tender.agency_id,
                        timeline=timeline_of(schedules[tender.pk]),
                    )
                    for i, tender in enumerate(batch)
                ]
            )
        if place and listed and not appended:
            renumber()


def schedule_changed(tender: Tender, schedule: Schedule) -> None:
    """A listed tender's schedule was replaced (an applied schedule change, R-3.3)."""
    ListedTender.objects.filter(pk=tender.pk).update(timeline=timeline_of(schedule))


def unlist(tender: Tender) -> None:
    """The tender leaves the public list (cancelled). The tenders listed after it move down one
    position: one write a newer tender, and cancellations are few and mostly of recent tenders."""
    with transaction.atomic():
        _one_writer()
        position = (
            ListedTender.objects.filter(pk=tender.pk).values_list("position", flat=True).first()
        )
        if position is None:
            return
        ListedTender.objects.filter(pk=tender.pk).delete()
        ListedTender.objects.filter(position__gt=position).update(position=F("position") - 1)


def renumber() -> None:
    """Every row's position from its place in the list's order, in one statement (only the
    rows whose position changes are written)."""
    table = connection.ops.quote_name(ListedTender._meta.db_table)
    position = connection.ops.quote_name("position")
    with transaction.atomic():
        _one_writer()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {position} = ranked.n FROM (SELECT tender_id, ROW_NUMBER() "  # noqa: S608 — our own quoted names
                f"OVER (ORDER BY published_at, tender_id) AS n FROM {table}) AS ranked "
                f"WHERE {table}.tender_id = ranked.tender_id AND {table}.{position} <> ranked.n"
            )


def _one_writer() -> None:
    """Positions are read, then written (the newest's + 1; the rows after a removed one): two
    writers at once would give two tenders one position. PostgreSQL: a lock that queues the
    list's writers and lets its readers through, held to the transaction's end. SQLite: its
    transactions take the database's one write lock as they begin (settings: IMMEDIATE)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ListedTender._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
