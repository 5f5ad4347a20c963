from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class PriceIndexForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), initial=lambda: timezone.localdate().year)
    month = forms.TypedChoiceField(
        label=_("Month"),
        choices=MONTHS,
        coerce=int,
        initial=lambda: timezone.localdate().month,
    )
    # Text, not a number field: the index is typed the Indonesian way (112,45); the service
    # reads it and says what is wrong.
    value = forms.CharField(label=_("Index value"), max_length=20)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("For example: BPS, consumer price index (2018=100), Kabupaten Maros."),
    )


class MasterDataForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)


class SubFieldForm(MasterDataForm):
    field = forms.CharField(
        label=_("Business field code"),
        max_length=20,
        help_text=_("The code of the field it belongs to, for example F."),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file, store nothing"), required=False, initial=True
    )


class CatalogueItemForm(forms.Form):
    """One catalogue item, named as the CSV import's columns: the service checks both alike
    (catalogue.clean_item), so the fields are text and the service says what is wrong."""

    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Item"), max_length=200)
    specification = forms.CharField(label=_("Specification"), required=False, widget=forms.Textarea)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    reference_price = forms.CharField(
        label=_("Reference price (Rp)"),
        max_length=30,
        help_text=_("For example 1.250.000 or 1.250.000,50."),
    )
    provider = forms.CharField(label=_("Provider"), max_length=200)
    valid_from = forms.CharField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.CharField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, code_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if code_fixed:  # a changed item keeps its code: orders and reports name it
            self.fields["code"].disabled = True
            self.fields["code"].required = False
