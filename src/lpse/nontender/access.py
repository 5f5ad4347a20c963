"""Who may act on a non-tender procurement: the officer(s) it was handed to, nobody else."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.nontender.models import Procurement


def is_officer_of(user, procurement: Procurement) -> bool:
    """Whether ``user`` is one of the officers the package was handed to (one, or a team)."""
    return user.is_authenticated and procurement.officers.filter(pk=user.pk).exists()


def require_officer(actor, procurement: Procurement) -> None:
    require_capability(actor, Cap.RUN_NONTENDER)
    if not is_officer_of(actor, procurement):
        raise DomainError(
            _("Only the procurement officer this package was handed to may act on it."),
            code="forbidden",
        )


def require_state(procurement: Procurement, *states: str) -> None:
    if procurement.state not in states:
        raise DomainError(
            _("This procurement is at the step “%(state)s”: that cannot be done now.")
            % {"state": procurement.get_state_display()},
            code="wrong_state",
        )
