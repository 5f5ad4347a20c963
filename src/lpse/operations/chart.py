"""Line charts of the samples (R-5.1, R-5.2, R-5.4), computed here and drawn by
``operations/_chart.html`` as inline SVG with presentation attributes only: no JavaScript
library, nothing the Content-Security-Policy would refuse (as servicedesk/chart.py does).

A polyline per series (node and instance), broken where no sample came for more than three
intervals (a node down must look down, not be bridged by a straight line); over 30 days a
lighter line shows each hour's peak, so a short spike stays visible in the hourly means.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from lpse.core.calendar import to_wita
from lpse.operations.selectors import Point

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 14, 34  # room for the y labels and the WITA times
GAP_INTERVALS = 3
COLOURS = ("#0b5fa5", "#1b7a3a", "#8a3ffc", "#b35c00", "#007d79", "#9f1853", "#3d4a5c")
WARNING_COLOUR, CRITICAL_COLOUR = "#8a6d00", "#b3261e"
PERCENT_UNITS = {"%"}


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the drawing
    text: str


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    segments: list[str]  # "x,y x,y …": one polyline per unbroken run
    dots: list[tuple[float, float]]  # a run of a single point: drawn as a dot
    peak_segments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A threshold drawn across the chart."""

    y: float
    label: str
    colour: str
    dy: int = -3  # the critical label above its line, the warning one below: never on each other


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    rules: list[Rule]
    table_head: list[str]
    table_rows: list[tuple[str, list[str]]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.lines


def format_value(value: float | None, unit: str) -> str:
    """A value as people read it: bytes in KB/MB/GB, the rest with a sensible precision."""
    if value is None:
        return "—"
    if unit in ("B", "B/s"):
        size = abs(value)
        for suffix in ("", "K", "M", "G", "T"):
            if size < 1024 or suffix == "T":
                break
            size /= 1024
            value /= 1024
        digits = 0 if suffix == "" else 1
        return f"{value:.{digits}f} {suffix}{unit}"
    if unit == "up":
        return _("up") if value >= 0.5 else _("down")
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:.{digits}f}{' ' + unit if unit else ''}"


