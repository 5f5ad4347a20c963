"""The media log's forms (R-6.2). The service checks what a form cannot (a medium already out,
a return before its take-out) and the view shows its refusal on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# A browser's own date-and-time picker; the value is read in the current zone, WITA.
WITA_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TakeOutForm(forms.Form):
    medium = forms.CharField(
        label=_("Medium"), max_length=100, help_text=_("Its label, e.g. “HDD-2 (biru)”.")
    )
    kept_at = forms.CharField(
        label=_("Where it is kept"),
        max_length=200,
        help_text=_("Its safe place, away from the server room (R-6.2)."),
    )
    taken_by = forms.CharField(label=_("Taken out by"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        required=False,
        help_text=_("E.g. “to write this week's backup”, “to the off-site safe”."),
    )
    taken_out_at = forms.DateTimeField(
        label=_("Taken out at (WITA)"),
        required=False,
        widget=WITA_INPUT,
        help_text=_("Empty: now."),
    )


class ReturnForm(forms.Form):
    returned_at = forms.DateTimeField(
        label=_("Returned at (WITA)"),
        required=False,
        widget=WITA_INPUT,
        help_text=_("Empty: now."),
    )
