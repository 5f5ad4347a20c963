"""R-3.1 / annex 3.1: a bid file the committee cannot open goes to the head of LPSE, the LPSE
admin tries it, then LKPP; LPSE witnesses it in a report; each step is timed against the SOP's
standard times (R-3.6)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from lpse.accounts.roles import Role
from lpse.bids import offline
from lpse.bids.models import OpenedBid, UnopenableCase
from lpse.bids.services import unopenable
from lpse.core.errors import DomainError
from lpse.core.storage import open_blob
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unopened(bidding):
    with time_machine.travel(DURING_BIDDING, tick=False):
        bid = submit(bidding.provider, bidding.tender, seal(bidding.recipient, bidding.tender.code))
    path = Path(settings.MEDIA_ROOT) / bid.envelope.storage_name
    path.write_bytes(path.read_bytes()[:-40])  # damaged on disk
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
    return OpenedBid.objects.get(bid=bid)


def test_R_3_1_the_whole_procedure_is_recorded_with_its_standard_times(
    bidding, unopened, make_user, client
):
    admin = make_user(Role.APP_ADMIN)
    member = bidding.setup.members[0]
    with time_machine.travel(AT_OPENING + timedelta(minutes=5), tick=False):
        case = unopenable.case_request(actor=member, opened_bid=unopened, note="Tidak dapat dibuka")
    with time_machine.travel(AT_OPENING + timedelta(minutes=15), tick=False):
        unopenable.case_attempt(
            actor=admin, case=case, resolved=False, result="Dicoba dari cadangan."
        )
    with time_machine.travel(AT_OPENING + timedelta(minutes=18), tick=False):
        unopenable.case_escalate(actor=admin, case=case)
    case.refresh_from_db()
    package = case.escalation_package
    assert package["diagnosis"]["code"] == "truncated"
    assert package["envelope"]["sha256"] == unopened.bid.envelope.sha256
    assert "AGE-SECRET-KEY" not in str(package) and "password" not in str(package).lower().replace(
        "no key or password is included", ""
    )
    assert [v for _s, v in unopenable.timings(case)] == [
        "10 min (within the standard, 5–15 min)",
        "3 min (within the standard, 1–5 min)",
    ]
    with time_machine.travel(AT_OPENING + timedelta(hours=3), tick=False):
        with pytest.raises(DomainError, match="Record LKPP's answer"):
            unopenable.case_close(actor=admin, case=case, lkpp_answer=" ")
        unopenable.case_close(actor=admin, case=case, lkpp_answer="Berkas rusak sejak diunggah.")
    case.refresh_from_db()
    assert case.state == UnopenableCase.State.CLOSED
    with open_blob(case.witness_report) as f:
        assert f.read().startswith(b"%PDF")
    client.force_login(make_user(Role.LPSE_HEAD))
    page = client.get("/admin-lpse/berkas-tidak-terbuka/").content.decode()
    assert "Closed with LKPP" in page and "the stored file is truncated" in page


def test_R_3_6_a_slow_attempt_is_reported_over_the_standard(bidding, unopened, make_user):
    with time_machine.travel(AT_OPENING, tick=False):
        case = unopenable.case_request(actor=bidding.setup.members[1], opened_bid=unopened)
    with time_machine.travel(AT_OPENING + timedelta(minutes=40), tick=False):
        unopenable.case_attempt(
            actor=make_user(Role.SYSADMIN), case=case, resolved=True, result="Berkas dipulihkan."
        )
    case.refresh_from_db()
    assert case.state == UnopenableCase.State.RESOLVED and case.witness_report is not None
    assert unopenable.timings(case) == [
        ("LPSE admin's attempt", "40 min (over the standard, 5–15 min)")
    ]


def test_R_3_1_the_order_of_the_procedure_is_kept_and_only_lpse_admins_handle_it(
    bidding, unopened, make_user
):
    member = bidding.setup.members[0]
    case = unopenable.case_request(actor=member, opened_bid=unopened)
    with pytest.raises(DomainError, match="already been reported"):
        unopenable.case_request(actor=member, opened_bid=unopened)
    with pytest.raises(DomainError, match="after the LPSE admin's attempt"):
        unopenable.case_escalate(actor=make_user(Role.APP_ADMIN), case=case)
    with pytest.raises(DomainError, match="not allowed"):
        unopenable.case_attempt(actor=make_user(Role.HELPDESK), case=case, resolved=True, result="")
    with pytest.raises(DomainError, match="committee"):
        unopenable.case_request(
            actor=make_user(Role.COMMITTEE, username="pokja-lain"), opened_bid=unopened
        )
