"""R-4.3: the facility sensors' ingestion API, ``POST /sensor/v1/readings``. A sensor proves
itself with its own token; a bad token, a malformed body, a reading of the wrong type, an absurd
value or a time in the future is refused with a JSON error and nothing stored; a replayed batch
is answered without being stored twice; a late reading is kept but changes nothing now."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.operations.models import Device, DeviceKind, FacilityAlarm, Reading
from lpse.operations.services import facility

URL = "/sensor/v1/readings"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """A cache of this test's own: the rate limit counts per device id, which tests reuse."""
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
def thermometer(keeper):
    device = facility.device_create(
        actor=keeper,
        data=facility.DeviceData(
            kind=DeviceKind.TEMPERATURE, name="Suhu ruang server", location="Rak A"
        ),
    )
    return device, facility.token_issue(actor=keeper, device=device)


@pytest.fixture
def ups(keeper):
    device = facility.device_create(
        actor=keeper, data=facility.DeviceData(kind=DeviceKind.UPS, name="UPS A")
    )
    return device, facility.token_issue(actor=keeper, device=device)


def at(minutes: float = 0) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def post(client, token: str | None, body, *, raw: bytes | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def batch(*readings, sequence: int = 1) -> dict:
    return {"sequence": sequence, "readings": list(readings)}


def test_R_4_3_a_good_batch_is_stored_and_becomes_the_current_reading(client, thermometer):
    device, token = thermometer
    response = post(
        client, token, batch({"at": at(-1), "value": 21.5}, {"at": at(), "value": 22.1})
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "stored", "stored": 2, "current_changed": True}
    device.refresh_from_db()
    assert device.last_value == 22.1 and device.last_sequence == 1
    assert Reading.objects.filter(device=device).count() == 2
    assert "sessionid" not in response.cookies  # no session for a machine


def test_R_4_3_the_api_needs_no_csrf_token(thermometer):
    from django.test import Client

    _device, token = thermometer
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, token, batch({"at": at(), "value": 22.0})).status_code == 200


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Basic abc", "Bearer lpsesn_wrong", "Bearer nonsense"]
)
def test_R_4_3_a_missing_or_unknown_token_is_refused_with_401_and_nothing_stored(
    client, thermometer, header
):
    kwargs = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.post(
        URL,
        data=json.dumps(batch({"at": at(), "value": 22.0})),
        content_type="application/json",
        **kwargs,
    )
    assert response.status_code == 401
    assert "error" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Reading.objects.exists()


def test_R_4_3_a_revoked_token_stops_at_once(client, thermometer, keeper):
    device, token = thermometer
    facility.token_revoke(actor=keeper, device=device)
    assert post(client, token, batch({"at": at(), "value": 22.0})).status_code == 401
    assert not Reading.objects.exists()


def test_R_4_3_a_rotated_away_token_stops_and_the_new_one_works(client, thermometer, keeper):
    device, old = thermometer
    new = facility.token_issue(actor=keeper, device=device)
    assert post(client, old, batch({"at": at(), "value": 22.0})).status_code == 401
    assert not Reading.objects.exists()
    assert post(client, new, batch({"at": at(), "value": 22.0})).status_code == 200


def test_R_4_3_the_token_is_kept_only_as_a_hash(thermometer):
    device, token = thermometer
    device.refresh_from_db()
    assert token not in device.token_hash and len(device.token_hash) == 64
    assert token.startswith(device.token_hint)


def test_R_4_3_an_inactive_device_is_refused(client, thermometer):
    device, token = thermometer
    Device.objects.filter(pk=device.pk).update(active=False)
    response = post(client, token, batch({"at": at(), "value": 22.0}))
    assert response.status_code == 403
    assert not Reading.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        json.dumps({"readings": [{"at": "x", "value": 1}]}).encode(),  # no sequence
        json.dumps({"sequence": "1", "readings": []}).encode(),
        json.dumps({"sequence": True, "readings": []}).encode(),
        json.dumps({"sequence": 1, "readings": []}).encode(),
        json.dumps({"sequence": 1, "readings": "22"}).encode(),
        json.dumps({"sequence": 1, "readings": [22.0]}).encode(),
        json.dumps({"sequence": 1, "readings": [{"value": 22.0}]}).encode(),
        json.dumps({"sequence": 1, "readings": [{"at": "yesterday", "value": 22.0}]}).encode(),
        json.dumps(
            {"sequence": 1, "readings": [{"at": "2026-01-05T09:00:00", "value": 22.0}]}
        ).encode(),
        json.dumps(
            {"sequence": 1, "readings": [{"at": "2026-01-05T09:00:00+08:00", "value": 1, "x": 2}]}
        ).encode(),
    ],
)
def test_R_4_3_a_malformed_body_is_refused_with_400_and_nothing_stored(client, thermometer, raw):
    device, token = thermometer
    response = post(client, token, None, raw=raw)
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert not Reading.objects.exists()
    device.refresh_from_db()
    assert device.last_sequence is None


