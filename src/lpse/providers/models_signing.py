"""A company's signing key (R-9.7, R-7.1): the public half of the Ed25519 key with which the
provider signs every bid, bound to the company by two LPSE verifiers (the rule of R-3.2).

The private half never reaches the server: it is made in the provider's browser (or offline with
``lpse apendo signing-keygen``) and stays there. Whoever takes over the provider's account — an
administrator who resets its password included — holds no key the company's bids verify with.
Imported by ``models`` so that Django sees it; kept apart to keep each module small.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.providers.key_material import grouped


class SigningKey(models.Model):
    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed: waiting for the verifier's check")
        CHECKED = "checked", _("Checked: waiting for a second verifier to bind it")
        BOUND = "bound", _("Bound to the company")
        REVOKED = "revoked", _("Revoked: replaced by a newer key")
        REFUSED = "refused", _("Refused by the verifier")
        WITHDRAWN = "withdrawn", _("Withdrawn: a newer key was proposed")

    OPEN_STATES = (State.PROPOSED, State.CHECKED)

    company = models.ForeignKey(
        "providers.Company", on_delete=models.PROTECT, related_name="signing_keys"
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    public_key = models.CharField(_("public key (Ed25519, base64)"), max_length=44)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.TextField(blank=True)
    bound_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    bound_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer key is bound. A revoked key still verifies the bids that arrived while it
    # was bound (the opening checks them against it); it signs nothing new.
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state="bound"),
                name="one_bound_signing_key_per_company",
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(state__in=["proposed", "checked"]),
                name="one_open_signing_key_per_company",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company}: {self.fingerprint_display[:19]}… ({self.state})"

    @property
    def fingerprint_display(self) -> str:
        return grouped(self.fingerprint)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def was_bound_at(self, moment) -> bool:
        """Bound to its company at ``moment``: the key a bid that arrived then must verify with."""
        if self.bound_at is None or moment < self.bound_at:
            return False
        return self.revoked_at is None or moment < self.revoked_at
