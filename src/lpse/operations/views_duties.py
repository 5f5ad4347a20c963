"""The annex V duty register's pages (R-5.6): my duties now, the register, one occurrence with
its done form, the problems and their fix deadlines, the catalogue. Reading is for everyone who
follows the system's status (VIEW_SYSTEM_STATUS); doing is for the duty's role (DO_DUTIES);
the catalogue is edited with MANAGE_DUTIES."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lpse.accounts.roles import Role
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.feedback import submit_form
from lpse.core.storage import open_blob
from lpse.operations.forms_duties import CloseProblemForm, DoneForm, DutyForm, RegisterFilter
from lpse.operations.models import (
    Duty,
    DutyEvidence,
    DutyOccurrence,
    DutyProblem,
    OccurrenceState,
    ProblemState,
)
from lpse.operations.services import duties

EVIDENCE_READERS = (Cap.DO_DUTIES, Cap.MANAGE_DUTIES)
PAGE_SIZE = 50


def evidence_reader(view):
    """Evidence may hold log lines and addresses: those who do or manage duties open it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(has_capability(request.user, cap) for cap in EVIDENCE_READERS):
            raise PermissionDenied(" or ".join(EVIDENCE_READERS))
        return view(request, *args, **kwargs)

    wrapper.capability = EVIDENCE_READERS  # type: ignore[attr-defined]  # read by the matrix test
    return wrapper


def _occurrences(now):
    return DutyOccurrence.objects.with_state(now).select_related("duty", "done_by")


@requires(Cap.DO_DUTIES)
def mine(request):
    """What the user may do now: their roles' open and overdue occurrences, soonest due first."""
    now = timezone.now()
    roles = request.user.role_codes()
    todo = (
        _occurrences(now)
        .filter(role__in=roles, state__in=[OccurrenceState.OPEN, OccurrenceState.OVERDUE])
        .order_by("due_at", "duty__order")
    )
    problems = (
        DutyProblem.objects.filter(closed_at__isnull=True, occurrence__role__in=roles)
        .select_related("occurrence__duty")
        .order_by("deadline")
    )
    return render(
        request,
        "operations/duty_mine.html",
        {"todo": todo, "problems": [(p, p.state_at(now)) for p in problems], "now": now},
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def register(request):
    now = timezone.now()
    filters = RegisterFilter(request.GET or None)
    rows = _occurrences(now).order_by("-period_start", "duty__order")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["role"]:
            rows = rows.filter(role=data["role"])
        if data["start"]:
            rows = rows.filter(period_start__gte=data["start"])
        if data["end"]:
            rows = rows.filter(period_start__lte=data["end"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operations/duty_register.html",
        {
            "filters": filters,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        },
    )


def _occurrence_page(request, occurrence, *, form=None, close_form=None, status=200):
    now = timezone.now()
    problem = getattr(occurrence, "problem", None)
    may_do = has_capability(request.user, Cap.DO_DUTIES) and not duties.refusal(
        request.user, occurrence, now
    )
    may_close = (
        problem is not None
        and problem.closed_at is None
        and has_capability(request.user, Cap.DO_DUTIES)
        and request.user.has_role(occurrence.role)
    )
    return render(
        request,
        "operations/duty_occurrence.html",
        {
            "o": occurrence,
            "state": occurrence.state_at(now),
            "role_label": Role(occurrence.role).label,
            "evidence": occurrence.evidence.select_related("uploaded_by"),
            "may_read_evidence": any(has_capability(request.user, c) for c in EVIDENCE_READERS),
            "problem": problem,
            "problem_state": problem.state_at(now) if problem else None,
            "form": (form or DoneForm()) if may_do else None,
            "close_form": (close_form or CloseProblemForm()) if may_close else None,
        },
        status=status,
    )


def _get_occurrence(pk: int) -> DutyOccurrence:
    return get_object_or_404(DutyOccurrence.objects.select_related("duty", "done_by"), pk=pk)


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def occurrence(request, pk: int):
    return _occurrence_page(request, _get_occurrence(pk))


@require_POST
@requires(Cap.DO_DUTIES)
def done(request, pk: int):
    item = _get_occurrence(pk)
    form = DoneForm(request.POST, request.FILES)
    return submit_form(
        request,
        form,
        lambda data: duties.mark_done(
            actor=request.user,
            occurrence=item,
            done=duties.Done(
                outcome=data["outcome"],
                note=data["note"],
                problem=data["problem"],
                files=tuple(data["evidence"]),
            ),
        ),
        success=_("Recorded: the duty is done."),
        done=lambda saved: redirect("operations:duty_occurrence", saved.pk),
        again=lambda form: _occurrence_page(request, item, form=form, status=400),
    )


@require_POST
@requires(Cap.DO_DUTIES)
def problem_close(request, pk: int):
    problem = get_object_or_404(DutyProblem.objects.select_related("occurrence"), pk=pk)
    item = _get_occurrence(problem.occurrence_id)
    form = CloseProblemForm(request.POST)
    return submit_form(
        request,
        form,
        lambda data: duties.close_problem(actor=request.user, problem=problem, note=data["note"]),
        success=_("Recorded: the problem is closed."),
        done=lambda _closed: redirect("operations:duty_occurrence", item.pk),
        again=lambda form: _occurrence_page(request, item, close_form=form, status=400),
    )


@evidence_reader
def evidence(request, pk: int):
    item = get_object_or_404(DutyEvidence.objects.select_related("blob"), pk=pk)
    return FileResponse(open_blob(item.blob), as_attachment=True, filename=item.filename)


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def problems(request):
    now = timezone.now()
    show_closed = request.GET.get("shown") == "all"
    rows = DutyProblem.objects.select_related("occurrence__duty", "closed_by")
    if not show_closed:
        rows = rows.filter(closed_at__isnull=True)
    return render(
        request,
        "operations/duty_problems.html",
        {
            "rows": [(p, p.state_at(now)) for p in rows.order_by("closed_at", "deadline")[:300]],
            "show_closed": show_closed,
            "late": ProblemState.LATE,
        },
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def catalogue(request):
    return render(
        request,
        "operations/duty_catalogue.html",
        {
            "duties": Duty.objects.all(),
            "role_labels": {r.value: r.label for r in Role},
            "can_manage": has_capability(request.user, Cap.MANAGE_DUTIES),
        },
    )


@requires(Cap.MANAGE_DUTIES)
def duty_edit(request, pk: int):
    duty = get_object_or_404(Duty, pk=pk)
    initial = {"frequency": duty.frequency, "role": duty.role, "active": duty.active}
    form = DutyForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _edit_page(request, form, duty)
    return submit_form(
        request,
        form,
        lambda data: duties.update_duty(actor=request.user, duty=duty, **data),
        success=_("Saved: the change applies from the duty's next period."),
        done=lambda _duty: redirect("operations:duty_catalogue"),
        again=lambda form: _edit_page(request, form, duty),
    )


def _edit_page(request, form, duty: Duty):
    return render(request, "operations/duty_edit.html", {"form": form, "duty": duty})
