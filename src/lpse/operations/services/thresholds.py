"""Editing a threshold (R-5.1): its limits, how long a condition must last, whether it is
watched, and which roles on duty are told. Every change is audited with the old and the new
values (``operations.threshold.changed``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.accounts.roles import ROLE_CAPABILITIES, Role
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.operations.models import Comparison, Threshold

MAX_MINUTES = 24 * 60


def notifiable_roles() -> list[tuple[str, str]]:
    """The roles a threshold may tell: those that can open the alert page the mail links to."""
    return [
        (role.value, str(role.label))
        for role in Role
        if Cap.VIEW_SYSTEM_STATUS in ROLE_CAPABILITIES.get(role, frozenset())
    ]


@dataclass(frozen=True)
class ThresholdChange:
    warning: float | None
    critical: float | None
    for_minutes: int
    enabled: bool
    notify_roles: list[str]


def problems(comparison: str, change: ThresholdChange) -> list[tuple[str | None, str]]:
    """What is wrong with a change, as (field, message): shown by the form, enforced here."""
    found: list[tuple[str | None, str]] = []
    if change.warning is None and change.critical is None:
        found.append((None, _("Give at least one limit: a warning, a critical one, or both.")))
    if change.warning is not None and change.critical is not None:
        if comparison == Comparison.ABOVE and change.critical <= change.warning:
            found.append(
                (
                    "critical",
                    _(
                        "The critical limit must be above the warning limit: this measure is "
                        "in trouble when it rises."
                    ),
                )
            )
        if comparison == Comparison.BELOW and change.critical >= change.warning:
            found.append(
                (
                    "critical",
                    _(
                        "The critical limit must be below the warning limit: this measure is "
                        "in trouble when it falls."
                    ),
                )
            )
    if not 0 <= change.for_minutes <= MAX_MINUTES:
        found.append(
            ("for_minutes", _("Give a duration from 0 to %(max)d minutes.") % {"max": MAX_MINUTES})
        )
    allowed = {code for code, _label in notifiable_roles()}
    if set(change.notify_roles) - allowed:
        found.append(("notify_roles", _("Only roles that can see the monitoring can be told.")))
    return found


def _values(threshold: Threshold) -> dict:
    return {
        "warning": threshold.warning,
        "critical": threshold.critical,
        "for_minutes": threshold.for_minutes,
        "enabled": threshold.enabled,
        "notify_roles": list(threshold.notify_roles),
    }


def change_threshold(*, actor, metric: str, change: ThresholdChange) -> Threshold:
    require_capability(actor, Cap.MANAGE_OPERATIONS)
    with transaction.atomic():
        threshold = Threshold.objects.select_for_update().filter(metric=metric).first()
        if threshold is None:
            raise DomainError(_("There is no threshold for this measure."), code="not_found")
        found = problems(threshold.comparison, change)
        if found:
            field, message = found[0]
            raise DomainError(message, field=field)
        old = _values(threshold)
        threshold.warning, threshold.critical = change.warning, change.critical
        threshold.for_minutes, threshold.enabled = change.for_minutes, change.enabled
        threshold.notify_roles = sorted(set(change.notify_roles))
        threshold.updated_by = actor
        threshold.save()
        new = _values(threshold)
        if old != new:
            audit.record(
                actor=actor,
                action="operations.threshold.changed",
                obj=threshold,
                data={"metric": metric, "old": old, "new": new},
            )
    return threshold
