"""Tender deadlines in a span of time, and who takes part in those tenders: what planned
maintenance would hit and what an outage did hit (R-5.3, R-3.3).

Operations asks here rather than reading schedules itself (DESIGN "Boundaries"). Only published
tenders count: a draft's schedule is still the committee's to change freely, and a cancelled
tender has no deadline left to miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lpse.tenders.models import Participation, ScheduleEntry, Tender
from lpse.tenders.stages import Stage


@dataclass(frozen=True)
class Deadline:
    """One stage of one tender ending at ``end``."""

    code: str
    name: str  # the package's name, as the tender lists show it
    stage: str
    end: datetime

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def is_bid_submission(self) -> bool:
        return self.stage == Stage.BID_SUBMISSION


def deadlines_between(
    start: datetime, end: datetime, *, stages: Iterable[str] | None = None
) -> list[Deadline]:
    """The stages of published tenders that end from ``start`` to ``end``, both included (a bid
    deadline at the very minute a window opens is still one a provider may be racing for),
    soonest first."""
    rows = ScheduleEntry.objects.filter(
        tender__state=Tender.State.PUBLISHED, end__gte=start, end__lte=end
    )
    if stages is not None:
        rows = rows.filter(stage__in=list(stages))
    return [
        Deadline(code=code, name=name, stage=stage, end=at)
        for code, name, stage, at in rows.order_by("end", "tender__code", "stage").values_list(
            "tender__code", "tender__package__name", "stage", "end"
        )
    ]


def bid_deadlines_between(start: datetime, end: datetime) -> list[Deadline]:
    """The bid submission deadlines from ``start`` to ``end``: the ones no maintenance may
    cover, and the ones an outage makes the committee reconsider (R-3.3)."""
    return deadlines_between(start, end, stages=[Stage.BID_SUBMISSION])


def participants_by_email(codes: Iterable[str]) -> dict[str, list[str]]:
    """The companies registered in these tenders, by their e-mail address (lower-case), each
    with the codes of the tenders it takes part in, sorted."""
    found: dict[str, set[str]] = {}
    for email, code in Participation.objects.filter(tender__code__in=list(codes)).values_list(
        "company__email", "tender__code"
    ):
        if email:
            found.setdefault(email.lower(), set()).add(code)
    return {email: sorted(found[email]) for email in sorted(found)}
