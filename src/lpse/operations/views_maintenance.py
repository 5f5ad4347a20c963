"""Planned maintenance and unplanned outages (R-5.3, R-2.3, R-3.3).

The read-only monitor (``core.view_system_status``) sees the windows, their history and the
outages; who runs operations (``operations.manage``) also plans, cancels and ends windows.
Planning takes two steps: the form, then a look at the tender deadlines inside the window and
the confirmation (the service checks them again then).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.core.forms import add_domain_error
from lpse.operations import outages as outage_report
from lpse.operations import selectors
from lpse.operations.forms_maintenance import MaintenanceWindowForm
from lpse.operations.models import MaintenanceWindow
from lpse.operations.services import maintenance as service

# The plan form's step: "review" shows the deadlines inside the window, "confirm" plans it,
# "edit" goes back to the form with what was typed.
REVIEW, CONFIRM, EDIT = "review", "confirm", "edit"
CHECK_FAILURES = ("bid_deadline_inside", "deadline_reason_needed")


def state_of(window: MaintenanceWindow, now) -> tuple[str, str]:
    """(code, words) of where a window stands now."""
    if window.cancelled_at:
        return "cancelled", _("cancelled")
    if window.ended_early_at:
        return "ended", _("ended early")
    if window.ends_at <= now:
        return "over", _("over")
    if window.starts_at <= now:
        return "in_force", _("in force: the site is closed")
    if window.announce_from <= now:
        return "announced", _("announced")
    return "planned", _("planned")


@require_http_methods(["GET", "HEAD", "POST"])
@requires(Cap.VIEW_SYSTEM_STATUS)
def maintenance(request):
    can_manage = has_capability(request.user, Cap.MANAGE_OPERATIONS)
    form = MaintenanceWindowForm() if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(Cap.MANAGE_OPERATIONS)
        form = MaintenanceWindowForm(request.POST)
        step = request.POST.get("step", REVIEW)
        if step != EDIT and form.is_valid():
            if step != CONFIRM:
                return _confirm_page(request, form)
            try:
                window = service.window_plan(actor=request.user, **form.plan_arguments())
            except DomainError as exc:
                add_domain_error(form, exc)
                if exc.code in CHECK_FAILURES:
                    return _confirm_page(request, form)
            else:
                messages.success(request, _("Maintenance planned and announced."))
                return redirect("operations:maintenance_detail", window.pk)
    now = timezone.now()
    rows = [(w, *state_of(w, now)) for w in selectors.maintenance_history()]
    return render(
        request,
        "operations/maintenance.html",
        {
            "form": form,
            "can_manage": can_manage,
            "ahead": [row for row in rows if row[1] in ("planned", "announced", "in_force")],
            "history": [row for row in rows if row[1] not in ("planned", "announced", "in_force")],
        },
    )


def _confirm_page(request, form: MaintenanceWindowForm):
    data = form.cleaned_data
    now = timezone.now()
    return render(
        request,
        "operations/maintenance_confirm.html",
        {
            "form": form,
            "check": service.deadlines_inside(data["starts_at"], data["ends_at"]),
            "starts_text": wita_text(data["starts_at"]),
            "ends_text": wita_text(data["ends_at"]),
            "announce_text": wita_text(
                service.announce_from_for(data["starts_at"], now, data["lead_hours"])
            ),
            "reason": data["reason"],
        },
    )


@require_safe  # read-only: the buttons post to their own URLs
@requires(Cap.VIEW_SYSTEM_STATUS)
def maintenance_detail(request, pk: int):
    window = get_object_or_404(MaintenanceWindow.objects.select_related("created_by"), pk=pk)
    now = timezone.now()
    code, words = state_of(window, now)
    return render(
        request,
        "operations/maintenance_detail.html",
        {
            "window": window,
            "state": code,
            "state_words": words,
            "check": service.deadlines_inside(window.starts_at, window.ends_at),
            "can_manage": has_capability(request.user, Cap.MANAGE_OPERATIONS),
        },
    )


@require_POST
@requires(Cap.MANAGE_OPERATIONS)
def maintenance_cancel(request, pk: int):
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    return act_and_redirect(
        request,
        lambda: service.window_cancel(actor=request.user, window=window),
        _("Maintenance cancelled."),
        "operations:maintenance_detail",
        pk,
    )


@require_POST
@requires(Cap.MANAGE_OPERATIONS)
def maintenance_end(request, pk: int):
    window = get_object_or_404(MaintenanceWindow, pk=pk)
    return act_and_redirect(
        request,
        lambda: service.window_end(actor=request.user, window=window),
        _("Maintenance ended: the site is open again."),
        "operations:maintenance_detail",
        pk,
    )


@require_safe  # read-only: a POST is refused with 405, not served
@requires(Cap.VIEW_SYSTEM_STATUS)
def outages(request):
    until = timezone.now()
    since = until - outage_report.DEFAULT_RANGE
    longest = outage_report.GAP_INTERVALS * selectors.sample_interval()
    return render(
        request,
        "operations/outages.html",
        {
            "outages": outage_report.outages(since, until),
            "since_text": wita_text(since),
            "until_text": wita_text(until),
            "gap_minutes": round(longest.total_seconds() / 60),
        },
    )
