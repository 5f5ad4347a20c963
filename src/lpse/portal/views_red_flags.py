"""The red-flag pages (R-9.10): per tender and per agency for the auditors and the LKPP
monitor (``VIEW_RED_FLAGS``), and the counts for the public. Every page says that a flag is not
proof; the public page names no tenderer (the counts are per indicator and per agency only)."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from lpse.core.capabilities import Cap, public, requires
from lpse.portal.ocds import packages
from lpse.portal.red_flags import compute
from lpse.portal.red_flags.catalog import INDICATORS, NOT_PROOF


class FilterForm(forms.Form):
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    flagged = forms.BooleanField(label=_("Only tenders with a flag"), required=False)

    def __init__(self, *args, agencies: dict[str, compute.AgencyFlags], **kwargs):
        super().__init__(*args, **kwargs)
        agency_field, indicator_field = self.fields["agency"], self.fields["indicator"]
        assert isinstance(agency_field, forms.ChoiceField)
        assert isinstance(indicator_field, forms.ChoiceField)
        agency_field.choices = [("", _("All agencies"))] + [
            (code, agency.name) for code, agency in agencies.items()
        ]
        indicator_field.choices = [("", _("All indicators"))] + [
            (i.code, f"{i.code} — {i.title}") for i in INDICATORS
        ]


def _common() -> dict:
    return {"not_proof": NOT_PROOF, "indicators": INDICATORS}


@requires(Cap.VIEW_RED_FLAGS)
@require_safe
def red_flag_list(request: HttpRequest) -> HttpResponse:
    flags = compute.overview()
    agencies = compute.by_agency(flags)
    form = FilterForm(request.GET or None, agencies=agencies)
    shown = flags
    if form.is_bound and form.is_valid():
        agency, indicator = form.cleaned_data["agency"], form.cleaned_data["indicator"]
        if agency:
            shown = [t for t in shown if compute.agency_code(t.record) == agency]
        if indicator:
            shown = [t for t in shown if t.result(indicator).raised]
        if form.cleaned_data["flagged"]:
            shown = [t for t in shown if t.raised]
    # An unknown agency or indicator: the form says which, and the list is shown unfiltered.
    return render(
        request,
        "portal/red_flags/list.html",
        {**_common(), "form": form, "tenders": shown, "agencies": agencies.values()},
    )


@requires(Cap.VIEW_RED_FLAGS)
@require_safe
def red_flag_tender(request: HttpRequest, ocid: str) -> HttpResponse:
    flags = compute.tender_flags(ocid)
    if flags is None:
        raise Http404(ocid)
    return render(
        request,
        "portal/red_flags/tender.html",
        {
            **_common(),
            "tender": flags,
            "agency_code": compute.agency_code(flags.record),
            "record_url": f"{packages.base_url()}/records/{ocid}",
        },
    )


@requires(Cap.VIEW_RED_FLAGS)
@require_safe
def red_flag_agency(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = compute.by_agency(compute.overview()).get(agency_code)
    if agency is None:
        raise Http404(agency_code)
    return render(
        request,
        "portal/red_flags/agency.html",
        {
            **_common(),
            "agency": agency,
            "counts": [(i, agency.counts.get(i.code, 0)) for i in INDICATORS],
        },
    )


@public
@require_safe
def red_flags_public(request: HttpRequest) -> HttpResponse:
    flags = compute.overview()
    agencies = compute.by_agency(flags)
    return render(
        request,
        "portal/red_flags/public.html",
        {
            **_common(),
            "per_indicator": compute.per_indicator(flags),
            "agencies": [
                (a, [a.counts.get(i.code, 0) for i in INDICATORS]) for a in agencies.values()
            ],
            "tenders": len(flags),
        },
    )
