from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import User
from lpse.catalog.models import CatalogueItem
from lpse.nontender.models import Justification, Method
from lpse.providers.models import Company
from lpse.tenders.models import Category


class HandoverForm(forms.Form):
    officers = forms.ModelMultipleChoiceField(
        label=_("Procurement officer(s) (Pejabat Pengadaan)"),
        help_text=_(
            "One officer opens the offers alone; with two or more, a majority of them must open "
            "them together."
        ),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    justification = forms.ChoiceField(
        label=_("Justification (direct appointment only)"),
        choices=[("", "—"), *Justification.choices],
        required=False,
    )
    justification_note = forms.CharField(
        label=_("How the case applies"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    evidence = forms.FileField(label=_("Evidence (direct appointment only)"), required=False)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officers"].queryset = officers


class InviteForm(forms.Form):
    company = forms.ModelChoiceField(label=_("Provider"), queryset=Company.objects.none())

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields["company"].queryset = companies


class NegotiationForm(forms.Form):
    price = forms.CharField(label=_("Negotiated price (Rp)"), max_length=40)
    reason = forms.CharField(
        label=_("What was clarified and why"), widget=forms.Textarea(attrs={"rows": 2})
    )


DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    offers_open_at = forms.DateTimeField(label=_("Offers open (WITA)"), widget=DATETIME_WIDGET)
    offers_close_at = forms.DateTimeField(label=_("Offers close (WITA)"), widget=DATETIME_WIDGET)
    opening_at = forms.DateTimeField(label=_("Opening (WITA)"), widget=DATETIME_WIDGET)


class ScheduleChangeForm(ScheduleForm):
    reason = forms.CharField(
        label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OrderForm(forms.Form):
    """One catalogue item per order line; the service checks the item is live today and the
    price within the catalogue's."""

    company = forms.ModelChoiceField(
        label=_("Provider"), queryset=Company.objects.filter(state="verified").order_by("name")
    )
    item = forms.ModelChoiceField(
        label=_("Catalogue item"),
        queryset=CatalogueItem.objects.filter(retired_at=None).order_by("name", "code"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_price = forms.CharField(label=_("Unit price (Rp)"), max_length=40)
    delivery_address = forms.CharField(
        label=_("Delivery address"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CeilingForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    limit = forms.CharField(label=_("Ceiling (Rp)"), max_length=40)


class QuestionForm(forms.Form):
    """An invited provider's question (the tenders Q&A's field, R-8.3)."""

    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
