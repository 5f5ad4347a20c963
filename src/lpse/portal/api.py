"""The portal's operations of the JSON API (``lpse.core.api``): health, the verification
requirements, the signed-in user, the registration queue, the audit head — the chain's own for
auditors, the signed transparency head for everyone (R-9.8) — and a tender's public results,
award and contract (R-8.5), which the tenders app cannot answer alone."""

# No "from __future__ import annotations": django-ninja reads these annotations at runtime.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from lpse.core.api import api_operation, conditional_json
from lpse.core.audit import current_head
from lpse.core.capabilities import AUTHENTICATED, PUBLIC, Cap
from lpse.core.transparency import latest_head
from lpse.evaluation.selectors import public_results
from lpse.providers.selectors import published_checklist, registration_queue
from lpse.tenders.selectors.lookup import announced_tender_or_404


class HealthOut(Schema):
    status: str


class MeOut(Schema):
    username: str
    email: str
    roles: list[str]
    capabilities: list[str]
    agency: str | None


class ChecklistItemOut(Schema):
    label: str
    description: str


class RegistrationOut(Schema):
    id: int
    company: str
    npwp: str
    user_id: str
    state: str
    registered_at: datetime
    verify_by: datetime


class AuditHeadOut(Schema):
    seq: int
    hash: str


class SignedHeadOut(Schema):
    tree_size: int
    root_hash: str
    signed_at: datetime | None
    signed: dict[str, Any] | None = Field(
        description="The head exactly as signed and published, signature included (R-9.8); "
        "null before the first head is signed."
    )


class BidResultOut(Schema):
    company: str
    offer_price: Decimal | None = Field(description="Null when the bid could not be opened.")
    receipt_sha256: str
    evaluated_price: Decimal | None
    result: str = Field(description="winner, passes, fails, not_evaluated; '' before the result.")
    failed_at: str


class OutcomeOut(Schema):
    state: str
    winner: str | None
    failure_kind: str
    reason: str
    decided_at: datetime
    announced_at: datetime | None
    objections_close_at: datetime | None
    report_sha256: str


class ObjectionOut(Schema):
    company: str
    filed_at: datetime
    grounds: str
    state: str
    answer: str
    consequence: str
    answered_at: datetime | None


class AnnulledOut(Schema):
    state: str
    decided_at: datetime
    annulled_reason: str


class AwardOut(Schema):
    number: str
    value: Decimal
    issued_at: datetime
    document_sha256: str


class ContractOut(Schema):
    number: str
    value: Decimal
    signed_on: date
    starts_on: date
    ends_on: date


class ResultsOut(Schema):
    code: str
    opened: bool = Field(description="False until the opening: no bid is shown before it.")
    bids: list[BidResultOut]
    outcome: OutcomeOut | None
    objections: list[ObjectionOut]
    annulled: list[AnnulledOut]
    award: AwardOut | None
    contract: ContractOut | None


@api_operation("GET", "/health", capability=PUBLIC, response=HealthOut)
def health(request):
    return {"status": "ok"}


@api_operation(
    "GET", "/verification-requirements", capability=PUBLIC, response=list[ChecklistItemOut]
)
def verification_requirements(request):
    """The published list of documents a provider brings to verification (R-1.4)."""
    return list(published_checklist())


@api_operation("GET", "/me", capability=AUTHENTICATED, response=MeOut)
def me(request):
    user = request.user
    return {
        "username": user.username,
        "email": user.email,
        "roles": sorted(user.role_codes()),
        "capabilities": sorted(user.capabilities()),
        "agency": user.agency.code if user.agency_id else None,
    }


@api_operation(
    "GET", "/registrations", capability=Cap.VIEW_REGISTRATIONS, response=list[RegistrationOut]
)
def registrations(request, q: str = "", state: str = "awaiting_verification", limit: int = 50):
    limit = max(1, min(limit, 200))
    return [
        {
            "id": c.pk,
            "company": c.name,
            "npwp": c.npwp,
            "user_id": c.user.username,
            "state": c.state,
            "registered_at": c.registered_at,
            "verify_by": c.verify_by,
        }
        for c in registration_queue(query=q, state=state)[:limit]
    ]


