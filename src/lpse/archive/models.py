"""Backups (SPEC 6): each run, the media log of portable backup media (R-6.2), and restore
drills (R-6.3). The backups themselves live on their targets; these rows are what the LPSE
knows of them (the status page, the alarms, the duty register)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    RUNNING = "running", _("running")
    GOOD = "good", _("good")  # its manifest is signed and stored: restorable
    FAILED = "failed", _("failed")
    PRUNED = "pruned", _("removed by the retention rule")


class BackupRun(models.Model):
    """One backup to one target. Only a run whose signed manifest was stored is GOOD; a run
    killed midway stays RUNNING until the next run marks it FAILED and sweeps its pieces."""

    backup_id = models.CharField(max_length=40)  # names the manifest; one snapshot, many targets
    target = models.CharField(_("target"), max_length=300)
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    trigger = models.CharField(max_length=20, default="schedule")  # schedule | command | page
    database_kind = models.CharField(max_length=20, blank=True)
    pieces = models.PositiveIntegerField(default=0)
    pieces_new = models.PositiveIntegerField(default=0)
    total_bytes = models.PositiveBigIntegerField(default=0)  # the backup's pieces, all
    new_bytes = models.PositiveBigIntegerField(default=0)  # written by this run
    audit_head_seq = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verify_problems = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "-started_at"], name="backup_run_state_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["backup_id", "target"], name="backup_run_once_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.backup_id} → {self.target} ({self.state})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class MediaMovement(models.Model):
    """R-6.2: a portable backup medium taken out of its place (to the off-site safe, to be
    written) and brought back: which, where it is kept, who, when."""

    medium = models.CharField(_("medium"), max_length=100)  # its label, e.g. "HDD-2 (biru)"
    kept_at = models.CharField(_("where it is kept"), max_length=200)
    taken_by = models.CharField(_("taken out by"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    taken_out_at = models.DateTimeField(_("taken out"))
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-taken_out_at"]

    def __str__(self) -> str:
        return f"{self.medium}: {self.taken_out_at:%Y-%m-%d}"


class DrillResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class RestoreDrill(models.Model):
    """R-6.3: a backup restored into a scratch place and compared with its manifest, for the
    duty register."""

    backup_id = models.CharField(max_length=40)
    target = models.CharField(max_length=300)
    performed_at = models.DateTimeField(_("performed"))
    performed_by = models.CharField(_("by"), max_length=200)
    result = models.CharField(max_length=10, choices=DrillResult.choices)
    seconds = models.FloatField(default=0)
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-performed_at"]

    def __str__(self) -> str:
        return f"drill {self.backup_id} {self.result}"
