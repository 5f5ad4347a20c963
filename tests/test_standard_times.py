"""R-3.6: every step of a service request records when it started and ended, judged against the
annex's *Mutu Baku* standard time (``lpse.core.standard_times``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from lpse.core.calendar import WITA
from lpse.core.models import AuditHead
from lpse.core.standard_times import (
    CATALOGUE,
    Procedure,
    standard_for,
    step_end,
    step_record,
    step_start,
    timings_of,
)

T0 = datetime(2026, 7, 6, 9, 0, tzinfo=WITA)


@pytest.fixture
def subject(db):
    # Any saved model serves as the request a step belongs to.
    return AuditHead.objects.create(id=1, seq=0, hash="0" * 64)


def test_every_procedure_of_the_annex_has_its_standard_times():
    assert {s.procedure for s in CATALOGUE} == set(Procedure)
    email = standard_for(Procedure.EMAIL_CHANGE, "apply")
    assert (email.least, email.most) == (timedelta(minutes=15), timedelta(minutes=30))
    escalation = standard_for(Procedure.UPLOAD_PROBLEM, "escalation")
    assert escalation.most == timedelta(hours=24)
    assert str(escalation.describe()) == "1–24 h"
    assert str(email.describe()) == "15–30 min"


def test_a_step_meets_the_standard_up_to_its_upper_bound():
    apply = standard_for(Procedure.EMAIL_CHANGE, "apply")
    assert apply.met_by(timedelta(minutes=3))  # faster than the lower bound is good service
    assert apply.met_by(timedelta(minutes=30))
    assert not apply.met_by(timedelta(minutes=30, seconds=1))


def test_a_step_not_in_the_catalogue_is_refused(subject):
    with pytest.raises(LookupError, match="CATALOGUE"):
        step_start(procedure=Procedure.EMAIL_CHANGE, step="coffee", subject=subject)


def test_starting_again_keeps_the_first_start_and_ending_again_the_first_end(subject):
    step_start(procedure=Procedure.EMAIL_CHANGE, step="apply", subject=subject, at=T0)
    step_start(
        procedure=Procedure.EMAIL_CHANGE, step="apply", subject=subject, at=T0 + timedelta(hours=1)
    )
    step_end(
        procedure=Procedure.EMAIL_CHANGE,
        step="apply",
        subject=subject,
        at=T0 + timedelta(minutes=20),
    )
    step_end(
        procedure=Procedure.EMAIL_CHANGE, step="apply", subject=subject, at=T0 + timedelta(hours=2)
    )
    [timing] = timings_of(subject)
    assert timing.started_at == T0
    assert timing.ended_at - timing.started_at == timedelta(minutes=20)


def test_a_step_recorded_with_both_moments(subject):
    step_record(
        procedure=Procedure.TRAINING_REQUEST,
        step="reply_letter",
        subject=subject,
        started_at=T0,
        ended_at=T0 + timedelta(minutes=12),
    )
    [timing] = timings_of(subject)
    assert (timing.procedure, timing.step) == ("training_request", "reply_letter")
    assert timing.ended_at - timing.started_at == timedelta(minutes=12)
