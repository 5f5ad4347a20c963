"""Evaluation of opened bids and the tender's outcome (R-8.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.core.models import Blob

MONEY = {"max_digits": 18, "decimal_places": 2}


class Verdict(models.TextChoices):
    PENDING = "pending", _("Not evaluated")
    PASS = "pass", _("Passes")
    FAIL = "fail", _("Fails")


class Criterion(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative")
    TECHNICAL = "technical", _("Technical")
    PRICE = "price", _("Price")
    QUALIFICATION = "qualification", _("Qualification")


CRITERIA_ORDER = [
    Criterion.ADMINISTRATIVE,
    Criterion.TECHNICAL,
    Criterion.PRICE,
    Criterion.QUALIFICATION,
]


class BidEvaluation(models.Model):
    """The committee's evaluation of one opened bid: a verdict and a reason per criterion, and
    the price after arithmetic correction."""

    opened_bid = models.OneToOneField(
        "bids.OpenedBid", on_delete=models.PROTECT, related_name="evaluation"
    )
    corrected_price = models.DecimalField(**MONEY, null=True, blank=True)
    correction_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"evaluation of {self.opened_bid_id}"

    @property
    def evaluated_price(self):
        """The price used for ranking: the corrected one if the committee corrected it."""
        return (
            self.corrected_price
            if self.corrected_price is not None
            else self.opened_bid.total_price
        )


class CriterionResult(models.Model):
    evaluation = models.ForeignKey(BidEvaluation, on_delete=models.CASCADE, related_name="results")
    criterion = models.CharField(max_length=20, choices=Criterion.choices)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="one_result_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.verdict}"


class FailureKind(models.TextChoices):
    """Why a tender failed (gagal); each kind is checked against the facts when declared."""

    NO_BIDS = "no_bids", _("No bids were submitted")
    TOO_FEW_BIDS = "too_few_bids", _("Fewer bids than the minimum")
    ALL_FAILED = "all_failed", _("No bid passes the evaluation")
    CANCELLED = "cancelled", _("Cancelled")
    OBJECTION_UPHELD = "objection_upheld", _("An upheld objection requires a new tender")


class TenderOutcome(models.Model):
    """Winner determined, or the tender failed (gagal), with the signed report's hashes.

    An upheld objection annuls the outcome (it stays on record, with why) and the committee
    decides again; so a tender has at most one *current* outcome, the one not annulled.
    """

    class State(models.TextChoices):
        WINNER_DETERMINED = "winner_determined", _("Winner determined")
        FAILED = "failed", _("Failed (gagal)")

    tender = models.ForeignKey("tenders.Tender", on_delete=models.PROTECT, related_name="outcomes")
    state = models.CharField(max_length=30, choices=State.choices)
    winner = models.ForeignKey(
        "bids.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure_kind = models.CharField(max_length=30, choices=FailureKind.choices, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    report = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    # The announcement opens the objection window (masa sanggah) of this outcome.
    announced_at = models.DateTimeField(null=True, blank=True)
    objections_open_at = models.DateTimeField(null=True, blank=True)
    objections_close_at = models.DateTimeField(null=True, blank=True)
    annulled_at = models.DateTimeField(null=True, blank=True)
    annulled_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(annulled_at__isnull=True),
                name="one_current_outcome_per_tender",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.state}"


class QualificationInvitation(models.Model):
    """Pembuktian kualifikasi: the committee invites a ranked bidder to show the originals of its
    qualification documents at a time and place; the result decides its qualification."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        QUALIFIED = "qualified", _("Attended and qualified")
        NOT_QUALIFIED = "not_qualified", _("Attended, not qualified")
        ABSENT = "absent", _("Did not attend")

    bid = models.ForeignKey("bids.Bid", on_delete=models.PROTECT, related_name="invitations")
    proof_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    state = models.CharField(max_length=20, choices=State.choices, default=State.INVITED)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField()
    result_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "id"]

    def __str__(self) -> str:
        return f"invitation of bid {self.bid_id}: {self.state}"


class Objection(models.Model):
    """Sanggah: a losing bidder's objection to an announced outcome, and the committee's answer."""

    class State(models.TextChoices):
        FILED = "filed", _("Waiting for the committee's answer")
        REJECTED = "rejected", _("Answered: not upheld")
        UPHELD = "upheld", _("Answered: upheld")

    class Consequence(models.TextChoices):
        RE_EVALUATE = "re_evaluate", _("The committee evaluates again")
        RE_TENDER = "re_tender", _("The tender fails and is re-tendered")

    outcome = models.ForeignKey(TenderOutcome, on_delete=models.PROTECT, related_name="objections")
    bid = models.ForeignKey("bids.Bid", on_delete=models.PROTECT, related_name="objections")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField()
    grounds = models.TextField(_("grounds"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.FILED)
    answer = models.TextField(blank=True)
    consequence = models.CharField(max_length=20, choices=Consequence.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateTimeField()

    class Meta:
        ordering = ["filed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "bid"], name="one_objection_per_bidder")
        ]

    def __str__(self) -> str:
        return f"objection {self.pk} on {self.outcome_id}"

    @property
    def answered_late(self) -> bool:
        return self.answered_at is not None and self.answered_at > self.answer_due


class ObjectionAttachment(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.filename


class AwardLetter(models.Model):
    """SPPBJ (surat penunjukan penyedia barang/jasa), issued by the package's PPK."""

    outcome = models.OneToOneField(TenderOutcome, on_delete=models.PROTECT, related_name="award")
    number = models.CharField(_("letter number"), max_length=100)
    value = models.DecimalField(**MONEY)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    document = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.number


class Contract(models.Model):
    """The signed contract's record: what the public and the auditors need to know of it."""

    award = models.OneToOneField(AwardLetter, on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(_("contract number"), max_length=100)
    value = models.DecimalField(_("contract value"), **MONEY)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("work starts on"))
    ends_on = models.DateField(_("work ends on"))
    ppk_signatory = models.CharField(_("signed for the agency by (PPK)"), max_length=200)
    provider_signatory = models.CharField(_("signed for the provider by"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.number
