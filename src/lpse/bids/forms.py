"""Forms of the key ceremony. None of them has a field for a passphrase or a secret key: the
page's script uses those in the browser and posts only what is safe to hold (R-9.9)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OpeningKeyForm(forms.Form):
    recipient = forms.CharField(
        label=_("Public key (age1…)"),
        help_text=_(
            "Filled in by “Make my key in this browser”; or paste the public key of an age key "
            "you made yourself with age-keygen, and keep its secret part safe."
        ),
    )
    sealed_identity = forms.CharField(required=False, widget=forms.HiddenInput)


class TenderKeyForm(forms.Form):
    material = forms.CharField(required=False, widget=forms.HiddenInput)
    material_file = forms.FileField(
        label=_("…or a key file made offline with lpse apendo keygen"), required=False
    )

    def clean(self):
        data = super().clean()
        upload = data.get("material_file")
        if upload:
            data["material"] = upload.read(1 << 20).decode("utf-8", "replace")
            data["offline"] = True
        if not data.get("material"):
            raise forms.ValidationError(
                _("Make the key in this browser, or choose a key file made offline.")
            )
        return {"material_json": data["material"], "offline": bool(data.get("offline"))}


class UnlockForm(forms.Form):
    share = forms.CharField(
        label=_("Your share, as printed by lpse apendo open-share"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("Filled in by your browser when you unlock above."),
    )
