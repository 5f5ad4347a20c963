"""A signed-in person changes their own password (issue 21, ASVS V6.2.2, V6.2.3): the current
password and the new one, the validators applied, audited, the other sessions ended. A wrong
current password changes nothing — someone holding a stolen session cannot lock the owner out."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts import session_records
from lpse.accounts.models import User
from lpse.core import audit
from lpse.core.errors import DomainError


def password_change_own(
    *, actor: User, current: str, new: str, keep_session: str | None = None
) -> User:
    """Check ``current``, validate ``new`` and set it; every session of ``actor`` but
    ``keep_session`` (the ref of the one in use) ends. The view then renews its own session's
    hash (``update_session_auth_hash``) so the person stays signed in there."""
    if not actor.check_password(current):
        raise DomainError(_("The current password is wrong."), field="current_password")
    if new == current:
        raise DomainError(
            _("The new password is the same as the current one: choose another."),
            field="new_password1",
        )
    try:
        validate_password(new, actor)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="new_password1") from None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="password.change", obj=user, data={"via": "own"})
        session_records.sessions_end_others(
            actor=user, keep_ref=keep_session, why="password.change"
        )
    actor.password = user.password
    return actor
