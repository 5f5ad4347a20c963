"""OCDS releases for every event of a tender's life (R-9.5, R-8.5): each validates against the
local OCDS 1.1 schema, codelists and bids extension; bids appear only after the opening; a
change is a new release and the old one stays as it was."""

from __future__ import annotations

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.evaluation.models import FailureKind
from lpse.evaluation.services import award, failure
from lpse.portal.models import ImmutableRelease, OCDSRelease
from lpse.portal.ocds import packages
from lpse.portal.ocds.store import releases_publish
from lpse.portal.ocds.validate import validate_package
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from tests.bid_fixtures import DURING_BIDDING, seal, submit
from tests.tender_fixtures import at
from tests.test_objections_award import AFTER_PERIOD, announced, contract_data  # noqa: F401
from tests.test_schedule_changes import later_bids

pytestmark = pytest.mark.django_db


def releases(**filters) -> list[dict]:
    return [r.data for r in OCDSRelease.objects.filter(**filters).order_by("seq")]


def assert_valid(ocid: str) -> None:
    """The release package and the record package of this ocid validate: 0 schema errors and
    0 closed-codelist errors, the bids extension applied."""
    rows = packages.releases_of(ocid)
    for package in (
        packages.release_package([r.data for r in rows], uri="https://example.test/r"),
        packages.record_package(rows, uri="https://example.test/c"),
    ):
        report = validate_package(package)
        assert report.ok, report


def test_R_9_5_publication_makes_planning_and_tender_releases_that_validate(published_tender):
    assert releases_publish() == 2
    ocid = f"ocds-lpsemr-{published_tender.code}"
    planning, tender = releases(ocid=ocid)
    assert planning["tag"] == ["planning"] and tender["tag"] == ["tender"]
    assert planning["planning"]["budget"]["amount"]["currency"] == "IDR"
    assert tender["tender"]["status"] == "active"
    assert tender["tender"]["tenderPeriod"]["endDate"]
    document = tender["tender"]["documents"][0]
    assert "SHA-256" in document["description"]
    roles = {r for party in tender["parties"] for r in party["roles"]}
    assert roles == {"buyer", "procuringEntity"}
    assert "bids" not in tender
    assert_valid(ocid)
    assert releases_publish() == 0  # the same facts publish nothing new


def test_R_9_5_bids_are_absent_before_the_opening_even_with_bids_in(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
        releases_publish()
    ocid = f"ocds-lpsemr-{bidding.tender.code}"
    assert releases(ocid=ocid)
    for release in releases(ocid=ocid):
        assert "bids" not in release
        assert all("tenderer" not in p["roles"] for p in release["parties"])


def test_R_9_5_a_schedule_change_is_a_new_amendment_release_and_the_old_one_is_unchanged(
    published_tender, agency_a, make_user
):
    releases_publish()
    ocid = f"ocds-lpsemr-{published_tender.code}"
    first = OCDSRelease.objects.get(ocid=ocid, kind="tender")
    before = (first.release_id, first.sha256, dict(first.data))
    with time_machine.travel(at(2, 10), tick=False):
        change = schedule_change_request(
            actor=agency_a.members[0],
            tender=published_tender,
            new_schedule=later_bids(published_tender),
            reason="Adendum: waktu penyusunan penawaran diperpanjang.",
        )
        schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
        assert releases_publish() == 1
    old, new = OCDSRelease.objects.filter(ocid=ocid, kind="tender").order_by("seq")
    assert (old.release_id, old.sha256, old.data) == before
    assert new.release_id != old.release_id and new.data["ocid"] == old.data["ocid"]
    assert new.tags == ["tenderAmendment"]
    amendment = new.data["tender"]["amendments"][0]
    assert amendment["rationale"].startswith("Adendum")
    assert new.data["tender"]["tenderPeriod"] != old.data["tender"]["tenderPeriod"]
    with pytest.raises(ImmutableRelease):
        old.save()
    assert_valid(ocid)


def test_R_9_5_opening_award_and_contract_are_releases_with_bids_award_and_contract(
    announced,
):
    bidding, _bids, _member = announced
    ocid = f"ocds-lpsemr-{bidding.tender.code}"
    releases_publish()
    bid_release = releases(ocid=ocid, kind="bids")[-1]
    statuses = {d["tenderers"][0]["name"]: d["status"] for d in bid_release["bids"]["details"]}
    # Only the winner went through the qualification: the others are not judged on it.
    assert statuses == {"Beta Karya": "valid", "Cipta Mandiri": "pending", "Sinar Maros": "pending"}
    assert {s["measure"] for s in bid_release["bids"]["statistics"]} >= {"bids", "validBids"}
    pending = releases(ocid=ocid, kind="award")[-1]
    assert pending["awards"][0]["status"] == "pending"
    assert pending["awards"][0]["suppliers"][0]["name"] == "Beta Karya"
    ppk = bidding.tender.package.ppk
    with time_machine.travel(AFTER_PERIOD, tick=False):
        award.award_issue(actor=ppk, tender=bidding.tender, number="027/SPPBJ/2026")
        award.contract_record(actor=ppk, tender=bidding.tender, data=contract_data())
        releases_publish()
    active = releases(ocid=ocid, kind="award")[-1]
    assert active["tag"] == ["awardUpdate"] and active["awards"][0]["status"] == "active"
    assert active["awards"][0]["documents"][0]["documentType"] == "awardNotice"
    contract = releases(ocid=ocid, kind="contract")[-1]
    assert contract["tag"] == ["contract"]
    assert contract["contracts"][0]["awardID"] == active["awards"][0]["id"]
    assert releases(ocid=ocid, kind="tender")[-1]["tender"]["status"] == "complete"
    assert_valid(ocid)
    record = packages.record_package(packages.releases_of(ocid), uri="x")["records"][0]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["contracts"][0]["value"]["amount"] == 1200000000
    assert len(compiled["bids"]["details"]) == 3


def test_R_9_5_a_cancelled_tender_gets_a_tender_cancellation_release(bidding):
    releases_publish()
    with time_machine.travel(DURING_BIDDING, tick=False):
        failure.tender_fail(
            actor=bidding.setup.members[0],
            tender=bidding.tender,
            kind=FailureKind.CANCELLED,
            reason="Anggaran direvisi dalam APBD-P",
        )
        releases_publish()
    ocid = f"ocds-lpsemr-{bidding.tender.code}"
    last = releases(ocid=ocid, kind="tender")[-1]
    assert last["tag"] == ["tenderCancellation"]
    assert last["tender"]["status"] == "cancelled"
    assert_valid(ocid)


def test_R_9_5_a_failed_tender_is_unsuccessful(bidding):
    with time_machine.travel(at(9, 10), tick=False):  # the deadline passed without bids
        failure.tender_fail(
            actor=bidding.setup.members[0],
            tender=bidding.tender,
            kind=FailureKind.NO_BIDS,
            reason="Tidak ada penawaran yang masuk",
        )
        releases_publish()
    ocid = f"ocds-lpsemr-{bidding.tender.code}"
    last = releases(ocid=ocid, kind="tender")[-1]
    assert last["tender"]["status"] == "unsuccessful"
    assert_valid(ocid)
