"""Reading the facility's devices, readings, alarms and checklists (R-4.3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from lpse.operations.models import (
    Device,
    FacilityAlarm,
    FacilityAlarmState,
    FacilityChecklist,
    Reading,
)


def devices() -> QuerySet[Device]:
    return Device.objects.annotate(
        open_alarms=Count("alarms", filter=Q(alarms__state=FacilityAlarmState.OPEN))
    ).order_by("kind", "name")


def readings_since(device: Device, since: datetime) -> QuerySet[Reading]:
    return Reading.objects.filter(device=device, at__gte=since).order_by("at", "pk")


def chart_points(device: Device, since: datetime) -> list[tuple[datetime, float]]:
    return [
        (at, value)
        for at, value in readings_since(device, since).values_list("at", "value")
        if value is not None
    ]


def recent_readings(device: Device, limit: int = 20) -> QuerySet[Reading]:
    return Reading.objects.filter(device=device).order_by("-at", "-pk")[:limit]


def open_alarms() -> QuerySet[FacilityAlarm]:
    return (
        FacilityAlarm.objects.filter(state=FacilityAlarmState.OPEN)
        .select_related("device", "acknowledged_by")
        .order_by("-opened_at")
    )


def alarm_history(limit: int = 100, device: Device | None = None) -> QuerySet[FacilityAlarm]:
    alarms = FacilityAlarm.objects.select_related("device", "acknowledged_by")
    if device is not None:
        alarms = alarms.filter(device=device)
    else:
        alarms = alarms.exclude(state=FacilityAlarmState.OPEN)
    return alarms.order_by("-opened_at")[:limit]


def checklists(limit: int = 60) -> QuerySet[FacilityChecklist]:
    return FacilityChecklist.objects.select_related("recorded_by").order_by("-day")[:limit]


def checklist_of(day: date) -> FacilityChecklist | None:
    return FacilityChecklist.objects.select_related("recorded_by").filter(day=day).first()


def day_window(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(hours=24), now
