"""A listed tender's schedule as its row keeps it (R-8.5, issue 19; rows: ``tenders.listing``):
every stage's start and end in whole microseconds since 1970, and the stage now computed from
those numbers and the clock, as ``schedule.status_at`` computes it from datetimes (the public
list's page turned 240 schedule dates into aware datetimes for every request)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lpse.tenders.selectors.schedule import Schedule, StageStatus
from lpse.tenders.stages import STAGE_ORDER

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micro(moment: datetime) -> int:
    """Exact: a stage boundary holds to the microsecond, as the schedule entry's does."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micro: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micro)


def timeline_of(schedule: Schedule) -> str:
    """The schedule as a listed row keeps it, stages in the order of ``STAGE_ORDER``."""
    return ";".join(
        f"{stage} {_micro(schedule[stage][0])} {_micro(schedule[stage][1])}"
        for stage in STAGE_ORDER
        if stage in schedule
    )


def status_of(timeline: str, now: datetime) -> tuple[StageStatus, datetime | None]:
    """``schedule.status_at`` for a listed row, and the next moment its status changes by the
    clock (a stage opening or closing), None when nothing is left to change. Only the stage
    named as next is turned into a datetime."""
    at = _micro(now)
    active: list[str] = []
    next_stage, next_start = None, None
    change = None
    finished = bool(timeline)
    for entry in timeline.split(";") if timeline else ():
        stage, start_text, end_text = entry.split(" ")
        start, end = int(start_text), int(end_text)
        if end <= at:
            continue
        finished = False
        if start <= at:
            active.append(stage)
            moment = end
        else:
            moment = start
            if next_start is None or start < next_start:  # a tie goes to the earlier stage
                next_stage, next_start = stage, start
        change = moment if change is None else min(change, moment)
    status = StageStatus(
        tuple(active),
        next_stage,
        _moment(next_start) if next_start is not None else None,
        finished,
    )
    return status, _moment(change) if change is not None else None
