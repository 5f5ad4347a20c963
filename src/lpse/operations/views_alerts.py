"""The alert and threshold pages (R-5.1, R-5.4, R-5.5): everyone with the read-only monitor
sees them; the people on duty (``operations.handle_alerts``) acknowledge an alert; the managers
(``operations.manage``) edit the thresholds."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from lpse.accounts.roles import Role
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.core.forms import add_domain_error
from lpse.operations import selectors
from lpse.operations.forms import AcknowledgeForm, ThresholdForm
from lpse.operations.models import Alert, AlertState, Threshold
from lpse.operations.services import alerts as alert_services
from lpse.operations.services import thresholds as threshold_services


def _labelled(alerts) -> list[tuple[Alert, str]]:
    return [(alert, alert_services.metric_label(alert.metric)) for alert in alerts]


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def alerts(request):
    history = [a for a in selectors.alert_history() if a.state != AlertState.OPEN]
    return render(
        request,
        "operations/alerts.html",
        {
            # "critical" sorts before "warning": the worst first.
            "open_alerts": _labelled(selectors.open_alerts().order_by("severity", "-opened_at")),
            "history": _labelled(history),
        },
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
@require_safe
def alert_detail(request, pk: int):
    alert = get_object_or_404(Alert.objects.select_related("acknowledged_by"), pk=pk)
    can_acknowledge = (
        has_capability(request.user, Cap.HANDLE_ALERTS) and alert.acknowledged_at is None
    )
    return render(
        request,
        "operations/alert_detail.html",
        {
            "alert": alert,
            "label": alert_services.metric_label(alert.metric),
            "threshold": Threshold.objects.filter(metric=alert.metric).first(),
            "form": AcknowledgeForm() if can_acknowledge else None,
        },
    )


@require_POST
@requires(Cap.HANDLE_ALERTS)
def alert_acknowledge(request, pk: int):
    alert = get_object_or_404(Alert, pk=pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is being done about the alert."))
        return redirect("operations:alert_detail", alert.pk)
    return act_and_redirect(
        request,
        lambda: alert_services.acknowledge(
            actor=request.user, alert=alert, note=form.cleaned_data["note"]
        ),
        _("Acknowledged: the alert stays open until the readings recover."),
        "operations:alert_detail",
        alert.pk,
    )


@requires(Cap.VIEW_SYSTEM_STATUS)
def thresholds(request):
    """The table for every reader; one form per metric for the managers. A form sent back with
    a mistake is shown again, open, with what was typed."""
    can_manage = has_capability(request.user, Cap.MANAGE_OPERATIONS)
    bound: ThresholdForm | None = None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(Cap.MANAGE_OPERATIONS)
        threshold = get_object_or_404(Threshold, metric=request.POST.get("metric", ""))
        bound = ThresholdForm.of(threshold, request.POST)
        if bound.is_valid():
            try:
                threshold_services.change_threshold(
                    actor=request.user, metric=threshold.metric, change=bound.change()
                )
            except DomainError as exc:
                add_domain_error(bound, exc)
            else:
                messages.success(
                    request,
                    _("Saved: the threshold of “%(metric)s”.")
                    % {"metric": alert_services.metric_label(threshold.metric)},
                )
                return redirect(reverse("operations:thresholds") + f"#threshold-{threshold.metric}")
    role_names = dict(Role.choices)
    rows = []
    for threshold in Threshold.objects.select_related("updated_by").order_by("metric"):
        form = None
        if can_manage:
            mine = bound is not None and bound.prefix == threshold.metric
            form = bound if mine else ThresholdForm.of(threshold)
        rows.append(
            {
                "threshold": threshold,
                "label": alert_services.metric_label(threshold.metric),
                "roles": [str(role_names.get(code, code)) for code in threshold.notify_roles],
                "form": form,
            }
        )
    return render(
        request,
        "operations/thresholds.html",
        {"rows": rows, "can_manage": can_manage},
    )
