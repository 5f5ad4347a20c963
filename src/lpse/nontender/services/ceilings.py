"""The application admin sets the value ceiling of direct procurement per goods category."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.money import parse_rupiah
from lpse.nontender.ceilings import DEFAULT_CEILINGS, ceiling_for
from lpse.nontender.models import Ceiling


def ceiling_set(*, actor, category: str, limit) -> Ceiling:
    require_capability(actor, Cap.CONFIGURE_NONTENDER)
    if category not in DEFAULT_CEILINGS:
        raise DomainError(_("Choose a goods category."), field="category")
    value = parse_rupiah(limit, field="limit")
    if value <= 0:
        raise DomainError(_("The ceiling must be more than Rp 0."), field="limit")
    with transaction.atomic():
        old = ceiling_for(category)
        ceiling, _created = Ceiling.objects.update_or_create(
            category=category,
            defaults={"limit": value, "set_by": actor, "set_at": timezone.now()},
        )
        audit.record(
            actor=actor,
            action="nontender.ceiling_set",
            obj=ceiling,
            data={"category": category, "old": str(old), "new": str(value)},
        )
    return ceiling
