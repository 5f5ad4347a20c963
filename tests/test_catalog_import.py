"""CSV bulk import of master data and the local catalogue (R-5.6): a dry run lists every bad
row (wrong code format, duplicate, unknown parent, bad encoding), and a refused file stores
nothing. The shipped example of the 5-digit KBLI import goes through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog import imports, reference, selectors
from lpse.catalog.models import BusinessSubField, CatalogueItem
from lpse.catalog.services import reference_data_load
from lpse.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BAD_FILE = (
    b"code,field,name\n"
    b"41011,F,Konstruksi Gedung Hunian\n"  # line 2: good
    b"4101 2,F,Konstruksi Gedung Perkantoran\n"  # line 3: wrong code format
    b"41011,F,Konstruksi Gedung Hunian lagi\n"  # line 4: duplicate in the file
    b"42101,ZZ,Konstruksi Bangunan Sipil Jalan\n"  # line 5: unknown parent
    b"41,F,Nama lain untuk divisi 41\n"  # line 6: the code exists with another name
    b"46511,G,Perdagangan Besar Komputer (caf\xe9)\n"  # line 7: Latin-1, not UTF-8
)


@pytest.fixture
def admin(make_user):
    reference_data_load(actor=None)
    return make_user(Role.APP_ADMIN)


def test_R_5_6_a_dry_run_lists_every_bad_row_by_line(admin):
    report = imports.csv_import(actor=admin, kind="sub_fields", data=BAD_FILE, dry_run=True)
    errors = dict(report.errors)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "not a valid code" in errors[3]
    assert "duplicate code 41011 (also on line 2)" in errors[4]
    assert "unknown business field “ZZ”" in errors[5]
    assert "already exists as “Konstruksi Gedung”" in errors[6]
    assert "not UTF-8" in errors[7]
    assert not report.stored


def test_R_5_6_a_file_with_any_bad_row_stores_nothing(admin):
    before = BusinessSubField.objects.count()
    report = imports.csv_import(actor=admin, kind="sub_fields", data=BAD_FILE, dry_run=False)
    assert not report.ok and not report.stored
    assert BusinessSubField.objects.count() == before
    assert not BusinessSubField.objects.filter(code="41011").exists()
    assert not AuditEvent.objects.filter(action="catalog.sub_fields.import").exists()


def test_R_5_6_the_shipped_5_digit_example_imports_after_a_clean_dry_run(admin):
    data = (reference.REFERENCE_DIR / "examples" / "kbli2020-5digit-example.csv").read_bytes()
    dry = imports.csv_import(actor=admin, kind="sub_fields", data=data, dry_run=True)
    assert (
        dry.ok and len(dry.rows) == 6 and not BusinessSubField.objects.filter(code="41011").exists()
    )
    done = imports.csv_import(actor=admin, kind="sub_fields", data=data, dry_run=False)
    assert done.stored
    assert BusinessSubField.objects.get(code="41011").field.code == "F"
    assert AuditEvent.objects.get(action="catalog.sub_fields.import").data["added"] == 6
    again = imports.csv_import(actor=admin, kind="sub_fields", data=data, dry_run=True)
    assert again.ok and again.unchanged == 6 and not again.rows


def test_R_5_6_a_file_missing_a_column_is_refused(admin):
    report = imports.csv_import(
        actor=admin, kind="sub_fields", data=b"code,name\n1,x\n", dry_run=True
    )
    assert report.errors == [(1, "missing columns: field")]


CATALOGUE = (
    "code,name,specification,unit,reference_price,provider,valid_from,valid_until\n"
    'ATK-001,Kertas HVS A4,"70 gram, 500 lembar",rim,"52.000,00",CV Sinar Maros,2026-01-01,2026-12-31\n'
    "ATK-002,Tinta printer,Hitam 70 ml,botol,85000,CV Sinar Maros,2026-01-01,2026-12-31\n"
)


def test_R_5_6_catalogue_import_then_public_search(admin, client):
    report = imports.csv_import(
        actor=admin, kind="catalogue", data=CATALOGUE.encode(), dry_run=False
    )
    assert report.stored
    item = CatalogueItem.objects.get(code="ATK-001")
    assert item.reference_price == Decimal("52000.00") and item.unit == "rim"
    today = timezone.localdate().replace(year=2026, month=6, day=1)
    found = selectors.catalogue_page(query="hvs 500", today=today, number=1)
    assert [i.code for i in found] == ["ATK-001"]
    # A later file with a known code updates the price; nothing is duplicated.
    newer = CATALOGUE.replace('"52.000,00"', "54000")
    imports.csv_import(actor=admin, kind="catalogue", data=newer.encode(), dry_run=False)
    assert CatalogueItem.objects.count() == 2
    assert CatalogueItem.objects.get(code="ATK-001").reference_price == Decimal("54000")


def test_R_5_6_catalogue_rows_with_bad_prices_or_dates_are_listed(admin):
    bad = CATALOGUE + (
        "ATK-003,Map,,buah,gratis,CV A,2026-01-01,2026-12-31\n"
        "ATK-004,Pena,,buah,3000,CV A,2026-12-31,2026-01-01\n"
    )
    report = imports.csv_import(actor=admin, kind="catalogue", data=bad.encode(), dry_run=False)
    assert [line for line, _ in report.errors] == [4, 5]
    assert not CatalogueItem.objects.exists()


def test_R_5_6_the_import_page_shows_the_bad_rows(admin, client):
    client.force_login(admin)
    response = client.post(
        reverse("catalog:sub_fields_import"),
        {"file": SimpleUploadedFile("kbli.csv", BAD_FILE), "dry_run": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "nothing was stored" in page and "duplicate code 41011" in page


def test_R_5_6_the_public_catalogue_needs_no_sign_in(admin, client):
    imports.csv_import(actor=admin, kind="catalogue", data=CATALOGUE.encode(), dry_run=False)
    page = client.get(reverse("catalog:catalogue"), {"q": "tinta"}).content.decode()
    assert "Tinta printer" in page and "Kertas HVS" not in page
