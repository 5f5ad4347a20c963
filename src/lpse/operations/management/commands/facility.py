"""``lpse facility simulate``: realistic sensor readings for the demo (R-4.3).

lpse facility simulate [--base-url URL] [--minutes 10] [--interval 60] [--fault ac-failure]
                       [--backfill] [--rotate-tokens]

Feeds every active device (or, with none registered, a demo set of one device per kind the
annex lists) through the real ingestion API over HTTP, as the sensors would: so what the demo
shows went through the same token, validation, replay and alarm rules. Each device gets a fresh
token for the run; a device that already has one (a real sensor, perhaps) is taken over only
with ``--rotate-tokens``. ``--backfill`` sends the last ``--minutes`` at once (a day's chart in
seconds) instead of one batch every ``--interval`` seconds. A ``--fault`` starts a third of the
way in: ``ac-failure`` stops the air conditioning and the room warms up, ``power-outage`` puts
the UPS on battery and starts the generator, ``water-leak`` wets the floor sensor.
"""

from __future__ import annotations

import json
import math
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lpse.core.calendar import to_wita
from lpse.operations.models import Device, DeviceKind, ReadingType
from lpse.operations.services import facility

FAULTS = ("none", "ac-failure", "power-outage", "water-leak")
BATCH = 500

DEMO_DEVICES = [
    (DeviceKind.POWER, "PLN incoming supply", "Main panel, ground floor"),
    (DeviceKind.GENERATOR, "Standby generator", "Generator house"),
    (DeviceKind.UPS, "UPS A", "Server room"),
    (DeviceKind.AIR_CONDITIONING, "Precision AC 1", "Server room"),
    (DeviceKind.WATER, "Water sensor under raised floor", "Server room"),
    (DeviceKind.FIRE, "Fire suppression panel", "Server room door"),
    (DeviceKind.CARD_ACCESS, "Server room card reader", "Server room door"),
    (DeviceKind.CCTV, "CCTV recorder", "Server room"),
    (DeviceKind.SWITCHBOARD, "Sub-switchboard SR", "Server room"),
    (DeviceKind.TEMPERATURE, "Room temperature", "Server room, rack row A"),
    (DeviceKind.HUMIDITY, "Room humidity", "Server room, rack row A"),
]

# What a healthy device of each kind says, and what it says in each fault.
NORMAL_STATE: dict[str, str] = {
    DeviceKind.GENERATOR: "off",
    DeviceKind.AIR_CONDITIONING: "running",
    DeviceKind.CCTV: "on",
}
FAULT_STATE: dict[tuple[str, str], str] = {
    ("ac-failure", DeviceKind.AIR_CONDITIONING): "alarm",
    ("power-outage", DeviceKind.UPS): "on battery",
    ("power-outage", DeviceKind.GENERATOR): "running",
    ("water-leak", DeviceKind.WATER): "water detected",
}


@dataclass
class Feed:
    device: Device
    token: str
    sequence: int = 0
    phase: float = field(default_factory=lambda: random.uniform(0, math.tau))  # noqa: S311  # demo noise

    def next_sequence(self) -> int:
        # Rising across runs too (a clock in milliseconds), so a second run is not a "replay".
        self.sequence = max(self.sequence + 1, int(time.time() * 1000))
        return self.sequence


def reading(feed: Feed, at: datetime, fault: str, minutes_into_fault: float | None) -> dict:
    device = feed.device
    into = minutes_into_fault or 0.0
    faulty = minutes_into_fault is not None
    stamp = to_wita(at).isoformat(timespec="seconds")
    if device.reading_type == ReadingType.STATE:
        state = (FAULT_STATE.get((fault, device.kind)) if faulty else None) or NORMAL_STATE.get(
            device.kind, "ok"
        )
        return {"at": stamp, "state": state}
    hours = at.timestamp() / 3600
    wave = math.sin(hours / 24 * math.tau + feed.phase)
    if device.kind == DeviceKind.TEMPERATURE:
        value = 22 + 0.8 * wave + random.gauss(0, 0.1)
        if faulty and fault == "ac-failure":
            value = min(40.0, value + 0.25 * into)
    elif device.kind == DeviceKind.HUMIDITY:
        value = 50 + 2 * wave + random.gauss(0, 0.3)
        if faulty and fault == "ac-failure":
            value = min(75.0, value + 0.2 * into)
    elif device.kind == DeviceKind.POWER:
        value = 0.0 if faulty and fault == "power-outage" else 220 + 3 * wave + random.gauss(0, 0.8)
    else:  # another measured device: the middle of its normal band
        low = device.low if device.low is not None else 0.0
        high = device.high if device.high is not None else low + 10
        value = (low + high) / 2 + (high - low) / 6 * wave
    floor, ceiling = facility.PHYSICAL_RANGE[device.unit]
    return {"at": stamp, "value": round(min(ceiling, max(floor, value)), 2)}


