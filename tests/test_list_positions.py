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

from lpse.accounts.roles import Role
from lpse.core import audit
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


@pytest.mark.django_db
def test_R_8_5_a_row_written_again_with_a_later_date_moves_up_to_its_place(agency_a):
    """Written again from scratch (the demo data moves its dates): the newest, then one from the
    middle, dated after every other."""
    tenders = _generated(agency_a, 8)
    later = timezone.now() + timedelta(minutes=5)
    for minutes, moved in enumerate((tenders[-1], tenders[3])):
        Tender.objects.filter(pk=moved.pk).update(published_at=later + timedelta(minutes=minutes))
        listing.list_tenders([_fresh(moved)])
        assert listed_rows() == expected_rows()
    assert ListedTender.objects.get(pk=tenders[3].pk).position == 8


def _while_the_first_holds(first, second, *, then=lambda: None) -> None:
    """In one transaction ``first`` runs, then half a second later ``then``; ``second`` starts
    in a transaction (and connection) of its own meanwhile. Both must end without an error."""
    ran, started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def the_first() -> None:
        first()
        ran.set()
        started.wait(10)
        threading.Event().wait(0.5)  # the second runs now, or waits for its turn
        then()

    def the_second() -> None:
        ran.wait(10)
        started.set()
        second()

    def in_transaction(work) -> None:
        try:
            with transaction.atomic():
                work()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=in_transaction, args=(w,)) for w in (the_first, the_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors


def _two_unlisted_newest(agency) -> tuple[Tender, Tender]:
    """The two newest generated tenders, published a second apart just now, off the list."""
    tenders = _generated(agency, 6)
    first, second = tenders[-2], tenders[-1]
    ListedTender.objects.filter(pk__in=[first.pk, second.pk]).delete()
    listing.renumber()
    now = timezone.now()
    Tender.objects.filter(pk=first.pk).update(published_at=now)
    Tender.objects.filter(pk=second.pk).update(published_at=now + timedelta(seconds=1))
    return _fresh(first), _fresh(second)


def _fresh(tender: Tender) -> Tender:
    return Tender.objects.select_related("package").get(pk=tender.pk)


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's transactions take its one write lock as they begin (IMMEDIATE)",
)


@pytest.mark.django_db(transaction=True)
@POSTGRESQL_ONLY
def test_R_8_5_two_publications_at_once_never_share_a_position(agency_a):
    """Each writer reads the place's position, then writes it: without the turn the list's
    writers take (listing._one_writer), the second, not seeing the first's uncommitted row,
    takes the same position."""
    first, second = _two_unlisted_newest(agency_a)
    _while_the_first_holds(
        lambda: listing.list_tenders([first]), lambda: listing.list_tenders([second])
    )
    assert listed_rows() == expected_rows()


@pytest.mark.django_db(transaction=True)
@POSTGRESQL_ONLY
def test_R_8_5_a_cancellation_and_a_publication_at_once_do_not_deadlock(agency_a, make_user):
    """A cancellation records the annulled outcome in the audit chain, then leaves the list; a
    publication lists, then records. With a lock of the list's own, each held what the other
    waited for and PostgreSQL aborted one of them."""
    first, second = _two_unlisted_newest(agency_a)
    listing.list_tenders([first])
    actor = make_user(Role.APP_ADMIN)

    def publication() -> None:
        listing.list_tenders([second])
        audit.record(actor=actor, action="tender.publish", obj=second)

    _while_the_first_holds(
        lambda: audit.record(actor=actor, action="outcome.annul", obj=first),
        publication,
        then=lambda: listing.unlist(first),
    )
    Tender.objects.filter(pk=first.pk).update(state=Tender.State.CANCELLED)
    assert listed_rows() == expected_rows()
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_R_8_5_rows_left_unnumbered_are_numbered_by_the_next_write(agency_a):
    """A process of the version before positions, still running while the site is upgraded,
    lists a tender at position 0: the next publication or cancellation numbers it."""
    tenders = _generated(agency_a, 6)
    ListedTender.objects.filter(pk=tenders[-1].pk).update(position=0)
    services.tender_mark_cancelled(tender=tenders[2])
    assert listed_rows() == expected_rows()
    ListedTender.objects.filter(pk=tenders[-1].pk).update(position=0)
    Tender.objects.filter(pk=tenders[0].pk).update(published_at=timezone.now())
    listing.list_tenders([_fresh(tenders[0])])
    assert listed_rows() == expected_rows()
