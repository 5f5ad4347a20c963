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
# Task modules that are not an app's ``tasks`` (see each one's docstring for why).
app.conf.imports = ["lpse.core.storage_tasks"]

# Where each periodic job runs (issue 16; the scale-out issue relies on it). A *node* job reads
# or looks after one machine (its disks, memory, web workers) and runs on every node, from the
# scheduler that ``lpse serve`` starts beside each web server. An *installation* job (alerts,
# reports, clean-ups, backups) runs once for the whole installation, from Celery beat, or from the
# embedded scheduler when there is no broker (one node).
NODE = "node"
INSTALLATION = "installation"

NODE_SCHEDULE = {
    # disks, memory, CPU, network, web requests, the uplink; then alerts.
    "sample-host": {
        "task": "lpse.operations.tasks.sample_host",
        "schedule": crontab(minute="*"),
    },
}

# Periodic jobs only record and notify: rules are decided from the clock where they apply.
INSTALLATION_SCHEDULE = {
    # The e-mail outbox (issue 21): what the broker never handed over, and SMTP retries.
    "deliver-outbox": {
        "task": "lpse.core.tasks.deliver_outbox",
        "schedule": crontab(minute="*"),
    },
    # the MD5 of documents stored with their SHA-256 only (the opening's).
    "complete-md5": {
        "task": "lpse.core.storage_tasks.complete_md5",
        "schedule": crontab(minute="*"),
    },
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
    # uploads held while the virus scanner was down are scanned again.
    "rescan-held-uploads": {
        "task": "lpse.core.quarantine.rescan_held_uploads",
        "schedule": crontab(minute="*/5"),
    },
    # yesterday's failed sign-ins, refusals and refused uploads, each morning.
    "mail-security-summary": {
        "task": "lpse.operations.tasks.mail_security_summary",
        "schedule": crontab(minute=0, hour=7),
    },
    # a visit still open at the end of the day is mailed (once per visit).
    "server-room-open-visits": {
        "task": "lpse.operations.tasks.server_room_open_visits",
        "schedule": crontab(minute="*/15"),
    },
    # a device gone silent, an alarm nobody acknowledged (escalated to the head of LPSE).
    "facility-watch": {
        "task": "lpse.operations.tasks.facility_watch",
        "schedule": crontab(minute="*"),
    },
    # the daily manual checklist of an LPSE without sensors, missing by its hour.
    "facility-checklist-reminder": {
        "task": "lpse.operations.tasks.facility_checklist_reminder",
        "schedule": crontab(minute="*/15"),
    },
    # the annex V duty register: occurrences, automatic checks, late problems.
    "duty-register": {
        "task": "lpse.operations.tasks.run_duty_register",
        "schedule": crontab(minute=23),
    },
    # R-9.5: new events of the tenders' lives published as OCDS releases, and the bulk files.
    "publish-ocds": {
        "task": "lpse.portal.tasks.publish_ocds",
        "schedule": crontab(minute=11),
    },
    # the database's size and largest tables, the broker's queue.
    "sample-installation": {
        "task": "lpse.operations.tasks.sample_installation",
        "schedule": crontab(minute="*/5"),
    },
    # a maintenance window is e-mailed once, when its announcement starts.
    "mail-maintenance-announcements": {
        "task": "lpse.operations.tasks.mail_maintenance_announcements",
        "schedule": crontab(minute="*/5"),
    },
    # raw samples 48 h, hourly 90 days, daily for ever.
    "downsample-samples": {
        "task": "lpse.operations.tasks.downsample_samples",
        "schedule": crontab(minute=3),
    },
}

app.conf.beat_schedule = INSTALLATION_SCHEDULE

JOB_SCOPE = {name: NODE for name in NODE_SCHEDULE} | {
    name: INSTALLATION for name in INSTALLATION_SCHEDULE
}
