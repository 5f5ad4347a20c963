"""Backup alarms (R-6.1): what stops the LPSE from having a restorable backup of at most
7 × 24 hours, said in words an administrator can act on.

Shown on the home page of those who look after backups and e-mailed to those who hold
``archive.manage_backups``, each alarm text at most once a day. What was mailed is remembered
in the audit log (``archive.alarm.mailed``), so a restart does not mail everything again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lpse.accounts.selectors import users_with_capability
from lpse.archive import selectors
from lpse.archive.models import RunState
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap
from lpse.core.mail import site_url
from lpse.core.models import AuditEvent
from lpse.core.tasks import mail_each

MAILED = "archive.alarm.mailed"
GRACE = timedelta(hours=1)  # a backup that takes a while does not raise the alarm at once
MAIL_AGAIN_AFTER = timedelta(days=1)


def backup_alarms(now: datetime | None = None) -> list[str]:
    """Every alarm now, in the current language; empty when all is well."""
    now = now or timezone.now()
    alarms = []
    if not settings.LPSE_BACKUP_TARGETS:
        alarms.append(
            _(
                "No backup target is configured: set LPSE_BACKUP_TARGETS (a folder on the "
                "portable medium, or an S3 bucket), or no backup is made."
            )
        )
    if not settings.LPSE_BACKUP_RECIPIENTS:
        alarms.append(
            _(
                "No backup recipient is configured: set LPSE_BACKUP_RECIPIENTS to the public "
                "key (age1…) of the offline backup key, or no backup is made."
            )
        )
    alarms.extend(_age_alarm(now))
    alarms.extend(_failed_runs())
    return alarms


def _age_alarm(now: datetime) -> list[str]:
    limit_hours = settings.LPSE_BACKUP_INTERVAL_HOURS
    newest = selectors.newest_verified()
    if newest is None:
        return [
            _(
                "There is no verified backup: make one (lpse backup run) and check it "
                "(lpse backup verify)."
            )
        ]
    if newest.started_at + timedelta(hours=limit_hours) + GRACE >= now:
        return []
    # The text names the backup, not its age in hours, so that it stays the same from one hour
    # to the next and is mailed once a day rather than every hour.
    return [
        _(
            "The newest verified backup was taken on %(when)s, more than %(hours)d hours ago: "
            "find out why the scheduled backup did not run or did not pass its check."
        )
        % {"when": wita_text(newest.started_at), "hours": limit_hours}
    ]


def _failed_runs() -> list[str]:
    alarms = []
    for target, run in selectors.last_run_per_target():
        if run is not None and run.state == RunState.FAILED:
            alarms.append(
                _("The last backup to %(target)s failed: %(error)s")
                % {"target": target, "error": run.error or _("no reason was recorded")}
            )
    return alarms


def backup_keepers():
    """The active accounts that hold ``archive.manage_backups``: who is told."""
    return users_with_capability(Cap.MANAGE_BACKUPS).exclude(email="")


def _mailed_recently(now: datetime) -> set[str]:
    since = now - MAIL_AGAIN_AFTER
    texts: set[str] = set()
    for data in AuditEvent.objects.filter(action=MAILED, at__gte=since).values_list(
        "data", flat=True
    ):
        texts.update(data.get("alarms", []))
    return texts


def mail_alarms(now: datetime | None = None) -> list[str]:
    """E-mail the alarms not mailed in the last day to the backup keepers; returns those mailed.
    Written in the site's language (Indonesian), whoever's request or job runs it."""
    now = now or timezone.now()
    # The alarms' texts are compared with those mailed before, so they are in that language too.
    with translation.override(settings.LANGUAGE_CODE):
        fresh = [text for text in backup_alarms(now) if text not in _mailed_recently(now)]
    emails = [e for e in backup_keepers().values_list("email", flat=True) if e]
    if not fresh or not emails:  # with no one to tell, the home page still shows them
        return []

    def compose(_to: str) -> tuple[str, str]:
        body = "\n\n".join(
            [
                _("The backups of the LPSE need attention:"),
                *[f"- {text}" for text in fresh],
                _("Backup status: %(url)s") % {"url": site_url("archive:status")},
            ]
        )
        return _("LPSE backups need attention"), body

    with transaction.atomic():  # the messages leave when the audit event commits
        mailed = mail_each(emails, compose)
        audit.record(actor=None, action=MAILED, data={"alarms": fresh, "recipients": len(mailed)})
    return fresh
