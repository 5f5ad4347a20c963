"""The ingestion rule of the facility sensors' readings (R-4.3): validation, replays, late
readings. The API view (facility_api) only turns HTTP into these arguments and back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core.errors import DomainError
from lpse.operations.models import Device, Reading, ReadingType, SensorState
from lpse.operations.services import facility_alarms
from lpse.operations.services.facility import PHYSICAL_RANGE

FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_BATCH = 500


class ReadingRefused(DomainError):
    """The batch is refused as a whole; ``index`` names the reading at fault, if one is."""

    def __init__(self, message, *, index: int | None = None, status: int = 400):
        super().__init__(message, code="refused")
        self.index = index
        self.status = status  # the HTTP answer: 400 for a bad batch, 403 for a device switched off


@dataclass(frozen=True)
class ParsedReading:
    at: datetime
    value: float | None
    state: str


def _parse_at(raw, index: int) -> datetime:
    if not isinstance(raw, str):
        raise ReadingRefused(_("“at” must be an ISO-8601 time with its offset."), index=index)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ReadingRefused(
            _("“at” is not an ISO-8601 time: %(at)s.") % {"at": raw[:40]}, index=index
        ) from None
    if moment.tzinfo is None:
        raise ReadingRefused(
            _("“at” must carry its offset (e.g. +08:00 or Z): %(at)s.") % {"at": raw[:40]},
            index=index,
        )
    return moment


def _parse_one(device: Device, raw, index: int, now: datetime) -> ParsedReading:
    if not isinstance(raw, dict) or set(raw) - {"at", "value", "state"}:
        raise ReadingRefused(
            _("Each reading is an object with “at” and either “value” or “state”."), index=index
        )
    at = _parse_at(raw.get("at"), index)
    if at > now + FUTURE_TOLERANCE:
        raise ReadingRefused(
            _("The reading is dated in the future (%(at)s): check the sensor's clock.")
            % {"at": raw["at"]},
            index=index,
        )
    if device.reading_type == ReadingType.NUMBER:
        value = raw.get("value")
        if "state" in raw or isinstance(value, bool) or not isinstance(value, int | float):
            raise ReadingRefused(
                _("This device reports numbers in %(unit)s: give “value” as a number.")
                % {"unit": device.unit},
                index=index,
            )
        floor, ceiling = PHYSICAL_RANGE[device.unit]
        if not math.isfinite(value) or not floor <= value <= ceiling:
            raise ReadingRefused(
                _(
                    "%(value)s %(unit)s is outside what such a sensor can read (%(floor)g…%(ceiling)g)."
                )
                % {"value": value, "unit": device.unit, "floor": floor, "ceiling": ceiling},
                index=index,
            )
        return ParsedReading(at=at, value=float(value), state="")
    state = raw.get("state")
    if "value" in raw or not isinstance(state, str):
        raise ReadingRefused(
            _("This device reports a state: give “state” as text (%(states)s).")
            % {"states": ", ".join(SensorState.values)},
            index=index,
        )
    if state not in SensorState.values:
        raise ReadingRefused(
            _("“%(state)s” is not a known state; use one of %(states)s.")
            % {"state": state[:40], "states": ", ".join(SensorState.values)},
            index=index,
        )
    return ParsedReading(at=at, value=None, state=state)


def parse_batch(device: Device, body, now: datetime) -> tuple[int, list[ParsedReading]]:
    """The batch's sequence and readings, or ReadingRefused saying what is wrong."""
    if not isinstance(body, dict):
        raise ReadingRefused(_("The body must be a JSON object with “readings” and “sequence”."))
    sequence = body.get("sequence")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ReadingRefused(_("“sequence” must be a whole number, 0 or more, rising per batch."))
    raw = body.get("readings")
    if not isinstance(raw, list) or not raw:
        raise ReadingRefused(_("“readings” must be a list of at least one reading."))
    if len(raw) > MAX_BATCH:
        raise ReadingRefused(
            _("At most %(n)d readings per batch: send the rest in another.") % {"n": MAX_BATCH}
        )
    return sequence, [_parse_one(device, item, i, now) for i, item in enumerate(raw)]


@dataclass(frozen=True)
class BatchResult:
    stored: int
    replay: bool = False
    current_changed: bool = False


def readings_accept(*, device: Device, body, now: datetime | None = None) -> BatchResult:
    """Store one batch from a sensor (R-4.3). All or nothing: a bad reading refuses the batch.
    A batch whose sequence is not above the last accepted is a replay: answered, not stored. A
    reading older than the device's newest is stored for the record but does not change its
    current state or its alarms."""
    now = now or timezone.now()
    sequence, parsed = parse_batch(device, body, now)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if not device.active:
            raise ReadingRefused(_("This device is switched off in the registry."), status=403)
        if device.last_sequence is not None and sequence <= device.last_sequence:
            return BatchResult(stored=0, replay=True)
        Reading.objects.bulk_create(
            Reading(
                device=device,
                at=r.at,
                value=r.value,
                state=r.state,
                received_at=now,
                sequence=sequence,
            )
            for r in parsed
        )
        newer = sorted(
            (r for r in parsed if device.last_reading_at is None or r.at > device.last_reading_at),
            key=lambda r: r.at,
        )
        for reading in newer:  # in time order: a spike inside the batch still opens an alarm
            device.last_reading_at, device.last_value, device.last_state = (
                reading.at,
                reading.value,
                reading.state,
            )
            facility_alarms.evaluate(device, now=now)
        device.last_sequence = sequence
        device.last_heard_at = now
        device.save(
            update_fields=[
                "last_sequence",
                "last_heard_at",
                "last_reading_at",
                "last_value",
                "last_state",
            ]
        )
        facility_alarms.heard_from(device, now=now)
    return BatchResult(stored=len(parsed), current_changed=bool(newer))
