"""The public list's positions (R-8.5, issue 19: tenders.listing): every listed row knows its
place in the list's order, 1 the oldest published, with no gap, so a page of the whole list is a
range of positions instead of an OFFSET walk; through publications, cancellations, rewrites,
a publication dated before the newest (a node whose clock is behind) and two writers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from lpse.demo.generate import generate_tenders
from lpse.tenders import listing
from lpse.tenders.models import ListedTender, Tender
from lpse.tenders.selectors import listings
from lpse.tenders.services import preparation as services
from tests.listing_checks import expected_rows, listed_rows

EVERYTHING = listings.TenderFilters()


def _generated(agency, count: int, seed: int = 3) -> list[Tender]:
    generate_tenders(count, ppk=agency.ppk, committee=agency.committee, seed=seed)
    return list(Tender.objects.select_related("package").order_by("published_at", "pk"))


def _offset_pages(size: int) -> list[list[int]]:
    ordered = list(listings.listed(EVERYTHING).values_list("pk", flat=True))
    return [ordered[i : i + size] for i in range(0, len(ordered) + size, size)]


@pytest.mark.django_db
def test_R_8_5_a_page_of_the_whole_list_by_positions_is_the_offset_page(agency_a):
    _generated(agency_a, 47)
    assert listed_rows() == expected_rows()
    for number, page in enumerate(_offset_pages(10)):
        assert listings.page_ids(EVERYTHING, skipped=number * 10, shown=10) == page, number
    assert listings.page_ids(EVERYTHING, skipped=45, shown=2) == _offset_pages(10)[4][5:7]
    assert listings.listed_count(EVERYTHING) == 47 == listings.listed(EVERYTHING).count()


@pytest.mark.django_db
def test_R_8_5_positions_close_up_after_a_cancellation_and_follow_a_rewrite(agency_a):
    tenders = _generated(agency_a, 12)
    middle = tenders[5]
    services.tender_mark_cancelled(tender=middle)
    assert middle.pk not in listed_rows() and listed_rows() == expected_rows()
    assert listings.listed_count(EVERYTHING) == 11
    services.tender_mark_cancelled(tender=tenders[-1])  # the newest: nothing after it moves
    assert listed_rows() == expected_rows()
    # written again from scratch with an earlier publication (the demo data moves its dates)
    oldest_but_one = tenders[1]
    Tender.objects.filter(pk=oldest_but_one.pk).update(
        published_at=tenders[0].published_at - timedelta(days=1)
    )
    listing.list_tenders([Tender.objects.select_related("package").get(pk=oldest_but_one.pk)])
    assert listed_rows() == expected_rows()
    assert ListedTender.objects.get(pk=oldest_but_one.pk).position == 1


@pytest.mark.django_db
def test_R_8_5_a_publication_dated_before_the_newest_listed_takes_its_place(agency_a):
    """A node whose clock is a few seconds behind publishes after another node did."""
    tenders = _generated(agency_a, 8)
    newest = tenders[-1]
    late = tenders[4]
    services.tender_mark_cancelled(tender=late)
    Tender.objects.filter(pk=late.pk).update(
        state=Tender.State.PUBLISHED, published_at=newest.published_at - timedelta(seconds=3)
    )
    listing.list_tenders([Tender.objects.select_related("package").get(pk=late.pk)])
    assert listed_rows() == expected_rows()
    assert ListedTender.objects.get(pk=late.pk).position == 7  # just below the newest


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's transactions take its one write lock as they begin (IMMEDIATE)",
)
def test_R_8_5_two_publications_at_once_never_share_a_position(agency_a):
    """Each writer reads the newest position, then writes the next: without the lock that
    queues the list's writers (listing._one_writer) the second one, not seeing the first's
    uncommitted row, takes the same position."""
    tenders = _generated(agency_a, 6)
    first, second = tenders[-2], tenders[-1]
    now = timezone.now()
    ListedTender.objects.filter(pk__in=[first.pk, second.pk]).delete()
    listing.renumber()
    Tender.objects.filter(pk=first.pk).update(published_at=now)
    Tender.objects.filter(pk=second.pk).update(published_at=now + timedelta(seconds=1))
    first_listed, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def list_one(pk: int, *, before=None, hold=None) -> None:
        try:
            tender = Tender.objects.select_related("package").get(pk=pk)
            if before:
                before.wait(10)
            with transaction.atomic():
                listing.list_tenders([tender])
                if hold:
                    hold()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    def hold_until_the_second_writes() -> None:
        first_listed.set()
        second_started.wait(10)
        # the second writer now runs (or waits for the lock) while this one has not committed
        threading.Event().wait(0.5)

    def second_writer() -> None:
        second_started.set()
        list_one(second.pk, before=first_listed)

    threads = [
        threading.Thread(
            target=list_one, args=(first.pk,), kwargs={"hold": hold_until_the_second_writes}
        ),
        threading.Thread(target=second_writer),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert listed_rows() == expected_rows()
