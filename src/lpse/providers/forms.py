from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lpse.catalog.selectors import sub_fields_for_choice
from lpse.providers.documents import MAX_EVIDENCE_BYTES
from lpse.providers.models import LegalForm, Verification

EVIDENCE_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


def _evidence_help() -> str:
    return gettext("PDF, JPEG or PNG, at most %(mb)d MB.") % {
        "mb": MAX_EVIDENCE_BYTES // (1024 * 1024)
    }


EVIDENCE_HELP = lazy(_evidence_help, str)()  # in the language of the request, not of start-up


class EmailStartForm(forms.Form):
    email = forms.CharField(
        label=_("Company e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    email_control = forms.BooleanField(
        label=_(
            "This address is active and our company controls it: everything LPSE sends, "
            "including the activation link, goes there."
        )
    )


class RegistrationForm(forms.Form):
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    name = forms.CharField(label=_("Company name"), max_length=200)
    npwp = forms.CharField(
        label=_("Tax number (NPWP)"),
        max_length=30,
        required=False,
        help_text=_("15 digits (01.234.567.8-901.000) or the 16-digit form."),
    )
    nib = forms.CharField(label=_("Business licence number (NIB/SIUP)"), max_length=40)
    director_name = forms.CharField(label=_("Director's name"), max_length=200)
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    city = forms.CharField(label=_("City / regency"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    sub_fields = forms.ModelMultipleChoiceField(
        label=_("Business fields and sub-fields"),
        queryset=sub_fields_for_choice(),
        widget=forms.CheckboxSelectMultiple,
    )
    user_id = forms.CharField(
        label=_("Chosen User ID"),
        max_length=30,
        help_text=_("4–30 characters: letters, digits, dot, dash, underscore."),
    )


class VerificationForm(forms.Form):
    """Built per request: one checkbox and one note per active checklist item."""

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Verification.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reasons (required when rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # asked only outside the walk-in hours; the service decides whether it is needed.
    outside_hours_reason = forms.CharField(
        label=_("Why is this visit handled outside service hours?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"ok_{item.pk}"] = forms.BooleanField(label=item.label, required=False)
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=500
            )

    def item_rows(self):
        return [(item, self[f"ok_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]


class ChecklistItemForm(forms.Form):
    label = forms.CharField(label=_("Document"), max_length=200)
    description = forms.CharField(
        label=_("What to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    active = forms.BooleanField(label=_("Published"), required=False, initial=True)


# --- e-mail change (R-3.2) ----------------------------------------------------------------------


class EmailChangeForm(forms.Form):
    new_email = forms.CharField(
        label=_("New company e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_control = forms.BooleanField(
        label=_(
            "The new address is active and our company controls it: a confirmation link is "
            "sent there, and after the change everything LPSE sends goes there."
        )
    )
    statement = forms.FileField(
        label=_("Signed statement (surat pernyataan)"),
        required=False,  # the service says what is missing, as for any other caller
        help_text=EVIDENCE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class EmailChangeCheckForm(forms.Form):
    """The verifier's form: both originals checked, then pass on or reject."""

    DECISIONS = [
        ("pass", _("Matches: pass it to the administrator")),
        ("reject", _("Reject")),
    ]
    checked_ktp = forms.BooleanField(
        label=_("Checked against the director's original ID card (KTP)"), required=False
    )
    checked_deed = forms.BooleanField(
        label=_("Checked against the company deed (akta)"), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required when rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EmailChangeApplyForm(forms.Form):
    DECISIONS = [("apply", _("Apply the change")), ("reject", _("Reject"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required when rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- signing key (R-9.7) -----------------------------------------------------------------------


class SigningKeyProposeForm(forms.Form):
    public_key = forms.CharField(
        label=_("Public key (Ed25519, base64)"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "Filled in by this page when it makes the key; for a key made offline, paste what "
            "lpse apendo signing-keygen printed."
        ),
    )


class SigningKeyCheckForm(forms.Form):
    """The first verifier: the papers and the fingerprint the company brought, then pass or
    refuse."""

    DECISIONS = [
        ("pass", _("Matches: pass it to a second verifier")),
        ("refuse", _("Refuse")),
    ]
    fingerprint = forms.CharField(
        label=_("Fingerprint on the company's paper"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "mono", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("Type the 64 characters as printed; spaces do not matter."),
    )
    checked_identity = forms.BooleanField(
        label=_(
            "Checked the director's original ID card (KTP) and the company deed, or the letter "
            "of authority of whoever brought the key"
        ),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required when refusing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SigningKeyBindForm(forms.Form):
    DECISIONS = [("bind", _("Bind the key to the company")), ("refuse", _("Refuse"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (required when refusing)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- experience (issue 5) -----------------------------------------------------------------------


class ExperienceForm(forms.Form):
    contract_name = forms.CharField(label=_("Contract (work done)"), max_length=300)
    client = forms.CharField(label=_("Client"), max_length=200)
    sub_field = forms.ModelChoiceField(
        label=_("Business sub-field"), queryset=sub_fields_for_choice()
    )
    contract_value = forms.CharField(label=_("Contract value, Rp"), max_length=30)
    completed_on = forms.DateField(
        label=_("Completion date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    proof = forms.FileField(
        label=_("Proof (contract or handover report, BAST)"),
        required=False,
        help_text=EVIDENCE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class BasicCapabilityForm(forms.Form):
    sub_field = forms.ModelChoiceField(
        label=_("Business sub-field"),
        queryset=sub_fields_for_choice(),
        required=False,
        empty_label=_("Any sub-field"),
    )
