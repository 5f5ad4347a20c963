from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from lpse.accounts.models import Agency, User
from lpse.accounts.roles import Role
from lpse.core.capabilities import Cap


def staff_visible_to(actor: User, *, query: str = "") -> QuerySet[User]:
    """LPSE's application admin sees all staff; an agency admin only their own agency's."""
    users = User.objects.exclude(role_grants__role=Role.PROVIDER).prefetch_related("role_grants")
    if Cap.MANAGE_LPSE_STAFF not in actor.capabilities():
        users = users.filter(agency=actor.agency) if actor.agency_id else users.none()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return users.select_related("agency").order_by("username").distinct()


def agencies_for_staff_form(actor: User) -> QuerySet[Agency]:
    if Cap.MANAGE_LPSE_STAFF in actor.capabilities():
        return Agency.objects.all()
    return Agency.objects.filter(pk=actor.agency_id)


def agencies_with_counts() -> QuerySet[Agency]:
    return Agency.objects.annotate(staff_count=Count("staff")).order_by("name")
