from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import translation

from lpse.core import mail_outbox
from lpse.core.mail import queue_mail, send_mail_now

log = logging.getLogger(__name__)


@shared_task(name="lpse.core.tasks.deliver_emails")
def deliver_emails(pks: list[int]) -> int:
    """Outbox messages (lpse.core.mail_outbox), one attempt each; a refusal is retried by
    ``deliver_outbox``. Returns how many were sent."""
    return sum(mail_outbox.deliver(pk) == mail_outbox.State.SENT for pk in pks)


@shared_task(name="lpse.core.tasks.deliver_outbox")
def deliver_outbox() -> int:
    """Periodic (``deliver-outbox``, every minute): what the broker never handed over, what is
    due for a retry, what a killed worker left (issue 21)."""
    return mail_outbox.deliver_due()


# Messages queued in the broker under this name before the outbox existed still find it.
@shared_task
def send_email(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    send_mail_now(to=to, subject=subject, body=body, secret=secret)


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker: used by the worker health check and its test."""
    return f"pong:{value}"


def hand_over(pks: list[int]) -> None:
    """Ask a worker to deliver now. If the broker cannot be reached the messages are not lost:
    they wait in the outbox and ``deliver-outbox`` sends them once jobs run again."""
    try:
        deliver_emails.delay(list(pks))
    except Exception as exc:  # kombu's OperationalError, a refused or reset connection
        log.warning("e-mails %s left in the outbox: the job broker is unreachable (%s)", pks, exc)


def queue_mails_on_commit(messages: list[dict]) -> int:
    """Several e-mails (each a dict of ``to``, ``subject``, ``body``) into the outbox now and to
    one worker job after the commit; returns how many."""
    pks = [queue_mail(**message).pk for message in messages]
    if pks:
        transaction.on_commit(lambda: hand_over(pks))
    return len(pks)


def send_mail_on_commit(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    """Write the e-mail to the outbox in the current transaction (it exists only if the write it
    tells about does) and hand it to a worker once the transaction commits. ``secret``: the body
    holds a one-time link, which the mail log does not keep (outside demo mode)."""
    row = queue_mail(to=list(to), subject=str(subject), body=str(body), secret=secret)
    transaction.on_commit(lambda: hand_over([row.pk]))


def mail_each(recipients: Iterable, compose: Callable[[str], tuple[str, str]]) -> list[str]:
    """Mail each person once: one message each, so no one sees the others' addresses, sent once
    the caller's transaction commits, written in the site's language (Indonesian) whoever's
    request or job runs it — ``compose(address)`` gives (subject, body) and runs under that
    language. ``recipients``: addresses or users; blanks are dropped and an address given twice
    (in any case) gets one message. Returns the addresses mailed, sorted."""
    addresses = sorted(
        {
            address.strip().lower()
            for address in (r if isinstance(r, str) else r.email for r in recipients)
            if address and address.strip()
        }
    )
    for address in addresses:
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = compose(address)
        send_mail_on_commit(to=[address], subject=subject, body=body)
    return addresses
