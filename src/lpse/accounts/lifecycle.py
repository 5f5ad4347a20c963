"""Accounts for life (R-5.6 "maintain government and provider user accounts"): deactivate and
reactivate an account, take a role away — each with a reason, audited, and nothing deleted.

Work a person still holds (a PPK's open packages, a seat on a committee with open tenders) lives
in apps above accounts; they answer through ``hooks.account_open_work``, and the change is
refused, naming the work, until it is handed over.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.accounts import session_records
from lpse.accounts.models import Deactivation, PasswordLink, RoleGrant, User
from lpse.accounts.roles import AGENCY_STAFF_ROLES, Role
from lpse.accounts.services import grantable_roles, role_grant
from lpse.core import audit, hooks
from lpse.core.capabilities import Cap
from lpse.core.errors import DomainError


def may_manage_account(actor, user: User) -> bool:
    """The application admin manages every account but their own; an agency admin the accounts
    of their own agency that hold only agency staff roles (R-8.1)."""
    if user.pk == actor.pk:
        return False
    caps = actor.capabilities()
    if Cap.MANAGE_LPSE_STAFF in caps:
        return True
    return (
        Cap.MANAGE_AGENCY_STAFF in caps
        and actor.agency_id is not None
        and user.agency_id == actor.agency_id
        and user.role_codes() <= AGENCY_STAFF_ROLES
    )


def _require_manager(actor, user: User) -> None:
    if user.pk == actor.pk:
        raise DomainError(
            _("You cannot change your own account this way: ask another administrator."),
            code="forbidden",
        )
    if not may_manage_account(actor, user):
        raise DomainError(
            _(
                "You may not change the account %(user)s: an agency admin manages only the staff "
                "of their own agency, the application administrator everyone else."
            )
            % {"user": user.username},
            code="forbidden",
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason: it is kept with the change."), field="reason")
    return reason


def _require_open_work_handed_over(user: User, roles: set[str]) -> None:
    problems = [p for found in hooks.account_open_work.call(user=user, roles=roles) for p in found]
    if problems:
        raise DomainError(" ".join(problems), code="open_work")


def _require_another_app_admin(user: User) -> None:
    """The last active application administrator stays: nobody could create one again."""
    others = RoleGrant.objects.filter(role=Role.APP_ADMIN, user__is_active=True).exclude(user=user)
    if user.has_role(Role.APP_ADMIN) and not others.exists():
        raise DomainError(
            _(
                "%(user)s is the last active application administrator: give another person "
                "the role first."
            )
            % {"user": user.username}
        )


def sessions_end(user: User) -> int:
    """Sign the person out everywhere at once; returns how many sessions there were."""
    return session_records.sessions_end_all(user)


def account_sessions_end(*, actor, user: User, reason: str) -> int:
    """An administrator signs a person out everywhere without deactivating the account (a
    lost laptop, a session left open in an internet café): audited with the reason."""
    _require_manager(actor, user)
    reason = _require_reason(reason)
    with transaction.atomic():
        ended = sessions_end(user)
        audit.record(
            actor=actor,
            action="sessions.end_all",
            obj=user,
            data={"username": user.username, "reason": reason, "sessions_ended": ended},
        )
    return ended


def account_deactivate(*, actor, user: User, reason: str) -> Deactivation:
    """Take an account out of use: it can no longer sign in, its sessions end at once, its
    unused password links die; its records, roles and history stay."""
    _require_manager(actor, user)
    reason = _require_reason(reason)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            if user.deactivations.filter(reactivated_at__isnull=True).exists():
                raise DomainError(_("This account is already deactivated."))
            raise DomainError(
                _(
                    "This account was never activated (a provider's account is activated by "
                    "the verifier): there is nothing to deactivate."
                )
            )
        _require_another_app_admin(user)
        _require_open_work_handed_over(user, user.role_codes())
        user.is_active = False
        user.save(update_fields=["is_active"])
        deactivation = Deactivation.objects.create(
            user=user, reason=reason, deactivated_by=actor, deactivated_at=timezone.now()
        )
        # An unused link would set a password and switch the account back on (R-1.5 links).
        PasswordLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        ended = sessions_end(user)
        audit.record(
            actor=actor,
            action="user.deactivate",
            obj=user,
            data={"username": user.username, "reason": reason, "sessions_ended": ended},
        )
    return deactivation


def account_reactivate(*, actor, user: User, reason: str) -> User:
    """Put a deactivated account back in use; it signs in with the password it had."""
    _require_manager(actor, user)
    reason = _require_reason(reason)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        deactivation = user.deactivations.filter(reactivated_at__isnull=True).first()
        if deactivation is None:
            raise DomainError(
                _(
                    "This account was not deactivated, so it cannot be reactivated (a provider's "
                    "account is activated by the verifier)."
                )
            )
        deactivation.reactivated_at = timezone.now()
        deactivation.reactivated_by = actor
        deactivation.reactivation_reason = reason
        deactivation.save(update_fields=["reactivated_at", "reactivated_by", "reactivation_reason"])
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="user.reactivate",
            obj=user,
            data={"username": user.username, "reason": reason},
        )
    return user


def role_give(*, actor, user: User, role: str, reason: str) -> RoleGrant:
    """Give an existing account one more role, with a reason (the account page); the scope rules
    of ``role_grant`` apply, and nobody gives themselves a role."""
    _require_manager(actor, user)
    reason = _require_reason(reason)
    if user.has_role(role):
        raise DomainError(
            _("%(user)s already holds the role %(role)s.") % {"user": user.username, "role": role},
            field="role",
        )
    return role_grant(actor=actor, user=user, role=role, reason=reason)


def role_revoke(*, actor, user: User, role: str, reason: str) -> None:
    """Take one role away, with a reason; refused while the role's open work is not handed over.
    Only roles the actor could give may be taken away (``grantable_roles``)."""
    _require_manager(actor, user)
    reason = _require_reason(reason)
    if role not in grantable_roles(actor):
        raise DomainError(
            _("You may not take away the role %(role)s.") % {"role": role}, field="role"
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        grant = RoleGrant.objects.filter(user=user, role=role).first()
        if grant is None:
            raise DomainError(
                _("%(user)s does not hold the role %(role)s.")
                % {"user": user.username, "role": role},
                field="role",
            )
        if role == Role.APP_ADMIN:
            _require_another_app_admin(user)
        _require_open_work_handed_over(user, {role})
        grant.delete()  # the grant is the current state; the audit log keeps its history
        audit.record(
            actor=actor,
            action="role.revoke",
            obj=user,
            data={"role": role, "reason": reason, "granted_at": grant.granted_at.isoformat()},
        )
    if hasattr(user, "_role_codes"):
        del user._role_codes
