"""The retention rule (R-6.3): which backups to keep, grandfather-father-son. ``daily=7`` keeps
the newest backup of each of the last 7 days that have one, ``weekly=5`` of the last 5 ISO
weeks, ``monthly=12`` of the last 12 months, ``yearly=all`` of every year; ``last=3`` the three
newest whatever their days. The newest backup is always kept. Applied only after a good backup (services.backup)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

PERIODS: dict[str, Callable[[datetime], tuple]] = {
    "daily": lambda t: (t.year, t.month, t.day),
    "weekly": lambda t: tuple(t.isocalendar()[:2]),
    "monthly": lambda t: (t.year, t.month),
    "yearly": lambda t: (t.year,),
}
DEFAULT_RULE = "daily=7,weekly=5,monthly=12,yearly=all"


class RuleInvalid(Exception):
    pass


def parse_rule(text: str) -> dict[str, int | None]:
    """``daily=7,weekly=5,monthly=12,yearly=all`` → counts (None: all)."""
    rule: dict[str, int | None] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, count = part.partition("=")
        if name not in PERIODS and name != "last":
            raise RuleInvalid(f"{name!r} is not a period: use last, daily, weekly, monthly, yearly")
        if count == "all":
            rule[name] = None
        elif count.isdigit() and int(count) > 0:
            rule[name] = int(count)
        else:
            raise RuleInvalid(f"{part!r}: give a whole number of at least 1, or all")
    if not rule:
        raise RuleInvalid("the rule keeps nothing: give at least one period, e.g. daily=7")
    return rule


def kept(backups: dict[str, datetime], rule: dict[str, int | None]) -> set[str]:
    """The ids of ``backups`` (id → time) the rule keeps."""
    # Ids begin with their time, so they break a tie of two backups in one second.
    newest_first = sorted(backups, key=lambda i: (backups[i], i), reverse=True)
    keep = set(newest_first[:1])
    for period, count in rule.items():
        seen: list[tuple] = []
        for backup_id in newest_first:
            # "last": every backup its own bucket, so the N newest.
            bucket = (backup_id,) if period == "last" else PERIODS[period](backups[backup_id])
            if bucket in seen:
                continue
            if count is not None and len(seen) >= count:
                break
            seen.append(bucket)
            keep.add(backup_id)
    return keep
