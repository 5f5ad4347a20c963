"""Reads of the service desk: the helpdesk's lists, and the standard-time compliance report
(R-3.6) with the helpdesk's time to answer (R-2.1).

The compliance report reads ``core.StepTiming`` only — every procedure of the annex writes its
steps there through ``lpse.core.standard_times`` — and judges each finished step against the
catalogue's standard with ``StandardTime.met_by``. ``summarise`` is the arithmetic, pure: it takes
durations and gives the figures, so it is tested with known numbers.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from lpse.accounts.selectors import users_with_capability
from lpse.core.calendar import WITA
from lpse.core.capabilities import Cap
from lpse.core.models import StepTiming
from lpse.core.standard_times import CATALOGUE, Procedure, StandardTime
from lpse.servicedesk.models import KnowledgeArticle, Ticket

if TYPE_CHECKING:  # annotations only: accounts are read through its selectors
    from lpse.accounts.models import User

# --- the helpdesk's lists ----------------------------------------------------------------------


def tickets_of(user) -> QuerySet[Ticket]:
    """A requester's own tickets, and nobody else's."""
    return Ticket.objects.filter(requester=user).order_by("-received_at", "-id")


OPEN_STATES = (Ticket.State.NEW, Ticket.State.ASSIGNED, Ticket.State.REOPENED)
# The queue's default: what still needs an answer, and what was answered this recently — the
# officer follows up on those (a requester may reply, a rating comes in).
RECENTLY_ANSWERED = timedelta(days=7)


def queue(
    *,
    state: str = "",
    category: str = "",
    channel: str = "",
    assignee=None,
    query: str = "",
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """``state``: a ticket state, "open" (not answered), "active" (open or answered in the last
    seven days) or "" (all)."""
    tickets = Ticket.objects.select_related("assignee", "requester")
    if state == "open":
        tickets = tickets.filter(state__in=OPEN_STATES)
    elif state == "active":
        since = (now or timezone.now()) - RECENTLY_ANSWERED
        tickets = tickets.filter(
            Q(state__in=OPEN_STATES) | Q(state=Ticket.State.ANSWERED, answered_at__gte=since)
        )
    elif state:
        tickets = tickets.filter(state=state)
    if category:
        tickets = tickets.filter(category=category)
    if channel:
        tickets = tickets.filter(channel=channel)
    if assignee is not None:
        tickets = tickets.filter(assignee=assignee)
    if query.strip():
        q = query.strip()
        tickets = tickets.filter(
            Q(number__icontains=q)
            | Q(subject__icontains=q)
            | Q(requester_name__icontains=q)
            | Q(requester_organisation__icontains=q)
            | Q(requester__username__iexact=q)
        )
    return tickets.order_by("-received_at", "-id")


def helpdesk_staff() -> QuerySet[User]:
    """Everyone who may handle tickets, i.e. may be assigned one."""
    return users_with_capability(Cap.HANDLE_TICKETS)


def approved_articles(category: str = "") -> QuerySet[KnowledgeArticle]:
    articles = KnowledgeArticle.objects.filter(state=KnowledgeArticle.State.APPROVED)
    if category:
        articles = articles.filter(category=category)
    return articles.order_by("category", "question")


# --- months ------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, WITA."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=WITA),
        datetime.combine(following, time.min, tzinfo=WITA),
    )


# --- standard-time compliance -----------------------------------------------------------


@dataclass(frozen=True)
class StepFigures:
    """One step of one procedure in one month."""

    standard: StandardTime
    done: int
    met: int
    median: timedelta | None
    worst: timedelta | None
    open: int

    @property
    def percent_met(self) -> float | None:
        return 100.0 * self.met / self.done if self.done else None

    @property
    def procedure_label(self) -> str:
        return str(Procedure(self.standard.procedure).label)


def summarise(
    standard: StandardTime, durations: Iterable[timedelta], open_count: int = 0
) -> StepFigures:
    """How many finished steps met the standard, the median and the worst duration."""
    taken = sorted(durations)
    if not taken:
        return StepFigures(standard, 0, 0, None, None, open_count)
    median = timedelta(seconds=statistics.median(d.total_seconds() for d in taken))
    return StepFigures(
        standard=standard,
        done=len(taken),
        met=sum(1 for d in taken if standard.met_by(d)),
        median=median,
        worst=taken[-1],
        open=open_count,
    )


def standard_time_report(month: date) -> list[StepFigures]:
    """Every step of the catalogue, in its order, with the steps that started in ``month``
    (WITA). A step started in one month and finished in the next counts where it started."""
    start, end = month_bounds(month)
    durations: dict[tuple[str, str], list[timedelta]] = defaultdict(list)
    still_open: dict[tuple[str, str], int] = defaultdict(int)
    rows = StepTiming.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
        "procedure", "step", "started_at", "ended_at"
    )
    for procedure, step, started_at, ended_at in rows:
        if ended_at is None:
            still_open[(procedure, step)] += 1
        else:
            durations[(procedure, step)].append(max(ended_at - started_at, timedelta(0)))
    return [
        summarise(s, durations[(s.procedure, s.step)], still_open[(s.procedure, s.step)])
        for s in CATALOGUE
    ]


# --- the helpdesk's time to answer ------------------------------------------------------


@dataclass(frozen=True)
class AnswerFigures:
    """Tickets received in a month: how many, answered, how fast (to the first answer)."""

    label: str
    received: int
    answered: int
    median: timedelta | None
    worst: timedelta | None
    unanswered: int
    rated: int
    mean_rating: float | None


def answer_figures(label: str, tickets: Iterable[Ticket]) -> AnswerFigures:
    tickets = list(tickets)
    taken = sorted(t.time_to_answer for t in tickets if t.time_to_answer is not None)
    ratings = [t.rating for t in tickets if t.rating is not None]
    return AnswerFigures(
        label=label,
        received=len(tickets),
        answered=len(taken),
        median=timedelta(seconds=statistics.median(d.total_seconds() for d in taken))
        if taken
        else None,
        worst=taken[-1] if taken else None,
        unanswered=len(tickets) - len(taken),
        rated=len(ratings),
        mean_rating=statistics.fmean(ratings) if ratings else None,
    )


def helpdesk_report(month: date, labels: dict[str, str]) -> list[AnswerFigures]:
    """All tickets of the month, then those received in and outside working hours. ``labels``
    names the three rows (the view passes them translated)."""
    start, end = month_bounds(month)
    tickets = list(
        Ticket.objects.filter(received_at__gte=start, received_at__lt=end).only(
            "received_at", "first_answered_at", "rating", "outside_working_hours"
        )
    )
    return [
        answer_figures(labels["all"], tickets),
        answer_figures(labels["inside"], [t for t in tickets if not t.outside_working_hours]),
        answer_figures(labels["outside"], [t for t in tickets if t.outside_working_hours]),
    ]


def ticket_by_number(number: str) -> Ticket | None:
    """The ticket with this number, whatever its case (``hd-2026-00012``), or None: how another
    desk (an upload problem, R-3.4) ties its case to the ticket it arrived as."""
    if not number:
        return None
    return Ticket.objects.filter(number__iexact=number).first()
