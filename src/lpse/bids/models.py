"""Sealed bids (SPEC 9, R-7.1): keys, shares, uploads, bids, receipts and the opening."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.models import Blob


class OpeningKey(models.Model):
    """A committee member's personal key for opening bids: an age X25519 recipient. Either the
    member made the key themselves and gave only its public part (``age-keygen``), or their
    browser made it and the server keeps it sealed with a passphrase the server never sees
    (``sealed_identity``, an age scrypt file), so the member can unlock from any browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_key"
    )
    recipient = models.CharField(max_length=100)
    sealed_identity = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user.username}: {self.recipient[:16]}…"

    @property
    def uses_passphrase(self) -> bool:
        return bool(self.sealed_identity)


class TenderKey(models.Model):
    """The tender's public key and its wrapped identity; never the identity itself."""

    class Origin(models.TextChoices):
        # Where the private key existed for a moment before it was split.
        BROWSER = "browser", _("made in a committee member's browser")
        OFFLINE = "offline", _("made offline with lpse apendo keygen")
        SERVER = "server", _("made on the server (tenders published before December 2026)")

    tender = models.OneToOneField(
        "tenders.Tender", on_delete=models.PROTECT, related_name="bid_key"
    )
    recipient = models.CharField(max_length=100)
    wrapped_identity = models.TextField()
    threshold = models.PositiveSmallIntegerField()
    origin = models.CharField(max_length=10, choices=Origin.choices)
    format = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.recipient[:16]}…"

    @property
    def made_on_server(self) -> bool:
        return self.origin == self.Origin.SERVER


class KeyShare(models.Model):
    tender_key = models.ForeignKey(TenderKey, on_delete=models.CASCADE, related_name="shares")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveSmallIntegerField()
    member_recipient = models.CharField(max_length=100)
    sealed = models.TextField()
    # SHA-256 binding the share's value to its tender and index (empty for server-made keys):
    # a share altered on its way from the member's device is refused and named at the unlock.
    commitment = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender_key", "member"], name="one_share_per_member")
        ]

    def __str__(self) -> str:
        return f"share {self.index} of {self.tender_key_id}"


class Upload(models.Model):
    """A bid envelope on its way in. Until it is complete and accepted it is never a bid."""

    class State(models.TextChoices):
        RECEIVING = "receiving", _("Receiving")
        ACCEPTED = "accepted", _("Accepted as a bid")
        REFUSED = "refused", _("Refused")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tender = models.ForeignKey("tenders.Tender", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("providers.Company", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    client = models.CharField(max_length=300, blank=True)
    # The bid this upload became: a browser whose answer to the last chunk was lost asks the
    # upload, and gets the receipt from here.
    bid = models.OneToOneField(
        "Bid", null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )

    def __str__(self) -> str:
        return f"upload {self.id} {self.offset}/{self.length}"


class UploadChunk(models.Model):
    """A stretch of an upload kept in the shared object store (issue 19, R-9.11): consecutive
    chunks may reach different application nodes, so none keeps a part file. Written in the
    same transaction that moves the upload's offset, so the chunks recorded are exactly the
    bytes the provider was told are in; an object stored by a request that lost a race (two
    requests at one offset) is recorded nowhere and removed."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="chunks")
    offset = models.PositiveBigIntegerField()
    size = models.PositiveBigIntegerField()
    key = models.CharField(max_length=200)

    class Meta:
        ordering = ["upload", "offset"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "offset"], name="bids_upload_chunk_once")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} @{self.offset}+{self.size}"


class Bid(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        REPLACED = "replaced", _("Replaced by a later bid")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="bids")
    company = models.ForeignKey("providers.Company", on_delete=models.PROTECT, related_name="bids")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    envelope = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    receipt = models.JSONField()
    # the provider's Ed25519 signature over the envelope (lpse.bids.signatures), and the
    # key bound to the company when the bid arrived, which it verified with. The receipt repeats
    # both (signed by LPSE), and the opening checks them again before decrypting.
    signature = models.TextField(blank=True)
    signing_key = models.ForeignKey(
        "providers.SigningKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "company"],
                condition=models.Q(state="active"),
                name="one_active_bid_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"bid {self.pk} {self.tender_id}/{self.company_id}"


class Opening(models.Model):
    """The opening ceremony: members unlock their shares; at k the bids open (R-9.2)."""

    class State(models.TextChoices):
        UNLOCKING = "unlocking", _("Waiting for committee members")
        OPENED = "opened", _("Opened")

    tender = models.OneToOneField(
        "tenders.Tender", on_delete=models.PROTECT, related_name="opening"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.UNLOCKING)
    opened_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"opening of {self.tender_id}"


class ShareUnlock(models.Model):
    """A member unlocked their share during the opening. The share value is kept only until k
    shares are in; then the bids open and the values are erased (who and when stay)."""

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="unlocks")
    share = models.OneToOneField(KeyShare, on_delete=models.PROTECT, related_name="unlock")
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField()
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"unlock {self.share_id}"


class OpenedBid(models.Model):
    """What an opened bid contained, or why it could not be opened (R-3.1)."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="opened")
    total_price = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    validity_days = models.PositiveIntegerField(null=True, blank=True)
    declarations = models.JSONField(default=list)
    # [{name, sha256, size}]: the document's Blob, which holds its MD5 too (taken after the
    # opening, core.storage.pending_md5; rows of earlier openings also hold a copy of it here).
    documents = models.JSONField(default=list)
    problem = models.CharField(max_length=30, blank=True)
    problem_message = models.TextField(blank=True)
    opened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"opened {self.bid_id}"


class UnopenableCase(models.Model):
    """R-3.1: a bid file the committee cannot open, handled by the SOP of annex 3.1 — request to
    the head of LPSE, the LPSE admin's attempt, escalation to LKPP — with a witness report."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested to the head of LPSE")
        ATTEMPTED = "attempted", _("LPSE admin tried to open it")
        RESOLVED = "resolved", _("Resolved by LPSE")
        ESCALATED = "escalated", _("Escalated to LKPP")
        CLOSED = "closed", _("Closed with LKPP's answer")

    opened_bid = models.OneToOneField(OpenedBid, on_delete=models.PROTECT, related_name="case")
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    request_note = models.TextField(blank=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempted_at = models.DateTimeField(null=True, blank=True)
    attempt_result = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_package = models.JSONField(null=True, blank=True)
    lkpp_answer = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    witness_report = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"unopenable bid {self.opened_bid_id}"
