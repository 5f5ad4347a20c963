"""What the request and participant services of training share: the row locks, taken in one
order everywhere, and how a session's day and hours are written in e-mails. One module both
import, so neither reaches into the other's private helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import dateformat

from lpse.core.calendar import to_wita
from lpse.training.models import TrainingRequest, TrainingSession


def locked_request(request: TrainingRequest) -> TrainingRequest:
    """The request re-read under a row lock: two people acting on it act one after the other."""
    return (
        TrainingRequest.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=request.pk)
    )


def locked_session(session_pk: int) -> TrainingSession:
    """The session under lock, its request locked first: request → session → participant is
    the one order every service takes its locks in, so a cancel and a registration (or an
    attendance, or "held") act one after the other instead of overwriting each other."""
    request_pk = TrainingSession.objects.values_list("request_id", flat=True).get(pk=session_pk)
    request = locked_request(TrainingRequest(pk=request_pk))
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("room")
        .get(pk=session_pk)
    )
    session.request = request
    return session


def session_day(session: TrainingSession) -> str:
    """The training's day in the reader's language (the letters themselves are Indonesian)."""
    return dateformat.format(to_wita(session.start), "l, j F Y")


def session_context(session: TrainingSession) -> dict[str, Any]:
    """What every e-mail about a session shows: its request, day and hours (WITA)."""
    return {
        "session": session,
        "request": session.request,
        "day": session_day(session),
        "hours": f"{to_wita(session.start):%H:%M}–{to_wita(session.end):%H:%M} WITA",
        "site_name": settings.LPSE_SITE_NAME,
    }
