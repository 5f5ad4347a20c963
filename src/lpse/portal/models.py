"""Published OCDS releases (R-9.5). A release never changes: a change is a new release with a
new id and the same ocid. ``seq`` orders them for the API's cursor (oldest first)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseKind(models.TextChoices):
    """Which part of a contracting process a release describes; each kind gets a new release
    when its content changes (see lpse.portal.ocds.store)."""

    PLANNING = "planning", _("Planning")
    TENDER = "tender", _("Tender")
    BIDS = "bids", _("Bids")
    AWARD = "award", _("Award")
    CONTRACT = "contract", _("Contract")


class ImmutableRelease(Exception):
    pass


class OCDSRelease(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    ocid = models.CharField(max_length=100, db_index=True)
    release_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=ReleaseKind.choices)
    date = models.DateTimeField()
    tags = models.JSONField()
    data = models.JSONField()
    # SHA-256 of the release's canonical JSON as published, and of its content without id, date
    # and tag (what decides whether anything changed since the last release of this kind).
    sha256 = models.CharField(max_length=64)
    content_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["ocid", "kind", "-seq"])]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRelease("An OCDS release never changes: publish a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRelease("An OCDS release is never deleted.")


class OCDSPublisherState(models.Model):
    """One row, locked by each run of the publisher: runs happen one after another, so ``seq``
    is handed out in commit order and a cursor never skips a release committed late."""

    last_seq = models.PositiveBigIntegerField(default=0)
    # The audit log's seq the last run read up to: the next looks only at later events.
    audit_seq = models.PositiveBigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"OCDS publisher at {self.last_seq}"


class RedFlagThreshold(models.Model):
    """A red-flag threshold set on the staff page (R-9.10), over the documented default and the
    LPSE_RED_FLAG_THRESHOLDS setting; each change is audited (``portal.red_flag_threshold.set``).
    The value is kept as typed; lpse.portal.red_flags.thresholds checks it."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
