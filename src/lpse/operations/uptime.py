"""Uptime per node (R-5.5, R-5.6 "is the SPSE site up; is the web server alive"): the share of
sample intervals in which the node sent its sample, planned maintenance kept apart.

A node samples itself every ``LPSE_SAMPLE_SECONDS``; a missing sample is a minute it was down
(or its scheduler was). Hourly rows keep how many raw samples they summarise (``count``), so the
same count works over 30 days after the raw rows are gone. Missing samples inside a planned
maintenance window (R-5.3) are not counted as downtime: they are reported as planned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Min
from django.utils import timezone

from lpse.operations.installation import INSTALLATION
from lpse.operations.models import MaintenanceWindow, Resolution, Sample
from lpse.operations.selectors import sample_interval
from lpse.operations.series import bucket_start

# Every run of the host sampler records it (sampler.memory), so it marks "this node was up".
HEARTBEAT_METRIC = "memory_used_percent"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Uptime:
    node: str
    days: int
    expected: int  # sample intervals in the period, planned maintenance included
    missing: int  # of those, without a sample and outside planned maintenance
    planned: int  # intervals inside planned maintenance
    since: datetime  # the period's start (the node's first sample when it is younger)

    @property
    def percent(self) -> float | None:
        available = self.expected - self.planned
        if available <= 0:
            return None
        return round(100.0 * (available - self.missing) / available, 2)

    @property
    def down_minutes(self) -> float:
        return self.missing * sample_interval().total_seconds() / 60

    @property
    def planned_minutes(self) -> float:
        return self.planned * sample_interval().total_seconds() / 60


def planned_spans(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The planned maintenance windows (not cancelled; cut short where ended early) that
    overlap the period, clipped to it."""
    spans = []
    for starts, ends, ended_early in MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, starts_at__lt=until, ends_at__gt=since
    ).values_list("starts_at", "ends_at", "ended_early_at"):
        end = min(ends, ended_early or ends, until)
        start = max(starts, since)
        if end > start:
            spans.append((start, end))
    return spans


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> float:
    return max(0.0, (min(a[1], b[1]) - max(a[0], b[0])).total_seconds())


def samples_per_hour(node: str, since: datetime) -> dict[datetime, int]:
    """How many samples the node sent in each hour: the hourly row's count, or the raw rows
    of an hour not summarised yet (whichever is larger: both may be there for a while)."""
    found: dict[datetime, int] = defaultdict(int)
    for at, count in Sample.objects.filter(
        node=node,
        metric=HEARTBEAT_METRIC,
        resolution=Resolution.HOUR,
        at__gte=bucket_start(since, Resolution.HOUR),
    ).values_list("at", "count"):
        found[at] = count
    raw: dict[datetime, int] = defaultdict(int)
    for at in Sample.objects.filter(
        node=node, metric=HEARTBEAT_METRIC, resolution=Resolution.RAW, at__gte=since
    ).values_list("at", flat=True):
        raw[bucket_start(at, Resolution.HOUR)] += 1
    for hour, count in raw.items():
        found[hour] = max(found[hour], count)
    return found


def first_sample(node: str) -> datetime | None:
    return Sample.objects.filter(node=node, metric=HEARTBEAT_METRIC).aggregate(at=Min("at"))["at"]


def last_sample(node: str) -> datetime | None:
    return Sample.objects.filter(node=node).aggregate(at=Max("at"))["at"]


def uptime(node: str, days: int, now: datetime | None = None) -> Uptime:
    """Per hour: the intervals expected in it, less the samples that came, less the planned
    time (missing samples are put in the planned part first), summed over the period."""
    now = now or timezone.now()
    interval = sample_interval().total_seconds()
    since = now - timedelta(days=days)
    born = first_sample(node)
    if born is not None and born > since:
        since = born  # a node younger than the period is not "down" before it existed
    counts = samples_per_hour(node, since)
    spans = planned_spans(since, now)
    expected = missing = planned = 0
    hour = bucket_start(since, Resolution.HOUR)
    while hour < now:
        part = (max(hour, since), min(hour + HOUR, now))
        want = int((part[1] - part[0]).total_seconds() // interval)
        in_window = min(want, int(sum(_overlap(part, span) for span in spans) // interval))
        absent = max(0, want - counts.get(hour, 0))
        expected += want
        planned += in_window
        missing += max(0, absent - in_window)
        hour += HOUR
    return Uptime(node, days, expected, missing, planned, since)


def nodes_seen(since: datetime) -> list[str]:
    """The nodes that sent samples since then (the installation's own readings are no node)."""
    return sorted(
        set(
            Sample.objects.filter(metric=HEARTBEAT_METRIC, at__gte=since)
            .exclude(node=INSTALLATION)
            .values_list("node", flat=True)
            .distinct()
        )
    )


def uptime_table(
    periods: tuple[int, ...] = (7, 30), now: datetime | None = None
) -> list[list[Uptime]]:
    """A row per node, an ``Uptime`` per period."""
    now = now or timezone.now()
    longest = max(periods)
    return [
        [uptime(node, days, now) for days in periods]
        for node in nodes_seen(now - timedelta(days=longest))
    ]
