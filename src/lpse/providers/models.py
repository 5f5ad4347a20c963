"""Provider registration and verification (SPEC 1, annex 1.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.catalog.models import BusinessSubField


class RegistrationInvite(models.Model):
    """The one-time link e-mailed to a candidate's address (R-1.1). Only its digest is stored."""

    email = models.EmailField(db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email

    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class LegalForm(models.TextChoices):
    PT = "pt", "PT (Perseroan Terbatas)"
    CV = "cv", "CV (Persekutuan Komanditer)"
    FIRMA = "firma", "Firma"
    KOPERASI = "koperasi", "Koperasi"
    PERORANGAN = "perorangan", _("Individual (Perorangan)")
    OTHER = "lainnya", _("Other")


class Company(models.Model):
    """A provider: the company and the account that acts for it."""

    class State(models.TextChoices):
        AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired (not verified in time)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="company"
    )
    state = models.CharField(
        max_length=30, choices=State.choices, default=State.AWAITING_VERIFICATION, db_index=True
    )
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    name = models.CharField(_("company name"), max_length=200)
    npwp = models.CharField(_("tax number (NPWP)"), max_length=16, db_index=True)
    nib = models.CharField(_("business licence (NIB/SIUP)"), max_length=40)
    address = models.TextField(_("address"))
    city = models.CharField(_("city / regency"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("company e-mail"), unique=True)
    director_name = models.CharField(_("director's name"), max_length=200)
    sub_fields = models.ManyToManyField(
        BusinessSubField, related_name="companies", verbose_name=_("business sub-fields")
    )
    registered_at = models.DateTimeField()
    verify_by = models.DateTimeField(_("verify by"))
    forms_ref = models.CharField(max_length=43, unique=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_overdue(self) -> bool:
        """Past the verification deadline, whether or not the expiry job has run yet (rule 3)."""
        return self.state == self.State.AWAITING_VERIFICATION and timezone.now() >= self.verify_by

    @property
    def npwp_display(self) -> str:
        n = self.npwp
        if len(n) == 15:
            return f"{n[0:2]}.{n[2:5]}.{n[5:8]}.{n[8]}-{n[9:12]}.{n[12:15]}"
        return n


class VerificationItem(models.Model):
    """One line of the published verification checklist, set by the application admin (R-1.4)."""

    label = models.CharField(_("document"), max_length=200)
    description = models.TextField(_("what to bring"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class Verification(models.Model):
    """A verifier's decision on a company's documents (R-1.5, R-1.7)."""

    class Outcome(models.TextChoices):
        COMPLETE = "complete", _("Complete (tanda lengkap)")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="verifications")
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.company} {self.outcome}"


class VerificationCheck(models.Model):
    """The result for one checklist item; the label is copied so later edits to the checklist do
    not rewrite what was checked."""

    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(
        VerificationItem, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=200)
    ok = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.label}: {'ok' if self.ok else 'missing'}"
