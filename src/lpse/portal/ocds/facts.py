"""What the OCDS releases of one tender are made of, read once through the other apps'
selectors (the portal is the top layer, DESIGN "Boundaries")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from lpse.evaluation.selectors import current_outcome, public_results
from lpse.nontender.selectors import opened_offers, procurement_of_backing
from lpse.tenders.selectors.listings import public_schedule_changes
from lpse.tenders.selectors.lookup import is_cancelled


def ocid_of(code: str) -> str:
    return f"{settings.LPSE_OCID_PREFIX}-{code}"


def code_of(ocid: str) -> str | None:
    prefix = f"{settings.LPSE_OCID_PREFIX}-"
    return ocid[len(prefix) :] if ocid.startswith(prefix) else None


def amount(value: Decimal | None) -> dict[str, Any] | None:
    """A value in rupiah; whole rupiah as an integer (exact in JSON), else a number."""
    if value is None:
        return None
    number: int | float = int(value) if value == value.to_integral_value() else float(value)
    return {"amount": number, "currency": "IDR"}


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass
class NonTenderFacts:
    """A non-tender procurement (R-8.6) its backing tender carries: its method, justification,
    offers and award (the SPK) are the nontender app's, not evaluation's."""

    procurement: Any
    offers: list[Any]


@dataclass
class TenderFacts:
    tender: Any
    package: Any
    schedule: dict[str, tuple[datetime, datetime]]
    documents: list[Any]
    changes: list[Any]
    outcome: Any | None
    results: Any | None  # evaluation.selectors.PublicResults, None before the opening
    cancelled: bool = False
    nontender: NonTenderFacts | None = None

    @property
    def ocid(self) -> str:
        return ocid_of(self.tender.code)


def _nontender_facts(tender) -> NonTenderFacts | None:
    # tenders' Method.NON_TENDER: its models are not the portal's to import
    if tender.method != "non_tender":
        return None
    procurement = procurement_of_backing(tender)
    if procurement is None:
        return None
    return NonTenderFacts(procurement=procurement, offers=opened_offers(procurement))


def facts_of(tender) -> TenderFacts:
    results = public_results(tender)
    nontender = _nontender_facts(tender)
    outcome = current_outcome(tender)
    return TenderFacts(
        tender=tender,
        package=tender.package,
        schedule={e.stage: (e.start, e.end) for e in tender.schedule.all()},
        documents=list(tender.documents.select_related("blob").order_by("uploaded_at", "id")),
        changes=sorted(public_schedule_changes(tender), key=lambda c: (c.decided_at, c.pk)),
        outcome=outcome,
        results=results,
        # evaluation's FailureKind.CANCELLED: its models are not the portal's to import
        cancelled=is_cancelled(tender)
        or (outcome is not None and outcome.failure_kind == "cancelled")
        or (nontender is not None and nontender.procurement.state == "cancelled"),
        nontender=nontender,
    )
