"""Object scoping for tenders (DESIGN rule 4): who may act on which package or tender."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.core import hooks
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.tenders.models import Method, Package, Tender


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


def openers_of(tender: Tender) -> list:
    """Who makes the tender's bid key and opens its bids (R-9.2), by username: its committee's
    members, or for the backing tender of a non-tender procurement (R-8.6) its procurement
    officer(s), whom the nontender app names through ``hooks.tender_openers``."""
    if tender.method == Method.NON_TENDER:
        for found in hooks.tender_openers.call(tender):
            if found is not None:
                return sorted(found, key=lambda user: user.username)
        return []
    committee = tender.package.committee
    if committee is None:
        return []
    return list(
        committee.members.filter(role_grants__role=Role.COMMITTEE).distinct().order_by("username")
    )


def opened_by_officers(tender: Tender) -> bool:
    """Whether procurement officers, not a committee, make the tender's key and open its bids:
    the backing tender of a non-tender procurement (R-8.6). The key and opening pages name the
    openers by it ("procurement officer(s)", "offers") instead of "committee members"."""
    return tender.method == Method.NON_TENDER


def require_opener(actor, tender: Tender) -> None:
    """Only an opener of this tender (``openers_of``) makes its key or unlocks a share."""
    require_capability(actor, Cap.OPEN_BIDS)
    if tender.method != Method.NON_TENDER:
        require_committee_member(actor, tender)
        return
    if actor.pk not in {user.pk for user in openers_of(tender)}:
        raise DomainError(
            _("Only the procurement officer of this procurement may do this."), code="forbidden"
        )


def require_answerer(actor, tender: Tender) -> None:
    """Who answers the providers' questions (R-8.3): a tender's committee; the backing tender of
    a non-tender procurement's officer(s), the same people who open it (``openers_of``)."""
    if tender.method != Method.NON_TENDER:
        require_committee_member(actor, tender)
        return
    require_capability(actor, Cap.RUN_NONTENDER)
    if actor.pk not in {user.pk for user in openers_of(tender)}:
        raise DomainError(
            _("Only the procurement officer of this procurement may do this."), code="forbidden"
        )


def opener_tender(user, code: str) -> Tender:
    """``committee_tender`` for the key and opening pages: the tender for one of its openers."""
    tender = get_object_or_404(Tender.objects.select_related("package__committee"), code=code)
    try:
        require_opener(user, tender)
    except DomainError:
        raise PermissionDenied from None
    return tender
