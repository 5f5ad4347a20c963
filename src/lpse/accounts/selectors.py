"""Reads of accounts worth naming, and the rule of what a User ID looks like.

Other apps read accounts only through here (DESIGN "Boundaries"): they may hold a ``User`` in a
relation, but never query ``User`` or ``RoleGrant`` themselves.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.models import Agency, RoleGrant, SecondFactorReset, User, UserSession
from lpse.accounts.roles import ROLE_CAPABILITIES, Role, capabilities_of
from lpse.core.capabilities import Cap
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent

USER_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{3,29}$")


def normalize_user_id(raw: str, *, field: str = "user_id") -> str:
    """What a User ID looks like, for providers (R-1.3) and staff alike: one rule, checked by
    accounts' own services and by provider registration before either touches the database."""
    value = (raw or "").strip().lower()
    if not USER_ID_RE.match(value):
        raise DomainError(
            _(
                "A User ID has 4–30 characters: lower-case letters, digits, dot, dash or underscore, "
                "starting with a letter or digit."
            ),
            field=field,
        )
    return value


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


def accounts_visible_to(
    actor: User,
    *,
    role: str = "",
    agency_id: int | None = None,
    active: bool | None = None,
    query: str = "",
) -> QuerySet[User]:
    """The account list (R-5.6): the application admin sees every account, providers included;
    an agency admin only their own agency's. Filtered by role, agency, active and a search of
    User ID, name and e-mail; each with its agency, roles and last sign-in."""
    users = User.objects.all()
    if Cap.MANAGE_LPSE_STAFF not in actor.capabilities():
        users = users.filter(agency=actor.agency) if actor.agency_id else users.none()
    if role:
        users = users.filter(pk__in=RoleGrant.objects.filter(role=role).values("user_id"))
    if agency_id:
        users = users.filter(agency_id=agency_id)
    if active is not None:
        users = users.filter(is_active=active)
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    return users.select_related("agency").prefetch_related("role_grants").order_by("username")


def account_history(user: User) -> QuerySet[AuditEvent]:
    """The audit events about this account, newest first: creation, roles, (de)activation."""
    return AuditEvent.objects.filter(
        object_type=User._meta.label_lower, object_id=str(user.pk)
    ).order_by("-seq")


def agencies_for_staff_form(actor: User) -> QuerySet[Agency]:
    if Cap.MANAGE_LPSE_STAFF in actor.capabilities():
        return Agency.objects.all()
    return Agency.objects.filter(pk=actor.agency_id) if actor.agency_id else Agency.objects.none()


def agency_choices() -> list[tuple[int, str]]:
    """Every agency as a choice (id, name), by name (a form's list of agencies)."""
    return [(agency.pk, str(agency)) for agency in Agency.objects.all()]


def agency_names() -> list[str]:
    """Every agency's name and code (the password rule's context words, ASVS V6.2.11)."""
    return [w for pair in Agency.objects.values_list("name", "code") for w in pair]


def agencies_with_counts() -> QuerySet[Agency]:
    return Agency.objects.annotate(staff_count=Count("staff")).order_by("name")


def users_with_capability(capability: str) -> QuerySet[User]:
    """The active accounts whose roles give ``capability``: who is told of what it covers
    (backup alarms, facility alarms, the security summary, …)."""
    return users_with_role(
        *(role for role, caps in ROLE_CAPABILITIES.items() if capability in caps)
    )


def users_with_role(*roles: str, agency: Agency | None = None) -> QuerySet[User]:
    """The active accounts holding any of ``roles`` (within ``agency`` when given), by User ID:
    the people a task may be given to (a trainer, a helpdesk handler). A subquery rather than a
    join, so someone with two of the roles appears once."""
    users = User.objects.filter(
        pk__in=RoleGrant.objects.filter(role__in=roles).values("user_id"), is_active=True
    )
    if agency is not None:
        users = users.filter(agency=agency)
    return users.order_by("username")


def active_user_by_username(username: str) -> User | None:
    """The active account with this User ID, whatever its case (a helpdesk clerk types what the
    caller spells out); None when there is none."""
    return User.objects.filter(username__iexact=username.strip(), is_active=True).first()


def user_by_username(username: str) -> User | None:
    """The account with exactly this User ID (stored lower-case), active or not."""
    return User.objects.filter(username=username).first()


def user_locked(pk: int) -> User:
    """The account, its row locked until the caller's transaction ends: a service that checks a
    person's roles and then books them (a trainer) must not race a change of those roles."""
    return User.objects.select_for_update().get(pk=pk)


def email_in_use(email: str, *, except_user_id: int | None = None) -> bool:
    """Another account already has this address (compared without case)."""
    users = User.objects.filter(email__iexact=email)
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return users.exists()


DEMO_PASSWORD_SUFFIX = "-Demo2026!"


def demo_password(role: str) -> str:
    """The demo account's password for a role, published on the demo's home page."""
    return f"{role.replace('_', '-')}{DEMO_PASSWORD_SUFFIX}"


def published_demo_passwords(*, capability: str = "") -> list[str]:
    """The passwords the demo publishes (of the roles holding ``capability``, if given):
    outside demo mode no secret may be one of them."""
    return [
        demo_password(role)
        for role in Role
        if not capability or capability in capabilities_of([role])
    ]


def signed_in_by_role(now: datetime | None = None) -> list[tuple[str, str, int]]:
    """Who is accessing the system now (annex V, R-5.6): the accounts with a live session, by
    role, as (role, its label, how many accounts). Read from the sessions themselves — a
    session lives ``LPSE_SESSION_IDLE_MINUTES`` after its last request — so a person with two
    browsers counts once, and someone with two roles under each."""
    now = now or timezone.now()
    user_ids: set[int] = set()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        user_id = session.get_decoded().get(SESSION_KEY)
        if user_id is not None:
            user_ids.add(int(user_id))
    counts = dict(
        RoleGrant.objects.filter(user_id__in=user_ids, user__is_active=True)
        .values_list("role")
        .annotate(n=Count("user_id", distinct=True))
    )
    return [
        (role.value, str(role.label), counts[role.value]) for role in Role if counts.get(role.value)
    ]


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The person's sessions that can still be used: seen within the idle timeout and started
    within the maximum session length (older records are of sessions that timed out)."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        last_seen_at__gt=now - timedelta(seconds=settings.SESSION_IDLE_SECONDS),
        started_at__gt=now - timedelta(seconds=settings.SESSION_MAX_SECONDS),
    )


def open_second_factor_reset(user: User) -> SecondFactorReset | None:
    """The reset of ``user``'s second factor that waits for a second administrator, if any."""
    return (
        SecondFactorReset.objects.select_related("checked_by")
        .filter(user=user, state=SecondFactorReset.State.CHECKED)
        .first()
    )
