"""Forms of the support desk. None of them asks for a password or a key (R-3.4 [safer])."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.tenders.models import Tender


class ProblemReportForm(forms.Form):
    """What the provider tells the helpdesk: what they saw, and for which tender."""

    tender = forms.ModelChoiceField(
        label=_("Tender"),
        queryset=Tender.objects.none(),
        required=False,
        empty_label=_("(not about one tender)"),
    )
    description = forms.CharField(
        label=_("What happened when you tried to upload?"),
        help_text=_(
            "The message you saw, the file's size, the browser you used. Never write your "
            "password or a key here: LPSE staff will never ask for them."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )

    def __init__(self, *args, company=None, **kwargs):
        super().__init__(*args, **kwargs)
        if company is not None:
            self.fields["tender"].queryset = (
                Tender.objects.filter(participations__company=company)
                .select_related("package")
                .order_by("-published_at", "code")
            )
        self.fields["tender"].label_from_instance = lambda t: f"{t.code} — {t.package.name}"


class EscalationForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 4}))
    diagnosis = forms.CharField(
        label=_("What LPSE found"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A screenshot or a log. Files holding a key or a password are refused."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
