"""The provider's integrity pact for a non-tender procurement (R-8.6 with R-7.3, issue 20): as a
tender's participant signs it before registering, an invited provider signs the backing tender's
pact — the tender flow's own — before its sealed offer is taken."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lpse.bids.models import Bid
from lpse.bids.services import submission
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.offers import offer_pact_sign
from lpse.nontender.services.schedule import schedule_publish
from lpse.tenders.models import IntegrityPact, Participation
from lpse.tenders.services.backing import backing_participant_add
from tests.bid_fixtures import DURING_BIDDING, bind_signing_key, seal, submit
from tests.evaluation_fixtures import provider
from tests.nontender_fixtures import (  # noqa: F401
    OFFER_SCHEDULE,
    hand_over,
    officer,
    officer_opening_key,
)
from tests.tender_fixtures import PREPARED_AT, agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(agency_a, officer, verified_provider):
    """The verified provider invited, the schedule published and the key made: no pact yet."""
    from lpse.bids import offline

    with time_machine.travel(PREPARED_AT, tick=False):
        officer_opening_key(officer)
        procurement = hand_over(agency_a, officer)
        invitation = invitation_add(
            actor=officer, procurement=procurement, company=verified_provider.company
        )
        procurement = schedule_publish(actor=officer, procurement=procurement, **OFFER_SCHEDULE)
        offline.make_tender_key(actor=officer, tender=procurement.tender, offline=False)
    bind_signing_key(verified_provider.company)
    invitation.refresh_from_db()
    return invitation


def test_R_8_6_an_invited_provider_without_the_integrity_pact_cannot_offer(
    invited, verified_provider
):
    tender = invited.procurement.tender
    tender.refresh_from_db()
    # The invitation alone does not make a participant: without the pact, no offer is taken.
    assert not Participation.objects.filter(tender=tender).exists()
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError) as refused:
            submission.upload_start(actor=verified_provider, tender=tender, length=1000)
    assert refused.value.code == "forbidden"
    # Nor can the backing tender take a participant who did not sign it, whoever asks.
    with pytest.raises(DomainError, match="integrity pact") as refused:
        backing_participant_add(tender=tender, company=verified_provider.company)
    assert refused.value.code == "pact_missing"
    assert not Participation.objects.filter(tender=tender).exists()


def test_R_8_6_the_provider_signs_the_pact_on_the_invitations_page_then_offers(
    client, invited, verified_provider
):
    tender = invited.procurement.tender
    tender.refresh_from_db()
    client.force_login(verified_provider)
    page = client.get(reverse("nontender:my_invitations")).content.decode()
    assert "Sign the integrity pact" in page and "Korupsi, Kolusi, dan Nepotisme" in page
    assert reverse("bids:submit", args=[tender.code]) not in page  # no offer before the pact

    client.post(reverse("nontender:invitation_pact", args=[invited.pk]))
    pact = IntegrityPact.objects.get(tender=tender, signer=verified_provider)
    assert pact.signer_role == IntegrityPact.SignerRole.PROVIDER
    assert pact.document.size > 0  # the tender flow's PDF, its hashes in the audit event
    assert AuditEvent.objects.get(action="pact.sign").data["sha256"] == pact.document.sha256
    assert Participation.objects.filter(tender=tender, company=verified_provider.company).exists()
    page = client.get(reverse("nontender:my_invitations")).content.decode()
    assert reverse("bids:submit", args=[tender.code]) in page
    assert "You signed the integrity pact" in page
    client.post(reverse("nontender:invitation_pact", args=[invited.pk]))  # a double click
    assert IntegrityPact.objects.filter(tender=tender).count() == 1

    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(verified_provider, tender, seal(tender.bid_key.recipient, tender.code))
    assert bid.state == Bid.State.ACTIVE


def test_R_8_6_only_the_invited_provider_signs_its_invitations_pact(client, invited):
    other = provider("Lain Jaya", "019876543210000")  # verified, of the same field, not invited
    client.force_login(other)
    response = client.post(reverse("nontender:invitation_pact", args=[invited.pk]))
    assert response.status_code == 404
    with pytest.raises(DomainError, match="not addressed to you") as refused:
        offer_pact_sign(actor=other, invitation=invited)
    assert refused.value.code == "forbidden"
    assert not IntegrityPact.objects.exists() and not Participation.objects.exists()


def test_R_8_6_no_pact_before_the_schedule_is_published(agency_a, officer, verified_provider):
    procurement = hand_over(agency_a, officer)
    invitation = invitation_add(
        actor=officer, procurement=procurement, company=verified_provider.company
    )
    with pytest.raises(DomainError, match="published the schedule") as refused:
        offer_pact_sign(actor=verified_provider, invitation=invitation)
    assert refused.value.code == "wrong_state"
    assert not IntegrityPact.objects.exists()
