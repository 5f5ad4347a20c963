"""The facility's early-warning alarms (R-4.3, annex IV "deteksi dini (early warning) berupa
trouble alarm").

An alarm opens on a reading beyond the device's thresholds (or an alarm state), and when a
device stops reporting; it is e-mailed to the facility keepers (``operations.manage_facility``).
One not acknowledged within LPSE_FACILITY_ESCALATE_MINUTES is e-mailed again to the head of
LPSE and marked escalated (``watch``, a periodic job). A reading back in range closes it with a
recovery e-mail. Mails are written in the site's language, whoever's request runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_capability, users_with_role
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import mail_each
from lpse.operations.models import (
    AlarmCause,
    Device,
    FacilityAlarm,
    FacilityAlarmState,
    ReadingType,
)

__all__ = [
    "acknowledge",
    "escalate_minutes",
    "evaluate",
    "heard_from",
    "keepers_emails",
    "silent_minutes",
    "trouble",
    "watch",
]


def escalate_minutes() -> int:
    return int(settings.LPSE_FACILITY_ESCALATE_MINUTES)


def silent_minutes() -> int:
    return int(settings.LPSE_FACILITY_SILENT_MINUTES)


def keepers_emails() -> list[str]:
    """The facility keepers: every active account holding ``operations.manage_facility``."""
    return _emails(users_with_capability(Cap.MANAGE_FACILITY))


def _heads_emails() -> list[str]:
    # The head of LPSE: the authorised official of chapter IV (who approves server-room access).
    return _emails(users_with_role(Role.LPSE_HEAD))


def _emails(users) -> list[str]:
    return sorted({e.lower() for e in users.exclude(email="").values_list("email", flat=True)})


def _mail(emails: list[str], compose: Callable[[], tuple[str, list[str]]]) -> None:
    """``compose()`` gives the subject and the lines, in the site's language (``mail_each``)."""

    def message(_to: str) -> tuple[str, str]:
        subject, lines = compose()
        link = _("Facility alarms: %(url)s") % {"url": site_url("operations:facility_alarms")}
        return subject, "\n\n".join([*lines, link])

    mail_each(emails, message)


def trouble(device: Device) -> str | None:
    """What is wrong with the device's current reading, in words; None when it is normal."""
    if device.last_reading_at is None:
        return None
    if device.reading_type == ReadingType.NUMBER:
        value = device.last_value
        if value is None:
            return None
        low, high = device.low, device.high
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"{'' if low is None else f'{low:g}'}–{'' if high is None else f'{high:g}'}"
            return _("%(value)g %(unit)s (normal %(bounds)s %(unit)s)") % {
                "value": value,
                "unit": device.unit,
                "bounds": bounds,
            }
        return None
    if device.last_state in device.alarm_states:
        return _("state “%(state)s”") % {"state": device.last_state}
    return None


def _open(device: Device, cause: str, detail: str, now: datetime) -> FacilityAlarm:
    alarm = FacilityAlarm.objects.create(
        device=device, cause=cause, detail=detail[:200], opened_at=now, last_seen_at=now
    )
    audit.record(
        actor=None,
        action="operations.facility.alarm_open",
        obj=alarm,
        data={"device": device.name, "cause": cause, "detail": alarm.detail},
    )
    _mail(
        keepers_emails(),
        lambda: (
            _("Facility alarm: %(device)s") % {"device": device.name},
            [
                _("%(device)s (%(location)s) needs attention: %(detail)s, since %(when)s.")
                % {
                    "device": device.name,
                    "location": device.location or device.get_kind_display(),
                    "detail": alarm.detail,
                    "when": wita_text(now),
                },
                _(
                    "Acknowledge the alarm with a note on what you are doing; if nobody does "
                    "within %(minutes)d minutes it goes to the head of LPSE."
                )
                % {"minutes": escalate_minutes()},
            ],
        ),
    )
    return alarm


def _recover(alarm: FacilityAlarm, now: datetime, detail: str) -> None:
    if not FacilityAlarm.objects.filter(pk=alarm.pk, state=FacilityAlarmState.OPEN).update(
        state=FacilityAlarmState.RECOVERED, recovered_at=now
    ):
        return  # someone else closed it first
    audit.record(
        actor=None,
        action="operations.facility.alarm_recover",
        obj=alarm,
        data={"device": alarm.device.name, "detail": detail},
    )
    emails = keepers_emails() + (_heads_emails() if alarm.escalated_at else [])
    _mail(
        emails,
        lambda: (
            _("Facility back to normal: %(device)s") % {"device": alarm.device.name},
            [
                _(
                    "%(device)s is back to normal (%(detail)s) since %(when)s; the alarm of %(opened)s is closed."
                )
                % {
                    "device": alarm.device.name,
                    "detail": detail,
                    "when": wita_text(now),
                    "opened": wita_text(alarm.opened_at),
                }
            ],
        ),
    )


def _current(device: Device) -> str:
    if device.reading_type == ReadingType.NUMBER:
        return f"{device.last_value:g} {device.unit}"
    return device.last_state


