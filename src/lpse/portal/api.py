"""The JSON API under /api/v1/ (django-ninja, OpenAPI at /api/v1/docs).

Each operation declares its capability with ``capability=`` in ``api_operation``; the
authorization matrix test reads it from there, like the ``capability`` of a page view.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from lpse.accounts.roles import Cap
from lpse.core.audit import current_head
from lpse.core.capabilities import AUTHENTICATED, PUBLIC, has_capability, public
from lpse.providers.selectors import published_checklist, registration_queue

# The OpenAPI schema and its docs page are public like the public operations; declaring it here
# keeps "every URL declares a capability" true for ninja's own views too.
api = NinjaAPI(title="LPSE API", version="1", urls_namespace="api", docs_decorator=public)

# path → capability, filled by ``api_operation``; read by the authorization matrix test.
API_CAPABILITIES: dict[tuple[str, str], str] = {}


def api_operation(method: str, path: str, *, capability: str, **kwargs):
    API_CAPABILITIES[(method.upper(), path)] = capability
    auth = None if capability == PUBLIC else django_auth
    register = getattr(api, method.lower())

    def decorate(func):
        def guarded(request: HttpRequest, *args, **kw):
            if not has_capability(request.user, capability):
                raise HttpError(
                    403,
                    _("This needs the “%(capability)s” permission.") % {"capability": capability},
                )
            return func(request, *args, **kw)

        guarded.__name__ = func.__name__
        guarded.__doc__ = func.__doc__
        guarded.__annotations__ = func.__annotations__
        guarded.__signature__ = __import__("inspect").signature(func)
        return register(path, auth=auth, **kwargs)(guarded)

    return decorate


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


# Each app's operations register themselves on import.
from lpse.tenders import api as _tenders_api  # noqa: E402, F401
