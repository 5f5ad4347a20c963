from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import require_capability
from lpse.core.errors import DomainError
from lpse.core.models import ExtraNonWorkingDay


def non_working_day_add(*, actor, day: date, reason: str) -> ExtraNonWorkingDay:
    """Declare a regional holiday or a newly decreed leave day (R-1.4 calendar)."""
    require_capability(actor, "core.manage_calendar")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the day is not a working day."), field="reason")
    if ExtraNonWorkingDay.objects.filter(day=day).exists():
        raise DomainError(_("%(day)s is already a non-working day.") % {"day": day}, field="day")
    with transaction.atomic():
        entry = ExtraNonWorkingDay.objects.create(day=day, reason=reason)
        audit.record(
            actor=actor,
            action="calendar.add_non_working_day",
            obj=entry,
            data={"day": day.isoformat(), "reason": reason},
        )
    return entry
