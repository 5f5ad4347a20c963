"""The monitoring page (R-5.1, R-5.2, R-5.4, R-5.6) and LKPP's read-only view (R-5.5).

Both only read: no form, no button that changes anything, so every role that holds
``VIEW_SYSTEM_STATUS`` (LKPP's monitor and the auditors among them) may open them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from lpse.accounts import selectors as accounts
from lpse.bids import selectors as bids
from lpse.core.calendar import to_wita
from lpse.core.capabilities import Cap, requires
from lpse.operations import chart, selectors, uptime
from lpse.operations.defaults import METRIC_LABELS
from lpse.operations.installation import INSTALLATION
from lpse.operations.models import Comparison, Resolution, Threshold
from lpse.tenders.selectors import counts as tender_counts

# A node samples every minute; three missed samples and it is shown as silent. The
# installation's readings come every five minutes (celery.INSTALLATION_SCHEDULE), so three of
# those.
SILENT_AFTER = timedelta(minutes=3)
INSTALLATION_SILENT_AFTER = timedelta(minutes=15)
KNOWN_FOR = timedelta(hours=48)  # a node silent for longer than the raw samples are kept is gone

UNITS = {
    "disk_used_percent": "%",
    "disk_free_bytes": "B",
    "memory_used_percent": "%",
    "swap_used_percent": "%",
    "cpu_percent": "%",
    "net_received_bytes_per_s": "B/s",
    "net_sent_bytes_per_s": "B/s",
    "net_received_packets_per_s": "/s",
    "net_sent_packets_per_s": "/s",
    "requests_per_s": "/s",
    "latency_ms": "ms",
    "error_rate_percent": "%",
    "uplink_up": "up",
    "uplink_latency_ms": "ms",
    "database_bytes": "B",
    "table_bytes": "B",
}
ORDER = {metric: n for n, metric in enumerate(METRIC_LABELS)}


@dataclass(frozen=True)
class Spec:
    key: str
    title: object  # a lazy translation
    metrics: tuple[str, ...]
    labels: str | None = None  # only this instance (the sum of every route group)


CHARTS = (
    Spec("disk", gettext_lazy("Disk used"), ("disk_used_percent",)),
    Spec(
        "memory", gettext_lazy("Memory and swap used"), ("memory_used_percent", "swap_used_percent")
    ),
    Spec("cpu", gettext_lazy("CPU busy"), ("cpu_percent",)),
    Spec("load", gettext_lazy("Load per CPU"), ("load_per_cpu",)),
    Spec(
        "network",
        gettext_lazy("Network traffic"),
        ("net_received_bytes_per_s", "net_sent_bytes_per_s"),
    ),
    Spec("requests", gettext_lazy("Requests per second"), ("requests_per_s",), "group=all"),
    Spec("latency", gettext_lazy("Mean response time"), ("latency_ms",), "group=all"),
    Spec(
        "errors",
        gettext_lazy("Server errors (% of requests)"),
        ("error_rate_percent",),
        "group=all",
    ),
    Spec("uplink", gettext_lazy("Internet uplink reachable"), ("uplink_up",)),
    Spec("uplink-time", gettext_lazy("Uplink connect time"), ("uplink_latency_ms",)),
)
LKPP_CHARTS = ("disk", "memory")


def frame_for(range_key: str, now: datetime) -> chart.Frame:
    if range_key == "30d":
        return chart.Frame(
            since=now - timedelta(days=30),
            until=now,
            interval=timedelta(hours=1),
            tick_step=timedelta(days=5),
            tick_format="%d-%m",
            table_bucket=timedelta(days=1),
            peaks=True,
        )
    return chart.Frame(
        since=now - timedelta(hours=24),
        until=now,
        interval=selectors.sample_interval(),
        tick_step=timedelta(hours=4),
        tick_format="%H:%M",
        table_bucket=timedelta(hours=1),
        peaks=False,
    )


def hourly_points(metric: str, frame: chart.Frame, labels: str | None):
    """Hourly rows, then the raw samples of the hours not summarised yet, each such hour as
    one point (mean and peak): the last hour is on the 30-day chart too."""
    found = selectors.series(metric, since=frame.since, labels=labels, resolution=Resolution.HOUR)
    newest = max((pts[-1].at for pts in found.values()), default=frame.since - timedelta(hours=1))
    tail = selectors.series(metric, since=newest + timedelta(hours=1), labels=labels)
    for key, pts in tail.items():
        hours: dict[datetime, list[float]] = {}
        for p in pts:
            hours.setdefault(p.at.replace(minute=0, second=0, microsecond=0), []).append(p.value)
        found.setdefault(key, []).extend(
            selectors.Point(at, sum(v) / len(v), max(v)) for at, v in sorted(hours.items())
        )
    return found


def build_chart(spec: Spec, frame: chart.Frame, thresholds: dict[str, Threshold]) -> chart.Chart:
    series = {}
    for metric in spec.metrics:
        if frame.peaks:
            found = hourly_points(metric, frame, spec.labels)
        else:
            found = selectors.series(metric, since=frame.since, labels=spec.labels)
        for (node, labels), pts in found.items():
            parts = [node]
            if len(spec.metrics) > 1:
                parts.append(str(METRIC_LABELS.get(metric, metric)))
            if labels and spec.labels is None:
                parts.append(labels.split("=", 1)[-1])
            series[" · ".join(parts)] = pts
    first = thresholds.get(spec.metrics[0])
    return chart.build(
        key=spec.key,
        title=str(spec.title),
        unit=UNITS.get(spec.metrics[0], ""),
        series=series,
        frame=frame,
        warning=first.warning if first else None,
        critical=first.critical if first else None,
        fixed_top=1.0 if spec.metrics[0] == "uplink_up" else None,
        above=first is None or first.comparison == Comparison.ABOVE,
    )


def enabled_thresholds() -> dict[str, Threshold]:
    return {t.metric: t for t in Threshold.objects.filter(enabled=True)}


def level(value: float, threshold: Threshold | None) -> str:
    """ok / warning / critical against the metric's threshold, as the alerts judge it."""
    if threshold is None:
        return "ok"
    above = threshold.comparison == Comparison.ABOVE

    def crossed(limit: float | None) -> bool:
        return limit is not None and (value >= limit if above else value <= limit)

    if crossed(threshold.critical):
        return "critical"
    if crossed(threshold.warning):
        return "warning"
    return "ok"


