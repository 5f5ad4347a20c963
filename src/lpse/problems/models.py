"""Provider upload problems (R-3.4), the provider's consent to a support view, and escalations
to LKPP (R-3.5).

No model here has a field for a password, a key or a bid's contents: the admin diagnoses from the
upload attempts the server recorded and, with the provider's consent, from a read-only view of
the provider's situation. What goes to LKPP is a diagnosis and attachments checked for secrets.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.calendar import to_wita
from lpse.core.models import Blob


class UploadProblem(models.Model):
    """A provider cannot upload (annex 3.4): reported to the helpdesk, reproduced by the LPSE admin
    (15–30 min), then either the provider is told to retry (5 min) or it goes to LKPP (1–24 h)."""

    class State(models.TextChoices):
        REPORTED = "reported", _("Reported to the helpdesk")
        REPRODUCING = "reproducing", _("LPSE admin is reproducing it")
        ADVISED_RETRY = "advised_retry", _("Provider advised to retry")
        ESCALATED = "escalated", _("Escalated to LKPP")
        RESOLVED = "resolved", _("Resolved")

    company = models.ForeignKey(
        "providers.Company", on_delete=models.PROTECT, related_name="upload_problems"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(db_index=True)
    tender = models.ForeignKey(
        "tenders.Tender",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tender"),
    )
    description = models.TextField(_("what happened"))
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.REPORTED, db_index=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    diagnosed_at = models.DateTimeField(null=True, blank=True)
    retry_advice = models.TextField(_("retry advice"), blank=True)
    advised_at = models.DateTimeField(null=True, blank=True)
    retry_failed_at = models.DateTimeField(null=True, blank=True)
    retry_failed_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The helpdesk ticket the report arrived as, when there is one.
    ticket = models.OneToOneField(
        "servicedesk.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="upload_problem",
        verbose_name=_("helpdesk ticket"),
    )

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("upload problem")

    def __str__(self) -> str:
        return f"upload problem {self.pk} ({self.company_id})"


class SupportConsent(models.Model):
    """The provider lets LPSE's admins look at a read-only view of their situation for one case,
    until ``expires_at`` or until they revoke it. Every look is in the audit log."""

    problem = models.ForeignKey(UploadProblem, on_delete=models.CASCADE, related_name="consents")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]

    def __str__(self) -> str:
        return f"consent {self.pk} for problem {self.problem_id}"

    def valid_at(self, moment) -> bool:
        return self.revoked_at is None and self.granted_at <= moment < self.expires_at


class Escalation(models.Model):
    """A problem sent to LKPP (Pasal 9.3, R-3.5): what is wrong, what LPSE found, the files
    that show it (never a secret), and LKPP's answer."""

    class Source(models.TextChoices):
        UPLOAD_PROBLEM = "upload_problem", _("Provider cannot upload (annex 3.4)")
        UNOPENABLE_BID = "unopenable_bid", _("Bid file that cannot be opened (annex 3.1)")
        OTHER = "other", _("Other application problem")

    class State(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        SENT = "sent", _("Sent to LKPP")
        ANSWERED = "answered", _("Answered by LKPP")
        CLOSED = "closed", _("Closed")

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    upload_problem = models.OneToOneField(
        UploadProblem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalation",
    )
    unopenable_case = models.OneToOneField(
        "bids.UnopenableCase",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lkpp_escalation",
    )
    subject = models.CharField(_("subject"), max_length=200)
    problem = models.TextField(_("problem"))
    diagnosis = models.TextField(_("diagnosis"))
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # The package as it was when marked sent: what LKPP received, byte for byte.
    package = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("LKPP's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation to LKPP")

    def __str__(self) -> str:
        return f"escalation {self.pk}: {self.subject}"

    @property
    def reference(self) -> str:
        return f"ESK-{to_wita(self.created_at):%Y}-{self.pk:05d}"


class EscalationAttachment(models.Model):
    """A file sent with an escalation; checked for keys and passwords before it is kept."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "filename"], name="one_attachment_name_per_escalation"
            )
        ]

    def __str__(self) -> str:
        return self.filename
