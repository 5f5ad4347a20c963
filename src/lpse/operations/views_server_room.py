"""Server-room pages (R-4.2): permits (asked for, decided), the day's visitor log with check-in
and check-out, and the log of a period as a signed PDF. Every page shows only what its user may
do now; every write goes through ``services.server_room``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lpse.core.calendar import WITA, to_wita
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.documents import pdf_response
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error
from lpse.operations.forms_server_room import (
    CheckInForm,
    DecisionForm,
    PeriodForm,
    PermitRequestForm,
)
from lpse.operations.models import AccessPermit, PermitState, ServerRoomVisit
from lpse.operations.services import server_room as services
from lpse.operations.services import server_room_report as report


def _raise_forbidden(exc: DomainError) -> None:
    if exc.code == "forbidden":
        raise PermissionDenied from None


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def permits(request):
    user, now = request.user, timezone.now()
    tabs = []
    if has_capability(user, Cap.APPROVE_SERVER_ROOM_ACCESS):
        tabs.append(("decide", _("To decide")))
    if has_capability(user, Cap.REQUEST_SERVER_ROOM_ACCESS):
        tabs.append(("mine", _("Mine")))
    tabs.append(("all", _("All")))
    show = request.GET.get("show", "")
    if show not in dict(tabs):
        show = tabs[0][0]
    rows = AccessPermit.objects.select_related("requested_by", "decided_by").prefetch_related(
        "visitors"
    )
    if show == "decide":
        rows = rows.filter(state=PermitState.REQUESTED, valid_until__gt=now).exclude(
            requested_by=user
        )
    elif show == "mine":
        rows = rows.filter(requested_by=user)
    return render(
        request,
        "operations/server_room_permits.html",
        {
            "permits": [(p, p.state_label_at(now)) for p in rows[:200]],
            "tabs": tabs,
            "show": show,
            "can_request": has_capability(user, Cap.REQUEST_SERVER_ROOM_ACCESS),
        },
    )


@requires(Cap.REQUEST_SERVER_ROOM_ACCESS)
def permit_create(request):
    form = PermitRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            permit = services.permit_request(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _raise_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Permit asked for. The head of LPSE has been told by e-mail.")
            )
            return redirect("operations:server_room_permit", permit.pk)
    return render(request, "operations/server_room_permit_form.html", {"form": form})


def _permit_page(request, permit: AccessPermit, *, decision_form=None, status=200):
    user, now = request.user, timezone.now()
    state = permit.state_at(now)
    may_decide = (
        has_capability(user, Cap.APPROVE_SERVER_ROOM_ACCESS)
        and state == PermitState.REQUESTED
        and permit.requested_by_id != user.pk
    )
    may_withdraw = permit.requested_by_id == user.pk and state in (
        PermitState.REQUESTED,
        PermitState.APPROVED,
    )
    return render(
        request,
        "operations/server_room_permit.html",
        {
            "permit": permit,
            "state": state,
            "state_label": PermitState(state).label,
            "visits": permit.visits.select_related("visitor", "escort"),
            "decision_form": (decision_form or DecisionForm()) if may_decide else None,
            "may_withdraw": may_withdraw and has_capability(user, Cap.REQUEST_SERVER_ROOM_ACCESS),
        },
        status=status,
    )


def _permit(pk: int) -> AccessPermit:
    return get_object_or_404(
        AccessPermit.objects.select_related("requested_by", "decided_by"), pk=pk
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def permit_detail(request, pk: int):
    return _permit_page(request, _permit(pk))


@requires(Cap.APPROVE_SERVER_ROOM_ACCESS)
@require_POST
def permit_decide(request, pk: int):
    permit = _permit(pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.permit_decide(
                actor=request.user,
                permit=permit,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _raise_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Permit approved; the requester has been told.")
                if approve
                else _("Permit refused; the requester has been told why."),
            )
            return redirect("operations:server_room_permit", permit.pk)
    return _permit_page(request, _permit(pk), decision_form=form)


@requires(Cap.REQUEST_SERVER_ROOM_ACCESS)
@require_POST
def permit_withdraw(request, pk: int):
    permit = _permit(pk)
    try:
        services.permit_withdraw(actor=request.user, permit=permit)
    except DomainError as exc:
        _raise_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Permit withdrawn."))
    return redirect("operations:server_room_permit", permit.pk)


def _log_page(request, *, check_in_form=None, period_form=None, status=200):
    user, now = request.user, timezone.now()
    today = to_wita(now).date()
    midnight = datetime.combine(today, time.min, tzinfo=WITA)
    visits = (
        ServerRoomVisit.objects.filter(
            Q(checked_in_at__gte=midnight) | Q(checked_out_at__isnull=True)
        )
        .select_related("visitor", "permit", "escort")
        .order_by("-checked_in_at")
    )
    may_record = has_capability(user, Cap.RECORD_SERVER_ROOM_VISITS)
    valid_now = (
        AccessPermit.objects.filter(
            state=PermitState.APPROVED, valid_from__lte=now, valid_until__gt=now
        )
        .prefetch_related("visitors")
        .order_by("valid_until")
    )
    if may_record and check_in_form is None:
        check_in_form = CheckInForm(escorts=services.escorts())
    return render(
        request,
        "operations/server_room_log.html",
        {
            "today": today,
            "visits": visits,
            "valid_now": valid_now,
            "check_in_form": check_in_form if may_record else None,
            "period_form": period_form
            or PeriodForm(initial={"start": today - timedelta(days=today.day - 1), "end": today}),
        },
        status=status,
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def visit_log(request):
    return _log_page(request)


@requires(Cap.RECORD_SERVER_ROOM_VISITS)
@require_POST
def visit_check_in(request):
    form = CheckInForm(request.POST, escorts=services.escorts())
    if form.is_valid():
        try:
            visit = services.visit_check_in(
                actor=request.user,
                permit_number=form.cleaned_data["permit"],
                id_number=form.cleaned_data["id_number"],
                escort=form.cleaned_data["escort"],
                purpose=form.cleaned_data["purpose"],
            )
        except DomainError as exc:
            _raise_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s checked in.") % {"name": visit.visitor.name})
            return redirect("operations:server_room_log")
    return _log_page(request, check_in_form=form)


@requires(Cap.RECORD_SERVER_ROOM_VISITS)
@require_POST
def visit_check_out(request, pk: int):
    visit = get_object_or_404(ServerRoomVisit.objects.select_related("visitor"), pk=pk)
    try:
        services.visit_check_out(actor=request.user, visit=visit)
    except DomainError as exc:
        _raise_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s checked out.") % {"name": visit.visitor.name})
    return redirect("operations:server_room_log")


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def visit_log_pdf(request):
    if not request.GET:
        return _log_page(request)
    form = PeriodForm(request.GET)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            data = report.visit_log_issue(actor=request.user, start=start, end=end)
        except DomainError as exc:
            _raise_forbidden(exc)
            add_domain_error(form, exc)
        else:
            return pdf_response(
                data,
                f"buku-tamu-ruang-server-{start:%Y%m%d}-{end:%Y%m%d}.pdf",
                kind="server_room_log",
            )
    return _log_page(request, period_form=form)
