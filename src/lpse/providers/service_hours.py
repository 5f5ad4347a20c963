"""Walk-in verification hours (R-1.4): working days, 09:00–15:00 WITA unless configured
otherwise (``LPSE_VERIFICATION_HOURS``), and the registration deadline as people read it.

The deadline is a *day*: the provider must come to the desk on or before the 7th working day,
during service hours. It is stored as the end of that day (``Company.verify_by``, midnight WITA,
so a visit that started before closing time can still be recorded), which is why it must never
be shown as a moment: "Kamis, 17 Desember 2026 00:00" named the day *after* the last one.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lpse.core.calendar import is_working_day, to_wita


def hours() -> tuple[time, time] | None:
    """Opening and closing time (WITA), or None when the LPSE keeps no walk-in hours."""
    value = settings.LPSE_VERIFICATION_HOURS
    if not value:
        return None
    opens, closes = value.split("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


def hours_text() -> str:
    """``09:00–15:00 WITA``: the hours as the pages and e-mails print them."""
    window = hours()
    if window is None:
        return _("by appointment")
    return f"{window[0]:%H:%M}–{window[1]:%H:%M} WITA"


def within_hours(moment: datetime) -> bool:
    """Whether ``moment`` falls on a working day inside the walk-in hours."""
    window = hours()
    if window is None:
        return True
    local = to_wita(moment)
    return is_working_day(local.date()) and window[0] <= local.time() < window[1]


# The longest standard time of the check itself (annex 1.2: 15–30 minutes): a visit that began
# before closing time may be decided this long after it.
CHECK_TAKES_AT_MOST = timedelta(minutes=30)


def visit_within_hours(*, opened_at: datetime | None, decided_at: datetime) -> bool:
    """A counter visit is inside the hours when the decision is, or when the verifier opened the
    file inside the hours the same day and decides within the check's standard time after
    closing: a provider seen at 14:50 whose check ends at 15:10 came in time. A file opened on
    another day, or a decision long after closing, is not that visit."""
    if within_hours(decided_at):
        return True
    window = hours()
    if window is None or opened_at is None or not within_hours(opened_at):
        return False
    opened, decided = to_wita(opened_at), to_wita(decided_at)
    closing = datetime.combine(opened.date(), window[1], tzinfo=opened.tzinfo)
    return opened.date() == decided.date() and decided <= closing + CHECK_TAKES_AT_MOST


def last_day(verify_by: datetime) -> date:
    """The last working day on which the documents may be brought (``verify_by`` is the end of
    that day, midnight WITA)."""
    return (to_wita(verify_by) - timedelta(microseconds=1)).date()


def deadline_text(verify_by: datetime) -> str:
    """``Rabu, 16 Desember 2026, during service hours (09:00–15:00 WITA)``."""
    return _("%(day)s, during service hours (%(hours)s)") % {
        "day": date_format(last_day(verify_by), "l, j F Y"),
        "hours": hours_text(),
    }
