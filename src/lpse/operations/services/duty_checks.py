"""What the duty register does by itself (R-5.6): the periodic job ``run_duty_register`` (an
installation job, hourly) makes the current periods' occurrences, fills in those the system can
check, and mails each problem past its fix deadline, once.

The checks (annex V duties the system can do itself): each check reads what the LPSE already
records and says "in order" or "problem", with its evidence as text; None when it cannot tell
(no samples yet), and then the occurrence stays for a person.

- site up: the checks of ``/health/ready`` (lpse.operations.health.readiness);
- backup and recovery: the newest backup that a verify has checked is at most 7 × 24 hours old
  (Pasal 14.1, R-6.1);
- disks: the newest ``disk_used_percent`` of every node and mount, against the threshold's
  warning level (Pasal 12.1's daily monitoring);
- data files: the database's growth over the last 7 days and its largest tables (``table_bytes``);
- intrusion attempts: sign-in failures and lock-outs since the period began (django-axes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.archive import selectors as archive_selectors
from lpse.core import audit
from lpse.core.calendar import WITA, wita_text
from lpse.core.mail import site_url
from lpse.core.tasks import mail_each
from lpse.operations import duty_catalogue as catalogue
from lpse.operations import health
from lpse.operations import selectors as operations_selectors
from lpse.operations.models import DutyOccurrence, DutyProblem, OccurrenceState, Sample, Threshold
from lpse.operations.services import duties

BACKUP_MAX_AGE = timedelta(hours=7 * 24)  # Pasal 14.1: "minimal 7 x 24 jam"
DISK_WARNING_PERCENT = 80.0  # when the disk_used_percent threshold has no warning level
GROWTH_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Result:
    ok: bool
    evidence: str


def _mb(value: float) -> str:
    return f"{value / (1024 * 1024):.1f} MB"


def site_up(now: datetime, occurrence: DutyOccurrence) -> Result:
    ready, detail = health.readiness()
    lines = [f"{name}: {d['status']} — {d['detail']}" for name, d in detail.items()]
    head = "/health/ready: ready" if ready else "/health/ready: NOT ready"
    return Result(ready, "\n".join([head, *lines]))


def backup_verified(now: datetime, occurrence: DutyOccurrence) -> Result:
    newest = archive_selectors.newest_verified()
    if newest is None:
        return Result(False, "No backup has been made and verified yet (R-6.1).")
    age = now - newest.started_at
    text = (
        f"Newest verified backup: {newest.backup_id} on {newest.target}, made "
        f"{wita_text(newest.started_at)}, verified {wita_text(newest.verified_at)}; "
        f"{age.total_seconds() / 3600:.0f} hours old (limit {BACKUP_MAX_AGE.days * 24} hours)."
    )
    return Result(age <= BACKUP_MAX_AGE, text)


def disk(now: datetime, occurrence: DutyOccurrence) -> Result | None:
    samples = [s for s in operations_selectors.latest(now) if s.metric == "disk_used_percent"]
    if not samples:
        return None
    threshold = Threshold.objects.filter(metric="disk_used_percent").first()
    limit = (
        threshold.warning if threshold and threshold.warning is not None else DISK_WARNING_PERCENT
    )
    lines = [f"{s.node} {s.labels}: {s.value:.1f} % used" for s in samples]
    full = [s for s in samples if s.value >= limit]
    head = f"Disk use (limit {limit:.0f} %): " + ("too full" if full else "in order")
    return Result(not full, "\n".join([head, *lines]))


def table_growth(now: datetime, occurrence: DutyOccurrence) -> Result | None:
    newest = [
        s for s in operations_selectors.latest(now) if s.metric in ("database_bytes", "table_bytes")
    ]
    database = [s for s in newest if s.metric == "database_bytes"]
    if not database:
        return None
    size = database[0].value
    then = (
        Sample.objects.filter(
            metric="database_bytes", node=database[0].node, at__gte=now - GROWTH_WINDOW
        )
        .order_by("at")
        .first()
    )
    growth = 100.0 * (size - then.value) / then.value if then and then.value else 0.0
    limit = float(settings.LPSE_DUTY_GROWTH_PERCENT)
    lines = [
        f"Database: {_mb(size)}, {growth:+.1f} % since {wita_text(then.at) if then else '-'} "
        f"(a problem above {limit:.0f} % a week)"
    ]
    lines += [
        f"{s.labels.removeprefix('table=')}: {_mb(s.value)}"
        for s in newest
        if s.metric == "table_bytes"
    ]
    return Result(growth <= limit, "\n".join(lines))


def lockouts(now: datetime, occurrence: DutyOccurrence) -> Result:
    since = datetime.combine(occurrence.period_start, time.min, tzinfo=WITA)
    failures = AccessFailureLog.objects.filter(attempt_time__gte=since, attempt_time__lt=now)
    locked = failures.filter(locked_out=True)
    limit = int(settings.LPSE_DUTY_LOCKOUTS_PROBLEM)
    worst = (
        failures.values("ip_address").annotate(n=Count("id")).order_by("-n").first()
        if failures.exists()
        else None
    )
    text = (
        f"Since {wita_text(since)}: {failures.count()} failed sign-ins, {locked.count()} "
        f"lock-outs, from {failures.values('ip_address').distinct().count()} addresses"
        + (f"; most from {worst['ip_address']} ({worst['n']})" if worst else "")
        + f". A problem from {limit} lock-outs."
    )
    return Result(locked.count() < limit, text)


CHECKS: dict[str, Callable[[datetime, DutyOccurrence], Result | None]] = {
    catalogue.SITE_UP: site_up,
    catalogue.BACKUP_VERIFIED: backup_verified,
    catalogue.DISK: disk,
    catalogue.TABLE_GROWTH: table_growth,
    catalogue.LOCKOUTS: lockouts,
}


def results(now: datetime) -> Iterator[tuple[DutyOccurrence, Result]]:
    """Each open occurrence whose duty the system checks, with the check's result; one that
    cannot tell yet is left out (services.duties.record_check writes the others)."""
    pending = (
        DutyOccurrence.objects.with_state(now)
        .filter(state__in=[OccurrenceState.OPEN, OccurrenceState.OVERDUE])
        .exclude(duty__auto_check="")
        .select_related("duty")
    )
    for occurrence in pending:
        check = CHECKS.get(occurrence.duty.auto_check)
        result = check(now, occurrence) if check else None
        if result is not None:
            yield occurrence, result


def alert_late_problems(now: datetime | None = None) -> int:
    """E-mail each problem past its fix deadline to the duty's role holders and the head of
    LPSE — once (compare-and-set on ``late_alert_sent_at``)."""
    now = now or timezone.now()
    sent = 0
    late = DutyProblem.objects.filter(
        closed_at__isnull=True, late_alert_sent_at__isnull=True, deadline__lt=now
    ).select_related("occurrence__duty")
    for problem in late:
        with transaction.atomic():
            if not DutyProblem.objects.filter(
                pk=problem.pk, late_alert_sent_at__isnull=True
            ).update(late_alert_sent_at=now):
                continue
            people = users_with_role(problem.occurrence.role, Role.LPSE_HEAD)
            addresses = mail_each(people, lambda _to: _late_message(problem))  # noqa: B023 (called at once)
            audit.record(
                actor=None,
                action="operations.duties.problem_late_alert",
                obj=problem,
                data={"to": addresses},
            )
            sent += 1
    return sent


def _late_message(problem: DutyProblem) -> tuple[str, str]:
    duty = problem.occurrence.duty
    subject = f"{settings.LPSE_SITE_NAME}: " + _("a problem is past its fix deadline: %(duty)s") % {
        "duty": _(duty.title)
    }
    body = (
        _(
            "The problem found by the duty “%(duty)s” (%(period)s) was to be fixed "
            "by %(deadline)s, 7 working days after it was found (R-5.6), and is "
            "still open:\n\n%(description)s\n\nClose it with a note once fixed:"
        )
        % {
            "duty": _(duty.title),
            "period": f"{problem.occurrence.period_start:%d-%m-%Y}",
            "deadline": wita_text(problem.deadline),
            "description": problem.description,
        }
        + f"\n{site_url('operations:duty_occurrence', problem.occurrence_id)}\n"
    )
    return subject, body


def run_duty_register(now: datetime | None = None) -> dict[str, int]:
    """The periodic installation job (hourly): occurrences, automatic checks, late alerts."""
    now = now or timezone.now()
    made = duties.generate_occurrences(now)
    checked = sum(
        duties.record_check(occurrence, ok=result.ok, evidence=result.evidence, now=now)
        for occurrence, result in results(now)
    )
    return {"made": made, "checked": checked, "late_alerts": alert_late_problems(now)}
