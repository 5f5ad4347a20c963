"""The Celery app. With CELERY_BROKER_URL set, workers (``lpse worker``) and the beat scheduler
(``lpse beat``) run against Redis; without it, tasks run in-process and the periodic ones are
run by ``lpse.core.scheduler`` inside ``lpse demo`` / ``lpse serve``."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lpse.settings")

app = Celery("lpse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs only record and notify: rules are decided from the clock where they apply.
app.conf.beat_schedule = {
    "expire-registrations": {
        "task": "lpse.providers.tasks.expire_registrations",
        "schedule": crontab(minute="*/15"),
    },
    "clean-abandoned-uploads": {
        "task": "lpse.bids.tasks.clean_abandoned_uploads",
        "schedule": crontab(minute=7),
    },
    # an announcement published ahead of its window is e-mailed when the window opens.
    "mail-due-announcements": {
        "task": "lpse.news.tasks.mail_due_announcements",
        "schedule": crontab(minute="*/5"),
    },
    # one signed head a day, e-mailed to LKPP and the auditors.
    "publish-tree-head": {
        "task": "lpse.portal.tasks.publish_tree_head",
        "schedule": crontab(minute=5, hour=0),
    },
    # hourly, but a backup is made only when LPSE_BACKUP_INTERVAL_HOURS have passed
    # since the last one (the job decides, so the interval is a setting, not a schedule edit).
    "scheduled-backup": {
        "task": "lpse.archive.tasks.scheduled_backup",
        "schedule": crontab(minute=17),
    },
    # e-mail what stands between the LPSE and a verified backup, once a day per alarm.
    "check-backups": {
        "task": "lpse.archive.tasks.check_backups",
        "schedule": crontab(minute=47),
    },
}
