"""Template tags of the backups (SPEC 6).

``{% backup_alarm_box %}`` on the account home page: the backup alarms (R-6.1), for those who
look after backups only (a template tag, so the accounts app needs no import of ours).
``{% size_chart history %}`` on the status page: the size of each backup over time, as inline
SVG drawn here on the server (no JavaScript; the page's Content-Security-Policy allows no
inline style, so colours are SVG attributes).
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lpse.archive.selectors import SizePoint
from lpse.archive.services import alerts
from lpse.core.calendar import to_wita
from lpse.core.capabilities import Cap, has_capability

register = template.Library()

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 20, 40  # room for the axis labels
COLOURS = ("#0b5fa5", "#1b7a3a", "#b3261e", "#8a5a00", "#5b3fa0")


@register.inclusion_tag("archive/_alarm_box.html", takes_context=True)
def backup_alarm_box(context):
    user = context["user"]
    if not (has_capability(user, Cap.MANAGE_BACKUPS) or has_capability(user, Cap.VIEW_BACKUPS)):
        return {"alarms": []}
    return {"alarms": alerts.backup_alarms()}


def _x(at: datetime, first: datetime, last: datetime) -> float:
    span = (last - first).total_seconds()
    inner = WIDTH - LEFT - RIGHT
    if span <= 0:
        return LEFT + inner / 2
    return LEFT + inner * (at - first).total_seconds() / span


def _y(size: int, largest: int) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - size / largest) if largest else TOP + inner


def _series(points: list[SizePoint], colour: str, first, last, largest) -> SafeString:
    coords = [(_x(p.at, first, last), _y(p.total_bytes, largest), p) for p in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _p in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{} · {}</title></circle>',
        (
            (
                f"{x:.1f}",
                f"{y:.1f}",
                colour,
                f"{to_wita(p.at):%d-%m-%Y %H:%M} WITA",
                filesizeformat(p.total_bytes),
            )
            for x, y, p in coords
        ),
    )
    return format_html(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>{}', line, colour, dots
    )


@register.simple_tag
def size_chart(history: dict[str, list[SizePoint]]) -> SafeString:
    """A line per target: x is when the backup was taken, y its size (all its pieces)."""
    points = [p for series in history.values() for p in series]
    if not points:
        return format_html('<p class="muted">{}</p>', _("No backup to chart yet."))
    first, last = min(p.at for p in points), max(p.at for p in points)
    largest = max(p.total_bytes for p in points)
    bottom = HEIGHT - BOTTOM
    lines = format_html_join(
        "",
        "{}",
        (
            (_series(series, COLOURS[i % len(COLOURS)], first, last, largest),)
            for i, series in enumerate(history.values())
        ),
    )
    legend = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
        (
            (LEFT + 160 * i, HEIGHT - 4, COLOURS[i % len(COLOURS)], name)
            for i, name in enumerate(history)
        ),
    )
    return format_html(
        '<svg class="size-chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#d8dee6"/>'
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#d8dee6"/>'
        '<text x="{lt}" y="{ty}" font-size="11" text-anchor="end" fill="#5b6775">{top}</text>'
        '<text x="{lt}" y="{b}" font-size="11" text-anchor="end" fill="#5b6775">0</text>'
        '<text x="{l}" y="{db}" font-size="11" fill="#5b6775">{start}</text>'
        '<text x="{r}" y="{db}" font-size="11" text-anchor="end" fill="#5b6775">{end}</text>'
        "{lines}{legend}</svg>",
        w=WIDTH,
        h=HEIGHT,
        label=_("Size of each backup over time"),
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=bottom,
        lt=LEFT - 6,
        ty=TOP + 4,
        db=bottom + 16,
        top=filesizeformat(largest),
        start=f"{to_wita(first):%d-%m-%Y}",
        end=f"{to_wita(last):%d-%m-%Y}",
        lines=lines,
        legend=legend,
    )
