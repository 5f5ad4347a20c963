"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the master
data pages (business fields, sub-fields, goods categories, local catalogue; R-5.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from lpse.catalog.models import BusinessField, BusinessSubField, CatalogueItem, GoodsCategory

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    field = BusinessField.objects.get(code="F")
    sub_field = BusinessSubField.objects.get(code="K01")
    category, _ = GoodsCategory.objects.get_or_create(
        code="goods", defaults={"name": "Barang", "name_2010": "Pengadaan Barang"}
    )
    item = CatalogueItem.objects.create(
        code="SAMPEL-1",
        name="Kertas HVS A4 70 gram",
        unit="rim",
        reference_price=Decimal("52000"),
        provider_name="CV Sampel",
        valid_from=date(2026, 1, 1),
        valid_until=date(2026, 12, 31),
        updated_at=timezone.now(),
    )
    by_name = {}
    for name, row in (("fields", field), ("sub_fields", sub_field), ("categories", category)):
        by_name[f"catalog:{name}_rename"] = {"pk": row.pk}
        by_name[f"catalog:{name}_retire"] = {"pk": row.pk}
    by_name["catalog:catalogue_retire"] = {"pk": item.pk}
    by_name["catalog:catalogue_edit"] = {"pk": item.pk}
    return by_name
