"""The agency admin's form that hands a PPK's open packages to another PPK (issue 13)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.tenders.selectors.open_work import open_packages_of_ppk


class PpkHandoverForm(forms.Form):
    packages = forms.ModelMultipleChoiceField(
        label=_("Open packages to hand over"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All are chosen at first; untick those that stay."),
    )
    joining = forms.ModelChoiceField(label=_("New PPK"), queryset=None)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, leaving, **kwargs):
        super().__init__(*args, **kwargs)
        open_packages = open_packages_of_ppk(leaving)
        self.fields["packages"].queryset = open_packages
        self.fields["packages"].initial = list(open_packages.values_list("pk", flat=True))
        # Only the choices the service would accept: active PPKs of the same agency, not them.
        self.fields["joining"].queryset = (
            users_with_role(Role.PPK, agency=leaving.agency).exclude(pk=leaving.pk)
            if leaving.agency_id
            else users_with_role(Role.PPK).none()
        )
        self.fields["joining"].label_from_instance = lambda u: (
            f"{u.username} — {u.get_full_name()}" if u.get_full_name() else u.username
        )
