"""A provider's experience and its basic capability, *kemampuan dasar* (issue 5, R-5.6).

KD = 3 × NPt, where NPt is the company's highest experience value of the last 15 years (in the
sub-field asked for), brought to the prices of the evaluation month with the administrator's
price index: value × index(evaluation month) / index(completion month), each the latest index at
or before its month. A missing index means no adjustment, and the explanation says so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.catalog.models import BusinessSubField, PriceIndex
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, Blob
from lpse.providers.models import Company, Experience
from lpse.providers.selectors import basic_capability, experiences_of
from lpse.providers.services import experience as services

pytestmark = pytest.mark.django_db

PROOF = b"%PDF-1.4\n% berita acara serah terima pekerjaan\n%%EOF\n"
AT = date(2026, 7, 15)  # the evaluation day


def proof(data: bytes = PROOF, name: str = "bast.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def sub(code: str) -> BusinessSubField:
    return BusinessSubField.objects.get(code=code)


def index(year: int, month: int, value: str) -> PriceIndex:
    return PriceIndex.objects.create(
        year=year, month=month, value=Decimal(value), updated_at=timezone.now()
    )


def record(actor, *, value="1.000.000.000", completed=date(2020, 3, 20), code="K01", name=None):
    return services.experience_add(
        actor=actor,
        data=services.ExperienceData(
            contract_name=name or f"Pembangunan gedung {completed.year}",
            client="Dinas Pendidikan Kabupaten Maros",
            sub_field=sub(code),
            contract_value=value,
            completed_on=completed,
        ),
        proof=proof(),
    )


@pytest.fixture
def company(verified_provider) -> Company:
    return verified_provider.company


# --- recording experience -------------------------------------------------------------------


def test_a_provider_records_a_completed_contract_with_its_proof(verified_provider, company):
    experience = record(verified_provider, value="Rp 1.250.000.000,50")
    assert experience.company == company
    assert experience.contract_value == Decimal("1250000000.50")  # exact rupiah, never a float
    assert experience.proof.sha256 == Blob.objects.get().sha256
    event = AuditEvent.objects.get(action="experience.add")
    assert event.data["value"] == "1250000000.50"
    assert event.data["proof_sha256"] == experience.proof.sha256


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("contract_value", {"contract_value": "0"}, "must be positive"),
        ("contract_value", {"contract_value": "satu miliar"}, "Write the amount in rupiah"),
        ("completed_on", {"completed_on": date(2099, 1, 1)}, "cannot be in the future"),
        ("completed_on", {"completed_on": None}, "Give the date"),
        ("contract_name", {"contract_name": "  "}, "Name the contract"),
        ("sub_field", {"sub_field": None}, "Choose the business sub-field"),
    ],
)
def test_an_experience_with_a_bad_field_is_refused_and_nothing_stored(
    verified_provider, field, overrides, message
):
    data = {
        "contract_name": "Jalan desa",
        "client": "Dinas PUPR",
        "sub_field": sub("K02"),
        "contract_value": "500.000.000",
        "completed_on": date(2024, 5, 1),
        **overrides,
    }
    with pytest.raises(DomainError, match=message) as err:
        services.experience_add(
            actor=verified_provider, data=services.ExperienceData(**data), proof=proof()
        )
    assert err.value.field == field
    assert not Experience.objects.exists() and not Blob.objects.exists()


def test_an_experience_proof_of_the_wrong_type_is_refused(verified_provider):
    with pytest.raises(DomainError, match="not a PDF, JPEG or PNG") as err:
        services.experience_add(
            actor=verified_provider,
            data=services.ExperienceData("Jalan", "PUPR", sub("K02"), "5000000", date(2024, 5, 1)),
            proof=proof(b"GIF89a", "bast.gif"),
        )
    assert err.value.field == "proof"
    assert not Experience.objects.exists() and not Blob.objects.exists()


def test_only_a_provider_records_experience_and_only_for_its_own_company(
    verified_provider, make_user, client
):
    mine = record(verified_provider)
    for role in (Role.COMMITTEE, Role.APP_ADMIN):
        with pytest.raises(DomainError, match="not allowed"):
            record(make_user(role))
    other = make_user(Role.PROVIDER, username="cv-lain")
    Company.objects.create(
        user=other,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Lain Jaya",
        npwp="099999999999000",
        nib="1",
        address="-",
        city="Maros",
        phone="1",
        email=other.email,
        director_name="-",
        registered_at=timezone.now(),
        verify_by=timezone.now(),
        forms_ref="ref-lain",
    )
    with pytest.raises(DomainError, match="another company"):
        services.experience_withdraw(actor=other, experience=mine)
    client.force_login(other)
    assert mine.contract_name not in client.get("/penyedia/pengalaman/").content.decode()
    assert client.get(f"/penyedia/pengalaman/{mine.pk}/bukti/").status_code == 404
    assert client.post(f"/penyedia/pengalaman/{mine.pk}/tarik/").status_code == 404
    assert experiences_of(mine.company).count() == 1


def test_the_provider_adds_and_withdraws_experience_on_its_page(verified_provider, client):
    client.force_login(verified_provider)
    response = client.post(
        "/penyedia/pengalaman/",
        {
            "contract_name": "Rehabilitasi SDN 12 Turikale",
            "client": "Dinas Pendidikan",
            "sub_field": sub("K01").pk,
            "contract_value": "1.000.000.000",
            "completed_on": "2021-06-30",
            "proof": proof(),
        },
    )
    assert response.status_code == 302
    experience = Experience.objects.get()
    page = client.get("/penyedia/pengalaman/").content.decode()
    assert "Rehabilitasi SDN 12 Turikale" in page and "1,000,000,000.00" in page
    download = client.get(f"/penyedia/pengalaman/{experience.pk}/bukti/")
    assert b"".join(download.streaming_content) == PROOF
    client.post(f"/penyedia/pengalaman/{experience.pk}/tarik/")
    experience.refresh_from_db()
    assert experience.withdrawn_at is not None  # kept on file, no longer counted
    assert not experiences_of(experience.company).exists()


# --- kemampuan dasar --------------------------------------------------------------------------


def test_kd_is_three_times_the_best_experience_adjusted_with_the_price_index(
    verified_provider, company
):
    """1,000,000,000 completed in March 2020 (index 100), evaluated in July 2026 (index 125):
    NPt = 1,000,000,000 × 125 / 100 = 1,250,000,000 and KD = 3 × NPt = 3,750,000,000."""
    index(2020, 3, "100")
    index(2026, 7, "125")
    best = record(verified_provider, value="1.000.000.000", completed=date(2020, 3, 20))
    kd = basic_capability(company, at=AT)
    assert kd.adjusted_value == Decimal("1250000000.00")
    assert kd.value == Decimal("3750000000.00")
    assert kd.experience == best and kd.adjusted
    assert (kd.completion_index.value, kd.current_index.value) == (100, 125)
    assert "Rp 1,000,000,000 × 125 (July 2026) ÷ 100 (March 2020) = NPt Rp 1,250,000,000" in (
        kd.explanation
    )
    assert "KD = 3 × NPt = 3 × Rp 1,250,000,000 = Rp 3,750,000,000" in kd.explanation


def test_a_month_without_an_index_uses_the_latest_one_before_it(verified_provider, company):
    index(2019, 12, "96.5")  # nothing published for March 2020
    index(2026, 5, "121.3")  # nor for June/July 2026
    record(verified_provider, value="800.000.000", completed=date(2020, 3, 1))
    kd = basic_capability(company, at=AT)
    # 800,000,000 × 121.3 / 96.5 = 1,005,595,854.92 (to the sen)
    assert kd.adjusted_value == Decimal("1005595854.92")
    assert kd.value == Decimal("3016787564.76")
    assert (kd.completion_index.period, kd.current_index.period) == (
        date(2019, 12, 1),
        date(2026, 5, 1),
    )
    assert "× 121.3 (May 2026) ÷ 96.5 (December 2019)" in kd.explanation


def test_a_missing_index_means_no_adjustment_and_the_explanation_says_so(
    verified_provider, company
):
    index(2023, 1, "110")  # nothing at or before the completion month
    record(verified_provider, value="600.000.000", completed=date(2021, 8, 10))
    kd = basic_capability(company, at=AT)
    assert not kd.adjusted and kd.completion_index is None
    assert kd.adjusted_value == Decimal("600000000") and kd.value == Decimal("1800000000")
    assert "No price index is recorded for August 2021 or any month before it" in kd.explanation
    assert "without adjustment" in kd.explanation

    PriceIndex.objects.all().delete()  # no index at all
    kd = basic_capability(company, at=AT)
    assert not kd.adjusted and kd.value == Decimal("1800000000")
    assert "No price index is recorded for July 2026" in kd.explanation


def test_no_experience_means_kd_zero_with_the_reason(company):
    kd = basic_capability(company, at=AT)
    assert kd.value == 0 and kd.adjusted_value == 0 and kd.experience is None
    assert "no contract completed between 15 July 2011 and 15 July 2026" in kd.explanation
    assert "KD = 0" in kd.explanation


def test_only_the_sub_field_asked_for_counts(verified_provider, company):
    record(verified_provider, value="2.000.000.000", completed=date(2024, 1, 5), code="K02")
    building = record(verified_provider, value="900.000.000", completed=date(2024, 2, 5))
    assert basic_capability(company, at=AT).value == Decimal("6000000000")
    kd = basic_capability(company, sub_field=sub("K01"), at=AT)
    assert kd.experience == building and kd.value == Decimal("2700000000")
    kd = basic_capability(company, sub_field=sub("K03"), at=AT)
    assert kd.value == 0 and "in sub-field K03 Irigasi dan Drainase" in kd.explanation


def test_only_the_last_fifteen_years_and_no_later_work_counts(verified_provider, company):
    record(verified_provider, value="9.000.000.000", completed=date(2011, 7, 14))  # 15 y + 1 day
    edge = record(verified_provider, value="1.000.000.000", completed=date(2011, 7, 15))
    record(verified_provider, value="5.000.000.000", completed=date(2026, 7, 16))  # after AT
    kd = basic_capability(company, at=AT)
    assert kd.experience == edge and kd.considered == 1
    assert kd.value == Decimal("3000000000")


def test_the_highest_value_is_chosen_after_adjustment(verified_provider, company):
    """An older, smaller contract can be worth more at today's prices than a newer one."""
    index(2012, 1, "50")
    index(2025, 1, "118")
    index(2026, 7, "120")
    old = record(verified_provider, value="500.000.000", completed=date(2012, 1, 31), name="Lama")
    record(verified_provider, value="1.100.000.000", completed=date(2025, 1, 31), name="Baru")
    kd = basic_capability(company, at=AT)
    # 500,000,000 × 120/50 = 1,200,000,000 > 1,100,000,000 × 120/118 = 1,118,644,067.80
    assert kd.experience == old and kd.adjusted_value == Decimal("1200000000.00")
    assert kd.considered == 2


def test_withdrawn_experience_does_not_count(verified_provider, company):
    experience = record(verified_provider)
    services.experience_withdraw(actor=verified_provider, experience=experience)
    assert basic_capability(company, at=AT).value == 0
    with pytest.raises(DomainError, match="already withdrawn"):
        services.experience_withdraw(actor=verified_provider, experience=experience)


def test_the_provider_page_shows_its_kd_and_the_explanation(verified_provider, client):
    index(2020, 3, "100")
    index(timezone.localdate().year, timezone.localdate().month, "125")
    record(verified_provider, value="1.000.000.000", completed=date(2020, 3, 20))
    client.force_login(verified_provider)
    page = client.get("/penyedia/pengalaman/").content.decode()
    assert "KD = Rp 3,750,000,000.00" in page
    assert "Adjusted with the price index" in page
    page = client.get(f"/penyedia/pengalaman/?sub_field={sub('K02').pk}").content.decode()
    assert "KD = Rp 0.00" in page
