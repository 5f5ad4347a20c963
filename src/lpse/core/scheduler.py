"""The embedded scheduler: runs Celery's beat schedule when there is no broker.

Started by ``lpse demo`` / ``lpse serve`` beside the web server (``lpse run_scheduler``). Without
CELERY_BROKER_URL it runs every job, so the same periodic tasks run with no server installed;
with a broker it runs only this node's jobs (``lpse.celery.NODE_SCHEDULE``) and beat runs the rest. Each entry runs at start-up and then whenever
its schedule says it is due; a failure is logged and does not stop the loop.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


def run_pending(last_run: dict[str, float], schedule: dict | None = None) -> list[str]:
    """One pass: run every entry that is due, remember when; return the names that ran."""
    from lpse.celery import app

    app.loader.import_default_modules()  # registers every app's tasks module
    ran = []
    for name, entry in (schedule if schedule is not None else app.conf.beat_schedule).items():
        last = last_run.get(name)
        if last is not None:
            last_dt = datetime.fromtimestamp(last, tz=timezone.get_current_timezone())
            if not entry["schedule"].is_due(last_dt).is_due:
                continue
        last_run[name] = time.time()
        if not _claimed(name, entry):
            continue  # another node runs this installation job for this period
        try:
            app.tasks[entry["task"]].apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
            )
            ran.append(name)
        except Exception:
            log.exception("periodic task %s failed", name)
    return ran


def _claimed(name: str, entry: dict) -> bool:
    """An installation job runs once however many nodes' schedulers find it due (issue 19):
    with a cache that every node shares (Redis, ``LPSE_CACHE_URL``), the first node to find it
    due takes a lease until just before its next due time, and the others skip it for that
    period. Node jobs, and the one scheduler of a node with its own file cache, need none."""
    from lpse.celery import JOB_SCOPE, NODE

    if JOB_SCOPE.get(name) == NODE or not settings.LPSE_CACHE_URL:
        return True
    from django.core.cache import cache

    until_next = entry["schedule"].remaining_estimate(timezone.now()).total_seconds()
    lease = max(1, int(until_next) - 1)
    return cache.add(f"lpse:installation-job:{name}", settings.LPSE_NODE_NAME, timeout=lease)


def schedule_for(*, installation_jobs: bool) -> dict:
    """The node's jobs always; the installation's too when this is the embedded scheduler
    (no broker, so no Celery beat runs them). ``lpse.celery.JOB_SCOPE`` says which is which."""
    from lpse.celery import NODE_SCHEDULE, app

    return {**NODE_SCHEDULE, **(app.conf.beat_schedule if installation_jobs else {})}


def heartbeat_path() -> Path:
    """Touched after every pass; ``/health/ready`` says the scheduler is stale when it is old."""
    return settings.DATA_DIR / f"scheduler-{settings.LPSE_NODE_NAME}.heartbeat"


def beat() -> None:
    path = heartbeat_path()
    path.touch()
    os.utime(path)


def run_forever(
    stop: threading.Event, poll_seconds: float = 30.0, *, installation_jobs: bool = True
) -> None:
    last_run: dict[str, float] = {}
    schedule = schedule_for(installation_jobs=installation_jobs)
    while not stop.is_set():
        run_pending(last_run, schedule)
        beat()
        stop.wait(poll_seconds)
