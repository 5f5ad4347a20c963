from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.evaluation.models import (
    Criterion,
    FailureKind,
    Objection,
    QualificationInvitation,
    Verdict,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VerdictForm(forms.Form):
    criterion = forms.ChoiceField(label=_("Criterion"), choices=Criterion.choices)
    verdict = forms.ChoiceField(
        label=_("Result"),
        choices=[(Verdict.PASS, Verdict.PASS.label), (Verdict.FAIL, Verdict.FAIL.label)],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    corrected_price = forms.DecimalField(
        label=_("Corrected price (Rp)"), max_digits=18, decimal_places=2, min_value=0
    )
    reason = forms.CharField(
        label=_("What was corrected"), widget=forms.Textarea(attrs={"rows": 2})
    )


class FailForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Why the tender fails"),
        choices=[
            (k, label) for k, label in FailureKind.choices if k != FailureKind.OBJECTION_UPHELD
        ],
    )
    reason = forms.CharField(
        label=_("Reason (published)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationForm(forms.Form):
    proof_at = forms.DateTimeField(
        label=_("Date and time (WITA)"),
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=300)


class ProofResultForm(forms.Form):
    result = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (s, label)
            for s, label in QualificationInvitation.State.choices
            if s != QualificationInvitation.State.INVITED
        ],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


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


class ObjectionForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds of the objection"), widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("no", _("Not upheld")), ("yes", _("Upheld"))],
        coerce=lambda v: v == "yes",
    )
    consequence = forms.ChoiceField(
        label=_("If upheld"),
        choices=[("", "—"), *Objection.Consequence.choices],
        required=False,
    )


class AwardForm(forms.Form):
    number = forms.CharField(label=_("Letter number"), max_length=100)


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=100)
    value = forms.DecimalField(label=_("Contract value (Rp)"), max_digits=18, decimal_places=2)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE_WIDGET)
    starts_on = forms.DateField(label=_("Work starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Work ends on"), widget=DATE_WIDGET)
    ppk_signatory = forms.CharField(label=_("Signed for the agency by (PPK)"), max_length=200)
    provider_signatory = forms.CharField(label=_("Signed for the provider by"), max_length=200)
