"""The task that sends one batch of an announcement. Apart from ``tasks`` so that the services
(which queue it, through ``mailing``) and the periodic job in ``tasks`` (which calls the
services) do not import each other in a circle."""

from __future__ import annotations

from celery import shared_task

from lpse.core.mail import send_mail_now


# The name it had when it lived in ``tasks``: messages already queued under it still find it.
# No automatic retry: the mail backend records a failed delivery itself (core.mail), and a
# retried batch would send the announcement twice to the addresses that already had it.
@shared_task(name="lpse.news.tasks.send_announcement_batch")
def send_announcement_batch(*, to: list[str], subject: str, body: str) -> int:
    """One message per address, so no recipient sees the others' addresses."""
    for address in to:
        send_mail_now(to=[address], subject=subject, body=body)
    return len(to)
