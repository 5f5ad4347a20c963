"""Who a post is for: the audiences a visitor may read, and the addresses an announcement goes to."""

from __future__ import annotations

from lpse.accounts.roles import AGENCY_ROLES, LPSE_STAFF_ROLES, Role
from lpse.news.models import Post

Audience = Post.Audience


def audiences_of(user) -> frozenset[str]:
    """The public reads public posts; a provider also those for providers; agency staff also
    those for agencies. LPSE's own staff read all of them: they answer questions about each."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset({Audience.PUBLIC})
    roles = user.role_codes()
    seen = {Audience.PUBLIC}
    if Role.PROVIDER in roles:
        seen.add(Audience.PROVIDERS)
    if roles & AGENCY_ROLES:
        seen.add(Audience.AGENCIES)
    if roles & LPSE_STAFF_ROLES:
        seen |= {Audience.PROVIDERS, Audience.AGENCIES}
    return frozenset(seen)


def recipient_emails(audience: str) -> list[str]:
    """The addresses an announcement for ``audience`` is e-mailed to: the active accounts of the
    providers, of agency staff, or of both for a public one. Sorted, each address once."""
    from lpse.accounts.selectors import users_with_role

    roles: set[str] = set()
    if audience in (Audience.PUBLIC, Audience.PROVIDERS):
        roles.add(Role.PROVIDER)
    if audience in (Audience.PUBLIC, Audience.AGENCIES):
        roles |= set(AGENCY_ROLES)
    emails = users_with_role(*roles).exclude(email="").values_list("email", flat=True)
    return sorted({e.lower() for e in emails})
