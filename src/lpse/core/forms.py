from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.core.errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names (or on the form), keeping what was typed."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class NonWorkingDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)
