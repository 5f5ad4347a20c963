"""The public tender list's rows (R-8.5, issue 19): one ``ListedTender`` a listed tender.

A page of the list read the tenders, their packages and 240 schedule entries, and turned every
entry's dates into aware datetimes: at 100,000 tenders its uncached cost was 13–26× a bare view.
A listed row holds what the list shows and the schedule as whole numbers (microseconds since
1970), so a page is one read of one index and a split of 20 short texts; the stage shown is
still computed from that schedule and the clock at each request (DESIGN rule 3), never stored.

The rows are written in the transactions that change what they show: publication
(``list_tenders``), an applied schedule change (``schedule_changed``), a cancellation
(``unlist``). A package's listed fields do not change once it has a tender; an agency's name is
read with the page. Non-tender procurements have their own public page (R-8.6) and no row.
"""

from __future__ import annotations

from collections.abc import Iterable

from lpse.tenders.models import ListedTender, Method, Tender
from lpse.tenders.selectors.listings import schedules_by_tender
from lpse.tenders.selectors.schedule import Schedule
from lpse.tenders.selectors.timeline import timeline_of

_BATCH = 2000


def list_tenders(tenders: Iterable[Tender]) -> None:
    """Put published ``tenders`` (with their packages) on the public list, or write their rows
    again from scratch; call in the write's transaction, after their schedule is written."""
    listed = [t for t in tenders if t.method != Method.NON_TENDER]
    for first in range(0, len(listed), _BATCH):
        batch = listed[first : first + _BATCH]
        ids = [tender.pk for tender in batch]
        schedules = schedules_by_tender(ids)
        ListedTender.objects.filter(pk__in=ids).delete()
        ListedTender.objects.bulk_create(
            [
                ListedTender(
                    tender_id=tender.pk,
                    published_at=tender.published_at,
                    code=tender.code,
                    name=tender.package.name,
                    category=tender.package.category,
                    fiscal_year=tender.package.fiscal_year,
                    owner_estimate=tender.package.owner_estimate,
                    agency_id=tender.agency_id,
                    timeline=timeline_of(schedules[tender.pk]),
                )
                for tender in batch
            ]
        )


def schedule_changed(tender: Tender, schedule: Schedule) -> None:
    """A listed tender's schedule was replaced (an applied schedule change, R-3.3)."""
    ListedTender.objects.filter(pk=tender.pk).update(timeline=timeline_of(schedule))


def unlist(tender: Tender) -> None:
    """The tender leaves the public list (cancelled)."""
    ListedTender.objects.filter(pk=tender.pk).delete()
