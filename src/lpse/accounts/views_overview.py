"""A read-only system status for the technical staff of annex V and LKPP's monitor (R-5.5,
R-5.6: "is the site up", "who is accessing the system", the audit log's integrity), until the
operations issues give them their duty register and monitoring."""

from __future__ import annotations

import platform

import django
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from lpse.accounts.models import User
from lpse.core import audit
from lpse.core.capabilities import Cap, requires

RECENT_SIGN_INS = 20


@requires(Cap.VIEW_SYSTEM_STATUS)
def system_status(request):
    return render(
        request,
        "accounts/system_status.html",
        {
            "chain": audit.verify_chain(),
            "head": audit.current_head(),
            "now": timezone.now(),
            "active_accounts": User.objects.filter(is_active=True).count(),
            "inactive_accounts": User.objects.filter(is_active=False).count(),
            "live_sessions": Session.objects.filter(expire_date__gt=timezone.now()).count(),
            "recent_sign_ins": User.objects.filter(last_login__isnull=False)
            .order_by("-last_login")
            .only("username", "last_login")[:RECENT_SIGN_INS],
            "database": connection.vendor,
            "versions": {
                "Python": platform.python_version(),
                "Django": django.get_version(),
            },
            "demo": settings.LPSE_DEMO,
        },
    )
