"""A provider's invitations to non-tender procurements (R-8.6), with their schedules, the
integrity pact to sign before the sealed offer (R-7.3) and their questions and answers, and the
catalogue orders addressed to them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lpse.core.capabilities import Cap, requires
from lpse.core.feedback import act_and_redirect
from lpse.nontender.forms import QuestionForm
from lpse.nontender.selectors import invitations_of, orders_of_company
from lpse.nontender.services.offers import offer_pact_sign
from lpse.providers.selectors import company_of
from lpse.tenders.selectors.pacts import pact_text, provider_pact_of
from lpse.tenders.selectors.participants import questions_of


@require_safe
@requires(Cap.PARTICIPATE)
def my_invitations(request):
    company = company_of(request.user)
    now = timezone.now()
    invitations = []
    for invitation in invitations_of(company):
        tender = invitation.procurement.tender
        # The pact of the backing tender, once the schedule is published: signed, the offer link.
        pact = provider_pact_of(request.user, tender) if tender else None
        invitations.append(
            (
                invitation,
                pact,
                # Every invited provider sees every question and answer, without who asked
                # the form is offered while the question window (until the offers
                # close) is open.
                questions_of(tender) if tender else [],
                # (once the pact is signed: it makes the provider a participant, who may ask)
                pact is not None and now < invitation.procurement.offers_close_at,
            )
        )
    return render(
        request,
        "nontender/my_invitations.html",
        {
            "invitations": invitations,
            "pact_text": pact_text(),
            "orders": orders_of_company(company),
            "question_form": QuestionForm(),
        },
    )


@requires(Cap.PARTICIPATE)
@require_POST
def sign_pact(request, pk: int):
    # Another company's invitation is as missing as a wrong number.
    invitation = get_object_or_404(invitations_of(company_of(request.user)), pk=pk)
    return act_and_redirect(
        request,
        lambda: offer_pact_sign(actor=request.user, invitation=invitation),
        _("You signed the integrity pact: you may now send your sealed offer."),
        "nontender:my_invitations",
    )
