"""Which actions a tender's pages offer now, from its state, its schedule and what the person
already did (issue 15): an addendum only until bids close, the integrity pact only to someone
who has not signed it (with its text shown first: ``selectors.pacts``). The services refuse the same things; these
keep the pages from offering what would be refused."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from lpse.tenders.models import Tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services.preparation import schedule_of


def documents_open(tender: Tender, now: datetime | None = None) -> bool:
    """A draft takes tender documents; a published tender takes addenda until bids close
    (the rule of ``preparation.document_add``)."""
    if tender.state == Tender.State.DRAFT:
        return True
    if tender.state != Tender.State.PUBLISHED:
        return False
    now = now or timezone.now()
    schedule = schedule_of(tender)
    if "bid_submission" not in schedule or schedule["bid_submission"][1] <= now:
        return False
    return not sched.status_at(schedule, now).finished
