"""Public tender data as JSON (R-8.5, and the documented API of R-9.5): the same list, filters
and pages as the portal, and each tender's schedule, documents with their hashes and changes."""

# No "from __future__ import annotations": django-ninja reads these annotations at runtime.

from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Schema

from lpse.core.api import api_operation
from lpse.core.capabilities import PUBLIC
from lpse.tenders.models import Tender
from lpse.tenders.selectors import listings as selectors
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services import preparation as services

MAX_PAGE_SIZE = 100


class TenderFilterIn(Schema):
    q: str = ""
    agency: int | None = None
    category: str = ""
    stage: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    year: int | None = None
    page: int = 1
    page_size: int = 20


class TenderSummaryOut(Schema):
    code: str
    name: str
    agency: str
    category: str
    fiscal_year: int
    owner_estimate: Decimal
    published_at: datetime | None
    stages_open: list[str]


class TenderPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[TenderSummaryOut]


class StageOut(Schema):
    stage: str
    start: datetime
    end: datetime
    open: bool


class DocumentOut(Schema):
    kind: str
    title: str
    size: int
    md5: str
    sha256: str
    uploaded_at: datetime


class ScheduleChangeOut(Schema):
    applied_at: datetime | None
    reason: str
    old_schedule: dict[str, list[str]]
    new_schedule: dict[str, list[str]]


class TenderOut(TenderSummaryOut):
    state: str
    method: str
    budget_ceiling: Decimal
    location: str
    funding_source: str
    qualification_requirements: str
    schedule: list[StageOut]
    documents: list[DocumentOut]
    schedule_changes: list[ScheduleChangeOut]


def _summary(tender: Tender, status: sched.StageStatus) -> dict:
    package = tender.package
    return {
        "code": tender.code,
        "name": package.name,
        "agency": tender.agency.name,
        "category": package.category,
        "fiscal_year": package.fiscal_year,
        "owner_estimate": package.owner_estimate,
        "published_at": tender.published_at,
        "stages_open": list(status.active),
    }


@api_operation("GET", "/tenders", capability=PUBLIC, response=TenderPageOut)
def tender_list(request, filters: Query[TenderFilterIn]):
    """Announced tenders, newest first, with the portal's filters."""
    size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    page = Paginator(
        selectors.public_tenders(
            selectors.TenderFilters(
                q=filters.q.strip(),
                agency=filters.agency,
                category=filters.category,
                stage=filters.stage,
                min_value=filters.min_value,
                max_value=filters.max_value,
                year=filters.year,
            )
        ),
        size,
    ).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_summary(t, s) for t, s in selectors.with_status(page.object_list)],
    }


@api_operation("GET", "/tenders/{code}", capability=PUBLIC, response=TenderOut)
def tender_detail(request, code: str):
    tender = get_object_or_404(
        Tender.objects.select_related("package", "agency"),
        code=code,
        state__in=[Tender.State.PUBLISHED, Tender.State.CANCELLED],
    )
    schedule = services.schedule_of(tender)
    status = sched.status_at(schedule, timezone.now())
    package = tender.package
    return {
        **_summary(tender, status),
        "state": tender.state,
        "method": tender.method,
        "budget_ceiling": package.budget_ceiling,
        "location": package.location,
        "funding_source": package.funding_source,
        "qualification_requirements": tender.qualification_requirements,
        "schedule": [
            {"stage": s, "start": schedule[s][0], "end": schedule[s][1], "open": status.is_open(s)}
            for s in sched.STAGE_ORDER
            if s in schedule
        ],
        "documents": [
            {
                "kind": d.kind,
                "title": d.title,
                "size": d.blob.size,
                "md5": d.blob.md5,
                "sha256": d.blob.sha256,
                "uploaded_at": d.uploaded_at,
            }
            for d in tender.documents.select_related("blob")
        ],
        "schedule_changes": [
            {
                "applied_at": c.decided_at,
                "reason": c.reason,
                "old_schedule": c.old_schedule,
                "new_schedule": c.new_schedule,
            }
            for c in selectors.public_schedule_changes(tender)
        ],
    }