def evaluate(device: Device, *, now: datetime) -> None:
    """Open, update or close the device's reading alarm from its current reading. Called inside
    the ingestion's transaction, the device row locked."""
    problem = trouble(device)
    alarm = FacilityAlarm.objects.filter(
        device=device, cause=AlarmCause.READING, state=FacilityAlarmState.OPEN
    ).first()
    if problem and alarm is None:
        _open(device, AlarmCause.READING, problem, now)
    elif problem and alarm is not None:
        FacilityAlarm.objects.filter(pk=alarm.pk).update(last_seen_at=now, detail=problem[:200])
    elif alarm is not None:
        _recover(alarm, now, _current(device))


def heard_from(device: Device, *, now: datetime) -> None:
    """The device reports again: its "stopped reporting" alarm, if any, is over."""
    for alarm in FacilityAlarm.objects.filter(
        device=device, cause=AlarmCause.SILENT, state=FacilityAlarmState.OPEN
    ):
        _recover(alarm, now, _("reporting again"))


def _check_silent(now: datetime) -> int:
    """Active devices with a token that have not reported for LPSE_FACILITY_SILENT_MINUTES."""
    since = now - timedelta(minutes=silent_minutes())
    quiet = (
        Device.objects.filter(active=True)
        .exclude(token_hash="")
        .filter(
            Q(last_heard_at__lt=since) | Q(last_heard_at__isnull=True, token_issued_at__lt=since)
        )
        .exclude(alarms__cause=AlarmCause.SILENT, alarms__state=FacilityAlarmState.OPEN)
    )
    opened = 0
    for device in quiet:
        with transaction.atomic():
            device = Device.objects.select_for_update().get(pk=device.pk)
            if FacilityAlarm.objects.filter(
                device=device, cause=AlarmCause.SILENT, state=FacilityAlarmState.OPEN
            ).exists():
                continue
            last = device.last_heard_at
            detail = (
                _("no report since %(when)s") % {"when": wita_text(last)}
                if last
                else _("no report since its token was made (%(when)s)")
                % {"when": wita_text(device.token_issued_at)}
            )
            _open(device, AlarmCause.SILENT, detail, now)
            opened += 1
    return opened


def _escalate(now: datetime) -> int:
    due = FacilityAlarm.objects.filter(
        state=FacilityAlarmState.OPEN,
        acknowledged_at__isnull=True,
        escalated_at__isnull=True,
        opened_at__lte=now - timedelta(minutes=escalate_minutes()),
    ).select_related("device")
    escalated = 0
    for alarm in due:
        with transaction.atomic():
            # compare-and-set: two schedulers, or an acknowledgement racing us, escalate once
            if not FacilityAlarm.objects.filter(
                pk=alarm.pk, acknowledged_at__isnull=True, escalated_at__isnull=True
            ).update(escalated_at=now):
                continue
            audit.record(
                actor=None,
                action="operations.facility.alarm_escalate",
                obj=alarm,
                data={"device": alarm.device.name, "minutes": escalate_minutes()},
            )
            _mail(
                _heads_emails(),
                partial(_escalation_message, alarm),
            )
            escalated += 1
    return escalated


def _escalation_message(alarm: FacilityAlarm) -> tuple[str, list[str]]:
    subject = _("Facility alarm not acknowledged: %(device)s") % {"device": alarm.device.name}
    line = _(
        "The alarm on %(device)s (%(detail)s), open since %(when)s, has not "
        "been acknowledged by the facility keepers within %(minutes)d minutes."
    ) % {
        "device": alarm.device.name,
        "detail": alarm.detail,
        "when": wita_text(alarm.opened_at),
        "minutes": escalate_minutes(),
    }
    return subject, [line]


def watch(now: datetime | None = None) -> dict[str, int]:
    """The periodic job (every minute): silent devices become alarms, unacknowledged alarms go
    to the head of LPSE. Returns counts (a task's result)."""
    now = now or timezone.now()
    return {"silent": _check_silent(now), "escalated": _escalate(now)}


def acknowledge(*, actor, alarm: FacilityAlarm, note: str) -> FacilityAlarm:
    """A keeper takes the alarm on, saying what they do: it stops its escalation."""
    require_capability(actor, Cap.MANAGE_FACILITY)
    note = note.strip()
    if not note:
        raise DomainError(_("Say what you are doing about the alarm."), field="note")
    with transaction.atomic():
        alarm = FacilityAlarm.objects.select_for_update().get(pk=alarm.pk)
        if alarm.acknowledged_at is not None:
            raise DomainError(
                _("%(who)s already acknowledged this alarm on %(when)s.")
                % {"who": alarm.acknowledged_by, "when": wita_text(alarm.acknowledged_at)}
            )
        alarm.acknowledged_at = timezone.now()
        alarm.acknowledged_by = actor
        alarm.acknowledgement = note
        alarm.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement"])
        audit.record(
            actor=actor,
            action="operations.facility.alarm_acknowledge",
            obj=alarm,
            data={"note": note},
        )
    return alarm
