"""Tender counts for those who watch the service as a whole (LKPP's monitor, R-5.5): figures
only, no package, bidder or price."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from lpse.core.calendar import WITA
from lpse.tenders.models import Method, Tender


def tenders_by_state(year: int) -> list[tuple[str, str, int]]:
    """(state, its label, how many) of the tenders created in ``year`` (a WITA year), every
    state listed, zero included."""
    start = datetime(year, 1, 1, tzinfo=WITA)
    end = datetime(year + 1, 1, 1, tzinfo=WITA)
    counts = dict(
        Tender.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(method=Method.NON_TENDER)  # a non-tender's backing tender is no tender
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return [(state.value, str(state.label), counts.get(state.value, 0)) for state in Tender.State]
