"""Schedule changes (R-3.3): committee asks with a mandatory reason, the administrator applies,
a stage that has ended cannot move, every change is kept, public and notified."""

from __future__ import annotations

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.tenders.models import ScheduleChange
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from lpse.tenders.services.schedule_changes import (
    schedule_change_apply,
    schedule_change_refuse,
    schedule_change_request,
)
from lpse.tenders.stages import Stage
from tests.tender_fixtures import at, later_bids

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(published_tender, verified_provider):
    with time_machine.travel(at(0, 9), tick=False):
        services.pact_sign(actor=verified_provider, tender=published_tender)
        participation.participation_register(actor=verified_provider, tender=published_tender)
    return verified_provider


def test_R_3_3_a_change_needs_a_reason(published_tender, agency_a):
    with (
        time_machine.travel(at(2, 10), tick=False),
        pytest.raises(DomainError, match="Explain the reason") as err,
    ):
        schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="  ",
        )
    assert err.value.field == "reason"
    assert not ScheduleChange.objects.exists()


def test_R_3_3_the_administrator_applies_it_the_history_is_public_and_participants_are_told(
    published_tender, agency_a, participant, make_user, client, django_capture_on_commit_callbacks
):
    admin = make_user(Role.APP_ADMIN)
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Adendum dokumen tender: waktu penyusunan penawaran diperpanjang.",
        )
        assert change.state == ScheduleChange.State.PENDING
        with pytest.raises(DomainError, match="Only the LPSE administrator"):
            schedule_change_apply(actor=agency_a.members[1], change=change)
        with django_capture_on_commit_callbacks(execute=True):
            schedule_change_apply(actor=admin, change=change)
    schedule = services.schedule_of(published_tender)
    assert schedule[Stage.BID_SUBMISSION][1] == at(11, 10)
    mail = SentEmail.objects.get(subject__contains="schedule changed")
    assert mail.to == participant.company.email
    assert "Adendum dokumen tender" in mail.body
    assert "The bid submission deadline is now 17 Jul 2026 10:00 WITA." in mail.body
    page = client.get(f"/tender/{published_tender.code}/").content.decode()
    assert "Adendum dokumen tender: waktu penyusunan penawaran diperpanjang." in page
    event = AuditEvent.objects.get(action="schedule_change.apply")
    assert event.actor == admin and event.data["reason"].startswith("Adendum")
    assert event.data["old"]["bid_submission"] != event.data["new"]["bid_submission"]


def test_R_3_3_a_stage_that_has_ended_cannot_move(published_tender, agency_a):
    moved = services.schedule_of(published_tender)
    moved[Stage.CLARIFICATION] = (at(1, 9), at(1, 15))  # ended at 12:00 on day 1
    with time_machine.travel(at(2, 10), tick=False), pytest.raises(sched.ScheduleInvalid) as err:
        schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=moved,
            reason="Memperpanjang waktu tanya jawab.",
        )
    assert err.value.problems == [
        "“Clarification (Q&A)” ended on 7 Jul 2026 12:00 WITA and cannot be changed."
    ]


def test_R_3_3_a_running_stage_keeps_its_start_and_nothing_moves_into_the_past(
    published_tender, agency_a
):
    moved = later_bids(published_tender)
    moved[Stage.BID_SUBMISSION] = (at(2, 9), moved[Stage.BID_SUBMISSION][1])
    moved[Stage.WINNER_DETERMINATION] = (at(1, 9), at(1, 10))
    with time_machine.travel(at(2, 10), tick=False), pytest.raises(sched.ScheduleInvalid) as err:
        schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=moved,
            reason="Perubahan jadwal karena adendum.",
        )
    assert (
        "“Bid submission” has already started (7 Jul 2026 09:00 WITA): its start cannot move."
        in err.value.problems
    )
    assert (
        "“Winner determination” cannot be moved into the past (7 Jul 2026 09:00 WITA)."
        in err.value.problems
    )


def test_R_3_3_the_clock_is_checked_again_when_the_change_is_applied(
    published_tender, agency_a, make_user
):
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Perpanjangan karena adendum.",
        )
    with (
        time_machine.travel(at(9, 11), tick=False),
        pytest.raises(sched.ScheduleInvalid, match="ended on"),
    ):
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
    change.refresh_from_db()
    assert change.state == ScheduleChange.State.PENDING


def test_R_3_3_one_pending_change_at_a_time_and_refusal_needs_a_note(
    published_tender, agency_a, make_user
):
    admin = make_user(Role.APP_ADMIN)
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Karena adendum 1.",
        )
        with pytest.raises(DomainError, match="already waiting"):
            schedule_change_request(
                actor=agency_a.members[0],
                tender=published_tender,
                new_schedule=later_bids(published_tender, days=3),
                reason="Karena adendum 2.",
            )
        with pytest.raises(DomainError, match="why the change is refused"):
            schedule_change_refuse(actor=admin, change=change, note="")
        schedule_change_refuse(actor=admin, change=change, note="Jadwal evaluasi bentrok.")
        with pytest.raises(DomainError, match="already"):
            schedule_change_apply(actor=admin, change=change)
    assert services.schedule_of(published_tender)[Stage.BID_SUBMISSION][1] == at(9, 10)


def test_R_3_3_the_committee_applies_its_own_change_where_the_lpse_allows_it(
    published_tender, agency_a, settings
):
    settings.LPSE_COMMITTEE_APPLIES_SCHEDULE_CHANGES = True
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Karena adendum 1.",
        )
    assert change.state == ScheduleChange.State.APPLIED and change.decided_by == agency_a.members[0]


def test_R_3_3_an_unchanged_schedule_is_not_a_change(published_tender, agency_a):
    with (
        time_machine.travel(at(2, 10), tick=False),
        pytest.raises(DomainError, match="same as the current"),
    ):
        schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=services.schedule_of(published_tender),
            reason="Tidak ada perubahan.",
        )


def test_R_3_3_a_bidder_is_told_its_bid_stays_valid_when_the_deadline_moves(
    bidding, make_user, django_capture_on_commit_callbacks
):
    from tests.bid_fixtures import DURING_BIDDING, seal, submit

    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
        change = schedule_change_request(
            actor=bidding.setup.members[0],
            tender=bidding.tender,
            new_schedule=later_bids(bidding.tender),
            reason="Adendum: perpanjangan waktu.",
        )
        with django_capture_on_commit_callbacks(execute=True):
            schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
    mail = SentEmail.objects.get(subject__contains="schedule changed")
    assert "You have already submitted a bid: it stays valid" in mail.body
