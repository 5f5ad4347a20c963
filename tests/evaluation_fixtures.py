"""Opened tenders ready for evaluation, and the steps the evaluation tests repeat (R-8.4)."""

from __future__ import annotations

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.accounts.services import user_bootstrap
from lpse.bids import offline
from lpse.bids.models import OpenedBid
from lpse.catalog.models import BusinessSubField
from lpse.evaluation.models import Criterion, QualificationInvitation, Verdict
from lpse.evaluation.services import verdicts as services
from lpse.evaluation.services.qualification import invitation_send, proof_record
from lpse.providers.models import Company
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as tender_services
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit
from tests.tender_fixtures import at

EVALUATING = at(10, 10)
DETERMINING = at(14, 10)


def provider(name: str, npwp: str):
    user = user_bootstrap(
        username=name.lower().replace(" ", "-"),
        email=f"{npwp}@test",
        roles={Role.PROVIDER},
        password="Correct-Horse-42!",  # tests.conftest.PASSWORD: they sign in in the browser
    )
    company = Company.objects.create(
        user=user,
        state=Company.State.VERIFIED,
        legal_form="pt",
        name=name,
        npwp=npwp,
        nib="1",
        address="a",
        city="Maros",
        phone="1",
        email=f"{npwp}@test",
        director_name="D",
        registered_at=AT_OPENING,
        verify_by=AT_OPENING,
        forms_ref=f"ref-{npwp}",
    )
    company.sub_fields.set(BusinessSubField.objects.filter(code="K01"))
    return user


@pytest.fixture
def opened(bidding):
    """Three bids opened: A 1.30 bn, B 1.20 bn (received first), C 1.25 bn."""
    others = [
        provider("Beta Karya", "022222222222000"),
        provider("Cipta Mandiri", "033333333333000"),
    ]
    with time_machine.travel(at(0, 9), tick=False):
        for user in others:
            tender_services.pact_sign(actor=user, tender=bidding.tender)
            participation.participation_register(actor=user, tender=bidding.tender)
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(
            others[0], bidding.tender, seal(bidding.recipient, bidding.tender.code, "1200000000")
        )
    with time_machine.travel(at(3, 10), tick=False):
        submit(
            bidding.provider,
            bidding.tender,
            seal(bidding.recipient, bidding.tender.code, "1300000000"),
        )
        submit(
            others[1], bidding.tender, seal(bidding.recipient, bidding.tender.code, "1250000000")
        )
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
    bids = {o.bid.company.name: o for o in OpenedBid.objects.select_related("bid__company")}
    return bidding, bids


def passes(member, opened_bid, *criteria):
    for criterion in criteria:
        services.criterion_record(
            actor=member,
            opened_bid=opened_bid,
            criterion=criterion,
            verdict=Verdict.PASS,
            reason="Memenuhi syarat",
        )


THREE = (Criterion.ADMINISTRATIVE, Criterion.TECHNICAL, Criterion.PRICE)


def prove(member, opened_bid, *, invite_at=None, proof_at=None, result="qualified"):
    """The qualification proof: invited on day 10, held on day 11 (the schedule's stage)."""
    invite_at, proof_at = invite_at or at(10, 13), proof_at or at(11, 9)
    with time_machine.travel(invite_at, tick=False):
        invitation = invitation_send(
            actor=member, bid=opened_bid.bid, proof_at=proof_at, place="Ruang Pokja, Lt. 2"
        )
    with time_machine.travel(proof_at.replace(hour=proof_at.hour + 1), tick=False):
        return proof_record(
            actor=member,
            invitation=invitation,
            result=result,
            reason="Dokumen asli sesuai" if result == "qualified" else "Tidak hadir",
        )


def qualify(member, opened_bid, **kwargs) -> QualificationInvitation:
    """Qualification documents pass, and the proof confirms them."""
    with time_machine.travel(EVALUATING, tick=False):
        passes(member, opened_bid, Criterion.QUALIFICATION)
    return prove(member, opened_bid, **kwargs)
