"""What a bidder sees of its own evaluation, and its objection (sanggah) (R-8.4); the public
outcome report (R-8.5)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core.capabilities import AUTHENTICATED, Cap, public, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.feedback import submit_form
from lpse.evaluation.forms import ObjectionForm
from lpse.evaluation.models import ObjectionAttachment
from lpse.evaluation.selectors import current_outcome, own_result
from lpse.evaluation.services.objections import objection_file
from lpse.tenders.selectors.access import is_committee_member
from lpse.tenders.selectors.lookup import announced_tender_or_404, tender_or_404


def _own_tender(request, code: str):
    tender = tender_or_404(code)
    company = getattr(request.user, "company", None)  # a provider account has one
    mine = own_result(tender, company) if company is not None else None
    if mine is None:
        raise Http404  # someone else's result is as invisible as a missing one
    return tender, mine


@requires(Cap.PARTICIPATE)
def my_result(request, code: str):
    tender, mine = _own_tender(request, code)
    if request.method != "POST":
        return _result_page(request, tender, mine, ObjectionForm())
    return submit_form(
        request,
        ObjectionForm(request.POST, request.FILES),
        lambda data: objection_file(
            actor=request.user,
            tender=tender,
            grounds=data["grounds"],
            attachments=data["attachments"],
        ),
        success=_("Your objection is filed; the committee answers it."),
        done=lambda _result: redirect("evaluation:my_result", code),
        again=lambda form: _result_page(request, tender, mine, form),
    )


def _result_page(request, tender, mine, form: ObjectionForm) -> HttpResponse:
    """The bidder's own result with the objection form while the window is open (R-8.4); 400
    when the form came back with an error."""
    outcome = current_outcome(tender)
    window_open = bool(
        outcome
        and outcome.objections_open_at
        and outcome.objections_open_at <= timezone.now() < outcome.objections_close_at
    )
    return render(
        request,
        "evaluation/my_result.html",
        {
            "tender": tender,
            "mine": mine,
            "outcome": outcome if outcome and outcome.announced_at else None,
            "form": form,
            "can_object": window_open
            and (mine.objection is None or mine.objection.outcome_id != outcome.pk)
            and outcome.winner_id != mine.bid.pk,
        },
        status=400 if form.errors else 200,
    )


@requires(AUTHENTICATED)
def attachment_download(request, pk: int):
    """An objection's attachment: for the objector and the tender's committee."""
    attachment = get_object_or_404(
        ObjectionAttachment.objects.select_related(
            "blob", "objection__bid__company", "objection__outcome__tender__package"
        ),
        pk=pk,
    )
    objection = attachment.objection
    if objection.bid.company.user_id != request.user.pk and not is_committee_member(
        request.user, objection.outcome.tender
    ):
        raise PermissionDenied
    from django.http import FileResponse

    from lpse.core.storage import open_blob

    response = FileResponse(
        open_blob(attachment.blob), as_attachment=True, filename=attachment.filename
    )
    response["Digest"] = f"sha-256={attachment.blob.sha256}"
    return response


@public
def public_report(request, code: str):
    """The announced outcome's report (berita acara hasil pemilihan), for anyone."""
    tender = announced_tender_or_404(code)
    outcome = current_outcome(tender)
    if outcome is None or outcome.announced_at is None:
        raise Http404
    return blob_pdf_response(outcome.report, f"hasil-pemilihan-{code}.pdf", kind="outcome_report")
