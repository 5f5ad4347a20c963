"""The demo a newcomer starts with `scripts/demo`: every role's account, tenders at several
stages, and a sealed bid the demo committee can open with its passphrases."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lpse.bids import offline, opening_keys
from lpse.bids.models import OpenedBid
from lpse.core.audit import verify_chain
from lpse.demo import loader as demo
from lpse.tenders.models import Tender
from tests.listing_checks import assert_the_list_shows_the_tenders

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_lists_every_account_and_its_committee_can_open_a_bid(client, settings):
    settings.LPSE_DEMO = True
    call_command("load_demo_data")
    call_command("load_demo_data")  # a second start changes nothing
    page = client.get("/").content.decode()
    for _label, username, password in demo.demo_accounts_for_home():
        assert username in page and password in page
    assert Tender.objects.filter(state=Tender.State.PUBLISHED).count() == 3
    # The demo moves its tenders' schedules into the past after publishing them: the public
    # list's rows (R-8.5) show the moved dates, as the tenders' own pages do.
    assert_the_list_shows_the_tenders()
    assert verify_chain().ok
    # The demo committee opens the demo bid with its passphrases (the demo passwords).
    tender = Tender.objects.get(bids__isnull=False)
    members = list(tender.package.committee.members.order_by("username"))
    for member in members[: tender.bid_key.threshold]:
        # What the member's browser does: open the sealed key with the passphrase, then the share.
        identity = opening_keys.open_identity(
            member.opening_key.sealed_identity, demo.demo_password("committee")
        )
        offline.unlock_share(member=member, tender=tender, identity=identity)
    opened = OpenedBid.objects.get(bid__tender=tender)
    assert str(opened.total_price) == "949750000.00" and not opened.problem


def test_R_2_1_the_demo_has_approved_answers_and_an_answered_question(client, settings):
    """The helpdesk, the public FAQ and the provider's own tickets have something to show."""
    from lpse.servicedesk.models import Ticket

    settings.LPSE_DEMO = True
    call_command("load_demo_data")
    faq = client.get("/layanan/faq/").content.decode()
    assert "Unggahan penawaran terputus di tengah jalan" in faq
    [ticket] = Ticket.objects.all()
    assert ticket.state == Ticket.State.ANSWERED and ticket.article is not None
