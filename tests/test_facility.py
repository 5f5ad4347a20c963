"""R-4.3: the facility's devices, early-warning alarms (opened, e-mailed, acknowledged, escalated,
recovered), silent sensors, the daily manual checklist and its missing-checklist alert, the pages,
and the demo's simulator fed through the real API."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from lpse.core.models import AuditEvent
from lpse.operations.models import (
    AlarmCause,
    Device,
    DeviceKind,
    FacilityAlarm,
    FacilityAlarmState,
    FacilityChecklist,
    Reading,
)
from lpse.operations.services import facility, facility_alarms, facility_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        },
    }


@pytest.fixture
def keeper(make_user):
    return make_user(Role.TECH_HARDWARE)


@pytest.fixture
def head(make_user):
    return make_user(Role.LPSE_HEAD)


def _device(keeper, kind=DeviceKind.TEMPERATURE, name="Suhu ruang server"):
    device = facility.device_create(actor=keeper, data=facility.DeviceData(kind=kind, name=name))
    return device, facility.token_issue(actor=keeper, device=device)


def send(client, token, reading: dict, sequence: int):
    reading = {"at": timezone.now().isoformat(), **reading}
    return client.post(
        "/sensor/v1/readings",
        data=json.dumps({"sequence": sequence, "readings": [reading]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_R_4_3_defaults_follow_the_annex_22_degrees_and_50_percent(keeper):
    thermo, _ = _device(keeper)
    hygro, _ = _device(keeper, DeviceKind.HUMIDITY, "Kelembaban")
    ups, _ = _device(keeper, DeviceKind.UPS, "UPS A")
    assert (thermo.low, thermo.high, thermo.unit) == (20.0, 24.0, "°C")
    assert (hygro.low, hygro.high) == (45.0, 55.0)
    assert {"alarm", "on battery", "water detected"} <= set(ups.alarm_states)


def test_R_4_3_every_kind_of_the_annex_can_be_registered(keeper):
    for kind in DeviceKind:
        facility.device_create(actor=keeper, data=facility.DeviceData(kind=kind, name=kind.label))
    assert Device.objects.count() == 11


def test_R_4_3_a_reading_beyond_the_threshold_opens_an_alarm_mailed_and_recovery_mailed(
    client, keeper, head, smtp_server, django_capture_on_commit_callbacks
):
    device, token = _device(keeper)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, token, {"value": 22.0}, 1).status_code == 200
    assert not FacilityAlarm.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token, {"value": 27.5}, 2)
    alarm = FacilityAlarm.objects.get()
    assert alarm.state == FacilityAlarmState.OPEN and alarm.cause == AlarmCause.READING
    mail = smtp_server.wait_for(keeper.email, device.name)
    assert "27.5" in smtp_server.body(mail)
    assert smtp_server.to(head.email) == []  # the head hears only of an escalation
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token, {"value": 28.0}, 3)  # still out: the same alarm, no new mail
    assert FacilityAlarm.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token, {"value": 23.0}, 4)
    alarm.refresh_from_db()
    assert alarm.state == FacilityAlarmState.RECOVERED and alarm.recovered_at
    recovery = smtp_server.wait_for(keeper.email, "kembali normal")
    assert "23" in smtp_server.body(recovery)
    assert len(smtp_server.to(keeper.email)) == 2
    assert AuditEvent.objects.filter(action="operations.facility.alarm_open").count() == 1


def test_R_4_3_an_alarm_state_opens_an_alarm(client, keeper):
    ups, token = _device(keeper, DeviceKind.UPS, "UPS A")
    send(client, token, {"state": "ok"}, 1)
    assert not FacilityAlarm.objects.exists()
    send(client, token, {"state": "on battery"}, 2)
    assert "on battery" in FacilityAlarm.objects.get(device=ups).detail


def test_R_4_3_an_unacknowledged_alarm_is_escalated_to_the_head_once(
    client, keeper, head, smtp_server, django_capture_on_commit_callbacks
):
    device, token = _device(keeper)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(client, token, {"value": 30.0}, 1)
    alarm = FacilityAlarm.objects.get()
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        send(client, token, {"value": 30.0}, 2)  # the device keeps reporting: not silent
        assert facility_alarms.watch()["escalated"] == 0
    with (
        time_machine.travel(start + timedelta(minutes=16), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send(client, token, {"value": 30.0}, 3)
        assert facility_alarms.watch() == {"silent": 0, "escalated": 1}
        assert facility_alarms.watch()["escalated"] == 0  # once
    alarm.refresh_from_db()
    assert alarm.escalated_at is not None
    mail = smtp_server.wait_for(head.email, "belum ditanggapi")
    assert device.name in smtp_server.body(mail)


def test_R_4_3_an_acknowledged_alarm_is_not_escalated(client, keeper, head):
    _unused, token = _device(keeper)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(client, token, {"value": 30.0}, 1)
    alarm = FacilityAlarm.objects.get()
    facility_alarms.acknowledge(
        actor=keeper, alarm=alarm, note="AC 2 dinyalakan, teknisi dipanggil"
    )
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        send(client, token, {"value": 30.0}, 2)
        assert facility_alarms.watch()["escalated"] == 0
    alarm.refresh_from_db()
    assert alarm.escalated_at is None and alarm.acknowledged_by == keeper


def test_R_4_3_a_device_silent_for_ten_minutes_is_an_alarm_until_it_reports(client, keeper):
    _unused, token = _device(keeper)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(client, token, {"value": 22.0}, 1)
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert facility_alarms.watch()["silent"] == 0
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        assert facility_alarms.watch()["silent"] == 1
        assert facility_alarms.watch()["silent"] == 0  # one open alarm, not one a minute
        alarm = FacilityAlarm.objects.get(cause=AlarmCause.SILENT)
        send(client, token, {"value": 22.0}, 2)
    alarm.refresh_from_db()
    assert alarm.state == FacilityAlarmState.RECOVERED


def test_R_4_3_the_keeper_acknowledges_with_a_note_and_a_viewer_only_sees(
    client, keeper, make_user
):
    device, token = _device(keeper)
    send(client, token, {"value": 30.0}, 1)
    alarm = FacilityAlarm.objects.get()
    monitor = make_user(Role.LKPP_MONITOR)
    client.force_login(monitor)
    page = client.get("/operasi/fasilitas/alarm/")
    assert page.status_code == 200 and device.name in page.content.decode()
    assert "tanggapi" not in page.content.decode()  # no acknowledge button for a viewer
    assert client.get(f"/operasi/fasilitas/alarm/{alarm.pk}/tanggapi/").status_code == 403
    client.force_login(keeper)
    url = f"/operasi/fasilitas/alarm/{alarm.pk}/tanggapi/"
    assert url in client.get("/operasi/fasilitas/alarm/").content.decode()
    empty = client.post(url, {"note": "  "})
    assert empty.status_code == 200 and not FacilityAlarm.objects.get().acknowledged_at
    done = client.post(url, {"note": "Pintu ditutup, AC dicek"})
    assert done.status_code == 302
    alarm.refresh_from_db()
    assert alarm.acknowledgement == "Pintu ditutup, AC dicek"


def test_R_4_3_the_token_is_shown_once_and_only_to_the_keepers(client, keeper, make_user):
    device = facility.device_create(
        actor=keeper, data=facility.DeviceData(kind=DeviceKind.WATER, name="Sensor air")
    )
    viewer = make_user(Role.AUDITOR)
    client.force_login(viewer)
    listing = client.get("/operasi/fasilitas/").content.decode()
    assert device.name in listing and "token/" not in listing
    assert client.post(f"/operasi/fasilitas/perangkat/{device.pk}/token/").status_code == 403
    client.force_login(keeper)
    shown = client.post(f"/operasi/fasilitas/perangkat/{device.pk}/token/")
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    device.refresh_from_db()
    token = re.search(r'id="device-token">([^<]+)<', shown.content.decode()).group(1)
    assert facility.device_for_token(token) == device
    detail = client.get(f"/operasi/fasilitas/perangkat/{device.pk}/").content.decode()
    assert token not in detail and device.token_hint in detail
    client.post(f"/operasi/fasilitas/perangkat/{device.pk}/token/cabut/")
    assert facility.device_for_token(token) is None


def test_R_4_3_the_device_page_charts_24_hours(client, keeper, make_user):
    device, token = _device(keeper)
    send(client, token, {"value": 21.0, "at": (timezone.now() - timedelta(hours=2)).isoformat()}, 1)
    send(client, token, {"value": 22.5}, 2)
    client.force_login(make_user(Role.TECH_NETWORK))
    page = client.get(f"/operasi/fasilitas/perangkat/{device.pk}/").content.decode()
    assert "<svg" in page and "<polyline" in page and "style=" not in page.split("<svg")[1]


def test_R_4_3_a_bad_device_form_keeps_the_input_and_says_what_to_do(client, keeper):
    client.force_login(keeper)
    answer = client.post(
        "/operasi/fasilitas/perangkat/baru/",
        {"kind": "temperature", "name": "Suhu rak B", "low": "30", "high": "25", "active": "on"},
    )
    assert answer.status_code == 200
    assert "must be below" in answer.content.decode() and "Suhu rak B" in answer.content.decode()
    assert not Device.objects.exists()


# --- the daily manual checklist ---------------------------------------------------------------

GOOD = {
    "room_temperature": "22.5",
    "humidity": "50",
    "ups_status": "ok",
    "generator_fuel_percent": "80",
    "ac_running": "yes",
    "water_detected": "no",
    "fire_panel": "ok",
    "note": "",
}

MONDAY_10_30 = datetime(2026, 8, 10, 10, 30, tzinfo=WITA)
INDEPENDENCE_DAY_10_30 = datetime(2026, 8, 17, 10, 30, tzinfo=WITA)  # a Monday, a holiday


def test_R_4_3_the_engineer_records_the_checklist_once_a_day(client, keeper):
    client.force_login(keeper)
    with time_machine.travel(MONDAY_10_30, tick=False):
        assert client.post("/operasi/fasilitas/ceklis/isi/", GOOD).status_code == 302
        again = client.post("/operasi/fasilitas/ceklis/isi/", GOOD)
        assert "already recorded" in again.content.decode()
    checklist = FacilityChecklist.objects.get()
    assert checklist.day == MONDAY_10_30.date() and checklist.problems == []


def test_R_4_3_an_out_of_range_checklist_is_mailed_to_the_keepers(
    client, keeper, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(keeper)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/operasi/fasilitas/ceklis/isi/",
            GOOD | {"room_temperature": "27.0", "water_detected": "yes"},
        )
    body = smtp_server.body(smtp_server.wait_for(keeper.email, "di luar rentang"))
    assert "27.0" in body and "water detected" in body


def test_R_4_3_a_bad_checklist_keeps_the_input(client, keeper):
    client.force_login(keeper)
    answer = client.post(
        "/operasi/fasilitas/ceklis/isi/", GOOD | {"humidity": "150", "note": "dicatat manual"}
    )
    assert answer.status_code == 200 and "between 0 and 100" in answer.content.decode()
    assert "dicatat manual" in answer.content.decode()
    assert not FacilityChecklist.objects.exists()


def test_R_4_3_a_missing_checklist_on_a_working_day_alerts_the_keepers_once(
    keeper, make_user, smtp_server, django_capture_on_commit_callbacks
):
    helpdesk = make_user(Role.HELPDESK)
    with time_machine.travel(MONDAY_10_30.replace(hour=9, minute=55), tick=False):
        assert facility_checklist.remind_missing() is None  # before 10:00
    with (
        time_machine.travel(MONDAY_10_30, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert facility_checklist.remind_missing() == MONDAY_10_30.date()
        assert facility_checklist.remind_missing() is None  # once a day
    mail = smtp_server.wait_for(keeper.email, "belum diisi")
    assert "10:00" in smtp_server.body(mail)
    assert len(smtp_server.to(keeper.email)) == 1 and smtp_server.to(helpdesk.email) == []


def test_R_4_3_no_checklist_alert_on_a_holiday_or_once_recorded(keeper, settings):
    with time_machine.travel(INDEPENDENCE_DAY_10_30, tick=False):
        assert facility_checklist.remind_missing() is None
    with time_machine.travel(MONDAY_10_30, tick=False):
        facility_checklist.checklist_record(
            actor=keeper,
            data=facility_checklist.ChecklistData(
                room_temperature=22,
                humidity=50,
                ups_status="ok",
                generator_fuel_percent=90,
                ac_running=True,
                water_detected=False,
                fire_panel="ok",
            ),
        )
        assert facility_checklist.remind_missing() is None
    settings.LPSE_FACILITY_CHECKLIST_HOUR = "08:00"
    with time_machine.travel(MONDAY_10_30 + timedelta(days=1, hours=-2), tick=False):
        assert facility_checklist.remind_missing() is not None  # Tuesday 08:30, configurable hour


def test_R_4_3_with_sensors_reporting_no_checklist_is_due(keeper):
    _device(keeper)
    with time_machine.travel(MONDAY_10_30, tick=False):
        assert facility_checklist.remind_missing() is None


# --- the simulator --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_R_4_3_the_simulator_feeds_the_real_api_and_an_ac_failure_raises_alarms(
    live_server, capsys
):
    call_command(
        "facility",
        "simulate",
        "--base-url",
        live_server.url,
        "--minutes",
        "30",
        "--interval",
        "60",
        "--fault",
        "ac-failure",
        "--backfill",
    )
    assert Device.objects.count() == 11  # a demo set, one per kind
    assert Reading.objects.count() == 11 * 30
    assert "330 stored" in capsys.readouterr().out
    alarmed = set(FacilityAlarm.objects.values_list("device__kind", flat=True))
    assert {DeviceKind.TEMPERATURE, DeviceKind.AIR_CONDITIONING} <= alarmed
    assert DeviceKind.WATER not in alarmed
    # a second run must be told before it takes over the devices' tokens
    with pytest.raises(Exception, match="rotate-tokens"):
        call_command("facility", "simulate", "--base-url", live_server.url, "--minutes", "1")
