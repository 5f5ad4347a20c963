"""What operations keeps: samples (a time series per node), thresholds, alerts with their
acknowledgement, and planned maintenance windows (R-5.1–R-5.5, R-2.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resolution(models.TextChoices):
    """Raw samples are kept 48 hours, hourly means 90 days, daily means for ever (series.py)."""

    RAW = "raw", _("raw")
    HOUR = "hour", _("hourly")
    DAY = "day", _("daily")


class Sample(models.Model):
    """One value of one metric on one node at one time; a downsampled row is the mean of
    ``count`` raw values with their ``peak`` (the highest), so a short spike stays visible."""

    node = models.CharField(max_length=64)
    metric = models.CharField(max_length=64)
    # A metric's instance: "mount=/", "iface=eth0", "group=tenders", "target=127.0.0.1:53".
    labels = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField()
    resolution = models.CharField(max_length=4, choices=Resolution.choices, default=Resolution.RAW)
    value = models.FloatField()
    peak = models.FloatField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "metric", "labels", "resolution", "at"], name="sample_once"
            )
        ]
        indexes = [models.Index(fields=["metric", "resolution", "at"], name="sample_series")]

    def __str__(self) -> str:
        return f"{self.node} {self.metric}{{{self.labels}}} {self.at:%Y-%m-%d %H:%M} {self.value}"


class Comparison(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class Threshold(models.Model):
    """When a metric is in trouble, and who on duty hears of it. One row per metric; the
    defaults are made by a data migration and edited on the thresholds page."""

    metric = models.CharField(max_length=64, unique=True)
    comparison = models.CharField(
        max_length=5, choices=Comparison.choices, default=Comparison.ABOVE
    )
    warning = models.FloatField(null=True, blank=True)
    critical = models.FloatField(null=True, blank=True)
    # The condition must hold this long before an alert opens (an uplink down for N minutes).
    for_minutes = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    # Role codes (lpse.accounts.roles.Role) whose active accounts are e-mailed.
    notify_roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.metric


class Severity(models.TextChoices):
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


class AlertState(models.TextChoices):
    OPEN = "open", _("open")
    RECOVERED = "recovered", _("recovered")


class Alert(models.Model):
    """A threshold crossed on one node and instance, from when it opened until it recovered.
    At most one open alert per (node, metric, labels): the next sample updates it, and a rise
    from warning to critical is mailed once more."""

    node = models.CharField(max_length=64)
    metric = models.CharField(max_length=64)
    labels = models.CharField(max_length=200, blank=True, default="")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    state = models.CharField(max_length=9, choices=AlertState.choices, default=AlertState.OPEN)
    value = models.FloatField()
    limit = models.FloatField()
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    recovered_at = models.DateTimeField(null=True, blank=True)
    mailed_severity = models.CharField(max_length=8, blank=True, default="")
    recovery_mailed = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "metric", "labels"],
                condition=models.Q(state="open"),
                name="one_open_alert",
            )
        ]
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.metric}{{{self.labels}}} on {self.node}: {self.severity}"


class MaintenanceWindow(models.Model):
    """Planned downtime (R-5.3): announced on every page from ``announce_from`` and by e-mail;
    between ``starts_at`` and ``ends_at`` every page but the administrators' answers 503."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.TextField()
    announce_from = models.DateTimeField()
    # Why it goes ahead although a bid deadline falls inside it (recorded, then audited).
    deadline_reason = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_early_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="window_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


# Issue 17's models, one module each (each has its own writer); re-exported so that
# ``lpse.operations.models`` stays the one place to import them from.
from lpse.operations.models.duties import *  # noqa: E402, F403
from lpse.operations.models.facility import *  # noqa: E402, F403
from lpse.operations.models.server_room import *  # noqa: E402, F403
