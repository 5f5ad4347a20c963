"""Many published tenders at once, for the portal benchmark and scale tests.

Writes rows in bulk, bypassing the services on purpose: these are synthetic, not procurement
records, and the audit chain is not involved. Never run it on a production database: only
the benchmarks (bench/portal.py) and the tests call it; no command does.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lpse.accounts.models import Agency, User
from lpse.catalog.models import BusinessSubField
from lpse.tenders.listing import list_tenders, renumber
from lpse.tenders.models import Category, Committee, FundingSource, Package, ScheduleEntry, Tender
from lpse.tenders.search_index import index_tenders
from lpse.tenders.selectors.sample import sample_schedule

WORDS = [
    "Pembangunan",
    "Rehabilitasi",
    "Pengadaan",
    "Pemeliharaan",
    "Peningkatan",
    "Jasa",
    "Konsultansi",
    "Pengawasan",
]
OBJECTS = [
    "Gedung Kantor",
    "Jalan Desa",
    "Jembatan",
    "Saluran Irigasi",
    "Alat Kesehatan",
    "Komputer",
    "Puskesmas",
    "Sekolah Dasar",
    "Pasar Rakyat",
    "Drainase",
]
PLACES = [
    "Turikale",
    "Mandai",
    "Bantimurung",
    "Lau",
    "Bontoa",
    "Maros Baru",
    "Marusu",
    "Simbang",
    "Tanralili",
    "Moncongloe",
    "Camba",
    "Cenrana",
    "Mallawa",
    "Tompobulu",
]


def generate_tenders(
    count: int,
    *,
    ppk: User,
    committee: Committee,
    seed: int = 1,
    batch: int = 2000,
    start: datetime | None = None,
) -> int:
    rng = random.Random(seed)  # noqa: S311 — synthetic data, reproducible on purpose
    agencies = list(Agency.objects.all())
    sub_fields = list(BusinessSubField.objects.all())
    start = start or timezone.now()
    made = 0
    try:
        while made < count:
            size = min(batch, count - made)
            with transaction.atomic():
                _generate_batch(rng, size, made, start, ppk, committee, agencies, sub_fields)
            made += size
    finally:
        # The rows' positions, once for every batch: also after an interrupted run.
        renumber()
    return made


def _generate_batch(
    rng: random.Random,
    size: int,
    made: int,
    start: datetime,
    ppk: User,
    committee: Committee,
    agencies: list[Agency],
    sub_fields: list[BusinessSubField],
) -> None:
    """``size`` tenders numbered after the ``made`` ones, with their packages, words, schedules
    and list rows."""
    packages = []
    for i in range(size):
        hps = Decimal(rng.randrange(50, 20_000)) * Decimal(1_000_000)
        packages.append(
            Package(
                agency=rng.choice(agencies),
                ppk=ppk,
                committee=committee,
                name=f"{rng.choice(WORDS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)} "
                f"#{made + i + 1}",
                fiscal_year=rng.choice([2025, 2026, 2027]),
                budget_ceiling=hps * Decimal("1.05"),
                owner_estimate=hps,
                category=rng.choice(Category.values),
                sub_field=rng.choice(sub_fields),
                location=f"Kec. {rng.choice(PLACES)}",
                funding_source=rng.choice(FundingSource.values),
                # generated tenders stand for packages their PA/KPA approved
                approval=Package.Approval.APPROVED,
            )
        )
    Package.objects.bulk_create(packages)
    tenders = []
    for i, package in enumerate(packages):
        published = start - timedelta(days=rng.randrange(0, 400), minutes=made + i)
        tenders.append(
            Tender(
                package=package,
                agency_id=package.agency_id,
                code=f"G{made + i + 1:08d}",
                state=Tender.State.PUBLISHED,
                published_at=published,
                qualification_requirements="-",
            )
        )
    Tender.objects.bulk_create(tenders)
    index_tenders(tenders)
    entries = []
    for tender in tenders:
        for stage, (s, e) in sample_schedule(tender.published_at).items():
            entries.append(ScheduleEntry(tender=tender, stage=stage, start=s, end=e))
    ScheduleEntry.objects.bulk_create(entries, batch_size=5000)
    # Dated at random across batches: placing each batch would renumber the list.
    list_tenders(tenders, place=False)
