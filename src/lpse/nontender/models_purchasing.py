"""E-purchasing from the local catalogue (R-8.6): a PPK's order of catalogue items from a
verified provider, its confirmation, delivery and receipt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}


class CatalogueOrder(models.Model):
    class State(models.TextChoices):
        ORDERED = "ordered", _("Ordered, waiting for the provider")
        CONFIRMED = "confirmed", _("Confirmed by the provider")
        DELIVERED = "delivered", _("Delivered")
        RECEIVED = "received", _("Received by the PPK")
        DECLINED = "declined", _("Declined by the provider")

    code = models.CharField(_("order number"), max_length=30, unique=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    ppk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("providers.Company", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.ORDERED, db_index=True
    )
    delivery_address = models.TextField(_("delivery address"))
    ordered_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_note = models.TextField(_("delivery note"), blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_note = models.TextField(_("receipt note"), blank=True)
    declined_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-ordered_at"]

    def __str__(self) -> str:
        return self.code

    @property
    def total(self):
        return sum((line.total for line in self.lines.all()), 0)


class OrderLine(models.Model):
    order = models.ForeignKey(CatalogueOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("catalog.CatalogueItem", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    # The catalogue's price when ordered: the unit price may not exceed it, and a later
    # change of the catalogue does not change what was agreed.
    catalogue_price = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_price__lte=models.F("catalogue_price")),
                name="order_price_within_catalogue",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_quantity"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="order_price"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.quantity} × {self.item_id}"

    @property
    def total(self):
        return self.quantity * self.unit_price
