"""Every write to a person's session records (issue 21, ASVS V7.4.3, V7.4.5, V7.5.2).

A record is opened at sign-in (with the address and browser seen then), kept in step with the
session's key by the session policy middleware, and closed at sign-out. Ending a session deletes
both its record and Django's session row: the browser holding it is signed out at its next request.

Concurrent sessions are not limited: a person may be signed in from several browsers at once
(an official at the office and at home, a committee member on two machines during an opening).
Instead each person sees their sessions and can end the others, and an administrator can end
all of a person's sessions (docs/operations.md, "Sessions").
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.models import User, UserSession
from lpse.core import audit
from lpse.core.client_address import client_address
from lpse.core.errors import DomainError

SESSION_REF = "lpse_session_ref"
# The record's last-seen time is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def session_opened(request, user: User) -> UserSession:
    """The person has just signed in on this request: record the session."""
    if request.session.session_key is None:
        request.session.save()  # a key now, so the record can name it
    now = timezone.now()
    # The person's records of sessions that have timed out go now: nothing else removes them.
    UserSession.objects.filter(user=user).filter(
        Q(started_at__lt=now - timedelta(seconds=settings.SESSION_MAX_SECONDS))
        | Q(last_seen_at__lt=now - timedelta(seconds=settings.SESSION_IDLE_SECONDS) - TOUCH_EVERY)
    ).delete()
    record = UserSession.objects.create(
        user=user,
        ref=secrets.token_urlsafe(32),
        session_key=request.session.session_key,
        started_at=now,
        last_seen_at=now,
        address=client_address(request)[:45],
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    request.session[SESSION_REF] = record.ref
    return record


def session_closed(request) -> None:
    """The person signed out: the record goes with the session."""
    ref = request.session.get(SESSION_REF) if hasattr(request, "session") else None
    if ref:
        UserSession.objects.filter(ref=ref).delete()


def session_still_open(request) -> bool:
    """False when this signed-in session was ended elsewhere ("end the others", an
    administrator, a new password or second factor): its record is gone. A session from before
    records existed has no ref: it gets one now."""
    ref = request.session.get(SESSION_REF)
    if ref is None:
        session_opened(request, request.user)
        return True
    return UserSession.objects.filter(ref=ref, user=request.user).exists()


def session_touched(request) -> None:
    """After the response: keep the record's key and last-seen time in step (the key changes
    when the second factor is verified; Django saves the session as the response leaves)."""
    ref = request.session.get(SESSION_REF)
    key = request.session.session_key
    if not ref or not key:
        return
    now = timezone.now()
    UserSession.objects.filter(ref=ref).exclude(
        session_key=key, last_seen_at__gt=now - TOUCH_EVERY
    ).update(session_key=key, last_seen_at=now)


def _end(user: User, *, keep_ref: str | None) -> int:
    """Delete the person's session records and Django sessions, all but ``keep_ref``'s; returns
    how many Django sessions (signed-in browsers) were ended."""
    records = UserSession.objects.filter(user=user)
    if keep_ref:
        records = records.exclude(ref=keep_ref)
    keys = set(records.values_list("session_key", flat=True))
    records.delete()
    ended = 0
    # The kept session is told by the ref inside it, not by a key that may have just changed;
    # sessions without a record (from before records existed) are found by their contents.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if keep_ref and data.get(SESSION_REF) == keep_ref:
            continue
        if session.session_key in keys or str(data.get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def sessions_end_others(*, actor: User, keep_ref: str | None, why: str) -> int:
    """End every session of ``actor`` but the one they are using; audited with ``why``
    ("asked", "password.change", "totp_device.confirm"). Returns how many were ended."""
    with transaction.atomic():
        ended = _end(actor, keep_ref=keep_ref)
        audit.record(
            actor=actor,
            action="sessions.end_others",
            obj=actor,
            data={"why": why, "sessions_ended": ended},
        )
    return ended


def sessions_end_all(user: User) -> int:
    """End every session of ``user`` (deactivation, an administrator's request, a second factor
    reset); the caller audits. Returns how many were ended."""
    return _end(user, keep_ref=None)


def sessions_end_everyone(*, reason: str) -> int:
    """Sign everybody out at once (a suspected breach, a leaked ``SECRET_KEY`` replaced): the
    operator's ``lpse end_all_sessions``. Audited with the reason; returns how many ended."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: it is kept with the change."), field="reason")
    with transaction.atomic():
        ended = Session.objects.filter(expire_date__gt=timezone.now()).count()
        Session.objects.all().delete()
        UserSession.objects.all().delete()
        audit.record(
            actor=None,
            action="sessions.end_everyone",
            obj=None,
            data={"reason": reason, "sessions_ended": ended},
        )
    return ended
