"""Provider registration and verification (SPEC 1, annex 1.2), the change of a company's e-mail
(R-3.2, annex 3.2) and the experience its basic capability is computed from (R-5.6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.catalog.models import BusinessSubField
from lpse.core.models import Blob


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
    # When a verifier first opened this registration's file (the provider is at the desk): the
    # start of the annex 1.2 step "verify", timed until the decision. Cleared when a
    # registration is restarted, so each round is timed on its own.
    verification_opened_at = models.DateTimeField(null=True, blank=True)

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
    def last_verification_day(self):
        """The last working day to bring the documents (R-1.4): a day, never a moment."""
        from lpse.providers.service_hours import last_day

        return last_day(self.verify_by)

    @property
    def verification_deadline_text(self) -> str:
        """``Rabu, 16 Desember 2026, during service hours (09:00–15:00 WITA)``."""
        from lpse.providers.service_hours import deadline_text

        return deadline_text(self.verify_by)

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
    # why a counter visit was handled outside the walk-in hours ("" when inside them).
    outside_hours_reason = models.TextField(
        _("reason for a visit outside service hours"), blank=True
    )

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


class EmailChangeRequest(models.Model):
    """A company's request to change its e-mail address (R-3.2, annex 3.2).

    The provider submits a signed statement and proves it controls the new address (R-1.6: the
    address must be active and controlled) by following a link sent to it; the verifier checks
    the statement against the director's original KTP and the company deed and passes it on;
    the administrator applies it. Every step keeps who and when; the record is the history the
    agency admin sees.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted: waiting for the verifier")
        CHECKED = "checked", _("Checked: waiting for the administrator")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn by the provider")

    OPEN_STATES = (State.SUBMITTED, State.CHECKED)

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="email_changes")
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    old_email = models.EmailField(_("old address"))
    new_email = models.EmailField(_("new address"), db_index=True)
    statement = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    statement_name = models.CharField(max_length=200)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    # the one-time link to the new address; only its digest is kept.
    confirm_digest = models.CharField(max_length=64, unique=True)
    confirm_expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_ktp = models.BooleanField(default=False)
    checked_deed = models.BooleanField(default=False)
    check_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state__in=["submitted", "checked"]),
                name="one_open_email_change_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.old_email} → {self.new_email}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Experience(models.Model):
    """A contract the company completed (*pengalaman*), with its proof: the basis of its basic
    capability, *kemampuan dasar* (``selectors.basic_capability``)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="experiences")
    contract_name = models.CharField(_("contract name"), max_length=300)
    client = models.CharField(_("client"), max_length=200)
    sub_field = models.ForeignKey(
        BusinessSubField,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business sub-field"),
    )
    contract_value = models.DecimalField(_("contract value"), max_digits=18, decimal_places=2)
    completed_on = models.DateField(_("completion date"))
    proof = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    proof_name = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    # Withdrawn, not deleted: an evaluation may already have relied on it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_value__gt=0), name="experience_value_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_name} ({self.client})"


# The company's signing key lives in its own module; imported here so Django finds it.
from lpse.providers.models_signing import SigningKey  # noqa: E402

__all__ = [
    "Company",
    "EmailChangeRequest",
    "Experience",
    "LegalForm",
    "RegistrationInvite",
    "SigningKey",
    "Verification",
    "VerificationCheck",
    "VerificationItem",
]
