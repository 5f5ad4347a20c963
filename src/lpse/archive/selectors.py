"""What the backup status page, the alarms and the schedule read (SPEC 6, R-6.1-R-6.3): the
runs, the drills and the media log as the LPSE recorded them. Reads only; writes are in
``services``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from lpse.archive.models import BackupRun, MediaMovement, RestoreDrill, RunState

RECENT_RUNS = 30
CHART_RUNS = 90  # about three months of daily backups: enough to see a trend


def interval() -> timedelta:
    return timedelta(hours=settings.LPSE_BACKUP_INTERVAL_HOURS)


def configured_target_names() -> list[str]:
    """The targets as LPSE_BACKUP_TARGETS names them (a target's name is its entry)."""
    return [spec.strip() for spec in settings.LPSE_BACKUP_TARGETS if spec.strip()]


def target_names() -> list[str]:
    """The configured targets first, then any other target a run was once written to (a medium
    removed from the settings still shows how its last run went)."""
    names = configured_target_names()
    for name in BackupRun.objects.order_by("target").values_list("target", flat=True).distinct():
        if name not in names:
            names.append(name)
    return names


def last_run_per_target() -> list[tuple[str, BackupRun | None]]:
    """(target, its newest run or None) for every target."""
    return [
        (name, BackupRun.objects.filter(target=name).order_by("-started_at").first())
        for name in target_names()
    ]


def latest_run() -> BackupRun | None:
    return BackupRun.objects.order_by("-started_at").first()


def next_run_at(now: datetime | None = None) -> datetime:
    """When the hourly schedule next starts a backup: one interval after the newest run's
    start (``tasks.scheduled_backup``), or now when there has never been one or it is due."""
    now = now or timezone.now()
    latest = latest_run()
    if latest is None:
        return now
    return max(latest.started_at + interval(), now)


def newest_verified() -> BackupRun | None:
    """The newest good backup that a verify has checked since: the one the alarm is about."""
    return (
        BackupRun.objects.filter(state=RunState.GOOD, verified_at__isnull=False)
        .order_by("-started_at")
        .first()
    )


def recent_runs(limit: int = RECENT_RUNS) -> QuerySet[BackupRun]:
    return BackupRun.objects.order_by("-started_at")[:limit]


@dataclass(frozen=True)
class SizePoint:
    at: datetime
    total_bytes: int


def size_history(limit: int = CHART_RUNS) -> dict[str, list[SizePoint]]:
    """Per target, the size of each good (or since pruned) backup, oldest first: the chart."""
    runs = BackupRun.objects.filter(state__in=[RunState.GOOD, RunState.PRUNED]).order_by(
        "-started_at"
    )[:limit]
    history: dict[str, list[SizePoint]] = {}
    for run in reversed(list(runs)):
        history.setdefault(run.target, []).append(SizePoint(run.started_at, run.total_bytes))
    return history


def recent_drills(limit: int = 20) -> QuerySet[RestoreDrill]:
    return RestoreDrill.objects.order_by("-performed_at")[:limit]


def media_movements(*, out_only: bool = False) -> QuerySet[MediaMovement]:
    movements = MediaMovement.objects.select_related("recorded_by")
    if out_only:
        movements = movements.filter(returned_at__isnull=True)
    return movements.order_by("-taken_out_at", "-pk")


def medium_out(medium: str) -> MediaMovement | None:
    """The open movement of this medium (taken out, not yet back), whatever the case typed."""
    return (
        MediaMovement.objects.filter(medium__iexact=medium.strip(), returned_at__isnull=True)
        .order_by("-taken_out_at")
        .first()
    )
