"""Reads of the non-tender app worth naming, and its answer to the tenders app's hook."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.core.audit_since import Touched, ids_along
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.nontender.models import (
    CatalogueOrder,
    Invitation,
    Negotiation,
    Offer,
    Procurement,
    ScheduleChange,
)
from lpse.providers.selectors import verified_companies_in


def committee_handover_blockers(*, package) -> None:
    """Registered on ``hooks.package_assigning``: a package already with a procurement officer
    does not also go to a committee."""
    if Procurement.objects.filter(package=package).exists():
        raise DomainError(
            _(
                "This package was handed to a procurement officer for a non-tender procurement: "
                "it stays with them."
            ),
            code="taken",
        )


def procurements_of_officer(user) -> QuerySet[Procurement]:
    """The procurements handed to ``user``, alone or in a team."""
    return Procurement.objects.filter(officers=user).select_related("package")


def procurements_of_ppk(user) -> QuerySet[Procurement]:
    return (
        Procurement.objects.filter(package__ppk=user)
        .select_related("package")
        .prefetch_related("officers")
    )


def officers_of(procurement: Procurement) -> list:
    """The procurement's officer, or its team, by username."""
    return list(procurement.officers.order_by("username"))


def public_results() -> QuerySet[Procurement]:
    """Awarded procurements: public like a tender's results (R-8.6, R-8.5)."""
    return (
        Procurement.objects.filter(state=Procurement.State.AWARDED)
        .select_related("package", "package__agency", "winner")
        .order_by("-awarded_at")
    )


def handover_officers(package):
    """The active procurement officers of the package's agency, for the PPK's hand-over form."""
    return users_with_role(Role.PROCUREMENT_OFFICER, agency=package.agency)


def invitable_companies(procurement: Procurement):
    """The verified providers of the package's business sub-field, for the invitation form."""
    return verified_companies_in(procurement.package.sub_field)


def invitations_of(company) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(company=company)
        .select_related("procurement__package", "procurement__tender")
        .order_by("-invited_at")
    )


def orders_of_company(company) -> QuerySet[CatalogueOrder]:
    return CatalogueOrder.objects.filter(company=company).prefetch_related("lines__item")


def orders_of_ppk(user) -> QuerySet[CatalogueOrder]:
    return (
        CatalogueOrder.objects.filter(ppk=user)
        .select_related("company")
        .prefetch_related("lines__item")
    )


def invitation_of(company, procurement_pk: int) -> Invitation:
    """The company's invitation to this procurement: Http404 for a provider not invited, so
    the procurement's questions stay with the providers it concerns (R-8.6)."""
    return get_object_or_404(
        Invitation.objects.select_related("procurement__tender"),
        company=company,
        procurement_id=procurement_pk,
    )


def participant_url_of_backing(tender) -> str | None:
    """Registered on ``hooks.tender_participant_url``: a backing tender's providers follow it
    on their invitations page (it has no public page); None for any other tender."""
    if not Procurement.objects.filter(tender=tender).exists():
        return None
    return site_url("nontender:my_invitations")


# --- what the OCDS releases of a non-tender procurement read (R-9.5, R-8.6) ---------------------

# The audited objects that change what is published of a procurement: the procurement itself
# (publication, award), its invitations, schedule changes, offers and their negotiations.
_TOUCHED_PATHS = {
    Procurement: "tender_id",
    Invitation: "procurement__tender_id",
    ScheduleChange: "procurement__tender_id",
    Offer: "invitation__procurement__tender_id",
    Negotiation: "offer__invitation__procurement__tender_id",
}


def tender_ids_touched(touched: Touched) -> set[int]:
    """The backing tenders the audited writes ``touched`` (lpse.core.audit_since) concern."""
    return ids_along(touched, _TOUCHED_PATHS)


def procurement_of_backing(tender) -> Procurement | None:
    """The procurement a backing tender carries, with what its releases read; None for a
    tender that carries none."""
    return (
        Procurement.objects.filter(tender=tender)
        .select_related("package__agency", "winner", "purchase_order")
        .first()
    )


def opened_offers(procurement: Procurement) -> list[Offer]:
    """The opened offers with their negotiations, in the order they were opened."""
    return list(
        Offer.objects.filter(invitation__procurement=procurement)
        .select_related("invitation__company", "bid")
        .prefetch_related("negotiations")
        .order_by("opened_at", "id")
    )
