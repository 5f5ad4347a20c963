"""Session policy: absolute timeout, login hours while signed in, a session ended elsewhere, and
staff second factor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from lpse.accounts import session_records
from lpse.accounts.login_hours import login_decision

LOGIN_AT = "lpse_login_at"
# Pages a staff member without a verified second factor may still reach.
OTP_FREE_PREFIXES = ("/static/", "/i18n/", "/akun/2fa/", "/akun/keluar/", "/outbox/")


def needs_second_factor(user) -> bool:
    return settings.LPSE_STAFF_2FA and user.is_staff_member


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None:
                request.session[LOGIN_AT] = started = time.time()
            if time.time() - started > settings.SESSION_MAX_SECONDS:
                logout(request)
                messages.info(
                    request,
                    _(
                        "Your session has ended (the maximum session length has "
                        "passed). Please sign in again."
                    ),
                )
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if not session_records.session_still_open(request):
                logout(request)
                messages.info(
                    request,
                    _("This session was ended from another session or by an administrator."),
                )
                return redirect("accounts:login")
            decision = login_decision(user)
            if not decision.allowed:
                logout(request)
                messages.error(request, decision.refusal_message())
                return redirect("accounts:login")
            if (
                needs_second_factor(user)
                and not user.is_verified()
                and not request.path.startswith(OTP_FREE_PREFIXES)
            ):
                return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        response = self.get_response(request)
        if request.user.is_authenticated:
            session_records.session_touched(request)
        return response
