"""The duty register's forms (R-5.6). The services check what a form cannot (the role, the
state, the scanner's verdict) and the views show their refusal on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.accounts.roles import Role
from lpse.operations.models import Frequency, OccurrenceState, Outcome
from lpse.operations.services.duties import duty_roles


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DoneForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Result"), choices=Outcome.choices, initial=Outcome.OK, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What you checked or did"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    problem = forms.CharField(
        label=_("The problem found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Only with “problem found”: it must be fixed within 7 working days (R-5.6)."),
    )
    evidence = MultipleFileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("Screenshots, log extracts, a photo: up to 10 files of 20 MB each."),
    )


class CloseProblemForm(forms.Form):
    note = forms.CharField(
        label=_("How it was fixed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class DutyForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    role = forms.ChoiceField(label=_("Responsible role"))
    active = forms.BooleanField(
        label=_("In force"),
        required=False,
        help_text=_("Switched off: no new occurrences, and the open ones are cancelled."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r, Role(r).label) for r in duty_roles()]


class RegisterFilter(forms.Form):
    """The register's filters (GET): a wrong value is dropped with the field's message."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("all")), *OccurrenceState.choices]
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("all")), *((r, Role(r).label) for r in duty_roles())]
