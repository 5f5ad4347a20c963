"""Fixtures for the tender tests: an agency's PPK and committee, packages, published tenders.

The clock is frozen at a Monday in WITA with no holiday in the five weeks after it, so the
sample schedule (``lpse.tenders.selectors.sample``) meets every minimum; tests move it with time-machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pyrage import x25519

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.services.opening_keys import opening_key_set
from lpse.catalog.models import BusinessSubField
from lpse.core.calendar import WITA
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.sample import sample_schedule
from lpse.tenders.services import approval
from lpse.tenders.services import preparation as services
from lpse.tenders.stages import Stage

# Friday 3 July 2026 10:00 WITA: the tender is prepared; its schedule starts Monday 6 July.
PREPARED_AT = datetime(2026, 7, 3, 10, 0, tzinfo=WITA)
SCHEDULE_BASE = datetime(2026, 7, 6, 8, 0, tzinfo=WITA)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment relative to the schedule's Monday, in WITA."""
    return SCHEDULE_BASE.replace(hour=hour, minute=minute) + timedelta(days=day_offset)


@dataclass
class AgencySetup:
    ppk: object
    members: list
    committee: object
    agency_admin: object
    # Each member's personal opening key, made "offline" as a member would with age-keygen.
    identities: dict = None
    # The agency's budget user (PA/KPA), who approves packages before hand-over.
    budget_user: object = None

    def identity_of(self, member) -> str:
        return self.identities[member.username]


def make_agency_setup(make_user, agency_code: str, *, size: int = 3) -> AgencySetup:
    code = agency_code.lower()
    admin = make_user(Role.AGENCY_ADMIN, username=f"admin-{code}", agency_code=agency_code)
    ppk = make_user(Role.PPK, username=f"ppk-{code}", agency_code=agency_code)
    members = [
        make_user(Role.COMMITTEE, username=f"pokja{i}-{code}", agency_code=agency_code)
        for i in range(1, size + 1)
    ]
    committee = services.committee_create(
        actor=admin, name=f"Pokja 1 {agency_code}", members=members
    )
    budget_user = make_user(Role.BUDGET_USER, username=f"pa-{code}", agency_code=agency_code)
    identities = {}
    for member in members:
        identity = x25519.Identity.generate()
        opening_key_set(actor=member, recipient=str(identity.to_public()))
        identities[member.username] = str(identity)
    return AgencySetup(
        ppk=ppk,
        members=members,
        committee=committee,
        agency_admin=admin,
        identities=identities,
        budget_user=budget_user,
    )


@pytest.fixture
def agency_a(make_user):
    return make_agency_setup(make_user, "DPUPR")


@pytest.fixture
def agency_b(make_user):
    return make_agency_setup(make_user, "DINKES")


def package_data(**overrides) -> services.PackageData:
    data = {
        "name": "Rehabilitasi Gedung SD Negeri 12 Turikale",
        "fiscal_year": 2026,
        "budget_ceiling": "1.500.000.000",
        "owner_estimate": "1.425.750.000,50",
        "category": "works",
        "sub_field_id": BusinessSubField.objects.get(code="K01").pk,
        "location": "Kec. Turikale, Kabupaten Maros",
        "funding_source": "apbd",
    }
    data.update(overrides)
    return services.PackageData(**data)


def approve(setup: AgencySetup, package):
    """The agency's budget user (PA/KPA) approves the package (R-8.1)."""
    return approval.package_approve(actor=setup.budget_user, package=package)


def draft_tender(setup: AgencySetup, **package_overrides):
    package = services.package_create(actor=setup.ppk, data=package_data(**package_overrides))
    approve(setup, package)
    services.package_assign(actor=setup.ppk, package=package, committee=setup.committee)
    return services.tender_create(
        actor=setup.members[0],
        package=package,
        method="postqual_1file_lowest",
        qualification_requirements="SBU BG001; pengalaman 1 pekerjaan 4 tahun terakhir",
        schedule=sample_schedule(SCHEDULE_BASE),
    )


def publish(setup: AgencySetup, tender):
    services.document_add(
        actor=setup.members[0],
        tender=tender,
        title="Dokumen Tender",
        upload=SimpleUploadedFile("dokumen-tender.pdf", b"%PDF-1.4 tender"),
    )
    services.pact_sign(actor=setup.ppk, tender=tender)
    for member in setup.members:
        services.pact_sign(actor=member, tender=tender)
    # the key is made on a member's device (here as lpse apendo keygen makes it).
    offline.make_tender_key(actor=setup.members[0], tender=tender, offline=False)
    return services.tender_publish(actor=setup.members[0], tender=tender)


@pytest.fixture
def published_tender(agency_a):
    with time_machine.travel(PREPARED_AT, tick=False):
        return publish(agency_a, draft_tender(agency_a))


@pytest.fixture
def verified_provider(reference_data):
    """A verified provider in sub-field K01 (building construction)."""
    from lpse.accounts.services import user_bootstrap
    from lpse.providers.models import Company

    user = user_bootstrap(
        username="cv-sinar",
        email="direktur@sinar.test",
        roles={Role.PROVIDER},
        password="Correct-Horse-42!",
        first_name="Andi",
    )
    company = Company.objects.create(
        user=user,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Sinar Maros",
        npwp="012345678901000",
        nib="9120001234567",
        address="Jl. Ratulangi 5",
        city="Maros",
        phone="0411-1",
        email=user.email,
        director_name="Andi",
        registered_at=PREPARED_AT,
        verify_by=PREPARED_AT,
        forms_ref="ref-sinar",
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
    return user


PAGU = Decimal("1500000000")


def later_bids(tender, *, days: int = 2) -> sched.Schedule:
    """The same schedule with bid submission closing ``days`` later and everything after it
    shifted, as a committee does after an addendum."""
    schedule = services.schedule_of(tender)
    shift = timedelta(days=days)
    moved = dict(schedule)
    moved[Stage.BID_SUBMISSION] = (
        schedule[Stage.BID_SUBMISSION][0],
        schedule[Stage.BID_SUBMISSION][1] + shift,
    )
    after = sched.STAGE_ORDER[sched.STAGE_ORDER.index(Stage.BID_OPENING) :]
    for stage in after:
        moved[stage] = (schedule[stage][0] + shift, schedule[stage][1] + shift)
    return moved
