from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import selectors, services, session_records
from lpse.accounts.forms import (
    AgencyForm,
    EmailForm,
    LoginForm,
    LoginWindowForm,
    OTPTokenForm,
    PasswordConfirmForm,
    SetPasswordForm,
    StaffForm,
)
from lpse.accounts.models import LoginWindow, User
from lpse.core import public_limits, security_log
from lpse.core.capabilities import AUTHENTICATED, Cap, public, requires
from lpse.core.client_address import client_address
from lpse.core.errors import DomainError
from lpse.core.forms import add_domain_error

REAUTH_AT = "lpse_reauth_at"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def reauth_required(view):
    """Sensitive account changes need the password typed again within the last few minutes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        confirmed = request.session.get(REAUTH_AT, 0)
        if time.time() - confirmed > settings.REAUTH_SECONDS:
            return redirect(f"{reverse('accounts:reauth')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper


def lockout_response(request, credentials, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login_view = public(LoginView.as_view())


@public
@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, _("You have signed out."))
    response = redirect("portal:home")
    # The browser drops the pages it kept of the session (ASVS V14.3.1). Not "storage": a
    # provider's signing key lives in the browser's storage and must survive a sign-out.
    response["Clear-Site-Data"] = '"cache"'
    return response


@requires(AUTHENTICATED)
def home(request):
    user = request.user
    return render(
        request,
        "accounts/home.html",
        {
            "roles": sorted(user.role_codes()),
            "caps": user.capabilities(),
            "company": getattr(user, "company", None),
            "has_device": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        },
    )


@requires(AUTHENTICATED)
@sensitive_post_parameters("token")
def otp(request):
    """Verify the second factor; a staff member without a device first enrols one."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = services.totp_device_pending(actor=user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device = services.totp_device_confirm(
                    actor=user,
                    device=device,
                    keep_session=request.session.get(session_records.SESSION_REF),
                )
            otp_login(request, device)
            # A new session key once the second factor is in (ASVS V7.2.4): a key seen before
            # this step (a fixated or sniffed one) is worth nothing after it.
            request.session.cycle_key()
            return redirect(_safe_next(request, reverse("accounts:home")))
        security_log.record("otp.failed", username=user.username, address=client_address(request))
        form.add_error(
            "token",
            _(
                "That code is not right. Codes change every 30 seconds: check "
                "that your phone's clock is correct and type the current one."
            ),
        )
    context = {"form": form, "enrolling": enrolling, "next": _safe_next(request, "")}
    if enrolling:
        import segno

        context["qr_svg"] = segno.make(device.config_url).svg_inline(scale=4)
        context["secret"] = device.config_url.split("secret=")[1].split("&")[0]
    return render(request, "accounts/otp.html", context)


REAUTH_FAILURES = "lpse_reauth_failures"
REAUTH_FAILURE_LIMIT = 5


@requires(AUTHENTICATED)
@sensitive_post_parameters("password")
def reauth(request):
    """Type the password again. Wrong guesses are counted: someone holding a stolen session
    cannot try passwords here without limit (after five, the session ends)."""
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.check_password(form.cleaned_data["password"]):
            request.session[REAUTH_AT] = time.time()
            request.session.pop(REAUTH_FAILURES, None)
            return redirect(_safe_next(request, reverse("accounts:home")))
        failures = request.session.get(REAUTH_FAILURES, 0) + 1
        request.session[REAUTH_FAILURES] = failures
        if failures >= REAUTH_FAILURE_LIMIT:
            from django.contrib.auth import logout

            logout(request)
            messages.error(
                request, _("Too many wrong passwords: you have been signed out. Sign in again.")
            )
            return redirect("accounts:login")
        form.add_error("password", _("The password is wrong."))
    return render(request, "accounts/reauth.html", {"form": form, "next": _safe_next(request, "")})


