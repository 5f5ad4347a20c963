"""The operations forms: a threshold's edit form (R-5.1) and an alert's acknowledgement. The
threshold rules live in ``services.thresholds.problems``; the form shows all of them at once and
the service enforces them again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.operations.services import thresholds
from lpse.operations.services.thresholds import MAX_MINUTES, ThresholdChange


class ThresholdForm(forms.Form):
    warning = forms.FloatField(
        label=_("Warning limit"), required=False, help_text=_("Empty: no warning.")
    )
    critical = forms.FloatField(
        label=_("Critical limit"), required=False, help_text=_("Empty: no critical level.")
    )
    # The range is checked by services.thresholds.problems, in the same words as the service.
    for_minutes = forms.IntegerField(
        label=_("Lasting at least (minutes)"),
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_MINUTES}),
        help_text=_("How long the value must stay beyond the limit before an alert; 0: at once."),
    )
    enabled = forms.BooleanField(label=_("Watched"), required=False)
    notify_roles = forms.MultipleChoiceField(
        label=_("Roles told by e-mail"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, comparison: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.comparison = comparison
        self.fields["notify_roles"].choices = thresholds.notifiable_roles()

    @classmethod
    def of(cls, threshold, data=None):
        """The form of one threshold, its fields named after the metric so that the page can
        hold one form per metric."""
        return cls(
            data,
            prefix=threshold.metric,
            comparison=threshold.comparison,
            initial={
                "warning": threshold.warning,
                "critical": threshold.critical,
                "for_minutes": threshold.for_minutes,
                "enabled": threshold.enabled,
                "notify_roles": threshold.notify_roles,
            },
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for field, message in thresholds.problems(self.comparison, self.change()):
            self.add_error(field, message)
        return data

    def change(self) -> ThresholdChange:
        data = self.cleaned_data
        return ThresholdChange(
            warning=data.get("warning"),
            critical=data.get("critical"),
            for_minutes=data.get("for_minutes") or 0,
            enabled=bool(data.get("enabled")),
            notify_roles=list(data.get("notify_roles") or []),
        )


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("What is being done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. “old log files are being removed; the disk is extended tonight”."),
    )
