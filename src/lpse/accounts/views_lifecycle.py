"""Pages of accounts for life: the account list with filters and last sign-in, an account's page
with its roles and history, and the buttons that deactivate, reactivate, grant and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import lifecycle, second_factor_reset, selectors, services
from lpse.accounts.forms import AccountFilterForm, IdentityCheckForm, ReasonForm, RoleChangeForm
from lpse.accounts.models import User
from lpse.accounts.roles import Role
from lpse.accounts.views import staff_manager
from lpse.core.errors import DomainError

PAGE_SIZE = 200


def _visible_account(request, pk: int) -> User:
    """The account, if it is in the actor's list (an agency admin sees only their agency)."""
    return get_object_or_404(selectors.accounts_visible_to(request.user), pk=pk)


@staff_manager
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "query": data["q"].strip(),
            "role": data["role"],
            "agency_id": data["agency"].pk if data["agency"] else None,
            "active": {"1": True, "0": False}.get(data["active"]),
        }
    form.fields["agency"].queryset = selectors.agencies_for_staff_form(request.user)
    users = selectors.accounts_visible_to(request.user, **filters)
    return render(
        request,
        "accounts/account_list.html",
        {"form": form, "users": users[:PAGE_SIZE], "total": users.count(), "limit": PAGE_SIZE},
    )


@staff_manager
def account_detail(request, pk: int):
    account = _visible_account(request, pk)
    grantable = services.grantable_roles(request.user)
    held = account.role_codes()
    manageable = lifecycle.may_manage_account(request.user, account)
    open_reset = selectors.open_second_factor_reset(account)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "manageable": manageable,
            "grants": account.role_grants.select_related("granted_by"),
            "revocable": sorted(held & grantable),
            "grant_choices": [(r.value, r.label) for r in Role if r in grantable and r not in held],
            "deactivations": account.deactivations.select_related(
                "deactivated_by", "reactivated_by"
            ),
            "open_deactivation": account.deactivations.filter(reactivated_at__isnull=True).first(),
            "history": selectors.account_history(account)[:50],
            "reason_form": ReasonForm(),
            "has_device": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
            "open_reset": open_reset,
            "reset_expired": open_reset is not None
            and timezone.now() - open_reset.checked_at > second_factor_reset.CHECK_VALID_FOR,
        },
    )


def _act(request, pk: int, action, success, form_class=ReasonForm):
    """Run one lifecycle service with the form's reason; say how it went; back to the page.
    ``success`` is the message, or makes it from what the service returned."""
    account = _visible_account(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Choose the role and give the reason: it is kept with the change.")
        )
        return redirect("accounts:account_detail", pk)
    try:
        result = action(account, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect("accounts:account_detail", pk)


@staff_manager
@require_POST
def account_deactivate(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: lifecycle.account_deactivate(
            actor=request.user, user=user, reason=data["reason"]
        ),
        _("The account is deactivated and its sessions have ended."),
    )


@staff_manager
@require_POST
def account_reactivate(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: lifecycle.account_reactivate(
            actor=request.user, user=user, reason=data["reason"]
        ),
        _("The account is active again."),
    )


@staff_manager
@require_POST
def account_role_grant(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: lifecycle.role_give(
            actor=request.user, user=user, role=data["role"], reason=data["reason"]
        ),
        _("Role granted."),
        RoleChangeForm,
    )


@staff_manager
@require_POST
def account_role_revoke(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: lifecycle.role_revoke(
            actor=request.user, user=user, role=data["role"], reason=data["reason"]
        ),
        _("Role taken away."),
        RoleChangeForm,
    )


@staff_manager
@require_POST
def account_sessions_end(request, pk: int):
    """Sign the person out everywhere without deactivating the account (issue 21, V7.4.5)."""
    return _act(
        request,
        pk,
        lambda user, data: lifecycle.account_sessions_end(
            actor=request.user, user=user, reason=data["reason"]
        ),
        lambda ended: _("%(count)d session(s) of the account ended.") % {"count": ended},
    )


# --- a lost second factor, two administrators (issue 21, V6.4.4) --------------------------------


@staff_manager
@require_POST
def second_factor_reset_check(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: second_factor_reset.second_factor_reset_check(
            actor=request.user,
            user=user,
            checked_identity=data["checked_identity"],
            note=data["note"],
        ),
        _("Identity checked: a second administrator now applies the reset."),
        IdentityCheckForm,
    )


def _open_reset(account):
    reset = selectors.open_second_factor_reset(account)
    if reset is None:
        raise DomainError(_("No reset of this second factor is waiting."))
    return reset


@staff_manager
@require_POST
def second_factor_reset_apply(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: second_factor_reset.second_factor_reset_apply(
            actor=request.user, reset=_open_reset(user)
        ),
        _(
            "The authenticator was removed and the sessions ended: the person enrols a new one "
            "at the next sign-in."
        ),
        IdentityCheckForm,
    )


@staff_manager
@require_POST
def second_factor_reset_cancel(request, pk: int):
    return _act(
        request,
        pk,
        lambda user, data: second_factor_reset.second_factor_reset_cancel(
            actor=request.user, reset=_open_reset(user)
        ),
        _("The reset was cancelled."),
        IdentityCheckForm,
    )
