"""What the bid and opening pages may offer right now, decided on the server from the tender's
stage and what the person already did (issue 15): a closed tender shows no bid form, a member
who already unlocked (or who comes before the opening) sees no unlock form. The services refuse
the same actions anyway; these only keep the pages from offering what would be refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lpse.core.calendar import to_wita
from lpse.tenders.selectors.lookup import is_cancelled
from lpse.tenders.services.preparation import schedule_of


def long_wita(moment: datetime) -> str:
    """``Senin, 7 Desember 2026 14:05 WITA``: the form people read times in on these pages."""
    return date_format(to_wita(moment), "l, j F Y H:i") + " WITA"


@dataclass(frozen=True)
class Gate:
    """Whether an action is offered now and, when it is not, why (with the WITA time)."""

    open: bool
    reason: str = ""


def bid_gate(tender, now: datetime | None = None) -> Gate:
    """The bid form is offered only inside the bid submission stage of a live tender."""
    if is_cancelled(tender):
        return Gate(False, _("This tender is cancelled: it takes no bids."))
    start, end = schedule_of(tender)["bid_submission"]
    now = now or timezone.now()
    if now < start:
        return Gate(
            False,
            _("Bid submission has not opened yet. It opens on %(at)s.") % {"at": long_wita(start)},
        )
    if now >= end:
        return Gate(
            False,
            _("Bid submission closed on %(at)s. No bid is accepted after the deadline.")
            % {"at": long_wita(end)},
        )
    return Gate(True)


def unlock_gate(tender, share, now: datetime | None = None) -> Gate:
    """The unlock form is offered only to a member holding a share they have not unlocked yet,
    from the start of the opening stage."""
    if share is None:
        return Gate(False, _("You hold no share of this tender's key."))
    unlock = getattr(share, "unlock", None)
    if unlock is not None:
        return Gate(
            False, _("You unlocked your share on %(at)s.") % {"at": long_wita(unlock.unlocked_at)}
        )
    start = schedule_of(tender)["bid_opening"][0]
    if (now or timezone.now()) < start:
        return Gate(
            False,
            _("Bids can be opened from %(at)s, when the opening stage begins.")
            % {"at": long_wita(start)},
        )
    return Gate(True)
