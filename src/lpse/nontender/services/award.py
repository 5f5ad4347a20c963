"""Clarification and price negotiation, then the result and the purchase order (R-8.6).

A negotiation only lowers a price: never above the provider's own offer (or the last price
agreed), never above the owner estimate (HPS). The award takes the last agreed price, checks it
against the HPS and, for a direct procurement, against the ceiling in force at the award, and
issues the purchase order (SPK) as a signed PDF with the log proof of the award (R-7.4, R-9.8).
There is no objection (sanggah) step: Perpres 16/2018 Pasal 50 gives it to participants of a
tender or selection only, not of a direct procurement or appointment.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.documents import issued_with_proof
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.money import parse_rupiah
from lpse.core.storage import store_bytes
from lpse.core.tasks import send_mail_on_commit
from lpse.nontender.access import require_officer, require_state
from lpse.nontender.models import Method, Negotiation, Offer, Procurement
from lpse.nontender.pdf import purchase_order_pdf
from lpse.nontender.services.handover import require_within_ceiling, rupiah


def current_price(offer: Offer) -> Decimal:
    """The price as it stands: the last negotiated one, else the offer's."""
    last = offer.negotiations.order_by("-recorded_at", "-id").first()
    return last.price if last is not None else offer.price


def negotiation_record(*, actor, offer: Offer, price, reason: str) -> Negotiation:
    procurement = offer.invitation.procurement
    require_officer(actor, procurement)
    value = parse_rupiah(price, field="price")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Write what was clarified and why the price is agreed: the reason is kept."),
            field="reason",
        )
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
        require_state(procurement, Procurement.State.OPENED)
        offer = Offer.objects.get(pk=offer.pk)  # as stored, under the procurement's lock
        standing = current_price(offer)
        if value > standing:
            raise DomainError(
                _(
                    "A negotiation only lowers the price: %(price)s is above the price that "
                    "stands (%(standing)s)."
                )
                % {"price": rupiah(value), "standing": rupiah(standing)},
                field="price",
                code="above_offer",
            )
        hps = procurement.package.owner_estimate
        if value > hps:
            raise DomainError(
                _("%(price)s is above the owner estimate (HPS) of %(hps)s.")
                % {"price": rupiah(value), "hps": rupiah(hps)},
                field="price",
                code="above_hps",
            )
        if value <= 0:
            raise DomainError(_("The price must be more than Rp 0."), field="price")
        negotiation = Negotiation.objects.create(
            offer=offer,
            price=value,
            reason=reason,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="nontender.negotiate",
            obj=negotiation,
            data={
                "procurement": procurement.code,
                "company": offer.invitation.company_id,
                "from": str(standing),
                "to": str(value),
                "reason": reason,
            },
        )
    return negotiation


def procurement_award(*, actor, procurement: Procurement, offer: Offer) -> Procurement:
    """The officer's result: ``offer``'s provider at the agreed price, with the purchase order
    (SPK) to the PPK and the provider."""
    require_officer(actor, procurement)
    if offer.invitation.procurement_id != procurement.pk:
        raise DomainError(_("That offer belongs to another procurement."), code="forbidden")
    with transaction.atomic():
        procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
        require_state(procurement, Procurement.State.OPENED)
        offer = Offer.objects.select_related("invitation__company").get(pk=offer.pk)
        price = current_price(offer)
        package = procurement.package
        if price > package.owner_estimate:
            raise DomainError(
                _(
                    "The agreed price %(price)s is above the owner estimate (HPS) of %(hps)s: "
                    "negotiate it down first."
                )
                % {"price": rupiah(price), "hps": rupiah(package.owner_estimate)},
                code="above_hps",
            )
        if procurement.method == Method.DIRECT_PROCUREMENT:
            require_within_ceiling(package, price, what=_("agreed price"))
        now = timezone.now()
        company = offer.invitation.company
        order = purchase_order_pdf(
            procurement=procurement, company=company, price=price, officer=actor, at=now
        )
        document = store_bytes(order)
        procurement.state = Procurement.State.AWARDED
        procurement.winner = company
        procurement.award_price = price
        procurement.awarded_at = now
        event = audit.record(
            actor=actor,
            action="nontender.award",
            obj=procurement,
            data={
                "procurement": procurement.code,
                "winner": company.pk,
                "price": str(price),
                "sha256": document.sha256,
            },
        )
        procurement.purchase_order = store_bytes(
            issued_with_proof(order, event, recorded_as="sha256")
        )
        procurement.save(
            update_fields=["state", "winner", "award_price", "awarded_at", "purchase_order"]
        )
        recipients = [a for a in (package.ppk.email, company.email) if a]
        if recipients:
            send_mail_on_commit(
                to=recipients,
                subject=_("%(code)s: result and purchase order") % {"code": procurement.code},
                body=_("%(company)s is chosen for “%(name)s” at %(price)s.")
                % {"company": company.name, "name": package.name, "price": rupiah(price)}
                + "\n\n"
                + site_url("nontender:detail", procurement.pk)
                + "\n",
            )
    return procurement
