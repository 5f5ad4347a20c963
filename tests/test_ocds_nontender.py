"""OCDS releases of non-tender procurements (R-9.5 with R-8.6, issue 20): published on the
backing tender's ocid (the procurement's code) with the method of the OCDS codelist — a direct
procurement ``limited``, a direct appointment ``direct`` with its justification as
``procurementMethodRationale`` — the officer as procuring entity, the opened offers as bids, the
officer's result as the award and the purchase order (SPK) as the contract; validated by
libcoveocds like the tenders' releases, and picked up by the incremental publisher."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.nontender.models import Invitation, Justification, Method
from lpse.nontender.services.award import negotiation_record, procurement_award
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.schedule import (
    schedule_change_apply,
    schedule_change_request,
    schedule_publish,
)
from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import packages, store
from lpse.portal.ocds.facts import ocid_of
from lpse.portal.ocds.validate import validate_package
from tests.nontender_fixtures import hand_over, officer, opened_offer  # noqa: F401
from tests.tender_fixtures import agency_a, verified_provider  # noqa: F401
from tests.test_ocds_incremental import looked_at  # noqa: F401

pytestmark = pytest.mark.django_db

URI = "https://lpse.example.test/api/v1/ocds"


def _assert_valid(ocid: str) -> None:
    rows = packages.releases_of(ocid)
    for what, package in (
        ("release package", packages.release_package([r.data for r in rows], uri=URI)),
        ("record package", packages.record_package(rows, uri=URI)),
    ):
        report = validate_package(package)
        assert not report.schema_errors, (what, report.schema_errors)
        assert not report.codelist_errors, (what, report.codelist_errors)
        assert not report.extension_problems, (what, report.extension_problems)


def _latest(ocid: str) -> dict[str, dict]:
    latest: dict[str, dict] = {}
    for row in OCDSRelease.objects.filter(ocid=ocid).order_by("seq"):
        latest[row.kind] = row.data
    return latest


def _schedule():
    now = timezone.now()
    return {
        "offers_open_at": now + timedelta(hours=1),
        "offers_close_at": now + timedelta(hours=2),
        "opening_at": now + timedelta(hours=2),
    }


def test_R_9_5_R_8_6_a_direct_procurement_is_published_from_its_invitation_to_its_spk(
    agency_a, officer, verified_provider, client
):
    procurement = hand_over(agency_a, officer)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    offer = opened_offer(invitation, "140000000")
    negotiation_record(actor=officer, offer=offer, price="138000000", reason="Harga seng turun")
    procurement_award(actor=officer, procurement=procurement, offer=offer)
    procurement.refresh_from_db()

    assert store.releases_publish() == 5
    ocid = ocid_of(procurement.code)
    latest = _latest(ocid)
    assert set(latest) == {"planning", "tender", "bids", "award", "contract"}
    tender = latest["tender"]["tender"]
    assert tender["procurementMethod"] == "limited"
    assert tender["procurementMethodDetails"] == "Direct procurement (pengadaan langsung)"
    assert "procurementMethodRationale" not in tender
    assert tender["status"] == "complete"
    assert tender["procuringEntity"]["name"] == f"Pejabat Pengadaan ({agency_a.ppk.agency.name})"
    [bid] = latest["bids"]["bids"]["details"]
    assert bid["status"] == "valid" and bid["value"] == {"amount": 140000000, "currency": "IDR"}
    [award] = latest["award"]["awards"]
    assert award["value"] == {"amount": 138000000, "currency": "IDR"}
    assert award["suppliers"][0]["name"] == verified_provider.company.name
    assert award["relatedBids"] == [bid["id"]]
    [contract] = latest["contract"]["contracts"]
    assert contract["awardID"] == award["id"]
    [document] = contract["documents"]
    assert document["documentType"] == "contractSigned"
    assert procurement.purchase_order.sha256 in document["description"]
    _assert_valid(ocid)
    # Served by the public API like a tender's record.
    record = client.get(f"/api/v1/ocds/records/{ocid}").json()
    assert record["records"][0]["compiledRelease"]["contracts"][0]["id"] == contract["id"]


def test_R_9_5_R_8_6_a_direct_appointment_publishes_its_justification(
    agency_a, officer, verified_provider, scanner
):
    procurement = hand_over(
        agency_a,
        officer,
        method=Method.DIRECT_APPOINTMENT,
        justification=Justification.EMERGENCY,
        justification_note="Banjir bandang 3 Juli: jembatan darurat",
        evidence=SimpleUploadedFile("sk-darurat.pdf", b"%PDF-1.4 SK tanggap darurat"),
    )
    invitation_add(actor=officer, procurement=procurement, company=verified_provider.company)
    schedule_publish(actor=officer, procurement=procurement, **_schedule())

    assert store.releases_publish() == 2  # planning and tender: nothing opened yet
    ocid = ocid_of(procurement.code)
    tender = _latest(ocid)["tender"]["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodRationale"] == (
        "Emergency handling (keadaan darurat, Pasal 59): Banjir bandang 3 Juli: jembatan darurat"
    )
    assert tender["status"] == "active"
    assert "enquiryPeriod" in tender and "tenderPeriod" in tender
    _assert_valid(ocid)


def test_R_9_5_R_8_6_the_incremental_publisher_picks_up_a_procurements_events(
    agency_a, officer, verified_provider, looked_at, make_user
):
    procurement = hand_over(agency_a, officer)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    # Handed over and invited, no schedule: nothing is announced, nothing published.
    assert store.releases_publish() == 0
    procurement = schedule_publish(actor=officer, procurement=procurement, **_schedule())
    assert store.releases_publish() == 2
    assert looked_at == [procurement.code]
    looked_at.clear()
    assert store.releases_publish() == 0 and looked_at == []

    # A schedule change applied by the administrator: a new tender release (an amendment of the
    # periods), only this procurement looked at.
    new = _schedule()
    new["offers_close_at"] += timedelta(hours=1)
    new["opening_at"] += timedelta(hours=1)
    change = schedule_change_request(
        actor=officer, procurement=procurement, reason="Jalan putus", **new
    )
    schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
    assert store.releases_publish() == 1
    assert looked_at == [procurement.code]
    looked_at.clear()

    # The opening (the bids app's events) and the award (the nontender app's).
    procurement.refresh_from_db()
    offer = opened_offer(Invitation.objects.get(pk=invitation.pk), "145000000")
    with time_machine.travel(procurement.opening_at + timedelta(minutes=5), tick=False):
        assert store.releases_publish() == 1  # the bids
    assert looked_at == [procurement.code]
    looked_at.clear()
    procurement_award(actor=officer, procurement=procurement, offer=offer)
    assert store.releases_publish() == 4  # tender (complete), bids (valid), award, contract
    assert looked_at == [procurement.code]
    _assert_valid(ocid_of(procurement.code))
