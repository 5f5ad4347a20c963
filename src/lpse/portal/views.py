from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from lpse.core.capabilities import public


@public
def home(request):
    context = {}
    if settings.LPSE_DEMO:
        from lpse.portal.demo import demo_accounts_for_home

        context["demo_accounts"] = demo_accounts_for_home()
    return render(request, "portal/home.html", context)


@public
def health(request):
    """For load balancers and the 'is the site up' duty (R-5.6): 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "error": type(exc).__name__}, status=503)


@public
def ping(request):
    """A bare view with no database query or template: the baseline of bench/portal.py."""
    return HttpResponse("ok", content_type="text/plain")
