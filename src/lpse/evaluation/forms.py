from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.evaluation.models import Criterion, Verdict


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
