from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class OpeningKeyForm(forms.Form):
    passphrase = forms.CharField(
        label=_("A passphrase only you know"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. You type it at every bid opening."),
    )
    recipient = forms.CharField(
        label=_("…or the public key of your own age key"),
        required=False,
        help_text=_("Made with age-keygen; starts with age1. Keep its secret part safe."),
    )


class UnlockForm(forms.Form):
    passphrase = forms.CharField(
        label=_("Your opening passphrase"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    identity = forms.CharField(
        label=_("…or the secret part of your own age key"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
