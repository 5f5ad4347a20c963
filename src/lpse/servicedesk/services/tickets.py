"""Every write of the helpdesk (R-2.1): a ticket from its request to the requester's rating.

new → assigned (being handled) → answered → closed; a requester who replies to an answer reopens
the ticket, and the next answer answers it again. The answer goes to the requester online and by
e-mail; internal notes never do. The requester is checked here, not only in the views: the
signed-in owner of the ticket, or whoever holds the ticket's secret link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts.selectors import active_user_by_username
from lpse.core import audit
from lpse.core.calendar import to_wita, wita_text
from lpse.core.capabilities import Cap, has_capability, require_capability
from lpse.core.credentials import refuse_credentials
from lpse.core.errors import DomainError
from lpse.core.mail import site_url
from lpse.core.tasks import send_mail_on_commit
from lpse.servicedesk.models import (
    Category,
    Channel,
    InternalNote,
    KnowledgeArticle,
    RequesterRole,
    Ticket,
    TicketCounter,
    TicketMessage,
)
from lpse.servicedesk.rules import (
    is_outside_working_hours,
    requester_role_of,
    ticket_token,
    token_matches,
)

if TYPE_CHECKING:  # annotations only: accounts are read through its selectors
    from lpse.accounts.models import User

OPEN_STATES = (Ticket.State.NEW, Ticket.State.ASSIGNED, Ticket.State.REOPENED)


@dataclass(frozen=True)
class Request:
    """What the requester asks. Name, e-mail and phone are for a requester without an account
    (the public online, a caller, a visitor at the counter); a signed-in requester is the
    account."""

    category: str
    subject: str
    question: str
    name: str = ""
    email: str = ""
    phone: str = ""
    organisation: str = ""
    role: str = RequesterRole.PUBLIC


def requester_link(ticket: Ticket) -> str:
    """Where the requester reads the answer: their own list when they have an account, else the
    ticket's secret link."""
    if ticket.requester_id is not None:
        return site_url("servicedesk:my_ticket", ticket.number)
    return site_url("servicedesk:public_ticket", ticket.number, ticket_token(ticket))


def _next_number(received_at: datetime) -> str:
    year = to_wita(received_at).year
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"HD-{year}-{counter.last:05d}"


def _clean_request(request: Request, *, account: User | None, needs_contact: bool) -> Request:
    subject, question = request.subject.strip(), request.question.strip()
    if not subject:
        raise DomainError(_("Write a short subject for your request."), field="subject")
    if not question:
        raise DomainError(_("Write your question or complaint."), field="question")
    # R-3.4 [safer]: the helpdesk never needs a password; one pasted in is not stored.
    refuse_credentials(subject, "subject")
    refuse_credentials(question, "question")
    if account is not None:
        return Request(
            category=request.category,
            subject=subject,
            question=question,
            name=account.get_full_name() or account.username,
            email=account.email,
            phone=request.phone.strip() or account.phone,
            organisation=request.organisation.strip() or _organisation_of(account),
            role=requester_role_of(account),
        )
    name, email = request.name.strip(), request.email.strip().lower()
    if not name:
        raise DomainError(_("Write the requester's name."), field="name")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(
                _("“%(email)s” is not a valid e-mail address.") % {"email": email}, field="email"
            ) from None
    if needs_contact and not email:
        raise DomainError(
            _("Write your e-mail address: the answer and the link to your ticket are sent there."),
            field="email",
        )
    if not email and not request.phone.strip():
        raise DomainError(
            _("Record an e-mail address or a phone number to reach the requester."), field="phone"
        )
    return Request(
        category=request.category,
        subject=subject,
        question=question,
        name=name,
        email=email,
        phone=request.phone.strip(),
        organisation=request.organisation.strip(),
        role=request.role,
    )


def _organisation_of(user: User) -> str:
    company = getattr(user, "company", None)
    if company is not None:
        return company.name
    return user.agency.name if user.agency is not None else ""


def _create(
    *,
    actor,
    channel: str,
    request: Request,
    account: User | None,
    received_at: datetime,
    recorded_by: User | None,
) -> Ticket:
    with transaction.atomic():
        ticket = Ticket.objects.create(
            number=_next_number(received_at),
            channel=channel,
            category=request.category,
            requester=account,
            requester_name=request.name,
            requester_email=request.email,
            requester_phone=request.phone,
            requester_role=request.role,
            requester_organisation=request.organisation,
            subject=request.subject,
            question=request.question,
            received_at=received_at,
            outside_working_hours=is_outside_working_hours(received_at),
            recorded_by=recorded_by,
            access_nonce=secrets.token_hex(16),
        )
        audit.record(
            actor=actor,
            action="helpdesk.ticket_create",
            obj=ticket,
            data={
                "number": ticket.number,
                "channel": channel,
                "category": ticket.category,
                "requester": account.username if account else ticket.requester_name,
                "outside_working_hours": ticket.outside_working_hours,
            },
        )
        if ticket.requester_email:
            _mail(ticket, "servicedesk/email/received.txt", _("%(site)s: we received %(number)s"))
    return ticket


