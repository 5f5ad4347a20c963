"""Packages, tenders and schedules (R-8.1, R-8.2, R-7.3): the rules, with the clock moved."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.tenders.models import Tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.sample import sample_schedule
from lpse.tenders.services import preparation as services
from lpse.tenders.stages import Stage
from tests.tender_fixtures import (
    PREPARED_AT,
    SCHEDULE_BASE,
    approve,
    at,
    draft_tender,
    package_data,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _prepared_on_friday():
    with time_machine.travel(PREPARED_AT, tick=False):
        yield


# --- packages ---------------------------------------------------------------------------------


def test_R_8_1_a_ppk_creates_a_package_with_exact_rupiah_amounts(agency_a):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    package.refresh_from_db()
    assert package.budget_ceiling == Decimal("1500000000.00")
    assert package.owner_estimate == Decimal("1425750000.50")
    assert package.agency == agency_a.ppk.agency
    assert AuditEvent.objects.filter(action="package.create", object_id=str(package.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"owner_estimate": "1.600.000.000"}, "owner_estimate", "cannot exceed the budget ceiling"),
        ({"budget_ceiling": "satu milyar"}, "budget_ceiling", "Write the amount in rupiah"),
        ({"budget_ceiling": "NaN"}, "budget_ceiling", "Write the amount in rupiah"),
        ({"owner_estimate": "Infinity"}, "owner_estimate", "Write the amount in rupiah"),
        ({"owner_estimate": "-5"}, "owner_estimate", "must be positive"),
        ({"owner_estimate": "100,505"}, "owner_estimate", "at most two decimals"),
        ({"fiscal_year": 2031}, "fiscal_year", "fiscal year must be between 2025 and 2027"),
        ({"sub_field_id": 999999}, "sub_field", "Choose a business sub-field"),
    ],
)
def test_R_8_1_bad_package_input_is_refused_with_a_clear_message(
    agency_a, overrides, field, message
):
    with pytest.raises(DomainError, match=message) as err:
        services.package_create(actor=agency_a.ppk, data=package_data(**overrides))
    assert err.value.field == field
    from lpse.tenders.models import Package

    assert not Package.objects.exists()


def test_R_8_1_only_a_ppk_creates_packages_and_hands_them_to_a_committee_of_their_agency(
    agency_a, agency_b
):
    with pytest.raises(DomainError, match="not allowed"):
        services.package_create(actor=agency_a.members[0], data=package_data())
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    with pytest.raises(DomainError, match="committee of the package's own agency"):
        services.package_assign(actor=agency_a.ppk, package=package, committee=agency_b.committee)
    with pytest.raises(DomainError, match="Only the PPK who owns this package"):
        services.package_assign(actor=agency_b.ppk, package=package, committee=agency_b.committee)


def test_R_8_1_a_committee_has_members_of_its_own_agency_only(agency_a, agency_b):
    with pytest.raises(DomainError, match="committee role in your agency: pokja1-dinkes"):
        services.committee_create(
            actor=agency_a.agency_admin,
            name="Pokja campuran",
            members=[agency_a.members[0], agency_b.members[0]],
        )


# --- schedule validation ---------------------------------------------------------------------


def problems(changes: dict) -> list[str]:
    schedule = sample_schedule(SCHEDULE_BASE)
    schedule.update(changes)
    return sched.problems_of(schedule)


def test_R_8_2_the_sample_schedule_is_valid():
    assert problems({}) == []


def test_R_8_2_a_missing_stage_is_named():
    schedule = sample_schedule(SCHEDULE_BASE)
    del schedule[Stage.OBJECTION_PERIOD]
    assert sched.problems_of(schedule) == [
        "Every stage needs a start and an end; missing: Objection period (masa sanggah)."
    ]


def test_R_8_2_a_stage_must_end_after_it_starts():
    [problem] = problems({Stage.BID_OPENING: (at(9, 12), at(9, 10))})
    assert problem == (
        "“Bid opening” must end after it starts (it starts 15 Jul 2026 12:00 WITA "
        "and ends 15 Jul 2026 10:00 WITA)."
    )


def test_R_8_2_bids_cannot_be_opened_before_submission_closes():
    found = problems({Stage.BID_OPENING: (at(9, 9), at(9, 12))})
    assert found == [
        "“Bid opening” cannot start (15 Jul 2026 09:00 WITA) before “Bid submission” "
        "ends (15 Jul 2026 10:00 WITA)."
    ]


def test_R_8_2_clarification_must_close_before_bids_do():
    found = problems({Stage.CLARIFICATION: (at(1, 9), at(9, 11))})
    assert found == [
        "“Clarification (Q&A)” must end (now 15 Jul 2026 11:00 WITA) no later than "
        "“Bid submission” ends (15 Jul 2026 10:00 WITA)."
    ]


def test_R_8_2_the_objection_period_lasts_at_least_five_working_days_counting_the_calendar():
    # Tuesday 21 July 16:00 to Friday 24 July 16:00 covers four working days.
    found = problems({Stage.OBJECTION_PERIOD: (at(15, 16), at(18, 16))})
    assert found == [
        "“Objection period (masa sanggah)” must last at least 5 working days; as "
        "planned it covers 4."
    ]


def test_R_8_2_minimum_durations_are_configurable(db):
    from lpse.tenders.models import StageMinimum

    StageMinimum.objects.create(stage=Stage.OBJECTION_PERIOD, working_days=3)
    assert problems({Stage.OBJECTION_PERIOD: (at(15, 16), at(18, 16))}) == []


def test_R_8_2_all_problems_are_reported_together(agency_a):
    package = services.package_create(actor=agency_a.ppk, data=package_data())
    approve(agency_a, package)
    services.package_assign(actor=agency_a.ppk, package=package, committee=agency_a.committee)
    schedule = sample_schedule(SCHEDULE_BASE)
    schedule[Stage.BID_OPENING] = (at(9, 9), at(9, 12))
    schedule[Stage.OBJECTION_PERIOD] = (at(15, 16), at(16, 16))
    with pytest.raises(sched.ScheduleInvalid) as err:
        services.tender_create(
            actor=agency_a.members[0],
            package=package,
            method="postqual_1file_lowest",
            qualification_requirements="SBU",
            schedule=schedule,
        )
    assert len(err.value.problems) == 2
    assert not Tender.objects.exists()


# --- publication and the integrity pact (R-7.3) ---------------------------------------------------------


def test_R_7_3_publishing_needs_every_committee_members_and_the_ppks_pact(agency_a):
    tender = draft_tender(agency_a)
    services.document_add(
        actor=agency_a.members[0],
        tender=tender,
        title="Dokumen Tender",
        upload=SimpleUploadedFile("dok.pdf", b"%PDF-1.4 x"),
    )
    services.pact_sign(actor=agency_a.members[0], tender=tender)
    with pytest.raises(DomainError, match="not yet signed: ppk-dpupr, pokja2-dpupr, pokja3-dpupr"):
        services.tender_publish(actor=agency_a.members[0], tender=tender)
    tender.refresh_from_db()
    assert tender.state == Tender.State.DRAFT


def test_R_7_3_a_signed_pact_is_a_pdf_whose_hashes_are_recorded(agency_a):
    tender = draft_tender(agency_a)
    pact = services.pact_sign(actor=agency_a.ppk, tender=tender)
    from lpse.core.storage import open_blob

    with open_blob(pact.document) as f:
        data = f.read()
    import hashlib

    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == pact.document.sha256
    assert hashlib.md5(data).hexdigest() == pact.document.md5
    event = AuditEvent.objects.get(action="pact.sign")
    assert event.data["sha256"] == pact.document.sha256 and event.data["role"] == "ppk"
    assert services.pact_sign(actor=agency_a.ppk, tender=tender) == pact  # signing twice: one pact


def test_R_8_2_publishing_needs_the_tender_document(agency_a):
    tender = draft_tender(agency_a)
    for user in [agency_a.ppk, *agency_a.members]:
        services.pact_sign(actor=user, tender=tender)
    with pytest.raises(DomainError, match="Upload the tender document"):
        services.tender_publish(actor=agency_a.members[0], tender=tender)


def test_R_8_2_a_tender_whose_bid_submission_has_begun_cannot_be_published(agency_a):
    tender = draft_tender(agency_a)
    with (
        time_machine.travel(at(1, 9), tick=False),
        pytest.raises(DomainError, match="already started"),
    ):
        publish(agency_a, tender)


def test_R_8_2_publication_is_recorded_and_shows_on_the_portal(agency_a, client):
    tender = publish(agency_a, draft_tender(agency_a))
    assert tender.state == Tender.State.PUBLISHED and tender.code.startswith("2026")
    page = client.get("/tender/").content.decode()
    assert tender.code in page and "Rehabilitasi Gedung SD Negeri 12 Turikale" in page


# --- DESIGN rule 3: the stage comes from the schedule and the clock ------------------------------------


@pytest.mark.parametrize(
    ("moment", "active", "described"),
    [
        (at(0, 7, 59), (), "Next: Announcement from 6 Jul 2026 08:00 WITA"),
        (
            at(0, 8),
            (Stage.ANNOUNCEMENT, Stage.DOCUMENT_DOWNLOAD),
            "Announcement, Document download",
        ),
        (
            at(1, 9),
            (
                Stage.ANNOUNCEMENT,
                Stage.DOCUMENT_DOWNLOAD,
                Stage.CLARIFICATION,
                Stage.BID_SUBMISSION,
            ),
            None,
        ),
        (at(1, 12), (Stage.ANNOUNCEMENT, Stage.DOCUMENT_DOWNLOAD, Stage.BID_SUBMISSION), None),
        (at(9, 9, 59), (Stage.BID_SUBMISSION,), "Bid submission"),
        (at(9, 10), (Stage.BID_OPENING,), "Bid opening"),
        (at(12, 9), (), "Next: Winner determination from 20 Jul 2026 09:00 WITA"),
        (at(15, 16), (Stage.OBJECTION_PERIOD,), None),
        (at(28, 16), (), "Finished"),
    ],
)
def test_DESIGN_3_the_stage_at_each_boundary(moment, active, described):
    status = sched.status_at(sample_schedule(SCHEDULE_BASE), moment)
    assert status.active == active
    if described:
        assert status.describe() == described


def test_DESIGN_3_the_stage_shown_follows_the_clock_without_any_job(published_tender, client):
    code = published_tender.code
    with time_machine.travel(at(9, 9, 59), tick=False):
        assert "<strong>Bid submission</strong>" in client.get(f"/tender/{code}/").content.decode()
    with time_machine.travel(at(9, 10), tick=False):
        assert "<strong>Bid opening</strong>" in client.get(f"/tender/{code}/").content.decode()


def test_R_8_2_the_application_admin_sets_stage_minimums_and_others_cannot(make_user, client):
    from lpse.accounts.roles import Role

    admin = make_user(Role.APP_ADMIN)
    services.stage_minimum_set(actor=admin, stage=Stage.BID_SUBMISSION, working_days=5)
    assert sched.minimums()[Stage.BID_SUBMISSION] == 5
    with pytest.raises(DomainError, match="from 0 to 60"):
        services.stage_minimum_set(actor=admin, stage=Stage.BID_SUBMISSION, working_days=90)
    with pytest.raises(DomainError, match="not allowed"):
        services.stage_minimum_set(
            actor=make_user(Role.COMMITTEE), stage=Stage.BID_SUBMISSION, working_days=1
        )
    client.force_login(admin)
    response = client.post("/kelola/lama-tahap/", {"stage": "clarification", "working_days": "2"})
    assert response.status_code == 302 and sched.minimums()[Stage.CLARIFICATION] == 2
    assert AuditEvent.objects.filter(action="stage_minimum.set").count() == 2
