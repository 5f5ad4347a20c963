from __future__ import annotations

from celery import shared_task

from lpse.portal.ocds.jobs import ocds_publish
from lpse.portal.transparency import tree_head_publish


@shared_task
def publish_tree_head() -> int:
    """The daily signed head of the transparency log, e-mailed out (R-9.8)."""
    return tree_head_publish()["tree_size"]


@shared_task
def publish_ocds() -> int:
    """New OCDS releases of what changed, then the bulk files (R-9.5); the number published.
    Idempotent and catching up, so a missed or doubled run does no harm."""
    return ocds_publish()
