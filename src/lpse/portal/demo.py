"""Demo data: Maros regency's agencies, business fields, the checklist, one account per role.

Loaded by ``lpse demo`` (idempotent). The passwords are printed on the demo home page, which
exists only in demo mode.
"""

from __future__ import annotations

from django.db import transaction

from lpse.accounts.models import Agency, User
from lpse.accounts.roles import AGENCY_ROLES, Role

DEMO_PASSWORD_SUFFIX = "-Demo2026!"

AGENCIES = [
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("RSUD", "RSUD Salewangang"),
    ("BPKD", "Badan Pengelolaan Keuangan Daerah"),
    ("DISHUB", "Dinas Perhubungan"),
    ("SETDA", "Sekretariat Daerah"),
]

BUSINESS_FIELDS = [
    (
        "K",
        "Konstruksi",
        [
            ("K01", "Bangunan Gedung"),
            ("K02", "Jalan dan Jembatan"),
            ("K03", "Irigasi dan Drainase"),
        ],
    ),
    (
        "B",
        "Pengadaan Barang",
        [("B01", "Alat Tulis Kantor"), ("B02", "Alat Kesehatan"), ("B03", "Komputer dan Jaringan")],
    ),
    ("KS", "Jasa Konsultansi", [("KS01", "Perencanaan"), ("KS02", "Pengawasan")]),
    ("JL", "Jasa Lainnya", [("JL01", "Kebersihan"), ("JL02", "Katering")]),
]

CHECKLIST = [
    ("Akta pendirian perusahaan dan perubahannya", "Asli dan fotokopi"),
    ("NPWP perusahaan", "Asli dan fotokopi"),
    ("NIB / SIUP", "Asli dan fotokopi, masih berlaku"),
    ("KTP direktur / pimpinan", "Asli dan fotokopi"),
    ("Bukti pelunasan pajak tahun terakhir (SPT)", "Fotokopi"),
    ("Formulir pendaftaran dan formulir keikutsertaan", "Diisi dan ditandatangani direktur"),
]


def demo_username(role: str) -> str:
    return f"demo.{role.replace('_', '-')}"


def demo_password(role: str) -> str:
    return f"{role.replace('_', '-')}{DEMO_PASSWORD_SUFFIX}"


@transaction.atomic
def load() -> None:
    from lpse.accounts.services import user_bootstrap
    from lpse.catalog.models import BusinessField, BusinessSubField
    from lpse.providers.models import VerificationItem

    if User.objects.filter(username=demo_username(Role.APP_ADMIN)).exists():
        return  # loaded before: keep whatever the demo user changed since
    agencies = {
        code: Agency.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in AGENCIES
    }
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
    _demo_provider(agencies)
    _demo_tenders(agencies)


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

    from lpse.providers.services import verification_deadline

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
        forms_ref="demo-" + username,
        decided_at=now,
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code__in=["K01", "K02", "K03"]))


EXTRA_COMMITTEE_MEMBERS = ["demo.pokja-2", "demo.pokja-3"]


def _demo_tenders(agencies) -> None:
    from lpse.accounts.services import user_bootstrap
    from lpse.portal import demo_tenders

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
