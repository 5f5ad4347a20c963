"""E-mail: every message is recorded, and delivered over SMTP when a server is configured.

Services send through ``send_mail_on_commit`` so that no e-mail leaves for a write that was
rolled back (a registration link for a registration that does not exist).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

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


def loggable_body(message) -> str:
    if message.extra_headers.get(SECRET_HEADER) and not settings.LPSE_DEMO:
        return ONE_TIME_LINK.sub(REDACTED, message.body)
    return message.body


class RecordingBackend(BaseEmailBackend):
    """Keeps a copy of each message in ``SentEmail``; delivers it when EMAIL_HOST is set."""

    def send_messages(self, email_messages):
        smtp = SMTPBackend(fail_silently=self.fail_silently) if settings.EMAIL_HOST else None
        sent = 0
        for message in email_messages:
            secret = message.extra_headers.pop(SECRET_HEADER, None)
            delivered, error = False, ""
            if smtp is not None:
                try:
                    delivered = bool(smtp.send_messages([message]))
                except Exception as exc:  # recorded and logged; the outbox keeps the message
                    error = f"{type(exc).__name__}: {exc}"
                    log.warning("e-mail to %s not delivered: %s", message.to, error)
            SentEmail.objects.create(
                to=", ".join(message.to),
                subject=message.subject[:300],
                body=loggable_body(_Marked(message, secret)),
                delivered=delivered,
                error=error,
            )
            sent += 1
        return sent


class _Marked:
    """The message as it was marked before the marker header was taken off for sending."""

    def __init__(self, message, secret):
        self.body = message.body
        self.extra_headers = {SECRET_HEADER: secret} if secret else {}


def send_mail_now(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    headers = {SECRET_HEADER: "1"} if secret else {}
    EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to, headers=headers
    ).send()


def site_url(name: str, *args) -> str:
    """The absolute address of a page, for links in e-mails and letters."""
    from django.urls import reverse

    return settings.LPSE_BASE_URL + reverse(name, args=args)
