"""``/health/live`` and ``/health/ready`` for load balancers (docs/operations.md).

*Live*: the process answers (no database touched): restart it if not. *Ready*: it can serve —
the database answers, the broker when one is configured, the file store answers, the
disk holding the data folder is above its floor, every migration is applied, and this node's
scheduler has beaten recently. Both answer JSON with each check's detail; 503 when not ready.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from lpse.core import storage
from lpse.core.scheduler import heartbeat_path


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_migrations() -> str:
    # Every migration the code knows, not only those a plan to the newest would run: a plan
    # skips a missing one whose successors are recorded as applied (a half-restored database).
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS])
    pending = set(loader.graph.nodes) - set(loader.applied_migrations)
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied: run lpse migrate")
    return "ok"


def check_broker() -> str:
    if settings.LPSE_EMBEDDED_JOBS:
        return "embedded (no broker)"
    from lpse.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def check_storage() -> str:
    """The file store answers: a file can be written and removed where uploads are staged (the
    data folder), or the bucket answers (``core.storage``)."""
    return storage.check()


def check_disk() -> str:
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_percent = 100.0 * usage.free / usage.total
    if free_percent < settings.LPSE_DISK_FLOOR_PERCENT:
        raise RuntimeError(
            f"{free_percent:.1f} % free on the data folder's disk, below the floor of "
            f"{settings.LPSE_DISK_FLOOR_PERCENT} %"
        )
    return f"{free_percent:.1f} % free"


def check_scheduler() -> str:
    try:
        age = time.time() - os.stat(heartbeat_path()).st_mtime
    except FileNotFoundError:
        raise RuntimeError(
            "the scheduler has never run on this node (lpse run_scheduler)"
        ) from None
    if age > settings.LPSE_HEARTBEAT_STALE_SECONDS:
        raise RuntimeError(f"the scheduler's last beat was {age:.0f} s ago")
    return f"beat {age:.0f} s ago"


READY_CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "storage": check_storage,
    "disk": check_disk,
    "scheduler": check_scheduler,
}


def readiness() -> tuple[bool, dict[str, dict[str, str]]]:
    """Every check, each one's failure caught and said: a load balancer's operator reads the
    JSON to see which part is down."""
    detail: dict[str, dict[str, str]] = {}
    ready = True
    for name, check in READY_CHECKS.items():
        try:
            detail[name] = {"status": "ok", "detail": check()}
        except Exception as exc:
            ready = False
            detail[name] = {"status": "fail", "detail": str(exc) or type(exc).__name__}
    return ready, detail
