"""Master data screens of the application administrator (R-5.6): business fields, sub-fields
and goods categories are created, renamed and retired — never deleted — and every change is
audited; a retired sub-field stays on what names it but is no longer offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.catalog import master_data, selectors
from lpse.catalog.models import BusinessField, BusinessSubField, Origin
from lpse.catalog.services import reference_data_load
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    reference_data_load(actor=None)
    return make_user(Role.APP_ADMIN)


def test_R_5_6_the_admin_creates_a_sub_field_under_a_field_and_it_is_audited(admin):
    row = master_data.master_data_create(
        actor=admin,
        kind="sub_fields",
        code="41011",
        name="Konstruksi Gedung Hunian",
        field_code="F",
    )
    assert row.field.code == "F" and row.origin == Origin.ADMIN
    event = AuditEvent.objects.get(action="catalog.sub_fields.create")
    assert event.data["code"] == "41011" and event.actor == admin
    assert row in selectors.sub_fields_for_choice()


@pytest.mark.parametrize(
    "code, field_code, message",
    [
        ("41 011", "F", "not a valid code"),
        ("k01", "F", "not a valid code"),
        ("41", "F", "The code 41 is taken"),
        ("41999", "ZZ", "There is no business field “ZZ”"),
    ],
)
def test_R_5_6_a_bad_new_entry_is_refused_with_what_to_do(admin, code, field_code, message):
    before = BusinessSubField.objects.count()
    with pytest.raises(DomainError, match=message):
        master_data.master_data_create(
            actor=admin, kind="sub_fields", code=code, name="Contoh", field_code=field_code
        )
    assert BusinessSubField.objects.count() == before


def test_R_5_6_renaming_keeps_the_code_and_records_the_old_name(admin):
    row = BusinessSubField.objects.get(code="41")
    master_data.master_data_rename(actor=admin, kind="sub_fields", pk=row.pk, name="Gedung")
    row.refresh_from_db()
    assert row.name == "Gedung" and row.code == "41"
    event = AuditEvent.objects.get(action="catalog.sub_fields.rename")
    assert event.data["before"] == "Konstruksi Gedung" and event.data["after"] == "Gedung"


def test_R_5_6_a_retired_sub_field_is_kept_but_no_longer_offered(admin, verified_provider):
    row = BusinessSubField.objects.get(code="K01")  # the provider's own sub-field
    master_data.master_data_retire(actor=admin, kind="sub_fields", pk=row.pk)
    assert BusinessSubField.objects.filter(pk=row.pk).exists()
    assert verified_provider.company.sub_fields.filter(pk=row.pk).exists()  # history kept
    assert row not in selectors.sub_fields_for_choice()
    assert selectors.sub_field_by_id(row.pk) is None  # no new package can name it
    with pytest.raises(DomainError, match="already retired"):
        master_data.master_data_retire(actor=admin, kind="sub_fields", pk=row.pk)
    master_data.master_data_retire(actor=admin, kind="sub_fields", pk=row.pk, retire=False)
    assert row in selectors.sub_fields_for_choice()
    actions = list(
        AuditEvent.objects.filter(action__startswith="catalog.sub_fields").values_list(
            "action", flat=True
        )
    )
    assert actions == ["catalog.sub_fields.retire", "catalog.sub_fields.reinstate"]


def test_R_5_6_retiring_a_field_withdraws_its_sub_fields_from_new_choices(admin):
    field = BusinessField.objects.get(code="F")
    master_data.master_data_retire(actor=admin, kind="fields", pk=field.pk)
    assert not selectors.sub_fields_for_choice().filter(field=field).exists()
    sub = BusinessSubField.objects.get(code="41")
    master_data.master_data_retire(actor=admin, kind="sub_fields", pk=sub.pk)
    with pytest.raises(DomainError, match="Reinstate its business field"):
        master_data.master_data_retire(actor=admin, kind="sub_fields", pk=sub.pk, retire=False)


def test_R_5_6_a_retired_goods_category_is_no_longer_offered(admin):
    from lpse.catalog.models import GoodsCategory

    consulting = GoodsCategory.objects.get(code="consulting")
    master_data.master_data_retire(actor=admin, kind="categories", pk=consulting.pk)
    assert "consulting" not in dict(selectors.goods_categories_for_choice())


def test_R_5_6_only_the_application_admin_maintains_master_data(admin, make_user):
    with pytest.raises(DomainError, match="not allowed"):
        master_data.master_data_create(
            actor=make_user(Role.HELPDESK), kind="fields", code="X1", name="Contoh"
        )


def test_R_5_6_the_pages_create_rename_and_retire(admin, client):
    client.force_login(admin)
    page = client.get(reverse("catalog:fields"))
    assert "Konstruksi" in page.content.decode()
    response = client.post(
        reverse("catalog:fields"), {"code": "KBG", "name": "Konstruksi Bangunan Gedung (lokal)"}
    )
    assert response.status_code == 302
    row = BusinessField.objects.get(code="KBG")
    client.post(reverse("catalog:fields_rename", args=[row.pk]), {"name": "Gedung lokal"})
    client.post(reverse("catalog:fields_retire", args=[row.pk]), {"action": "retire"})
    row.refresh_from_db()
    assert row.name == "Gedung lokal" and row.retired_at is not None
    bad = client.post(reverse("catalog:fields"), {"code": "bad code", "name": "Contoh"})
    assert "not a valid code" in bad.content.decode()
