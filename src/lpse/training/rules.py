"""The scheduling rules of R-2.2 (annex 2.4, step 7), in one place.

- Provider trainings: Wednesday and Thursday, 09:00–13:00 WITA.
- Trainings for Admin Agency, PPK and committees: Monday, Tuesday and Friday "or another day"
  (*atau hari lain*), 09:00–15:00 WITA. The other day is the one agreed with the SKPD in the
  helpdesk's phone call (step 2), so it must have been recorded there; a provider training has
  no such exception.
- Working days only (``lpse.core.calendar``: weekends, national holidays, collective leave and
  the days the administrator added).
- No room and no trainer in two trainings at once; no more participants than the room holds.

Each check raises ``DomainError`` with a message naming the rule, so the person scheduling knows
what to change. The functions take everything they judge as arguments; the services look up the
bookings inside the transaction that holds the room and trainer rows (see
``services.session_schedule``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import dateformat
from django.utils.translation import gettext as _

from lpse.core.calendar import non_working_reason, to_wita
from lpse.core.errors import DomainError
from lpse.training.models import Audience

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)
WEEKDAYS = {
    Audience.PROVIDERS: frozenset({WEDNESDAY, THURSDAY}),
    Audience.AGENCY_STAFF: frozenset({MONDAY, TUESDAY, FRIDAY}),
}
HOURS = {
    Audience.PROVIDERS: (time(9), time(13)),
    Audience.AGENCY_STAFF: (time(9), time(15)),
}


def _day(day: date) -> str:
    return dateformat.format(day, "l, j F Y")


def _hm(moment: datetime | time) -> str:
    return moment.strftime("%H:%M")


def check_times(
    *,
    audience: str,
    start: datetime,
    end: datetime,
    now: datetime,
    agreed_day: date | None = None,
) -> None:
    """The day and hours of a training for ``audience`` (annex 2.4). ``agreed_day``: the day
    agreed with the SKPD by phone, which an agency training may take instead of its weekdays."""
    start, end = to_wita(start), to_wita(end)
    if end <= start:
        raise DomainError(_("A training must end after it starts."), field="end", code="order")
    if start.date() != end.date():
        raise DomainError(
            _("A training starts and ends on the same day."), field="end", code="same_day"
        )
    if start <= now:
        raise DomainError(
            _("%(start)s has already passed: choose a time that is still to come.")
            % {"start": f"{_day(start.date())} {_hm(start)}"},
            field="date",
            code="past",
        )
    day = start.date()
    reason = non_working_reason(day)
    if reason is not None:
        raise DomainError(
            _("%(day)s is not a working day (%(reason)s): trainings are held on working days only.")
            % {"day": _day(day), "reason": reason},
            field="date",
            code="holiday",
        )
    check_weekday(audience=audience, day=day, agreed_day=agreed_day)
    opens, closes = HOURS[Audience(audience)]
    if start.time() < opens or end.time() > closes:
        if audience == Audience.PROVIDERS:
            message = _(
                "Provider trainings run from 09:00 to 13:00 WITA (SOP LPSE, annex 2.4): "
                "%(start)s–%(end)s is outside those hours."
            )
        else:
            message = _(
                "Trainings for Admin Agency, PPK and committees run from 09:00 to 15:00 WITA "
                "(SOP LPSE, annex 2.4): %(start)s–%(end)s is outside those hours."
            )
        raise DomainError(
            message % {"start": _hm(start), "end": _hm(end)}, field="start", code="hours"
        )


def check_weekday(*, audience: str, day: date, agreed_day: date | None = None) -> None:
    if day.weekday() in WEEKDAYS[Audience(audience)]:
        return
    if audience == Audience.PROVIDERS:
        raise DomainError(
            _(
                "Provider trainings are held on Wednesdays and Thursdays (SOP LPSE, annex 2.4): "
                "%(day)s is not one of them."
            )
            % {"day": _day(day)},
            field="date",
            code="weekday",
        )
    if agreed_day == day:
        return  # "atau hari lain": the day the SKPD agreed to on the phone
    raise DomainError(
        _(
            "Trainings for Admin Agency, PPK and committees are held on Mondays, Tuesdays and "
            "Fridays, or on the day agreed with the SKPD in the phone confirmation (SOP LPSE, "
            "annex 2.4): %(day)s is neither."
        )
        % {"day": _day(day)},
        field="date",
        code="weekday",
    )


@dataclass(frozen=True)
class Booking:
    """A training already holding a room or a trainer."""

    start: datetime
    end: datetime
    label: str


def first_overlap(start: datetime, end: datetime, bookings: Iterable[Booking]) -> Booking | None:
    """The first booking that shares time with [start, end); one ending as another starts is
    not an overlap."""
    for booking in bookings:
        if booking.start < end and start < booking.end:
            return booking
    return None


def _span(booking: Booking) -> str:
    start, end = to_wita(booking.start), to_wita(booking.end)
    return f"{_day(start.date())} {_hm(start)}–{_hm(end)}"


def check_room_free(
    *, room: str, start: datetime, end: datetime, bookings: Iterable[Booking]
) -> None:
    clash = first_overlap(start, end, bookings)
    if clash is not None:
        raise DomainError(
            _(
                "%(room)s is already booked on %(span)s (%(other)s): a room holds one training "
                "at a time."
            )
            % {"room": room, "span": _span(clash), "other": clash.label},
            field="room",
            code="room_busy",
        )


def check_trainer_free(
    *, trainer: str, start: datetime, end: datetime, bookings: Iterable[Booking]
) -> None:
    clash = first_overlap(start, end, bookings)
    if clash is not None:
        raise DomainError(
            _(
                "The trainer %(trainer)s already gives a training on %(span)s (%(other)s): a "
                "trainer cannot be in two trainings at once."
            )
            % {"trainer": trainer, "span": _span(clash), "other": clash.label},
            field="trainer",
            code="trainer_busy",
        )


def check_room_size(*, room: str, capacity: int, expected: int) -> None:
    if expected > capacity:
        raise DomainError(
            _(
                "%(room)s holds %(capacity)d people, but the SKPD expects %(expected)d "
                "participants: choose a larger room."
            )
            % {"room": room, "capacity": capacity, "expected": expected},
            field="room",
            code="room_small",
        )


def check_seats(*, registered: int, capacity: int) -> None:
    if registered >= capacity:
        raise DomainError(
            _("This training is full: all %(capacity)d seats are taken.") % {"capacity": capacity},
            code="full",
        )
