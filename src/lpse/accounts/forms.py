from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lpse.accounts.login_hours import login_decision
from lpse.accounts.models import Agency
from lpse.accounts.roles import Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User ID"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _(
            "The User ID or password is wrong. Check both (the password is "
            "case-sensitive) and try again."
        ),
        "inactive": _(
            "This account is not active yet. Providers: it is activated after the "
            "verifier checks your documents."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        decision = login_decision(user)
        if not decision.allowed:
            raise forms.ValidationError(decision.refusal_message(), code="outside_hours")


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordConfirmForm(forms.Form):
    # strip=False on every password field: a space at either end is part of the password (ASVS
    # V6.2.8); the sign-in form never trimmed, so a trimmed new password could not be used.
    password = forms.CharField(
        strip=False,
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        strip=False,
        label=_("New password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password; not only digits."),
    )
    password2 = forms.CharField(
        strip=False,
        label=_("New password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class StaffForm(forms.Form):
    username = forms.CharField(label=_("User ID"), max_length=30)
    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    employee_number = forms.CharField(
        label=_("Employee number (NIP)"), max_length=30, required=False
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple)
    agency = forms.ModelChoiceField(
        label=_("Agency (SKPD)"), queryset=Agency.objects.all(), required=False
    )

    def __init__(self, *args, grantable: frozenset[str], agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r.value, r.label) for r in Role if r.value in grantable]
        self.fields["agency"].queryset = agencies


class AgencyForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)


class LoginWindowForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    username = forms.CharField(label=_("…or one user (User ID)"), required=False)
    weekdays = forms.MultipleChoiceField(
        label=_("Days"),
        widget=forms.CheckboxSelectMultiple,
        choices=[
            ("1", _("Monday")),
            ("2", _("Tuesday")),
            ("3", _("Wednesday")),
            ("4", _("Thursday")),
            ("5", _("Friday")),
            ("6", _("Saturday")),
            ("7", _("Sunday")),
        ],
    )
    start = forms.TimeField(label=_("From (WITA)"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Until (WITA)"), widget=forms.TimeInput(attrs={"type": "time"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RoleChangeForm(ReasonForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency (SKPD)"), queryset=Agency.objects.all(), required=False
    )
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), ("1", _("Active")), ("0", _("Not active"))],
        required=False,
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        strip=False,
        label=_("Current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = SetPasswordForm.base_fields["password1"]
    new_password2 = SetPasswordForm.base_fields["password2"]

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords are not the same."))
        return data


class IdentityCheckForm(forms.Form):
    checked_identity = forms.BooleanField(
        required=False,
        label=_("I met the person and checked their original ID card (KTP) and staff record"),
    )
    note = forms.CharField(
        label=_("How the identity was checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
