"""Several procurement officers on one procurement (R-8.6, issue 20): the PPK hands a package to
a team; the backing tender's key is split among them k of n (a majority, as a committee's), and
the opening needs k of them. Every officer page and service is scoped to the team."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.models import KeyShare, Opening
from lpse.bids.services import opening, tender_keys
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.nontender.models import Invitation, Offer, Procurement
from lpse.nontender.services.invitations import invitation_add
from lpse.tenders.selectors.access import openers_of
from tests.bid_fixtures import (  # noqa: F401
    AT_OPENING,
    DURING_BIDDING,
    EITHER_BIDDING,
    bidding,
    five_member_agency,
    seal,
    submit,
    tender_bidding,
)
from tests.evaluation_fixtures import provider
from tests.nontender_fixtures import (  # noqa: F401
    hand_over,
    offer_bidding,
    officer,
    officer_team,
    small_package,
    team_bidding,
)
from tests.tender_fixtures import PREPARED_AT, agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db

OFFERED = "148500000.00"


def _unlock(bidding, officer) -> None:
    with time_machine.travel(AT_OPENING, tick=False):
        offline.unlock_share(
            member=officer, tender=bidding.tender, identity=bidding.setup.identity_of(officer)
        )


def test_R_8_6_the_ppk_hands_a_package_to_a_team_of_officers_on_the_page(
    client, agency_a, officer_team, django_capture_on_commit_callbacks
):
    package = small_package(agency_a)
    client.force_login(agency_a.ppk)
    page = client.get(reverse("nontender:handover", args=[package.pk])).content.decode()
    assert all(f'value="{o.pk}"' in page for o in officer_team)  # one checkbox per officer
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("nontender:handover", args=[package.pk]),
            {"officers": [o.pk for o in officer_team], "method": "direct_procurement"},
        )
    assert response.status_code == 302
    procurement = Procurement.objects.get(package=package)
    assert set(procurement.officers.all()) == set(officer_team)
    event = AuditEvent.objects.get(action="nontender.handover")
    assert event.data["officers"] == sorted(o.username for o in officer_team)
    [mail] = SentEmail.objects.filter(subject__contains=package.name)
    assert all(o.email in mail.to for o in officer_team)
    client.force_login(officer_team[2])
    detail = client.get(reverse("nontender:detail", args=[procurement.pk]))
    assert detail.status_code == 200
    assert all(o.username in detail.content.decode() for o in officer_team)


def test_R_8_6_a_team_with_an_officer_of_another_agency_is_refused_whole(
    agency_a, officer_team, make_user
):
    stranger = make_user(Role.PROCUREMENT_OFFICER, username="pejabat-dinkes", agency_code="DINKES")
    package = small_package(agency_a)
    with pytest.raises(DomainError, match="pejabat-dinkes is not an active procurement officer"):
        hand_over(agency_a, [*officer_team, stranger], package=package)
    with pytest.raises(DomainError, match="Choose the procurement officer"):
        hand_over(agency_a, [], package=package)
    assert not Procurement.objects.exists()


def test_R_8_6_a_team_of_three_officers_needs_two_to_open_one_cannot(team_bidding):
    team = team_bidding.openers
    tender = team_bidding.tender
    # Split among the team, a majority needed: 2 of 3, a share sealed to each officer's key.
    assert openers_of(tender) == sorted(team, key=lambda u: u.username)
    shares = KeyShare.objects.filter(tender_key__tender=tender)
    assert {s.member for s in shares} == set(team) and tender.bid_key.threshold == 2
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(
            team_bidding.provider, tender, seal(team_bidding.recipient, tender.code, OFFERED)
        )

    _unlock(team_bidding, team[0])  # one officer alone opens nothing
    assert Opening.objects.get(tender=tender).state != Opening.State.OPENED
    assert not Offer.objects.exists()
    assert Procurement.objects.get(tender=tender).state == Procurement.State.INVITING

    _unlock(team_bidding, team[2])  # a second one: the offers open
    assert Opening.objects.get(tender=tender).state == Opening.State.OPENED
    offer = Offer.objects.get(bid=bid)
    assert str(offer.price) == OFFERED
    assert Procurement.objects.get(tender=tender).state == Procurement.State.OPENED


def test_R_8_6_an_officer_not_on_the_team_gets_404_and_is_refused_by_every_service(
    client, team_bidding, make_user
):
    outsider = make_user(Role.PROCUREMENT_OFFICER, username="pejabat4-dpupr")
    tender = team_bidding.tender
    procurement = Procurement.objects.get(tender=tender)
    client.force_login(outsider)
    for name in ("invite", "schedule_publish", "schedule_change"):
        response = client.post(reverse(f"nontender:{name}", args=[procurement.pk]))
        assert response.status_code == 404, name
    assert client.get(reverse("nontender:detail", args=[procurement.pk])).status_code == 404
    assert procurement.code not in client.get(reverse("nontender:officer_list")).content.decode()
    assert client.get(reverse("bids:tender_key", args=[tender.code])).status_code == 403
    assert client.get(reverse("bids:opening", args=[tender.code])).status_code == 403
    with pytest.raises(DomainError, match="procurement officer of this procurement"):
        tender_keys.ceremony_inputs(actor=outsider, tender=tender)
    with time_machine.travel(AT_OPENING, tick=False):
        with pytest.raises(DomainError, match="procurement officer of this") as refused:
            opening.share_unlock(actor=outsider, tender=tender, share="x")
    assert refused.value.code == "forbidden"
    other = provider("Lain Jaya", "019876543210000")
    with pytest.raises(DomainError, match="Only the procurement officer") as refused:
        invitation_add(actor=outsider, procurement=procurement, company=other.company)
    assert refused.value.code == "forbidden"
    assert not Invitation.objects.filter(company=other.company).exists()
    # A member of the team may: any officer of it runs the steps.
    invitation_add(actor=team_bidding.openers[1], procurement=procurement, company=other.company)


def test_R_8_6_an_officer_of_the_team_without_an_opening_key_holds_the_key_back(
    agency_a, officer_team, verified_provider
):
    from tests.nontender_fixtures import officers_opening_keys, published_with_key

    officers_opening_keys(officer_team[:2])  # the third has none yet
    with time_machine.travel(PREPARED_AT, tick=False):
        with pytest.raises(DomainError, match="Every procurement officer") as refused:
            published_with_key(agency_a, officer_team, verified_provider.company)
    assert "pejabat3-dpupr" in str(refused.value)
    assert not KeyShare.objects.exists()


def test_R_8_6_the_key_and_opening_pages_say_procurement_officers_not_committee(
    client, team_bidding
):
    tender = team_bidding.tender
    client.force_login(team_bidding.openers[0])
    key_page = client.get(reverse("bids:tender_key", args=[tender.code])).content.decode()
    assert "2 of 3 procurement officers open it" in key_page
    assert "committee" not in key_page.lower()
    with time_machine.travel(AT_OPENING, tick=False):
        page = client.get(reverse("bids:opening", args=[tender.code])).content.decode()
    assert "2 of the 3 procurement officers must unlock their shares" in page
    assert "committee" not in page.lower()


@EITHER_BIDDING
def test_R_8_6_the_pages_name_a_tenders_committee_and_a_procurements_officer(client, bidding):
    """One officer: "the procurement officer", 1 of 1; a tender: its committee, unchanged."""
    tender = bidding.tender
    by_officer = tender.method == "non_tender"
    client.force_login(bidding.openers[0])
    key_page = client.get(reverse("bids:tender_key", args=[tender.code])).content.decode()
    with time_machine.travel(AT_OPENING, tick=False):
        opening_page = client.get(reverse("bids:opening", args=[tender.code])).content.decode()
    client.force_login(bidding.provider)
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit_page = client.get(reverse("bids:submit", args=[tender.code])).content.decode()
    if by_officer:
        assert "the procurement officer opens it alone" in key_page
        assert "The procurement officer unlocks their share to open the offers." in opening_page
        assert "before the procurement officer(s) open the offers" in submit_page
        for page in (key_page, opening_page, submit_page):
            assert "committee" not in page.lower()
    else:
        assert "3 of 5 members open it" in key_page
        assert "3 of the 5 committee members must unlock their shares" in opening_page
        assert "before the committee opens the bids together" in submit_page
