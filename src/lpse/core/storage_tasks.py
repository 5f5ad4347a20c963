"""Jobs of the file store. Not in ``core.tasks``: the store reaches that module (a held
upload's e-mail), so these would make a cycle there; ``lpse.celery`` imports this one."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from lpse.core.storage import pending_md5

log = logging.getLogger(__name__)


@shared_task(name="lpse.core.storage_tasks.complete_md5")
def complete_md5() -> int:
    """Periodic (``complete-md5``, every minute) and after an opening: the MD5 of blobs stored
    with their SHA-256 only (``core.storage.pending_md5``)."""
    return pending_md5.complete_md5()


def complete_md5_on_commit() -> None:
    """After the caller's commit, a worker takes the MD5s left for later. With jobs embedded
    (no broker) the job would run inside the caller's request, which is what was to be spared:
    the scheduler's next minute takes them instead."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return

    def hand_over() -> None:
        try:
            complete_md5.delay()
        except Exception as exc:  # kombu's OperationalError, a refused or reset connection
            log.warning("MD5s left for the periodic job: the job broker is unreachable (%s)", exc)

    transaction.on_commit(hand_over)
