"""E-purchasing from the local catalogue (R-8.6): the PPK orders catalogue items from a verified
provider, the provider confirms and delivers, the PPK records the receipt; a price above the
catalogue's, a retired item or an unverified provider is refused and nothing is stored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lpse.accounts.roles import Role
from lpse.catalog import catalogue
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.nontender.models import CatalogueOrder, OrderLine
from lpse.nontender.services.purchasing import (
    LineData,
    delivery_record,
    order_confirm,
    order_create,
    order_decline,
    receipt_record,
)
from tests.tender_fixtures import agency_a, verified_provider  # noqa: F401

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
def paper(make_user):
    return catalogue.item_save(actor=make_user(Role.APP_ADMIN), pk=None, row=ROW)


def test_R_8_6_an_e_purchase_goes_from_order_to_receipt(
    agency_a, verified_provider, paper, make_user, django_capture_on_commit_callbacks
):
    company = verified_provider.company
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(
            actor=agency_a.ppk,
            company=company,
            lines=[LineData(item_id=paper.pk, quantity=40, unit_price="50.000")],
            delivery_address="Kantor Dinas PUPR, Jl. Poros Maros",
        )
    assert order.state == CatalogueOrder.State.ORDERED
    assert order.total == Decimal("2000000")
    assert SentEmail.objects.filter(to__contains=company.email).exists()

    with pytest.raises(DomainError, match="cannot be done now"):
        receipt_record(actor=agency_a.ppk, order=order, note="before the delivery")
    order = order_confirm(actor=verified_provider, order=order)
    assert order.state == CatalogueOrder.State.CONFIRMED
    order = delivery_record(actor=verified_provider, order=order, note="40 rim, surat jalan 17")
    assert order.state == CatalogueOrder.State.DELIVERED
    other_ppk = make_user(Role.PPK, username="ppk2-dpupr")
    with pytest.raises(DomainError, match="Only the PPK who ordered"):
        receipt_record(actor=other_ppk, order=order, note="x")
    order = receipt_record(actor=agency_a.ppk, order=order, note="diterima lengkap")
    assert order.state == CatalogueOrder.State.RECEIVED and order.received_at is not None
    assert list(
        AuditEvent.objects.filter(action__startswith="epurchase.").values_list("action", flat=True)
    ) == ["epurchase.order", "epurchase.confirm", "epurchase.deliver", "epurchase.receive"]


def test_R_8_6_a_price_above_the_catalogue_is_refused_and_nothing_stored(
    agency_a, verified_provider, paper
):
    with pytest.raises(DomainError, match="above the catalogue's") as caught:
        order_create(
            actor=agency_a.ppk,
            company=verified_provider.company,
            lines=[LineData(item_id=paper.pk, quantity=1, unit_price="52.000,01")],
            delivery_address="Kantor",
        )
    assert caught.value.code == "above_catalogue"
    assert not CatalogueOrder.objects.exists() and not OrderLine.objects.exists()
    assert not AuditEvent.objects.filter(action="epurchase.order").exists()


def test_R_8_6_a_retired_item_or_an_unverified_provider_is_refused(
    agency_a, verified_provider, paper, make_user
):
    company = verified_provider.company
    company.state = "awaiting_verification"
    company.save(update_fields=["state"])
    line = LineData(item_id=paper.pk, quantity=1, unit_price="52.000")
    with pytest.raises(DomainError, match="verified provider"):
        order_create(actor=agency_a.ppk, company=company, lines=[line], delivery_address="K")
    company.state = "verified"
    company.save(update_fields=["state"])
    catalogue.item_retire(actor=make_user(Role.APP_ADMIN), pk=paper.pk)
    with pytest.raises(DomainError, match="retired or not valid"):
        order_create(actor=agency_a.ppk, company=company, lines=[line], delivery_address="K")
    assert not CatalogueOrder.objects.exists()


def test_R_8_6_only_the_ordered_provider_confirms_and_a_decline_needs_a_reason(
    agency_a, verified_provider, paper, make_user
):
    order = order_create(
        actor=agency_a.ppk,
        company=verified_provider.company,
        lines=[LineData(item_id=paper.pk, quantity=2, unit_price="52.000")],
        delivery_address="Kantor",
    )
    stranger = make_user(Role.PROVIDER, username="cv-lain")
    with pytest.raises(DomainError, match="another provider"):
        order_confirm(actor=stranger, order=order)
    with pytest.raises(DomainError, match="cannot be done now"):
        delivery_record(actor=verified_provider, order=order, note="")
    with pytest.raises(DomainError, match="why you decline"):
        order_decline(actor=verified_provider, order=order, reason=" ")
    order = order_decline(actor=verified_provider, order=order, reason="stok habis")
    assert order.state == CatalogueOrder.State.DECLINED
    with pytest.raises(DomainError, match="cannot be done now"):
        order_confirm(actor=verified_provider, order=order)


def test_R_8_6_the_order_pages_take_an_order_to_its_receipt(
    client, agency_a, verified_provider, paper
):
    from django.urls import reverse

    client.force_login(agency_a.ppk)
    form = {
        "company": verified_provider.company.pk,
        "item": paper.pk,
        "quantity": "3",
        "unit_price": "53.000",
        "delivery_address": "Kantor Dinas PUPR",
    }
    refused = client.post(reverse("nontender:orders"), form)
    assert refused.status_code == 400 and "above the catalogue" in refused.content.decode()
    assert not CatalogueOrder.objects.exists()
    client.post(reverse("nontender:orders"), {**form, "unit_price": "51.500"})
    order = CatalogueOrder.objects.get()
    client.force_login(verified_provider)
    assert order.code in client.get(reverse("nontender:my_invitations")).content.decode()
    client.post(reverse("nontender:order_confirm", args=[order.pk]))
    client.post(reverse("nontender:order_deliver", args=[order.pk]), {"note": "surat jalan 9"})
    client.force_login(agency_a.ppk)
    client.post(reverse("nontender:order_receive", args=[order.pk]), {"note": "lengkap"})
    order.refresh_from_db()
    assert order.state == CatalogueOrder.State.RECEIVED
    assert order.delivery_note == "surat jalan 9" and order.receipt_note == "lengkap"