@dataclass(frozen=True)
class Row:
    metric: str
    label: str
    instance: str
    value: str
    level: str


@dataclass(frozen=True)
class NodeState:
    node: str
    last_at: datetime | None
    silent: bool
    rows: list[Row]

    @property
    def is_installation(self) -> bool:
        return self.node == INSTALLATION


def current_state(now: datetime, thresholds: dict[str, Threshold]) -> list[NodeState]:
    """Each node's newest readings with their threshold state; a node known in the last 48
    hours that has sent nothing for three intervals is silent (its last readings, if any
    within 15 minutes, still shown)."""
    by_node: dict[str, list] = {}
    for sample in selectors.latest(now):
        by_node.setdefault(sample.node, []).append(sample)
    states = []
    for node in sorted(set(by_node) | set(selectors.nodes(now - KNOWN_FOR))):
        samples = sorted(by_node.get(node, []), key=lambda s: (ORDER.get(s.metric, 99), s.labels))
        last = max((s.at for s in samples), default=None) or uptime.last_sample(node)
        quiet = INSTALLATION_SILENT_AFTER if node == INSTALLATION else SILENT_AFTER
        rows = [
            Row(
                metric=s.metric,
                label=str(METRIC_LABELS.get(s.metric, s.metric)),
                instance=s.labels.split("=", 1)[-1] if s.labels else "",
                value=chart.format_value(s.value, UNITS.get(s.metric, "")),
                level=level(s.value, thresholds.get(s.metric)),
            )
            for s in samples
        ]
        states.append(NodeState(node, last, last is None or now - last > quiet, rows))
    return states


def labelled(alerts) -> list[tuple[object, str]]:
    return [(a, str(METRIC_LABELS.get(a.metric, a.metric))) for a in alerts]


def range_choice(request) -> str:
    return "30d" if request.GET.get("range") == "30d" else "24h"


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe  # read-only: a POST is refused with 405, not served
def monitor(request):
    now = timezone.now()
    range_key = range_choice(request)
    thresholds = enabled_thresholds()
    frame = frame_for(range_key, now)
    return render(
        request,
        "operations/monitor.html",
        {
            "now": now,
            "range": range_key,
            "nodes": current_state(now, thresholds),
            "charts": [build_chart(spec, frame, thresholds) for spec in CHARTS],
            "alerts": labelled(selectors.open_alerts()),
            "signed_in": accounts.signed_in_by_role(now),
            "can_handle": Cap.HANDLE_ALERTS in request.user.capabilities(),
        },
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe  # read-only: a POST is refused with 405, not served
def lkpp(request):
    now = timezone.now()
    thresholds = enabled_thresholds()
    frame = frame_for("30d", now)
    capacity = [
        NodeState(s.node, s.last_at, s.silent, [r for r in s.rows if r.metric in CAPACITY_METRICS])
        for s in current_state(now, thresholds)
        if not s.is_installation
    ]
    year = to_wita(now).year
    return render(
        request,
        "operations/lkpp.html",
        {
            "now": now,
            "year": year,
            "nodes": capacity,
            "charts": [build_chart(s, frame, thresholds) for s in CHARTS if s.key in LKPP_CHARTS],
            "uptimes": uptime.uptime_table((7, 30), now),
            "alerts": labelled(selectors.alert_history()),
            "windows": selectors.maintenance_history(),
            "tenders": tender_counts.tenders_by_state(year),
            "bids": bids.bids_by_state(year),
        },
    )


CAPACITY_METRICS = {
    "disk_used_percent",
    "disk_free_bytes",
    "memory_used_percent",
    "swap_used_percent",
}
