"""The public tender list's rows (R-8.5, issue 19): one ``ListedTender`` a listed tender.

A page of the list read the tenders, their packages and 240 schedule entries, and turned every
entry's dates into aware datetimes: at 100,000 tenders its uncached cost was 13–26× a bare view.
A listed row holds what the list shows and the schedule as whole numbers (microseconds since
1970), so a page is one read of one index and a split of 20 short texts; the stage shown is
still computed from that schedule and the clock at each request (DESIGN rule 3), never stored.

Each row also holds its **position** in the list's order (published, then id; 1 the oldest,
no gaps), so page N of the whole list is a range of positions: an ``OFFSET`` walked every
entry it skipped (40,000 for page 2000: 5 ms on PostgreSQL), a range reads 20 at any depth. A
row takes its place and the rows after it move up one: none for a publication, which comes
after every listed tender, a few for one stamped a moment earlier on another node; a
cancellation closes its gap, the rows after it moving down one; many rows at once (the demo
generator) are numbered in one statement.

The rows are written in the transactions that change what they show: publication
(``list_tenders``), an applied schedule change (``schedule_changed``), a cancellation
(``unlist``). A package's listed fields do not change once it has a tender; an agency's name is
read with the page. Non-tender procurements have their own public page (R-8.6) and no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q

from lpse.core import audit
from lpse.tenders.models import ListedTender, Method, Tender
from lpse.tenders.selectors.listings import schedules_by_tender
from lpse.tenders.selectors.schedule import Schedule
from lpse.tenders.selectors.timeline import timeline_of

_BATCH = 2000
# More rows at once than this are numbered by ``renumber`` rather than placed one by one.
_PLACED_ONE_BY_ONE = 20


def list_tenders(tenders: Iterable[Tender], *, place: bool = True) -> None:
    """Put published ``tenders`` (with their packages) on the public list, or write their rows
    again from scratch; call in the write's transaction, after their schedule is written.

    ``place=False`` leaves the new rows without their positions (0), for a caller listing many
    tenders in several calls (the demo generator) that calls ``renumber`` once at the end."""
    listed = sorted(
        (t for t in tenders if t.method != Method.NON_TENDER),
        key=lambda t: (t.published_at, t.pk),
    )
    if not listed:
        return
    one_by_one = place and len(listed) <= _PLACED_ONE_BY_ONE
    with transaction.atomic():
        _one_writer()
        ids = [tender.pk for tender in listed]
        if one_by_one:
            _number_the_unnumbered()
            for pk in ListedTender.objects.filter(pk__in=ids).values_list("pk", flat=True):
                _remove(pk)
        else:
            ListedTender.objects.filter(pk__in=ids).delete()
        for first in range(0, len(listed), _BATCH):
            batch = listed[first : first + _BATCH]
            schedules = schedules_by_tender([tender.pk for tender in batch])
            rows = [_row(tender, schedules[tender.pk]) for tender in batch]
            if one_by_one:
                for row in rows:
                    row.position = _make_room(row.published_at, row.tender_id)
                    row.save(force_insert=True)
            else:
                ListedTender.objects.bulk_create(rows)
        if place and not one_by_one:
            renumber()


def _row(tender: Tender, schedule: Schedule) -> ListedTender:
    return ListedTender(
        tender_id=tender.pk,
        published_at=tender.published_at,
        code=tender.code,
        name=tender.package.name,
        category=tender.package.category,
        fiscal_year=tender.package.fiscal_year,
        owner_estimate=tender.package.owner_estimate,
        agency_id=tender.agency_id,
        timeline=timeline_of(schedule),
    )


def schedule_changed(tender: Tender, schedule: Schedule) -> None:
    """A listed tender's schedule was replaced (an applied schedule change, R-3.3). In turn with
    the list's other writers: a row it locked first would be one that a cancellation, holding
    the turn, waits to move down."""
    with transaction.atomic():
        _one_writer()
        ListedTender.objects.filter(pk=tender.pk).update(timeline=timeline_of(schedule))


def unlist(tender: Tender) -> None:
    """The tender leaves the public list (cancelled). The tenders listed after it move down one
    position: one write a newer tender, and cancellations are few and mostly of recent tenders."""
    with transaction.atomic():
        _one_writer()
        _number_the_unnumbered()
        _remove(tender.pk)


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


def _number_the_unnumbered() -> None:
    """Rows still at position 0 — written by a process of the version before positions while
    the site was upgraded, or left by an interrupted demo generator — are numbered before a
    row is placed by its neighbours' positions (one index probe when there are none)."""
    if ListedTender.objects.filter(position=0).exists():
        renumber()


def _make_room(published_at: datetime, tender_id: int) -> int:
    """The position of a row to be written at this place in the order; the rows after it have
    moved up one. The row before it is the first entry of the order index read backwards from
    the newest when it is a publication."""
    before = (
        ListedTender.objects.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, tender_id__lt=tender_id)
        )
        .order_by("-published_at", "-tender_id")
        .values_list("position", flat=True)
        .first()
    )
    position = (before or 0) + 1
    ListedTender.objects.filter(position__gte=position).update(position=F("position") + 1)
    return position


def _remove(tender_id: int) -> None:
    """The row leaves the list; the rows after it move down one (none for a row not yet
    numbered: the generator's, until its ``renumber``)."""
    position = ListedTender.objects.filter(pk=tender_id).values_list("position", flat=True).first()
    if position is None:
        return
    ListedTender.objects.filter(pk=tender_id).delete()
    if position:
        ListedTender.objects.filter(position__gt=position).update(position=F("position") - 1)


def _one_writer() -> None:
    """Positions are read, then written (the place's, the rows after it): two writers at once
    would give two rows one position. Every write to the list is recorded in the audit chain in
    its transaction, whose head is already the one lock all of them take: taken first here, it
    queues the list's writers with no second lock that another transaction could take in the
    other order (a table lock did: a cancellation records the annulled outcome, then leaves the
    list, while a publication lists, then records). On SQLite a transaction holds the database's
    one write lock from its start (settings: IMMEDIATE)."""
    audit.hold_chain()
