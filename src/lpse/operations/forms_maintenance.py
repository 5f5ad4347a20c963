"""The form that plans a maintenance window (R-5.3). The service checks what a form cannot (a
start in the future, the tenders' deadlines inside, an overlapping window) and the view shows
its refusal on the field it names."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A browser's own date-and-time picker; the value is read in the current zone, WITA.
WITA_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MaintenanceWindowForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at (WITA)"), widget=WITA_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends at (WITA)"), widget=WITA_INPUT)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to everyone on every page and in the e-mail."),
    )
    lead_hours = forms.IntegerField(
        label=_("Announce how many hours ahead"),
        min_value=1,
        max_value=24 * 30,
        required=False,
    )
    deadline_reason = forms.CharField(
        label=_("Why it must go ahead although tender deadlines fall inside it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Needed only when a tender stage ends inside the window; it is recorded."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_hours"].help_text = _(
            "Empty: %(hours)d hours (never earlier than now)."
        ) % {"hours": settings.LPSE_MAINTENANCE_LEAD_HOURS}

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and start <= timezone.now():
            self.add_error("starts_at", _("A maintenance window must start in the future."))
        if start and end and end <= start:
            self.add_error("ends_at", _("The window must end after it starts."))
        return data

    def plan_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "reason": data["reason"],
            "lead_hours": data["lead_hours"],
            "deadline_reason": data.get("deadline_reason") or "",
        }
