"""The facility's devices and their sensors' readings (R-4.3).

Devices are registered by the facility keepers (``operations.manage_facility``); each sensor
gets its own token, shown once and kept only as a hash. ``facility_ingest`` holds the
ingestion rule.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.operations.models import (
    Device,
    DeviceKind,
    ReadingType,
    SensorState,
    Unit,
)

TOKEN_PREFIX = "lpsesn_"


# Outside these a value is not a reading but a broken sensor or a forged request.
PHYSICAL_RANGE: dict[str, tuple[float, float]] = {
    Unit.CELSIUS: (-40.0, 85.0),
    Unit.RELATIVE_HUMIDITY: (0.0, 100.0),
    Unit.VOLT: (0.0, 400.0),
    Unit.AMPERE: (0.0, 2000.0),
    Unit.PERCENT: (0.0, 100.0),
    Unit.HERTZ: (0.0, 100.0),
    Unit.KILOWATT: (0.0, 2000.0),
}

ALARMING = [
    SensorState.ALARM,
    SensorState.FAULT,
    SensorState.ON_BATTERY,
    SensorState.WATER_DETECTED,
]


@dataclass(frozen=True)
class KindDefault:
    reading_type: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    alarm_states: tuple[str, ...] = ()


# The annex's targets (22 °C ± 2, 50 % RH ± 5) and PLN's 220 V ± 10 %; a state device's alarm
# states are the troubles of its kind (a precision AC that is off is one).
KIND_DEFAULTS: dict[str, KindDefault] = {
    DeviceKind.POWER: KindDefault(ReadingType.NUMBER, Unit.VOLT, 198.0, 242.0),
    DeviceKind.GENERATOR: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.UPS: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.AIR_CONDITIONING: KindDefault(
        ReadingType.STATE, alarm_states=(*ALARMING, SensorState.OFF)
    ),
    DeviceKind.WATER: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.FIRE: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.CARD_ACCESS: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.CCTV: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING, SensorState.OFF)),
    DeviceKind.SWITCHBOARD: KindDefault(ReadingType.STATE, alarm_states=(*ALARMING,)),
    DeviceKind.TEMPERATURE: KindDefault(ReadingType.NUMBER, Unit.CELSIUS, 20.0, 24.0),
    DeviceKind.HUMIDITY: KindDefault(ReadingType.NUMBER, Unit.RELATIVE_HUMIDITY, 45.0, 55.0),
}


@dataclass(frozen=True)
class DeviceData:
    kind: str
    name: str
    location: str = ""
    reading_type: str = ""
    unit: str = ""
    low: float | None = None
    high: float | None = None
    alarm_states: tuple[str, ...] | None = None
    active: bool = True


def _checked(data: DeviceData) -> dict:
    """The device's fields, the kind's defaults filling what was left empty."""
    default = KIND_DEFAULTS[data.kind]
    reading_type = data.reading_type or default.reading_type
    fields: dict = {
        "kind": data.kind,
        "name": data.name.strip(),
        "location": data.location.strip(),
        "reading_type": reading_type,
        "active": data.active,
    }
    if not fields["name"]:
        raise DomainError(_("Give the device a name."), field="name")
    if reading_type == ReadingType.NUMBER:
        unit = data.unit or default.unit
        if not unit:
            raise DomainError(_("Choose the unit of what this device measures."), field="unit")
        low = data.low if data.low is not None else default.low
        high = data.high if data.high is not None else default.high
        if low is not None and high is not None and low >= high:
            raise DomainError(_("The lowest normal value must be below the highest."), field="low")
        floor, ceiling = PHYSICAL_RANGE[unit]
        for name, limit in (("low", low), ("high", high)):
            if limit is not None and not floor <= limit <= ceiling:
                raise DomainError(
                    _("A threshold in %(unit)s must be between %(floor)g and %(ceiling)g.")
                    % {"unit": unit, "floor": floor, "ceiling": ceiling},
                    field=name,
                )
        fields |= {"unit": unit, "low": low, "high": high, "alarm_states": []}
    else:
        states = data.alarm_states if data.alarm_states is not None else default.alarm_states
        fields |= {"unit": "", "low": None, "high": None, "alarm_states": sorted(set(states))}
    return fields


def _name_taken(name: str, *, except_pk: int | None = None) -> None:
    same = Device.objects.filter(name__iexact=name)
    if except_pk is not None:
        same = same.exclude(pk=except_pk)
    if same.exists():
        raise DomainError(
            _("There is already a device named “%(name)s”: choose another name.") % {"name": name},
            field="name",
        )


def device_create(*, actor, data: DeviceData) -> Device:
    """A new device in the registry. ``actor`` None is the command line (the simulator)."""
    if actor is not None:
        require_capability(actor, Cap.MANAGE_FACILITY)
    fields = _checked(data)
    with transaction.atomic():
        _name_taken(fields["name"])
        device = Device.objects.create(**fields)
        audit.record(
            actor=actor,
            action="operations.facility.device_create",
            obj=device,
            data={"name": device.name, "kind": device.kind},
        )
    return device


def device_update(*, actor, device: Device, data: DeviceData) -> Device:
    require_capability(actor, Cap.MANAGE_FACILITY)
    fields = _checked(data)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        _name_taken(fields["name"], except_pk=device.pk)
        changed = {k: v for k, v in fields.items() if getattr(device, k) != v}
        for key, value in changed.items():
            setattr(device, key, value)
        device.save()
        audit.record(
            actor=actor,
            action="operations.facility.device_update",
            obj=device,
            data={"changed": sorted(changed)},
        )
    return device


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, actor, device: Device) -> str:
    """A new token for the device's sensor, returned once: the old one stops at once. ``actor``
    None is the command line (the demo's simulator)."""
    if actor is not None:
        require_capability(actor, Cap.MANAGE_FACILITY)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        rotated = device.has_token
        device.token_hash = _hash(token)
        device.token_hint = token[: len(TOKEN_PREFIX) + 4]
        device.token_issued_at = timezone.now()
        device.save(update_fields=["token_hash", "token_hint", "token_issued_at"])
        audit.record(
            actor=actor,
            action="operations.facility.token_rotate"
            if rotated
            else "operations.facility.token_make",
            obj=device,
            data={"hint": device.token_hint},
        )
    return token


def token_revoke(*, actor, device: Device) -> Device:
    require_capability(actor, Cap.MANAGE_FACILITY)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if not device.has_token:
            raise DomainError(_("This device has no token to revoke."))
        hint = device.token_hint
        device.token_hash = ""
        device.token_hint = ""
        device.save(update_fields=["token_hash", "token_hint"])
        audit.record(
            actor=actor, action="operations.facility.token_revoke", obj=device, data={"hint": hint}
        )
    return device


def device_for_token(token: str) -> Device | None:
    """The device whose current token this is; None for an unknown, rotated or revoked one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return Device.objects.filter(token_hash=_hash(token)).first()
