"""The work a person still holds in tenders: what stops their account being deactivated, or a
role taken away, until it is handed over (accounts asks through ``hooks.account_open_work``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.tenders.models import Committee, Package, Tender


def open_tenders() -> QuerySet[Tender]:
    """Tenders still at work: a draft, or published with a stage not yet ended (a cancelled
    tender is over)."""
    return Tender.objects.filter(
        Q(state=Tender.State.DRAFT)
        | Q(state=Tender.State.PUBLISHED, schedule__end__gt=timezone.now())
    ).distinct()


def open_packages_of_ppk(user) -> QuerySet[Package]:
    """The PPK's packages not yet done: no tender that is not cancelled, or an open tender."""
    live = Tender.objects.exclude(state=Tender.State.CANCELLED)
    return (
        Package.objects.filter(ppk=user)
        .filter(~Q(tenders__in=live) | Q(tenders__in=open_tenders()))
        .distinct()
        .order_by("name")
    )


def committees_with_open_tenders(user) -> list[tuple[Committee, list[str]]]:
    """The user's committees that have open tenders, each with those tenders' codes."""
    rows = []
    for committee in Committee.objects.filter(members=user).order_by("name"):
        codes = sorted(
            open_tenders().filter(package__committee=committee).values_list("code", flat=True)
        )
        if codes:
            rows.append((committee, codes))
    return rows


def account_open_work(*, user, roles) -> list[str]:
    """Registered on ``hooks.account_open_work``: one sentence per kind of work left open."""
    problems: list[str] = []
    if Role.PPK in roles:
        names = list(open_packages_of_ppk(user).values_list("name", flat=True)[:10])
        if names:
            problems.append(
                _(
                    "%(user)s is the PPK of open packages (%(packages)s): they must be finished, "
                    "or handed to another PPK of the agency, first."
                )
                % {"user": user.username, "packages": "; ".join(names)}
            )
    if Role.COMMITTEE in roles:
        for committee, codes in committees_with_open_tenders(user):
            problems.append(
                _(
                    "%(user)s is a member of the committee %(committee)s, which has open tenders "
                    "(%(tenders)s): the agency admin replaces them in the committee first."
                )
                % {"user": user.username, "committee": committee.name, "tenders": ", ".join(codes)}
            )
    if Role.BUDGET_USER in roles and user.agency_id is not None:
        others = users_with_role(Role.BUDGET_USER, agency=user.agency).exclude(pk=user.pk)
        waiting = Package.objects.filter(
            agency_id=user.agency_id, approval=Package.Approval.AWAITING
        ).count()
        if waiting and not others.exists():
            problems.append(
                _(
                    "%(user)s is the only budget user (PA/KPA) of the agency and %(count)d "
                    "package(s) wait for approval: give another person the role first."
                )
                % {"user": user.username, "count": waiting}
            )
    return problems
