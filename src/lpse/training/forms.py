from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import Agency
from lpse.core.calendar import WITA, to_wita
from lpse.training.models import Audience, Room

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RequestForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("SKPD"), queryset=Agency.objects.all())
    letter_number = forms.CharField(label=_("Letter number"), max_length=100)
    letter_date = forms.DateField(label=_("Letter date"), widget=DATE)
    letter = forms.FileField(
        label=_("The letter (PDF, JPG or PNG)"),
        help_text=_("The scan or PDF of the letter as received."),
    )
    audience = forms.ChoiceField(
        label=_("Participants are"), choices=Audience.choices, widget=forms.RadioSelect
    )
    topic = forms.CharField(label=_("Topic"), max_length=200)
    participants_expected = forms.IntegerField(
        label=_("Participants expected"), min_value=1, max_value=500
    )
    contact_name = forms.CharField(label=_("SKPD contact person"), max_length=120)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"), help_text=_("The reply letter's notice is sent here.")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class _DayAndHours(forms.Form):
    """A day and two times, read as WITA whatever the server's or browser's zone."""

    date = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=_("From (WITA)"), widget=TIME, initial=time(9))
    end = forms.TimeField(label=_("Until (WITA)"), widget=TIME)

    def moments(self) -> tuple[datetime, datetime]:
        day = self.cleaned_data["date"]
        return (
            datetime.combine(day, self.cleaned_data["start"], tzinfo=WITA),
            datetime.combine(day, self.cleaned_data["end"], tzinfo=WITA),
        )

    @staticmethod
    def initial_from(start: datetime | None, end: datetime | None) -> dict:
        if start is None or end is None:
            return {}
        start, end = to_wita(start), to_wita(end)
        return {"date": start.date(), "start": start.time(), "end": end.time()}


class ConfirmationForm(_DayAndHours):
    confirmed_with = forms.CharField(
        label=_("Spoke with (name at the SKPD)"), max_length=120, widget=forms.TextInput()
    )
    note = forms.CharField(
        label=_("Note of the call"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["confirmed_with", "date", "start", "end", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].label = _("Agreed day")


class TrainerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class ScheduleForm(_DayAndHours):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.filter(active=True))
    trainer = TrainerChoice(label=_("Trainer"), queryset=None)

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers


def _numbered(kind: str) -> forms.TextInput:
    """A hint of the usual form of a letter number; the agenda book gives the real one."""
    return forms.TextInput(attrs={"placeholder": f"{kind}/…/LPSE/{timezone.localdate().year}"})


class LettersForm(forms.Form):
    reply_number = forms.CharField(label=_("Reply letter number"), max_length=100)
    assignment_number = forms.CharField(label=_("Surat tugas number"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_number"].widget = _numbered("005")
        self.fields["assignment_number"].widget = _numbered("800")


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    email = forms.EmailField(label=_("E-mail"))
    organisation = forms.CharField(label=_("Agency or company"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Room name"), max_length=120)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=1000)
