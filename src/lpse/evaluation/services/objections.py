"""Sanggah — objections to an announced winner (R-8.4).

A bidder other than the winner files one objection per announced outcome, only within that
outcome's objection window, with its grounds and attachments. The committee answers by the
answer deadline (``ANSWER_DAYS`` calendar days after the window closes; a later answer is
recorded as late, never refused, since the award waits for it). The answer is e-mailed to the
objector and recorded publicly. An upheld objection sets the outcome aside: the committee
evaluates again, or the tender fails and is re-tendered.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import active_bid_of_user
from lpse.core import audit
from lpse.core.capabilities import require_capability
from lpse.core.errors import DomainError
from lpse.core.storage import store_upload
from lpse.core.tasks import send_mail_on_commit
from lpse.evaluation.models import (
    FailureKind,
    Objection,
    ObjectionAttachment,
    TenderOutcome,
)
from lpse.evaluation.selectors import current_outcome
from lpse.evaluation.services.verdicts import locks_tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member
from lpse.tenders.services.notifications import tender_url

ANSWER_DAYS = 3  # Perlem LKPP 12/2021: the committee answers within 3 days after the period
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_MB = 10


@locks_tender(lambda k: k["tender"])
def objection_file(*, actor, tender, grounds: str, attachments=()) -> Objection:
    from lpse.core.capabilities import Cap

    require_capability(actor, Cap.PARTICIPATE)
    grounds = grounds.strip()
    if not grounds:
        raise DomainError(_("State the grounds of the objection."), field="grounds")
    attachments = [a for a in attachments if a]
    if len(attachments) > MAX_ATTACHMENTS:
        raise DomainError(
            _("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}, field="attachments"
        )
    for upload in attachments:
        if upload.size > MAX_ATTACHMENT_MB * 1024 * 1024:
            raise DomainError(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": MAX_ATTACHMENT_MB},
                field="attachments",
            )
    bid = active_bid_of_user(tender, actor)
    if bid is None:
        raise DomainError(_("Only a bidder of this tender may object."), code="forbidden")
    now = timezone.now()
    with transaction.atomic():
        outcome = current_outcome(tender)
        if (
            outcome is None
            or outcome.announced_at is None
            or outcome.state != TenderOutcome.State.WINNER_DETERMINED
        ):
            raise DomainError(_("There is no announced winner to object to."))
        outcome = TenderOutcome.objects.select_for_update().get(pk=outcome.pk)
        # an announced outcome has its objection window (evaluation.services.announcement)
        assert outcome.objections_open_at is not None and outcome.objections_close_at is not None
        if now < outcome.objections_open_at:
            raise DomainError(
                _("The objection period opens on %(at)s.")
                % {"at": sched.wita(outcome.objections_open_at)}
            )
        if now >= outcome.objections_close_at:
            raise DomainError(
                _("The objection period closed on %(at)s: no objection can be filed now.")
                % {"at": sched.wita(outcome.objections_close_at)}
            )
        if outcome.winner_id == bid.pk:
            raise DomainError(_("The winner does not object to its own selection."))
        if Objection.objects.filter(outcome=outcome, bid=bid).exists():
            raise DomainError(_("You have already filed an objection to this result."))
        objection = Objection.objects.create(
            outcome=outcome,
            bid=bid,
            filed_by=actor,
            filed_at=now,
            grounds=grounds,
            answer_due=outcome.objections_close_at + timedelta(days=ANSWER_DAYS),
        )
        for upload in attachments:
            ObjectionAttachment.objects.create(
                objection=objection,
                filename=upload.name[:200],
                blob=store_upload(upload, max_size=MAX_ATTACHMENT_MB * 1024 * 1024, uploader=actor),
            )
        audit.record(
            actor=actor,
            action="objection.file",
            obj=objection,
            data={
                "tender": tender.code,
                "bid": bid.pk,
                "grounds": grounds,
                "attachments": [
                    {"name": a.filename, "sha256": a.blob_id} for a in objection.attachments.all()
                ],
            },
        )
        members = list(tender.package.committee.members.values_list("email", flat=True))
        send_mail_on_commit(
            to=[m for m in members if m],
            subject=_("Tender %(code)s: objection from %(company)s")
            % {"code": tender.code, "company": bid.company.name},
            body=render_to_string(
                "evaluation/email/objection_filed.txt",
                {"tender": tender, "objection": objection, "due": sched.wita(objection.answer_due)},
            ),
        )
    return objection


@locks_tender(lambda k: k["objection"].outcome.tender)
def objection_answer(
    *, actor, objection: Objection, answer: str, upheld: bool, consequence: str = ""
) -> Objection:
    tender = objection.outcome.tender
    require_committee_member(actor, tender)
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write the answer: it is sent and published."), field="answer")
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("outcome").get(pk=objection.pk)
        )
        if locked.state != Objection.State.FILED:
            raise DomainError(_("This objection is already answered."))
        set_aside = locked.outcome.annulled_at is not None
        if upheld and set_aside and consequence:
            raise DomainError(
                _(
                    "The result this objection was filed against is already set aside: "
                    "answer it without a consequence."
                ),
                field="consequence",
            )
        if upheld and not set_aside and consequence not in Objection.Consequence.values:
            raise DomainError(
                _("An upheld objection needs its consequence: evaluate again or re-tender."),
                field="consequence",
            )
        locked.state = Objection.State.UPHELD if upheld else Objection.State.REJECTED
        locked.answer, locked.consequence = answer, consequence if upheld else ""
        locked.answered_by, locked.answered_at = actor, timezone.now()
        locked.save(update_fields=["state", "answer", "consequence", "answered_by", "answered_at"])
        audit.record(
            actor=actor,
            action="objection.answer",
            obj=locked,
            data={
                "tender": tender.code,
                "upheld": upheld,
                "consequence": locked.consequence,
                "answer": answer,
                "late": locked.answered_late,
            },
        )
        if upheld and not set_aside:
            _uphold(actor=actor, objection=locked)
        send_mail_on_commit(
            to=[locked.bid.company.email],
            subject=_("Tender %(code)s: answer to your objection") % {"code": tender.code},
            body=render_to_string(
                "evaluation/email/objection_answer.txt",
                {"tender": tender, "objection": locked, "url": tender_url(tender)},
            ),
        )
    return locked


def _uphold(*, actor, objection: Objection) -> None:
    from lpse.evaluation.services.failure import outcome_annul
    from lpse.evaluation.services.verdicts import decide, ranking

    reason = _("Objection upheld: %(answer)s") % {"answer": objection.answer}
    outcome_annul(actor=actor, outcome=objection.outcome, reason=reason)
    if objection.consequence == Objection.Consequence.RE_TENDER:
        tender = objection.outcome.tender
        decide(
            actor=actor,
            tender=tender,
            state=TenderOutcome.State.FAILED,
            winner=None,
            reason=reason,
            ranked=ranking(tender),
            failure_kind=FailureKind.OBJECTION_UPHELD,
        )


def unanswered(outcome: TenderOutcome) -> list[Objection]:
    """Every objection of the tender still waiting, whichever announced result it was filed
    against: one filed against a result later set aside must still be answered."""
    return list(
        Objection.objects.filter(outcome__tender=outcome.tender, state=Objection.State.FILED)
    )
