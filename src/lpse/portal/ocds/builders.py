"""The content of each kind of release of a tender, from its facts (facts.py).

A builder returns ``(content, date)`` or None when that part of the process has not happened.
The content holds no id, date or tag (store.py adds them) and nothing that depends on the clock
or on the reader's language, so an unchanged process builds an identical content and no new
release (R-9.5: a change is a new release, the same facts are not published twice).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import translation

from lpse.portal.ocds import parties as p
from lpse.portal.ocds.facts import TenderFacts, amount, iso

# The package's category → OCDS mainProcurementCategory (+ the extended category).
CATEGORIES = {
    "goods": ("goods", None),
    "works": ("works", None),
    "consulting": ("services", "consultingServices"),
    "other_services": ("services", None),
}
# Stages whose schedule is the tender's periods.
ENQUIRY, SUBMISSION, OPENING = "clarification", "bid_submission", "bid_opening"
EVALUATION_STAGES = {"evaluation", "qualification_proof", "winner_determination"}

Built = tuple[dict[str, Any], datetime] | None


def _english(display) -> str:
    # Data, not interface: always the English label, whatever the request's language.
    with translation.override("en"):
        return str(display())


def _buyer(f: TenderFacts) -> dict[str, Any]:
    return p.agency_party(f.tender.agency)


def release_base(f: TenderFacts, extra_parties: list | None = None) -> dict[str, Any]:
    buyer = _buyer(f)
    return {
        "initiationType": "tender",
        "language": "id",
        "buyer": p.ref(buyer),
        "parties": p.merged([buyer, p.committee_party(f.package), *(extra_parties or [])]),
    }


def planning(f: TenderFacts) -> Built:
    package = f.package
    content = release_base(f)
    content["planning"] = {
        "budget": {
            "description": f"Pagu {package.fiscal_year} ({package.funding_source.upper()})",
            "amount": amount(package.budget_ceiling),
        },
    }
    content["tender"] = {
        "id": f.tender.code,
        "title": package.name,
        "status": "planned",
        "value": amount(package.owner_estimate),  # HPS, the owner's estimate
    }
    return content, f.tender.published_at


def _period(f: TenderFacts, stage: str) -> dict[str, str] | None:
    if stage not in f.schedule:
        return None
    start, end = f.schedule[stage]
    return {"startDate": iso(start), "endDate": iso(end)}


def _document(doc) -> dict[str, Any]:
    blob = doc.blob
    return {
        "id": f"document-{doc.pk}",
        "documentType": "biddingDocuments",
        "title": doc.title,
        # OCDS 1.1 has no hash field: the fingerprints go in the description.
        "description": f"{doc.kind}: {doc.filename}; SHA-256 {blob.sha256}; MD5 {blob.md5}",
        "datePublished": iso(doc.uploaded_at),
        "language": "id",
    }


def _amendments(f: TenderFacts) -> list[dict[str, Any]]:
    amendments = []
    for change in f.changes:
        moved = sorted(
            stage
            for stage in set(change.old_schedule) | set(change.new_schedule)
            if change.old_schedule.get(stage) != change.new_schedule.get(stage)
        )
        amendments.append(
            {
                "id": f"schedule-change-{change.pk}",
                "date": iso(change.decided_at),
                "rationale": change.reason,
                "description": "Schedule changed: "
                + "; ".join(
                    f"{stage} {change.old_schedule.get(stage)} -> {change.new_schedule.get(stage)}"
                    for stage in moved
                ),
            }
        )
    for doc in f.documents:
        if doc.kind == "addendum":
            amendments.append(
                {
                    "id": f"addendum-{doc.pk}",
                    "date": iso(doc.uploaded_at),
                    "rationale": doc.title,
                    "description": f"Addendum published: {doc.filename}",
                }
            )
    return sorted(amendments, key=lambda a: a["date"] or "")


def tender_status(f: TenderFacts) -> tuple[str, str]:
    """(OCDS tenderStatus, statusDetails)."""
    if f.cancelled:
        return "cancelled", "Cancelled"
    outcome = f.outcome
    if outcome is not None and outcome.state == "failed":
        return "unsuccessful", f"Failed: {outcome.failure_kind}"
    if f.results is not None and f.results.contract is not None:
        return "complete", "Contract signed"
    return "active", ""


def tender(f: TenderFacts) -> Built:
    package = f.package
    main, extended = CATEGORIES[package.category]
    status, details = tender_status(f)
    committee = p.committee_party(package)
    section: dict[str, Any] = {
        "id": f.tender.code,
        "title": package.name,
        "status": status,
        "value": amount(package.owner_estimate),
        "procurementMethod": "open",
        "procurementMethodDetails": _english(f.tender.get_method_display),
        # Every method is decided on the evaluated price alone (evaluation's ranking: the lowest
        # price that passes wins); the red flags (portal/red_flags) read this.
        "awardCriteria": "priceOnly",
        "mainProcurementCategory": main,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": "Sealed electronic bids (age encryption, k-of-n opening)",
        "eligibilityCriteria": f.tender.qualification_requirements,
        "items": [
            {
                "id": "1",
                "description": package.name,
                "classification": {
                    "scheme": "KBLI",
                    "id": package.sub_field.code,
                    "description": package.sub_field.name,
                },
                "deliveryLocation": {"description": package.location},
            }
        ],
        "documents": [_document(d) for d in f.documents],
        "milestones": [
            {
                "id": stage,
                "title": stage.replace("_", " "),
                "type": "assessment" if stage in EVALUATION_STAGES else "engagement",
                "dueDate": iso(end),
            }
            for stage, (_start, end) in f.schedule.items()
        ],
    }
    if details:
        section["statusDetails"] = details
    if extended:
        section["additionalProcurementCategories"] = [extended]
    if committee is not None:
        section["procuringEntity"] = p.ref(committee)
    for key, stage in (("tenderPeriod", SUBMISSION), ("enquiryPeriod", ENQUIRY)):
        period = _period(f, stage)
        if period:
            section[key] = period
    amendments = _amendments(f)
    if amendments:
        section["amendments"] = amendments
    dates = [f.tender.published_at, *(a["date"] and _parse(a["date"]) for a in amendments)]
    if f.cancelled and f.outcome is not None:
        dates.append(f.outcome.decided_at)
    if status == "unsuccessful" and f.outcome is not None:
        dates.append(f.outcome.decided_at)
    if status == "complete":
        dates.append(f.results.contract.recorded_at)
    content = release_base(f)
    content["tender"] = section
    return content, max(d for d in dates if d is not None)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)
