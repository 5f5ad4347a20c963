from __future__ import annotations

from django import forms
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import User
from lpse.accounts.roles import Role
from lpse.accounts.selectors import agency_choices
from lpse.catalog.selectors import goods_categories_for_choice, sub_fields_for_choice
from lpse.tenders.models import Category, FundingSource, Method
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.stages import STAGE_ORDER, Stage

DATETIME_WIDGET = {"type": "datetime-local"}


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Committee name"), max_length=200)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            agency=agency, role_grants__role=Role.COMMITTEE, is_active=True
        ).distinct()


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Package name"), max_length=300)
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), initial=lambda: timezone.localdate().year
    )
    budget_ceiling = forms.CharField(label=_("Budget ceiling (pagu), Rp"), max_length=30)
    owner_estimate = forms.CharField(label=_("Owner estimate (HPS), Rp"), max_length=30)
    # The administrator's goods categories, not a list fixed in code: a retired one is
    # no longer offered, one added is.
    category = forms.ChoiceField(label=_("Category"), choices=goods_categories_for_choice)
    sub_field = forms.ModelChoiceField(
        label=_("Business sub-field"), queryset=sub_fields_for_choice()
    )
    location = forms.CharField(label=_("Location"), max_length=200)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)


class AssignForm(forms.Form):
    committee = forms.ModelChoiceField(label=_("Committee (Pokja)"), queryset=None)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees


class ScheduleFieldsMixin:
    """One start and one end field per stage, in WITA (the site's time zone)."""

    def add_schedule_fields(self, initial: sched.Schedule | None = None):
        for stage in STAGE_ORDER:
            label = Stage(stage).label
            for edge, index in (("start", 0), ("end", 1)):
                value = None
                if initial and stage in initial:
                    value = timezone.localtime(initial[stage][index]).strftime("%Y-%m-%dT%H:%M")
                self.fields[f"{stage}_{edge}"] = forms.DateTimeField(
                    label=f"{label} — {_('start') if edge == 'start' else _('end')}",
                    initial=value,
                    widget=forms.DateTimeInput(attrs=DATETIME_WIDGET),
                )

    def schedule(self) -> sched.Schedule:
        data = self.cleaned_data
        return {
            stage: (data[f"{stage}_start"], data[f"{stage}_end"])
            for stage in STAGE_ORDER
            if data.get(f"{stage}_start") and data.get(f"{stage}_end")
        }

    def schedule_rows(self):
        return [(Stage(s).label, self[f"{s}_start"], self[f"{s}_end"]) for s in STAGE_ORDER]


class TenderForm(ScheduleFieldsMixin, forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    qualification_requirements = forms.CharField(
        label=_("Qualification requirements"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, initial_schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_schedule_fields(initial_schedule)


class ScheduleForm(ScheduleFieldsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the change (published)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, initial_schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_schedule_fields(initial_schedule)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class RefuseForm(forms.Form):
    note = forms.CharField(label=_("Why it is refused"), widget=forms.Textarea(attrs={"rows": 2}))


# The agencies the public list's filter offers, kept by each process for as long as the
# filter form's fragment (public_list.html): checking a chosen agency was a query at every
# filtered page (0.6 ms of its 5 ms, bench/README.md issue 19). A new agency is offered, and
# accepted, within a minute.
_AGENCIES_KEY, _AGENCIES_SECONDS = "lpse:public-filter-agencies", 60


def _public_agencies() -> list[tuple[int | str, str]]:
    return caches["local"].get_or_set(
        _AGENCIES_KEY, lambda: [("", "---------"), *agency_choices()], _AGENCIES_SECONDS
    )


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    agency = forms.TypedChoiceField(
        label=_("Agency"), choices=_public_agencies, coerce=int, empty_value=None, required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *Category.choices], required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage now"), choices=[("", "—"), *Stage.choices], required=False
    )
    min_value = forms.DecimalField(label=_("HPS from (Rp)"), required=False, min_value=0)
    max_value = forms.DecimalField(label=_("HPS up to (Rp)"), required=False, min_value=0)
    year = forms.IntegerField(
        label=_("Fiscal year"), required=False, min_value=2000, max_value=2100
    )


class StageMinimumForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    working_days = forms.IntegerField(label=_("At least (working days)"), min_value=0, max_value=60)


class ApprovalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = forms.CharField(
        label=_("Note (the reason, when you refuse)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ApprovalAgainForm(forms.Form):
    note = forms.CharField(
        label=_("What you changed after the refusal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class MemberReplaceForm(forms.Form):
    leaving = forms.ModelChoiceField(label=_("Member who leaves"), queryset=User.objects.none())
    joining = forms.ModelChoiceField(label=_("New member"), queryset=User.objects.none())
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaving"].queryset = committee.members.all()
        self.fields["joining"].queryset = (
            User.objects.filter(
                agency_id=committee.agency_id, role_grants__role=Role.COMMITTEE, is_active=True
            )
            .exclude(pk__in=committee.members.values("pk"))
            .distinct()
        )
