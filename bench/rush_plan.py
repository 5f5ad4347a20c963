"""The plan of a deadline rush (deadline_rush.py): who uploads what, starting when relative to
the deadline, and the direct write that moves the deadline."""

from __future__ import annotations

import random
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from harness import Envelope, UploadResult
from rush_report import AFTER, LAST_SECOND


@dataclass
class Job:
    index: int
    group: str
    planned: float  # seconds relative to the deadline (negative: before it)
    envelope: Envelope
    cookies: dict
    lag: float = 0.0  # how much later than planned the upload began (a busy client pool)
    result: UploadResult | None = None


@dataclass
class Phase:
    """One rush: on ``nodes`` nodes, by these providers, with these envelopes."""

    nodes: int
    jobs: list[Job]
    idle_before: list[Job]
    idle_after: list[Job]


def plan(jobs: list[Job], args, rng: random.Random) -> None:
    """When each provider starts, relative to the deadline."""
    late = round(args.providers * args.late)
    order = list(range(args.providers))
    rng.shuffle(order)
    for rank, i in enumerate(order):
        if rank < late // 2:
            jobs[i].group, jobs[i].planned = LAST_SECOND, -rng.uniform(0.0, 1.0)
        elif rank < late:
            jobs[i].group, jobs[i].planned = AFTER, rng.uniform(0.5, 5.0)
        else:
            jobs[i].planned = -args.window + rng.uniform(0, 0.9 * args.window)


def set_deadline(tender, deadline) -> None:
    """Move the bid-submission deadline by writing the schedule rows directly (see above). The
    stages that must end by then (announcement, download, clarification) end no later."""
    from lpse.tenders.models import ScheduleEntry

    ScheduleEntry.objects.filter(tender=tender, stage="bid_submission").update(end=deadline)
    for stage in ("announcement", "document_download", "clarification"):
        entry = ScheduleEntry.objects.get(tender=tender, stage=stage)
        if entry.end > deadline:
            entry.end = max(deadline, entry.start + timedelta(seconds=1))
            entry.save(update_fields=["end"])


def csrf_cookie() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))
