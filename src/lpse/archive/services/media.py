"""The media log (R-6.2): a portable backup medium taken out of its safe place and brought back.

Backups go to portable media kept away from the server room; the log says at any moment which
medium is out, who has it and why. Each write re-checks ``archive.manage_backups``, is audited
in the same transaction, and refuses what cannot have happened (a medium out twice, a return
before its take-out, a return recorded twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.archive import selectors
from lpse.archive.models import MediaMovement
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError

# A clock a few minutes ahead of the server's (a phone, a wall clock) is not an error.
CLOCK_SLACK = timedelta(minutes=5)


@dataclass
class TakeOut:
    medium: str
    kept_at: str
    taken_by: str
    purpose: str = ""
    taken_out_at: datetime | None = None  # empty: now


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    return value


def _not_future(moment: datetime, now: datetime, field: str) -> None:
    if moment > now + CLOCK_SLACK:
        raise DomainError(
            _("%(when)s is in the future; record a movement when it has happened.")
            % {"when": wita_text(moment)},
            field=field,
        )


def take_out(*, actor, data: TakeOut) -> MediaMovement:
    """Record that a medium left its place."""
    require_capability(actor, Cap.MANAGE_BACKUPS)
    medium = _required(data.medium, "medium", _("Write the medium's label, e.g. “HDD-2 (biru)”."))
    kept_at = _required(
        data.kept_at, "kept_at", _("Write where the medium is kept, e.g. the safe's room.")
    )
    taken_by = _required(data.taken_by, "taken_by", _("Write who took the medium out."))
    now = timezone.now()
    taken_out_at = data.taken_out_at or now
    _not_future(taken_out_at, now, "taken_out_at")
    with transaction.atomic():
        # Locked so that two people recording the same medium at once cannot both succeed.
        list(MediaMovement.objects.select_for_update().filter(medium__iexact=medium))
        open_movement = selectors.medium_out(medium)
        if open_movement is not None:
            raise DomainError(
                _(
                    "%(medium)s is already out: %(who)s took it on %(when)s. Record its return "
                    "first."
                )
                % {
                    "medium": open_movement.medium,
                    "who": open_movement.taken_by,
                    "when": wita_text(open_movement.taken_out_at),
                },
                field="medium",
            )
        movement = MediaMovement.objects.create(
            medium=medium,
            kept_at=kept_at,
            taken_by=taken_by,
            purpose=(data.purpose or "").strip(),
            taken_out_at=taken_out_at,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="archive.media.take_out",
            obj=movement,
            data={
                "medium": movement.medium,
                "kept_at": movement.kept_at,
                "taken_by": movement.taken_by,
                "purpose": movement.purpose,
                "taken_out_at": movement.taken_out_at.isoformat(),
            },
        )
    return movement


def bring_back(
    *, actor, movement: MediaMovement, returned_at: datetime | None = None
) -> MediaMovement:
    """Record that a medium is back in its place."""
    require_capability(actor, Cap.MANAGE_BACKUPS)
    now = timezone.now()
    returned_at = returned_at or now
    _not_future(returned_at, now, "returned_at")
    with transaction.atomic():
        movement = MediaMovement.objects.select_for_update().get(pk=movement.pk)
        if movement.returned_at is not None:
            raise DomainError(
                _("%(medium)s was already recorded as returned on %(when)s.")
                % {"medium": movement.medium, "when": wita_text(movement.returned_at)},
                field="returned_at",
            )
        if returned_at < movement.taken_out_at:
            raise DomainError(
                _(
                    "The return (%(back)s) cannot be before the medium was taken out "
                    "(%(out)s). Check the date and time."
                )
                % {"back": wita_text(returned_at), "out": wita_text(movement.taken_out_at)},
                field="returned_at",
            )
        movement.returned_at = returned_at
        movement.save(update_fields=["returned_at"])
        audit.record(
            actor=actor,
            action="archive.media.return",
            obj=movement,
            data={"medium": movement.medium, "returned_at": returned_at.isoformat()},
        )
    return movement
