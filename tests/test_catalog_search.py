"""The public catalogue's search (R-5.6): every typed word must start a word of the item; the
word index follows every write (enter, change, retire, reinstate, import), and a search reads
it in the list's order without sorting every match (catalog/search_index.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog import catalogue, imports, search_index, selectors
from lpse.catalog.models import CatalogueItem, CatalogueWord

pytestmark = pytest.mark.django_db


def _row(code: str, name: str, **extra) -> dict[str, str]:
    return {
        "code": code,
        "name": name,
        "specification": extra.get("specification", ""),
        "unit": "buah",
        "reference_price": "1000",
        "provider": extra.get("provider", "CV Sinar Maros"),
        "valid_from": extra.get("valid_from", "2020-01-01"),
        "valid_until": extra.get("valid_until", "2099-12-31"),
    }


@pytest.fixture
def admin(make_user):
    return make_user(Role.APP_ADMIN)


def _found(query: str, number: int = 1) -> list[str]:
    page = selectors.catalogue_page(query=query, today=timezone.localdate(), number=number)
    return [item.code for item in page]


def test_words_are_lower_case_without_accents_or_punctuation():
    assert search_index.words("Kertas HVS A4, 70-gram (Café) kertas") == [
        "kertas",
        "hvs",
        "a4",
        "70",
        "gram",
        "cafe",
    ]
    assert search_index.words("___ --- ") == []


def test_R_5_6_every_typed_word_must_start_a_word_of_the_item(admin):
    catalogue.item_save(actor=admin, pk=None, row=_row("ATK-1", "Kertas HVS A4 70 gram"))
    catalogue.item_save(actor=admin, pk=None, row=_row("ATK-2", "Kertas HVS F4 80 gram"))
    catalogue.item_save(
        actor=admin, pk=None, row=_row("BNG-1", "Semen Portland", specification="SNI 2049")
    )
    assert _found("kertas") == ["ATK-1", "ATK-2"]
    assert _found("KERT a4") == ["ATK-1"]  # a prefix, in any case
    assert _found("kertas semen") == []  # every word, not any
    assert _found("ertas") == []  # a word's start, not its middle
    assert _found("sni 2049") == ["BNG-1"]  # the specification
    assert _found("sinar") == ["ATK-1", "ATK-2", "BNG-1"]  # the provider
    assert _found("bng") == ["BNG-1"]  # the code
    assert _found("sémen") == ["BNG-1"]  # accents typed or not
    assert _found("zzz") == [] and _found("!!!") == []


def test_R_5_6_the_index_follows_changes_retirement_and_validity(admin):
    item = catalogue.item_save(actor=admin, pk=None, row=_row("ATK-1", "Kertas HVS"))
    assert _found("kertas") == ["ATK-1"]
    catalogue.item_save(actor=admin, pk=item.pk, row=_row("ATK-1", "Tinta printer"))
    assert _found("kertas") == [] and _found("tinta") == ["ATK-1"]
    catalogue.item_retire(actor=admin, pk=item.pk)
    assert _found("tinta") == [] and not CatalogueWord.objects.filter(item_id=item.pk).exists()
    catalogue.item_retire(actor=admin, pk=item.pk, retire=False)
    assert _found("tinta") == ["ATK-1"]
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    catalogue.item_save(
        actor=admin,
        pk=item.pk,
        row=_row("ATK-1", "Tinta printer", valid_from="2020-01-01", valid_until=yesterday),
    )
    assert _found("tinta") == []  # no longer valid today


def test_R_5_6_an_import_indexes_new_and_updated_items(admin):
    header = "code,name,specification,unit,reference_price,provider,valid_from,valid_until\n"
    first = header + "ATK-9,Map plastik,isi 12,pak,15000,CV A,2020-01-01,2099-12-31\n"
    imports.csv_import(actor=admin, kind="catalogue", data=first.encode(), dry_run=False)
    assert _found("map plastik") == ["ATK-9"]
    renamed = first.replace("Map plastik", "Ordner besar")
    imports.csv_import(actor=admin, kind="catalogue", data=renamed.encode(), dry_run=False)
    assert _found("map") == [] and _found("ordner") == ["ATK-9"]


def test_R_5_6_a_short_prefix_standing_for_many_words_lists_each_item_once(admin):
    # "se" starts "semen", "semprot" and "selang": the one item holding two of them is still
    # listed once, and the matches come in the list's order.
    catalogue.item_save(actor=admin, pk=None, row=_row("B-2", "Semprot selang"))
    catalogue.item_save(actor=admin, pk=None, row=_row("B-1", "Semen"))
    assert _found("se") == ["B-1", "B-2"]


def test_R_5_6_a_prefix_past_the_expansion_limit_still_finds_every_match(admin, monkeypatch):
    monkeypatch.setattr(search_index, "EXPANSION_MAX", 2)
    for n, name in enumerate(["Kabel", "Kaca", "Kain", "Kaos"]):
        catalogue.item_save(actor=admin, pk=None, row=_row(f"K-{n}", name))
    assert _found("ka") == ["K-0", "K-1", "K-2", "K-3"]
    assert _found("ka kab") == ["K-0"]


def test_R_5_6_a_one_word_search_reads_its_page_in_order_without_sorting(admin):
    """The page is read from the ordered index and stops at its 51st match: the query has a
    LIMIT and SQLite's plan uses no temporary sort (the bench measures the time)."""
    made = CatalogueItem.objects.bulk_create(
        CatalogueItem(
            code=f"S-{i:04d}",
            name=f"Semen {i:04d}",
            unit="sak",
            reference_price=1000,
            provider_name="CV A",
            valid_from=date(2020, 1, 1),
            valid_until=date(2099, 12, 31),
            updated_at=timezone.now(),
        )
        for i in range(120)
    )
    search_index.reindex(made)
    with CaptureQueriesContext(connection) as queries:
        assert _found("semen", number=2) == [f"S-{i:04d}" for i in range(50, 100)]
    search = [q["sql"] for q in queries.captured_queries if "catalog_catalogueword" in q["sql"]]
    assert len(search) == 1 and "LIMIT 51 OFFSET 50" in search[0]
    if connection.vendor == "sqlite":
        sql, params = (
            CatalogueWord.objects.filter(word="semen", valid_from__lte=timezone.localdate())
            .order_by("name", "code", "item_id")
            .values_list("item_id")[:51]
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            plan = " ".join(str(r) for r in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "catalogue_word_ordered" in plan and "TEMP B-TREE" not in plan
