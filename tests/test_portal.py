"""The public portal (R-8.5): announced tenders with search, filters and pages, each tender's
schedule, documents and change history; pages whose query count does not grow with size."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lpse.accounts.models import Agency
from lpse.core.calendar import WITA
from lpse.demo.generate import generate_tenders
from lpse.tenders.models import Tender
from lpse.tenders.views_public import PAGE_SIZE

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 8, 10, 0, tzinfo=WITA)


@pytest.fixture
def many_tenders(agency_a):
    generate_tenders(45, ppk=agency_a.ppk, committee=agency_a.committee, seed=7, start=NOW)
    return Tender.objects.filter(state=Tender.State.PUBLISHED)


def queries_for(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_R_8_5_the_list_is_paginated_newest_first(client, many_tenders):
    _, first = queries_for(client, "/tender/")
    newest = many_tenders.order_by("-published_at").first()
    assert newest.code in first and "45 tenders" in first and "page 1 of 3" in first
    _, last = queries_for(client, "/tender/?page=3")
    assert last.count('class="mono"') == 45 - 2 * PAGE_SIZE


def test_R_8_5_the_pages_together_list_every_tender_once_in_order(client, many_tenders):
    """A page is found by ids first and its rows read by id (issue 19): the order survives."""
    import re

    shown = []
    for number in (1, 2, 3):
        _, page = queries_for(client, f"/tender/?page={number}")
        shown += re.findall(r'<td class="mono">([^<]+)</td>', page)
    expected = list(many_tenders.order_by("-published_at", "-id").values_list("code", flat=True))
    assert shown == expected


def test_R_8_5_the_query_count_does_not_grow_with_the_page_size(client, many_tenders):
    queries_for(client, "/tender/?page=2")  # counts the list once (shared by its pages)
    full_page, _ = queries_for(client, "/tender/")  # 20 tenders
    short_page, _ = queries_for(client, "/tender/?page=3")  # 5 tenders
    assert full_page == short_page
    filtered, _ = queries_for(client, "/tender/?stage=announcement&category=works&year=2026")
    assert filtered <= full_page + 1  # the agency list of the filter form at most


@pytest.mark.parametrize("field", ["agency", "category", "year", "stage", "value"])
def test_R_8_5_each_filter_narrows_the_list_to_matching_tenders(client, many_tenders, field):
    import time_machine

    from lpse.tenders.selectors import listings as selectors

    sample = many_tenders.select_related("package").order_by("id")[3]
    params, expected = {
        "agency": ({"agency": sample.agency_id}, many_tenders.filter(agency=sample.agency)),
        "category": (
            {"category": sample.package.category},
            many_tenders.filter(package__category=sample.package.category),
        ),
        "year": (
            {"year": sample.package.fiscal_year},
            many_tenders.filter(package__fiscal_year=sample.package.fiscal_year),
        ),
        "stage": ({"stage": "bid_submission"}, None),
        "value": (
            {"min_value": "1000000000", "max_value": "5000000000"},
            many_tenders.filter(
                package__owner_estimate__gte=1_000_000_000,
                package__owner_estimate__lte=5_000_000_000,
            ),
        ),
    }[field]
    with time_machine.travel(NOW, tick=False):
        if expected is None:
            expected = [
                t
                for t, status in selectors.with_status(many_tenders)
                if status.is_open("bid_submission")
            ]
        query = "&".join(f"{k}={v}" for k, v in params.items())
        _, page = queries_for(client, f"/tender/?{query}")
    count = len(expected)
    assert 0 < count < 45, "the sample data should make this filter meaningful"
    assert (f"{count} tenders" if count != 1 else "1 tender") in page


def test_R_8_5_search_finds_by_name_and_by_code(client, many_tenders):
    tender = many_tenders.select_related("package").order_by("id")[10]
    _, page = queries_for(client, f"/tender/?q={tender.code}")
    assert "1 tender" in page and tender.package.name in page
    word = tender.package.name.split()[-1]  # the unique "#n" suffix
    _, page = queries_for(client, f"/tender/?q={quote(word)}")
    assert tender.code in page


def test_R_8_5_bad_filter_values_are_shown_and_the_list_still_answers(client, many_tenders):
    response = client.get("/tender/?year=abc&min_value=lots")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number." in page and "Enter a number." in page


def test_R_8_5_drafts_are_not_public(client, agency_a):
    from tests.tender_fixtures import draft_tender

    tender = draft_tender(agency_a)
    assert tender.code not in client.get("/tender/").content.decode()
    assert client.get(f"/tender/{tender.code}/").status_code == 404


def test_R_8_5_agency_names_come_from_the_agency_table(many_tenders):
    assert set(many_tenders.values_list("agency_id", flat=True)) <= set(
        Agency.objects.values_list("id", flat=True)
    )


def test_R_8_5_the_json_api_lists_with_the_same_filters_and_pages(client, many_tenders):
    data = client.get("/api/v1/tenders", {"page_size": 10, "page": 2}).json()
    assert data["count"] == 45 and data["pages"] == 5 and len(data["results"]) == 10
    works = client.get("/api/v1/tenders", {"category": "works", "page_size": 100}).json()
    assert works["count"] == many_tenders.filter(package__category="works").count()
    assert {r["category"] for r in works["results"]} == {"works"}
    capped = client.get("/api/v1/tenders", {"page_size": 5000}).json()
    assert len(capped["results"]) == 45  # at most 100 a page


def test_R_8_5_the_json_api_shows_a_tender_with_schedule_documents_and_hashes(
    client, published_tender
):
    data = client.get(f"/api/v1/tenders/{published_tender.code}").json()
    assert data["name"] == "Rehabilitasi Gedung SD Negeri 12 Turikale"
    assert [s["stage"] for s in data["schedule"]][:2] == ["announcement", "document_download"]
    [document] = data["documents"]
    assert len(document["sha256"]) == 64 and len(document["md5"]) == 32
    assert data["owner_estimate"] == "1425750000.50"
    assert client.get("/api/v1/tenders/does-not-exist").status_code == 404
