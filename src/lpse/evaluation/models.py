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


class TenderOutcome(models.Model):
    """Winner determined, or the tender failed (gagal), with the signed report's hashes."""

    class State(models.TextChoices):
        WINNER_DETERMINED = "winner_determined", _("Winner determined")
        FAILED = "failed", _("Failed (gagal)")

    tender = models.OneToOneField(
        "tenders.Tender", on_delete=models.PROTECT, related_name="outcome"
    )
    state = models.CharField(max_length=30, choices=State.choices)
    winner = models.ForeignKey(
        "bids.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    report = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.state}"
