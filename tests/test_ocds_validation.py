"""What the publisher makes of the demo and of generated tenders validates (R-9.5, issue 18):
every release package, every record package and every bulk file, with libcoveocds against the
local OCDS 1.1.5 schema, codelists and bids extension — 0 schema errors, 0 codelist errors.
And the extension is really applied: a wrong bidStatus fails.

The demo's tenders are all before their opening (planning and tender releases only), so the bulk
files are checked once more with a tender carried through bids, award and contract."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lpse.demo.generate import generate_tenders
from lpse.evaluation.services import award
from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import bulk, packages
from lpse.portal.ocds.jobs import ocds_publish
from lpse.portal.ocds.validate import validate_package
from lpse.tenders.models import Package
from tests.test_objections_award import AFTER_PERIOD, announced, contract_data  # noqa: F401

pytestmark = pytest.mark.django_db

URI = "https://lpse.example.test/api/v1/ocds"


def _assert_valid(package: dict, what: str) -> None:
    report = validate_package(package)
    assert not report.schema_errors, (what, report.schema_errors)
    assert not report.codelist_errors, (what, report.codelist_errors)
    assert not report.extension_problems, (what, report.extension_problems)


def _lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


@pytest.fixture
def published(settings):
    """The demo (tenders at several stages) and a few generated tenders, published."""
    settings.LPSE_DEMO = True
    call_command("load_demo_data")
    demo_package = Package.objects.filter(committee__isnull=False).first()
    generate_tenders(
        6,
        ppk=demo_package.ppk,
        committee=demo_package.committee,
        seed=11,
        start=timezone.now() - timedelta(days=2),
    )
    made = ocds_publish()
    assert made > 0
    return made


def test_R_9_5_every_release_and_record_package_of_demo_and_generated_data_validates(
    published,
):
    ocids = list(OCDSRelease.objects.values_list("ocid", flat=True).distinct().order_by("ocid"))
    # The demo's tenders and the six generated ones (codes G0000000n).
    assert len(ocids) >= 7 and sum("-G0000" in o for o in ocids) == 6
    for ocid in ocids:
        rows = packages.releases_of(ocid)
        _assert_valid(
            packages.release_package([r.data for r in rows], uri=f"{URI}/releases/{ocid}"),
            f"release package {ocid}",
        )
        _assert_valid(
            packages.record_package(rows, uri=f"{URI}/records/{ocid}"), f"record package {ocid}"
        )
    assert ocds_publish() == 0  # the same facts publish nothing again


def _assert_bulk_files_valid() -> None:
    files = bulk.bulk_files()
    names = {f.name for f in files}
    assert bulk.ALL_ZIP in names and any(bulk.DAILY.fullmatch(n) for n in names)
    in_days: list[dict] = []
    for found in files:
        path = bulk.bulk_path(found.name)
        data = path.read_bytes()
        side = bulk.bulk_path(found.name + ".sha256").read_text(encoding="utf-8")
        # `sha256sum -c` reads "<hex>  <name>"
        assert side == f"{hashlib.sha256(data).hexdigest()}  {found.name}\n"
        assert found.sha256 == hashlib.sha256(data).hexdigest() and found.size == len(data)
        if found.name == bulk.ALL_ZIP:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = {n: archive.read(n) for n in archive.namelist()}
            assert list(members) == ["releases.jsonl"]
            everything = _lines(members["releases.jsonl"])
            _assert_valid(packages.release_package(everything, uri=URI), "the ZIP")
        else:
            day = _lines(data)
            in_days += day
            _assert_valid(packages.release_package(day, uri=URI), found.name)
    published_ids = list(OCDSRelease.objects.order_by("seq").values_list("release_id", flat=True))
    # Every release once in the daily files, and once in the ZIP, in publication order.
    assert sorted(r["id"] for r in in_days) == sorted(published_ids)
    assert [r["id"] for r in everything] == published_ids


def test_R_9_5_every_bulk_file_validates_and_its_sha256_matches(published):
    _assert_bulk_files_valid()


def test_R_9_5_bulk_files_with_bids_award_and_contract_validate(announced):
    bidding, _bids, _member = announced
    ppk = bidding.tender.package.ppk
    with time_machine.travel(AFTER_PERIOD, tick=False):
        award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
        award.contract_record(actor=ppk, tender=bidding.tender, data=contract_data())
        ocds_publish()
    kinds = set(OCDSRelease.objects.values_list("kind", flat=True))
    assert kinds == {"planning", "tender", "bids", "award", "contract"}
    _assert_bulk_files_valid()


def _a_release_with_bids(status: str) -> dict:
    """A published release with a bids section whose one bid has ``status``."""
    release = copy.deepcopy(OCDSRelease.objects.filter(kind="tender").first().data)
    release["id"] += "-test"
    party = next(p for p in release["parties"] if "buyer" in p["roles"])
    release["bids"] = {
        "details": [
            {
                "id": "bid-1",
                "status": status,
                "tenderers": [{"id": party["id"], "name": party["name"]}],
            }
        ]
    }
    return release


def test_R_9_5_the_bids_extension_is_applied_a_wrong_bid_status_fails(published):
    good = packages.release_package([_a_release_with_bids("valid")], uri=URI)
    assert validate_package(good).ok
    bad = validate_package(packages.release_package([_a_release_with_bids("won")], uri=URI))
    # bidStatus is a closed codelist of the extension: only the extension knows it.
    assert bad.codelist_errors or bad.schema_errors
    found = json.dumps([bad.codelist_errors, bad.schema_errors], default=str)
    assert "won" in found
