"""The JSON API's contract (R-9.5, R-8.5, issue 18): one error shape, documented statuses, a rate
limit per address, cursor pages that do not drift, ETags, and no results before the opening."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from lpse.accounts.roles import Role
from lpse.core.api import api
from lpse.core.transparency import tree_head_sign
from lpse.demo.generate import generate_tenders
from tests.tender_fixtures import PREPARED_AT, draft_tender, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the rate windows of other tests' requests
    yield
    cache.clear()


def _shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == code and body["detail"]
    return body


def test_R_9_5_every_error_has_one_shape(client, make_user):
    _shape(client.get("/api/v1/tenders/NO-SUCH"), 404, "not_found")
    invalid = _shape(client.get("/api/v1/tenders", {"year": "next"}), 422, "invalid")
    assert [e["field"] for e in invalid["errors"]] == ["year"]
    _shape(client.get("/api/v1/tenders", {"since": "yesterday"}), 422, "invalid")
    _shape(client.get("/api/v1/me"), 401, "not_authenticated")
    client.force_login(make_user(Role.PROVIDER))
    _shape(client.get("/api/v1/registrations"), 403, "forbidden")


def test_R_9_5_the_openapi_declares_every_status_an_operation_answers():
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    statuses = {
        p: {str(c) for c in op["get"]["responses"]} for p, op in paths.items() if "get" in op
    }
    assert {"200", "304", "404", "422", "429"} <= statuses["/api/v1/tenders/{code}"]
    assert {"200", "304", "422", "429"} <= statuses["/api/v1/tenders"]
    assert {"401", "403", "422", "429"} <= statuses["/api/v1/registrations"]
    error = paths["/api/v1/tenders/{code}"]["get"]["responses"][404]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_R_9_5_past_the_rate_an_address_gets_429_with_retry_after(settings, published_tender):
    settings.LPSE_API_RATE_PER_MINUTE = 3
    mine, other = Client(REMOTE_ADDR="10.0.0.7"), Client(REMOTE_ADDR="10.0.0.8")
    with time_machine.travel(PREPARED_AT + timedelta(seconds=10), tick=False):
        assert [mine.get("/api/v1/health").status_code for _ in range(3)] == [200] * 3
        refused = mine.get(f"/api/v1/tenders/{published_tender.code}")
        _shape(refused, 429, "rate_limited")
        assert refused["Retry-After"] == "50"
        assert other.get("/api/v1/health").status_code == 200  # per address
    with time_machine.travel(PREPARED_AT + timedelta(seconds=61), tick=False):
        assert mine.get("/api/v1/health").status_code == 200  # a new window


def _all_codes(client, page_size: int, *, between=None) -> list[str]:
    seen, since, pages = [], None, 0
    while True:
        params = {"page_size": page_size, **({"since": since} if since else {})}
        body = client.get("/api/v1/tenders", params).json()
        seen += [t["code"] for t in body["results"]]
        since, pages = body["next"], pages + 1
        if pages == 1 and between:
            between()
        if since is None:
            return seen


def test_R_9_5_cursor_pages_are_oldest_first_and_do_not_drift(client, agency_a):
    generate_tenders(
        7,
        ppk=agency_a.ppk,
        committee=agency_a.committee,
        seed=3,
        start=PREPARED_AT - timedelta(days=1),
    )
    before = _all_codes(client, 3)
    assert len(before) == len(set(before)) == 7

    def announce_another():
        with time_machine.travel(PREPARED_AT, tick=False):
            publish(agency_a, draft_tender(agency_a))

    during = _all_codes(client, 3, between=announce_another)
    # Every earlier tender once, in the same order, the new one after them: nothing shifted.
    assert during[:7] == before and len(during) == 8
    published = client.get("/api/v1/tenders", {"page_size": 100}).json()["results"]
    moments = [t["published_at"] for t in published]
    assert moments == sorted(moments)


def test_R_9_5_an_unchanged_answer_is_304_by_its_etag(client, published_tender):
    for url in (f"/api/v1/tenders/{published_tender.code}", "/api/v1/tenders"):
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_R_8_5_no_bid_is_shown_before_the_opening(client, published_tender):
    body = client.get(f"/api/v1/tenders/{published_tender.code}/results").json()
    assert body["opened"] is False and body["bids"] == [] and body["outcome"] is None
    assert body["award"] is None and body["contract"] is None


def test_R_8_5_after_the_opening_every_offer_is_public(client, opened):
    bidding, _ = opened
    body = client.get(f"/api/v1/tenders/{bidding.tender.code}/results").json()
    assert body["opened"] is True and body["outcome"] is None  # not announced yet
    assert sorted(b["offer_price"] for b in body["bids"]) == [
        "1200000000.00",
        "1250000000.00",
        "1300000000.00",
    ]
    assert {b["result"] for b in body["bids"]} == {""}  # the committee's work stays internal


def test_R_9_8_the_signed_audit_head_is_public(client):
    assert client.get("/api/v1/transparency/head").json()["signed"] is None
    signed = tree_head_sign()
    body = client.get("/api/v1/transparency/head").json()
    assert body["signed"] == signed and body["tree_size"] == signed["tree_size"]
