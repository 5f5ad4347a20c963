"""An announcement's e-mail to its audience (R-2.3): rendered once, sent in batches on commit."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lpse.core.calendar import wita_text
from lpse.core.mail import site_url
from lpse.core.tasks import queue_mails_on_commit
from lpse.news.models import Post

# Addresses per queued task: a large audience (every provider) becomes many small jobs that a
# worker can spread out, never one task that holds thousands of addresses or a single
# message with thousands of recipients.
BATCH_SIZE = 50


def announcement_mail(post: Post) -> tuple[str, str]:
    subject = _("%(site)s announcement: %(title)s") % {
        "site": settings.LPSE_SITE_NAME,
        "title": post.title,
    }
    body = render_to_string(
        "news/email/announcement.txt",
        {
            "post": post,
            "shown_from": wita_text(post.show_from) if post.show_from else "",
            "shown_until": wita_text(post.show_until) if post.show_until else "",
            "url": site_url("news:detail", post.pk),
            "site_name": settings.LPSE_SITE_NAME,
        },
    )
    return subject, body


def send_on_commit(post: Post, emails: list[str]) -> int:
    """Queue the batches once the publishing transaction commits; returns how many batches."""
    subject, body = announcement_mail(post)
    batches = [emails[i : i + BATCH_SIZE] for i in range(0, len(emails), BATCH_SIZE)]
    # One message per address (no recipient sees the others'), written to the outbox in the
    # publishing transaction: a broker down at the commit loses none (issue 21).
    for batch in batches:
        queue_mails_on_commit([{"to": [a], "subject": subject, "body": body} for a in batch])
    return len(batches)
