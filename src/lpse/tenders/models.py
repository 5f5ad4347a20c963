"""Packages, tenders and their schedules, participation, documents, clarification (SPEC 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import Agency
from lpse.catalog.models import BusinessSubField
from lpse.core.models import Blob
from lpse.tenders.stages import Stage

MONEY = {"max_digits": 18, "decimal_places": 2}  # rupiah, exact: never a float


class Category(models.TextChoices):
    GOODS = "goods", _("Goods (Pengadaan Barang)")
    WORKS = "works", _("Construction works (Pekerjaan Konstruksi)")
    CONSULTING = "consulting", _("Consulting services (Jasa Konsultansi)")
    OTHER_SERVICES = "other_services", _("Other services (Jasa Lainnya)")


class FundingSource(models.TextChoices):
    APBD = "apbd", "APBD"
    APBN = "apbn", "APBN"
    DAK = "dak", _("Special allocation fund (DAK)")
    BLUD = "blud", "BLUD"
    OTHER = "other", _("Other")


class Committee(models.Model):
    """A tender committee (Pokja) of an agency; its members hold the committee role there."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="committees")

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_committee")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


class Package(models.Model):
    """A procurement package owned by a PPK (R-8.1). The agency's budget user (PA/KPA) approves it
    before it is handed to a committee or to a procurement officer."""

    class Approval(models.TextChoices):
        AWAITING = "awaiting_approval", _("Waiting for the budget user's (PA/KPA) approval")
        APPROVED = "approved", _("Approved by the budget user (PA/KPA)")
        REFUSED = "refused", _("Refused by the budget user (PA/KPA)")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="packages")
    ppk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="packages"
    )
    name = models.CharField(_("package name"), max_length=300)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    budget_ceiling = models.DecimalField(_("budget ceiling (pagu)"), **MONEY)
    owner_estimate = models.DecimalField(_("owner estimate (HPS)"), **MONEY)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    sub_field = models.ForeignKey(
        BusinessSubField,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business sub-field"),
    )
    location = models.CharField(_("location"), max_length=200)
    funding_source = models.CharField(
        _("funding source"), max_length=10, choices=FundingSource.choices
    )
    approval = models.CharField(
        _("approval"),
        max_length=20,
        choices=Approval.choices,
        default=Approval.AWAITING,
        db_index=True,
    )
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    # The budget user's reason for a refusal (or note with an approval); the PPK's note when
    # asking again after a refusal. The audit log keeps every earlier one.
    approval_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner_estimate__lte=models.F("budget_ceiling")),
                name="hps_not_above_pagu",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Method(models.TextChoices):
    POSTQUAL_ONE_FILE_LOWEST = (
        "postqual_1file_lowest",
        _("Tender, post-qualification, one file, lowest price"),
    )
    FAST = "fast", _("Fast tender (tender cepat)")
    SIMPLE = "simple", _("Simple tender (pengadaan sederhana)")
    # The backing tender of a non-tender procurement: its offers are sealed bids on it.
    # Never listed as a tender; the non-tender results page shows it.
    NON_TENDER = "non_tender", _("Non-tender procurement (backing tender of the offers)")


