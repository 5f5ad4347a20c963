"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the facility
pages' URL parameters (R-4.3). A thermometer with a token and an open alarm on it.

The sensor API (``operations:sensor_readings``) is public but answers 401 without a device's
token (its view carries ``machine_token = True``): the matrix must accept a 401 there."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from django.utils import timezone

    from lpse.operations.models import AlarmCause, FacilityAlarm
    from lpse.operations.services import facility

    device = facility.device_create(
        actor=None,
        data=facility.DeviceData(kind="temperature", name="Suhu sampel", location="Rak sampel"),
    )
    facility.token_issue(actor=None, device=device)
    now = timezone.now()
    alarm = FacilityAlarm.objects.create(
        device=device,
        cause=AlarmCause.READING,
        detail="27 °C (normal 20–24 °C)",
        opened_at=now,
        last_seen_at=now,
    )
    by_device = {"pk": device.pk}
    return {
        "operations:facility_device": by_device,
        "operations:facility_device_edit": by_device,
        "operations:facility_token_issue": by_device,
        "operations:facility_token_revoke": by_device,
        "operations:facility_alarm_acknowledge": {"pk": alarm.pk},
    }
