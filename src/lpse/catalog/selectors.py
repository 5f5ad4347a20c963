from __future__ import annotations

from django.db.models import QuerySet

from lpse.catalog.models import BusinessSubField


def sub_fields_for_choice() -> QuerySet[BusinessSubField]:
    return BusinessSubField.objects.select_related("field").order_by("field__code", "code")
