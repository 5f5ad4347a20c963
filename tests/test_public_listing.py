"""The public list's rows (R-8.5, issue 19: tenders.listing): one row a listed tender, written
with every change that shows on it, its stage now computed from its schedule and the clock
exactly as a tender page computes it."""

from __future__ import annotations

import importlib
import random
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from lpse.accounts.models import Agency
from lpse.accounts.roles import Role
from lpse.demo.generate import generate_tenders
from lpse.tenders.forms import PublicFilterForm
from lpse.tenders.models import ListedTender
from lpse.tenders.selectors import listings
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.timeline import status_of, timeline_of
from lpse.tenders.services import preparation as services
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from lpse.tenders.stages import STAGE_ORDER
from tests.conftest import in_english
from tests.listing_checks import expected_rows, listed_rows
from tests.tender_fixtures import PREPARED_AT, at, draft_tender, later_bids, publish

pytestmark = pytest.mark.django_db

_listing_migration = importlib.import_module("lpse.tenders.migrations.0010_listed_tender")
_position_migration = importlib.import_module("lpse.tenders.migrations.0011_listed_tender_position")


def _random_schedule(rng: random.Random, base: datetime) -> sched.Schedule:
    schedule = {}
    for stage in rng.sample(STAGE_ORDER, rng.randrange(1, len(STAGE_ORDER) + 1)):
        start = base + timedelta(minutes=rng.randrange(0, 50), microseconds=rng.randrange(0, 3))
        schedule[stage] = (start, start + timedelta(minutes=rng.randrange(1, 30)))
    return schedule


def test_R_8_5_a_rows_stage_now_is_the_one_its_schedule_gives_at_every_moment():
    """Stages open, next, finished and the moment the row changes: the same as status_at over
    random schedules, with moments on the boundaries themselves (ties between stages too)."""
    rng = random.Random(19)
    base = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)
    for _ in range(400):
        schedule = _random_schedule(rng, base)
        timeline = timeline_of(schedule)
        edges = [moment for span in schedule.values() for moment in span]
        moments = [
            *edges,
            *(moment + timedelta(microseconds=1) for moment in edges),
            base - timedelta(days=1),
            base + timedelta(days=1),
        ]
        for moment in moments:
            status, changes_at = status_of(timeline, moment)
            assert status == sched.status_at(schedule, moment), (schedule, moment)
            ahead = [s if s > moment else e for s, e in schedule.values() if e > moment]
            assert changes_at == (min(ahead) if ahead else None)


def test_R_8_5_publication_lists_a_tender_and_cancellation_takes_it_off(published_tender):
    assert listed_rows() == expected_rows() and published_tender.pk in listed_rows()
    services.tender_mark_cancelled(tender=published_tender)
    assert published_tender.pk not in listed_rows()
    assert listed_rows() == expected_rows()


def test_R_8_5_an_applied_schedule_change_is_on_the_row(published_tender, agency_a, make_user):
    admin = make_user(Role.APP_ADMIN)
    before = ListedTender.objects.get(pk=published_tender.pk).timeline
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Adendum dokumen tender.",
        )
        schedule_change_apply(actor=admin, change=change)
    assert ListedTender.objects.get(pk=published_tender.pk).timeline != before
    assert listed_rows() == expected_rows()


def test_R_8_5_generated_tenders_are_listed_and_the_migration_lists_what_was_there(agency_a):
    generate_tenders(60, ppk=agency_a.ppk, committee=agency_a.committee, seed=5)
    assert len(listed_rows()) == 60 and listed_rows() == expected_rows()
    ListedTender.objects.all().delete()
    _listing_migration.list_published_tenders(apps, None)
    _position_migration.number_the_list(apps, SimpleNamespace(connection=connection))
    assert listed_rows() == expected_rows()


@pytest.mark.parametrize(
    "filters",
    [
        listings.TenderFilters(q="Jembatan"),
        listings.TenderFilters(q="jalan sekolah"),
        listings.TenderFilters(q="zzzqqq"),
        listings.TenderFilters(stage="bid_submission"),
        listings.TenderFilters(stage="announcement", q="Rehabilitasi"),
    ],
    ids=repr,
)
def test_R_8_5_both_ways_of_finding_a_page_give_the_tenders_page(agency_a, filters):
    """Row by row or matches first (listings.row_by_row): the same tenders, in the tenders'
    own order, as the API's query over the tenders themselves finds them."""
    with time_machine.travel(PREPARED_AT, tick=False):
        generate_tenders(150, ppk=agency_a.ppk, committee=agency_a.committee, seed=7)
        expected = list(listings.public_tenders(filters).values_list("pk", flat=True))
        for row_by_row in (False, True):
            found = listings.listed(filters, row_by_row=row_by_row).values_list("pk", flat=True)
            assert list(found) == expected
            assert list(found[3:8]) == expected[3:8]


def test_R_8_5_a_page_is_found_row_by_row_only_when_the_matches_are_many_and_spread():
    def listed_total():
        return 100_000

    word = listings.TenderFilters(q="Jembatan")
    many = {"matching": 10_000, "listed_total": listed_total, "shown": 20}
    assert listings.prefer_row_by_row(word, **many, skipped=0) == (connection.vendor == "sqlite")
    few = {"matching": 100, "listed_total": listed_total, "shown": 20, "skipped": 0}
    assert not listings.prefer_row_by_row(word, **few)
    assert not listings.prefer_row_by_row(
        word, matching=0, listed_total=listed_total, skipped=0, shown=0
    )
    # a deep page of many matches: looking them all up is cheaper than walking to it
    assert not listings.prefer_row_by_row(word, **many, skipped=9_980)
    # a year or a code: its matches sit together in the list, the walk would pass the rest
    assert not listings.prefer_row_by_row(listings.TenderFilters(q="2024"), **many, skipped=0)
    # no search and no stage: nothing to check row by row
    assert not listings.prefer_row_by_row(listings.TenderFilters(), **many, skipped=0)


@pytest.mark.parametrize(("english", "shown"), [(True, "1,234.57"), (False, "1.234,57")])
def test_R_8_5_the_list_shows_the_hps_to_the_cent(agency_a, english, shown):
    """SQLite keeps a decimal column as a float: read as the ORM reads it (rounded to the
    field's places), not truncated to 1.234,56."""
    with time_machine.travel(PREPARED_AT, tick=False):
        publish(agency_a, draft_tender(agency_a, owner_estimate="1.234,57"))
    visitor = in_english(Client()) if english else Client()  # Indonesian by default
    page = visitor.get("/tender/").content.decode()
    assert f"<td>{shown}</td>" in page


def test_R_8_5_a_new_agency_is_offered_and_accepted_within_a_minute(reference_data):
    """Each process keeps the filter's agencies for as long as the form's fragment (a query at
    every filtered page otherwise): one minute at most before a new agency is there."""
    PublicFilterForm({"agency": "1"}).is_valid()  # the agencies are now kept
    new = Agency.objects.create(code="DISPAR", name="Dinas Pariwisata")
    assert not PublicFilterForm({"agency": str(new.pk)}).is_valid()  # not yet
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        form = PublicFilterForm({"agency": str(new.pk)})
        assert form.is_valid() and form.cleaned_data["agency"] == new.pk
        assert "Dinas Pariwisata" in str(form["agency"])
    assert not PublicFilterForm({"agency": "999999"}).is_valid()
