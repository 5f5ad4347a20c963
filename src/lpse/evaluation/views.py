"""The committee's evaluation page (R-8.4)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.accounts.roles import Cap
from lpse.bids.models import OpenedBid
from lpse.core.capabilities import requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.core.storage import open_blob
from lpse.evaluation import services
from lpse.evaluation.forms import CorrectionForm, VerdictForm
from lpse.evaluation.models import CRITERIA_ORDER, TenderOutcome
from lpse.tenders.access import require_committee_member
from lpse.tenders.models import Tender


def _tender(request, code: str) -> Tender:
    tender = get_object_or_404(Tender.objects.select_related("package__committee"), code=code)
    try:
        require_committee_member(request.user, tender)
    except DomainError:
        raise PermissionDenied from None
    return tender


@requires(Cap.MANAGE_TENDERS)
def evaluation_page(request, code: str):
    tender = _tender(request, code)
    rows = []
    for opened in (
        OpenedBid.objects.filter(bid__tender=tender)
        .select_related("bid__company")
        .order_by("bid__submitted_at")
    ):
        evaluation = services.evaluation_of(opened)
        done = services.verdicts(evaluation)
        rows.append((opened, evaluation, [(c, done.get(c)) for c in CRITERIA_ORDER]))
    return render(
        request,
        "evaluation/evaluation.html",
        {
            "tender": tender,
            "rows": rows,
            "ranking": services.ranking(tender),
            "outcome": TenderOutcome.objects.filter(tender=tender).first(),
            "verdict_form": VerdictForm(),
            "correction_form": CorrectionForm(),
        },
    )


def _opened(tender, pk: int) -> OpenedBid:
    return get_object_or_404(
        OpenedBid.objects.select_related("bid__tender"), pk=pk, bid__tender=tender
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def record(request, code: str, pk: int):
    tender = _tender(request, code)
    form = VerdictForm(request.POST)
    data = form.data
    return act_and_redirect(
        request,
        lambda: services.criterion_record(
            actor=request.user,
            opened_bid=_opened(tender, pk),
            criterion=data.get("criterion", ""),
            verdict=data.get("verdict", ""),
            reason=data.get("reason", ""),
        ),
        _("Evaluation recorded."),
        "evaluation:page",
        code,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def correct(request, code: str, pk: int):
    tender = _tender(request, code)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _(
                "Write the corrected price as a number, for example "
                "1250000000.50, and say what was corrected."
            ),
        )
        return redirect("evaluation:page", code)
    return act_and_redirect(
        request,
        lambda: (_ for _ in ()).throw(
            DomainError(_("Write the corrected price as a number, for example 1250000000.50."))
        ),
        "",
        "evaluation:page",
        code,
    )
    return act_and_redirect(
        request,
        lambda: services.price_correct(
            actor=request.user,
            opened_bid=_opened(tender, pk),
            corrected_price=form.cleaned_data["corrected_price"],
            reason=form.cleaned_data["reason"],
        ),
        _("Correction recorded."),
        "evaluation:page",
        code,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def decide(request, code: str):
    tender = _tender(request, code)
    if request.POST.get("decision") == "fail":
        action = lambda: services.tender_fail(  # noqa: E731
            actor=request.user, tender=tender, reason=request.POST.get("reason", "")
        )
        done = _("The tender is declared failed.")
    else:
        action = lambda: services.winner_determine(actor=request.user, tender=tender)  # noqa: E731
        done = _("The winner is determined.")
    return act_and_redirect(request, action, done, "evaluation:page", code)


@requires(Cap.MANAGE_TENDERS)
def outcome_report(request, code: str):
    tender = _tender(request, code)
    outcome = TenderOutcome.objects.filter(tender=tender).select_related("report").first()
    if outcome is None:
        raise Http404
    with open_blob(outcome.report) as f:
        response = HttpResponse(f.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="hasil-pemilihan-{code}.pdf"'
    return response
