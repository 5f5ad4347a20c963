"""The price index the administrator maintains (R-5.6: "update the price index used in
evaluating a provider's basic capability"): one positive value per month, recorded and audited.
How it is used is in tests/test_experience.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog import services
from lpse.catalog.models import PriceIndex
from lpse.catalog.selectors import PriceIndexTable
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 7, 15, 10, 0, tzinfo=WITA)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin(make_user):
    return make_user(Role.APP_ADMIN)


def test_R_5_6_the_administrator_records_a_months_index_typed_the_indonesian_way(admin):
    index = services.price_index_save(
        actor=admin, year=2026, month=6, value="112,45", source="BPS, IHK 2018=100"
    )
    assert (index.year, index.month, index.value) == (2026, 6, Decimal("112.45"))
    assert index.updated_by == admin
    event = AuditEvent.objects.get(action="price_index.save")
    assert event.data == {
        "period": "2026-06",
        "value": "112.45",
        "source": "BPS, IHK 2018=100",
        "before": None,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than zero"),
        ("-3", "greater than zero"),
        ("seratus", "Write the index as a number"),
        ("", "Write the index as a number"),
        ("101.123456", "at most four decimals"),
    ],
)
def test_R_5_6_the_index_must_be_a_positive_number(admin, value, message):
    with pytest.raises(DomainError, match=message) as err:
        services.price_index_save(actor=admin, year=2026, month=6, value=value)
    assert err.value.field == "value"
    assert not PriceIndex.objects.exists()


def test_R_5_6_one_index_per_month_corrections_edit_it(admin):
    first = services.price_index_save(actor=admin, year=2026, month=6, value="112.45")
    with pytest.raises(DomainError, match="already recorded: edit that one") as err:
        services.price_index_save(actor=admin, year=2026, month=6, value="113")
    assert err.value.field == "month"
    corrected = services.price_index_save(
        actor=admin, index=first, year=2026, month=6, value="112.54", source="BPS (revisi)"
    )
    assert corrected.pk == first.pk and corrected.value == Decimal("112.54")
    assert PriceIndex.objects.count() == 1
    event = AuditEvent.objects.filter(action="price_index.save").last()
    assert event.data["before"] == {"period": "2026-06", "value": "112.4500"}
    # Moving a correction onto another recorded month is refused too.
    services.price_index_save(actor=admin, year=2026, month=5, value="111")
    with pytest.raises(DomainError, match="already recorded"):
        services.price_index_save(actor=admin, index=first, year=2026, month=5, value="112")


@pytest.mark.parametrize(
    ("year", "month", "message"),
    [(2026, 8, "up to this month"), (1980, 1, "up to this month"), (2026, 13, "from 1 to 12")],
)
def test_R_5_6_no_index_for_a_month_that_has_not_begun_or_does_not_exist(
    admin, year, month, message
):
    with pytest.raises(DomainError, match=message):
        services.price_index_save(actor=admin, year=year, month=month, value="120")
    assert not PriceIndex.objects.exists()


def test_R_5_6_only_the_price_index_capability_maintains_it(make_user):
    for role in (Role.VERIFIER, Role.AGENCY_ADMIN, Role.PROVIDER, Role.SYSADMIN):
        with pytest.raises(DomainError, match="not allowed"):
            services.price_index_save(actor=make_user(role), year=2026, month=6, value="112")
    assert not PriceIndex.objects.exists()


def test_the_latest_index_at_or_before_a_month_is_used():
    for year, month, value in [(2025, 12, "118"), (2026, 3, "120"), (2026, 6, "121")]:
        PriceIndex.objects.create(
            year=year, month=month, value=Decimal(value), updated_at=timezone.now()
        )
    table = PriceIndexTable()
    assert table.at_or_before(date(2025, 11, 30)) is None
    assert table.at_or_before(date(2025, 12, 1)).value == 118
    assert table.at_or_before(date(2026, 5, 31)).value == 120
    assert table.at_or_before(date(2026, 7, 15)).value == 121


def test_R_5_6_the_price_index_page_adds_shows_and_corrects(admin, client):
    client.force_login(admin)
    response = client.post(
        "/admin-lpse/indeks-harga/",
        {"year": "2026", "month": "6", "value": "112,45", "source": "BPS"},
    )
    assert response.status_code == 302
    page = client.get("/admin-lpse/indeks-harga/").content.decode()
    assert "June 2026" in page and "112.45" in page and admin.username in page

    duplicate = client.post(
        "/admin-lpse/indeks-harga/", {"year": "2026", "month": "6", "value": "113"}
    )
    assert "is already recorded: edit that one instead" in duplicate.content.decode()
    negative = client.post(
        "/admin-lpse/indeks-harga/", {"year": "2026", "month": "5", "value": "-1"}
    )
    assert "The index must be greater than zero" in negative.content.decode()
    assert PriceIndex.objects.count() == 1

    index = PriceIndex.objects.get()
    form = client.get(f"/admin-lpse/indeks-harga/{index.pk}/ubah/").content.decode()
    assert 'value="112.45"' in form
    client.post(
        f"/admin-lpse/indeks-harga/{index.pk}/ubah/",
        {"year": "2026", "month": "6", "value": "112,54", "source": "BPS (revisi)"},
    )
    index.refresh_from_db()
    assert index.value == Decimal("112.54") and index.source == "BPS (revisi)"


def test_R_5_6_other_roles_cannot_open_the_price_index_page(make_user, client):
    client.force_login(make_user(Role.VERIFIER))
    assert client.get("/admin-lpse/indeks-harga/").status_code == 403
