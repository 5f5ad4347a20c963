"""Public tender data as JSON (R-8.5, and the documented API of R-9.5): the announced tenders,
oldest first and cursor-paged, with the portal's filters; each tender's schedule, documents with
their hashes and its schedule history (R-3.3: every applied change with its reason).

Both answers carry an ETag and Last-Modified (``lpse.core.api.conditional_json``)."""

# No "from __future__ import annotations": django-ninja reads these annotations at runtime.

import math
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Max, Q
from django.utils import timezone
from ninja import Field, Query, Schema
from pydantic import WithJsonSchema

from lpse.core.api import api_operation, conditional_json
from lpse.core.api_paging import CURSOR_DESCRIPTION, CURSOR_PATTERN, page_of
from lpse.core.capabilities import PUBLIC
from lpse.tenders.models import Category, ScheduleEntry, Tender
from lpse.tenders.selectors import listings as selectors
from lpse.tenders.selectors import lookup
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services import preparation as services
from lpse.tenders.stages import Stage

MAX_PAGE_SIZE = 100
# Rupiah: the largest owner estimate the models hold (18 digits, 2 after the point).
MAX_RUPIAH = 10**16

# Optional parameters are documented by what they accept, never as "null": a query string has
# no null, and a client (or schemathesis) sending "null" would be refused.
OptionalId = Annotated[
    int | None,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
    Field(ge=1, le=2**31 - 1),
]
OptionalYear = Annotated[
    int | None,
    WithJsonSchema({"type": "integer", "minimum": 2000, "maximum": 2100}),
    Field(ge=2000, le=2100),
]
OptionalRupiah = Annotated[
    Decimal | None,
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_RUPIAH}),
    Field(ge=0, le=MAX_RUPIAH, allow_inf_nan=False),
]
OptionalCategory = Annotated[
    Category | None, WithJsonSchema({"type": "string", "enum": list(Category.values)})
]
OptionalStage = Annotated[
    Stage | None, WithJsonSchema({"type": "string", "enum": list(Stage.values)})
]
Cursor = Annotated[
    str | None,
    WithJsonSchema(
        {"type": "string", "pattern": CURSOR_PATTERN, "description": CURSOR_DESCRIPTION}
    ),
    Field(pattern=CURSOR_PATTERN),
]


class TenderFilterIn(Schema):
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$", description="Name or code.")
    agency: OptionalId = None
    category: OptionalCategory = None
    stage: OptionalStage = Field(None, description="Only tenders in this stage now.")
    min_value: OptionalRupiah = None
    max_value: OptionalRupiah = None
    year: OptionalYear = None
    since: Cursor = None
    page_size: int = Field(20, ge=1, le=100_000, description="At most 100 are returned.")
    page: int = Field(
        1,
        ge=1,
        le=100_000,
        json_schema_extra={"deprecated": True},
        description="An offset page: it shifts when tenders are announced meanwhile; use `since`.",
    )


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
    count: int = Field(description="Tenders matching the filters, all pages together.")
    page: int
    pages: int
    next: str | None = Field(description="The `since` of the next page; null on the last.")
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


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def _last_boundary(tender_ids: list[int], now: datetime) -> datetime | None:
    """The last stage start or end already passed: what a tender shows as open changes then."""
    entries = ScheduleEntry.objects.filter(tender_id__in=tender_ids)
    passed = entries.aggregate(
        start=Max("start", filter=Q(start__lte=now)), end=Max("end", filter=Q(end__lte=now))
    )
    return _latest(passed["start"], passed["end"])


@api_operation("GET", "/tenders", capability=PUBLIC, response={200: TenderPageOut, 304: None})
def tender_list(request, filters: Query[TenderFilterIn]):
    """Announced tenders, oldest first, with the portal's filters; follow `next` with `since`."""
    size = min(filters.page_size, MAX_PAGE_SIZE)
    tenders = selectors.public_tenders(
        selectors.TenderFilters(
            q=filters.q.strip(),
            agency=filters.agency,
            category=filters.category or "",
            stage=filters.stage or "",
            min_value=filters.min_value,
            max_value=filters.max_value,
            year=filters.year,
        )
    )
    count = tenders.count()
    if filters.since or filters.page == 1:
        rows, following = page_of(tenders, filters.since, size, moment_field="published_at")
        page = 1
    else:  # the deprecated offset page, kept for the clients written before the cursor
        start = (filters.page - 1) * size
        rows = list(tenders.order_by("published_at", "pk")[start : start + size])
        following, page = None, filters.page
    now = timezone.now()
    data = {
        "count": count,
        "page": page,
        "pages": max(1, math.ceil(count / size)),
        "next": following,
        "results": [_summary(t, s) for t, s in selectors.with_status(rows)],
    }
    modified = _latest(*(t.published_at for t in rows), _last_boundary([t.pk for t in rows], now))
    return conditional_json(request, TenderPageOut, data, last_modified=modified)


@api_operation("GET", "/tenders/{code}", capability=PUBLIC, response={200: TenderOut, 304: None})
def tender_detail(request, code: str):
    """One announced tender: schedule, documents with hashes, schedule history (R-3.3)."""
    tender = lookup.announced_tender_or_404(code)
    schedule = services.schedule_of(tender)
    now = timezone.now()
    status = sched.status_at(schedule, now)
    package = tender.package
    documents = list(tender.documents.select_related("blob"))
    changes = list(selectors.public_schedule_changes(tender))
    data = {
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
            for d in documents
        ],
        "schedule_changes": [
            {
                "applied_at": c.decided_at,
                "reason": c.reason,
                "old_schedule": c.old_schedule,
                "new_schedule": c.new_schedule,
            }
            for c in changes
        ],
    }
    modified = _latest(
        tender.published_at,
        *(d.uploaded_at for d in documents),
        *(c.decided_at for c in changes),
        _last_boundary([tender.pk], now),
    )
    return conditional_json(request, TenderOut, data, last_modified=modified)
