from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q, QuerySet

from lpse.accounts.roles import Role, capabilities_of
from lpse.core.capabilities import Cap
from lpse.core.standard_times import CATALOGUE, Procedure, timings_of
from lpse.training.models import Participant, TrainingRequest, TrainingSession

State = TrainingRequest.State
# The order the list shows: what needs someone's action first.
OPEN_STATES = [State.REGISTERED, State.CONFIRMED, State.SCHEDULED, State.REPLY_SENT]


def sees_every_training(user) -> bool:
    """The LPSE's office (helpdesk, the heads) runs the training service for every agency, so
    it sees every request (issue 21: LPSE-wide by the regulation). A trainer only teaches: they
    see the trainings they were assigned to, and any other is not found (ASVS V8.2.2)."""
    return Cap.VIEW_TRAININGS in capabilities_of(user.role_codes() - {Role.TRAINER})


def trainings_visible_to(user) -> QuerySet[TrainingRequest]:
    if sees_every_training(user):
        return TrainingRequest.objects.all()
    return TrainingRequest.objects.filter(session__trainer=user)


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(request__in=trainings_visible_to(user))


def participants_visible_to(user) -> QuerySet[Participant]:
    return Participant.objects.filter(session__in=sessions_visible_to(user))


def requests_overview(user, state: str = "") -> QuerySet[TrainingRequest]:
    requests = (
        trainings_visible_to(user)
        .select_related("agency", "session__room", "session__trainer")
        .annotate(participant_count=Count("session__participants"))
    )
    if state in State.values:
        return requests.filter(state=state)
    return requests.filter(state__in=OPEN_STATES)


def request_detail(user, pk: int) -> TrainingRequest:
    return (
        trainings_visible_to(user)
        .select_related(
            "agency",
            "letter",
            "registered_by",
            "confirmed_by",
            "cancelled_by",
            "session__room",
            "session__trainer",
            "session__scheduled_by",
            "session__reply_letter",
            "session__assignment_letter",
            "session__letters_issued_by",
            "session__held_by",
        )
        .get(pk=pk)
    )


def session_of(request: TrainingRequest) -> TrainingSession | None:
    try:
        return request.session
    except TrainingSession.DoesNotExist:
        return None


def participants_of(session: TrainingSession) -> QuerySet[Participant]:
    return session.participants.select_related("attendance_by", "registered_by")


def attendance_count(session: TrainingSession) -> tuple[int, int]:
    counts = session.participants.aggregate(
        registered=Count("id"), attended=Count("id", filter=Q(attended_at__isnull=False))
    )
    return counts["attended"], counts["registered"]


@dataclass(frozen=True)
class StepRow:
    label: str
    standard: str
    taken: timedelta | None
    met: bool | None

    @property
    def minutes(self) -> int | None:
        return None if self.taken is None else round(self.taken.total_seconds() / 60)


def step_rows(request: TrainingRequest) -> list[StepRow]:
    """The annex's timed steps of this request (R-3.6): how long each took against its standard."""
    recorded = {t.step: t for t in timings_of(request)}
    rows = []
    for standard in CATALOGUE:
        if standard.procedure != Procedure.TRAINING_REQUEST:
            continue
        timing = recorded.get(standard.step)
        taken = timing.ended_at - timing.started_at if timing and timing.ended_at else None
        rows.append(
            StepRow(
                label=str(standard.label),
                standard=str(standard.describe()),
                taken=taken,
                met=None if taken is None else standard.met_by(taken),
            )
        )
    return rows