@pytest.mark.parametrize(
    "reading",
    [
        {"state": "ok"},  # a thermometer reports numbers
        {"value": "22.0"},
        {"value": True},
        {"value": 22.0, "state": "ok"},
    ],
)
def test_R_4_3_a_reading_of_the_wrong_type_is_refused(client, thermometer, reading):
    _device, token = thermometer
    good = {"at": at(-1), "value": 22.0}
    response = post(client, token, batch(good, {"at": at(), **reading}))
    assert response.status_code == 400
    assert response.json()["reading"] == 1  # says which one
    assert not Reading.objects.exists()  # the good one in the batch is not kept either


@pytest.mark.parametrize("reading", [{"value": 22.0}, {"state": "on fire"}, {"state": 1}])
def test_R_4_3_a_state_device_takes_only_known_states(client, ups, reading):
    _device, token = ups
    assert post(client, token, batch({"at": at(), **reading})).status_code == 400
    assert not Reading.objects.exists()


@pytest.mark.parametrize("value", [-41, 85.5, 120, 1e308])
def test_R_4_3_an_absurd_temperature_is_refused(client, thermometer, value):
    _device, token = thermometer
    response = post(client, token, batch({"at": at(), "value": value}))
    assert response.status_code == 400
    assert "outside" in response.json()["error"]
    assert not Reading.objects.exists()


def test_R_4_3_absurd_humidity_and_voltage_are_refused(client, keeper):
    for kind, value in (
        (DeviceKind.HUMIDITY, 101),
        (DeviceKind.POWER, 401),
        (DeviceKind.POWER, -1),
    ):
        device = facility.device_create(
            actor=keeper, data=facility.DeviceData(kind=kind, name=f"{kind} {value}")
        )
        token = facility.token_issue(actor=keeper, device=device)
        assert post(client, token, batch({"at": at(), "value": value})).status_code == 400
    assert not Reading.objects.exists()


def test_R_4_3_a_reading_more_than_five_minutes_ahead_is_refused(client, thermometer):
    _device, token = thermometer
    assert post(client, token, batch({"at": at(6), "value": 22.0})).status_code == 400
    assert not Reading.objects.exists()
    # a sensor clock a little fast is tolerated
    assert post(client, token, batch({"at": at(4), "value": 22.0})).status_code == 200


def test_R_4_3_a_replayed_batch_is_answered_but_not_stored_twice(client, thermometer):
    _device, token = thermometer
    body = batch({"at": at(), "value": 22.0}, sequence=7)
    assert post(client, token, body).json()["status"] == "stored"
    again = post(client, token, body)
    assert again.status_code == 200
    assert again.json() == {"status": "already have it", "stored": 0}
    older = post(client, token, batch({"at": at(), "value": 23.0}, sequence=6))
    assert older.json()["status"] == "already have it"
    assert Reading.objects.count() == 1


def test_R_4_3_an_out_of_order_reading_is_stored_but_changes_nothing(client, thermometer, keeper):
    device, token = thermometer
    post(client, token, batch({"at": at(), "value": 22.0}, sequence=1))
    late = post(client, token, batch({"at": at(-30), "value": 30.0}, sequence=2))
    assert late.json() == {"status": "stored", "stored": 1, "current_changed": False}
    device.refresh_from_db()
    assert device.last_value == 22.0  # the newest reading still rules
    assert Reading.objects.count() == 2
    assert not FacilityAlarm.objects.exists()  # 30 °C, but half an hour ago


def test_R_4_3_each_device_is_rate_limited_in_the_shared_cache(
    client, thermometer, keeper, settings
):
    settings.LPSE_FACILITY_RATE_PER_MINUTE = 2
    device, token = thermometer
    other = facility.device_create(
        actor=keeper, data=facility.DeviceData(kind=DeviceKind.HUMIDITY, name="Kelembaban")
    )
    other_token = facility.token_issue(actor=keeper, device=other)
    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        answers = [
            post(client, token, batch({"at": at(), "value": 22.0}, sequence=n)) for n in (1, 2, 3)
        ]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[2]["Retry-After"]) > 0
        # another device has its own allowance
        assert post(client, other_token, batch({"at": at(), "value": 50.0})).status_code == 200
    assert Reading.objects.filter(device=device).count() == 2