class Command(BaseCommand):
    help = "Feed realistic facility sensor readings through the ingestion API (demo)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["simulate"])
        parser.add_argument("--base-url", default=None, help="default: LPSE_BASE_URL")
        parser.add_argument("--minutes", type=float, default=10.0, help="how long to simulate")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between readings")
        parser.add_argument("--fault", choices=FAULTS, default="none")
        parser.add_argument(
            "--backfill", action="store_true", help="send the last --minutes at once, no waiting"
        )
        parser.add_argument(
            "--rotate-tokens",
            action="store_true",
            help="take over devices that already have a token (their real sensors stop)",
        )

    def handle(self, *args, action: str, **options):
        if options["minutes"] <= 0 or options["interval"] <= 0:
            raise CommandError("--minutes and --interval must be above 0.")
        base = (options["base_url"] or settings.LPSE_BASE_URL).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://.")
        feeds = self._feeds(options["rotate_tokens"])
        steps = max(1, int(options["minutes"] * 60 // options["interval"]))
        fault_step = steps // 3 if options["fault"] != "none" else None
        interval = timedelta(seconds=options["interval"])
        self.stored = self.refused = 0
        url = f"{base}/sensor/v1/readings"
        if options["backfill"]:
            start = timezone.now() - interval * (steps - 1)
            moments = [start + interval * i for i in range(steps)]
            for feed in feeds:
                rows = [
                    reading(feed, at, options["fault"], self._into(i, fault_step, interval))
                    for i, at in enumerate(moments)
                ]
                for chunk in range(0, len(rows), BATCH):
                    self._send(url, feed, rows[chunk : chunk + BATCH])
        else:
            for i in range(steps):
                at = timezone.now()
                for feed in feeds:
                    self._send(
                        url,
                        feed,
                        [reading(feed, at, options["fault"], self._into(i, fault_step, interval))],
                    )
                if i < steps - 1:
                    time.sleep(options["interval"])
        self.stdout.write(
            f"{len(feeds)} devices, {steps} readings each: {self.stored} stored, "
            f"{self.refused} batches refused (fault: {options['fault']})."
        )
        if self.refused:
            raise CommandError("some batches were refused; see above.")

    @staticmethod
    def _into(step: int, fault_step: int | None, interval: timedelta) -> float | None:
        if fault_step is None or step < fault_step:
            return None
        return (step - fault_step) * interval.total_seconds() / 60

    def _feeds(self, rotate: bool) -> list[Feed]:
        devices = list(Device.objects.filter(active=True))
        if not devices:
            for kind, name, location in DEMO_DEVICES:
                devices.append(
                    facility.device_create(
                        actor=None,
                        data=facility.DeviceData(kind=kind, name=name, location=location),
                    )
                )
            self.stdout.write(f"Registered a demo set of {len(devices)} devices.")
        taken = [d.name for d in devices if d.has_token]
        if taken and not rotate:
            raise CommandError(
                f"{len(taken)} device(s) already have a token ({', '.join(taken[:3])}…): rerun "
                "with --rotate-tokens to take them over for the simulation (their sensors stop)."
            )
        return [Feed(device=d, token=facility.token_issue(actor=None, device=d)) for d in devices]

    def _send(self, url: str, feed: Feed, rows: list[dict]) -> None:
        body = json.dumps({"sequence": feed.next_sequence(), "readings": rows}).encode()
        # The scheme is checked in handle(): http(s) only.
        request = urllib.request.Request(  # noqa: S310
            url,
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {feed.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                self.stored += json.load(answer).get("stored", 0)
        except urllib.error.HTTPError as exc:
            self.refused += 1
            self.stderr.write(
                f"{feed.device.name}: {exc.code} {exc.read().decode(errors='replace')}"
            )
        except urllib.error.URLError as exc:
            raise CommandError(f"cannot reach {url}: {exc.reason}") from None
