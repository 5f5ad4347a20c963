"""The OCDS operations of the JSON API (R-9.5, issue 18): cursor pages of releases that neither
drift nor repeat when releases arrive between pages, bounded page sizes, the one error shape,
ETags, and the bulk files."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache

from lpse.core.api import api
from lpse.demo.generate import generate_tenders
from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import bulk
from lpse.portal.ocds.jobs import ocds_publish
from lpse.portal.ocds.store import releases_publish
from lpse.portal.ocds.validate import validate_package
from lpse.tenders.models import Tender
from tests.tender_fixtures import PREPARED_AT

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ocds"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()  # the rate windows of other tests' requests
    yield
    cache.clear()


def _generate(agency_a, count: int, seed: int) -> None:
    generate_tenders(
        count,
        ppk=agency_a.ppk,
        committee=agency_a.committee,
        seed=seed,
        start=PREPARED_AT - timedelta(days=1),
    )
    # generated codes restart at G00000001: give each batch its own
    for tender in Tender.objects.filter(code__startswith="G0"):
        Tender.objects.filter(pk=tender.pk).update(code=f"S{seed}-{tender.pk}")


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"} and body["code"] == code and body["detail"]
    return body


def _harvest(client, limit: int, *, between=None) -> list[int]:
    seen, since, pages = [], 0, 0
    while True:
        body = client.get(f"{BASE}/releases", {"since": since, "limit": limit}).json()
        assert len(body["releases"]) <= limit
        seen += [OCDSRelease.objects.get(release_id=r["id"]).seq for r in body["releases"]]
        pages += 1
        if pages == 1 and between:
            between()
        if body["next"] is None:
            assert "links" not in body
            return seen
        assert body["links"]["next"].endswith(f"since={body['next']}&limit={limit}")
        since = body["next"]


def test_R_9_5_release_pages_are_oldest_first_and_do_not_drift_or_repeat(client, agency_a):
    _generate(agency_a, 4, seed=1)
    releases_publish()
    before = _harvest(client, 3)
    assert before == sorted(before) and len(before) == len(set(before)) == 8  # planning+tender

    def publish_more():
        _generate(agency_a, 2, seed=2)
        # generated rows bypass the services (no audit events): a full run sees them
        assert releases_publish(full=True) == 4

    during = _harvest(client, 3, between=publish_more)
    # Every earlier release once, in the same order, the new ones after them.
    assert during[:8] == before and len(during) == len(set(during)) == 12
    assert during == sorted(during)
    # A harvester keeps its last cursor and later asks only for what is new.
    assert client.get(f"{BASE}/releases", {"since": during[-1]}).json()["releases"] == []


def test_R_9_5_page_size_is_bounded_and_the_422_is_documented(client, agency_a):
    _generate(agency_a, 1, seed=1)
    releases_publish()
    assert client.get(f"{BASE}/releases", {"limit": 500}).status_code == 200
    assert len(client.get(f"{BASE}/releases", {"limit": 1}).json()["releases"]) == 1
    for params in ({"limit": 0}, {"limit": 501}, {"since": -1}, {"since": "yesterday"}):
        _error(client.get(f"{BASE}/releases", params), 422, "invalid")
    paths = api.get_openapi_schema(path_prefix="/api/v1")["paths"]
    for path in ("/releases", "/releases/{ocid}", "/records/{ocid}", "/bulk/{name}"):
        responses = {str(s) for s in paths[f"/api/v1/ocds{path}"]["get"]["responses"]}
        assert {"200", "304", "422", "429"} <= responses, path
    for path in ("/releases/{ocid}", "/records/{ocid}", "/bulk/{name}"):
        assert "404" in {str(s) for s in paths[f"/api/v1/ocds{path}"]["get"]["responses"]}


def test_R_9_5_a_release_page_holds_the_stored_releases_as_published(client, agency_a):
    """The page splices the releases' stored JSON text in (bench/ocds_api_page.py): what a
    harvester decodes is exactly the stored release, inside a valid release package."""
    _generate(agency_a, 2, seed=1)
    releases_publish()
    stored = list(OCDSRelease.objects.order_by("seq"))
    response = client.get(f"{BASE}/releases", {"limit": 3})
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["releases"] == [r.data for r in stored[:3]]
    assert body["next"] == stored[2].seq
    assert body["uri"].endswith("/releases?since=0&limit=3") and body["version"] == "1.1"
    assert body["publishedDate"] == max(r.published_at for r in stored[:3]).isoformat()
    report = validate_package({k: v for k, v in body.items() if k not in ("next", "links")})
    assert report.ok, report
    last = client.get(f"{BASE}/releases", {"since": stored[2].seq}).json()
    assert last["releases"] == [r.data for r in stored[3:]] and last["next"] is None
    assert "links" not in last


def test_R_9_5_an_unknown_ocid_is_a_404_in_the_error_shape(client):
    for kind in ("releases", "records"):
        body = _error(client.get(f"{BASE}/{kind}/ocds-lpsemr-NOPE"), 404, "not_found")
        assert "ocds-lpsemr-NOPE" in body["detail"]
        _error(client.get(f"{BASE}/{kind}/bad%00ocid"), 422, "invalid")


def test_R_9_5_packages_carry_an_etag_and_an_unchanged_one_is_304(client, published_tender):
    releases_publish()
    ocid = f"ocds-lpsemr-{published_tender.code}"
    urls = [f"{BASE}/releases", f"{BASE}/releases/{ocid}", f"{BASE}/records/{ocid}"]
    for url in urls:
        first = client.get(url)
        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
    record = client.get(urls[2]).json()
    assert record["records"][0]["ocid"] == ocid
    assert record["records"][0]["compiledRelease"]["tag"] == ["compiled"]
    package = client.get(urls[1]).json()
    assert [r["tag"] for r in package["releases"]] == [["planning"], ["tender"]]


def test_R_9_5_bulk_files_are_listed_and_download_with_their_sha256(client, agency_a):
    _generate(agency_a, 3, seed=1)
    ocds_publish()
    assert bulk.bulk_write() == []  # nothing new published: nothing rewritten
    listed = client.get(f"{BASE}/bulk").json()
    names = {f["name"] for f in listed}
    assert "releases-all.zip" in names and any(n.endswith(".jsonl") for n in names)
    for entry in listed:
        assert entry["url"].endswith(f"{BASE}/bulk/{entry['name']}")
        response = client.get(f"{BASE}/bulk/{entry['name']}")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        assert len(data) == entry["size"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert response["ETag"] == f'"{entry["sha256"]}"'
        again = client.get(f"{BASE}/bulk/{entry['name']}", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        side = client.get(f"{BASE}/bulk/{entry['name']}.sha256")
        assert b"".join(side.streaming_content).decode().split() == [
            entry["sha256"],
            entry["name"],
        ]
    assert client.get(f"{BASE}/bulk/releases-all.zip")["Content-Type"] == "application/zip"
    _error(client.get(f"{BASE}/bulk/releases-1999-01-01.jsonl"), 404, "not_found")
    _error(client.get(f"{BASE}/bulk/settings.py"), 422, "invalid")
    _generate(agency_a, 1, seed=2)
    ocds_publish(full=True)  # generated rows bypass the services: no audit events to follow
    after = {f["name"]: f["sha256"] for f in client.get(f"{BASE}/bulk").json()}
    assert after["releases-all.zip"] != {f["name"]: f["sha256"] for f in listed}["releases-all.zip"]
