"""A staff member lost their second factor (issue 21, ASVS V6.4.4): an audited procedure with
two administrators, as for binding a company's signing key (``providers.services.two_person``).

1. An administrator who manages the account meets the person, checks their identity as at
   enrolment (the original ID card, the staff record, the agency's letter) and opens the reset,
   saying how they checked.
2. A *second* administrator applies it: the authenticator is removed and every session of the
   account ends. At the next sign-in (password, then the enrolment page) the person enrols a
   new authenticator, which ends any other session again.

Nobody resets their own second factor, nobody both checks and applies, and a check left waiting
longer than ``CHECK_VALID_FOR`` must be done again: identity is checked close to the change.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import lifecycle, session_records
from lpse.accounts.models import SecondFactorReset, User
from lpse.core import audit
from lpse.core.errors import DomainError

State = SecondFactorReset.State
CHECK_VALID_FOR = timedelta(days=2)


def _require_manager(actor, user: User) -> None:
    if user.pk == actor.pk:
        raise DomainError(
            _("You cannot reset your own second factor: ask two other administrators."),
            code="forbidden",
        )
    if not lifecycle.may_manage_account(actor, user):
        raise DomainError(
            _("You may not reset the second factor of %(user)s.") % {"user": user.username},
            code="forbidden",
        )


def second_factor_reset_check(
    *, actor, user: User, checked_identity: bool, note: str
) -> SecondFactorReset:
    """Step 1: the identity was checked in person; the reset waits for a second administrator."""
    _require_manager(actor, user)
    if not checked_identity:
        raise DomainError(
            _(
                "Check the person's original ID card (KTP) and staff record, as at enrolment, "
                "first."
            ),
            field="checked_identity",
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Say how you checked the identity: it is kept with the reset."), field="note"
        )
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # one open reset per person
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise DomainError(
                _("%(user)s has no authenticator: there is nothing to reset.")
                % {"user": user.username}
            )
        if SecondFactorReset.objects.filter(user=user, state=State.CHECKED).exists():
            raise DomainError(_("A reset of this second factor already waits for a decision."))
        reset = SecondFactorReset.objects.create(
            user=user, note=note, checked_by=actor, checked_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action="second_factor_reset.check",
            obj=user,
            data={"username": user.username, "reset": reset.pk, "note": note},
        )
    return reset


def _locked_open(reset: SecondFactorReset) -> SecondFactorReset:
    reset = SecondFactorReset.objects.select_for_update().get(pk=reset.pk)
    if reset.state != State.CHECKED:
        raise DomainError(
            _("This reset was already decided (%(state)s).") % {"state": reset.get_state_display()}
        )
    return reset


def second_factor_reset_apply(*, actor, reset: SecondFactorReset) -> SecondFactorReset:
    """Step 2, by a second administrator: remove the authenticator, end every session."""
    user = reset.user
    _require_manager(actor, user)
    with transaction.atomic():
        reset = _locked_open(reset)
        if reset.checked_by_id == actor.pk:
            raise DomainError(
                _(
                    "You checked this person's identity: another administrator applies the "
                    "reset (two people see every second factor reset)."
                ),
                code="forbidden",
            )
        if timezone.now() - reset.checked_at > CHECK_VALID_FOR:
            raise DomainError(
                _(
                    "The identity was checked more than two days ago: cancel this reset and "
                    "check the identity again."
                )
            )
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        ended = session_records.sessions_end_all(user)
        reset.state, reset.decided_by, reset.decided_at = State.APPLIED, actor, timezone.now()
        reset.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="second_factor_reset.apply",
            obj=user,
            data={
                "username": user.username,
                "reset": reset.pk,
                "checked_by": reset.checked_by_id,
                "devices_removed": removed,
                "sessions_ended": ended,
            },
        )
    return reset


def second_factor_reset_cancel(*, actor, reset: SecondFactorReset) -> SecondFactorReset:
    """Either administrator withdraws a waiting reset (the person found their phone)."""
    _require_manager(actor, reset.user)
    with transaction.atomic():
        reset = _locked_open(reset)
        reset.state, reset.decided_by, reset.decided_at = State.CANCELLED, actor, timezone.now()
        reset.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="second_factor_reset.cancel",
            obj=reset.user,
            data={"username": reset.user.username, "reset": reset.pk},
        )
    return reset
