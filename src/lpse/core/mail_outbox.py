"""The e-mail outbox (issue 21): a message is a ``SentEmail`` row written in the transaction of the
write it tells about, then delivered — none lost when the broker or the SMTP server is down.

- ``queue`` writes the row (state *queued*) with the Message-ID it keeps on every attempt.
- ``deliver`` claims the row with one conditional UPDATE (a lease, so no lock is held while the
  SMTP server answers — SQLite's single writer would wait behind it), sends it, records the
  outcome: *sent*; *retrying* with back-off after a refusal or an unreachable server; *failed*
  after ``MAX_ATTEMPTS``; *kept* when no mail server is set (the demo's outbox).
- ``deliver_due`` (the periodic job ``deliver-outbox``, every minute) sends what the broker never
  handed to a worker (Redis was down at the commit), what is due for a retry, and what a worker
  claimed and never finished (killed mid-send: sent again with the same Message-ID, so a
  recipient's mail system sees one message — delivery is at least once, never zero).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import Q
from django.utils import timezone, translation

from lpse.core.models import SentEmail

log = logging.getLogger(__name__)
State = SentEmail.State

WAITING = (State.QUEUED, State.RETRYING)
MAX_ATTEMPTS = 12  # back-off 1, 2, 4 … 60 minutes: about seven hours of trying
LEASE = timedelta(minutes=10)  # longer than any SMTP conversation (EMAIL_TIMEOUT is 20 s)
HANDOVER_GRACE = timedelta(minutes=1)  # a queued message the broker should have handed over


def _domain() -> str:
    return urlsplit(settings.LPSE_BASE_URL).hostname or "lpse.localhost"


def queue(*, to: list[str], subject: str, body: str, logged_body: str) -> SentEmail:
    """The message into the outbox, in the caller's transaction. ``logged_body`` is what the log
    keeps for good (one-time links taken out); the whole body waits in ``pending_body``."""
    return SentEmail.objects.create(
        to=", ".join(to),
        subject=subject[:300],
        body=logged_body,
        pending_body=body if body != logged_body else "",
        message_id=make_msgid(domain=_domain()),
        state=State.QUEUED,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _claim(pk: int) -> bool:
    """Take the message for one delivery attempt, or learn that it is not ours to send (sent
    already, given up, or another worker holds its lease)."""
    now = timezone.now()
    free = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = SentEmail.objects.filter(free, pk=pk, state__in=WAITING).update(
        next_attempt_at=now + LEASE
    )
    return claimed == 1


def _send(row: SentEmail) -> None:
    message = EmailMessage(
        subject=row.subject,
        body=row.pending_body or row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=row.to.split(", "),
        headers={"Message-ID": row.message_id},
    )
    if SMTPBackend(fail_silently=False).send_messages([message]) != 1:
        raise OSError("the SMTP server did not accept the message")


def deliver(pk: int) -> str | None:
    """One attempt at one message; returns its new state, or None when it was not ours."""
    if not _claim(pk):
        return None
    row = SentEmail.objects.get(pk=pk)
    now = timezone.now()
    if not settings.EMAIL_HOST:
        row.state, row.next_attempt_at = State.KEPT, None
        row.save(update_fields=["state", "next_attempt_at"])
        return row.state
    row.attempts += 1
    try:
        _send(row)
    except Exception as exc:  # any refusal or fault of the server: kept, tried again later
        row.error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.state, row.next_attempt_at, row.pending_body = State.FAILED, None, ""
            log.error("e-mail %s to %s given up: %s", row.pk, row.to, row.error)
        else:
            row.state, row.next_attempt_at = State.RETRYING, now + backoff(row.attempts)
            log.warning("e-mail %s to %s not delivered, retried: %s", row.pk, row.to, row.error)
    else:
        row.state, row.delivered, row.delivered_at = State.SENT, True, now
        row.next_attempt_at, row.pending_body, row.error = None, "", ""
    row.save(
        update_fields=[
            "state", "delivered", "delivered_at", "attempts", "next_attempt_at", "pending_body",
            "error",
        ]
    )  # fmt: skip
    return row.state


def due(now=None, limit: int = 500) -> list[int]:
    """The messages ``deliver_due`` should try now, oldest first."""
    now = now or timezone.now()
    never_handed = Q(
        state=State.QUEUED, next_attempt_at__isnull=True, sent_at__lte=now - HANDOVER_GRACE
    )
    retry_or_lease_over = Q(state__in=WAITING, next_attempt_at__lte=now)
    rows = SentEmail.objects.filter(never_handed | retry_or_lease_over).order_by("sent_at", "id")
    return list(rows.values_list("pk", flat=True)[:limit])


def deliver_due() -> int:
    """The periodic job: every due message, one attempt each; returns how many were sent."""
    return sum(deliver(pk) == State.SENT for pk in due())
