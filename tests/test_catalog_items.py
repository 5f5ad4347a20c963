"""The local catalogue (R-5.6): the administrator enters and changes one item with the same
checks as the CSV import, retires and reinstates it, every change audited; the public list
pages "previous / next" without counting the whole catalogue on each request."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog import catalogue, imports, search_index, selectors
from lpse.catalog.models import CatalogueItem
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ROW = {
    "code": "ATK-001",
    "name": "Kertas HVS A4 70 gram",
    "specification": "500 lembar",
    "unit": "rim",
    "reference_price": "52.000,00",
    "provider": "CV Sinar Maros",
    "valid_from": "2026-01-01",
    "valid_until": "2099-12-31",
}


@pytest.fixture
def admin(make_user):
    return make_user(Role.APP_ADMIN)


def test_R_5_6_the_admin_enters_an_item_and_it_is_audited(admin):
    item = catalogue.item_save(actor=admin, pk=None, row=ROW)
    assert item.reference_price == Decimal("52000.00") and item.provider_name == "CV Sinar Maros"
    assert "kertas" in item.search_text and item.updated_by == admin
    event = AuditEvent.objects.get(action="catalog.catalogue.create")
    assert event.data["before"] is None and event.data["after"]["code"] == "ATK-001"


def test_R_5_6_a_change_keeps_the_code_and_audits_before_and_after(admin):
    item = catalogue.item_save(actor=admin, pk=None, row=ROW)
    changed = catalogue.item_save(
        actor=admin, pk=item.pk, row={**ROW, "code": "OTHER", "reference_price": "54000"}
    )
    assert changed.code == "ATK-001" and changed.reference_price == Decimal("54000")
    event = AuditEvent.objects.get(action="catalog.catalogue.change")
    assert event.data["before"]["reference_price"] == "52000.00"
    assert event.data["after"]["reference_price"] == "54000.00"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"reference_price": "gratis"}, "reference_price", "Write the amount in rupiah"),
        ({"valid_until": "2025-01-01"}, "valid_until", "before valid_from"),
        ({"valid_from": "1/1/2026"}, "valid_from", "YYYY-MM-DD"),
        ({"code": "atk 1"}, "code", "not a valid code"),
        ({"unit": " "}, "unit", "unit and the provider"),
    ],
)
def test_R_5_6_the_form_refuses_what_the_import_refuses(admin, change, field, words):
    with pytest.raises(DomainError) as refused:
        catalogue.item_save(actor=admin, pk=None, row={**ROW, **change})
    assert refused.value.field == field and words in str(refused.value.message)
    # The same rule, in the same words, for a CSV line.
    line = ",".join(f'"{v}"' for v in {**ROW, **change}.values())
    header = ",".join(imports.COLUMNS["catalogue"])
    report = imports.csv_check(kind="catalogue", data=f"{header}\n{line}\n".encode())
    assert words in report.errors[0][1]
    assert not CatalogueItem.objects.exists()


def test_R_5_6_a_new_item_cannot_take_a_used_code(admin):
    catalogue.item_save(actor=admin, pk=None, row=ROW)
    with pytest.raises(DomainError) as refused:
        catalogue.item_save(actor=admin, pk=None, row={**ROW, "name": "Lain"})
    assert refused.value.field == "code" and "already used" in refused.value.message
    assert CatalogueItem.objects.get().name == ROW["name"]


def test_R_5_6_only_the_administrator_writes_the_catalogue(make_user):
    with pytest.raises(DomainError) as refused:
        catalogue.item_save(actor=make_user(Role.PROVIDER), pk=None, row=ROW)
    assert refused.value.code == "forbidden" and not CatalogueItem.objects.exists()


def test_R_5_6_retire_and_reinstate_are_audited(admin):
    item = catalogue.item_save(actor=admin, pk=None, row=ROW)
    catalogue.item_retire(actor=admin, pk=item.pk)
    today = timezone.localdate()
    assert not selectors.catalogue_page(query="", today=today, number=1).rows
    with pytest.raises(DomainError):
        catalogue.item_retire(actor=admin, pk=item.pk)
    catalogue.item_retire(actor=admin, pk=item.pk, retire=False)
    assert [i.code for i in selectors.catalogue_page(query="", today=today, number=1)] == [
        "ATK-001"
    ]
    actions = AuditEvent.objects.filter(action__startswith="catalog.catalogue.")
    assert set(actions.values_list("action", flat=True)) == {
        "catalog.catalogue.create",
        "catalog.catalogue.retire",
        "catalog.catalogue.reinstate",
    }


def test_R_5_6_the_item_form_pages_enter_and_change(admin, client):
    client.force_login(admin)
    assert client.get(reverse("catalog:catalogue_new")).status_code == 200
    bad = client.post(reverse("catalog:catalogue_new"), {**ROW, "reference_price": "gratis"})
    assert bad.status_code == 200 and "Write the amount in rupiah" in bad.content.decode()
    assert "CV Sinar Maros" in bad.content.decode()  # what was typed is kept
    assert not CatalogueItem.objects.exists()
    done = client.post(reverse("catalog:catalogue_new"), ROW)
    assert done.status_code == 302
    item = CatalogueItem.objects.get()
    edit = reverse("catalog:catalogue_edit", args=[item.pk])
    assert "52000,00" in client.get(edit).content.decode()
    client.post(edit, {**ROW, "name": "Kertas HVS A4 80 gram"})
    item.refresh_from_db()
    assert item.name == "Kertas HVS A4 80 gram" and item.code == "ATK-001"
    listing = client.get(reverse("catalog:catalogue_admin")).content.decode()
    assert edit in listing and reverse("catalog:catalogue_new") in listing


def _items(count: int, *, name="Barang", valid_until=date(2099, 12, 31)):
    now = timezone.now()
    made = CatalogueItem.objects.bulk_create(
        CatalogueItem(
            code=f"K-{name}-{i:04d}",
            name=f"{name} {i:04d}",
            unit="buah",
            reference_price=Decimal(1000),
            provider_name="CV A",
            valid_from=date(2020, 1, 1),
            valid_until=valid_until,
            search_text=f"k-{name}-{i:04d} {name} {i:04d} cv a".lower(),
            updated_at=now,
        )
        for i in range(count)
    )
    search_index.reindex(made)  # what the catalogue's writes do


def test_R_5_6_the_public_list_pages_next_and_previous_without_a_count(client):
    _items(120)
    _items(5, name="Kedaluwarsa", valid_until=timezone.localdate() - timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("catalog:catalogue")).content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert "Barang 0049" in first and "Barang 0050" not in first and "page=2" in first
    last = client.get(reverse("catalog:catalogue"), {"page": "3"}).content.decode()
    assert "Barang 0119" in last and "page=2" in last and "page=4" not in last
    assert "Kedaluwarsa" not in last
    # A page past the end, or not a number, shows an empty page or the first, never an error.
    assert client.get(reverse("catalog:catalogue"), {"page": "99"}).status_code == 200
    assert "Barang 0000" in client.get(reverse("catalog:catalogue"), {"page": "x"}).content.decode()


def test_R_5_6_search_pages_through_matches_only(client):
    _items(60, name="Semen")
    _items(60, name="Kertas")
    page = selectors.catalogue_page(query="semen 00", today=timezone.localdate(), number=1)
    assert len(page.rows) == 50 and page.has_next
    assert all(item.name.startswith("Semen 00") for item in page)
    second = selectors.catalogue_page(query="semen 00", today=timezone.localdate(), number=2)
    assert [i.name for i in second] == [f"Semen 00{n}" for n in range(50, 60)]
    assert not second.has_next
