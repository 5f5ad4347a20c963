"""The backup jobs (R-6.1, R-6.3): the hourly schedule, the "back up now" button, the alarms.

The beat schedule runs ``scheduled_backup`` every hour and the job itself decides whether a
backup is due (the newest run started more than LPSE_BACKUP_INTERVAL_HOURS ago), so the
interval is a setting, not an edit of the schedule. After a good backup a rotating seventh of
the pieces is checked (``verify --subset n/7``, n from the day of the year), so every piece is
read back at least once a week. A refusal or a broken target is logged and recorded, never
raised: the scheduler goes on.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lpse.accounts.selectors import user_by_username
from lpse.archive import selectors
from lpse.archive.keys import KeyProblem
from lpse.archive.manifest import ManifestRefused
from lpse.archive.models import BackupRun, RunState
from lpse.archive.services import alerts, backup, verify
from lpse.archive.targets import TargetError, configured_targets
from lpse.core import audit

log = logging.getLogger(__name__)

# What a backup or a check may raise that an operator fixes (configuration, a medium, a key).
FAULTS = (backup.BackupRefused, KeyProblem, TargetError, ManifestRefused)


def todays_subset() -> tuple[int, int]:
    """The seventh of the pieces checked today: 1/7 … 7/7 in turn, by the WITA day of the year."""
    return timezone.localdate().timetuple().tm_yday % 7 + 1, 7


def backup_due(now=None) -> bool:
    latest = selectors.latest_run()
    return latest is None or latest.started_at + selectors.interval() <= (now or timezone.now())


def _check(runs: list[BackupRun]) -> None:
    targets = {target.name: target for target in configured_targets()}
    for run in runs:
        if run.state != RunState.GOOD or run.target not in targets:
            continue
        try:
            report = verify.verify(targets[run.target], subset=todays_subset())
        except FAULTS as exc:
            log.warning("checking the backups on %s failed: %s", run.target, exc)
            continue
        if not report.ok:
            log.warning("the backups on %s have damaged pieces: %s", run.target, report.problems)


def back_up_and_check(*, trigger: str, actor=None) -> dict:
    """One backup to every target, then today's check of each good one. Returns a summary
    (plain data: it is a task's result)."""
    try:
        runs = backup.run_backup(trigger=trigger)
        _check(runs)
    except FAULTS as exc:
        log.warning("backup (%s) not made: %s", trigger, exc)
        audit.record(
            actor=actor,
            action="archive.backup.refused",
            data={"trigger": trigger, "reason": str(exc)},
        )
        return {"made": False, "reason": str(exc), "runs": []}
    return {
        "made": True,
        "reason": "",
        "runs": [{"target": r.target, "state": r.state, "error": r.error} for r in runs],
    }


@shared_task
def scheduled_backup() -> dict:
    """Hourly (``scheduled-backup``): back up when one is due."""
    if not backup_due():
        return {"made": False, "reason": "not due", "runs": []}
    if not settings.LPSE_BACKUP_TARGETS:
        # Said by the alarm every day; recording it every hour would only fill the audit log.
        log.warning("no backup made: LPSE_BACKUP_TARGETS is empty")
        return {"made": False, "reason": "no target configured", "runs": []}
    return back_up_and_check(trigger="schedule")


@shared_task
def backup_now(*, requested_by: str) -> dict:
    """The status page's "back up now" button."""
    actor = user_by_username(requested_by)
    audit.record(actor=actor, action="archive.backup.requested", data={})
    return back_up_and_check(trigger="page", actor=actor)


@shared_task
def check_backups() -> int:
    """Hourly (``check-backups``): e-mail the alarms not mailed today; returns how many."""
    return len(alerts.mail_alarms())
