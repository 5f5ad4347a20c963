from __future__ import annotations

from django.db.models import Q, QuerySet

from lpse.providers.models import Company, VerificationItem


def registration_queue(*, query: str = "", state: str = "") -> QuerySet[Company]:
    """The verifier's queue: waiting registrations first, nearest deadline first; searchable by
    company name, NPWP, User ID or e-mail."""
    companies = Company.objects.select_related("user")
    if state:
        companies = companies.filter(state=state)
    query = query.strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = (
            Q(name__icontains=query)
            | Q(user__username__icontains=query.lower())
            | Q(email__icontains=query.lower())
        )
        if len(digits) >= 4:
            match |= Q(npwp__contains=digits)
        companies = companies.filter(match)
    return companies.order_by("verify_by")


def published_checklist() -> QuerySet[VerificationItem]:
    return VerificationItem.objects.filter(active=True)
