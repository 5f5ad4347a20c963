"""The value ceilings of non-tender procurement per goods category (R-8.6).

Perpres 16/2018 (as amended by Perpres 12/2021) Pasal 12: direct procurement (pengadaan
langsung) is for goods, construction works and other services up to Rp 200 million, and
consultancy up to Rp 100 million under the amendment; SPEC R-8.6 sets the consultancy default at
Rp 50 million (the 2018 text). The application admin may change each one (``Ceiling``).
"""

from __future__ import annotations

from decimal import Decimal

from lpse.catalog.selectors import goods_categories_for_choice
from lpse.nontender.models import Ceiling

# By the goods category's code (tenders.models.Category, catalog.GoodsCategory.code).
DEFAULT_CEILINGS: dict[str, Decimal] = {
    "goods": Decimal("200000000"),
    "works": Decimal("200000000"),
    "other_services": Decimal("200000000"),
    "consulting": Decimal("50000000"),
}


def ceiling_for(category: str) -> Decimal:
    """The ceiling in force for ``category``: the admin's, else the default of R-8.6."""
    row = Ceiling.objects.filter(category=category).first()
    return row.limit if row is not None else DEFAULT_CEILINGS[category]


def ceilings() -> list[tuple[str, str, Decimal, bool]]:
    """Every category with its label, its ceiling and whether it is the default."""
    rows = {c.category: c.limit for c in Ceiling.objects.all()}
    return [
        (value, str(label), rows.get(value, DEFAULT_CEILINGS[value]), value not in rows)
        for value, label in goods_categories_for_choice()
        if value in DEFAULT_CEILINGS
    ]
