"""Pages of the support desk: the provider's upload problems and consent (R-3.4), the LPSE
admin's desk and read-only support view, and escalations to LKPP (R-3.5)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.bids.selectors import UPLOAD_KIND, unopenable_case, upload_attempts
from lpse.core.capabilities import Cap, requires
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error
from lpse.core.standard_times import Procedure, steps_of, timing_verdict
from lpse.problems import selectors
from lpse.problems.forms import AttachmentForm, EscalationForm, ProblemReportForm
from lpse.problems.models import Escalation, EscalationAttachment, UploadProblem
from lpse.problems.services import escalations as escalation_services
from lpse.problems.services import upload_problems as services


def _company(request):
    company = getattr(request.user, "company", None)
    if company is None:
        raise PermissionDenied(_("Your account has no company."))
    return company


def _timings(problem: UploadProblem) -> list[tuple[str, str]]:
    return [
        (
            str(standard.label),
            timing_verdict(procedure=Procedure.UPLOAD_PROBLEM, step=standard.step, subject=problem),
        )
        for standard in steps_of(Procedure.UPLOAD_PROBLEM)
    ]


def _attempts_context(problem: UploadProblem) -> dict:
    return {
        "attempts": upload_attempts(company=problem.company),
        "upload_kind": UPLOAD_KIND,
        "case_tender": problem.tender,
    }


# --- the provider ------------------------------------------------------------------------------


@requires(Cap.OWN_COMPANY)
def problems(request):
    """The provider's upload problems, and the form to report one."""
    company = _company(request)
    form = ProblemReportForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_report(
                actor=request.user,
                description=form.cleaned_data["description"],
                tender=form.cleaned_data["tender"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your report reached the helpdesk. An LPSE admin will reproduce the problem."),
            )
            return redirect("problems:problem", problem.pk)
    return render(
        request,
        "problems/problems.html",
        {"form": form, "problems": selectors.problems_of(company).order_by("-reported_at")},
    )


@requires(Cap.OWN_COMPANY)
def problem(request, pk: int):
    _company(request)
    case = selectors.own_problem(request.user, pk)
    if case is None:
        raise Http404
    return render(
        request,
        "problems/problem.html",
        {
            "problem": case,
            "consent": selectors.active_consent(case),
            "consent_minutes": services.SUPPORT_VIEW_CONSENT_MINUTES,
            "views": selectors.support_view_log(case)[:100],
            **_attempts_context(case),
        },
    )


@requires(Cap.OWN_COMPANY)
@require_POST
def provider_act(request, pk: int):
    _company(request)
    case = selectors.own_problem(request.user, pk)
    if case is None:
        raise Http404
    action = request.POST.get("action")
    done = {
        "consent": _(
            "Consent granted: LPSE's admins may look at your situation for %(minutes)d "
            "minutes. Every look is recorded and shown here."
        )
        % {"minutes": services.SUPPORT_VIEW_CONSENT_MINUTES},
        "revoke": _("Consent revoked: the support view is closed."),
        "retry_failed": _("Recorded: an LPSE admin will look again."),
        "resolved": _("Thank you: the case is closed."),
    }
    try:
        if action == "consent":
            services.consent_grant(actor=request.user, problem=case)
        elif action == "revoke":
            services.consent_revoke(actor=request.user, problem=case)
        elif action == "retry_failed":
            services.problem_retry_failed(
                actor=request.user, problem=case, note=request.POST.get("note", "")
            )
        elif action == "resolved":
            services.problem_resolve(actor=request.user, problem=case)
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
    return redirect("problems:problem", case.pk)


# --- the LPSE admin ----------------------------------------------------------------------------


@requires(Cap.HANDLE_UPLOAD_PROBLEMS)
def desk(request):
    state = request.GET.get("state", "")
    if state not in UploadProblem.State.values:
        state = ""
    return render(
        request,
        "problems/desk.html",
        {
            "problems": selectors.desk_problems(state=state),
            "states": UploadProblem.State.choices,
            "state": state,
        },
    )


@requires(Cap.HANDLE_UPLOAD_PROBLEMS)
def case(request, pk: int):
    problem = get_object_or_404(selectors.desk_problems(), pk=pk)
    return render(
        request,
        "problems/case.html",
        {
            "problem": problem,
            "consent": selectors.active_consent(problem),
            "timings": _timings(problem),
            "escalation": Escalation.objects.filter(upload_problem=problem).first(),
            "can_escalate": Cap.ESCALATE_TO_LKPP in request.user.capabilities(),
            "views": selectors.support_view_log(problem)[:20],
            **_attempts_context(problem),
        },
    )


@requires(Cap.HANDLE_UPLOAD_PROBLEMS)
@require_POST
def act(request, pk: int):
    problem = get_object_or_404(UploadProblem, pk=pk)
    action = request.POST.get("action")
    post = request.POST
    try:
        if action == "take":
            services.problem_take(actor=request.user, problem=problem)
            done = _("You took the case: reproduce the problem.")
        elif action == "diagnose":
            services.problem_diagnose(
                actor=request.user, problem=problem, diagnosis=post.get("diagnosis", "")
            )
            done = _("Diagnosis recorded.")
        elif action == "advise":
            services.problem_advise_retry(
                actor=request.user,
                problem=problem,
                advice=post.get("advice", ""),
                diagnosis=post.get("diagnosis", ""),
            )
            done = _("The provider was told to retry.")
        elif action == "escalate":
            escalation = services.problem_escalate(
                actor=request.user, problem=problem, diagnosis=post.get("diagnosis", "")
            )
            messages.success(request, _("Escalation prepared: attach files, export and send it."))
            return redirect("problems:escalation", escalation.pk)
        elif action == "resolve":
            services.problem_resolve(
                actor=request.user, problem=problem, resolution=post.get("resolution", "")
            )
            done = _("The case is closed.")
        elif action == "ticket":
            services.problem_link_ticket(
                actor=request.user, problem=problem, number=post.get("number", "")
            )
            done = _("The helpdesk ticket is linked.")
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from None
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("problems:case", problem.pk)


@requires(Cap.HANDLE_UPLOAD_PROBLEMS)
def support_view(request, pk: int):
    """The consented, time-limited, read-only view of the provider's situation. Every request
    is an audit event; without a running consent it is refused with the reason."""
    problem = get_object_or_404(selectors.desk_problems(), pk=pk)
    try:
        consent = services.support_view_open(actor=request.user, problem=problem)
    except DomainError as exc:
        return render(
            request,
            "problems/support_view_refused.html",
            {"problem": problem, "reason": exc.message},
            status=403,
        )
    return render(
        request,
        "problems/support_view.html",
        {
            "problem": problem,
            "consent": consent,
            "snapshot": selectors.support_snapshot(problem),
            "upload_kind": UPLOAD_KIND,
            "case_tender": problem.tender,
        },
    )


# --- escalations to LKPP -----------------------------------------------------------------------


@requires(Cap.ESCALATE_TO_LKPP)
def escalations(request):
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = escalation_services.escalation_create(
                actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Escalation prepared: attach files, export and send it."))
            return redirect("problems:escalation", escalation.pk)
    return render(
        request,
        "problems/escalations.html",
        {
            "form": form,
            "escalations": selectors.escalations(),
            "unopenable": selectors.unopenable_cases_to_escalate(),
        },
    )


@requires(Cap.ESCALATE_TO_LKPP)
@require_POST
def escalation_from_unopenable(request, pk: int):
    unopenable = unopenable_case(pk)
    if unopenable is None:
        raise Http404
    try:
        escalation = escalation_services.escalation_from_unopenable(
            actor=request.user, case=unopenable
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("problems:escalations")
    messages.success(request, _("Escalation prepared: attach files, export and send it."))
    return redirect("problems:escalation", escalation.pk)


@requires(Cap.ESCALATE_TO_LKPP)
def escalation(request, pk: int):
    item = get_object_or_404(
        selectors.escalations().select_related("unopenable_case__opened_bid__bid__tender"), pk=pk
    )
    return render(
        request,
        "problems/escalation.html",
        {
            "escalation": item,
            "attachments": item.attachments.select_related("blob", "added_by"),
            "attachment_form": AttachmentForm(),
        },
    )


@requires(Cap.ESCALATE_TO_LKPP)
@require_POST
def escalation_act(request, pk: int):
    item = get_object_or_404(Escalation, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "attach":
            escalation_services.escalation_attach(
                actor=request.user,
                escalation=item,
                upload=request.FILES.get("file"),
                description=request.POST.get("description", ""),
            )
            done = _("File attached.")
        elif action == "detach":
            attachment = get_object_or_404(
                EscalationAttachment, pk=request.POST.get("attachment") or 0, escalation=item
            )
            escalation_services.escalation_detach(actor=request.user, attachment=attachment)
            done = _("File removed.")
        elif action == "send":
            escalation_services.escalation_send(actor=request.user, escalation=item)
            done = _("Marked as sent to LKPP. The package as sent is kept.")
        elif action == "answer":
            escalation_services.escalation_answer(
                actor=request.user, escalation=item, answer=request.POST.get("answer", "")
            )
            done = _("LKPP's answer is recorded.")
        elif action == "close":
            escalation_services.escalation_close(actor=request.user, escalation=item)
            done = _("The escalation is closed.")
        else:
            raise DomainError(_("Unknown action."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("problems:escalation", item.pk)


@requires(Cap.ESCALATE_TO_LKPP)
def escalation_package(request, pk: int):
    item = get_object_or_404(selectors.escalations(), pk=pk)
    try:
        data = escalation_services.escalation_package(actor=request.user, escalation=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("problems:escalation", item.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{item.reference}.zip"'
    return response
