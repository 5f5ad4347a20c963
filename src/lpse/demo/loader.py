"""Demo data: Maros regency's agencies, business fields, the checklist, one account per role.

Loaded by ``lpse demo`` (idempotent). The passwords are printed on the demo home page, which
exists only in demo mode.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from lpse.accounts.models import Agency, User
from lpse.accounts.roles import AGENCY_ROLES, Role
from lpse.demo.names import demo_password, demo_username

AGENCIES = [
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("RSUD", "RSUD Salewangang"),
    ("BPKD", "Badan Pengelolaan Keuangan Daerah"),
    ("DISHUB", "Dinas Perhubungan"),
    ("SETDA", "Sekretariat Daerah"),
]

# The business fields are the KBLI 2020 sections of the reference data (lpse setup loads the same
# files). The demo adds a few example sub-fields of its own under them, so its tenders and
# experiences have familiar names; they are examples, not an official list.
BUSINESS_FIELDS = [
    (
        "F",
        "Konstruksi",
        [
            ("K01", "Bangunan Gedung"),
            ("K02", "Jalan dan Jembatan"),
            ("K03", "Irigasi dan Drainase"),
        ],
    ),
    (
        "G",
        "Perdagangan Besar dan Eceran; Reparasi dan Perawatan Mobil dan Sepeda Motor",
        [("B01", "Alat Tulis Kantor"), ("B02", "Alat Kesehatan"), ("B03", "Komputer dan Jaringan")],
    ),
    (
        "M",
        "Aktivitas Profesional, Ilmiah dan Teknis",
        [("KS01", "Perencanaan"), ("KS02", "Pengawasan")],
    ),
    (
        "N",
        "Aktivitas Penyewaan dan Sewa Guna Usaha Tanpa Hak Opsi, Ketenagakerjaan, Agen Perjalanan"
        " dan Penunjang Usaha Lainnya",
        [("JL01", "Kebersihan"), ("JL02", "Katering")],
    ),
]

CHECKLIST = [
    ("Akta pendirian perusahaan dan perubahannya", "Asli dan fotokopi"),
    ("NPWP perusahaan", "Asli dan fotokopi"),
    ("NIB / SIUP", "Asli dan fotokopi, masih berlaku"),
    ("KTP direktur / pimpinan", "Asli dan fotokopi"),
    ("Bukti pelunasan pajak tahun terakhir (SPT)", "Fotokopi"),
    ("Formulir pendaftaran dan formulir keikutsertaan", "Diisi dan ditandatangani direktur"),
]


@transaction.atomic
def load() -> None:
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.catalog.services import reference_data_load
    from lpse.providers.models import VerificationItem

    if User.objects.filter(username=demo_username(Role.APP_ADMIN)).exists():
        return  # loaded before: keep whatever the demo user changed since
    agencies = {
        code: Agency.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in AGENCIES
    }
    reference_data_load(actor=None)
    for code, name, subs in BUSINESS_FIELDS:
        field, _ = BusinessField.objects.get_or_create(code=code, defaults={"name": name})
        for sub_code, sub_name in subs:
            BusinessSubField.objects.get_or_create(
                code=sub_code, defaults={"field": field, "name": sub_name}
            )
    if not VerificationItem.objects.exists():
        for order, (label, description) in enumerate(CHECKLIST, start=1):
            VerificationItem.objects.create(label=label, description=description, order=order)
    for role in Role:
        if role == Role.PROVIDER:
            continue
        agency = agencies["DPUPR"] if role in AGENCY_ROLES else None
        user_bootstrap(
            username=demo_username(role),
            email=f"{demo_username(role)}@lpse.localhost",
            roles={role},
            password=demo_password(role),
            agency=agency,
            first_name=str(role.label).split(" (")[0],
        )
    _demo_price_index()
    _demo_provider(agencies)
    _demo_tenders(agencies)
    from lpse.demo import servicedesk as demo_servicedesk

    demo_servicedesk.load(provider=User.objects.get(username=demo_username(Role.PROVIDER)))


def _demo_provider(agencies) -> None:
    """A verified provider with its company, so the provider role can be tried at once."""
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessSubField
    from lpse.providers.models import Company

    username = demo_username(Role.PROVIDER)
    user = user_bootstrap(
        username=username,
        email="direktur@cv-maju-bersama.localhost",
        roles={Role.PROVIDER},
        password=demo_password(Role.PROVIDER),
        first_name="Andi Baso",
    )
    if Company.objects.filter(user=user).exists():
        return
    from django.utils import timezone

    from lpse.providers.services.registration import verification_deadline

    now = timezone.now()
    company = Company.objects.create(
        user=user,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Maju Bersama",
        npwp="012345678901000",
        nib="9120001234567",
        address="Jl. Poros Maros-Makassar No. 10",
        city="Maros",
        phone="0411-371234",
        email=user.email,
        director_name="Andi Baso",
        registered_at=now,
        verify_by=verification_deadline(now),
        # Unguessable like a real registration's: the forms hold the director's data.
        forms_ref=secrets.token_urlsafe(32),
        decided_at=now,
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code__in=["K01", "K02", "K03"]))
    _demo_experiences(company)


# Issue 5: demo values shaped like a consumer price index (2018 = 100, about 3.5 % a year), so
# that kemampuan dasar can be tried at once. Not BPS figures: the administrator enters the real
# ones on the price index page.
DEMO_INDEX_FROM = 2010
DEMO_INDEX_SOURCE = "Contoh demo (bukan angka BPS), 2018=100"


def _demo_price_index() -> None:
    from decimal import Decimal

    from django.utils import timezone

    from lpse.catalog.models import PriceIndex

    today = timezone.localdate()
    rows = []
    for year in range(DEMO_INDEX_FROM, today.year + 1):
        for month in range(1, 13):
            if (year, month) > (today.year, today.month):
                break
            months = (year - 2018) * 12 + month - 1
            value = Decimal(100 * 1.035 ** (months / 12)).quantize(Decimal("0.01"))
            rows.append(
                PriceIndex(
                    year=year,
                    month=month,
                    value=value,
                    source=DEMO_INDEX_SOURCE,
                    updated_at=timezone.now(),
                )
            )
    PriceIndex.objects.bulk_create(rows, ignore_conflicts=True)


DEMO_EXPERIENCES = [
    # contract, client, sub-field, value (Rp), completed
    (
        "Pembangunan Gedung Kantor Kecamatan Bantimurung",
        "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Maros",
        "K01",
        "1850000000",
        (2019, 11, 28),
    ),
    (
        "Peningkatan Jalan Poros Tanralili",
        "Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Maros",
        "K02",
        "2400000000",
        (2022, 8, 15),
    ),
]


def _demo_experiences(company) -> None:
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from lpse.catalog.models import BusinessSubField
    from lpse.core.storage import store_bytes
    from lpse.providers.models import Experience

    for contract, client, sub_field, value, completed in DEMO_EXPERIENCES:
        proof = store_bytes(f"%PDF-1.4\n% BAST (demo): {contract}\n%%EOF\n".encode())
        Experience.objects.create(
            company=company,
            contract_name=contract,
            client=client,
            sub_field=BusinessSubField.objects.get(code=sub_field),
            contract_value=Decimal(value),
            completed_on=date(*completed),
            proof=proof,
            proof_name="bast-demo.pdf",
            recorded_by=company.user,
            recorded_at=timezone.now(),
        )


EXTRA_COMMITTEE_MEMBERS = ["demo.pokja-2", "demo.pokja-3"]


def _demo_tenders(agencies) -> None:
    from lpse.accounts.services import user_bootstrap
    from lpse.demo import tenders as demo_tenders

    def make_member(username: str) -> User:
        return user_bootstrap(
            username=username,
            email=f"{username}@lpse.localhost",
            roles={Role.COMMITTEE},
            password=demo_password(Role.COMMITTEE),
            agency=agencies["DPUPR"],
            first_name="Anggota Pokja",
        )

    demo_tenders.load(
        agency=agencies["DPUPR"],
        ppk=User.objects.get(username=demo_username(Role.PPK)),
        agency_admin=User.objects.get(username=demo_username(Role.AGENCY_ADMIN)),
        make_member=make_member,
    )


def demo_accounts_for_home() -> list[tuple[str, str, str]]:
    accounts = [
        (str(role.label), demo_username(role), demo_password(role))
        for role in Role
        if User.objects.filter(username=demo_username(role)).exists()
    ]
    accounts += [
        (str(Role.COMMITTEE.label), username, demo_password(Role.COMMITTEE))
        for username in EXTRA_COMMITTEE_MEMBERS
        if User.objects.filter(username=username).exists()
    ]
    return accounts


def home_page_accounts(request) -> dict:
    """The home page's list of demo accounts with their passwords (demo mode only)."""
    if not settings.LPSE_DEMO:
        return {}
    return {"demo_accounts": demo_accounts_for_home()}
