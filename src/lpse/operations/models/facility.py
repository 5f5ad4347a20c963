"""The facility of the server room (R-4.3, annex IV "Sistem Monitoring"): the monitored devices,
their readings, the early-warning alarms, and the daily manual checklist of an LPSE without
sensors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AlarmCause",
    "ChecklistReminder",
    "Device",
    "DeviceKind",
    "FacilityAlarm",
    "FacilityAlarmState",
    "FacilityChecklist",
    "FirePanel",
    "Reading",
    "ReadingType",
    "SensorState",
    "Unit",
    "UpsStatus",
]


class DeviceKind(models.TextChoices):
    """The systems the annex monitors "terus menerus", humidity added from the room's rule."""

    POWER = "power", _("Power supply (PLN)")
    GENERATOR = "generator", _("Standby generator")
    UPS = "ups", _("UPS and batteries")
    AIR_CONDITIONING = "pac", _("Precision air conditioning")
    WATER = "water", _("Water detection")
    FIRE = "fire", _("Fire suppression")
    CARD_ACCESS = "card_access", _("Card access")
    CCTV = "cctv", _("CCTV")
    SWITCHBOARD = "switchboard", _("Electrical switchboard")
    TEMPERATURE = "temperature", _("Temperature")
    HUMIDITY = "humidity", _("Relative humidity")


class ReadingType(models.TextChoices):
    NUMBER = "number", _("a number with a unit")
    STATE = "state", _("a state (ok, on, off, alarm …)")


class Unit(models.TextChoices):
    """Each unit has a physical range (services.facility.PHYSICAL_RANGE): a value outside it is
    a broken sensor or a forged request, refused rather than stored."""

    CELSIUS = "°C", "°C"
    RELATIVE_HUMIDITY = "% RH", "% RH"
    VOLT = "V", "V"
    AMPERE = "A", "A"
    PERCENT = "%", "%"
    HERTZ = "Hz", "Hz"
    KILOWATT = "kW", "kW"


class SensorState(models.TextChoices):
    """The states a device may report; which of them are alarms is set per device."""

    OK = "ok", _("ok")
    ON = "on", _("on")
    OFF = "off", _("off")
    RUNNING = "running", _("running")
    ALARM = "alarm", _("alarm")
    FAULT = "fault", _("fault")
    ON_BATTERY = "on battery", _("on battery")
    WATER_DETECTED = "water detected", _("water detected")


class Device(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("name"), max_length=100, unique=True)
    location = models.CharField(_("location"), max_length=200, blank=True, default="")
    reading_type = models.CharField(_("reports"), max_length=6, choices=ReadingType.choices)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, blank=True, default="")
    # Thresholds: a number below ``low`` or above ``high`` is an alarm; a state listed in
    # ``alarm_states`` is one. Defaults by kind in services.facility.KIND_DEFAULTS.
    low = models.FloatField(_("lowest normal value"), null=True, blank=True)
    high = models.FloatField(_("highest normal value"), null=True, blank=True)
    alarm_states = models.JSONField(_("alarm states"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # The sensor's token, kept only as its SHA-256 (it is random and long: no salt needed);
    # empty when none was made or it was revoked.
    token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    token_hint = models.CharField(max_length=12, blank=True, default="")  # its first characters
    token_issued_at = models.DateTimeField(null=True, blank=True)
    # The newest batch and reading accepted: replays and late readings are told apart by them.
    last_sequence = models.BigIntegerField(null=True, blank=True)
    last_reading_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_state = models.CharField(max_length=20, blank=True, default="")
    # Server time of the last accepted batch: a device silent too long is an alarm itself.
    last_heard_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_token(self) -> bool:
        return bool(self.token_hash)

    @property
    def last_state_label(self) -> str:
        return _state_label(self.last_state)

    @property
    def alarm_state_labels(self) -> list[str]:
        return [_state_label(state) for state in self.alarm_states]


def _state_label(state: str) -> str:
    # A state as the reader's language says it; one the vocabulary no longer has, as stored.
    return str(SensorState(state).label) if state in SensorState.values else state


class Reading(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField()  # when the sensor measured it (its clock)
    value = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=20, blank=True, default="")
    received_at = models.DateTimeField()
    sequence = models.BigIntegerField()

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["device", "at"], name="facility_reading_series")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.at:%Y-%m-%d %H:%M} {self.value if self.state == '' else self.state}"

    @property
    def state_label(self) -> str:
        return _state_label(self.state)


class AlarmCause(models.TextChoices):
    READING = "reading", _("reading out of range")
    SILENT = "silent", _("stopped reporting")


class FacilityAlarmState(models.TextChoices):
    OPEN = "open", _("open")
    RECOVERED = "recovered", _("recovered")


class FacilityAlarm(models.Model):
    """An early-warning alarm (annex IV "trouble alarm") from when it opened until the device was
    back in range; at most one open per device and cause."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="alarms")
    cause = models.CharField(max_length=8, choices=AlarmCause.choices)
    state = models.CharField(
        max_length=9, choices=FacilityAlarmState.choices, default=FacilityAlarmState.OPEN
    )
    detail = models.CharField(max_length=200)  # what was read, in words: "31.5 °C (20–24)"
    opened_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    recovered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement = models.TextField(blank=True, default="")
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "cause"],
                condition=models.Q(state="open"),
                name="facility_one_open_alarm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.cause}: {self.detail}"


class UpsStatus(models.TextChoices):
    OK = "ok", _("normal (on mains)")
    ON_BATTERY = "on battery", _("on battery")
    FAULT = "fault", _("fault or alarm")


class FirePanel(models.TextChoices):
    NORMAL = "ok", _("normal")
    ALARM = "alarm", _("alarm")
    FAULT = "fault", _("fault")


class FacilityChecklist(models.Model):
    """The engineer's readings by hand, once each working day, where there are no sensors."""

    day = models.DateField(unique=True)  # the WITA date
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    room_temperature = models.DecimalField(max_digits=4, decimal_places=1)
    humidity = models.DecimalField(max_digits=4, decimal_places=1)
    ups_status = models.CharField(max_length=10, choices=UpsStatus.choices)
    generator_fuel_percent = models.PositiveSmallIntegerField()
    ac_running = models.BooleanField()
    water_detected = models.BooleanField()
    fire_panel = models.CharField(max_length=5, choices=FirePanel.choices)
    note = models.TextField(blank=True, default="")
    # What was out of range, in words, as mailed to the facility keepers.
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class ChecklistReminder(models.Model):
    """A missing checklist was reported for ``day``: the unique day makes it once a day, even
    with two schedulers."""

    day = models.DateField(unique=True)
    mailed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"
