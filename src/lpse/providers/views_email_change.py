"""Pages of the e-mail change procedure (R-3.2): the provider's request, the confirmation link,
the verifier's check, the administrator's decision and the history."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core import public_limits
from lpse.core.capabilities import Cap, public, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.core.storage import open_blob
from lpse.providers import selectors
from lpse.providers.documents import content_type_of
from lpse.providers.forms import EmailChangeApplyForm, EmailChangeCheckForm, EmailChangeForm
from lpse.providers.models import EmailChangeRequest
from lpse.providers.selectors import company_of
from lpse.providers.services import email_change as services

State = EmailChangeRequest.State


def evidence_response(blob, filename: str) -> FileResponse:
    """A stored evidence file, served as the type its bytes are (checked at upload), with its
    SHA-256 so the reader can compare it with the record (R-7.2)."""
    f = open_blob(blob)
    kind = content_type_of(f.read(16)) or "application/octet-stream"
    f.seek(0)
    response = FileResponse(f, as_attachment=True, filename=filename, content_type=kind)
    response["Digest"] = f"sha-256={blob.sha256}"
    return response


def own_company(request):
    try:
        return company_of(request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None


def _own_change(request, pk: int) -> EmailChangeRequest:
    """Only the provider's own company's request; another's is as if it did not exist."""
    return get_object_or_404(EmailChangeRequest, pk=pk, company=own_company(request))


# --- the provider ----------------------------------------------------------------------------


@requires(Cap.OWN_COMPANY)
def email_change_mine(request):
    company = own_company(request)
    if request.method != "POST":
        return _mine_page(request, company, EmailChangeForm())
    return submit_form(
        request,
        EmailChangeForm(request.POST, request.FILES),
        lambda data: services.email_change_submit(
            actor=request.user, new_email=data["new_email"], statement=data["statement"]
        ),
        success=_(
            "Request received. Open the link we sent to the new address to confirm it; then "
            "bring the original KTP of the director and the company deed to the LPSE verifier."
        ),
        done=lambda _result: redirect("providers:email_change_mine"),
        again=lambda form: _mine_page(request, company, form),
    )


def _mine_page(request, company, form):
    changes = list(selectors.email_changes_of(company))
    return render(
        request,
        "providers/email_change.html",
        {
            "company": company,
            "form": form,
            "open_change": next((c for c in changes if c.is_open), None),
            "changes": changes,
        },
    )


@requires(Cap.OWN_COMPANY)
@require_POST
def email_change_withdraw(request, pk: int):
    change = _own_change(request, pk)
    return act_and_redirect(
        request,
        lambda: services.email_change_withdraw(actor=request.user, change=change),
        _("Your request was withdrawn."),
        "providers:email_change_mine",
    )


@requires(Cap.OWN_COMPANY)
@require_POST
def email_change_resend(request, pk: int):
    change = _own_change(request, pk)
    return act_and_redirect(
        request,
        lambda: services.email_change_resend(actor=request.user, change=change),
        _("A new confirmation link was sent to %(email)s.") % {"email": change.new_email},
        "providers:email_change_mine",
    )


def _link_problem(request, exc: DomainError):
    return render(
        request, "providers/email_change_confirm.html", {"problem": exc.message}, status=410
    )


@public
def email_change_confirm(request, token: str):
    """The link from the e-mail shows what is confirmed; the button confirms (a mail scanner
    that opens links must not confirm an address in the owner's name)."""
    try:
        change = services.email_change_link_check(token)
    except DomainError as exc:
        return _link_problem(request, exc)
    if request.method == "POST":
        refusal = public_limits.count(request, "form")
        if refusal:
            return public_limits.refused_page(request, refusal)
        try:
            change = services.email_change_confirm(token=token)
        except DomainError as exc:
            return _link_problem(request, exc)
    return render(request, "providers/email_change_confirm.html", {"change": change})


# --- LPSE: verifier, administrator, agency admins ------------------------------------------


@requires(Cap.VIEW_EMAIL_CHANGES)
def email_change_desk(request):
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    query = request.GET.get("q", "")
    page = Paginator(selectors.email_changes(request.user, state=state, query=query), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "providers/email_change_desk.html",
        {"page": page, "q": query, "state": state, "states": State.choices},
    )


def _detail(request, change, *, check_form=None, apply_form=None):
    caps = request.user.capabilities()
    # A form sent back with its errors is shown even if the request moved on meanwhile: its
    # error says why.
    if check_form is None and Cap.VERIFY_PROVIDERS in caps and change.state == State.SUBMITTED:
        check_form = EmailChangeCheckForm()
    if apply_form is None and Cap.APPLY_EMAIL_CHANGES in caps and change.state == State.CHECKED:
        apply_form = EmailChangeApplyForm()
    return render(
        request,
        "providers/email_change_detail.html",
        {
            "change": change,
            "check_form": check_form,
            "apply_form": apply_form,
        },
    )


def _change(request, pk: int) -> EmailChangeRequest:
    """A request the user may see; one outside their scope is as if it did not exist (404)."""
    return get_object_or_404(selectors.email_changes_visible_to(request.user), pk=pk)


@requires(Cap.VIEW_EMAIL_CHANGES)
def email_change_detail(request, pk: int):
    return _detail(request, _change(request, pk))


@requires(Cap.VERIFY_PROVIDERS)
@require_POST
def email_change_check(request, pk: int):
    change = _change(request, pk)

    def act(data):
        if data["decision"] == "reject":
            return services.email_change_reject(
                actor=request.user, change=change, reason=data["reason"]
            )
        return services.email_change_check(
            actor=request.user,
            change=change,
            checked_ktp=data["checked_ktp"],
            checked_deed=data["checked_deed"],
            note=data["note"],
        )

    return submit_form(
        request,
        EmailChangeCheckForm(request.POST),
        act,
        success=_("Decision recorded."),
        done=lambda _result: redirect("providers:email_change_detail", change.pk),
        again=lambda form: _detail(request, change, check_form=form),
    )


@requires(Cap.APPLY_EMAIL_CHANGES)
@require_POST
def email_change_decide(request, pk: int):
    change = _change(request, pk)

    def act(data):
        if data["decision"] == "reject":
            return services.email_change_reject(
                actor=request.user, change=change, reason=data["reason"]
            )
        return services.email_change_apply(actor=request.user, change=change)

    return submit_form(
        request,
        EmailChangeApplyForm(request.POST),
        act,
        success=_("Decision recorded; the provider was e-mailed."),
        done=lambda _result: redirect("providers:email_change_detail", change.pk),
        again=lambda form: _detail(request, change, apply_form=form),
    )


@requires(Cap.VIEW_EMAIL_CHANGES)
def email_change_statement(request, pk: int):
    change = _change(request, pk)
    return evidence_response(change.statement, change.statement_name)
