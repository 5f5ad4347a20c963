"""The operations jobs. ``sample_host`` runs on every node (its own disks, memory, network and
web workers); the others run once for the whole installation (see ``lpse.celery.NODE_JOBS``)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lpse.operations import installation, sampler, uplink
from lpse.operations.services import (
    alerts,
    duty_checks,
    facility_alarms,
    facility_checklist,
    maintenance,
    samples,
    security_summary,
    server_room_report,
)

log = logging.getLogger(__name__)


@shared_task
def sample_host() -> int:
    """This node's readings, the uplink's among them, then its thresholds."""
    now = timezone.now()
    readings = [*sampler.sample(), *uplink.readings()]
    kept = samples.record_samples(readings, node=settings.LPSE_NODE_NAME, at=now)
    alerts.evaluate(readings, node=settings.LPSE_NODE_NAME, at=now)
    return kept


@shared_task
def sample_installation() -> int:
    now = timezone.now()
    try:
        readings = installation.sample()
    except Exception:  # a broker gone is itself worth an alert, not a crashed job
        log.exception("installation sample failed")
        readings = [r for r in installation.database()]
    kept = samples.record_samples(readings, node=installation.INSTALLATION, at=now)
    alerts.evaluate(readings, node=installation.INSTALLATION, at=now)
    return kept


@shared_task
def downsample_samples() -> dict[str, int]:
    return samples.downsample()


@shared_task
def mail_maintenance_announcements() -> int:
    """R-5.3, R-2.3: e-mail the maintenance windows whose announcement has started."""
    return maintenance.windows_mail_due()


@shared_task
def mail_security_summary() -> bool:
    """R-4.4: the daily security summary (an installation job)."""
    return security_summary.mail_daily_summary()


@shared_task
def server_room_open_visits() -> int:
    """R-4.2: visits still open at the end of the day, mailed once each (installation job)."""
    return len(server_room_report.open_visits_alert())


@shared_task
def facility_watch() -> dict[str, int]:
    """R-4.3: silent devices and unacknowledged alarms escalated (installation job)."""
    return facility_alarms.watch()


@shared_task
def facility_checklist_reminder() -> bool:
    """R-4.3: a working day's manual checklist missing by its hour (installation job)."""
    return facility_checklist.remind_missing() is not None


@shared_task
def run_duty_register() -> dict[str, int]:
    """R-5.6: the annex V duties — occurrences, automatic checks, late problems."""
    return duty_checks.run_duty_register()
