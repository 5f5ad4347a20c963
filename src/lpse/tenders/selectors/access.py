"""Object scoping for tenders (DESIGN rule 4): who may act on which package or tender."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.tenders.models import Package, Tender


def require_package_owner(actor, package: Package) -> None:
    require_capability(actor, Cap.MANAGE_PACKAGES)
    if package.ppk_id != actor.pk:
        raise DomainError(_("Only the PPK who owns this package may change it."), code="forbidden")


def is_committee_member(actor, tender: Tender) -> bool:
    committee_id = tender.package.committee_id
    return committee_id is not None and actor.committees.filter(pk=committee_id).exists()


def require_committee_member(actor, tender: Tender) -> None:
    """The committee of agency A never touches agency B's tenders: only members of the
    committee the package was handed to may act on its tender."""
    require_capability(actor, Cap.MANAGE_TENDERS)
    if not is_committee_member(actor, tender):
        raise DomainError(
            _("Only members of this tender's committee may do this."), code="forbidden"
        )


def committee_tender(user, code: str) -> Tender:
    """The tender with this code for a member of its committee, for the committee's pages
    (tender management, opening, evaluation): Http404 when there is no such tender,
    PermissionDenied when the user is not on its committee (DESIGN rule 4)."""
    tender = get_object_or_404(Tender.objects.select_related("package__committee"), code=code)
    try:
        require_committee_member(user, tender)
    except DomainError:
        raise PermissionDenied from None
    return tender
