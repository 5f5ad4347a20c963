"""Every write of the master data the administrator maintains (R-5.6)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog.models import PriceIndex
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError

FIRST_YEAR = 1990  # older indices would value no experience that still counts (15 years)


def parse_index_value(raw) -> Decimal:
    """An index as typed: ``125,37`` (Indonesian) or ``125.37``; positive, at most 4 decimals."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw or "").strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise DomainError(
                _("Write the index as a number, for example 112,45."), field="value"
            ) from None
    if not value.is_finite() or value.adjusted() >= 8:
        raise DomainError(_("Write the index as a number, for example 112,45."), field="value")
    if value <= 0:
        raise DomainError(_("The index must be greater than zero."), field="value")
    exponent = value.as_tuple().exponent  # an int: value is finite (checked above)
    if isinstance(exponent, int) and exponent < -4:
        raise DomainError(_("Give the index with at most four decimals."), field="value")
    return value


def _month_taken(year: int, month: int) -> DomainError:
    return DomainError(
        _("The index of %(month)02d-%(year)d is already recorded: edit that one instead.")
        % {"month": int(month), "year": int(year)},
        field="month",
    )


def price_index_save(
    *,
    actor,
    year: int,
    month: int,
    value,
    source: str = "",
    index: PriceIndex | None = None,
) -> PriceIndex:
    """Add the index of a month, or correct one (``index``). One index per month; no month
    that has not begun yet."""
    require_capability(actor, Cap.MANAGE_PRICE_INDEX)
    value = parse_index_value(value)
    if not 1 <= int(month) <= 12:
        raise DomainError(_("Choose a month from 1 to 12."), field="month")
    today = timezone.localdate()
    if int(year) < FIRST_YEAR or (int(year), int(month)) > (today.year, today.month):
        raise DomainError(
            _("Choose a month from %(first)d up to this month.") % {"first": FIRST_YEAR},
            field="year",
        )
    duplicate = PriceIndex.objects.filter(year=year, month=month)
    if index is not None:
        duplicate = duplicate.exclude(pk=index.pk)
    if duplicate.exists():
        raise _month_taken(year, month)
    with transaction.atomic():
        before = None
        if index is not None:
            index = PriceIndex.objects.select_for_update().get(pk=index.pk)
            before = {"period": f"{index.year}-{index.month:02d}", "value": str(index.value)}
        else:
            index = PriceIndex()
        index.year, index.month, index.value = int(year), int(month), value
        index.source = source.strip()[:300]
        index.updated_by, index.updated_at = actor, timezone.now()
        try:
            with transaction.atomic():
                index.save()
        except IntegrityError:  # the same month saved at the same moment by someone else
            raise _month_taken(year, month) from None
        audit.record(
            actor=actor,
            action="price_index.save",
            obj=index,
            data={
                "period": f"{index.year}-{index.month:02d}",
                "value": str(value),
                "source": index.source,
                "before": before,
            },
        )
    return index


# The writes other apps (the demo loader, the setup command) call, named here so the app's
# public face stays ``services``.
from lpse.catalog.reference import reference_data_load  # noqa: E402

__all__ = ["parse_index_value", "price_index_save", "reference_data_load"]
