"""Indonesian working days (R-1.4, R-5.6) and WITA time.

A working day is Monday to Friday, not a national public holiday, not a collective leave day
(*cuti bersama*, the ``government`` category of the ``holidays`` package) and not a day the
application administrator has added (``core.ExtraNonWorkingDay``: a regional holiday, a decree
published after the package was released).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WITA = ZoneInfo("Asia/Makassar")


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("ID", years=year, categories=("public", "government")))


def non_working_reason(day: date) -> str | None:
    """Why ``day`` is not a working day, or None when it is one."""
    from lpse.core.models import ExtraNonWorkingDay

    if day.weekday() >= 5:
        return "Sabtu" if day.weekday() == 5 else "Minggu"
    national = _national_holidays(day.year).get(day)
    if national:
        return national
    extra = ExtraNonWorkingDay.objects.filter(day=day).values_list("reason", flat=True).first()
    return extra


def is_working_day(day: date) -> bool:
    return non_working_reason(day) is None


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def end_of_day_wita(day: date) -> datetime:
    """The last instant of ``day`` in WITA: deadlines 'on day D' run until midnight."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=WITA)


def to_wita(moment: datetime) -> datetime:
    return moment.astimezone(WITA)


def wita_text(moment: datetime | None, *, seconds: bool = False) -> str:
    """A moment as people here write it in letters and e-mails: ``28-11-2026 14:05 WITA``."""
    if moment is None:
        return "-"
    return f"{to_wita(moment):%d-%m-%Y %H:%M{':%S' if seconds else ''}} WITA"


def month_asked(raw: str) -> tuple[date, str]:
    """A monthly report's month from ``?bulan=2026-07``, else the current month in WITA, with
    what to tell the person when what they typed was not a month."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1), ""
    except ValueError:
        current = to_wita(timezone.now()).date().replace(day=1)
        problem = (
            _("“%(month)s” is not a month (use YYYY-MM); showing %(current)s.")
            % {"month": raw, "current": f"{current:%Y-%m}"}
            if raw
            else ""
        )
        return current, problem