@api_operation("GET", "/audit/head", capability=Cap.VIEW_AUDIT, response=AuditHeadOut)
def audit_head(request):
    head = current_head()
    return {"seq": head.seq if head else 0, "hash": head.hash if head else ""}


@api_operation("GET", "/transparency/head", capability=PUBLIC, response=SignedHeadOut)
def signed_head(request):
    """The latest signed head of the audit log's transparency tree (R-9.8): check it with
    `lpse audit verify --against` or `tools/verify_log.py`."""
    head = latest_head()
    if head is None:  # a new installation: the daily job has not signed one yet
        return {"tree_size": 0, "root_hash": "", "signed_at": None, "signed": None}
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "signed_at": head.signed_at,
        "signed": head.signed,
    }


def _bid_result(opened, standing, outcome) -> dict:
    receipt = getattr(opened.bid, "receipt", None)
    result = ""
    if outcome is not None and standing is not None:
        if opened.bid_id == outcome.winner_id:
            result = "winner"
        elif standing.failed_at:
            result = "fails"
        else:
            result = "passes" if standing.passed_all else "not_evaluated"
    return {
        "company": opened.bid.company.name,
        "offer_price": None if opened.problem else opened.total_price,
        "receipt_sha256": getattr(receipt, "sha256", ""),
        "evaluated_price": standing.evaluated_price if standing else None,
        "result": result,
        "failed_at": standing.failed_at if standing else "",
    }


def _results(tender) -> dict:
    results = public_results(tender)
    if results is None:  # before the opening nothing of the bids is public
        empty: dict = {"bids": [], "outcome": None, "objections": [], "annulled": []}
        return {"code": tender.code, "opened": False, **empty, "award": None, "contract": None}
    outcome, award, contract = results.outcome, results.award, results.contract
    standings = {s.opened.pk: s for s in results.standings}
    return {
        "code": tender.code,
        "opened": True,
        "bids": [_bid_result(o, standings.get(o.pk), outcome) for o in results.opened],
        "outcome": outcome
        and {
            "state": outcome.state,
            "winner": outcome.winner.company.name if outcome.winner else None,
            "failure_kind": outcome.failure_kind,
            "reason": outcome.reason,
            "decided_at": outcome.decided_at,
            "announced_at": outcome.announced_at,
            "objections_close_at": outcome.objections_close_at,
            "report_sha256": outcome.report.sha256,
        },
        "objections": [
            {
                "company": ob.bid.company.name,
                "filed_at": ob.filed_at,
                "grounds": ob.grounds,
                "state": ob.state,
                "answer": ob.answer,
                "consequence": ob.consequence,
                "answered_at": ob.answered_at,
            }
            for ob in results.objections
        ],
        "annulled": [
            {"state": a.state, "decided_at": a.decided_at, "annulled_reason": a.annulled_reason}
            for a in results.annulled
        ],
        "award": award
        and {
            "number": award.number,
            "value": award.value,
            "issued_at": award.issued_at,
            "document_sha256": award.document.sha256,
        },
        "contract": contract
        and {
            "number": contract.number,
            "value": contract.value,
            "signed_on": contract.signed_on,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
        },
    }


def _results_modified(data: dict) -> datetime | None:
    moments = [
        data["outcome"] and data["outcome"]["announced_at"],
        data["award"] and data["award"]["issued_at"],
        *(ob["filed_at"] for ob in data["objections"]),
        *(ob["answered_at"] for ob in data["objections"]),
    ]
    present = [m for m in moments if m]
    return max(present) if present else None


@api_operation(
    "GET", "/tenders/{code}/results", capability=PUBLIC, response={200: ResultsOut, 304: None}
)
def tender_results(request, code: str):
    """After the opening: every offer; after the announcement: how far each bid got, the winner
    or the failure, objections with answers, the award (SPPBJ) and the contract (R-8.5)."""
    data = _results(announced_tender_or_404(code))
    return conditional_json(request, ResultsOut, data, last_modified=_results_modified(data))
