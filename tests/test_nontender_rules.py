"""The rules of non-tender procurement (R-8.6): the value ceilings at hand-over and at award,
only verified providers invited, negotiation only downwards and never above the HPS, a direct
appointment only with a justification of the regulation's list. Every refusal says why and
stores nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.nontender.ceilings import DEFAULT_CEILINGS, ceiling_for
from lpse.nontender.models import Invitation, Justification, Method, Negotiation, Procurement
from lpse.nontender.services.award import negotiation_record, procurement_award
from lpse.nontender.services.ceilings import ceiling_set
from lpse.nontender.services.invitations import invitation_add
from lpse.providers.models import Company
from lpse.tenders.services import preparation
from tests.nontender_fixtures import hand_over, officer, opened_offer, small_package  # noqa: F401
from tests.tender_fixtures import agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db


def audit_count(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_R_8_6_the_default_ceilings_are_those_of_the_spec():
    assert ceiling_for("goods") == ceiling_for("works") == ceiling_for("other_services")
    assert ceiling_for("goods") == Decimal("200000000")
    assert ceiling_for("consulting") == Decimal("50000000")
    assert set(DEFAULT_CEILINGS) == {"goods", "works", "consulting", "other_services"}


def test_R_8_6_a_package_below_the_ceiling_goes_to_the_officer_with_an_audit_entry(
    agency_a, officer
):
    procurement = hand_over(agency_a, officer)
    assert procurement.state == Procurement.State.HANDED_OVER
    assert list(procurement.officers.all()) == [officer]
    assert procurement.code.startswith("NT2026")
    assert audit_count("nontender.handover") == 1


def test_R_8_6_a_package_above_the_ceiling_is_refused_at_hand_over_and_nothing_stored(
    agency_a, officer
):
    package = small_package(agency_a, budget_ceiling="260.000.000", owner_estimate="250.000.000")
    with pytest.raises(DomainError, match=r"above the ceiling of direct procurement") as caught:
        hand_over(agency_a, officer, package=package)
    assert "Rp 250.000.000" in str(caught.value) and "Rp 200.000.000" in str(caught.value)
    assert not Procurement.objects.exists()
    assert audit_count("nontender.handover") == 0


def test_R_8_6_the_admin_sets_a_ceiling_and_the_hand_over_follows_it(agency_a, officer, make_user):
    from lpse.accounts.roles import Role

    admin = make_user(Role.APP_ADMIN, username="admin-ppe")
    with pytest.raises(DomainError):
        ceiling_set(actor=agency_a.ppk, category="works", limit="100.000.000")
    ceiling_set(actor=admin, category="works", limit="100.000.000")
    assert ceiling_for("works") == Decimal("100000000")
    with pytest.raises(DomainError, match=r"Rp 100\.000\.000"):
        hand_over(agency_a, officer)
    assert not Procurement.objects.exists()


def test_R_8_6_consultancy_has_the_lower_ceiling(agency_a, officer):
    package = small_package(agency_a, category="consulting")  # HPS 150 million > 50 million
    with pytest.raises(DomainError, match="above the ceiling"):
        hand_over(agency_a, officer, package=package)
    assert not Procurement.objects.exists()


def test_R_8_6_only_an_approved_package_of_ones_own_goes_to_an_officer_of_its_agency(
    agency_a, officer, make_user
):
    from lpse.accounts.roles import Role
    from tests.tender_fixtures import package_data

    waiting = preparation.package_create(
        actor=agency_a.ppk,
        data=package_data(budget_ceiling="180.000.000", owner_estimate="150.000.000"),
    )
    with pytest.raises(DomainError, match="waits for the approval"):
        hand_over(agency_a, officer, package=waiting)
    other_officer = make_user(
        Role.PROCUREMENT_OFFICER, username="pejabat-dinkes", agency_code="DINKES"
    )
    with pytest.raises(DomainError, match="not an active procurement officer"):
        hand_over(agency_a, other_officer)
    with pytest.raises(DomainError, match="not an active procurement officer"):
        hand_over(agency_a, agency_a.members[0])
    assert not Procurement.objects.exists()


def test_R_8_6_a_package_goes_to_a_committee_or_to_an_officer_never_both(agency_a, officer):
    at_committee = small_package(agency_a, name="Pagar Kantor Camat")
    preparation.package_assign(
        actor=agency_a.ppk, package=at_committee, committee=agency_a.committee
    )
    with pytest.raises(DomainError, match="handed to a committee"):
        hand_over(agency_a, officer, package=at_committee)

    procurement = hand_over(agency_a, officer)
    with pytest.raises(DomainError, match="handed to a procurement officer"):
        preparation.package_assign(
            actor=agency_a.ppk, package=procurement.package, committee=agency_a.committee
        )
    procurement.package.refresh_from_db()
    assert procurement.package.committee_id is None
    with pytest.raises(DomainError, match="already handed"):
        hand_over(agency_a, officer, package=procurement.package)
    assert Procurement.objects.count() == 1


def unverified_company(reference_data_user):
    from lpse.catalog.models import BusinessSubField

    company = Company.objects.create(
        user=reference_data_user,
        state=Company.State.AWAITING_VERIFICATION,
        legal_form="cv",
        name="Belum Terverifikasi",
        npwp="098765432109000",
        nib="9120009999999",
        address="Jl. Poros 1",
        city="Maros",
        phone="0411-2",
        email="belum@example.test",
        director_name="Budi",
        registered_at="2026-07-01T08:00:00+08:00",
        verify_by="2026-07-10T08:00:00+08:00",
        forms_ref="ref-belum",
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
    return company


def test_R_8_6_an_unverified_provider_is_not_invited(agency_a, officer, make_user):
    from lpse.accounts.roles import Role

    procurement = hand_over(agency_a, officer)
    company = unverified_company(make_user(Role.PROVIDER, username="cv-belum"))
    with pytest.raises(DomainError, match="not a verified provider") as caught:
        invitation_add(actor=officer, procurement=procurement, company=company)
    assert caught.value.code == "unverified"
    assert not Invitation.objects.exists()
    assert audit_count("nontender.invite") == 0


def test_R_8_6_a_verified_provider_of_the_field_is_invited_by_the_officer_only(
    agency_a, officer, verified_provider, make_user
):
    from lpse.accounts.roles import Role

    procurement = hand_over(agency_a, officer)
    company = verified_provider.company
    with pytest.raises(DomainError, match=r"nontender\.run"):
        invitation_add(actor=agency_a.ppk, procurement=procurement, company=company)
    colleague = make_user(Role.PROCUREMENT_OFFICER, username="pejabat2-dpupr")
    with pytest.raises(DomainError, match="Only the procurement officer"):
        invitation_add(actor=colleague, procurement=procurement, company=company)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    assert invitation.company == verified_provider.company
    with pytest.raises(DomainError, match="already invited"):
        invitation_add(actor=officer, procurement=procurement, company=verified_provider.company)
    assert Invitation.objects.count() == 1


def test_R_8_6_a_provider_outside_the_business_field_is_not_invited(
    agency_a, officer, verified_provider
):
    from lpse.catalog.models import BusinessSubField

    procurement = hand_over(agency_a, officer)
    verified_provider.company.sub_fields.set(BusinessSubField.objects.exclude(code="K01")[:1])
    with pytest.raises(DomainError, match="business sub-field"):
        invitation_add(actor=officer, procurement=procurement, company=verified_provider.company)
    assert not Invitation.objects.exists()


@pytest.fixture
def offer(agency_a, officer, verified_provider):
    procurement = hand_over(agency_a, officer)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    return opened_offer(invitation, "148000000")


def test_R_8_6_a_negotiated_price_above_the_offer_is_refused_and_nothing_stored(offer, officer):
    with pytest.raises(DomainError, match="only lowers the price") as caught:
        negotiation_record(actor=officer, offer=offer, price="149.000.000", reason="nego")
    assert caught.value.code == "above_offer"
    negotiation_record(actor=officer, offer=offer, price="140.000.000", reason="volume dikurangi")
    with pytest.raises(DomainError, match=r"Rp 140\.000\.000"):
        negotiation_record(actor=officer, offer=offer, price="145.000.000", reason="naik lagi")
    assert list(Negotiation.objects.values_list("price", flat=True)) == [Decimal("140000000")]
    assert audit_count("nontender.negotiate") == 1


def test_R_8_6_a_negotiated_price_above_the_hps_is_refused(agency_a, officer, verified_provider):
    procurement = hand_over(agency_a, officer)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    offer = opened_offer(invitation, "170000000")  # above the HPS of 150 million
    with pytest.raises(DomainError, match="above the owner estimate") as caught:
        negotiation_record(actor=officer, offer=offer, price="160.000.000", reason="nego")
    assert caught.value.code == "above_hps"
    with pytest.raises(DomainError, match="above the owner estimate"):
        procurement_award(actor=officer, procurement=procurement, offer=offer)
    assert not Negotiation.objects.exists()
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.OPENED and procurement.winner is None


def test_R_8_6_a_negotiation_needs_its_reason(offer, officer):
    with pytest.raises(DomainError, match="reason is kept"):
        negotiation_record(actor=officer, offer=offer, price="140.000.000", reason="  ")
    assert not Negotiation.objects.exists()


def test_R_8_6_the_award_checks_the_ceiling_in_force_at_the_award(
    offer, officer, make_user, django_capture_on_commit_callbacks
):
    from lpse.accounts.roles import Role

    procurement = offer.invitation.procurement
    admin = make_user(Role.APP_ADMIN, username="admin-ppe")
    ceiling_set(actor=admin, category="works", limit="100.000.000")
    with pytest.raises(DomainError, match="above the ceiling") as caught:
        procurement_award(actor=officer, procurement=procurement, offer=offer)
    assert caught.value.code == "above_ceiling"
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.OPENED and procurement.purchase_order is None
    assert audit_count("nontender.award") == 0

    negotiation_record(actor=officer, offer=offer, price="99.500.000", reason="lingkup disesuaikan")
    with django_capture_on_commit_callbacks(execute=True):
        procurement_award(actor=officer, procurement=procurement, offer=offer)
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.AWARDED
    assert procurement.award_price == Decimal("99500000")
    assert procurement.winner == offer.invitation.company
    from lpse.core.storage import open_blob

    with open_blob(procurement.purchase_order) as f:
        assert f.read(5) == b"%PDF-"
    assert audit_count("nontender.award") == 1


def test_R_8_6_a_direct_appointment_without_justification_is_refused_and_nothing_stored(
    agency_a, officer
):
    evidence = SimpleUploadedFile("darurat.pdf", b"%PDF-1.4 pernyataan darurat")
    for justification, note, message in [
        ("", "banjir", "cases the regulation lists"),
        ("cheaper", "banjir", "cases the regulation lists"),
        (Justification.EMERGENCY, "  ", "Explain how"),
    ]:
        with pytest.raises(DomainError, match=message):
            hand_over(
                agency_a,
                officer,
                method=Method.DIRECT_APPOINTMENT,
                justification=justification,
                justification_note=note,
                evidence=evidence,
            )
    with pytest.raises(DomainError, match="Attach the evidence"):
        hand_over(
            agency_a,
            officer,
            method=Method.DIRECT_APPOINTMENT,
            justification=Justification.EMERGENCY,
            justification_note="banjir bandang 3 Juli",
        )
    assert not Procurement.objects.exists()
    assert audit_count("nontender.handover") == 0


def test_R_8_6_a_direct_appointment_keeps_its_justification_and_evidence_above_the_ceiling(
    agency_a, officer, verified_provider, scanner, make_user, client
):
    from django.urls import reverse

    from lpse.accounts.roles import Role

    package = small_package(agency_a, budget_ceiling="900.000.000", owner_estimate="850.000.000")
    procurement = hand_over(
        agency_a,
        officer,
        package=package,
        method=Method.DIRECT_APPOINTMENT,
        justification=Justification.EMERGENCY,
        justification_note="Banjir bandang 3 Juli: jembatan darurat",
        evidence=SimpleUploadedFile("sk-darurat.pdf", b"%PDF-1.4 SK tanggap darurat"),
    )
    assert procurement.evidence is not None and procurement.evidence_filename == "sk-darurat.pdf"
    event = AuditEvent.objects.get(action="nontender.handover")
    assert event.data["justification"] == "emergency"
    assert event.data["evidence_sha256"] == procurement.evidence.sha256
    invitation_add(actor=officer, procurement=procurement, company=verified_provider.company)
    other = unverified_company(make_user(Role.PROVIDER, username="cv-kedua"))
    other.state = Company.State.VERIFIED
    other.save(update_fields=["state"])
    with pytest.raises(DomainError, match="one provider only"):
        invitation_add(actor=officer, procurement=procurement, company=other)
    assert procurement.invitations.count() == 1
    url = reverse("nontender:evidence", args=[procurement.pk])
    client.force_login(agency_a.ppk)
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 SK tanggap darurat"
    client.force_login(make_user(Role.PPK, username="ppk2-dpupr"))
    assert client.get(url).status_code == 403


def test_R_8_6_the_admin_changes_a_ceiling_on_its_page(client, make_user):
    from django.urls import reverse

    from lpse.accounts.roles import Role

    client.force_login(make_user(Role.APP_ADMIN, username="admin-ppe"))
    page = client.get(reverse("nontender:ceilings")).content.decode()
    assert re.search(r"Rp 200[.,]000[.,]000", page) and re.search(r"Rp 50[.,]000[.,]000", page)
    refused = client.post(reverse("nontender:ceilings"), {"category": "goods", "limit": "nol"})
    assert refused.status_code == 400 and "Write the amount in rupiah" in refused.content.decode()
    client.post(reverse("nontender:ceilings"), {"category": "consulting", "limit": "100.000.000"})
    assert ceiling_for("consulting") == Decimal("100000000")
