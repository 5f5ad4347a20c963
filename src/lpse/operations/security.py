"""What the security page and its daily summary show (R-4.4): failed sign-ins and lock-outs by
User ID and address (django-axes' failure log), second-factor failures, bursts of refused
requests per address, and refused or held uploads (lpse.core.security_log)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Count, Max

from lpse.core import security_log


@dataclass(frozen=True)
class Failures:
    username: str
    address: str
    count: int
    last_at: datetime
    locked: bool = False


@dataclass
class SecurityPicture:
    since: datetime
    sign_in_failures: list[Failures] = field(default_factory=list)
    lockouts: list[Failures] = field(default_factory=list)
    locked_now: list[Failures] = field(default_factory=list)
    otp_failures: list[Failures] = field(default_factory=list)
    bursts: list[dict] = field(default_factory=list)
    infected_uploads: list[dict] = field(default_factory=list)
    held_uploads: list[dict] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return not any(
            [
                self.sign_in_failures,
                self.otp_failures,
                self.bursts,
                self.infected_uploads,
                self.held_uploads,
            ]
        )

    def totals(self) -> dict[str, int]:
        return {
            "sign_in_failures": sum(f.count for f in self.sign_in_failures),
            "lockouts": len(self.lockouts),
            "otp_failures": sum(f.count for f in self.otp_failures),
            "bursts": len(self.bursts),
            "infected_uploads": len(self.infected_uploads),
            "held_uploads": len(self.held_uploads),
        }


def _grouped_failures(since: datetime, **filters) -> list[Failures]:
    rows = (
        AccessFailureLog.objects.filter(attempt_time__gte=since, **filters)
        .values("username", "ip_address")
        .annotate(count=Count("id"), last_at=Max("attempt_time"))
        .order_by("-count", "-last_at")
    )
    return [
        Failures(r["username"] or "", r["ip_address"] or "", r["count"], r["last_at"]) for r in rows
    ]


def _events_by_person(events: list[dict]) -> list[Failures]:
    counts: Counter = Counter()
    last: dict[tuple[str, str], datetime] = {}
    for event in events:
        key = (event.get("username", ""), event.get("address", ""))
        counts[key] += 1
        last[key] = datetime.fromisoformat(event["at"])
    return [
        Failures(user, address, n, last[(user, address)])
        for (user, address), n in counts.most_common()
    ]


def picture(since: datetime) -> SecurityPicture:
    events = list(security_log.events(since))
    for event in events:  # aware datetimes, so templates show them in WITA
        event["when"] = datetime.fromisoformat(event["at"])

    def of(kind: str) -> list[dict]:
        return [e for e in events if e["kind"] == kind]

    locked_now = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("-attempt_time")
    return SecurityPicture(
        since=since,
        sign_in_failures=_grouped_failures(since),
        lockouts=_grouped_failures(since, locked_out=True),
        locked_now=[
            Failures(
                a.username or "", a.ip_address or "", a.failures_since_start, a.attempt_time, True
            )
            for a in locked_now
        ],
        otp_failures=_events_by_person(of("otp.failed")),
        bursts=of("refusals.burst"),
        infected_uploads=of("upload.infected"),
        held_uploads=of("upload.held"),
    )
