"""E-mail: every message is recorded, and delivered over SMTP when a server is configured.

Services send through ``send_mail_on_commit`` so that no e-mail leaves for a write that was
rolled back (a registration link for a registration that does not exist).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from lpse.core import mail_outbox
from lpse.core.models import SentEmail

log = logging.getLogger(__name__)

SECRET_HEADER = "X-LPSE-One-Time-Link"
# The paths of one-time links: whoever reads them can set a password or register in someone's
# name, so outside demo mode the log keeps the message without them.
ONE_TIME_LINK = re.compile(
    r"https?://\S+/(?:akun/sandi/atur|daftar/isi|daftar/selesai|ganti-email/konfirmasi|"
    r"layanan/tiket)/\S+"
)
REDACTED = "[one-time link: sent, not kept in the log]"


def logged_body(body: str, *, secret: bool) -> str:
    """What the log keeps of a body: a one-time link only in demo mode."""
    if secret and not settings.LPSE_DEMO:
        return ONE_TIME_LINK.sub(REDACTED, body)
    return body


def queue_mail(*, to: list[str], subject: str, body: str, secret: bool = False) -> SentEmail:
    """Into the outbox, in the caller's transaction (lpse.core.mail_outbox)."""
    return mail_outbox.queue(
        to=list(to),
        subject=str(subject),
        body=str(body),
        logged_body=logged_body(body, secret=secret),
    )


class RecordingBackend(BaseEmailBackend):
    """Django's own mail (``send_mail``, an error report) goes the same way as ours: through the
    outbox and the log, delivered over SMTP when EMAIL_HOST is set."""

    def send_messages(self, email_messages):
        for message in email_messages:
            secret = bool(message.extra_headers.pop(SECRET_HEADER, None))
            row = queue_mail(
                to=message.to, subject=message.subject, body=message.body, secret=secret
            )
            mail_outbox.deliver(row.pk)
        return len(email_messages)


def send_mail_now(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    """Queue and deliver at once (a job already running in a worker): a refusal is retried by
    the outbox's periodic job, not lost."""
    mail_outbox.deliver(queue_mail(to=to, subject=subject, body=body, secret=secret).pk)


def site_url(name: str, *args) -> str:
    """The absolute address of a page, for links in e-mails and letters."""
    from django.urls import reverse

    return settings.LPSE_BASE_URL + reverse(name, args=args)
