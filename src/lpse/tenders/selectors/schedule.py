"""A tender's schedule: validation (R-8.2) and the stage at a moment (DESIGN rule 3).

The current stage is never stored: it is computed here from the schedule and the clock, so a
deadline holds to the second whether or not any job ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lpse.core.calendar import is_working_day, to_wita
from lpse.core.errors import DomainError
from lpse.tenders.stages import (
    DEFAULT_MIN_WORKING_DAYS,
    ENDS_BEFORE,
    SEQUENCE_RULES,
    STAGE_ORDER,
    Stage,
)

Schedule = dict[str, tuple[datetime, datetime]]


class ScheduleInvalid(DomainError):
    """Every problem found, so the committee can fix them all in one go."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems), field="schedule", code="schedule_invalid")
        self.problems = problems


def label(stage: str) -> str:
    return str(Stage(stage).label)


def stage_labels() -> dict[str, str]:
    """Every stage's name in the current language, translated once (a page of the public
    list names 60 stages)."""
    return {stage: label(stage) for stage in STAGE_ORDER}


def wita(moment: datetime) -> str:
    return date_format(to_wita(moment), "j M Y H:i") + " WITA"


def working_days_spanned(start: datetime, end: datetime) -> int:
    """Working days on which the stage is open at some point (WITA dates)."""
    first = to_wita(start).date()
    last_moment = to_wita(end - timedelta(microseconds=1))
    day, count = first, 0
    while day <= last_moment.date():
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def minimums() -> dict[str, int]:
    from lpse.tenders.models import StageMinimum

    configured = dict(StageMinimum.objects.values_list("stage", "working_days"))
    return {**DEFAULT_MIN_WORKING_DAYS, **configured}


def problems_of(schedule: Schedule, *, min_days: dict[str, int] | None = None) -> list[str]:
    problems: list[str] = []
    missing = [label(s) for s in STAGE_ORDER if s not in schedule]
    if missing:
        problems.append(
            _("Every stage needs a start and an end; missing: %(stages)s.")
            % {"stages": ", ".join(missing)}
        )
    for stage in STAGE_ORDER:
        if stage in schedule and schedule[stage][0] >= schedule[stage][1]:
            problems.append(
                _("“%(stage)s” must end after it starts (it starts %(start)s and ends %(end)s).")
                % {
                    "stage": label(stage),
                    "start": wita(schedule[stage][0]),
                    "end": wita(schedule[stage][1]),
                }
            )
    if problems:
        return problems
    for later, earlier, edge in SEQUENCE_RULES:
        bound = schedule[earlier][0 if edge == "start" else 1]
        if schedule[later][0] < bound:
            message = (
                _("“%(later)s” cannot start (%(at)s) before “%(earlier)s” starts (%(bound)s).")
                if edge == "start"
                else _("“%(later)s” cannot start (%(at)s) before “%(earlier)s” ends (%(bound)s).")
            )
            problems.append(
                message
                % {
                    "later": label(later),
                    "earlier": label(earlier),
                    "at": wita(schedule[later][0]),
                    "bound": wita(bound),
                }
            )
    for stage, other in ENDS_BEFORE:
        if schedule[stage][1] > schedule[other][1]:
            problems.append(
                _(
                    "“%(stage)s” must end (now %(end)s) no later than “%(other)s” ends "
                    "(%(other_end)s)."
                )
                % {
                    "stage": label(stage),
                    "other": label(other),
                    "end": wita(schedule[stage][1]),
                    "other_end": wita(schedule[other][1]),
                }
            )
    for stage, days in (min_days if min_days is not None else minimums()).items():
        if days and stage in schedule:
            spanned = working_days_spanned(*schedule[stage])
            if spanned < days:
                problems.append(
                    _(
                        "“%(stage)s” must last at least %(days)d working days; as "
                        "planned it covers %(spanned)d."
                    )
                    % {"stage": label(stage), "days": days, "spanned": spanned}
                )
    return problems


def validate(schedule: Schedule) -> None:
    problems = problems_of(schedule)
    if problems:
        raise ScheduleInvalid(problems)


@dataclass(frozen=True)
class StageStatus:
    """Where a tender stands at a moment."""

    active: tuple[str, ...]  # stages open now, in order
    next_stage: str | None
    next_start: datetime | None
    finished: bool

    @property
    def current(self) -> str | None:
        """The latest stage that is open (announcement, download and Q&A overlap)."""
        return self.active[-1] if self.active else None

    def is_open(self, stage: str) -> bool:
        return stage in self.active

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """``labels``: the stages' names in the current language, when a caller describing
        many statuses has them at hand (``stage_labels``)."""
        name = labels.__getitem__ if labels is not None else label
        if self.active:
            return ", ".join(name(s) for s in self.active)
        if self.finished:
            return _("Finished")
        if self.next_stage and self.next_start:
            return _("Next: %(stage)s from %(at)s") % {
                "stage": name(self.next_stage),
                "at": wita(self.next_start),
            }
        return _("No schedule")


def status_at(schedule: Schedule, moment: datetime) -> StageStatus:
    active = tuple(
        s for s in STAGE_ORDER if s in schedule and schedule[s][0] <= moment < schedule[s][1]
    )
    upcoming = sorted(
        (start, STAGE_ORDER.index(s), s) for s, (start, _end) in schedule.items() if start > moment
    )
    finished = bool(schedule) and all(end <= moment for _start, end in schedule.values())
    if upcoming:
        return StageStatus(active, upcoming[0][2], upcoming[0][0], finished)
    return StageStatus(active, None, None, finished)


def to_json(schedule: Schedule) -> dict[str, list[str]]:
    return {
        stage: [start.isoformat(), end.isoformat()]
        for stage, (start, end) in sorted(schedule.items(), key=lambda i: STAGE_ORDER.index(i[0]))
    }


def from_json(data: dict[str, list[str]]) -> Schedule:
    return {
        stage: (datetime.fromisoformat(v[0]), datetime.fromisoformat(v[1]))
        for stage, v in data.items()
    }


def changes_to_ended_stages(old: Schedule, new: Schedule, now: datetime) -> list[str]:
    """R-3.3: a stage that has ended cannot move; one that has started keeps its start, and no
    stage may be moved into the past."""
    problems = []
    for stage in STAGE_ORDER:
        if stage not in old or stage not in new:
            continue
        (old_start, old_end), (new_start, new_end) = old[stage], new[stage]
        if old_end <= now and (new_start, new_end) != (old_start, old_end):
            problems.append(
                _("“%(stage)s” ended on %(end)s and cannot be changed.")
                % {"stage": label(stage), "end": wita(old_end)}
            )
        elif old_start <= now < old_end:
            if new_start != old_start:
                problems.append(
                    _("“%(stage)s” has already started (%(start)s): its start cannot move.")
                    % {"stage": label(stage), "start": wita(old_start)}
                )
            if new_end <= now:
                problems.append(
                    _("“%(stage)s” cannot be made to end in the past (%(end)s).")
                    % {"stage": label(stage), "end": wita(new_end)}
                )
        elif old_start > now and new_start < now:
            problems.append(
                _("“%(stage)s” cannot be moved into the past (%(start)s).")
                % {"stage": label(stage), "start": wita(new_start)}
            )
    return problems
