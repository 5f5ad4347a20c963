"""The embedded scheduler: runs Celery's beat schedule in a thread when there is no broker.

Only used in the embedded mode (``lpse demo`` / ``lpse serve`` without CELERY_BROKER_URL), so the
same periodic tasks run with no server installed. Each entry runs at its crontab's times; a
failure is logged and does not stop the loop.
"""

from __future__ import annotations

import logging
import threading
import time

from django.utils import timezone

log = logging.getLogger(__name__)


def _due_entries(app, last_run: dict[str, float]):
    for name, entry in app.conf.beat_schedule.items():
        schedule = entry["schedule"]
        last = last_run.get(name)
        if last is None:
            yield name, entry
            continue
        last_dt = timezone.datetime.fromtimestamp(last, tz=timezone.get_current_timezone())
        if schedule.is_due(last_dt).is_due:
            yield name, entry


def run_forever(stop: threading.Event, poll_seconds: float = 30.0) -> None:
    from lpse.celery import app

    app.loader.import_default_modules()  # registers every app's tasks module
    last_run: dict[str, float] = {}
    while not stop.is_set():
        for name, entry in list(_due_entries(app, last_run)):
            last_run[name] = time.time()
            try:
                app.tasks[entry["task"]].apply()
            except Exception:
                log.exception("periodic task %s failed", name)
        stop.wait(poll_seconds)


def start_in_background() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="lpse-scheduler", daemon=True).start()
    return stop
