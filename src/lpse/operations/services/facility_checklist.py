"""The daily manual facility checklist (R-4.3: "readings come in … or a daily manual
checklist"), for an LPSE without sensors: each working day the engineer on duty writes down
the room's readings; a reading out of range is e-mailed to the facility keepers at once, and a
checklist still missing at LPSE_FACILITY_CHECKLIST_HOUR (WITA) on a working day is reported to
them once that day (``remind_missing``, a periodic job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import is_working_day, to_wita, wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import mail_each
from lpse.operations.models import (
    ChecklistReminder,
    Device,
    FacilityChecklist,
    FirePanel,
    UpsStatus,
)
from lpse.operations.services.facility_alarms import keepers_emails

__all__ = [
    "ChecklistData",
    "checklist_hour",
    "checklist_record",
    "checklist_required",
    "remind_missing",
]

# The annex's room: 22 °C ± 2, 50 % RH ± 5; a generator below a quarter tank cannot carry a
# long outage.
TEMPERATURE = (Decimal(20), Decimal(24))
HUMIDITY = (Decimal(45), Decimal(55))
FUEL_FLOOR = 25


def checklist_hour() -> time:
    raw = str(settings.LPSE_FACILITY_CHECKLIST_HOUR)
    hour, minute = (int(part) for part in raw.split(":"))
    return time(hour, minute)


def checklist_required() -> bool:
    """The checklist is the record where no sensor reports: it is due while no active device
    has a token."""
    return not Device.objects.filter(active=True).exclude(token_hash="").exists()


@dataclass(frozen=True)
class ChecklistData:
    room_temperature: Decimal
    humidity: Decimal
    ups_status: str
    generator_fuel_percent: int
    ac_running: bool
    water_detected: bool
    fire_panel: str
    note: str = ""


def _problems(data: ChecklistData) -> list[str]:
    found = []
    if not TEMPERATURE[0] <= data.room_temperature <= TEMPERATURE[1]:
        found.append(
            _("room temperature %(value)s °C (normal 20–24 °C)") % {"value": data.room_temperature}
        )
    if not HUMIDITY[0] <= data.humidity <= HUMIDITY[1]:
        found.append(_("humidity %(value)s %% RH (normal 45–55 %% RH)") % {"value": data.humidity})
    if data.ups_status != UpsStatus.OK:
        found.append(_("UPS %(status)s") % {"status": UpsStatus(data.ups_status).label})
    if data.generator_fuel_percent < FUEL_FLOOR:
        found.append(
            _("generator fuel at %(n)d %% (refill below %(floor)d %%)")
            % {"n": data.generator_fuel_percent, "floor": FUEL_FLOOR}
        )
    if not data.ac_running:
        found.append(_("air conditioning not running"))
    if data.water_detected:
        found.append(_("water detected"))
    if data.fire_panel != FirePanel.NORMAL:
        found.append(
            _("fire suppression panel: %(state)s") % {"state": FirePanel(data.fire_panel).label}
        )
    return found


def _check_ranges(data: ChecklistData) -> None:
    # What no room can read: a typing slip, said on its field so the rest is kept.
    if not Decimal(-10) <= data.room_temperature <= Decimal(60):
        raise DomainError(
            _("Check the temperature: write it in °C, e.g. 22.5."), field="room_temperature"
        )
    if not Decimal(0) <= data.humidity <= Decimal(100):
        raise DomainError(_("Humidity is a percentage between 0 and 100."), field="humidity")
    if not 0 <= data.generator_fuel_percent <= 100:
        raise DomainError(
            _("The fuel level is a percentage between 0 and 100."), field="generator_fuel_percent"
        )


def checklist_record(
    *, actor, data: ChecklistData, now: datetime | None = None
) -> FacilityChecklist:
    """Today's (WITA) checklist; out-of-range readings are mailed to the facility keepers."""
    require_capability(actor, Cap.MANAGE_FACILITY)
    now = now or timezone.now()
    _check_ranges(data)
    day = to_wita(now).date()
    problems = _problems(data)
    try:
        with transaction.atomic():
            checklist = FacilityChecklist.objects.create(
                day=day,
                recorded_by=actor,
                recorded_at=now,
                problems=problems,
                **{**data.__dict__, "note": data.note.strip()},
            )
            audit.record(
                actor=actor,
                action="operations.facility.checklist_record",
                obj=checklist,
                data={"day": day.isoformat(), "problems": problems},
            )
            if problems:
                _mail_problems(checklist)
    except IntegrityError:
        existing = FacilityChecklist.objects.select_related("recorded_by").get(day=day)
        raise DomainError(
            _("Today's checklist was already recorded by %(who)s at %(when)s.")
            % {"who": existing.recorded_by, "when": wita_text(existing.recorded_at)}
        ) from None
    return checklist


def _mail_problems(checklist: FacilityChecklist) -> None:
    mail_each(keepers_emails(), lambda _to: _problems_message(checklist))


def _problems_message(checklist: FacilityChecklist) -> tuple[str, str]:
    subject = _("Facility checklist: out of range on %(day)s") % {
        "day": f"{checklist.day:%d-%m-%Y}"
    }
    body = "\n\n".join(
        [
            _("The checklist recorded by %(who)s at %(when)s found:")
            % {"who": checklist.recorded_by, "when": wita_text(checklist.recorded_at)},
            *[f"- {p}" for p in checklist.problems],
            _("Checklist: %(url)s") % {"url": site_url("operations:facility_checklist")},
        ]
    )
    return subject, body


def _missing_message(day: date) -> tuple[str, str]:
    subject = _("Facility checklist missing for %(day)s") % {"day": f"{day:%d-%m-%Y}"}
    body = "\n\n".join(
        [
            _(
                "Nobody has recorded today's facility checklist (room temperature, "
                "humidity, UPS, generator fuel, air conditioning, water, fire "
                "suppression panel) by %(hour)s WITA."
            )
            % {"hour": checklist_hour().strftime("%H:%M")},
            _("Record it: %(url)s") % {"url": site_url("operations:facility_checklist_record")},
        ]
    )
    return subject, body


def remind_missing(now: datetime | None = None) -> date | None:
    """The periodic job (every 15 minutes): on a working day, past the checklist hour, with no
    checklist and no sensors, tell the facility keepers once. Returns the day reported."""
    now = now or timezone.now()
    local = to_wita(now)
    day = local.date()
    if local.time() < checklist_hour() or not is_working_day(day) or not checklist_required():
        return None
    if FacilityChecklist.objects.filter(day=day).exists():
        return None
    try:
        with transaction.atomic():
            reminder = ChecklistReminder.objects.create(day=day, mailed_at=now)
            audit.record(
                actor=None,
                action="operations.facility.checklist_missing",
                obj=reminder,
                data={"day": day.isoformat()},
            )
            mail_each(keepers_emails(), lambda _to: _missing_message(day))
    except IntegrityError:  # another scheduler reported it first
        return None
    return day
