"""The portal's writes: the red-flag thresholds set on the staff page (R-9.10)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.portal.models import RedFlagThreshold
from lpse.portal.red_flags import thresholds


def red_flag_threshold_set(*, actor, name: str, value: str) -> RedFlagThreshold | None:
    """Set one threshold; an empty value goes back to the setting or the documented default.
    The value is checked as the flags will read it, so a bad one never reaches the pages."""
    require_capability(actor, Cap.MANAGE_RED_FLAG_THRESHOLDS)
    if name not in thresholds.names():
        raise DomainError(_("Unknown threshold."), field="name")
    value = value.strip()
    with transaction.atomic():
        old = RedFlagThreshold.objects.select_for_update().filter(name=name).first()
        if value:
            try:
                thresholds.from_mapping({name: value})
            except ImproperlyConfigured:
                raise DomainError(
                    _("Give a number of the threshold's kind: not negative, a share from 0 to 1."),
                    field="value",
                ) from None
        row = None
        if value:
            row, _created = RedFlagThreshold.objects.update_or_create(
                name=name,
                defaults={"value": value, "changed_by": actor, "changed_at": timezone.now()},
            )
        elif old is not None:
            RedFlagThreshold.objects.filter(pk=old.pk).delete()
        audit.record(
            actor=actor,
            action="portal.red_flag_threshold.set",
            obj=row,
            data={"name": name, "old": old.value if old else None, "new": value or None},
        )
    return row
