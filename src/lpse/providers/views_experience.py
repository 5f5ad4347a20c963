"""A provider's experience and the basic capability (*kemampuan dasar*) computed from it
(issue 5, R-5.6): the provider's own company only."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.providers import selectors
from lpse.providers.forms import BasicCapabilityForm, ExperienceForm
from lpse.providers.models import Experience
from lpse.providers.services import experience as services
from lpse.providers.views_email_change import evidence_response, own_company


@requires(Cap.OWN_COMPANY)
def experience_list(request):
    company = own_company(request)
    if request.method != "POST":
        return _page(request, company, ExperienceForm())
    return submit_form(
        request,
        ExperienceForm(request.POST, request.FILES),
        lambda data: services.experience_add(
            actor=request.user,
            data=services.ExperienceData(
                contract_name=data["contract_name"],
                client=data["client"],
                sub_field=data["sub_field"],
                contract_value=data["contract_value"],
                completed_on=data["completed_on"],
            ),
            proof=data["proof"],
        ),
        success=_("Experience recorded."),
        done=lambda _result: redirect("providers:experience_list"),
        again=lambda form: _page(request, company, form),
    )


def _page(request, company, form):
    """The company's experience, the form, and its basic capability today (in the sub-field
    chosen, if any)."""
    capability_form = BasicCapabilityForm(request.GET or None)
    sub_field = capability_form.cleaned_data["sub_field"] if capability_form.is_valid() else None
    return render(
        request,
        "providers/experience.html",
        {
            "company": company,
            "form": form,
            "experiences": selectors.experiences_of(company),
            "capability_form": capability_form,
            "capability": selectors.basic_capability(
                company, sub_field=sub_field, at=timezone.localdate()
            ),
        },
    )


def _own_experience(request, pk: int) -> Experience:
    return get_object_or_404(Experience, pk=pk, company=own_company(request))


@requires(Cap.OWN_COMPANY)
@require_POST
def experience_withdraw(request, pk: int):
    experience = _own_experience(request, pk)
    return act_and_redirect(
        request,
        lambda: services.experience_withdraw(actor=request.user, experience=experience),
        _("Experience withdrawn."),
        "providers:experience_list",
    )


@requires(Cap.OWN_COMPANY)
def experience_proof(request, pk: int):
    experience = _own_experience(request, pk)
    return evidence_response(experience.proof, experience.proof_name)
