"""The monthly report of the annex V duties (R-5.6): per duty and per role, how many occurrences
were done on time, done late, missed, and how many are still undecided; with a stacked bar chart
drawn as server-side SVG like the Mutu Baku report (servicedesk/chart.py). Reads only.

An occurrence counts in the month its period starts (WITA); the state is the clock's at ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from lpse.operations.models import DutyOccurrence, OccurrenceState, Outcome


@dataclass
class Figures:
    key: str
    label: str
    group: str = ""
    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0  # still to do or overdue: not decided yet
    problems: int = 0

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def percent_on_time(self) -> float | None:
        return 100.0 * self.on_time / self.decided if self.decided else None

    def add(self, state: str, problem: bool) -> None:
        if state == OccurrenceState.DONE:
            self.on_time += 1
        elif state == OccurrenceState.LATE:
            self.late += 1
        elif state == OccurrenceState.MISSED:
            self.missed += 1
        else:
            self.pending += 1
        self.problems += problem


@dataclass
class Report:
    month: date
    duties: list[Figures] = field(default_factory=list)
    roles: list[Figures] = field(default_factory=list)
    total: Figures = field(default_factory=lambda: Figures("total", ""))


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


def monthly(month: date, *, role_labels: dict[str, str], now: datetime | None = None) -> Report:
    first, after = month_bounds(month)
    rows = (
        DutyOccurrence.objects.with_state(now or timezone.now())
        .filter(period_start__gte=first, period_start__lt=after)
        .exclude(state=OccurrenceState.CANCELLED)
        .select_related("duty")
        .order_by("duty__order", "period_start")
    )
    report = Report(month=first)
    by_duty: dict[int, Figures] = {}
    by_role: dict[str, Figures] = {}
    for occurrence in rows:
        duty = occurrence.duty
        has_problem = occurrence.outcome == Outcome.PROBLEM
        if duty.pk not in by_duty:
            by_duty[duty.pk] = Figures(duty.code, duty.title, duty.group)
        if occurrence.role not in by_role:
            by_role[occurrence.role] = Figures(
                occurrence.role, role_labels.get(occurrence.role, occurrence.role)
            )
        for figures in (by_duty[duty.pk], by_role[occurrence.role], report.total):
            figures.add(occurrence.state, has_problem)
    report.duties = list(by_duty.values())
    report.roles = sorted(by_role.values(), key=lambda f: f.label)
    return report


# --- the chart ---------------------------------------------------------------------------------

LABEL_WIDTH = 330
BAR_AREA = 360
ROW_HEIGHT = 24
BAR_HEIGHT = 16
TOP = 24
COLOURS = {"on_time": "#1b7a3a", "late": "#d9a400", "missed": "#b3261e", "pending": "#d8dee6"}


@dataclass(frozen=True)
class Segment:
    kind: str
    x: float
    width: float
    count: int
    fill: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    segments: list[Segment]
    figures: Figures

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = LABEL_WIDTH + BAR_AREA + 20
    label_width: int = LABEL_WIDTH
    colours: dict = field(default_factory=lambda: dict(COLOURS))

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(p, LABEL_WIDTH + BAR_AREA * p / 100) for p in (0, 50, 100)]


def chart(rows: list[Figures], labels: dict[str, str]) -> Chart:
    """One bar per row: the share of its occurrences on time, late, missed and pending."""
    bars = []
    for n, row in enumerate(rows):
        total = row.decided + row.pending
        x = float(LABEL_WIDTH)
        segments = []
        for kind in ("on_time", "late", "missed", "pending"):
            count = getattr(row, kind)
            width = BAR_AREA * count / total if total else 0.0
            if count:
                segments.append(Segment(kind, x, width, count, COLOURS[kind]))
            x += width
        bars.append(Bar(labels.get(row.key, row.label), TOP + n * ROW_HEIGHT, segments, row))
    return Chart(bars=bars, height=TOP + len(rows) * ROW_HEIGHT + 8)
