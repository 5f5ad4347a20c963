from __future__ import annotations

from celery import shared_task

# Imported here so that a worker, which discovers ``tasks`` modules, registers it.
from lpse.news.sending import send_announcement_batch
from lpse.news.services import announcements_mail_due

__all__ = ["mail_due_announcements", "send_announcement_batch"]


@shared_task
def mail_due_announcements() -> int:
    """Periodic (``mail-due-announcements``): e-mail the announcements whose window has opened
    since they were published (R-2.3)."""
    return announcements_mail_due()
