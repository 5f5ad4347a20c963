"""A device's last 24 hours as a line chart (R-4.3), drawn on the server as inline SVG: no
JavaScript, and nothing the Content-Security-Policy refuses (presentation attributes only).
The normal band (between the thresholds) is shaded, so a reading outside it shows at once."""

from __future__ import annotations

from datetime import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lpse.core.calendar import to_wita

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 36
MAX_POINTS = 720  # one a couple of minutes over a day: finer than the chart can show


def _thin(points: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    if len(points) <= MAX_POINTS:
        return points
    step = len(points) / MAX_POINTS
    return [points[int(i * step)] for i in range(MAX_POINTS)] + [points[-1]]


def reading_chart(
    points: list[tuple[datetime, float]],
    *,
    start: datetime,
    end: datetime,
    unit: str,
    low: float | None,
    high: float | None,
) -> SafeString:
    if not points:
        return format_html('<p class="muted">{}</p>', _("No reading in the last 24 hours."))
    points = _thin(points)
    values = [v for _at, v in points] + [x for x in (low, high) if x is not None]
    bottom_value, top_value = min(values), max(values)
    margin = (top_value - bottom_value) * 0.1 or 1.0
    bottom_value, top_value = bottom_value - margin, top_value + margin
    span = (end - start).total_seconds() or 1.0
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return LEFT + inner_w * max(0.0, (at - start).total_seconds()) / span

    def y(value: float) -> float:
        return TOP + inner_h * (1 - (value - bottom_value) / (top_value - bottom_value))

    band = ""
    if low is not None and high is not None:
        band = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#e3f1e6"><title>{}</title></rect>',
            LEFT,
            f"{y(high):.1f}",
            inner_w,
            f"{y(low) - y(high):.1f}",
            _("normal: %(low)g–%(high)g %(unit)s") % {"low": low, "high": high, "unit": unit},
        )
    line = " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v in points)
    last_at, last_value = points[-1]
    base = HEIGHT - BOTTOM
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#5b6775">{}</text>',
        (
            (f"{x(moment):.1f}", base + 16, f"{to_wita(moment):%H:%M}")
            for moment in (start + (end - start) * i / 4 for i in range(5))
        ),
    )
    return format_html(
        '<svg class="facility-chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">{band}'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#d8dee6"/>'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#d8dee6"/>'
        '<text x="{lt}" y="{ty}" font-size="11" text-anchor="end" fill="#5b6775">{top}</text>'
        '<text x="{lt}" y="{b}" font-size="11" text-anchor="end" fill="#5b6775">{bot}</text>'
        '<polyline points="{line}" fill="none" stroke="#0b5fa5" stroke-width="2"/>'
        '<circle cx="{lx}" cy="{ly}" r="3" fill="#0b5fa5"><title>{last}</title></circle>'
        "{ticks}</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=_("Readings of the last 24 hours, in %(unit)s") % {"unit": unit},
        band=band,
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=base,
        lt=LEFT - 6,
        ty=TOP + 10,
        top=f"{top_value:.1f} {unit}",
        bot=f"{bottom_value:.1f}",
        line=line,
        lx=f"{x(last_at):.1f}",
        ly=f"{y(last_value):.1f}",
        last=f"{to_wita(last_at):%d-%m-%Y %H:%M} WITA · {last_value:g} {unit}",
        ticks=ticks,
    )
