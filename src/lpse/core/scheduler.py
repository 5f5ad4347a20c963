"""The embedded scheduler: runs Celery's beat schedule when there is no broker.

Only used in the embedded mode (``lpse run_scheduler``, started by ``lpse demo`` / ``lpse serve``
without CELERY_BROKER_URL), so the
same periodic tasks run with no server installed. Each entry runs at start-up and then whenever
its schedule says it is due; a failure is logged and does not stop the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

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
        try:
            app.tasks[entry["task"]].apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
            )
            ran.append(name)
        except Exception:
            log.exception("periodic task %s failed", name)
    return ran


def run_forever(stop: threading.Event, poll_seconds: float = 30.0) -> None:
    last_run: dict[str, float] = {}
    while not stop.is_set():
        run_pending(last_run)
        stop.wait(poll_seconds)
