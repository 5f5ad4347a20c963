"""Backup alarms and the schedule (R-6.1): an alarm when nothing is configured, when the newest
verified backup is older than the interval (plus a grace hour) or there is none, when a run
failed; shown on the backup keepers' home page and e-mailed to them once a day. The hourly job
backs up only when the interval has passed, and a fault never stops the scheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.archive.models import BackupRun, RunState
from lpse.archive.services.alerts import backup_alarms
from lpse.archive.tasks import check_backups, scheduled_backup
from lpse.core.models import AuditEvent
from tests import archive_helpers
from tests.archive_helpers import some_blobs

# The shared fixtures, by assignment: pytest finds them here, and parameters may name them.
backup_folder, offline_key = archive_helpers.backup_folder, archive_helpers.offline_key

NOON = datetime(2025, 3, 3, 4, 0, tzinfo=UTC)  # 12:00 WITA


@pytest.fixture
def configured(settings, offline_key, tmp_path):
    settings.LPSE_BACKUP_TARGETS = [f"folder:{tmp_path}"]
    settings.LPSE_BACKUP_RECIPIENTS = [offline_key[0]]
    settings.LPSE_BACKUP_INTERVAL_HOURS = 24


def verified_run(started_at: datetime, **fields) -> BackupRun:
    values = {
        "backup_id": f"{started_at:%Y%m%dT%H%M%SZ}-aaaaaa",
        "target": "folder:/mnt/hdd",
        "state": RunState.GOOD,
        "started_at": started_at,
        "finished_at": started_at + timedelta(minutes=1),
        "verified_at": started_at + timedelta(minutes=2),
    }
    values.update(fields)
    return BackupRun.objects.create(**values)


@pytest.mark.django_db
def test_R_6_1_nothing_configured_and_no_backup_are_alarms(settings):
    settings.LPSE_BACKUP_TARGETS, settings.LPSE_BACKUP_RECIPIENTS = [], []
    alarms = "\n".join(backup_alarms())
    assert "No backup target is configured" in alarms
    assert "No backup recipient is configured" in alarms
    assert "There is no verified backup" in alarms
    # A good backup nobody has checked is not yet a verified one.
    verified_run(timezone.now(), verified_at=None)
    assert "There is no verified backup" in "\n".join(backup_alarms())


@pytest.mark.django_db
def test_R_6_1_a_verified_backup_older_than_the_interval_and_a_grace_hour_is_an_alarm(configured):
    with time_machine.travel(NOON, tick=False):
        verified_run(timezone.now())
        assert backup_alarms() == []
    with time_machine.travel(NOON + timedelta(hours=25), tick=False):
        assert backup_alarms() == []  # within the grace hour
    with time_machine.travel(NOON + timedelta(hours=25, minutes=1), tick=False):
        [alarm] = backup_alarms()
    assert "taken on 03-03-2025 12:00 WITA, more than 24 hours ago" in alarm


@pytest.mark.django_db
def test_R_6_1_a_failed_last_run_is_an_alarm_that_says_its_error(configured):
    verified_run(timezone.now() - timedelta(hours=1))
    BackupRun.objects.create(
        backup_id="x",
        target="folder:/mnt/hdd",
        state=RunState.FAILED,
        started_at=timezone.now(),
        error="folder:/mnt/hdd is full (0.0 MiB free)",
    )
    assert backup_alarms() == [
        "The last backup to folder:/mnt/hdd failed: folder:/mnt/hdd is full (0.0 MiB free)"
    ]


@pytest.mark.django_db
def test_R_6_1_the_alarms_show_on_the_home_page_of_backup_keepers_only(client, make_user, settings):
    settings.LPSE_BACKUP_TARGETS = []
    home = reverse("accounts:home")
    for role in (Role.APP_ADMIN, Role.TECH_DATABASE, Role.LPSE_HEAD):
        client.force_login(make_user(role))
        html = client.get(home).content.decode()
        assert 'id="backup-alarms"' in html and "No backup target is configured" in html
    for role in (Role.HELPDESK, Role.PROVIDER, Role.SYSADMIN):
        client.force_login(make_user(role))
        assert 'id="backup-alarms"' not in client.get(home).content.decode()


@pytest.mark.django_db
def test_R_6_1_the_alarms_are_mailed_to_the_keepers_once_a_day(
    configured, make_user, smtp_server, django_capture_on_commit_callbacks
):
    admin, engineer = make_user(Role.APP_ADMIN), make_user(Role.TECH_DATABASE)
    helpdesk = make_user(Role.HELPDESK)
    with time_machine.travel(NOON, tick=False):
        BackupRun.objects.create(
            backup_id="x",
            target="folder:/mnt/hdd",
            state=RunState.FAILED,
            started_at=timezone.now(),
            error="the medium is not mounted",
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert check_backups.apply().get() == 2  # no verified backup; the failed run
        for keeper in (admin, engineer):
            message = smtp_server.wait_for(keeper.email, "Cadangan LPSE")  # Indonesian mail
            body = smtp_server.body(message)
            assert "the medium is not mounted" in body and "/cadangan/" in body
        assert smtp_server.to(helpdesk.email) == []
    # The hourly job the rest of the day mails nothing more.
    with time_machine.travel(NOON + timedelta(hours=23), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert check_backups.apply().get() == 0
    assert len(smtp_server.to(admin.email)) == 1
    # The next day, still unresolved: mailed again.
    with time_machine.travel(NOON + timedelta(hours=24, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert check_backups.apply().get() == 2
    assert AuditEvent.objects.filter(action="archive.alarm.mailed").count() == 2


@pytest.mark.django_db(transaction=True)
def test_R_6_1_the_hourly_job_backs_up_only_when_the_interval_has_passed(backup_folder, settings):
    settings.LPSE_BACKUP_INTERVAL_HOURS = 24
    some_blobs(1)
    with time_machine.travel(NOON, tick=False):
        first = scheduled_backup.apply().get()
    assert first["made"] and first["runs"][0]["state"] == RunState.GOOD
    [run] = BackupRun.objects.all()
    assert run.trigger == "schedule" and run.verified_at is not None
    with time_machine.travel(NOON + timedelta(hours=23, minutes=59), tick=False):
        assert scheduled_backup.apply().get()["reason"] == "not due"
    assert BackupRun.objects.count() == 1
    with time_machine.travel(NOON + timedelta(hours=24), tick=False):
        assert scheduled_backup.apply().get()["made"]
    assert BackupRun.objects.filter(state=RunState.GOOD).count() == 2


@pytest.mark.django_db
def test_R_6_1_a_refused_backup_is_recorded_and_does_not_stop_the_scheduler(settings, tmp_path):
    settings.LPSE_BACKUP_TARGETS = [f"folder:{tmp_path}"]
    settings.LPSE_BACKUP_RECIPIENTS = ["AGE-SECRET-KEY-1NOTAPUBLICKEY"]
    result = scheduled_backup.apply(throw=True).get()
    assert not result["made"] and "holds a private key" in result["reason"]
    event = AuditEvent.objects.get(action="archive.backup.refused")
    assert event.data["trigger"] == "schedule" and "private key" in event.data["reason"]
