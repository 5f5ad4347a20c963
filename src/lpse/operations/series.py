"""Downsampling (R-5.1): raw samples for 48 hours, hourly means for 90 days, daily means for
ever. Each complete hour (day) is summarised once, as soon as it is complete, so the 30-day
charts read hourly rows; the raw (hourly) rows are deleted only when they pass their age.
Idempotent: a bucket already summarised is left as it is (the unique constraint)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max

from lpse.operations.models import Resolution, Sample

KEEP = {Resolution.RAW: timedelta(hours=48), Resolution.HOUR: timedelta(days=90)}
COARSER = {Resolution.RAW: Resolution.HOUR, Resolution.HOUR: Resolution.DAY}
BUCKET = {Resolution.HOUR: timedelta(hours=1), Resolution.DAY: timedelta(days=1)}


def bucket_start(at: datetime, resolution: str) -> datetime:
    """Hours and days in UTC: a WITA day starts at 16:00 UTC, but a chart of 90 days does not
    show the eight hours' difference and UTC buckets never meet a clock change."""
    at = at.astimezone(UTC)
    if resolution == Resolution.HOUR:
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def summarise(finer: str, now: datetime) -> int:
    """Write the coarser rows of every complete bucket not yet summarised; returns how many."""
    coarser = COARSER[finer]
    size = BUCKET[coarser]
    newest = Sample.objects.filter(resolution=coarser).aggregate(at=Max("at"))["at"]
    until = bucket_start(now, coarser)
    rows = Sample.objects.filter(resolution=finer, at__lt=until)
    if newest is not None:
        rows = rows.filter(at__gte=newest + size)
    buckets: dict[tuple, list[float]] = defaultdict(lambda: [0.0, float("-inf"), 0])
    for node, metric, labels, at, value, peak, count in rows.values_list(
        "node", "metric", "labels", "at", "value", "peak", "count"
    ).iterator(chunk_size=5000):
        acc = buckets[(node, metric, labels, bucket_start(at, coarser))]
        acc[0] += value * count  # a mean of means weighted by how many raw values each holds
        acc[1] = max(acc[1], peak)
        acc[2] += count
    made = [
        Sample(
            node=node,
            metric=metric,
            labels=labels,
            at=at,
            resolution=coarser,
            value=total / count,
            peak=peak,
            count=count,
        )
        for (node, metric, labels, at), (total, peak, count) in buckets.items()
    ]
    Sample.objects.bulk_create(made, batch_size=1000, ignore_conflicts=True)
    return len(made)


def downsample(now: datetime) -> dict[str, int]:
    """Summarise, then drop what passed its age. One transaction: a crash leaves either the
    raw rows or their summary, never neither."""
    done = {}
    with transaction.atomic():
        for finer in (Resolution.RAW, Resolution.HOUR):
            done[f"{COARSER[finer]}_made"] = summarise(finer, now)
            deleted, _ = Sample.objects.filter(resolution=finer, at__lt=now - KEEP[finer]).delete()
            done[f"{finer}_deleted"] = deleted
    return done
