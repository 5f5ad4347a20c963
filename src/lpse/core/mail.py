"""E-mail: every message is recorded, and delivered over SMTP when a server is configured.

Services send through ``send_mail_on_commit`` so that no e-mail leaves for a write that was
rolled back (a registration link for a registration that does not exist).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction

from lpse.core.models import SentEmail

log = logging.getLogger(__name__)


class RecordingBackend(BaseEmailBackend):
    """Keeps a copy of each message in ``SentEmail``; delivers it when EMAIL_HOST is set."""

    def send_messages(self, email_messages):
        smtp = SMTPBackend(fail_silently=self.fail_silently) if settings.EMAIL_HOST else None
        sent = 0
        for message in email_messages:
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
                body=message.body,
                delivered=delivered,
                error=error,
            )
            sent += 1
        return sent


def send_mail_now(*, to: list[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()


def send_mail_on_commit(*, to: list[str], subject: str, body: str) -> None:
    """Queue the e-mail task once the current transaction commits."""
    from lpse.core.tasks import send_email

    transaction.on_commit(
        lambda: send_email.delay(to=list(to), subject=str(subject), body=str(body))
    )
