"""The committee's work list (R-8.2, issue 21): paged, searchable, and only its own packages.

bench/mixed_load.py found the unpaged list the first page to pass 1 s under load; a committee
that has worked for years has hundreds of packages.
"""

from __future__ import annotations

import pytest

from lpse.tenders.services import preparation as services
from lpse.tenders.views_manage import COMMITTEE_PAGE_SIZE
from tests.tender_fixtures import approve, draft_tender, package_data

pytestmark = pytest.mark.django_db


def _handed_packages(setup, count: int) -> None:
    for n in range(count):
        package = services.package_create(
            actor=setup.ppk, data=package_data(name=f"Paket jalan desa nomor {n:03d}")
        )
        approve(setup, package)
        services.package_assign(actor=setup.ppk, package=package, committee=setup.committee)


def test_R_8_2_issue21_the_committee_list_is_paged_newest_first(client, agency_a):
    _handed_packages(agency_a, COMMITTEE_PAGE_SIZE + 3)
    client.force_login(agency_a.members[0])

    first = client.get("/kelola/tender/")
    body = first.content.decode()
    assert first.status_code == 200
    assert body.count("Set up the tender") == COMMITTEE_PAGE_SIZE
    assert f"Paket jalan desa nomor {COMMITTEE_PAGE_SIZE + 2:03d}" in body  # newest first
    assert "Paket jalan desa nomor 000" not in body
    assert "page 1 of 2" in body

    second = client.get("/kelola/tender/?page=2").content.decode()
    assert second.count("Set up the tender") == 3
    assert "Paket jalan desa nomor 000" in second
    # A page past the end shows the last one, not an error.
    assert client.get("/kelola/tender/?page=99").status_code == 200


def test_R_8_2_issue21_the_committee_finds_a_package_by_name_or_tender_code(client, agency_a):
    _handed_packages(agency_a, 3)
    tender = draft_tender(agency_a, name="Pembangunan jembatan Sungai Maros")
    client.force_login(agency_a.members[1])

    by_code = client.get("/kelola/tender/", {"q": tender.code}).content.decode()
    assert "Pembangunan jembatan Sungai Maros" in by_code
    assert "Paket jalan desa" not in by_code

    by_name = client.get("/kelola/tender/", {"q": "JEMBATAN"}).content.decode()
    assert tender.code in by_name and "1 package" in by_name

    nothing = client.get("/kelola/tender/", {"q": "tidak ada paket ini"}).content.decode()
    assert "No package matches." in nothing


def test_R_8_2_issue21_another_committee_sees_none_of_these_packages(client, agency_a, agency_b):
    tender = draft_tender(agency_a, name="Pembangunan jembatan Sungai Maros")
    client.force_login(agency_b.members[0])
    body = client.get("/kelola/tender/", {"q": tender.code}).content.decode()
    assert "Pembangunan jembatan Sungai Maros" not in body
    assert "Nothing yet." not in body and "No package matches." in body
    assert tender.code not in client.get("/kelola/tender/").content.decode()
