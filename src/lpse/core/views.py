from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import services
from lpse.core.audit import current_head
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, public, requires
from lpse.core.errors import DomainError
from lpse.core.forms import NonWorkingDayForm, add_domain_error
from lpse.core.malware import ScanState
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


# --- error pages (issue 15): in the layout, in the person's language, saying what to do next ---

access_log = logging.getLogger("django.request")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None, *, roles_allowed=None, roles_of=None):
    """403: who the person is, whom the page is for, and the way home.

    ``roles_allowed(capability)`` and ``roles_of(user)`` give role names; ``lpse.urls`` passes
    them in because core sits below accounts (DESIGN "Boundaries") and cannot import the roles.
    """
    reason = str(exception.args[0]) if exception is not None and exception.args else ""
    capability = reason if _is_capability(reason) else ""
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    response = render(
        request,
        "errors/403.html",
        {
            "signed_in": signed_in,
            "own_roles": roles_of(user) if signed_in and roles_of else [],
            "allowed_roles": roles_allowed(capability) if capability and roles_allowed else [],
        },
        status=403,
    )
    # One line, no traceback: a refused page is an expected event, not a fault of the code.
    # Django's own log_response would add the exception's traceback; it skips a response
    # already marked as logged.
    access_log.warning(
        "Forbidden: %s user=%s needs=%s",
        request.path,
        user.get_username() if signed_in and user is not None else "anonymous",
        reason or "-",
        extra={"status_code": 403, "request": request},
    )
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _is_capability(reason: str) -> bool:
    return reason in {value for name, value in vars(Cap).items() if name.isupper()}


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", {"path": request.path}, status=404)


def method_not_allowed(request, allowed: str = ""):
    """405, used by ``MethodNotAllowedPageMiddleware`` for the empty responses of
    ``require_POST``: the address is a form's target, opened as a link."""
    response = render(request, "errors/405.html", {"path": request.path}, status=405)
    if allowed:
        response["Allow"] = allowed
    return response


def blob_unavailable(request, blob):
    """A held (503, try later) or infected (410, gone) upload was asked for (R-4.4)."""
    infected = blob.scan_state == ScanState.INFECTED
    status = 410 if infected else 503
    response = render(
        request,
        "errors/blob_unavailable.html",
        {
            "status": status,
            "infected": infected,
            "signature": blob.scan_signature,
            "arrived": wita_text(blob.created_at),
        },
        status=status,
    )
    if not infected:
        response["Retry-After"] = "300"  # the rescan job runs every 5 minutes
    return response


def storage_failed(request, exc: DomainError):
    """The file store was down or full while a view read or wrote a file (issue 21): 503 with
    the store's own message (what failed, that nothing half-done was kept, what to do). The
    transaction of the request was rolled back, so no row points at a missing file."""
    logging.getLogger(__name__).error(
        "file store failed on %s %s: %s", request.method, request.path, exc
    )
    if request.path.startswith("/api/"):
        # The API's one error shape (core.api_errors), for an API view outside ninja.
        response: HttpResponse = JsonResponse(
            {"detail": str(exc.message), "code": exc.code, "errors": []}, status=503
        )
    else:
        response = render(request, "errors/503_storage.html", {"message": exc.message}, status=503)
    response["Retry-After"] = "60"
    return response


def server_error(request=None):
    """500 without the database or the request's user: whatever broke may be either of them.

    When what broke is the database connection (PostgreSQL restarting, the server gone), the
    answer is 503 with Retry-After instead: the person is told the service is briefly
    unavailable and to try again, and the transaction the request was in was never committed
    (issue 21). The layout is rendered from a plain context (no context processors); if even that
    fails, a fixed page still tells the person what to do.
    """
    context = {
        "site_name": settings.LPSE_SITE_NAME,
        "when": wita_text(timezone.now()),
    }
    database_down = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    name, fallback = (
        ("errors/503_database.html", FALLBACK_503)
        if database_down
        else ("errors/500.html", FALLBACK_500)
    )
    try:
        html = loader.get_template(name).render(context)
    except Exception:  # the layout itself may be what broke
        html = fallback % {"when": context["when"]}
    if not database_down:
        return HttpResponseServerError(html)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    return response


# Django wraps the drivers' errors in these two: the connection refused, lost or closed.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


FALLBACK_500 = (
    "<!doctype html><html lang='id'><meta charset='utf-8'><title>Kesalahan server</title>"
    "<h1>Terjadi kesalahan di sisi kami</h1><p>Kesalahan ini sudah dicatat (%(when)s). "
    "Coba lagi beberapa menit lagi; bila terus terjadi, hubungi helpdesk LPSE.</p></html>"
)


FALLBACK_503 = (
    "<!doctype html><html lang='id'><meta charset='utf-8'><title>Layanan sebentar terhenti</title>"
    "<h1>Basis data sedang tidak dapat dihubungi</h1><p>Permintaan Anda tidak disimpan "
    "(%(when)s). Coba lagi dalam satu menit; bila terus terjadi, hubungi helpdesk LPSE.</p></html>"
)


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token (an old tab, cookies blocked): in the layout, saying
    what to do, not Django's English technical page."""
    return render(request, "errors/403_csrf.html", status=403)
