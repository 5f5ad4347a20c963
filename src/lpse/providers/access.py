"""Object scope for provider pages and services: a provider acts only for its own company."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.providers.models import Company


def company_of(actor) -> Company:
    """The company the signed-in provider acts for."""
    require_capability(actor, Cap.OWN_COMPANY)
    company = Company.objects.filter(user=actor).first()
    if company is None:
        raise DomainError(_("Your account has no company."), code="forbidden")
    return company


def require_own(actor, company_id: int) -> Company:
    company = company_of(actor)
    if company.pk != company_id:
        raise DomainError(_("This belongs to another company."), code="forbidden")
    return company
