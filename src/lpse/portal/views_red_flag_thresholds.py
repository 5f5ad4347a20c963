"""The application admin's page for the red-flag thresholds (R-9.10): each threshold's default,
the setting's value if any, the page's value if any, the one in force; a change is audited."""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import submit_form
from lpse.portal import services
from lpse.portal.models import RedFlagThreshold
from lpse.portal.red_flags import thresholds
from lpse.portal.red_flags.catalog import NOT_PROOF


class ThresholdForm(forms.Form):
    name = forms.ChoiceField(label=gettext_lazy("Threshold"))
    value = forms.CharField(
        label=gettext_lazy("Value (empty: back to the setting or the default)"),
        required=False,
        max_length=20,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["name"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n, n) for n in thresholds.names()]


@requires(Cap.MANAGE_RED_FLAG_THRESHOLDS)
def red_flag_thresholds(request):
    def page(form):
        configured, rows = (
            thresholds.configured(),
            {r.name: r for r in RedFlagThreshold.objects.select_related("changed_by")},
        )
        in_force = thresholds.current()
        table = [
            (
                name,
                getattr(thresholds.DEFAULTS, name),
                configured.get(name, ""),
                rows.get(name),
                getattr(in_force, name),
            )
            for name in thresholds.names()
        ]
        return render(
            request,
            "portal/red_flags/thresholds.html",
            {"form": form, "rows": table, "not_proof": NOT_PROOF},
        )

    return submit_form(
        request,
        ThresholdForm(request.POST or None),
        lambda data: services.red_flag_threshold_set(actor=request.user, **data),
        success=_("Threshold saved; the flags use it from now on."),
        done=lambda _result: redirect("portal:red_flag_thresholds"),
        again=page,
    )
