"""The facility pages (R-4.3): devices and their readings, alarms, the daily checklist.

Everyone who follows the system's status (``core.view_system_status``) sees them; only the
facility keepers (``operations.manage_facility``) get the buttons: devices, tokens, the
acknowledgement of an alarm, the checklist.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from lpse.core.calendar import is_working_day, to_wita, wita_text
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.operations import facility_selectors as selectors
from lpse.operations.facility_chart import reading_chart
from lpse.operations.forms_facility import AcknowledgeForm, ChecklistForm, DeviceForm
from lpse.operations.models import Device, FacilityAlarm, ReadingType
from lpse.operations.services import facility, facility_alarms, facility_checklist


def _keeper(request) -> bool:
    return has_capability(request.user, Cap.MANAGE_FACILITY)


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def devices(request):
    return render(
        request,
        "operations/facility_devices.html",
        {
            "devices": selectors.devices(),
            "open_alarms": selectors.open_alarms(),
            "can_manage": _keeper(request),
            "silent_minutes": facility_alarms.silent_minutes(),
        },
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def device_detail(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    start, end = selectors.day_window(timezone.now())
    chart = None
    if device.reading_type == ReadingType.NUMBER:
        chart = reading_chart(
            selectors.chart_points(device, start),
            start=start,
            end=end,
            unit=device.unit,
            low=device.low,
            high=device.high,
        )
    return render(
        request,
        "operations/facility_device.html",
        {
            "device": device,
            "chart": chart,
            "trouble": facility_alarms.trouble(device),
            "readings": selectors.recent_readings(device),
            "alarms": selectors.alarm_history(limit=20, device=device),
            "can_manage": _keeper(request),
        },
    )


def _device_data(data: dict) -> facility.DeviceData:
    return facility.DeviceData(
        kind=data["kind"],
        name=data["name"],
        location=data["location"],
        reading_type=data["reading_type"],
        unit=data["unit"],
        low=data["low"],
        high=data["high"],
        alarm_states=tuple(data["alarm_states"]) or None,
        active=data["active"],
    )


def _form_page(request, form, title: str, intro: str = ""):
    return render(
        request, "form.html", {"form": form, "title": title, "intro": intro, "submit": _("Save")}
    )


@requires(Cap.MANAGE_FACILITY)
def device_create(request):
    form = DeviceForm(request.POST or None)
    title = _("Register a facility device")
    intro = _("Thresholds left empty take the kind's defaults (22 °C ± 2, 50 % RH ± 5).")
    if request.method != "POST":
        return _form_page(request, form, title, intro)
    return submit_form(
        request,
        form,
        lambda data: facility.device_create(actor=request.user, data=_device_data(data)),
        success=_("Device registered. Make its token to let its sensor report."),
        done=lambda device: redirect("operations:facility_device", device.pk),
        again=lambda form: _form_page(request, form, title, intro),
    )


@requires(Cap.MANAGE_FACILITY)
def device_edit(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    initial = {
        field: getattr(device, field)
        for field in ("kind", "name", "location", "reading_type", "unit", "low", "high")
    } | {"alarm_states": device.alarm_states, "active": device.active}
    form = DeviceForm(request.POST or None, initial=initial)
    title = _("Change %(device)s") % {"device": device.name}
    if request.method != "POST":
        return _form_page(request, form, title)
    return submit_form(
        request,
        form,
        lambda data: facility.device_update(
            actor=request.user, device=device, data=_device_data(data)
        ),
        success=_("Device saved."),
        done=lambda device: redirect("operations:facility_device", device.pk),
        again=lambda form: _form_page(request, form, title),
    )


@never_cache
@require_POST
@requires(Cap.MANAGE_FACILITY)
def token_issue(request, pk: int):
    """Make or rotate the device's token and show it, this once (it is kept only as a hash)."""
    device = get_object_or_404(Device, pk=pk)
    rotated = device.has_token
    token = facility.token_issue(actor=request.user, device=device)
    return render(
        request,
        "operations/facility_token.html",
        {
            "device": device,
            "token": token,
            "rotated": rotated,
            "endpoint": request.build_absolute_uri("/sensor/v1/readings"),
        },
    )  # never_cache: no-store, so the token stays out of every cache


@require_POST
@requires(Cap.MANAGE_FACILITY)
def token_revoke(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    return act_and_redirect(
        request,
        lambda: facility.token_revoke(actor=request.user, device=device),
        _("Token revoked: the sensor's reports are refused from now on."),
        "operations:facility_device",
        device.pk,
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def alarms(request):
    return render(
        request,
        "operations/facility_alarms.html",
        {
            "open_alarms": selectors.open_alarms(),
            "history": selectors.alarm_history(),
            "can_manage": _keeper(request),
            "escalate_minutes": facility_alarms.escalate_minutes(),
        },
    )


@requires(Cap.MANAGE_FACILITY)
def alarm_acknowledge(request, pk: int):
    alarm = get_object_or_404(FacilityAlarm.objects.select_related("device"), pk=pk)
    form = AcknowledgeForm(request.POST or None)
    title = _("Acknowledge the alarm on %(device)s") % {"device": alarm.device.name}
    intro = _("%(detail)s, since %(when)s (%(state)s).") % {
        "detail": alarm.detail,
        "when": wita_text(alarm.opened_at),
        "state": alarm.get_state_display(),
    }
    if request.method != "POST":
        return _form_page(request, form, title, intro)
    return submit_form(
        request,
        form,
        lambda data: facility_alarms.acknowledge(
            actor=request.user, alarm=alarm, note=data["note"]
        ),
        success=_("Alarm acknowledged: it will not be escalated."),
        done=lambda _alarm: redirect("operations:facility_alarms"),
        again=lambda form: _form_page(request, form, title, intro),
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def checklist(request):
    today = to_wita(timezone.now()).date()
    return render(
        request,
        "operations/facility_checklist.html",
        {
            "today": today,
            "todays": selectors.checklist_of(today),
            "working_day": is_working_day(today),
            "required": facility_checklist.checklist_required(),
            "hour": facility_checklist.checklist_hour(),
            "checklists": selectors.checklists(),
            "can_manage": _keeper(request),
        },
    )


@requires(Cap.MANAGE_FACILITY)
def checklist_record(request):
    form = ChecklistForm(request.POST or None)
    today = to_wita(timezone.now()).date()
    title = _("Facility checklist for %(day)s") % {"day": f"{today:%d-%m-%Y}"}
    intro = _("Read the instruments in the server room and write down what they show.")
    if request.method != "POST":
        return _form_page(request, form, title, intro)
    return submit_form(
        request,
        form,
        lambda data: facility_checklist.checklist_record(
            actor=request.user, data=facility_checklist.ChecklistData(**data)
        ),
        success=_("Checklist recorded."),
        done=lambda _c: redirect("operations:facility_checklist"),
        again=lambda form: _form_page(request, form, title, intro),
    )
