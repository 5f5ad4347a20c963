"""A bar chart of the share of steps that met their standard time (R-3.6), drawn on the server
as inline SVG: no JavaScript library, and nothing the Content-Security-Policy would refuse
(presentation attributes only, no ``style``)."""

from __future__ import annotations

from dataclasses import dataclass

from lpse.servicedesk.selectors import StepFigures

LABEL_WIDTH = 390
BAR_AREA = 300
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 24  # room for the 0 / 50 / 100 % scale
WIDTH = LABEL_WIDTH + BAR_AREA + 60


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float | None
    y: int
    width: float
    fill: str

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA
    top: int = TOP

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(p, LABEL_WIDTH + BAR_AREA * p / 100) for p in (0, 50, 100)]


def _fill(percent: float) -> str:
    if percent >= 80:
        return "#1b7a3a"
    if percent >= 50:
        return "#d9a400"
    return "#b3261e"


def compliance_chart(rows: list[StepFigures]) -> Chart:
    bars = []
    for n, row in enumerate(rows):
        percent = row.percent_met
        bars.append(
            Bar(
                label=f"{row.procedure_label} — {row.standard.label}",
                percent=percent,
                y=TOP + n * ROW_HEIGHT,
                width=BAR_AREA * percent / 100 if percent is not None else 0,
                fill=_fill(percent) if percent is not None else "#d8dee6",
            )
        )
    return Chart(bars=bars, height=TOP + len(rows) * ROW_HEIGHT + 8)
