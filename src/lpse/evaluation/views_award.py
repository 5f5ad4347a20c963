"""The PPK's award page (R-8.4): award letter (SPPBJ) and the contract record."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import AUTHENTICATED, Cap, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.feedback import submit_form
from lpse.evaluation.forms import AwardForm, ContractForm
from lpse.evaluation.selectors import award_of, contract_of, current_outcome
from lpse.evaluation.services import award as award_services
from lpse.tenders.selectors.access import is_committee_member
from lpse.tenders.selectors.lookup import tender_or_404

if TYPE_CHECKING:
    from lpse.tenders.models import Tender


def _ppk_tender(request, code: str) -> Tender:
    """The tender of a package the user is the PPK of (the award is the PPK's, R-8.4)."""
    tender = tender_or_404(code)
    if tender.package.ppk_id != request.user.pk:
        raise PermissionDenied
    return tender


def _page(request, tender, *, award_form=None, contract_form=None, status=200):
    outcome = current_outcome(tender)
    award = award_of(outcome)
    return render(
        request,
        "evaluation/award.html",
        {
            "tender": tender,
            "outcome": outcome,
            "award": award,
            "contract": contract_of(award),
            "blockers": award_services.award_blockers(outcome, timezone.now()),
            "objections": outcome.objections.select_related("bid__company") if outcome else [],
            "offer": award_services.winner_price(outcome)
            if outcome is not None and outcome.winner_id
            else None,
            "award_form": award_form or AwardForm(),
            "contract_form": contract_form or ContractForm(),
        },
        status=status,
    )


@requires(Cap.AWARD_CONTRACTS)
def award_page(request, code: str):
    return _page(request, _ppk_tender(request, code))


@requires(Cap.AWARD_CONTRACTS)
@require_POST
def award_issue(request, code: str):
    tender = _ppk_tender(request, code)
    return submit_form(
        request,
        AwardForm(request.POST),
        lambda data: award_services.award_issue(
            actor=request.user, tender=tender, number=data["number"]
        ),
        success=_("The award letter (SPPBJ) is issued and sent."),
        done=lambda _result: redirect("evaluation:award", code),
        again=lambda form: _page(request, tender, award_form=form, status=400),
    )


@requires(Cap.AWARD_CONTRACTS)
@require_POST
def contract_record(request, code: str):
    tender = _ppk_tender(request, code)
    return submit_form(
        request,
        ContractForm(request.POST),
        lambda data: award_services.contract_record(
            actor=request.user, tender=tender, data=award_services.ContractData(**data)
        ),
        success=_("The contract is recorded."),
        done=lambda _result: redirect("evaluation:award", code),
        again=lambda form: _page(request, tender, contract_form=form, status=400),
    )


@requires(AUTHENTICATED)
def award_letter(request, code: str):
    """The SPPBJ: for the PPK, the committee and the winner."""
    tender = tender_or_404(code)
    award = award_of(current_outcome(tender))
    if award is None:
        raise Http404
    user = request.user
    winner_user = award.outcome.winner.company.user_id
    if user.pk not in (tender.package.ppk_id, winner_user) and not is_committee_member(
        user, tender
    ):
        raise PermissionDenied
    return blob_pdf_response(award.document, f"sppbj-{code}.pdf", kind="award_letter")
