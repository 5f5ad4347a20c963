"""The security page (R-4.4): who failed to sign in, from where, what was refused."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from lpse.core.capabilities import Cap, requires
from lpse.operations import security

RANGES = {"1": 1, "7": 7, "30": 30}


@requires(Cap.VIEW_SECURITY)
@require_safe
def security_page(request):
    days = RANGES.get(request.GET.get("hari", "1"), 1)
    picture = security.picture(timezone.now() - timedelta(days=days))
    return render(
        request,
        "operations/security.html",
        {"picture": picture, "days": days, "ranges": RANGES.values(), "totals": picture.totals()},
    )
