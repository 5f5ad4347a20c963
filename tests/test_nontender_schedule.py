"""The short schedule of a non-tender procurement (R-8.6) and its changes with a mandatory
reason, applied by the LPSE administrator and timed (R-3.3, R-3.6); an offer after the deadline
is refused by server time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import SentEmail, StepTiming
from lpse.nontender.models import Procurement, ScheduleChange
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.schedule import (
    require_offer_window,
    schedule_change_apply,
    schedule_change_request,
    schedule_publish,
)
from tests.nontender_fixtures import hand_over, officer  # noqa: F401
from tests.tender_fixtures import PREPARED_AT, agency_a, at, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db

SCHEDULE = {
    "offers_open_at": at(0, 8),
    "offers_close_at": at(2, 12),
    "opening_at": at(2, 13),
}


@pytest.fixture
def friday():
    with time_machine.travel(PREPARED_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def invited(agency_a, officer, verified_provider, friday):
    procurement = hand_over(agency_a, officer)
    invitation_add(actor=officer, procurement=procurement, company=verified_provider.company)
    return procurement


def test_R_8_6_the_schedule_is_published_after_an_invitation_and_the_invited_are_told(
    agency_a, officer, friday, invited, django_capture_on_commit_callbacks
):
    bare = hand_over(agency_a, officer, package=None)
    with pytest.raises(DomainError, match="Invite at least one provider"):
        schedule_publish(actor=officer, procurement=bare, **SCHEDULE)
    with django_capture_on_commit_callbacks(execute=True):
        procurement = schedule_publish(actor=officer, procurement=invited, **SCHEDULE)
    assert procurement.state == Procurement.State.INVITING
    mail = SentEmail.objects.get(subject__startswith="Invitation")
    assert "direktur@sinar.test" in mail.to and "WITA" in mail.body


def test_R_8_6_an_offer_after_the_deadline_is_refused(officer, friday, invited):
    procurement = schedule_publish(actor=officer, procurement=invited, **SCHEDULE)
    with pytest.raises(DomainError, match="Offers open on"):
        require_offer_window(procurement)
    friday.move_to(at(2, 11, 59))
    require_offer_window(procurement)
    friday.move_to(at(2, 12))
    with pytest.raises(DomainError, match="No offer is accepted after the deadline") as caught:
        require_offer_window(procurement)
    assert caught.value.code == "closed"


def test_R_3_3_a_schedule_change_needs_a_reason_and_the_administrator(
    officer, friday, invited, make_user, django_capture_on_commit_callbacks
):
    procurement = schedule_publish(actor=officer, procurement=invited, **SCHEDULE)
    later = {**SCHEDULE, "offers_close_at": at(3, 12), "opening_at": at(3, 13)}
    with pytest.raises(DomainError, match="Say why"):
        schedule_change_request(actor=officer, procurement=procurement, reason=" ", **later)
    assert not ScheduleChange.objects.exists()
    change = schedule_change_request(
        actor=officer, procurement=procurement, reason="Penyedia minta waktu survei", **later
    )
    procurement.refresh_from_db()
    assert procurement.offers_close_at == SCHEDULE["offers_close_at"]  # not yet applied
    with pytest.raises(DomainError):
        schedule_change_apply(actor=officer, change=change)
    friday.shift(timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
    procurement.refresh_from_db()
    assert procurement.offers_close_at == at(3, 12)
    timing = StepTiming.objects.get(procedure="schedule_change", subject_id=str(change.pk))
    assert timing.ended_at - timing.started_at == timedelta(minutes=20)
    assert SentEmail.objects.filter(subject__startswith="Schedule changed").exists()


def test_R_3_3_a_stage_that_has_begun_keeps_its_start_and_nothing_moves_into_the_past(
    officer, friday, invited
):
    procurement = schedule_publish(actor=officer, procurement=invited, **SCHEDULE)
    friday.move_to(at(1, 9))
    moved_start = {**SCHEDULE, "offers_open_at": at(1, 10)}
    with pytest.raises(DomainError, match="has passed"):
        schedule_change_request(actor=officer, procurement=procurement, reason="x", **moved_start)
    into_past = {**SCHEDULE, "offers_close_at": at(1, 8)}
    with pytest.raises(DomainError, match="into the past"):
        schedule_change_request(actor=officer, procurement=procurement, reason="x", **into_past)
    assert not ScheduleChange.objects.exists()
