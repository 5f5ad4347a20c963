"""The requester's side of the helpdesk (R-2.1): ask online, follow one's tickets, read the
answer, reply, rate; and the public list of approved answers (FAQ)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lpse.core import public_limits
from lpse.core.capabilities import AUTHENTICATED, public, requires
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error
from lpse.servicedesk import selectors
from lpse.servicedesk.forms import AskForm, RatingForm, ReplyForm
from lpse.servicedesk.models import Category, Ticket
from lpse.servicedesk.rules import ticket_token, token_matches
from lpse.servicedesk.services import tickets as services


@public
def ask(request):
    """The online request form, for the public and for signed-in users."""
    signed_in = request.user.is_authenticated
    form = AskForm(request.POST or None, signed_in=signed_in)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_submit(
                actor=request.user,
                request=services.Request(
                    category=data["category"],
                    subject=data["subject"],
                    question=data["question"],
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    phone=data.get("phone", ""),
                    organisation=data.get("organisation", ""),
                    role=data.get("role", ""),
                ),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request is recorded as %(number)s. We answer here and by e-mail.")
                % {"number": ticket.number},
            )
            if signed_in:
                return redirect("servicedesk:my_ticket", ticket.number)
            return redirect("servicedesk:public_ticket", ticket.number, ticket_token(ticket))
    return public_limits.answer(
        render(
            request,
            "servicedesk/ask.html",
            {"form": form, "articles": selectors.approved_articles()[:10]},
        ),
        refusal,
    )


@requires(AUTHENTICATED)
def my_tickets(request):
    return render(
        request, "servicedesk/my_tickets.html", {"tickets": selectors.tickets_of(request.user)}
    )


@requires(AUTHENTICATED)
def my_ticket(request, number: str):
    """One of the signed-in requester's own tickets; anyone else's is refused."""
    ticket = get_object_or_404(Ticket, number=number)
    if ticket.requester_id != request.user.pk:
        raise PermissionDenied("not your ticket")
    return _requester_page(request, ticket, token="")


@public
def public_ticket(request, number: str, token: str):
    """A ticket of a requester without an account, opened with its secret link."""
    ticket = Ticket.objects.filter(number=number, requester__isnull=True).first()
    if ticket is None or not token_matches(ticket, token):
        raise Http404
    return _requester_page(request, ticket, token=token)


def _requester_page(request, ticket: Ticket, *, token: str):
    reply_form, rating_form = ReplyForm(), RatingForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reply":
                reply_form = ReplyForm(request.POST)
                if reply_form.is_valid():
                    services.ticket_follow_up(
                        actor=request.user,
                        ticket=ticket,
                        text=reply_form.cleaned_data["text"],
                        token=token,
                    )
                    messages.success(request, _("Your reply is recorded."))
                    return redirect(request.path)
            elif action == "rate":
                rating_form = RatingForm(request.POST)
                if rating_form.is_valid():
                    services.ticket_rate(
                        actor=request.user,
                        ticket=ticket,
                        rating=rating_form.cleaned_data["rating"],
                        comment=rating_form.cleaned_data["comment"],
                        token=token,
                    )
                    messages.success(request, _("Thank you for rating the answer."))
                    return redirect(request.path)
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from None
            messages.error(request, exc.message)
            return redirect(request.path)
    return render(
        request,
        "servicedesk/ticket.html",
        {
            "ticket": ticket,
            # The requester's thread only: internal notes are never read for this page.
            "thread": list(ticket.messages.select_related("author")),
            "reply_form": reply_form,
            "rating_form": rating_form,
            "can_reply": ticket.state != Ticket.State.CLOSED,
            "can_rate": ticket.can_be_rated
            and ticket.state in (Ticket.State.ANSWERED, Ticket.State.CLOSED),
            "secret_link": token != "",
        },
    )


@public
def faq(request):
    category = request.GET.get("kategori", "")
    if category not in Category.values:
        category = ""
    return render(
        request,
        "servicedesk/faq.html",
        {
            "articles": selectors.approved_articles(category),
            "categories": Category.choices,
            "category": category,
        },
    )
