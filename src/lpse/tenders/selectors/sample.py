"""A valid schedule laid out from a starting moment: for the demo data, the benchmark and tests.

Offsets are (days, hour) pairs from ``base``'s date in WITA; starting on a Monday with no
holidays in the following five weeks, every stage meets the default minimum working days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from lpse.core.calendar import WITA
from lpse.tenders.stages import Stage

OFFSETS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    Stage.ANNOUNCEMENT: ((0, 8), (4, 16)),
    Stage.DOCUMENT_DOWNLOAD: ((0, 8), (7, 16)),
    Stage.CLARIFICATION: ((1, 9), (1, 12)),
    Stage.BID_SUBMISSION: ((1, 9), (9, 10)),
    Stage.BID_OPENING: ((9, 10), (9, 12)),
    Stage.EVALUATION: ((9, 12), (11, 16)),
    Stage.QUALIFICATION_PROOF: ((10, 9), (11, 16)),
    Stage.WINNER_DETERMINATION: ((14, 9), (14, 16)),
    Stage.WINNER_ANNOUNCEMENT: ((15, 9), (15, 16)),
    Stage.OBJECTION_PERIOD: ((15, 16), (22, 16)),
    Stage.AWARD_LETTER: ((23, 9), (23, 16)),
    Stage.CONTRACT_SIGNING: ((24, 9), (28, 16)),
}


def sample_schedule(base: datetime) -> dict[str, tuple[datetime, datetime]]:
    day = base.astimezone(WITA).date()

    def at(offset: tuple[int, int]) -> datetime:
        return datetime.combine(day + timedelta(days=offset[0]), time(offset[1]), tzinfo=WITA)

    return {stage: (at(start), at(end)) for stage, (start, end) in OFFSETS.items()}
