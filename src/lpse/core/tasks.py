from __future__ import annotations

from celery import shared_task

from lpse.core.mail import send_mail_now


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, to: list[str], subject: str, body: str, secret: bool = False) -> None:
    send_mail_now(to=to, subject=subject, body=body, secret=secret)


@shared_task
def ping(value: str) -> str:
    """A round trip through the broker: used by the worker health check and its test."""
    return f"pong:{value}"
