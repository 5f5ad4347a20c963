"""Issue 15, part B: the bid and tender pages offer only what the tender's stage and the person's
own history allow, decided on the server (R-8.2, R-8.3, R-9.2, R-7.3).

The clock: ``bidding`` (tests/bid_fixtures.py) has a fixed schedule in July 2026; each test
travels to the moment it needs. The pages are read with Django's test client, as rendered HTML.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from django.utils import translation

from lpse.bids import offline
from lpse.bids.models import Bid
from lpse.core.errors import DomainError
from lpse.tenders.pacts import PACT_TEXT
from lpse.tenders.services import preparation as services
from tests.bid_fixtures import AT_OPENING, DEADLINE, DURING_BIDDING, seal, submit
from tests.tender_fixtures import PREPARED_AT, at

pytestmark = pytest.mark.django_db

BEFORE_BIDDING = at(0, 9)  # Monday 6 July 2026: announced, bid submission not open yet


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def bid_page(client, bidding) -> str:
    return page(client, bidding.provider, f"/tender/{bidding.tender.code}/penawaran/")


# --- 3. a closed tender offers no bid form -------------------------------------------------------


def test_R_8_3_the_bid_form_is_offered_inside_the_bid_submission_stage(client, bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        html = bid_page(client, bidding)
    assert 'id="bid-form"' in html and "Encrypt and send" in html
    assert 'id="bids-closed"' not in html


def test_R_8_3_after_the_deadline_the_bid_page_says_it_closed_and_when_and_offers_no_form(
    client, bidding
):
    with time_machine.travel(DEADLINE, tick=False):
        html = bid_page(client, bidding)
    assert 'id="bid-form"' not in html and 'id="envelope-form"' not in html
    assert "Encrypt and send" not in html and "Send the envelope" not in html
    closed = re.search(r'<div[^>]*id="bids-closed"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "Bid submission closed on Wednesday, 15 July 2026 10:00 WITA" in closed
    assert 'id="my-bids"' in html  # the provider still sees its bids and receipts


def test_R_8_3_before_bid_submission_opens_the_page_says_when_it_opens(client, bidding):
    with time_machine.travel(BEFORE_BIDDING, tick=False):
        html = bid_page(client, bidding)
    assert 'id="bid-form"' not in html
    assert "Bid submission has not opened yet. It opens on" in html
    assert re.search(r"It opens on \w+day, \d+ July 2026 \d\d:\d\d WITA", html)


def test_R_8_3_the_closed_page_is_in_indonesian_with_an_indonesian_weekday(client, bidding):
    client.cookies.pop("django_language", None)
    with time_machine.travel(DEADLINE, tick=False), translation.override("id"):
        client.force_login(bidding.provider)
        client.cookies["django_language"] = "id"
        html = client.get(f"/tender/{bidding.tender.code}/penawaran/").content.decode()
    assert "Rabu, 15 Juli 2026 10:00 WITA" in html


def test_R_8_3_the_server_still_refuses_a_late_bid(bidding):
    """The page only stops offering the form; the deadline itself is kept by the service."""
    data = seal(bidding.recipient, bidding.tender.code)
    with time_machine.travel(DEADLINE, tick=False), pytest.raises(DomainError, match="closed"):
        submit(bidding.provider, bidding.tender, data)
    assert not Bid.objects.exists()


# --- 4. the integrity pact: its text first, never signed twice -----------------------------------


def test_R_7_3_the_pact_text_is_shown_before_the_provider_can_sign(
    client, published_tender, verified_provider
):
    with time_machine.travel(at(0, 9), tick=False):
        html = page(client, verified_provider, f"/tender/{published_tender.code}/")
    form = re.search(r'<form[^>]*id="pact-form".*?</form>', html, re.S).group(0)
    text = form.index('id="pact-text"')
    assert text < form.index("Sign the integrity pact</button>")
    for paragraph in PACT_TEXT:
        assert paragraph in form
    assert "Register for this tender" not in html


def test_R_7_3_a_provider_who_signed_sees_when_and_is_not_offered_to_sign_again(
    client, published_tender, verified_provider
):
    with time_machine.travel(at(0, 9, 15), tick=False):
        services.pact_sign(actor=verified_provider, tender=published_tender)
        html = page(client, verified_provider, f"/tender/{published_tender.code}/")
    assert 'id="pact-form"' not in html and "Sign the integrity pact</button>" not in html
    assert "You signed the integrity pact on Monday, 6 July 2026 09:15 WITA." in html
    assert "Register for this tender" in html


def test_R_7_3_a_committee_member_who_signed_is_not_offered_to_sign_again(
    client, published_tender, agency_a
):
    member = agency_a.members[1]  # signed when the tender was published
    with time_machine.travel(at(0, 9), tick=False):
        html = page(client, member, f"/kelola/tender/{published_tender.code}/")
    assert 'id="pact-form"' not in html
    assert "You signed the integrity pact on Friday, 3 July 2026" in html


def test_R_7_3_a_member_who_has_not_signed_reads_the_pact_before_signing(client, agency_a):
    from tests.tender_fixtures import draft_tender

    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(agency_a)
        html = page(client, agency_a.members[2], f"/kelola/tender/{tender.code}/")
    assert 'id="pact-form"' in html and PACT_TEXT[1] in html


# --- 5. the unlock form: only to a member still locked, only at the opening ----------------------


def opening_page(client, member, bidding) -> str:
    return page(client, member, f"/kelola/tender/{bidding.tender.code}/pembukaan/")


def test_R_9_2_before_the_opening_stage_no_unlock_form_and_the_page_says_when(client, bidding):
    member = bidding.setup.members[0]
    with time_machine.travel(DURING_BIDDING, tick=False):
        html = opening_page(client, member, bidding)
    assert 'id="unlock-form"' not in html
    assert "Bids can be opened from Wednesday, 15 July 2026" in html


def test_R_9_2_at_the_opening_a_member_who_has_not_unlocked_gets_the_form(client, bidding):
    with time_machine.travel(AT_OPENING, tick=False):
        html = opening_page(client, bidding.setup.members[0], bidding)
    assert 'id="unlock-form"' in html


def test_R_9_2_a_member_who_unlocked_gets_no_form_and_sees_when_they_unlocked(client, bidding):
    member = bidding.setup.members[0]
    with time_machine.travel(AT_OPENING, tick=False):
        offline.unlock_share(
            member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
        )
        html = opening_page(client, member, bidding)
        other = opening_page(client, bidding.setup.members[1], bidding)
    assert 'id="unlock-form"' not in html
    assert "You unlocked your share on Wednesday, 15 July 2026 10:30 WITA." in html
    assert 'id="unlock-form"' in other  # the next member still can


def test_R_9_2_the_share_list_names_each_member(client, bidding):
    members = bidding.setup.members
    for n, member in enumerate(members):
        member.first_name, member.last_name = "Anggota", "Pokja"  # as the demo names them
        if n == 0:
            member.first_name = "Rahmat"
        member.save()
    with time_machine.travel(AT_OPENING, tick=False):
        html = opening_page(client, members[0], bidding)
    shares = re.search(r'<ul id="share-list">(.*?)</ul>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", shares, re.S)
    assert len(items) == len(members) == len(set(items))  # no two alike
    for member in members:
        assert f"({member.username})" in shares
    assert "Rahmat Pokja" in shares


# --- 6. an addendum only while addenda are allowed -----------------------------------------------


def manage_page(client, bidding) -> str:
    return page(client, bidding.setup.members[0], f"/kelola/tender/{bidding.tender.code}/")


def test_R_8_2_an_addendum_is_offered_while_bids_are_being_taken(client, bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        html = manage_page(client, bidding)
    assert 'id="document-form"' in html and "Issue an addendum" in html


def test_R_8_2_no_addendum_is_offered_once_bids_closed(client, bidding):
    with time_machine.travel(AT_OPENING, tick=False):
        html = manage_page(client, bidding)
    assert 'id="document-form"' not in html and "Issue an addendum" not in html
    assert "Bid submission has closed: no more addenda." in html


def test_R_8_2_no_addendum_is_offered_during_evaluation(client, bidding):
    with time_machine.travel(at(10, 10), tick=False):
        html = manage_page(client, bidding)
    assert "Issue an addendum" not in html
