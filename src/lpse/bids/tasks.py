from __future__ import annotations

from celery import shared_task

from lpse.bids.services.submission import abandoned_uploads_clean


@shared_task
def clean_abandoned_uploads() -> int:
    """Part files of uploads left incomplete at their tender's deadline (bench finding 3)."""
    return abandoned_uploads_clean()
