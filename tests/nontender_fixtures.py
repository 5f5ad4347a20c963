"""Fixtures for the non-tender tests (R-8.6): an approved small package of DPUPR, its
procurement officer, and the hand-over."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from pyrage import x25519

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.services.opening_keys import opening_key_set
from lpse.nontender.models import Invitation, Method, Offer, Procurement
from lpse.nontender.services.handover import procurement_handover
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.offers import offer_pact_sign
from lpse.nontender.services.schedule import schedule_publish
from lpse.tenders.services import preparation
from tests.bid_fixtures import DEADLINE, BiddingTender, bind_signing_key, seal, submit
from tests.tender_fixtures import PREPARED_AT, approve, at, package_data


def small_package(setup, **overrides):
    """An approved works package in K01 well under the Rp 200 million ceiling."""
    data = {
        "name": "Perbaikan Atap Puskesmas Turikale",
        "budget_ceiling": "180.000.000",
        "owner_estimate": "150.000.000",
    }
    data.update(overrides)
    package = preparation.package_create(actor=setup.ppk, data=package_data(**data))
    approve(setup, package)
    return package


@pytest.fixture
def officer(make_user):
    return make_user(Role.PROCUREMENT_OFFICER, username="pejabat-dpupr")


def hand_over(setup, officer, package=None, **kwargs) -> Procurement:
    """Hand a small package to ``officer``, or to a team when given a list of officers."""
    return procurement_handover(
        actor=setup.ppk,
        package=package or small_package(setup),
        officers=officer if isinstance(officer, list) else [officer],
        method=kwargs.pop("method", Method.DIRECT_PROCUREMENT),
        **kwargs,
    )


def opened_offer(invitation: Invitation, price: str) -> Offer:
    """The invited provider's offer at ``price`` by the real path (R-8.6): the schedule published
    if it is not (offers in an hour), the key made on the officer's device and sealed to their
    opening key, the offer sealed, signed and uploaded in the window, the officer unlocking at
    the opening, which records the ``Offer``."""
    procurement = invitation.procurement
    officer = procurement.officers.get()  # the 1-of-1 case
    if procurement.state == Procurement.State.HANDED_OVER:
        now = timezone.now()
        procurement = schedule_publish(
            actor=officer,
            procurement=procurement,
            offers_open_at=now + timedelta(hours=1),
            offers_close_at=now + timedelta(hours=2),
            opening_at=now + timedelta(hours=2),
        )
    procurement.refresh_from_db()
    sign_offer_pact(invitation)
    tender = procurement.tender
    keys = officer_opening_key(officer)
    offline.make_tender_key(actor=officer, tender=tender, offline=False)
    tender.refresh_from_db()
    with time_machine.travel(procurement.offers_open_at + timedelta(minutes=1), tick=False):
        submit(invitation.company.user, tender, seal(tender.bid_key.recipient, tender.code, price))
    with time_machine.travel(procurement.opening_at + timedelta(minutes=1), tick=False):
        offline.unlock_share(member=officer, tender=tender, identity=keys.identity_of(officer))
    return Offer.objects.get(invitation=invitation)


# --- the sealed offers through the bid machinery (R-8.6) -------------------------------------------

# The short schedule of the offer tests, on the bid fixtures' calendar: offers taken while
# DURING_BIDDING, closed at DEADLINE, opened from then (AT_OPENING).
OFFER_SCHEDULE = {
    "offers_open_at": at(0, 8),
    "offers_close_at": DEADLINE,
    "opening_at": DEADLINE,
}


@dataclass
class OfficerKeys:
    """The procurement officer's opening key (R-9.2), made as a member makes theirs."""

    identities: dict

    def identity_of(self, user) -> str:
        return self.identities[user.username]


def officer_opening_key(officer) -> OfficerKeys:
    identity = x25519.Identity.generate()
    opening_key_set(actor=officer, recipient=str(identity.to_public()))
    return OfficerKeys(identities={officer.username: str(identity)})


def sign_offer_pact(invitation: Invitation):
    """The invited provider signs the backing tender's integrity pact (R-7.3), which makes it a
    participant: its offer is taken from then on."""
    return offer_pact_sign(actor=invitation.company.user, invitation=invitation)


def published_with_key(setup, officer, company, **kwargs) -> Procurement:
    """A procurement with ``company`` invited, its schedule published (the backing tender made),
    the provider's integrity pact signed, and its key made on the officer's device: sealed to
    the officer's own opening key (1 of 1), or split among a team (``officer`` a list)."""
    team = officer if isinstance(officer, list) else [officer]
    procurement = hand_over(setup, team, **kwargs)
    invitation = invitation_add(actor=team[0], procurement=procurement, company=company)
    procurement = schedule_publish(actor=team[-1], procurement=procurement, **OFFER_SCHEDULE)
    sign_offer_pact(invitation)
    offline.make_tender_key(actor=team[-1], tender=procurement.tender, offline=False)
    return procurement


@pytest.fixture
def offer_bidding(agency_a, officer, verified_provider):
    """A direct procurement taking the verified provider's sealed offer on its backing tender,
    with the provider's signing key bound (R-9.7); opened by the officer alone."""
    with time_machine.travel(PREPARED_AT, tick=False):
        keys = officer_opening_key(officer)
        procurement = published_with_key(agency_a, officer, verified_provider.company)
    bind_signing_key(verified_provider.company)
    tender = procurement.tender
    tender.refresh_from_db()
    return BiddingTender(
        tender=tender, setup=keys, provider=verified_provider, openers=[officer], needed=1
    )


def officers_opening_keys(officers: list) -> OfficerKeys:
    """Each officer of a team makes their opening key (R-9.2)."""
    identities = {}
    for officer in officers:
        identities.update(officer_opening_key(officer).identities)
    return OfficerKeys(identities=identities)


@pytest.fixture
def officer_team(make_user, officer):
    """Three procurement officers of DPUPR: a procurement two officials must open (R-8.6)."""
    return [
        officer,
        make_user(Role.PROCUREMENT_OFFICER, username="pejabat2-dpupr"),
        make_user(Role.PROCUREMENT_OFFICER, username="pejabat3-dpupr"),
    ]


@pytest.fixture
def team_bidding(agency_a, officer_team, verified_provider):
    """``offer_bidding`` for a team of three officers: the backing tender's key split 2 of 3."""
    with time_machine.travel(PREPARED_AT, tick=False):
        keys = officers_opening_keys(officer_team)
        procurement = published_with_key(agency_a, officer_team, verified_provider.company)
    bind_signing_key(verified_provider.company)
    tender = procurement.tender
    tender.refresh_from_db()
    return BiddingTender(
        tender=tender, setup=keys, provider=verified_provider, openers=officer_team, needed=2
    )