# The public form sends an e-mail to the address typed in: a few per address and hour serve
# anyone with a real question, and keep the form from being used to send mail to strangers.
PUBLIC_REQUESTS_PER_HOUR = 3


def _limit_public_requests(email: str) -> None:
    now = timezone.now()
    recent = Ticket.objects.filter(
        requester__isnull=True,
        requester_email=email,
        received_at__range=(now - timedelta(hours=1), now),
    ).count()
    if recent >= PUBLIC_REQUESTS_PER_HOUR:
        raise DomainError(
            _(
                "%(n)d requests from this address arrived in the last hour: wait for their "
                "answers, or call the helpdesk."
            )
            % {"n": recent},
            field="email",
        )


def ticket_submit(*, actor, request: Request) -> Ticket:
    """A request filed online on the site, by a signed-in user or by the public."""
    account = actor if getattr(actor, "is_authenticated", False) else None
    request = _clean_request(request, account=account, needs_contact=True)
    if account is None:
        _limit_public_requests(request.email)
    return _create(
        actor=actor,
        channel=Channel.ONLINE,
        request=request,
        account=account,
        received_at=timezone.now(),
        recorded_by=None,
    )


def ticket_submit_upload_problem(*, actor, subject: str, question: str) -> Ticket:
    """A provider's report of a failed bid upload (R-3.4) is also a helpdesk ticket of its own
    category (R-2.1), where the provider follows the answer like any other; the support desk
    asks for one here without knowing the helpdesk's categories."""
    return ticket_submit(
        actor=actor,
        request=Request(category=Category.UPLOAD_PROBLEM, subject=subject, question=question),
    )


def ticket_record(
    *,
    actor,
    channel: str,
    request: Request,
    requester_user_id: str = "",
    received_at: datetime | None = None,
) -> Ticket:
    """A phone call or a walk-in visit, written down by the helpdesk. A requester with an account
    (named by User ID) then finds the ticket and its answer among their own."""
    require_capability(actor, Cap.HANDLE_TICKETS)
    if channel not in (Channel.PHONE, Channel.WALK_IN):
        raise DomainError(_("Record phone calls and walk-in visits here."), field="channel")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise DomainError(_("The request cannot have come in the future."), field="received_at")
    account = None
    if requester_user_id.strip():
        account = active_user_by_username(requester_user_id)
        if account is None:
            raise DomainError(
                _("No active account has the User ID “%(user_id)s”.")
                % {"user_id": requester_user_id.strip()},
                field="requester_user_id",
            )
    request = _clean_request(request, account=account, needs_contact=False)
    return _create(
        actor=actor,
        channel=channel,
        request=request,
        account=account,
        received_at=received_at,
        recorded_by=actor,
    )


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def ticket_assign(*, actor, ticket: Ticket, assignee: User) -> Ticket:
    require_capability(actor, Cap.HANDLE_TICKETS)
    if not has_capability(assignee, Cap.HANDLE_TICKETS):
        raise DomainError(
            _("%(user)s is not helpdesk staff.") % {"user": assignee.username}, field="assignee"
        )
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state not in OPEN_STATES:
            raise DomainError(_("Only an open ticket (not yet answered) is assigned."))
        ticket.assignee, ticket.assigned_at = assignee, timezone.now()
        if ticket.state == Ticket.State.NEW:
            ticket.state = Ticket.State.ASSIGNED
        ticket.save(update_fields=["assignee", "assigned_at", "state"])
        audit.record(
            actor=actor,
            action="helpdesk.ticket_assign",
            obj=ticket,
            data={"assignee": assignee.username},
        )
    return ticket


def ticket_note(*, actor, ticket: Ticket, text: str) -> InternalNote:
    """An internal note: for the helpdesk only, never shown or sent to the requester."""
    require_capability(actor, Cap.HANDLE_TICKETS)
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    with transaction.atomic():
        ticket = _locked(ticket)
        note = InternalNote.objects.create(
            ticket=ticket, author=actor, text=text.strip(), at=timezone.now()
        )
        audit.record(actor=actor, action="helpdesk.ticket_note", obj=ticket, data={"note": note.pk})
    return note


