"""The annex V duty register (R-5.6): the catalogue of periodic duties, their occurrences on the
calendar, the evidence a person attaches and the problems found, each with its fix deadline.

An occurrence's state is not stored: it follows from the clock and the three moments it keeps
(due, missed-after, done) — DESIGN rule 3, "time decides, not cron". ``Occurrence.objects
.with_state(now)`` computes it in the database, so the register can filter on it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.accounts.roles import Role

__all__ = [
    "Duty",
    "DutyEvidence",
    "DutyOccurrence",
    "DutyProblem",
    "Frequency",
    "OccurrenceState",
    "Outcome",
    "ProblemState",
]


class Frequency(models.TextChoices):
    # Daily duties fall on working days only (lpse.core.calendar); a week runs Monday–Sunday.
    DAILY = "daily", _("daily (working days)")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")


class Duty(models.Model):
    """One line of the annex V table. ``code`` and ``annex_text`` come from the catalogue
    (lpse.operations.duty_catalogue) and are not edited; frequency, role and ``active`` are the
    LPSE's own choices (MANAGE_DUTIES)."""

    code = models.SlugField(max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=60)
    title = models.CharField(_("duty"), max_length=200)
    # The annex's own words (Indonesian) and the performer it names, kept for the reader.
    annex_text = models.TextField(blank=True, default="")
    annex_performer = models.CharField(max_length=100, blank=True, default="")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    role = models.CharField(_("responsible role"), max_length=30)  # lpse.accounts.roles.Role
    # The automatic check that fills occurrences in (services/duty_checks.py), or "".
    auto_check = models.CharField(max_length=30, blank=True, default="")
    active = models.BooleanField(_("in force"), default=True)
    order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.title


class OccurrenceState(models.TextChoices):
    OPEN = "open", _("to do")
    OVERDUE = "overdue", _("overdue")
    DONE = "done", _("done on time")
    LATE = "late", _("done late")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled (duty switched off)")


class Outcome(models.TextChoices):
    OK = "ok", _("all in order")
    PROBLEM = "problem", _("problem found")


class OccurrenceQuerySet(models.QuerySet):
    def with_state(self, now: datetime | None = None) -> OccurrenceQuerySet:
        """Annotate ``state`` (OccurrenceState) as the clock ``now`` decides it."""
        now = now or timezone.now()
        return self.annotate(
            state=Case(
                When(cancelled_at__isnull=False, then=Value(OccurrenceState.CANCELLED.value)),
                When(
                    done_at__isnull=False,
                    done_at__lte=models.F("due_at"),
                    then=Value(OccurrenceState.DONE.value),
                ),
                When(done_at__isnull=False, then=Value(OccurrenceState.LATE.value)),
                When(missed_after__lte=now, then=Value(OccurrenceState.MISSED.value)),
                When(due_at__lte=now, then=Value(OccurrenceState.OVERDUE.value)),
                default=Value(OccurrenceState.OPEN.value),
                output_field=models.CharField(),
            )
        )


class DutyOccurrence(models.Model):
    """A duty for one period: a working day, a week or a month (dates in WITA). Due at the end of
    its period; done after that is late; not done by the end of the next period, missed."""

    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="occurrences")
    # The role responsible when it was made (the report counts per role as it was then).
    role = models.CharField(max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    due_at = models.DateTimeField()
    missed_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_system = models.BooleanField(default=False)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True, default="")
    note = models.TextField(blank=True, default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = OccurrenceQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "duty__order"]
        constraints = [
            models.UniqueConstraint(fields=["duty", "period_start"], name="duty_occurrence_once"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(outcome__in=["ok", "problem"]),
                name="duty_done_has_outcome",
            ),
        ]
        indexes = [models.Index(fields=["role", "due_at"], name="duty_occurrence_role_due")]

    def __str__(self) -> str:
        return f"{self.duty} {self.period_start:%Y-%m-%d}"

    @property
    def state_label(self) -> str:
        """The state's words: the ``with_state`` annotation's when there is one."""
        state = getattr(self, "state", None) or self.state_at()
        return str(OccurrenceState(state).label)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    def state_at(self, now: datetime | None = None) -> OccurrenceState:
        """The same rule as ``with_state``, for one row already in hand."""
        now = now or timezone.now()
        if self.cancelled_at:
            return OccurrenceState.CANCELLED
        if self.done_at:
            return OccurrenceState.DONE if self.done_at <= self.due_at else OccurrenceState.LATE
        if now >= self.missed_after:
            return OccurrenceState.MISSED
        if now >= self.due_at:
            return OccurrenceState.OVERDUE
        return OccurrenceState.OPEN


class DutyEvidence(models.Model):
    """A file attached when a duty was done (a screenshot, a log extract), scanned on upload."""

    occurrence = models.ForeignKey(
        DutyOccurrence, on_delete=models.PROTECT, related_name="evidence"
    )
    blob = models.ForeignKey("core.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class ProblemState(models.TextChoices):
    OPEN = "open", _("open")
    LATE = "late", _("past its fix deadline")
    CLOSED = "closed", _("closed")


class DutyProblem(models.Model):
    """Something a duty found wrong: fixed within 7 working days (R-5.6, the annex's "waktu
    efektif"), or its role holders and the head of LPSE are told once that it is late."""

    occurrence = models.OneToOneField(
        DutyOccurrence, on_delete=models.PROTECT, related_name="problem"
    )
    description = models.TextField()
    found_at = models.DateTimeField()
    deadline = models.DateTimeField()
    late_alert_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closing_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["deadline"]

    def __str__(self) -> str:
        return f"{self.occurrence}: {self.description[:40]}"

    def state_at(self, now: datetime | None = None) -> ProblemState:
        if self.closed_at:
            return ProblemState.CLOSED
        if (now or timezone.now()) > self.deadline:
            return ProblemState.LATE
        return ProblemState.OPEN

    @property
    def closed_late(self) -> bool:
        return self.closed_at is not None and self.closed_at > self.deadline
