"""Unplanned outages found in the samples (R-5.3, R-3.3).

The host sampler writes ``memory_used_percent`` on every node every LPSE_SAMPLE_SECONDS; when
a node (or the whole installation) was down, its samples stop. A silence longer than
``GAP_INTERVALS`` sampling intervals that no planned window explains is an outage. For each,
the tenders whose bid deadline fell inside it are listed, so the committee can move the
schedule through R-3.3 (providers could not reach the site to bid).

Only the silence between two samples counts: a node that has not written since is either down
now (the alerts and probes say so) or retired.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from lpse.operations import selectors
from lpse.operations.models import MaintenanceWindow, Resolution, Sample
from lpse.tenders.selectors.deadlines import Deadline, bid_deadlines_between

HEARTBEAT_METRIC = "memory_used_percent"
GAP_INTERVALS = 3
# The raw samples are kept this long (series.py): further back there is nothing to look at.
DEFAULT_RANGE = timedelta(hours=48)


@dataclass(frozen=True)
class Outage:
    node: str
    start: datetime  # the last sample before the silence
    end: datetime  # the first one after it
    bid_deadlines: list[Deadline] = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> int:
        return round(self.duration.total_seconds() / 60)


def planned_spans(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The planned windows (not cancelled) as they really ran: to their early end, if any."""
    spans = []
    for window in MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, starts_at__lt=until, ends_at__gt=since
    ):
        end = min(window.ends_at, window.ended_early_at or window.ends_at)
        if end > window.starts_at:
            spans.append((window.starts_at, end))
    return sorted(spans)


def _unplanned(
    start: datetime, end: datetime, spans: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """What is left of [start, end] once the planned spans are taken out."""
    pieces = [(start, end)]
    for span_start, span_end in spans:
        left = []
        for a, b in pieces:
            if span_end <= a or span_start >= b:
                left.append((a, b))
                continue
            if a < span_start:
                left.append((a, span_start))
            if span_end < b:
                left.append((span_end, b))
        pieces = left
    return pieces


def silences(
    since: datetime, until: datetime, longest: timedelta
) -> list[tuple[str, datetime, datetime]]:
    """(node, last sample, next sample) for every pause between two heartbeat samples of a node
    longer than ``longest``, oldest first."""
    found = []
    previous: dict[str, datetime] = {}
    rows = Sample.objects.filter(
        metric=HEARTBEAT_METRIC, resolution=Resolution.RAW, at__gte=since, at__lte=until
    ).order_by("node", "at")
    for node, at in rows.values_list("node", "at").iterator(chunk_size=5000):
        before = previous.get(node)
        if before is not None and at - before > longest:
            found.append((node, before, at))
        previous[node] = at
    return sorted(found, key=lambda row: (row[1], row[0]))


def outages(since: datetime | None = None, until: datetime | None = None) -> list[Outage]:
    """The unplanned outages from ``since`` (default 48 hours ago) to ``until`` (now), each with
    the bid deadlines that fell inside it, newest first."""
    until = until or timezone.now()
    since = since or until - DEFAULT_RANGE
    longest = GAP_INTERVALS * selectors.sample_interval()
    spans = planned_spans(since, until)
    found = []
    for node, start, end in silences(since, until, longest):
        for a, b in _unplanned(start, end, spans):
            if b - a > longest:
                found.append(Outage(node, a, b, bid_deadlines_between(a, b)))
    return sorted(found, key=lambda o: (o.start, o.node), reverse=True)
