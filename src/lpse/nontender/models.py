"""Non-tender procurements (R-8.6): pengadaan langsung and penunjukan langsung by a procurement
officer (Pejabat Pengadaan), their invited providers, offers, negotiations and the value ceilings.

The sealed offers themselves are bids of the ``bids`` app: see ``Offer.bid``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.models import Blob
from lpse.tenders.models import Category, Package

MONEY = {"max_digits": 18, "decimal_places": 2}  # rupiah, exact: never a float


class Method(models.TextChoices):
    DIRECT_PROCUREMENT = "direct_procurement", _("Direct procurement (pengadaan langsung)")
    DIRECT_APPOINTMENT = "direct_appointment", _("Direct appointment (penunjukan langsung)")


class Justification(models.TextChoices):
    """Why a direct appointment is allowed: the cases of Perpres 16/2018 (as amended by Perpres
    12/2021) Pasal 38 ayat (5), and emergency handling (Pasal 59). Nothing else is accepted: the
    officer picks one of these and attaches the evidence."""

    EMERGENCY = "emergency", _("Emergency handling (keadaan darurat, Pasal 59)")
    STATE_SECRET = "state_secret", _("Secret goods or services for state security")
    ONE_CONSTRUCTION_SYSTEM = (
        "one_construction_system",
        _("Works forming one construction system with one liability"),
    )
    SOLE_PROVIDER = (
        "sole_provider",
        _("Special technology that only one provider can supply"),
    )
    MEDICINES = (
        "medicines",
        _("Medicines and medical consumables with a price set by the minister"),
    )
    PATENT_HOLDER = (
        "patent_holder",
        _("Goods or services only the holder of a patent or licence may supply"),
    )
    FAILED_RETENDER = (
        "failed_retender",
        _("A repeated tender failed again (tender ulang gagal)"),
    )


class Ceiling(models.Model):
    """The highest value a non-tender procurement of a goods category may have, set by the
    application admin. A category without a row uses the default of R-8.6 (``ceilings.py``)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    limit = models.DecimalField(_("ceiling"), **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(limit__gt=0), name="ceiling_positive")
        ]

    def __str__(self) -> str:
        return f"{self.category} ≤ {self.limit}"


class Procurement(models.Model):
    """A package the PPK handed to a procurement officer (or a team of them) instead of a
    committee."""

    class State(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed to the procurement officer")
        INVITING = "inviting", _("Providers invited")
        OPENED = "opened", _("Offers opened")
        AWARDED = "awarded", _("Result and purchase order sent to the PPK")
        CANCELLED = "cancelled", _("Cancelled")

    package = models.OneToOneField(Package, on_delete=models.PROTECT, related_name="nontender")
    code = models.CharField(_("code"), max_length=30, unique=True)
    method = models.CharField(_("method"), max_length=30, choices=Method.choices)
    # One officer, or a team of them when two or more must open the offers together:
    # every officer of the team may act on the procurement, and the backing tender's key is
    # split among them, a majority needed to open (``services.offers.openers_of_backing``).
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="nontender_procurements",
        verbose_name=_("procurement officers"),
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.HANDED_OVER, db_index=True
    )
    # Direct appointment only: the case of the regulation that allows it, and its evidence.
    justification = models.CharField(
        _("justification"), max_length=30, choices=Justification.choices, blank=True
    )
    justification_note = models.TextField(_("explanation"), blank=True)
    evidence = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_filename = models.CharField(max_length=200, blank=True)
    # The sealed offers go through the bids app's Apendo flow, which is keyed to a tender: the
    # procurement is backed by one (made when the officer publishes the schedule).
    tender = models.OneToOneField(
        "tenders.Tender", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The short schedule the officer publishes: when offers may come in and when they
    # are opened. Changed only through ScheduleChange, with a reason.
    offers_open_at = models.DateTimeField(null=True, blank=True)
    offers_close_at = models.DateTimeField(null=True, blank=True)
    opening_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField()
    winner = models.ForeignKey(
        "providers.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    award_price = models.DecimalField(_("agreed price"), null=True, blank=True, **MONEY)
    awarded_at = models.DateTimeField(null=True, blank=True)
    purchase_order = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-handed_over_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(method="direct_appointment") | ~models.Q(justification=""),
                name="appointment_has_justification",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.package.name}"


class ScheduleChange(models.Model):
    """A change of a procurement's schedule with its mandatory reason, applied by the LPSE
    administrator as a tender's is (R-3.3); the history stays."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the administrator")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")

    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="schedule_changes"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("reason"))
    old_schedule = models.JSONField()
    new_schedule = models.JSONField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.procurement.code} change {self.pk}"


class Invitation(models.Model):
    """A verified provider the officer invited (R-8.6); only invited providers may offer."""

    procurement = models.ForeignKey(
        Procurement, on_delete=models.PROTECT, related_name="invitations"
    )
    company = models.ForeignKey("providers.Company", on_delete=models.PROTECT, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "company"], name="one_invitation")
        ]

    def __str__(self) -> str:
        return f"{self.procurement.code} {self.company_id}"


class Offer(models.Model):
    """A provider's opened offer: the price read from its sealed bid at the opening."""

    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="offer")
    bid = models.OneToOneField(
        "bids.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    price = models.DecimalField(_("offered price"), **MONEY)
    opened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"offer {self.invitation_id}: {self.price}"


class Negotiation(models.Model):
    """One round of clarification and price negotiation, with its reason (R-8.6)."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="negotiations")
    price = models.DecimalField(_("negotiated price"), **MONEY)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"negotiation {self.offer_id}: {self.price}"


# E-purchasing lives in its own module; Django finds models only through models.py.
from lpse.nontender.models_purchasing import CatalogueOrder, OrderLine  # noqa: E402

__all__ = ["CatalogueOrder", "OrderLine"]
