"""The helpdesk's own pages (R-2.1): the queue, phone and walk-in requests, one ticket with its
assignment, internal notes and answer, and the knowledge base."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.core.forms import add_domain_error
from lpse.servicedesk import selectors
from lpse.servicedesk.forms import AnswerForm, ArticleForm, AssignForm, NoteForm, RecordForm
from lpse.servicedesk.models import Category, Channel, KnowledgeArticle, Ticket
from lpse.servicedesk.services import knowledge
from lpse.servicedesk.services import tickets as services

# The filters the queue understands besides the ticket states (see ``selectors.queue``).
QUEUE_VIEWS = ("active", "open", "")


@requires(Cap.HANDLE_TICKETS)
def queue(request):
    """The default shows the officer's work: open tickets and those answered in the last days
    (only "open" made the queue look empty once the morning's tickets were answered)."""
    state = request.GET.get("state", "active")
    if state not in (*QUEUE_VIEWS, *Ticket.State.values):
        state = "active"
    mine = request.GET.get("mine") == "1"
    filters = {
        "category": request.GET.get("category", ""),
        "channel": request.GET.get("channel", ""),
        "assignee": request.user if mine else None,
        "query": request.GET.get("q", ""),
    }
    tickets = selectors.queue(state=state, **filters)
    shown = tickets.count()
    hidden = selectors.queue(state="", **filters).count() - shown if state else 0
    return render(
        request,
        "servicedesk/queue.html",
        {
            "tickets": tickets[:200],
            "shown": shown,
            "hidden": hidden,
            "states": Ticket.State.choices,
            "categories": Category.choices,
            "channels": Channel.choices,
            "filters": request.GET,
            "state": state,
            "mine": mine,
            "all_url": _with_state(request, ""),
        },
    )


def _with_state(request, state: str) -> str:
    query = request.GET.copy()
    query["state"] = state
    return "?" + query.urlencode()


@requires(Cap.HANDLE_TICKETS)
def record(request):
    """A phone call or a walk-in visit, written down as a ticket."""
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_record(
                actor=request.user,
                channel=data["channel"],
                requester_user_id=data["requester_user_id"],
                received_at=data["received_at"],
                request=services.Request(
                    category=data["category"],
                    subject=data["subject"],
                    question=data["question"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    organisation=data["organisation"],
                    role=data["role"],
                ),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Recorded as %(number)s.") % {"number": ticket.number})
            return redirect("servicedesk:ticket", ticket.number)
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Record a phone call or a walk-in visit"),
            "submit": _("Record the request"),
        },
    )


@requires(Cap.HANDLE_TICKETS)
def ticket(request, number: str):
    ticket = get_object_or_404(
        Ticket.objects.select_related("requester", "assignee", "article", "recorded_by"),
        number=number,
    )
    answer_form = AnswerForm()
    if request.method == "POST":
        return _act(request, ticket)
    return render(
        request,
        "servicedesk/desk_ticket.html",
        {
            "ticket": ticket,
            "thread": list(ticket.messages.select_related("author", "article")),
            "notes": list(ticket.internal_notes.select_related("author")),
            "assign_form": AssignForm(initial={"assignee": ticket.assignee_id}),
            "note_form": NoteForm(),
            "answer_form": answer_form,
            "is_open": ticket.state in services.OPEN_STATES,
        },
    )


def _act(request, ticket: Ticket):
    action = request.POST.get("action")
    here = ("servicedesk:ticket", ticket.number)
    if action == "assign":
        form = AssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a helpdesk officer."))
            return redirect(*here)
        return act_and_redirect(
            request,
            lambda: services.ticket_assign(
                actor=request.user, ticket=ticket, assignee=form.cleaned_data["assignee"]
            ),
            _("Assigned."),
            *here,
        )
    if action == "note":
        return act_and_redirect(
            request,
            lambda: services.ticket_note(
                actor=request.user, ticket=ticket, text=request.POST.get("text", "")
            ),
            _("Note added."),
            *here,
        )
    if action == "answer":
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an approved article or write the answer."))
            return redirect(*here)
        article = form.cleaned_data["article"]
        # Without JavaScript the box is not filled when an article is chosen: an empty answer
        # with an article chosen sends the article's approved answer as it stands.
        text = form.cleaned_data["answer"] or (article.answer if article else "")
        return act_and_redirect(
            request,
            lambda: services.ticket_answer(
                actor=request.user, ticket=ticket, answer=text, article=article
            ),
            _("Answer sent to the requester."),
            *here,
        )
    if action == "close":
        return act_and_redirect(
            request,
            lambda: services.ticket_close(actor=request.user, ticket=ticket),
            _("Ticket closed."),
            *here,
        )
    messages.error(request, _("Unknown action."))
    return redirect(*here)


@requires(Cap.HANDLE_TICKETS)
def article_answer(request):
    """htmx: the answer box filled with the chosen approved article's answer."""
    article = None
    if request.GET.get("article", "").isdigit():
        article = selectors.approved_articles().filter(pk=request.GET["article"]).first()
    form = AnswerForm(initial={"answer": article.answer if article else ""})
    return render(request, "servicedesk/_answer_field.html", {"field": form["answer"]})


# --- the knowledge base ------------------------------------------------------------------------


def knowledge_editor(view):
    """The helpdesk writes articles, the heads approve them: either capability opens the pages;
    the services decide who may do what."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not knowledge.may_edit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.capability = (Cap.HANDLE_TICKETS, Cap.APPROVE_KNOWLEDGE)
    return wrapper


@knowledge_editor
def knowledge_list(request):
    state = request.GET.get("state", "")
    articles = KnowledgeArticle.objects.select_related("approved_by", "created_by")
    if state in KnowledgeArticle.State.values:
        articles = articles.filter(state=state)
    return render(
        request,
        "servicedesk/knowledge.html",
        {
            "articles": articles.order_by("state", "category", "question"),
            "states": KnowledgeArticle.State.choices,
            "state": state,
            "can_approve": Cap.APPROVE_KNOWLEDGE in request.user.capabilities(),
        },
    )


@knowledge_editor
def article_edit(request, pk: int | None = None):
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    initial = (
        {"question": article.question, "answer": article.answer, "category": article.category}
        if article
        else None
    )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if article is None:
                article = knowledge.article_create(actor=request.user, **form.cleaned_data)
            else:
                article = knowledge.article_update(
                    actor=request.user, article=article, **form.cleaned_data
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Article saved (%(state)s).") % {"state": article.get_state_display()}
            )
            return redirect("servicedesk:knowledge")
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": _("Knowledge-base article") if article else _("New knowledge-base article"),
            "intro": _(
                "An article is offered to the helpdesk and shown publicly once a head "
                "of LPSE or of information services approves it."
            ),
        },
    )


@requires(Cap.APPROVE_KNOWLEDGE)
@require_POST
def article_decide(request, pk: int):
    article = get_object_or_404(KnowledgeArticle, pk=pk)
    if request.POST.get("action") == "retire":
        action, done = knowledge.article_retire, _("Article retired.")
    else:
        action, done = knowledge.article_approve, _("Article approved.")
    return act_and_redirect(
        request,
        lambda: action(actor=request.user, article=article),
        done,
        "servicedesk:knowledge",
    )
