"""Pembuktian kualifikasi — the qualification proof (R-8.4).

After the evaluation of qualification documents, the committee invites the best-ranked bidder
to show the originals at a time and place. Invitations go in rank order: a bid may be invited
once every bid ranked above it has failed qualification or is invited too (the committee may
invite the runner-up as a reserve at the same time). The result decides:

- attended and qualified: the bid may be determined the winner;
- attended and not qualified, or did not attend: its qualification fails, with the reason, and
  the next bid in the ranking is invited.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import is_working_day, to_wita
from lpse.core.errors import DomainError
from lpse.core.tasks import send_mail_on_commit
from lpse.evaluation.models import Criterion, CriterionResult, QualificationInvitation, Verdict
from lpse.evaluation.services.verdicts import locks_tender, ranking, require_open
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member
from lpse.tenders.services.notifications import tender_url

Invite = QualificationInvitation.State


@locks_tender(lambda k: k["bid"].tender)
def invitation_send(*, actor, bid, proof_at: datetime, place: str) -> QualificationInvitation:
    tender = bid.tender
    require_committee_member(actor, tender)
    require_open(tender)
    place = place.strip()
    if not place:
        raise DomainError(_("Say where the qualification proof takes place."), field="place")
    if proof_at is None or proof_at <= timezone.now():
        raise DomainError(_("Choose a time in the future for the proof."), field="proof_at")
    if not is_working_day(to_wita(proof_at).date()):
        raise DomainError(
            _("%(day)s is not a working day: choose another day for the proof.")
            % {"day": to_wita(proof_at).strftime("%d-%m-%Y")},
            field="proof_at",
        )
    ranked = ranking(tender)
    position = next((r for r in ranked if r.bid.pk == bid.pk), None)
    if position is None or position.qualification != Verdict.PASS:
        raise DomainError(
            _(
                "Only a ranked bid whose qualification documents passed the evaluation is "
                "invited to prove them."
            )
        )
    if position.proof is not None and position.proof.state == Invite.INVITED:
        raise DomainError(_("This bidder is already invited; record the result first."))
    if position.proof is not None:
        raise DomainError(_("This bidder's qualification proof is already recorded."))
    for above in ranked[: position.position - 1]:
        if above.qualification != Verdict.FAIL and above.proof is None:
            raise DomainError(
                _("Invite %(company)s (rank %(rank)d) first: invitations follow the ranking.")
                % {"company": above.bid.company.name, "rank": above.position}
            )
    with transaction.atomic():
        invitation = QualificationInvitation.objects.create(
            bid=bid,
            proof_at=proof_at,
            place=place,
            invited_by=actor,
            invited_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="qualification.invite",
            obj=invitation,
            data={
                "tender": tender.code,
                "bid": bid.pk,
                "rank": position.position,
                "at": proof_at.isoformat(),
                "place": place,
            },
        )
        send_mail_on_commit(
            to=[bid.company.email],
            subject=_("Tender %(code)s: invitation to the qualification proof")
            % {"code": tender.code},
            body=render_to_string(
                "evaluation/email/invitation.txt",
                {
                    "tender": tender,
                    "company": bid.company,
                    "at": sched.wita(proof_at),
                    "place": place,
                    "url": tender_url(tender),
                },
            ),
        )
    return invitation


@locks_tender(lambda k: k["invitation"].bid.tender)
def proof_record(
    *, actor, invitation: QualificationInvitation, result: str, reason: str
) -> QualificationInvitation:
    """Record what happened at the proof. A failure or an absence fails the bid's
    qualification with that reason, so the ranking moves on to the next bidder."""
    tender = invitation.bid.tender
    require_committee_member(actor, tender)
    require_open(tender)
    reason = reason.strip()
    if result not in (Invite.QUALIFIED, Invite.NOT_QUALIFIED, Invite.ABSENT):
        raise DomainError(_("Choose what happened at the proof."), field="result")
    if not reason:
        raise DomainError(_("Give the reason: every pass or fail carries one."), field="reason")
    if timezone.now() < invitation.proof_at:
        raise DomainError(
            _("The proof is set for %(at)s: record its result after that time.")
            % {"at": sched.wita(invitation.proof_at)}
        )
    with transaction.atomic():
        locked = QualificationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.state != Invite.INVITED:
            raise DomainError(_("This bidder's qualification proof is already recorded."))
        locked.state, locked.result_reason = result, reason
        locked.recorded_by, locked.recorded_at = actor, timezone.now()
        locked.save(update_fields=["state", "result_reason", "recorded_by", "recorded_at"])
        if result != Invite.QUALIFIED:
            CriterionResult.objects.filter(
                evaluation__opened_bid__bid=locked.bid, criterion=Criterion.QUALIFICATION
            ).update(
                verdict=Verdict.FAIL,
                reason=_("Qualification proof: %(reason)s") % {"reason": reason},
                decided_by=actor,
                decided_at=locked.recorded_at,
            )
        audit.record(
            actor=actor,
            action="qualification.proof",
            obj=locked,
            data={"tender": tender.code, "bid": locked.bid_id, "result": result, "reason": reason},
        )
    return locked
