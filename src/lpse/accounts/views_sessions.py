"""A person's own sessions and password (issue 21, ASVS V7.4.3, V7.5.2, V6.2.2, V6.2.3). The
administrator's buttons (end a person's sessions, reset a lost second factor) are on the
account's page, ``views_lifecycle``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from lpse.accounts import password_change, selectors
from lpse.accounts.forms import PasswordChangeForm
from lpse.accounts.session_records import SESSION_REF, sessions_end_others
from lpse.accounts.views import REAUTH_FAILURE_LIMIT, REAUTH_FAILURES, reauth_required
from lpse.core.capabilities import AUTHENTICATED, requires
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error


@requires(AUTHENTICATED)
def my_sessions(request):
    """The person's own sessions, this one marked; a POST ends all the others."""
    current = request.session.get(SESSION_REF)
    if request.method == "POST":
        ended = sessions_end_others(actor=request.user, keep_ref=current, why="asked")
        messages.success(request, _("%(count)d other session(s) ended.") % {"count": ended})
        return redirect("accounts:my_sessions")
    sessions = list(selectors.active_sessions(request.user))
    return render(
        request,
        "accounts/my_sessions.html",
        {
            "sessions": sessions,
            "current": current,
            "others": any(s.ref != current for s in sessions),
        },
    )


@requires(AUTHENTICATED)
@reauth_required
@sensitive_post_parameters("current_password", "new_password1", "new_password2")
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = password_change.password_change_own(
                actor=request.user,
                current=data["current_password"],
                new=data["new_password1"],
                keep_session=request.session.get(SESSION_REF),
            )
        except DomainError as exc:
            if exc.field == "current_password":
                # Counted with the re-authentication page's failures: a stolen session cannot
                # guess the password here without limit either.
                failures = request.session.get(REAUTH_FAILURES, 0) + 1
                request.session[REAUTH_FAILURES] = failures
                if failures >= REAUTH_FAILURE_LIMIT:
                    logout(request)
                    messages.error(
                        request,
                        _("Too many wrong passwords: you have been signed out. Sign in again."),
                    )
                    return redirect("accounts:login")
            add_domain_error(form, exc)
        else:
            request.session.pop(REAUTH_FAILURES, None)
            update_session_auth_hash(request, user)  # this session stays signed in
            messages.success(
                request,
                _("Your password was changed; your other sessions have ended."),
            )
            return redirect("accounts:home")
    return render(
        request,
        "form.html",
        {"form": form, "title": _("Change password"), "submit": _("Change password")},
    )
