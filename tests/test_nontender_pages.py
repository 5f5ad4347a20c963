"""The non-tender pages (R-8.6): the PPK hands a package over, the officer invites, negotiates
(a refusal on the page keeps what was typed and stores nothing) and chooses the provider; the
SPK goes to the PPK; the result is public."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.calendar import to_wita
from lpse.core.models import SentEmail
from lpse.nontender.models import Invitation, Negotiation, Offer, Procurement
from tests.nontender_fixtures import officer, opened_offer, small_package  # noqa: F401
from tests.tender_fixtures import agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_R_8_6_direct_procurement_from_hand_over_to_public_result_through_the_pages(
    client, agency_a, officer, verified_provider, make_user, django_capture_on_commit_callbacks
):
    package = small_package(agency_a)
    login(client, agency_a.ppk)
    page = client.get(reverse("tenders:package_detail", args=[package.pk]))
    assert reverse("nontender:handover", args=[package.pk]).encode() in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("nontender:handover", args=[package.pk]),
            {"officers": [officer.pk], "method": "direct_procurement"},
        )
    assert response.status_code == 302
    procurement = Procurement.objects.get(package=package)
    assert SentEmail.objects.filter(to__contains=officer.email).exists()

    login(client, officer)
    assert procurement.code.encode() in client.get(reverse("nontender:officer_list")).content
    detail = client.get(reverse("nontender:detail", args=[procurement.pk]))
    assert verified_provider.company.name.encode() in detail.content  # offered for invitation
    response = client.post(
        reverse("nontender:invite", args=[procurement.pk]),
        {"company": verified_provider.company.pk},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(procurement=procurement)
    login(client, verified_provider)
    mine = client.get(reverse("nontender:my_invitations")).content.decode()
    assert procurement.code in mine
    login(client, officer)
    soon = to_wita(timezone.now()).replace(second=0, microsecond=0) + timedelta(days=1)
    moments = {
        "offers_open_at": soon,
        "offers_close_at": soon + timedelta(days=2),
        "opening_at": soon + timedelta(days=2, hours=1),
    }
    backwards = {**moments, "opening_at": soon}
    form = {k: f"{v:%Y-%m-%dT%H:%M}" for k, v in backwards.items()}
    refused = client.post(reverse("nontender:schedule_publish", args=[procurement.pk]), form)
    assert refused.status_code == 400 and b"opened at or after the close" in refused.content
    form = {k: f"{v:%Y-%m-%dT%H:%M}" for k, v in moments.items()}
    client.post(reverse("nontender:schedule_publish", args=[procurement.pk]), form)
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.INVITING
    assert procurement.offers_close_at == moments["offers_close_at"]
    offer = opened_offer(invitation, "149000000")

    too_high = client.post(
        reverse("nontender:negotiate", args=[procurement.pk, offer.pk]),
        {"price": "149.500.000", "reason": "naik"},
    )
    assert too_high.status_code == 400
    assert b"only lowers the price" in too_high.content and b"149.500.000" in too_high.content
    assert not Negotiation.objects.exists()
    client.post(
        reverse("nontender:negotiate", args=[procurement.pk, offer.pk]),
        {"price": "145.000.000", "reason": "harga satuan seng disesuaikan"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("nontender:award", args=[procurement.pk, offer.pk]))
    assert response.status_code == 302
    procurement.refresh_from_db()
    assert procurement.state == Procurement.State.AWARDED
    assert procurement.award_price == Decimal("145000000")

    login(client, agency_a.ppk)
    spk = client.get(reverse("nontender:purchase_order", args=[procurement.pk]))
    assert spk.status_code == 200 and spk.content.startswith(b"%PDF-")
    assert SentEmail.objects.filter(to__contains=agency_a.ppk.email).exists()
    login(client, make_user(Role.PROVIDER, username="cv-lain"))
    assert client.get(reverse("nontender:purchase_order", args=[procurement.pk])).status_code == 403

    client.logout()
    public = client.get(reverse("nontender:results")).content.decode()
    assert procurement.code in public and verified_provider.company.name in public
    assert "145.000.000" in public


def test_R_8_6_another_officer_neither_sees_nor_acts_on_the_procurement(
    client, agency_a, officer, verified_provider, make_user
):
    from tests.nontender_fixtures import hand_over

    procurement = hand_over(agency_a, officer)
    login(client, make_user(Role.PROCUREMENT_OFFICER, username="pejabat2-dpupr"))
    assert client.get(reverse("nontender:detail", args=[procurement.pk])).status_code == 404
    response = client.post(
        reverse("nontender:invite", args=[procurement.pk]),
        {"company": verified_provider.company.pk},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists() and not Offer.objects.exists()
