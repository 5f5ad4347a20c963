"""E-purchasing from the local catalogue (R-8.6): the PPK orders catalogue items from a verified
provider at no more than the catalogue's prices; the provider confirms (or declines with a
reason) and records the delivery; the PPK records the receipt. Each step checks the state it
comes from under a lock, is audited and tells the other side by e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog.selectors import live_catalogue_item
from lpse.core import audit
from lpse.core.calendar import to_wita
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.money import parse_rupiah
from lpse.core.tasks import send_mail_on_commit
from lpse.nontender.models import CatalogueOrder, OrderLine
from lpse.nontender.services.handover import rupiah
from lpse.nontender.services.invitations import VERIFIED


@dataclass(frozen=True)
class LineData:
    item_id: int
    quantity: int
    unit_price: str | Decimal


def _lines(lines: list[LineData]) -> list[OrderLine]:
    if not lines:
        raise DomainError(_("Order at least one catalogue item."), field="lines")
    today = to_wita(timezone.now()).date()
    rows = []
    for line in lines:
        item = live_catalogue_item(line.item_id, today)
        if item is None:
            raise DomainError(
                _(
                    "Catalogue item #%(id)s cannot be ordered: it is retired or not valid "
                    "today. Choose a current item."
                )
                % {"id": line.item_id},
                field="lines",
            )
        if int(line.quantity) <= 0:
            raise DomainError(
                _("Order at least one %(unit)s of “%(item)s”.")
                % {"unit": item.unit, "item": item.name},
                field="lines",
            )
        price = parse_rupiah(line.unit_price, field="lines")
        if price > item.reference_price:
            raise DomainError(
                _(
                    "The price of “%(item)s” (%(price)s) is above the catalogue's "
                    "(%(catalogue)s): an e-purchase never pays more than the catalogue."
                )
                % {
                    "item": item.name,
                    "price": rupiah(price),
                    "catalogue": rupiah(item.reference_price),
                },
                field="lines",
                code="above_catalogue",
            )
        if price <= 0:
            raise DomainError(_("The price must be more than Rp 0."), field="lines")
        rows.append(
            OrderLine(
                item=item,
                quantity=int(line.quantity),
                unit_price=price,
                catalogue_price=item.reference_price,
            )
        )
    return rows


def order_create(*, actor, company, lines: list[LineData], delivery_address: str) -> CatalogueOrder:
    """The PPK orders catalogue items from ``company``."""
    require_capability(actor, Cap.MANAGE_PACKAGES)
    if actor.agency_id is None:
        raise DomainError(_("Only a PPK of an agency orders from the catalogue."), code="forbidden")
    if company is None or company.state != VERIFIED:
        raise DomainError(
            _("Order only from a verified provider."), field="company", code="unverified"
        )
    if not (delivery_address or "").strip():
        raise DomainError(_("Give the delivery address."), field="delivery_address")
    rows = _lines(lines)
    now = timezone.now()
    with transaction.atomic():
        order = CatalogueOrder.objects.create(
            code=f"EP-{now:%Y%m%d%H%M%S%f}",
            agency_id=actor.agency_id,
            ppk=actor,
            company=company,
            delivery_address=delivery_address.strip(),
            ordered_at=now,
        )
        for row in rows:
            row.order = order
        OrderLine.objects.bulk_create(rows)
        audit.record(
            actor=actor,
            action="epurchase.order",
            obj=order,
            data={
                "company": company.pk,
                "lines": [
                    {"item": r.item.code, "quantity": r.quantity, "unit_price": str(r.unit_price)}
                    for r in rows
                ],
            },
        )
        send_mail_on_commit(
            to=[company.email],
            subject=_("Catalogue order %(code)s") % {"code": order.code},
            body=_("The PPK %(ppk)s ordered from you: %(total)s. Confirm or decline the order.")
            % {
                "ppk": actor.username,
                "total": rupiah(sum(r.quantity * r.unit_price for r in rows)),
            },
        )
    return order


def _locked(order: CatalogueOrder, state: str) -> CatalogueOrder:
    order = (
        CatalogueOrder.objects.select_for_update().select_related("company", "ppk").get(pk=order.pk)
    )
    if order.state != state:
        raise DomainError(
            _("Order %(code)s is “%(state)s”: that cannot be done now.")
            % {"code": order.code, "state": order.get_state_display()},
            code="wrong_state",
        )
    return order


def _require_provider(actor, order: CatalogueOrder) -> None:
    require_capability(actor, Cap.OWN_COMPANY)
    if order.company.user_id != actor.pk:
        raise DomainError(_("This order is for another provider."), code="forbidden")


def _require_ppk(actor, order: CatalogueOrder) -> None:
    require_capability(actor, Cap.MANAGE_PACKAGES)
    if order.ppk_id != actor.pk:
        raise DomainError(_("Only the PPK who ordered records the receipt."), code="forbidden")


def _step(*, actor, order, action: str, to: str, data: dict | None = None) -> None:
    audit.record(actor=actor, action=action, obj=order, data={"code": order.code, **(data or {})})
    if to:
        send_mail_on_commit(
            to=[to],
            subject=_("Catalogue order %(code)s: %(state)s")
            % {"code": order.code, "state": order.get_state_display()},
            body=_("Catalogue order %(code)s is now: %(state)s.")
            % {"code": order.code, "state": order.get_state_display()},
        )


def order_confirm(*, actor, order: CatalogueOrder) -> CatalogueOrder:
    with transaction.atomic():
        order = _locked(order, CatalogueOrder.State.ORDERED)
        _require_provider(actor, order)
        order.state, order.confirmed_at = CatalogueOrder.State.CONFIRMED, timezone.now()
        order.save(update_fields=["state", "confirmed_at"])
        _step(actor=actor, order=order, action="epurchase.confirm", to=order.ppk.email)
    return order


def order_decline(*, actor, order: CatalogueOrder, reason: str) -> CatalogueOrder:
    if not (reason or "").strip():
        raise DomainError(_("Say why you decline the order."), field="reason")
    with transaction.atomic():
        order = _locked(order, CatalogueOrder.State.ORDERED)
        _require_provider(actor, order)
        order.state, order.declined_reason = CatalogueOrder.State.DECLINED, reason.strip()
        order.save(update_fields=["state", "declined_reason"])
        _step(
            actor=actor,
            order=order,
            action="epurchase.decline",
            to=order.ppk.email,
            data={"reason": order.declined_reason},
        )
    return order


def delivery_record(*, actor, order: CatalogueOrder, note: str) -> CatalogueOrder:
    with transaction.atomic():
        order = _locked(order, CatalogueOrder.State.CONFIRMED)
        _require_provider(actor, order)
        order.state, order.delivered_at = CatalogueOrder.State.DELIVERED, timezone.now()
        order.delivery_note = (note or "").strip()
        order.save(update_fields=["state", "delivered_at", "delivery_note"])
        _step(actor=actor, order=order, action="epurchase.deliver", to=order.ppk.email)
    return order


def receipt_record(*, actor, order: CatalogueOrder, note: str) -> CatalogueOrder:
    with transaction.atomic():
        order = _locked(order, CatalogueOrder.State.DELIVERED)
        _require_ppk(actor, order)
        order.state, order.received_at = CatalogueOrder.State.RECEIVED, timezone.now()
        order.receipt_note = (note or "").strip()
        order.save(update_fields=["state", "received_at", "receipt_note"])
        _step(actor=actor, order=order, action="epurchase.receive", to=order.company.email)
    return order
