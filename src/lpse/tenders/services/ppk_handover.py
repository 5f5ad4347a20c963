"""A PPK's open packages handed to another PPK of the same agency (R-8.1; issue 13: the open
work of a person who leaves is handed over, then their account can be deactivated).

The agency admin moves one, some or all of the open packages at once, with a reason. Only the
owner changes: the budget user's (PA/KPA) approval stays, because it is a decision about the
package, not about who carries it. A draft tender's integrity pact is asked of whoever is the PPK
when it is published (``missing_pacts``), so the new PPK signs it then.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import send_mail_on_commit
from lpse.tenders.models import Package
from lpse.tenders.selectors.open_work import open_packages_of_ppk

if TYPE_CHECKING:
    from lpse.accounts.models import User


def _require_people(*, actor, leaving: User, joining: User | None) -> User:
    if actor.agency_id is None or leaving.agency_id != actor.agency_id:
        raise DomainError(
            _("You hand over only the packages of PPKs of your own agency."), code="forbidden"
        )
    if joining is None:
        raise DomainError(_("Choose the PPK who takes the packages over."), field="joining")
    if joining.pk == leaving.pk:
        raise DomainError(
            _("%(user)s already holds these packages: choose another PPK of the agency.")
            % {"user": leaving.username},
            field="joining",
        )
    if joining.agency_id != leaving.agency_id:
        raise DomainError(
            _(
                "%(user)s works for another agency: a package stays with its agency, so choose a "
                "PPK of %(agency)s."
            )
            % {"user": joining.username, "agency": leaving.agency},
            field="joining",
        )
    if not joining.is_active or not joining.has_role(Role.PPK):
        raise DomainError(
            _(
                "%(user)s is not an active PPK: give them the PPK role (or reactivate the "
                "account) first, or choose another PPK."
            )
            % {"user": joining.username},
            field="joining",
        )
    return joining


def _packages_to_move(leaving: User, package_ids: Iterable[int] | None) -> list[Package]:
    """The open packages named (all of them when ``package_ids`` is None), locked; a DomainError
    naming every one that is not an open package of ``leaving``, so nothing moves half-way."""
    open_ids = set(open_packages_of_ppk(leaving).values_list("pk", flat=True))
    wanted = open_ids if package_ids is None else {int(pk) for pk in package_ids}
    if not wanted:
        raise DomainError(
            _("%(user)s has no open packages to hand over.") % {"user": leaving.username}
            if package_ids is None
            else _("Choose at least one package to hand over."),
            field="packages",
        )
    # Lock in a fixed order, so two hand-overs touching the same packages cannot deadlock.
    packages = list(Package.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    closed = [p.name for p in packages if p.pk not in open_ids and p.ppk_id == leaving.pk]
    foreign = [p.name for p in packages if p.ppk_id != leaving.pk]
    unknown = wanted - {p.pk for p in packages}
    if foreign or unknown:
        raise DomainError(
            _(
                "Only the packages %(user)s holds as PPK can be handed over; not: %(names)s. "
                "Reload the page and choose again."
            )
            % {
                "user": leaving.username,
                "names": "; ".join(foreign + [f"#{pk}" for pk in sorted(unknown)]),
            },
            field="packages",
        )
    if closed:
        raise DomainError(
            _(
                "These packages are closed (their tender is over), so they stay with the PPK "
                "who ran them: %(names)s. Choose only open packages."
            )
            % {"names": "; ".join(closed)},
            field="packages",
        )
    return packages


def _require_separation(packages: list[Package], joining: User) -> None:
    """Who approved a package as budget user (PA/KPA) does not become its PPK: the approval
    stays with the package, so its owner and its approver must still be two people."""
    approved_by_joining = [p.name for p in packages if p.approval_decided_by_id == joining.pk]
    if approved_by_joining:
        raise DomainError(
            _(
                "%(user)s decided on these packages as budget user (PA/KPA), so they cannot also "
                "be their PPK: %(names)s. Choose another PPK."
            )
            % {"user": joining.username, "names": "; ".join(approved_by_joining)},
            field="joining",
        )


def _mail(*, actor, leaving: User, joining: User, packages: list[Package], reason: str) -> None:
    names = "\n".join(f"- {p.name} ({p.fiscal_year})" for p in packages)
    by = actor.get_full_name() or actor.username
    subject = f"{settings.LPSE_SITE_NAME}: " + _("packages handed over")
    if leaving.email:
        send_mail_on_commit(
            to=[leaving.email],
            subject=subject,
            body=_(
                "%(by)s handed these packages of yours to the PPK %(joining)s (reason: "
                "%(reason)s):\n%(names)s\n\nYou no longer act on them."
            )
            % {"by": by, "joining": joining.username, "reason": reason, "names": names},
        )
    if joining.email:
        links = "\n".join(site_url("tenders:package_detail", p.pk) for p in packages)
        send_mail_on_commit(
            to=[joining.email],
            subject=subject,
            body=_(
                "%(by)s handed you these packages of the PPK %(leaving)s (reason: %(reason)s):"
                "\n%(names)s\n\nYou are now their PPK. The budget user's approval stays with each "
                "package; a draft tender needs your integrity pact before it is published."
            )
            % {"by": by, "leaving": leaving.username, "reason": reason, "names": names}
            + f"\n\n{links}\n",
        )


def ppk_packages_handover(
    *,
    actor,
    leaving: User,
    joining: User | None,
    reason: str,
    package_ids: Iterable[int] | None = None,
) -> list[Package]:
    """The agency admin hands the open packages ``package_ids`` of ``leaving`` (all of them when
    None) to ``joining``, a PPK of the same agency. One audit event per package; both PPKs are
    e-mailed once it is saved. Returns the packages moved."""
    require_capability(actor, Cap.MANAGE_AGENCY_STAFF)
    joining = _require_people(actor=actor, leaving=leaving, joining=joining)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the packages are handed over: the reason is kept with each package."),
            field="reason",
        )
    with transaction.atomic():
        packages = _packages_to_move(leaving, package_ids)
        _require_separation(packages, joining)
        for package in packages:
            # Compare-and-set on the owner: a hand-over that raced this one moves nothing twice.
            if not Package.objects.filter(pk=package.pk, ppk=leaving).update(ppk=joining):
                raise DomainError(
                    _("Someone else handed over “%(name)s” just now. Reload the page.")
                    % {"name": package.name}
                )
            package.ppk = joining
            audit.record(
                actor=actor,
                action="package.ppk_handover",
                obj=package,
                data={
                    "from": leaving.username,
                    "to": joining.username,
                    "reason": reason,
                    "approval": package.approval,
                },
            )
        _mail(actor=actor, leaving=leaving, joining=joining, packages=packages, reason=reason)
    return packages
