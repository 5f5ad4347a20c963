"""Questions and answers of a non-tender procurement (R-8.6 with R-8.3): the invited providers
ask during the question window, the procurement officer answers, every invited provider sees
the answers. It is the tenders app's Q&A on the backing tender, not a second one: the window is
the backing tender's clarification stage, who answers is ``tenders.selectors.access``'s."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.nontender.selectors import invitation_of
from lpse.nontender.views import officer_procurement
from lpse.providers.selectors import company_of
from lpse.tenders.selectors.participants import question_of
from lpse.tenders.services import participation


def _backing(procurement):
    if procurement.tender is None:
        raise DomainError(_("The schedule is not published yet: no question is taken."))
    return procurement.tender


@requires(Cap.PARTICIPATE)
@require_POST
def ask(request, pk: int):
    # A provider not invited gets a 404: the procurement is not theirs to know of.
    procurement = invitation_of(company_of(request.user), pk).procurement
    text = request.POST.get("text", "")
    return act_and_redirect(
        request,
        lambda: participation.question_ask(
            actor=request.user, tender=_backing(procurement), text=text
        ),
        _("Your question was sent to the procurement officer."),
        "nontender:my_invitations",
    )


@requires(Cap.RUN_NONTENDER)
@require_POST
def answer(request, pk: int, question_pk: int):
    procurement = officer_procurement(request, pk)
    text = request.POST.get("answer", "")

    def act():
        question = question_of(_backing(procurement), question_pk)
        return participation.question_answer(actor=request.user, question=question, answer=text)

    return act_and_redirect(
        request, act, _("Answer published to all invited providers."), "nontender:detail", pk
    )