def ticket_answer(
    *, actor, ticket: Ticket, answer: str, article: KnowledgeArticle | None = None
) -> Ticket:
    """Answer the requester (online and by e-mail). An answer taken from the knowledge base names
    the article it used; only an approved article may be used."""
    require_capability(actor, Cap.HANDLE_TICKETS)
    if not answer.strip():
        raise DomainError(_("Write the answer."), field="answer")
    if article is not None and article.state != KnowledgeArticle.State.APPROVED:
        raise DomainError(
            _("Only an approved knowledge-base article may be used in an answer."),
            field="article",
        )
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state not in OPEN_STATES:
            raise DomainError(
                _(
                    "This ticket is already answered; it is answered again when the requester replies."
                )
            )
        now = timezone.now()
        ticket.answer, ticket.answered_at, ticket.answered_by = answer.strip(), now, actor
        ticket.first_answered_at = ticket.first_answered_at or now
        ticket.article = article
        if ticket.assignee_id is None:
            ticket.assignee, ticket.assigned_at = actor, now
        ticket.state = Ticket.State.ANSWERED
        ticket.save()
        TicketMessage.objects.create(
            ticket=ticket,
            kind=TicketMessage.Kind.ANSWER,
            author=actor,
            text=ticket.answer,
            at=now,
            article=article,
        )
        audit.record(
            actor=actor,
            action="helpdesk.ticket_answer",
            obj=ticket,
            data={"article": article.pk if article else None},
        )
        if ticket.requester_email:
            _mail(ticket, "servicedesk/email/answered.txt", _("%(site)s: answer to %(number)s"))
    return ticket


def ticket_close(*, actor, ticket: Ticket) -> Ticket:
    require_capability(actor, Cap.HANDLE_TICKETS)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state != Ticket.State.ANSWERED:
            raise DomainError(_("Close a ticket once it is answered."))
        ticket.state, ticket.closed_at = Ticket.State.CLOSED, timezone.now()
        ticket.save(update_fields=["state", "closed_at"])
        audit.record(actor=actor, action="helpdesk.ticket_close", obj=ticket)
    return ticket


def _require_requester(actor, ticket: Ticket, token: str) -> None:
    """The ticket's own requester: its signed-in owner, or the holder of its secret link."""
    owner = (
        ticket.requester_id is not None
        and getattr(actor, "is_authenticated", False)
        and actor.pk == ticket.requester_id
    )
    if not owner and not (ticket.requester_id is None and token_matches(ticket, token)):
        raise DomainError(_("Only the requester may do this."), code="forbidden")


def ticket_follow_up(*, actor, ticket: Ticket, text: str, token: str = "") -> Ticket:
    """The requester replies: more detail while waiting, or “this did not answer my question”
    after an answer, which reopens the ticket."""
    _require_requester(actor, ticket, token)
    if not text.strip():
        raise DomainError(_("Write your reply."), field="text")
    refuse_credentials(text, "text")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == Ticket.State.CLOSED:
            raise DomainError(_("This ticket is closed. Send a new request instead."))
        TicketMessage.objects.create(
            ticket=ticket,
            kind=TicketMessage.Kind.FOLLOW_UP,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            text=text.strip(),
            at=timezone.now(),
        )
        reopened = ticket.state == Ticket.State.ANSWERED
        if reopened:
            ticket.state = Ticket.State.REOPENED
            ticket.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="helpdesk.ticket_follow_up",
            obj=ticket,
            data={"reopened": reopened},
        )
    return ticket


def ticket_rate(
    *, actor, ticket: Ticket, rating: int, comment: str = "", token: str = ""
) -> Ticket:
    """The requester rates the answer, once, after it came (R-2.1). Rating closes the ticket."""
    _require_requester(actor, ticket, token)
    if rating not in range(1, 6):
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.rating is not None:
            raise DomainError(_("You have already rated this answer. Thank you!"))
        if ticket.first_answered_at is None or ticket.state not in (
            Ticket.State.ANSWERED,
            Ticket.State.CLOSED,
        ):
            raise DomainError(_("You can rate the answer once the helpdesk has answered."))
        now = timezone.now()
        ticket.rating, ticket.rating_comment, ticket.rated_at = rating, comment.strip(), now
        if ticket.state == Ticket.State.ANSWERED:
            ticket.state, ticket.closed_at = Ticket.State.CLOSED, now
        ticket.save(update_fields=["rating", "rating_comment", "rated_at", "state", "closed_at"])
        audit.record(
            actor=actor, action="helpdesk.ticket_rate", obj=ticket, data={"rating": rating}
        )
    return ticket


def _mail(ticket: Ticket, template: str, subject: str) -> None:
    body = render_to_string(
        template,
        {
            "ticket": ticket,
            "url": requester_link(ticket),
            "received": wita_text(ticket.received_at),
            "site_name": settings.LPSE_SITE_NAME,
        },
    )
    send_mail_on_commit(
        to=[ticket.requester_email],
        subject=subject % {"site": settings.LPSE_SITE_NAME, "number": ticket.number},
        body=body,
        secret=True,  # a public requester's link opens the ticket: not kept in the mail log
    )
