from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lpse.core import services
from lpse.core.audit import current_head
from lpse.core.capabilities import Cap, public, requires
from lpse.core.errors import DomainError
from lpse.core.forms import NonWorkingDayForm, add_domain_error
from lpse.core.models import AuditEvent, ExtraNonWorkingDay, SentEmail


@public
def outbox(request):
    """Demo mode only: the e-mails the system sent, so a newcomer can follow links."""
    if not settings.LPSE_DEMO:
        raise Http404
    page = Paginator(SentEmail.objects.all(), 20).get_page(request.GET.get("page"))
    return render(request, "core/outbox.html", {"page": page, "title": _("Outbox (demo)")})


@requires(Cap.VIEW_MAIL_LOG)
def mail_log(request):
    page = Paginator(SentEmail.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "core/outbox.html", {"page": page, "title": _("Mail log")})


@requires(Cap.VIEW_AUDIT)
def audit(request):
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "core/audit.html", {"page": page, "head": current_head(), "action": action}
    )


@requires(Cap.MANAGE_CALENDAR)
def calendar(request):
    form = NonWorkingDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.non_working_day_add(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Non-working day added."))
            return redirect("core:calendar")
    return render(
        request, "core/calendar.html", {"form": form, "days": ExtraNonWorkingDay.objects.all()}
    )
