"""Announcement of the outcome (R-8.4, R-8.5): public, and e-mailed to every bidder with its own
result and the committee's reasons.

Announcing a winner opens the objection window (masa sanggah) of that outcome: the schedule's
objection period when it is still ahead, otherwise — a re-announcement after an upheld objection
sent the tender back to evaluation — a fresh period of the stage's minimum working days from
the announcement, so that every announced winner can be objected to.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import active_bids_of
from lpse.core import audit
from lpse.core.calendar import add_working_days, end_of_day_wita, to_wita
from lpse.core.errors import DomainError
from lpse.core.tasks import send_mail_on_commit
from lpse.evaluation.models import TenderOutcome
from lpse.evaluation.selectors import current_outcome, own_result
from lpse.evaluation.services.verdicts import locks_tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member
from lpse.tenders.selectors.schedule import Stage
from lpse.tenders.services.notifications import tender_url
from lpse.tenders.services.preparation import schedule_of


def objection_window(tender, now: datetime) -> tuple[datetime, datetime]:
    """The schedule's period when the announcement comes before it; otherwise from now, for at
    least the stage's minimum working days (a late announcement must not shorten the losers'
    time to object)."""
    start, end = schedule_of(tender)[Stage.OBJECTION_PERIOD]
    if now <= start:
        return start, end
    days = sched.minimums().get(Stage.OBJECTION_PERIOD, 5) or 5
    return now, max(end, end_of_day_wita(add_working_days(to_wita(now).date(), days)))


@locks_tender(lambda k: k["tender"])
def outcome_announce(*, actor, tender) -> TenderOutcome:
    require_committee_member(actor, tender)
    now = timezone.now()
    with transaction.atomic():
        outcome = current_outcome(tender)
        if outcome is None:
            raise DomainError(_("Determine the winner, or declare the tender failed, first."))
        outcome = TenderOutcome.objects.select_for_update().get(pk=outcome.pk)
        if outcome.announced_at is not None:
            raise DomainError(_("The outcome is already announced."))
        if outcome.state == TenderOutcome.State.WINNER_DETERMINED:
            start = schedule_of(tender)[Stage.WINNER_ANNOUNCEMENT][0]
            if now < start and outcome.tender.outcomes.count() == 1:
                raise DomainError(
                    _("The winner is announced from %(at)s.") % {"at": sched.wita(start)}
                )
            outcome.objections_open_at, outcome.objections_close_at = objection_window(tender, now)
        outcome.announced_at = now
        outcome.save(update_fields=["announced_at", "objections_open_at", "objections_close_at"])
        audit.record(
            actor=actor,
            action="outcome.announce",
            obj=outcome,
            data={
                "tender": tender.code,
                "state": outcome.state,
                "winner": outcome.winner_id,
                "objections_close_at": (
                    outcome.objections_close_at.isoformat() if outcome.objections_close_at else None
                ),
            },
        )
        _mail_every_bidder(tender, outcome)
    return outcome


def _mail_every_bidder(tender, outcome: TenderOutcome) -> None:
    """One message per bidder, with its own verdicts and reasons and nobody else's."""
    for bid in active_bids_of(tender).select_related("company"):
        mine = own_result(tender, bid.company)
        body = render_to_string(
            "evaluation/email/announcement.txt",
            {
                "tender": tender,
                "outcome": outcome,
                "mine": mine,
                "is_winner": outcome.winner_id == bid.pk,
                "closes": (
                    sched.wita(outcome.objections_close_at) if outcome.objections_close_at else ""
                ),
                "opens": (
                    sched.wita(outcome.objections_open_at) if outcome.objections_open_at else ""
                ),
                "url": tender_url(tender),
            },
        )
        send_mail_on_commit(
            to=[bid.company.email],
            subject=_("Tender %(code)s: result of the selection") % {"code": tender.code},
            body=body,
        )
