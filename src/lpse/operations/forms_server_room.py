"""Forms of the server-room pages (R-4.2). Times are typed and shown in WITA."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.core.calendar import WITA, to_wita
from lpse.operations.services.server_room import VisitorData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class WitaDateTimeField(forms.DateTimeField):
    """A moment typed without a zone is a WITA moment, whatever the server's zone."""

    def __init__(self, **kwargs):
        super().__init__(widget=MOMENT, input_formats=MOMENT_FORMATS, **kwargs)

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        return datetime.combine(moment.date(), moment.time(), tzinfo=WITA)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return to_wita(value).replace(tzinfo=None)
        return value


class PermitRequestForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    valid_from = WitaDateTimeField(label=_("From (WITA)"))
    valid_until = WitaDateTimeField(label=_("Until (WITA)"))
    visitors = forms.CharField(
        label=_("Visitors"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One visitor a line: name; company or agency; ID number (KTP, passport or staff "
            "card). For example: Andi Rahman; PT Telkom Maros; 7309011203850001"
        ),
    )

    def clean_visitors(self) -> list[VisitorData]:
        visitors, problems = [], []
        for number, line in enumerate(self.cleaned_data["visitors"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 3 or not all(parts):
                problems.append(
                    _(
                        "Line %(n)s: write the name, the company or agency and the ID number, "
                        "separated by semicolons."
                    )
                    % {"n": number}
                )
                continue
            if len(parts[0]) > 120 or len(parts[1]) > 160 or len(parts[2]) > 40:
                problems.append(_("Line %(n)s is too long.") % {"n": number})
                continue
            visitors.append(VisitorData(*parts))
        if problems:
            raise forms.ValidationError(problems)
        if not visitors:
            raise forms.ValidationError(_("Name at least one visitor."))
        return visitors


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a refusal: the requester reads it."),
    )


class EscortChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class CheckInForm(forms.Form):
    permit = forms.IntegerField(
        label=_("Permit number"), min_value=1, help_text=_("As printed on the permit: #12 → 12.")
    )
    id_number = forms.CharField(
        label=_("Visitor's ID number"),
        max_length=40,
        help_text=_("From the identity card the visitor shows: it must be on the permit."),
    )
    escort = EscortChoice(label=_("Escort (LPSE staff)"), queryset=None)
    purpose = forms.CharField(
        label=_("Purpose of this visit"),
        required=False,
        max_length=1000,
        help_text=_("Leave empty for the permit's purpose."),
    )

    def __init__(self, *args, escorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escort"].queryset = escorts


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period must end on or after its first day."))
        return data
