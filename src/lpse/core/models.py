from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One link of the tamper-evident audit chain (R-9.4).

    ``hash`` = SHA-256 over the canonical form of this event and the previous event's hash, so a
    changed, removed or inserted row breaks every hash after it. See ``lpse.core.audit``.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """A single row, locked by every append, so that two writers cannot both extend the chain
    from the same event (on PostgreSQL; SQLite serialises writers already)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class ExtraNonWorkingDay(models.Model):
    """A day the administrator declared not working (regional holiday, new decree)."""

    day = models.DateField(unique=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.reason}"


class SentEmail(models.Model):
    """A copy of every e-mail the system sent: the demo outbox and the administrators' mail log."""

    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)
    to = models.TextField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    delivered = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Blob(models.Model):
    """A stored file, addressed by its SHA-256 (R-7.2): the same bytes are stored once, and the
    fingerprints shown next to a document are the ones of the bytes actually served."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    md5 = models.CharField(max_length=32)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256

    @property
    def storage_name(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256}"


class StepTiming(models.Model):
    """When one step of one service request started and ended (R-3.6).

    Every procedure of the annex (verification, e-mail change, unopenable file, upload problem,
    schedule change, training request) records its steps here through
    ``lpse.core.standard_times``; the monthly compliance report reads only this table. The
    subject is named by type and id rather than a foreign key so that any app can time its own
    records without this table knowing them.
    """

    procedure = models.CharField(max_length=40, db_index=True)
    step = models.CharField(max_length=40)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "step", "subject_type", "subject_id"],
                name="one_timing_per_step_and_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure}/{self.step} {self.subject_type}:{self.subject_id}"


class TreeHead(models.Model):
    """A signed head of the transparency log (R-9.8): the Merkle root over the first
    ``tree_size`` audit events, signed with the LPSE key. Published and copied out; a head
    once copied out cannot be taken back, so a later rewrite of history shows against it."""

    tree_size = models.PositiveBigIntegerField()
    root_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    signed = models.JSONField()  # the head exactly as published, signature included

    class Meta:
        ordering = ["-signed_at", "-tree_size"]

    def __str__(self) -> str:
        return f"tree head {self.tree_size} {self.root_hash[:12]}"


class IssuedDocument(models.Model):
    """A document this LPSE issued (R-7.4): the SHA-256 and size of its exact bytes and the
    detached Ed25519 signature over them, so that anyone can check a copy on the public page
    *Verifikasi dokumen* or offline with its ``.sig``. One row per distinct document."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=50)
    issued_at = models.DateTimeField()
    signed = models.JSONField()  # the sidecar exactly as served, signature included

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]}"
