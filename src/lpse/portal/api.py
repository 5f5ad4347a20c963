"""The portal's operations of the JSON API (``lpse.core.api``): health, the verification
requirements, the signed-in user, the registration queue, the audit head."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from lpse.core.api import api_operation
from lpse.core.audit import current_head
from lpse.core.capabilities import AUTHENTICATED, PUBLIC, Cap
from lpse.providers.selectors import published_checklist, registration_queue


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
