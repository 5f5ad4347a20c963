"""Which announced tenders the audited writes of the tenders app concern (for the OCDS
publisher, R-9.5: it rebuilds only those)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import QuerySet

from lpse.core.audit_since import Touched, ids_along
from lpse.tenders.models import (
    Committee,
    Method,
    Package,
    ScheduleChange,
    Tender,
    TenderDocument,
)

# The objects whose writes change what is published of a tender (its package, committee,
# schedule, documents, schedule changes). Participations and questions are not published.
_PATHS = {
    Tender: "pk",
    Package: "tenders__pk",
    Committee: "packages__tenders__pk",
    TenderDocument: "tender_id",
    ScheduleChange: "tender_id",
}


def tender_ids_touched(touched: Touched) -> set[int]:
    return ids_along(touched, _PATHS)


def announced_tenders(ids: Collection[int]) -> QuerySet[Tender]:
    """The tenders among ``ids`` that were ever announced (published, or cancelled since),
    with what the releases read of them."""
    return (
        Tender.objects.filter(
            pk__in=list(ids), state__in=[Tender.State.PUBLISHED, Tender.State.CANCELLED]
        )
        .exclude(method=Method.NON_TENDER)  # a non-tender's backing tender
        .select_related("package__sub_field", "package__committee__agency", "agency")
    )


def announced_backing_tenders(ids: Collection[int] | None = None) -> QuerySet[Tender]:
    """The backing tenders of non-tender procurements (R-8.6) that were announced, among ``ids``
    or all of them: the procurement's OCDS releases are built on its backing tender, whose code
    is the procurement's."""
    tenders = Tender.objects.filter(
        method=Method.NON_TENDER, state__in=[Tender.State.PUBLISHED, Tender.State.CANCELLED]
    )
    if ids is not None:
        tenders = tenders.filter(pk__in=list(ids))
    return tenders.select_related("package__sub_field", "agency")