class Tender(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="tenders")
    code = models.CharField(_("tender code"), max_length=30, unique=True)
    method = models.CharField(
        _("method"), max_length=30, choices=Method.choices, default=Method.POSTQUAL_ONE_FILE_LOWEST
    )
    qualification_requirements = models.TextField(_("qualification requirements"))
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # how many committee members must unlock their shares to open the bids
    # (empty: a majority of the committee).
    opening_threshold = models.PositiveSmallIntegerField(
        _("members needed to open"), null=True, blank=True
    )
    # Copied from the package at publication so the API's tender list filters without joins.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tenders")
    # A re-tender names the failed tender of the same package it repeats.
    retender_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="retenders"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        # The published tenders' order (the API's list, the OCDS output; the public page reads
        # ListedTender), with the method in the index too: a deep page (OFFSET 40,000) then
        # skips index entries only, where it read 40,000 table rows to exclude the non-tender
        # procurements' backing tenders (bench/README.md, issue 19).
        indexes = [
            models.Index(
                fields=["state", "-published_at", "-id", "method"], name="tender_public_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.package.name}"


class TenderWord(models.Model):
    """One word of a published tender's package name or code: the public list's search index
    (``tenders/search_index.py``), kept by publication. A typed word is a prefix of the
    indexed words, read as a range of ``tender_word_prefix``, never a scan of package names."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="+", db_index=False)
    word = models.CharField(max_length=40)

    class Meta:
        indexes = [
            models.Index(fields=["word", "tender"], name="tender_word_prefix"),
            # A tender's words, so a search can walk the list in its order and check each
            # tender (PostgreSQL hashed every match of a common word and sorted them instead).
            models.Index(fields=["tender", "word"], name="tender_word_of_tender"),
        ]

    def __str__(self) -> str:
        return self.word


class ScheduleEntry(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="schedule")
    stage = models.CharField(max_length=30, choices=Stage.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "stage"], name="one_entry_per_stage"),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="schedule_start_before_end"
            ),
        ]
        # "Stage open now" (the public list's stage filter): end > now is the selective bound, so
        # it comes before start; with start first the range start <= now is nearly every row.
        indexes = [models.Index(fields=["stage", "end", "start"])]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.stage}"


class ListedTender(models.Model):
    """A row of the public tender list (R-8.5): what the row shows and its schedule as numbers,
    one table, so a page is one short read of one index and no schedule dates are converted
    (issue 19: the list at 100,000 tenders). Kept by ``tenders.listing`` in the transactions
    that publish, cancel and reschedule a tender; a package's listed fields never change once
    it has a tender. The stage shown is still computed from the schedule and the clock."""

    tender = models.OneToOneField(
        Tender, primary_key=True, on_delete=models.CASCADE, related_name="listing"
    )
    published_at = models.DateTimeField()
    # Its place in the list's order, (published_at, tender) ascending: 1 the oldest, no gaps,
    # so a page of the whole list is a range, not an OFFSET (tenders.listing).
    # 0 until placed; a database default too, for a process of the version before (an upgrade).
    position = models.PositiveIntegerField(default=0, db_default=0)
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=300)
    category = models.CharField(max_length=20, choices=Category.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    owner_estimate = models.DecimalField(**MONEY)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Every stage as "stage start end", start and end in microseconds since 1970 (UTC), the
    # stages separated by ";" (tenders.selectors.timeline.timeline_of).
    timeline = models.TextField()

    class Meta:
        indexes = [
            models.Index(fields=["-published_at", "-tender"], name="listed_tender_order"),
            models.Index(
                fields=["agency", "-published_at", "-tender"], name="listed_tender_agency"
            ),
            models.Index(fields=["-position"], name="listed_tender_position"),
        ]

    def __str__(self) -> str:
        return self.code


class StageMinimum(models.Model):
    """Minimum length of a stage in working days, set by the application admin."""

    stage = models.CharField(max_length=30, choices=Stage.choices, unique=True)
    working_days = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.stage} ≥ {self.working_days}"


class ScheduleChange(models.Model):
    """A change to a tender's schedule with its mandatory reason (R-3.3)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the administrator")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="schedule_changes")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.TextField(_("reason"))
    old_schedule = models.JSONField()
    new_schedule = models.JSONField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.tender.code} change {self.pk}"


class IntegrityPact(models.Model):
    """A signed integrity pact (R-7.3): the PDF the signer agreed to, with its hashes."""

    class SignerRole(models.TextChoices):
        PPK = "ppk", "PPK"
        COMMITTEE = "committee", _("Committee member")
        PROVIDER = "provider", _("Provider")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="pacts")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_role = models.CharField(max_length=20, choices=SignerRole.choices)
    signed_at = models.DateTimeField()
    document = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "signer", "signer_role"], name="one_pact_per_signer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} pact {self.signer_id}"


class TenderDocument(models.Model):
    class Kind(models.TextChoices):
        TENDER_DOCUMENT = "tender_document", _("Tender document")
        ADDENDUM = "addendum", _("Addendum")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(max_length=200)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    """A verified provider registered for a tender (R-8.3)."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="participations")
    company = models.ForeignKey(
        "providers.Company", on_delete=models.PROTECT, related_name="participations"
    )
    registered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "company"], name="one_participation")
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} {self.company_id}"


class DocumentDownload(models.Model):
    """Who downloaded which document when: the committee can show every bidder had it."""

    document = models.ForeignKey(TenderDocument, on_delete=models.CASCADE, related_name="downloads")
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.document_id} by {self.participation_id}"


class Question(models.Model):
    """A clarification question; shown to all participants without naming who asked."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="questions")
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]
