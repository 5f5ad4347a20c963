"""Forms of the facility pages (R-4.3)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.operations.models import (
    DeviceKind,
    FirePanel,
    ReadingType,
    SensorState,
    Unit,
    UpsStatus,
)


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    reading_type = forms.ChoiceField(
        label=_("Reports"),
        choices=[("", _("as usual for its kind")), *ReadingType.choices],
        required=False,
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("", _("as usual for its kind")), *Unit.choices],
        required=False,
        help_text=_("For a device that reports numbers."),
    )
    low = forms.FloatField(
        label=_("Lowest normal value"),
        required=False,
        help_text=_("Empty: the kind's default (temperature 20, humidity 45, PLN 198 V)."),
    )
    high = forms.FloatField(
        label=_("Highest normal value"),
        required=False,
        help_text=_("Empty: the kind's default (temperature 24, humidity 55, PLN 242 V)."),
    )
    alarm_states = forms.MultipleChoiceField(
        label=_("States that are alarms"),
        choices=SensorState.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a device that reports a state. None ticked: the kind's default."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What are you doing about it?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ChecklistForm(forms.Form):
    room_temperature = forms.DecimalField(
        label=_("Room temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Normal 20–24 °C."),
    )
    humidity = forms.DecimalField(
        label=_("Relative humidity (% RH)"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Normal 45–55 %."),
    )
    ups_status = forms.ChoiceField(label=_("UPS"), choices=UpsStatus.choices)
    generator_fuel_percent = forms.IntegerField(
        label=_("Generator fuel level (%)"), min_value=0, max_value=100
    )
    ac_running = forms.TypedChoiceField(
        label=_("Air conditioning running"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    water_detected = forms.TypedChoiceField(
        label=_("Water on the floor or under it"),
        choices=[("no", _("no")), ("yes", _("yes"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    fire_panel = forms.ChoiceField(label=_("Fire suppression panel"), choices=FirePanel.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
