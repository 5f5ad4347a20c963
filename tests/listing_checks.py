"""What the public list must hold (R-8.5, issue 19: tenders.listing): one row a published tender
but the non-tender procurements', each the tender's code, package, agency and schedule now, and
its position in the list's order (1 the oldest published, no gaps)."""

from __future__ import annotations

from lpse.tenders.models import ListedTender, Method, Tender
from lpse.tenders.selectors.timeline import timeline_of
from lpse.tenders.services import preparation as services

_SHOWN = ("position", "published_at", "code", "name", "category", "fiscal_year", "owner_estimate")


def expected_rows() -> dict[int, tuple]:
    tenders = (
        Tender.objects.filter(state=Tender.State.PUBLISHED)
        .exclude(method=Method.NON_TENDER)
        .select_related("package")
    )
    in_order = sorted(tenders, key=lambda t: (t.published_at, t.pk))
    return {
        t.pk: (
            position,
            t.published_at,
            t.code,
            t.package.name,
            t.package.category,
            t.package.fiscal_year,
            t.package.owner_estimate,
            t.agency_id,
            timeline_of(services.schedule_of(t)),
        )
        for position, t in enumerate(in_order, start=1)
    }


def listed_rows() -> dict[int, tuple]:
    return {
        row.pk: (*(getattr(row, f) for f in _SHOWN), row.agency_id, row.timeline)
        for row in ListedTender.objects.all()
    }


def assert_the_list_shows_the_tenders() -> None:
    assert listed_rows() == expected_rows()
