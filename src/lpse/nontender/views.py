"""The procurement officer's pages (R-8.6): the list, a procurement, invitations, negotiation and
the result."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import submit_form
from lpse.nontender.forms import (
    AnswerForm,
    InviteForm,
    NegotiationForm,
    ScheduleChangeForm,
    ScheduleForm,
)
from lpse.nontender.models import Offer, Procurement
from lpse.nontender.selectors import (
    invitable_companies,
    officers_of,
    procurements_of_officer,
)
from lpse.nontender.services import award as award_services
from lpse.nontender.services import schedule as schedule_services
from lpse.nontender.services.invitations import invitation_add
from lpse.tenders.selectors.participants import questions_of


def officer_procurement(request, pk: int) -> Procurement:
    """A procurement handed to this officer, alone or in a team: another's is as missing as a
    wrong number (404), so its code and state do not leak to an officer not on it."""
    return get_object_or_404(
        procurements_of_officer(request.user).select_related("package__sub_field"), pk=pk
    )


def _offer_of(procurement: Procurement, offer_pk: int) -> Offer:
    return get_object_or_404(Offer, pk=offer_pk, invitation__procurement=procurement)


def _page(
    request,
    procurement,
    *,
    invite_form=None,
    negotiation_forms=None,
    schedule_form=None,
    change_form=None,
    status=200,
):
    offers = [
        (offer, award_services.current_price(offer), (negotiation_forms or {}).get(offer.pk))
        for offer in Offer.objects.filter(invitation__procurement=procurement)
        .select_related("invitation__company")
        .prefetch_related("negotiations")
    ]
    return render(
        request,
        "nontender/detail.html",
        {
            "procurement": procurement,
            "officers": officers_of(procurement),
            "invitations": procurement.invitations.select_related("company"),
            "offers": offers,
            "invite_form": invite_form or InviteForm(companies=invitable_companies(procurement)),
            "negotiation_form": NegotiationForm(),
            "schedule_form": schedule_form or ScheduleForm(),
            "change_form": change_form
            or ScheduleChangeForm(initial=schedule_services.schedule_of(procurement)),
            "schedule_changes": procurement.schedule_changes.all(),
            "questions": questions_of(procurement.tender) if procurement.tender else [],
            "answer_form": AnswerForm(),
        },
        status=status,
    )


@require_safe
@requires(Cap.RUN_NONTENDER)
def officer_list(request):
    return render(
        request,
        "nontender/officer_list.html",
        {"procurements": procurements_of_officer(request.user)},
    )


@require_safe
@requires(Cap.RUN_NONTENDER)
def detail(request, pk: int):
    return _page(request, officer_procurement(request, pk))


@requires(Cap.RUN_NONTENDER)
@require_POST
def invite(request, pk: int):
    procurement = officer_procurement(request, pk)
    return submit_form(
        request,
        InviteForm(request.POST, companies=invitable_companies(procurement)),
        lambda data: invitation_add(
            actor=request.user, procurement=procurement, company=data["company"]
        ),
        success=_("The provider is invited."),
        done=lambda _r: redirect("nontender:detail", pk),
        again=lambda form: _page(request, procurement, invite_form=form, status=400),
    )


@requires(Cap.RUN_NONTENDER)
@require_POST
def negotiate(request, pk: int, offer_pk: int):
    procurement = officer_procurement(request, pk)
    offer = _offer_of(procurement, offer_pk)
    return submit_form(
        request,
        NegotiationForm(request.POST),
        lambda data: award_services.negotiation_record(
            actor=request.user, offer=offer, price=data["price"], reason=data["reason"]
        ),
        success=_("The negotiation is recorded."),
        done=lambda _r: redirect("nontender:detail", pk),
        again=lambda form: _page(
            request, procurement, negotiation_forms={offer.pk: form}, status=400
        ),
    )


@requires(Cap.RUN_NONTENDER)
@require_POST
def award(request, pk: int, offer_pk: int):
    procurement = officer_procurement(request, pk)
    offer = _offer_of(procurement, offer_pk)
    try:
        award_services.procurement_award(actor=request.user, procurement=procurement, offer=offer)
    except DomainError as exc:
        messages.error(request, str(exc))
        return _page(request, procurement, status=400)
    messages.success(request, _("The result and the purchase order (SPK) went to the PPK."))
    return redirect("nontender:detail", pk)


@requires(Cap.RUN_NONTENDER)
@require_POST
def schedule_publish(request, pk: int):
    procurement = officer_procurement(request, pk)
    return submit_form(
        request,
        ScheduleForm(request.POST),
        lambda data: schedule_services.schedule_publish(
            actor=request.user, procurement=procurement, **data
        ),
        success=_("The schedule is published and the invited providers are told."),
        done=lambda _r: redirect("nontender:detail", pk),
        again=lambda form: _page(request, procurement, schedule_form=form, status=400),
    )


@requires(Cap.RUN_NONTENDER)
@require_POST
def schedule_change(request, pk: int):
    procurement = officer_procurement(request, pk)

    def action(data):
        reason = data.pop("reason")
        return schedule_services.schedule_change_request(
            actor=request.user, procurement=procurement, reason=reason, **data
        )

    return submit_form(
        request,
        ScheduleChangeForm(request.POST),
        action,
        success=_("The change is sent to the LPSE administrator."),
        done=lambda _r: redirect("nontender:detail", pk),
        again=lambda form: _page(request, procurement, change_form=form, status=400),
    )
