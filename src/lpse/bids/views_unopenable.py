"""The annex 3.1 desk: unopenable bid files from request to witness report (R-3.1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.bids.models import OpenedBid, UnopenableCase
from lpse.bids.services import unopenable
from lpse.core.capabilities import Cap, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect


@requires(Cap.OPEN_BIDS)
@require_POST
def request_help(request, pk: int):
    opened = get_object_or_404(OpenedBid.objects.select_related("bid__tender__package"), pk=pk)
    try:
        unopenable.case_request(
            actor=request.user, opened_bid=opened, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request was sent to the head of LPSE."))
    return redirect("bids:opening", opened.bid.tender.code)


@requires(Cap.VIEW_UNOPENABLE)
def desk(request):
    cases = UnopenableCase.objects.select_related(
        "opened_bid__bid__tender__package",
        "opened_bid__bid__company",
        "opened_bid__bid__envelope",
        "requested_by",
        "attempted_by",
    ).order_by("-requested_at")
    return render(
        request,
        "bids/unopenable_desk.html",
        {
            "rows": [(case, unopenable.timings(case)) for case in cases],
            "can_handle": Cap.HANDLE_UNOPENABLE in request.user.capabilities(),
        },
    )


@requires(Cap.HANDLE_UNOPENABLE)
@require_POST
def act(request, pk: int):
    case = get_object_or_404(UnopenableCase, pk=pk)
    action = request.POST.get("action")

    def run() -> None:
        if action in ("resolved", "not_resolved"):
            unopenable.case_attempt(
                actor=request.user,
                case=case,
                resolved=action == "resolved",
                result=request.POST.get("result", ""),
            )
        elif action == "escalate":
            unopenable.case_escalate(actor=request.user, case=case)
        elif action == "close":
            unopenable.case_close(
                actor=request.user, case=case, lkpp_answer=request.POST.get("lkpp_answer", "")
            )
        else:
            raise DomainError(_("Unknown action."))

    return act_and_redirect(request, run, _("Recorded."), "bids:unopenable_desk")


@requires(Cap.VIEW_UNOPENABLE)
def witness_report(request, pk: int):
    case = get_object_or_404(UnopenableCase.objects.select_related("witness_report"), pk=pk)
    if case.witness_report is None:
        raise Http404
    return blob_pdf_response(
        case.witness_report, f"berita-acara-kesaksian-{pk}.pdf", kind="witness_report"
    )
