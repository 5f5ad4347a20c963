"""Reads of the catalogue (business fields, price indices) for every app: other apps never
query its models themselves (DESIGN "Boundaries")."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from django.db.models import QuerySet

from lpse.catalog.models import BusinessSubField, PriceIndex


def sub_fields_for_choice() -> QuerySet[BusinessSubField]:
    return BusinessSubField.objects.select_related("field").order_by("field__code", "code")


def sub_fields_by_ids(ids: list[int]) -> list[BusinessSubField]:
    """The sub-fields a form named by id; ids that name none are left out (the caller decides
    whether an empty choice is an error)."""
    return list(BusinessSubField.objects.filter(pk__in=ids))


def sub_field_by_id(pk: int | None) -> BusinessSubField | None:
    """One sub-field, or None when ``pk`` names none."""
    if pk is None:
        return None
    return BusinessSubField.objects.filter(pk=pk).first()


def price_indices() -> QuerySet[PriceIndex]:
    """The administrator's list, newest month first."""
    return PriceIndex.objects.select_related("updated_by").order_by("-year", "-month")


class PriceIndexTable:
    """All indices, read once, answering "the latest index at or before this month" (R-5.6):
    a month without its own index uses the last one published before it."""

    def __init__(self, indices: list[PriceIndex] | None = None):
        rows = (
            indices if indices is not None else list(PriceIndex.objects.order_by("year", "month"))
        )
        self._rows = sorted(rows, key=lambda i: (i.year, i.month))
        self._keys = [(i.year, i.month) for i in self._rows]

    def at_or_before(self, day: date) -> PriceIndex | None:
        position = bisect_right(self._keys, (day.year, day.month))
        return self._rows[position - 1] if position else None
