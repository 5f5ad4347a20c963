"""The committee's evaluation page (R-8.4): verdicts, corrections, qualification proof, the
decision, its announcement, objections' answers, cancellation and re-tender.

Every form posts to its own view; a refused or invalid form comes back on the page with what was
typed and the reason in place (``render_page``), a successful one redirects to the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.bids.selectors import opened_bids_of
from lpse.core.capabilities import Cap, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.evaluation.capability import capability_of
from lpse.evaluation.forms import (
    AnswerForm,
    CorrectionForm,
    FailForm,
    InvitationForm,
    ProofResultForm,
    VerdictForm,
)
from lpse.evaluation.models import CRITERIA_ORDER, Objection, TenderOutcome
from lpse.evaluation.selectors import current_outcome
from lpse.evaluation.services import announcement, failure
from lpse.evaluation.services import verdicts as services
from lpse.tenders.selectors.access import committee_tender

if TYPE_CHECKING:
    from lpse.bids.models import OpenedBid
    from lpse.tenders.models import Tender


def render_page(request, tender: Tender, *, status: int = 200, target=None, **bound):
    """The page. A form sent back with an error (``bound``, by its context name) appears under
    the bid, ranking entry or objection it was for (``target``); the others are empty."""

    def form(name: str, cls, key):
        # Each card's form gets its own element ids, so labels point at their own fields.
        if name in bound and key == target:
            return bound[name]
        return cls(auto_id=f"id_{name}_{key}_%s")

    rows = []
    for opened in (
        opened_bids_of(tender).select_related("bid__company").order_by("bid__submitted_at")
    ):
        evaluation = services.evaluation_shown(opened)
        done = services.verdicts(evaluation) if evaluation.pk else {}
        rows.append(
            (
                opened,
                evaluation,
                [(c, done.get(c)) for c in CRITERIA_ORDER],
                capability_of(opened.bid),
                form("verdict_form", VerdictForm, opened.pk),
                form("correction_form", CorrectionForm, opened.pk),
            )
        )
    ranking = [
        (
            r,
            form("invitation_form", InvitationForm, r.bid.pk),
            form("proof_form", ProofResultForm, r.bid.pk),
        )
        for r in services.ranking(tender)
    ]
    objections = [
        (ob, form("answer_form", AnswerForm, ob.pk))
        for ob in Objection.objects.filter(outcome__tender=tender)
        .select_related("bid__company")
        .prefetch_related("attachments")
    ]
    context = {
        "tender": tender,
        "rows": rows,
        "ranking": ranking,
        "outcome": current_outcome(tender),
        "past_outcomes": TenderOutcome.objects.filter(
            tender=tender, annulled_at__isnull=False
        ).order_by("decided_at"),
        "objections": objections,
        "retender": tender.retenders.first(),
        "fail_form": bound.get("fail_form") or FailForm(),
        "target": target,
    }
    return render(request, "evaluation/evaluation.html", context, status=status)


def form_action(
    request, tender: Tender, *, name: str, form, action: Callable, success: str, target=None
):
    """Validate ``form``, run ``action(cleaned_data)``; on success redirect to the page, else
    show the page again with the form as typed and the error where it belongs."""
    return submit_form(
        request,
        form,
        action,
        success=success,
        done=lambda _result: redirect("evaluation:page", tender.code),
        again=lambda bound: render_page(
            request, tender, status=400, target=target, **{name: bound}
        ),
    )


@requires(Cap.MANAGE_TENDERS)
def evaluation_page(request, code: str):
    return render_page(request, committee_tender(request.user, code))


def opened_bid_or_404(tender: Tender, pk: int) -> OpenedBid:
    """One opened bid of this tender; a bid of another tender is as missing as none."""
    return get_object_or_404(
        opened_bids_of(tender).select_related("bid__tender", "bid__company"), pk=pk
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def record(request, code: str, pk: int):
    tender = committee_tender(request.user, code)
    opened = opened_bid_or_404(tender, pk)
    return form_action(
        request,
        tender,
        name="verdict_form",
        form=VerdictForm(request.POST),
        action=lambda data: services.criterion_record(
            actor=request.user,
            opened_bid=opened,
            criterion=data["criterion"],
            verdict=data["verdict"],
            reason=data["reason"],
        ),
        success=_("Evaluation recorded."),
        target=opened.pk,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def correct(request, code: str, pk: int):
    tender = committee_tender(request.user, code)
    opened = opened_bid_or_404(tender, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid() and "corrected_price" in form.errors:
        form.errors["corrected_price"] = form.error_class(
            [_("Write the corrected price as a number, for example 1250000000.50.")]
        )
    return form_action(
        request,
        tender,
        name="correction_form",
        form=form,
        action=lambda data: services.price_correct(
            actor=request.user,
            opened_bid=opened,
            corrected_price=data["corrected_price"],
            reason=data["reason"],
        ),
        success=_("Correction recorded."),
        target=opened.pk,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def decide(request, code: str):
    tender = committee_tender(request.user, code)
    return act_and_redirect(
        request,
        lambda: services.winner_determine(actor=request.user, tender=tender),
        _("The winner is determined."),
        "evaluation:page",
        code,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def fail(request, code: str):
    tender = committee_tender(request.user, code)
    return form_action(
        request,
        tender,
        name="fail_form",
        form=FailForm(request.POST),
        action=lambda data: failure.tender_fail(
            actor=request.user, tender=tender, kind=data["kind"], reason=data["reason"]
        ),
        success=_("The tender is declared failed."),
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def announce(request, code: str):
    tender = committee_tender(request.user, code)
    return act_and_redirect(
        request,
        lambda: announcement.outcome_announce(actor=request.user, tender=tender),
        _("The result is announced and every bidder was sent its own result."),
        "evaluation:page",
        code,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def retender(request, code: str):
    tender = committee_tender(request.user, code)
    try:
        new = failure.retender(actor=request.user, tender=tender)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:page", code)
    messages.success(
        request,
        _("Draft tender %(code)s created from the same package: check its schedule, add the "
          "documents and publish it.") % {"code": new.code},
    )  # fmt: skip
    return redirect("tenders:manage", new.code)


@requires(Cap.MANAGE_TENDERS)
@require_POST
def invite(request, code: str, pk: int):
    tender = committee_tender(request.user, code)
    opened = opened_bid_or_404(tender, pk)
    from lpse.evaluation.services.qualification import invitation_send

    return form_action(
        request,
        tender,
        name="invitation_form",
        form=InvitationForm(request.POST),
        action=lambda data: invitation_send(
            actor=request.user, bid=opened.bid, proof_at=data["proof_at"], place=data["place"]
        ),
        success=_("Invitation sent."),
        target=opened.bid_id,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def proof(request, code: str, pk: int):
    from lpse.evaluation.models import QualificationInvitation
    from lpse.evaluation.services.qualification import proof_record

    tender = committee_tender(request.user, code)
    invitation = get_object_or_404(QualificationInvitation, pk=pk, bid__tender=tender)
    return form_action(
        request,
        tender,
        name="proof_form",
        form=ProofResultForm(request.POST),
        action=lambda data: proof_record(
            actor=request.user, invitation=invitation, result=data["result"], reason=data["reason"]
        ),
        success=_("Qualification proof recorded."),
        target=invitation.bid_id,
    )


@requires(Cap.MANAGE_TENDERS)
@require_POST
def answer(request, code: str, pk: int):
    from lpse.evaluation.services.objections import objection_answer

    tender = committee_tender(request.user, code)
    objection = get_object_or_404(Objection, pk=pk, outcome__tender=tender)
    return form_action(
        request,
        tender,
        name="answer_form",
        form=AnswerForm(request.POST),
        action=lambda data: objection_answer(
            actor=request.user,
            objection=objection,
            answer=data["answer"],
            upheld=data["upheld"],
            consequence=data["consequence"],
        ),
        success=_("Answer recorded and sent."),
        target=objection.pk,
    )


@requires(Cap.MANAGE_TENDERS)
def outcome_report(request, code: str):
    tender = committee_tender(request.user, code)
    outcome = current_outcome(tender)
    if outcome is None:
        raise Http404
    return blob_pdf_response(outcome.report, f"hasil-pemilihan-{code}.pdf", kind="outcome_report")
