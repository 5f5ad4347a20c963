"""Reading the samples, alerts and maintenance windows (R-5.1–R-5.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from lpse.operations.models import Alert, AlertState, MaintenanceWindow, Resolution, Sample

LATEST_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    peak: float


def latest(now: datetime | None = None) -> list[Sample]:
    """The newest run's samples of every node heard from in the last 15 minutes, sorted by
    (node, metric, labels).

    A node's sampler stamps all readings of a run with one time (``record_samples``), so the
    newest time of each node names its newest run: two small queries (that time per node, then
    those rows) instead of loading 15 minutes of samples to keep the last of each series — every
    ``/metrics`` scrape calls this. A series missing from a node's newest run (a mount gone, a
    probe that gave no reading) is not shown with an older value."""
    now = now or timezone.now()
    newest = (
        Sample.objects.filter(resolution=Resolution.RAW, at__gte=now - LATEST_WITHIN)
        .order_by()
        .values("node")
        .annotate(last=Max("at"))
        .values_list("node", "last")
    )
    runs = Q()
    for node, last in newest:
        runs |= Q(node=node, at=last)
    if not runs:
        return []
    return list(
        Sample.objects.filter(runs, resolution=Resolution.RAW).order_by("node", "metric", "labels")
    )


def series(
    metric: str,
    *,
    since: datetime,
    until: datetime | None = None,
    labels: str | None = None,
    node: str | None = None,
    resolution: str = Resolution.RAW,
) -> dict[tuple[str, str], list[Point]]:
    """Points of one metric by (node, labels), oldest first."""
    rows = Sample.objects.filter(metric=metric, resolution=resolution, at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    if labels is not None:
        rows = rows.filter(labels=labels)
    if node is not None:
        rows = rows.filter(node=node)
    found: dict[tuple[str, str], list[Point]] = {}
    for n, lab, at, value, peak in rows.order_by("at").values_list(
        "node", "labels", "at", "value", "peak"
    ):
        found.setdefault((n, lab), []).append(Point(at, value, peak))
    return found


def nodes(since: datetime) -> list[str]:
    return sorted(
        Sample.objects.filter(resolution=Resolution.RAW, at__gte=since)
        .values_list("node", flat=True)
        .distinct()
    )


def open_alerts():
    return Alert.objects.filter(state=AlertState.OPEN).select_related("acknowledged_by")


def alert_history(limit: int = 100):
    return Alert.objects.select_related("acknowledged_by").order_by("-opened_at")[:limit]


def windows_announced(now: datetime | None = None):
    """Maintenance to announce on every page now: announced, not yet over, not cancelled."""
    now = now or timezone.now()
    return MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True,
        ended_early_at__isnull=True,
        announce_from__lte=now,
        ends_at__gt=now,
    ).order_by("starts_at")


def window_in_force(now: datetime | None = None) -> MaintenanceWindow | None:
    now = now or timezone.now()
    return (
        MaintenanceWindow.objects.filter(
            cancelled_at__isnull=True,
            ended_early_at__isnull=True,
            starts_at__lte=now,
            ends_at__gt=now,
        )
        .order_by("ends_at")
        .last()
    )


def maintenance_history(limit: int = 50):
    return MaintenanceWindow.objects.select_related("created_by").order_by("-starts_at")[:limit]


def sample_interval() -> timedelta:
    return timedelta(seconds=settings.LPSE_SAMPLE_SECONDS)
