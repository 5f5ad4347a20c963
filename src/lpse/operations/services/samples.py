"""Recording samples (R-5.1, R-5.2, R-5.4) and keeping the series to its ages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from lpse.operations import series
from lpse.operations.models import Resolution, Sample
from lpse.operations.readings import Reading


def record_samples(readings: Iterable[Reading], *, node: str, at: datetime | None = None) -> int:
    """Keep one run's readings, stamped with one time; returns how many were kept."""
    at = (at or timezone.now()).replace(microsecond=0)
    rows = [
        Sample(
            node=node,
            metric=r.metric,
            labels=r.labels,
            at=at,
            resolution=Resolution.RAW,
            value=r.value,
            peak=r.value,
        )
        for r in readings
    ]
    with transaction.atomic():
        # A second run in the same second (two schedulers of one node) adds nothing.
        Sample.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def downsample(now: datetime | None = None) -> dict[str, int]:
    return series.downsample(now or timezone.now())
