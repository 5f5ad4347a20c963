"""Reads of the catalogue (business fields, price indices) for every app: other apps never
query its models themselves (DESIGN "Boundaries")."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from lpse.catalog import search_index
from lpse.catalog.models import (
    MASTER_DATA_KINDS,
    BusinessSubField,
    CatalogueItem,
    GoodsCategory,
    PriceIndex,
)

CATALOGUE_PAGE_SIZE = 50
# A page number past this is read as this one: an address cannot make the server skip
# millions of index entries.
CATALOGUE_MAX_PAGE = 10_000
# What the public page shows of an item.
CATALOGUE_COLUMNS = (
    "id",
    "code",
    "name",
    "specification",
    "unit",
    "reference_price",
    "provider_name",
    "valid_from",
    "valid_until",
)


def _live_sub_fields() -> QuerySet[BusinessSubField]:
    """Sub-fields still offered: neither they nor their field retired. A retired one stays on
    the packages and companies that named it (their history), it is just not chosen anew."""
    return BusinessSubField.objects.filter(retired_at=None, field__retired_at=None)


def sub_fields_for_choice() -> QuerySet[BusinessSubField]:
    return _live_sub_fields().select_related("field").order_by("field__code", "code")


def sub_fields_by_ids(ids: list[int]) -> list[BusinessSubField]:
    """The live sub-fields a form named by id; ids that name none (or a retired one) are left
    out (the caller decides whether an empty choice is an error)."""
    return list(_live_sub_fields().filter(pk__in=ids))


def sub_field_by_id(pk: int | None) -> BusinessSubField | None:
    """One live sub-field, or None when ``pk`` names none (or a retired one)."""
    if pk is None:
        return None
    return _live_sub_fields().filter(pk=pk).first()


def goods_categories_for_choice() -> list[tuple[str, str]]:
    """(code, name) of the live goods categories, for a package's category field."""
    return list(
        GoodsCategory.objects.filter(retired_at=None).order_by("order").values_list("code", "name")
    )


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


def master_data_rows(kind: str, *, query: str = "") -> QuerySet:
    """The administrator's list of one kind of master data, retired rows included."""
    rows: QuerySet
    if kind == "sub_fields":
        rows = BusinessSubField.objects.select_related("field").order_by("field__code", "code")
    else:
        rows = MASTER_DATA_KINDS[kind].objects.all()
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return rows


def _live_catalogue(today: date) -> QuerySet[CatalogueItem]:
    """The public catalogue's list: live items valid ``today``, in (name, code) order."""
    return CatalogueItem.objects.filter(
        retired_at=None, valid_from__lte=today, valid_until__gte=today
    ).order_by("name", "code")


def live_catalogue_item(pk, today: date) -> CatalogueItem | None:
    """A catalogue item that may be ordered ``today`` (not retired, within its validity), or
    None: e-purchasing orders only those (R-8.6)."""
    return _live_catalogue(today).filter(pk=pk).first()


@dataclass
class CataloguePage:
    """One page of the public catalogue, paged "previous / next" without a total: an exact
    count read every index entry on every request (10 ms of the list's 22 ms at 100,000 items,
    bench/README.md), and a search that stops at the page's last match is cheap."""

    number: int
    rows: list  # named rows of CATALOGUE_COLUMNS
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.rows)


def _page_number(number) -> int:
    try:
        return min(max(int(number), 1), CATALOGUE_MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def catalogue_page(*, query: str, today: date, number) -> CataloguePage:
    """One page (50) of the public catalogue, or of its search (``search_index``). The ids
    are read in order from an index, one more than a page to know whether a next page exists,
    so the database stops at the page's end; only the page's own rows are then read."""
    page = _page_number(number)
    start = (page - 1) * CATALOGUE_PAGE_SIZE
    if query.strip():
        ids = search_index.matching_ids(
            query, today=today, start=start, count=CATALOGUE_PAGE_SIZE + 1
        )
    else:
        ids = list(
            _live_catalogue(today).values_list("id", flat=True)[
                start : start + CATALOGUE_PAGE_SIZE + 1
            ]
        )
    shown = ids[:CATALOGUE_PAGE_SIZE]
    # Plain rows, not model instances: the page only shows them (a third of its time went
    # into making 50 models).
    rows = {
        row.id: row
        for row in CatalogueItem.objects.filter(pk__in=shown).values_list(
            *CATALOGUE_COLUMNS, named=True
        )
    }
    return CataloguePage(
        number=page,
        rows=[rows[pk] for pk in shown if pk in rows],
        has_next=len(ids) > CATALOGUE_PAGE_SIZE,
    )


def catalogue_for_admin(*, query: str = "") -> QuerySet[CatalogueItem]:
    items = CatalogueItem.objects.all()
    for word in query.lower().split()[:8]:
        items = items.filter(search_text__contains=word)
    return items.order_by("name", "code")
