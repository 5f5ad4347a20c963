"""Jobs run the same tasks in both modes: in-process in the embedded default, and in a Celery
worker fed through Redis in production (issue 2, 'the Celery app wired…')."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest

from lpse.core import scheduler

REDIS = ("127.0.0.1", 6379)


def redis_available() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_available() and os.environ.get("LPSE_REQUIRE_REDIS") != "1",
    reason="Redis is not running on 127.0.0.1:6379 (CI sets LPSE_REQUIRE_REDIS=1 and has it)",
)


@needs_redis
def test_a_worker_runs_tasks_sent_through_redis(tmp_path):
    db = 9  # a database of its own, emptied first, so no other queue interferes
    broker = f"redis://{REDIS[0]}:{REDIS[1]}/{db}"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "LPSE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
    }
    code = (
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','lpse.settings');"
        "import django; django.setup();"
        "from lpse.core.tasks import ping; import sys;"
        "r = ping.delay(sys.argv[1]); print(r.get(timeout=60))"
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "lpse", "worker", "--pool=solo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = uuid.uuid4().hex
        result = subprocess.run(
            [sys.executable, "-c", code, token], env=env, capture_output=True, text=True, timeout=90
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"pong:{token}"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_embedded_scheduler_runs_the_beat_schedule_and_respects_its_times(make_user):
    """R-1.4's expiry notice is a periodic job: in the embedded mode the scheduler runs it."""
    from datetime import timedelta

    from django.utils import timezone

    from lpse.providers.models import Company
    from tests.test_provider_registration import register

    company = register()
    Company.objects.filter(pk=company.pk).update(verify_by=timezone.now() - timedelta(minutes=1))
    last_run: dict[str, float] = {}
    assert scheduler.run_pending(last_run) == [
        "deliver-outbox",
        "complete-md5",
        "expire-registrations",
        "clean-abandoned-uploads",
        "mail-due-announcements",
        "publish-tree-head",
        "scheduled-backup",
        "check-backups",
        "rescan-held-uploads",
        "mail-security-summary",
        "server-room-open-visits",
        "facility-watch",
        "facility-checklist-reminder",
        "duty-register",
        "publish-ocds",
        "sample-installation",
        "mail-maintenance-announcements",
        "downsample-samples",
    ]
    company.refresh_from_db()
    assert company.state == Company.State.EXPIRED
    assert scheduler.run_pending(last_run) == []  # not due again until its next crontab time


def test_every_periodic_job_says_whether_it_runs_on_every_node_or_once():
    """Issue 16: the host sampler runs on each node (beside each web server, broker or not);
    the rest run once for the installation, from beat or the one embedded scheduler."""
    from lpse.celery import INSTALLATION, JOB_SCOPE, NODE, NODE_SCHEDULE, app

    assert set(JOB_SCOPE) == set(NODE_SCHEDULE) | set(app.conf.beat_schedule)
    assert not set(NODE_SCHEDULE) & set(app.conf.beat_schedule)
    assert JOB_SCOPE["sample-host"] == NODE
    assert JOB_SCOPE["check-backups"] == INSTALLATION
    assert set(scheduler.schedule_for(installation_jobs=False)) == {"sample-host"}
    assert set(scheduler.schedule_for(installation_jobs=True)) == set(JOB_SCOPE)


def test_a_failing_periodic_job_is_logged_and_does_not_stop_the_others():
    import logging

    from celery.schedules import schedule

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("lpse.core.scheduler").addHandler(handler)
    try:
        ran = scheduler.run_pending(
            {},
            {
                "broken": {
                    "task": "lpse.core.tasks.send_email",
                    "schedule": schedule(60),
                },  # no args
                "ping": {"task": "lpse.core.tasks.ping", "schedule": schedule(60), "args": ("x",)},
            },
        )
    finally:
        logging.getLogger("lpse.core.scheduler").removeHandler(handler)
    assert ran == ["ping"]
    assert [r.getMessage() for r in records] == ["periodic task broken failed"]
