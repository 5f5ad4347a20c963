"""R-2.2 scheduling rules (annex 2.4, step 7): provider trainings on Wednesday and Thursday
09:00–13:00; trainings for Admin Agency, PPK and committees on Monday, Tuesday and Friday or a
day agreed with the SKPD, 09:00–15:00; WITA, working days only; one training per room and per
trainer at a time."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import ExtraNonWorkingDay
from lpse.training import rules
from lpse.training.models import Audience, TrainingRequest, TrainingSession
from lpse.training.services import requests as services
from tests.training_helpers import NOW, at, confirm, confirmed, register, room

pytestmark = pytest.mark.django_db
PROVIDERS, AGENCY = Audience.PROVIDERS, Audience.AGENCY_STAFF


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff(make_user):
    class Staff:
        helpdesk = make_user(Role.HELPDESK)
        head = make_user(Role.LPSE_HEAD)
        trainer = make_user(Role.TRAINER, username="pelatih-satu")
        other_trainer = make_user(Role.TRAINER, username="pelatih-dua")

    return Staff


def schedule(staff, request, start, end, *, where=None, trainer=None):
    return services.session_schedule(
        actor=staff.head,
        request=request,
        start=start,
        end=end,
        room=where or room(),
        trainer=trainer or staff.trainer,
    )


def refused(code: str, match: str):
    """A DomainError with this rule code and a message containing ``match``."""

    class Refusal:
        def __enter__(self):
            self.raises = pytest.raises(DomainError, match=match)
            self.info = self.raises.__enter__()
            return self.info

        def __exit__(self, *exc):
            swallowed = self.raises.__exit__(*exc)
            assert self.info.value.code == code, (self.info.value.code, str(self.info.value))
            return swallowed

    return Refusal()


# --- provider trainings: Wednesday and Thursday, 09:00–13:00 ------------------------------------


def test_R_2_2_a_provider_training_on_a_monday_is_refused(staff):
    request = confirmed(staff.helpdesk, at(5, 9), at(5, 12), audience=PROVIDERS)  # Wednesday
    with refused("weekday", "Provider trainings are held on Wednesdays and Thursdays"):
        schedule(staff, request, at(10, 9), at(10, 12))  # Monday 10 August
    assert not TrainingSession.objects.exists()
    # Nor can the helpdesk agree a Monday on the phone: providers have no "other agreed day".
    other = register(staff.helpdesk, audience=PROVIDERS, number="2/PLT")
    with refused("weekday", "Monday, 10 August 2026 is not one of them"):
        confirm(staff.helpdesk, other, at(10, 9), at(10, 12))
    assert TrainingRequest.objects.get(pk=other.pk).state == TrainingRequest.State.REGISTERED


def test_R_2_2_a_provider_training_on_wednesday_or_thursday_morning_is_scheduled(staff):
    wednesday = confirmed(staff.helpdesk, at(5, 9), at(5, 13), audience=PROVIDERS)
    session = schedule(staff, wednesday, at(5, 9), at(5, 13))  # the whole window
    assert session.request.state == TrainingRequest.State.SCHEDULED
    thursday = confirmed(staff.helpdesk, at(6, 10), at(6, 12), audience=PROVIDERS, number="2/X")
    assert schedule(staff, thursday, at(6, 10), at(6, 12)).pk


@pytest.mark.parametrize(
    ("start", "end"),
    [((5, 8, 30), (5, 11, 0)), ((5, 11, 0), (5, 13, 30)), ((5, 13, 0), (5, 15, 0))],
    ids=["starts-before-09", "ends-after-13", "afternoon"],
)
def test_R_2_2_a_provider_training_outside_09_to_13_is_refused(staff, start, end):
    request = confirmed(staff.helpdesk, at(5, 9), at(5, 12), audience=PROVIDERS)
    with refused("hours", "Provider trainings run from 09:00 to 13:00 WITA"):
        schedule(staff, request, at(*start), at(*end))
    assert not TrainingSession.objects.exists()


def test_R_2_2_hours_are_read_in_WITA_whatever_zone_the_time_comes_in(staff):
    """09:00 WITA is 01:00 UTC: a time given in UTC is judged by its WITA clock."""
    request = confirmed(staff.helpdesk, at(5, 9), at(5, 12), audience=PROVIDERS)
    utc_start = at(5, 9).astimezone(UTC)
    assert utc_start.hour == 1
    session = schedule(staff, request, utc_start, utc_start + timedelta(hours=3))
    assert session.start == at(5, 9)
    with refused("hours", "13:00"):
        rules.check_times(
            audience=PROVIDERS, start=at(6, 12), end=at(6, 13, 1), now=NOW, agreed_day=None
        )


# --- agency trainings: Monday, Tuesday, Friday or the agreed day, 09:00–15:00 --------------------


def test_R_2_2_an_agency_training_runs_on_monday_tuesday_or_friday_until_15(staff):
    friday = confirmed(staff.helpdesk, at(7, 9), at(7, 15))
    assert schedule(staff, friday, at(7, 9), at(7, 15)).pk
    with refused("hours", "09:00 to 15:00 WITA"):
        rules.check_times(audience=AGENCY, start=at(10, 13), end=at(10, 16), now=NOW)
    rules.check_times(audience=AGENCY, start=at(11, 9), end=at(11, 15), now=NOW)  # Tuesday


def test_R_2_2_an_agency_training_may_take_the_day_agreed_by_phone(staff):
    """ "Senin, Selasa dan Jumat atau hari lain": a Wednesday is allowed when it is the day the
    SKPD agreed to in the phone confirmation, and only then."""
    request = register(staff.helpdesk)
    # Without the agreement, a Wednesday is not an agency day.
    with refused("weekday", "or on the day agreed with the SKPD in the phone confirmation"):
        rules.check_times(audience=AGENCY, start=at(12, 9), end=at(12, 12), now=NOW)
    confirm(staff.helpdesk, request, at(12, 9), at(12, 12))  # Wednesday 12 August, agreed
    request.refresh_from_db()
    # Another Wednesday was not agreed.
    with refused("weekday", "Wednesday, 19 August 2026 is neither"):
        schedule(staff, request, at(19, 9), at(19, 12))
    session = schedule(staff, request, at(12, 10), at(12, 14))  # the agreed day, other hours
    assert session.start == at(12, 10)
    # The agreed day does not stretch the hours.
    with refused("hours", "09:00 to 15:00"):
        schedule(staff, request, at(12, 13), at(12, 16))


def test_R_2_2_the_agreed_day_exception_is_not_for_provider_trainings(staff):
    with refused("weekday", "Provider trainings are held on Wednesdays and Thursdays"):
        rules.check_times(
            audience=PROVIDERS, start=at(7, 9), end=at(7, 12), now=NOW, agreed_day=at(7, 9).date()
        )


# --- working days --------------------------------------------------------------------------------


def test_R_2_2_a_training_on_a_national_holiday_is_refused(staff):
    """Monday 17 August 2026, Independence Day: an agency weekday, but no working day."""
    request = confirmed(staff.helpdesk, at(10, 9), at(10, 12))
    with refused("holiday", "Monday, 17 August 2026 is not a working day \\(Independence Day\\)"):
        schedule(staff, request, at(17, 9), at(17, 12))
    # Agreeing on the phone does not make a holiday a working day either (Prophet's Birthday).
    other = register(staff.helpdesk, number="9/DISDIK")
    with refused("holiday", "Prophet's Birthday"):
        confirm(staff.helpdesk, other, at(25, 9), at(25, 12))
    # A Christmas collective-leave Thursday is refused for providers too.
    with refused("holiday", "Christmas"):
        rules.check_times(
            audience=PROVIDERS, start=at(24, 9, month=12), end=at(24, 12, month=12), now=NOW
        )


def test_R_2_2_a_day_the_administrator_declared_non_working_is_refused(staff):
    ExtraNonWorkingDay.objects.create(day=at(7, 9).date(), reason="Hari Jadi Kabupaten Maros")
    request = confirmed(staff.helpdesk, at(10, 9), at(10, 12))
    with refused("holiday", "Hari Jadi Kabupaten Maros"):
        schedule(staff, request, at(7, 9), at(7, 12))


def test_R_2_2_weekends_and_past_times_are_refused(staff):
    with refused("holiday", "Saturday, 8 August 2026 is not a working day"):
        rules.check_times(audience=AGENCY, start=at(8, 9), end=at(8, 12), now=NOW)
    with refused("past", "has already passed"):
        rules.check_times(audience=AGENCY, start=at(3, 7), end=at(3, 9), now=NOW)
    with refused("same_day", "starts and ends on the same day"):
        rules.check_times(audience=AGENCY, start=at(7, 9), end=at(10, 12), now=NOW)
    with refused("order", "must end after it starts"):
        rules.check_times(audience=AGENCY, start=at(7, 12), end=at(7, 9), now=NOW)


# --- no double booking ---------------------------------------------------------------------------


def test_R_2_2_a_trainer_cannot_be_booked_twice_at_the_same_time(staff):
    first = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
    second = confirmed(staff.helpdesk, at(7, 11), at(7, 14), agency="DINKES", number="1/DINKES")
    schedule(staff, first, at(7, 9), at(7, 12), where=room("Ruang A"))
    with refused("trainer_busy", "already gives a training on Friday, 7 August 2026 09:00–12:00"):
        schedule(staff, second, at(7, 11), at(7, 14), where=room("Ruang B"))
    assert TrainingSession.objects.count() == 1
    # Back to back is fine, and another trainer may take the overlapping slot.
    assert schedule(staff, second, at(7, 12), at(7, 14), where=room("Ruang B")).pk
    third = confirmed(staff.helpdesk, at(7, 10), at(7, 12), agency="RSUD", number="1/RSUD")
    assert schedule(
        staff, third, at(7, 10), at(7, 12), where=room("Ruang C"), trainer=staff.other_trainer
    ).pk


def test_R_2_2_a_room_cannot_be_booked_twice_at_the_same_time(staff):
    shared = room("Ruang Pelatihan LPSE")
    first = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
    second = confirmed(staff.helpdesk, at(7, 10), at(7, 11), agency="DINKES", number="1/DINKES")
    schedule(staff, first, at(7, 9), at(7, 12), where=shared)
    with refused(
        "room_busy", "Ruang Pelatihan LPSE is already booked on Friday, 7 August 2026 09:00–12:00"
    ):
        schedule(staff, second, at(7, 10), at(7, 11), where=shared, trainer=staff.other_trainer)
    assert TrainingSession.objects.count() == 1
    # Once the first is cancelled, its room and trainer are free again.
    services.request_cancel(actor=staff.head, request=first, reason="SKPD menunda pelatihan")
    assert schedule(staff, second, at(7, 10), at(7, 11), where=shared).pk


def test_R_2_2_rescheduling_a_training_does_not_clash_with_itself(staff):
    request = confirmed(staff.helpdesk, at(7, 9), at(7, 12))
    schedule(staff, request, at(7, 9), at(7, 12))
    moved = schedule(staff, request, at(7, 10), at(7, 13))
    assert (moved.start, TrainingSession.objects.count()) == (at(7, 10), 1)


def test_R_2_2_a_room_smaller_than_the_expected_group_is_refused(staff):
    request = confirmed(staff.helpdesk, at(7, 9), at(7, 12), expected=30)
    with refused("room_small", "holds 20 people, but the SKPD expects 30 participants"):
        schedule(staff, request, at(7, 9), at(7, 12), where=room(capacity=20))


def test_overlap_is_shared_time_not_touching_ends():
    booked = [rules.Booking(at(7, 9), at(7, 12), "x")]
    assert rules.first_overlap(at(7, 12), at(7, 14), booked) is None
    assert rules.first_overlap(at(7, 7), at(7, 9), booked) is None
    assert rules.first_overlap(at(7, 11, 59), at(7, 14), booked) == booked[0]
    assert rules.first_overlap(at(7, 10), at(7, 11), booked) == booked[0]
    assert rules.first_overlap(at(7, 8), at(7, 13), booked) == booked[0]


# --- who may schedule, and when --------------------------------------------------------------


def test_R_2_2_only_a_confirmed_request_is_scheduled_and_only_by_a_head(staff, make_user):
    request = register(staff.helpdesk)
    with refused("invalid", "Record the phone confirmation"):
        schedule(staff, request, at(7, 9), at(7, 12))
    confirm(staff.helpdesk, request, at(7, 9), at(7, 12))
    with pytest.raises(DomainError) as refusal:
        services.session_schedule(
            actor=staff.helpdesk,
            request=request,
            start=at(7, 9),
            end=at(7, 12),
            room=room(),
            trainer=staff.trainer,
        )
    assert refusal.value.code == "forbidden"
    # The head of information services schedules too; the trainer must be a trainer.
    service_head = make_user(Role.SERVICE_HEAD)
    with refused("invalid", "Choose an active trainer"):
        services.session_schedule(
            actor=service_head,
            request=request,
            start=at(7, 9),
            end=at(7, 12),
            room=room(),
            trainer=staff.helpdesk,
        )
    assert services.session_schedule(
        actor=service_head,
        request=request,
        start=at(7, 9),
        end=at(7, 12),
        room=room(),
        trainer=staff.trainer,
    ).pk