@requires(AUTHENTICATED)
@reauth_required
def email_change(request):
    if getattr(request.user, "company", None) is not None:
        return redirect("providers:email_change_mine")  # the company's procedure
    form = EmailForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_own(actor=request.user, new_email=form.cleaned_data["email"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your e-mail address was changed; both addresses were told.")
            )
            return redirect("accounts:home")
    return render(request, "form.html", {"form": form, "title": _("Change e-mail address")})


@public
@sensitive_post_parameters("password1", "password2")
def set_password(request, token: str):
    try:
        link = services.password_link_check(token)
    except DomainError as exc:
        return render(request, "accounts/link_problem.html", {"problem": exc.message}, status=410)
    form = SetPasswordForm(request.POST or None)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        try:
            services.password_set_with_link(token=token, password=form.cleaned_data["password1"])
        except DomainError as exc:
            if exc.field == "password":
                form.add_error("password1", exc.message)
            else:
                return render(
                    request, "accounts/link_problem.html", {"problem": exc.message}, status=410
                )
        else:
            messages.success(request, _("Your password is set. Sign in with your User ID."))
            return redirect(f"{reverse('accounts:login')}?username={link.user.username}")
    return public_limits.answer(
        render(request, "accounts/set_password.html", {"form": form, "link": link}), refusal
    )


@public
def password_forgot(request):
    form = EmailForm(request.POST or None)
    refusal = public_limits.count_post(request)
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        messages.info(
            request,
            _(
                "If an active account uses that address, a link to set a new "
                "password is on its way. It works once."
            ),
        )
        return redirect("accounts:login")
    return public_limits.answer(
        render(request, "form.html", {"form": form, "title": _("Forgot password")}), refusal
    )


def staff_manager(view):
    """Either staff-management capability opens these pages; the service scopes what is allowed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        caps = request.user.capabilities()
        if Cap.MANAGE_LPSE_STAFF not in caps and Cap.MANAGE_AGENCY_STAFF not in caps:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.capability = (Cap.MANAGE_LPSE_STAFF, Cap.MANAGE_AGENCY_STAFF)
    return wrapper


@staff_manager
def staff_list(request):
    return render(
        request,
        "accounts/staff_list.html",
        {
            "users": selectors.staff_visible_to(request.user, query=request.GET.get("q", "")),
            "q": request.GET.get("q", ""),
        },
    )


@staff_manager
def staff_create(request):
    grantable = services.grantable_roles(request.user)
    form = StaffForm(
        request.POST or None,
        grantable=grantable,
        agencies=selectors.agencies_for_staff_form(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.staff_create(
                actor=request.user,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=set(data["roles"]),
                agency=data["agency"],
                employee_number=data["employee_number"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Account %(user)s created; a link to set the password was e-mailed to %(email)s.")
                % {"user": user.username, "email": user.email},
            )
            return redirect("accounts:staff_list")
    return render(request, "form.html", {"form": form, "title": _("New staff account")})


@requires(Cap.MANAGE_AGENCIES)
def agencies(request):
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Agency added."))
            return redirect("accounts:agencies")
    return render(
        request,
        "accounts/agencies.html",
        {"form": form, "agencies": selectors.agencies_with_counts()},
    )


@requires(Cap.MANAGE_LOGIN_HOURS)
def login_windows(request):
    form = LoginWindowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = None
        if data["username"]:
            user = User.objects.filter(username=data["username"].strip().lower()).first()
            if user is None:
                form.add_error("username", _("There is no account with that User ID."))
        if not form.errors:
            try:
                services.login_window_set(
                    actor=request.user,
                    role=data["role"],
                    user=user,
                    weekdays="".join(data["weekdays"]),
                    start=data["start"],
                    end=data["end"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Login window saved."))
                return redirect("accounts:login_windows")
    return render(
        request,
        "accounts/login_windows.html",
        {
            "form": form,
            "windows": LoginWindow.objects.select_related("user").order_by("role", "user"),
        },
    )


@requires(Cap.MANAGE_LOGIN_HOURS)
@require_POST
def login_window_delete(request, pk: int):
    services.login_window_delete(actor=request.user, window=get_object_or_404(LoginWindow, pk=pk))
    messages.success(request, _("Login window removed."))
    return redirect("accounts:login_windows")
