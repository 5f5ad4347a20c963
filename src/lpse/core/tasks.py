from __future__ import annotations

from celery import shared_task
from django.db import transaction

from lpse.core.mail import send_mail_now


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    send_mail_now(to=to, subject=subject, body=body, secret=secret)


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker: used by the worker health check and its test."""
    return f"pong:{value}"


def send_mail_on_commit(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    """Queue the e-mail task once the current transaction commits. ``secret``: the body holds a
    one-time link, which the mail log does not keep (outside demo mode)."""
    transaction.on_commit(
        lambda: send_email.delay(to=list(to), subject=str(subject), body=str(body), secret=secret)
    )
