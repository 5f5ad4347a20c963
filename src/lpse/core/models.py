from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.malware import ScanState


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
    """Every e-mail the system sends: the transactional outbox while it waits, then its log (the
    demo outbox and the administrators' mail log). The row is written in the transaction of the
    write it tells about, so the broker (Redis) being down loses nothing: the message waits here
    and ``lpse.core.mail_outbox`` delivers it when the broker or the SMTP server is back
    (issue 21)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed: gave up")
        KEPT = "kept", _("Kept here (no mail server set)")

    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)  # when it was queued
    to = models.TextField()
    subject = models.CharField(max_length=300)
    body = models.TextField()  # as the log keeps it: one-time links taken out (core.mail)
    delivered = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # The same Message-ID on every attempt: a message delivered twice (a worker killed between
    # the SMTP server's "OK" and the row's update) is one message to the recipient's mail system.
    message_id = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The whole body while it waits, when it differs from ``body`` (a one-time link): emptied once
    # the message is delivered or given up.
    pending_body = models.TextField(blank=True, default="")
    # The language it was written in: the log marks it (lang="…") for screen readers, and a
    # message is data, not the interface's words.
    language = models.CharField(max_length=10, blank=True, default="")

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
    # what the virus scanner said (lpse.core.malware). A held or infected blob is served
    # to nobody (storage.open_blob).
    scan_state = models.CharField(
        max_length=12, choices=ScanState.choices, default=ScanState.NOT_SCANNED
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_signature = models.CharField(max_length=200, blank=True, default="")
    # Who sent the file that is held, so they are told when the scanner has checked it.
    held_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # Few or none at a time: the blobs whose MD5 is still to be taken (storage.pending_md5).
        indexes = [
            models.Index(fields=["sha256"], condition=models.Q(md5=""), name="blob_awaiting_md5")
        ]

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


class CacheEntry(models.Model):
    """A row of the shared cache kept in the database (``LPSE_CACHE_URL=database``, R-9.11):
    rate-limit counters, cached public pages, job leases. Read and written only by
    ``core.db_cache`` (Django's DatabaseCache), never as a model; the table is made here so that
    every installation has it, whichever cache it uses today. Columns as ``createcachetable``
    makes them."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "lpse_cache"

    def __str__(self) -> str:
        return self.cache_key
