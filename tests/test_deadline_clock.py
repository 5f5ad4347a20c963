"""A node's clock stepped across a bid deadline (issue 21, R-9.1, R-9.11): with
``LPSE_DEADLINE_CLOCK=database`` the database's ``clock_timestamp()`` decides, at every check
(the upload's start, each chunk, the acceptance, the opening), so no bid is taken late and none
refused early, whichever way this node's clock jumped. The node's clock is really stepped
(time_machine moves every clock Python reads here); PostgreSQL's is the real one.

SQLite has no server clock (one machine: the node's clock is the only one), so these run on
PostgreSQL only — CI's second stage (DATABASE_URL=postgres://…) runs them."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection

from lpse.bids.models import Bid
from lpse.bids.services import opening, submission
from lpse.core.errors import DomainError
from lpse.tenders.models import ScheduleEntry
from tests.bid_fixtures import seal, signed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the database clock (LPSE_DEADLINE_CLOCK=database) is PostgreSQL's; on SQLite "
        "the node's own clock is the only one and cannot disagree with itself",
    ),
]

STEP = timedelta(hours=1)  # how far the node's clock jumped (an NTP step, a wrong manual set)


def _database_now() -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def _deadline_at(tender, moment: datetime) -> None:
    """Move the whole schedule so that bid submission closes at ``moment`` (real time)."""
    entry = ScheduleEntry.objects.get(tender=tender, stage="bid_submission")
    shift = moment - entry.end
    for row in ScheduleEntry.objects.filter(tender=tender):
        row.start, row.end = row.start + shift, row.end + shift
        row.save(update_fields=["start", "end"])


def _send(bidding, data: bytes):
    upload = submission.upload_start(
        actor=bidding.provider, tender=bidding.tender, length=len(data)
    )
    return submission.upload_append(
        actor=bidding.provider,
        upload=upload,
        offset=0,
        stream=io.BytesIO(data),
        length=len(data),
        signature=signed(bidding, data),
    )


def test_issue21_a_node_clock_stepped_past_the_deadline_does_not_refuse_a_timely_bid(
    bidding, settings
):
    settings.LPSE_DEADLINE_CLOCK = "database"
    data = seal(bidding.recipient, bidding.tender.code)
    now = _database_now()
    deadline = now + timedelta(minutes=2)
    _deadline_at(bidding.tender, deadline)

    with time_machine.travel(now + STEP, tick=True):  # this node thinks bidding closed 58 min ago
        bid = _send(bidding, data)

    assert isinstance(bid, Bid) and bid.state == Bid.State.ACTIVE
    assert now <= bid.submitted_at < deadline  # the arrival is the database's time


def test_issue21_with_the_node_clock_setting_the_node_decides(bidding, settings):
    """The other setting, for one machine: there the node's clock is the deadline's clock, so a
    node stepped forward closes bidding for itself — why several nodes must use the database."""
    settings.LPSE_DEADLINE_CLOCK = "node"
    data = seal(bidding.recipient, bidding.tender.code)
    now = _database_now()
    _deadline_at(bidding.tender, now + timedelta(minutes=2))
    with time_machine.travel(now + STEP, tick=True), pytest.raises(DomainError) as closed:
        _send(bidding, data)
    assert closed.value.code == "closed"


def test_issue21_a_node_clock_stepped_back_before_the_deadline_takes_no_late_bid(bidding, settings):
    settings.LPSE_DEADLINE_CLOCK = "database"
    data = seal(bidding.recipient, bidding.tender.code)
    now = _database_now()
    _deadline_at(bidding.tender, now - timedelta(minutes=2))

    with time_machine.travel(now - STEP, tick=True):  # this node thinks 58 minutes are left
        with pytest.raises(DomainError) as closed:
            _send(bidding, data)
        assert closed.value.code == "closed"
        # An upload started while the node's own clock decided, finished after the switch:
        # its chunk is refused too (no byte is taken after the database's deadline).
        settings.LPSE_DEADLINE_CLOCK = "node"
        upload = submission.upload_start(
            actor=bidding.provider, tender=bidding.tender, length=len(data)
        )
        settings.LPSE_DEADLINE_CLOCK = "database"
        with pytest.raises(DomainError) as late:
            submission.upload_append(
                actor=bidding.provider,
                upload=upload,
                offset=0,
                stream=io.BytesIO(data),
                length=len(data),
                signature=signed(bidding, data),
            )
        assert late.value.code == "closed"
    assert not Bid.objects.exists()


def test_issue21_a_node_clock_stepped_forward_opens_no_bid_early(bidding, settings):
    settings.LPSE_DEADLINE_CLOCK = "database"
    now = _database_now()
    _deadline_at(bidding.tender, now + timedelta(minutes=2))
    opening_start = ScheduleEntry.objects.get(tender=bidding.tender, stage="bid_opening").start
    assert opening_start > now
    with time_machine.travel(opening_start + STEP, tick=True):
        with pytest.raises(DomainError, match="Bids can be opened from"):
            opening.share_unlock(actor=bidding.openers[0], tender=bidding.tender, share="x")


def test_issue21_a_node_clock_stepped_forward_cleans_no_upload_still_in_time(bidding, settings):
    """The hourly clean-up of uploads left incomplete at the deadline reads the same clock: a
    node two hours fast does not throw away an upload the provider can still finish."""
    settings.LPSE_DEADLINE_CLOCK = "database"
    data = seal(bidding.recipient, bidding.tender.code)
    now = _database_now()
    _deadline_at(bidding.tender, now + timedelta(minutes=2))
    upload = submission.upload_start(
        actor=bidding.provider, tender=bidding.tender, length=len(data)
    )
    with time_machine.travel(now + 2 * STEP, tick=True):
        assert submission.abandoned_uploads_clean() == 0
    upload.refresh_from_db()
    assert upload.state == upload.State.RECEIVING