def nice_top(largest: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``largest``: round tick labels."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= largest:
            return step * power
    return 10 * power


def split_runs(points: list[Point], interval: timedelta) -> list[list[Point]]:
    """Consecutive points, broken where the next came more than three intervals later."""
    runs: list[list[Point]] = []
    for point in points:
        if runs and point.at - runs[-1][-1].at <= interval * GAP_INTERVALS:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs


def x_ticks(
    since: datetime, until: datetime, step: timedelta, fmt: str
) -> list[tuple[datetime, str]]:
    """Ticks at whole WITA hours (days) ``step`` apart, labelled in WITA."""
    start = to_wita(since)
    if step >= timedelta(days=1):
        start = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    else:
        hours = int(step.total_seconds() // 3600)
        start = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        start += timedelta(hours=(-start.hour) % hours)
    ticks = []
    while start <= until:
        ticks.append((start, f"{start:{fmt}}"))
        start += step
    return ticks


@dataclass(frozen=True)
class Frame:
    """The window of a chart: from ``since`` to ``until``, points ``interval`` apart."""

    since: datetime
    until: datetime
    interval: timedelta
    tick_step: timedelta
    tick_format: str
    table_bucket: timedelta  # rows of the data table: an hour (24 h) or a day (30 days)
    peaks: bool


def build(
    *,
    key: str,
    title: str,
    unit: str,
    series: dict[str, list[Point]],
    frame: Frame,
    warning: float | None = None,
    critical: float | None = None,
    fixed_top: float | None = None,
    above: bool = True,
) -> Chart:
    """The geometry of one chart: ``series`` by its legend label, oldest point first."""
    series = {label: pts for label, pts in series.items() if pts}
    values = [p.peak if frame.peaks else p.value for pts in series.values() for p in pts]
    top_value = fixed_top or (100.0 if unit in PERCENT_UNITS else nice_top(max(values, default=0)))
    top_value = max(top_value, nice_top(max(values, default=0)))
    span = (frame.until - frame.since).total_seconds() or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return round(LEFT + inner_w * (at - frame.since).total_seconds() / span, 1)

    def y(value: float) -> float:
        clipped = min(max(value, 0.0), top_value)
        return round(TOP + inner_h * (1 - clipped / top_value), 1)

    lines = []
    for n, (label, pts) in enumerate(sorted(series.items())):
        runs = split_runs(pts, frame.interval)
        lines.append(
            Line(
                label=label,
                colour=COLOURS[n % len(COLOURS)],
                segments=[
                    " ".join(f"{x(p.at)},{y(p.value)}" for p in r) for r in runs if len(r) > 1
                ],
                dots=[(x(r[0].at), y(r[0].value)) for r in runs if len(r) == 1],
                peak_segments=[
                    " ".join(f"{x(p.at)},{y(p.peak)}" for p in r) for r in runs if len(r) > 1
                ]
                if frame.peaks
                else [],
            )
        )
    rules = [
        Rule(y(limit), f"{name} {format_value(limit, unit)}", colour, dy)
        for limit, name, colour, dy in (
            (warning, _("warning"), WARNING_COLOUR, 11 if above else -3),
            (critical, _("critical"), CRITICAL_COLOUR, -3 if above else 11),
        )
        # A limit far above the data would squash the lines flat: drawn when within the scale.
        if limit is not None and 0 <= limit <= top_value
    ]
    head, rows = data_table(series, frame, unit)
    return Chart(
        key=key,
        title=title,
        description=describe(series, frame, unit),
        lines=lines,
        x_ticks=[
            Tick(x(at), text)
            for at, text in x_ticks(frame.since, frame.until, frame.tick_step, frame.tick_format)
        ],
        y_ticks=[
            Tick(y(top_value * i / 4), format_value(top_value * i / 4, unit)) for i in range(5)
        ],
        rules=rules,
        table_head=head,
        table_rows=rows,
    )


def describe(series: dict[str, list[Point]], frame: Frame, unit: str) -> str:
    """The chart in one sentence for a screen reader: the period and each series' range."""
    period = _("From %(since)s to %(until)s WITA.") % {
        "since": f"{to_wita(frame.since):%d-%m-%Y %H:%M}",
        "until": f"{to_wita(frame.until):%d-%m-%Y %H:%M}",
    }
    if not series:
        return f"{period} {_('No samples in this period.')}"
    parts = [
        _("%(label)s: from %(low)s to %(high)s, latest %(last)s")
        % {
            "label": label,
            "low": format_value(min(p.value for p in pts), unit),
            "high": format_value(max(p.peak for p in pts), unit),
            "last": format_value(pts[-1].value, unit),
        }
        for label, pts in sorted(series.items())
    ]
    return f"{period} {'; '.join(parts)}."


def data_table(
    series: dict[str, list[Point]], frame: Frame, unit: str
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The chart as a table (its accessible alternative): a row per hour (day) in WITA, a column
    per series, each cell the mean of that hour's (day's) points."""
    labels = sorted(series)
    sums: dict[tuple[datetime, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for label in labels:
        for p in series[label]:
            at = to_wita(p.at)
            if frame.table_bucket >= timedelta(days=1):
                bucket = at.replace(hour=0, minute=0, second=0, microsecond=0)
            else:
                bucket = at.replace(minute=0, second=0, microsecond=0)
            acc = sums[(bucket, label)]
            acc[0] += p.value
            acc[1] += 1
    buckets = sorted({bucket for bucket, _label in sums})
    fmt = "%d-%m-%Y" if frame.table_bucket >= timedelta(days=1) else "%d-%m %H:00"
    rows = [
        (
            f"{bucket:{fmt}}",
            [
                format_value(sums[(bucket, label)][0] / sums[(bucket, label)][1], unit)
                if (bucket, label) in sums
                else "—"
                for label in labels
            ],
        )
        for bucket in buckets
    ]
    return labels, rows
