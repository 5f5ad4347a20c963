"""Tenders made to raise (or not) each red flag (R-9.10), through the real services from
publication to the announced winner, then published by the real OCDS publisher.

Every tender here follows the sample schedule of tests/tender_fixtures.py (bids on day 2,
opening day 9, evaluation day 10, winner day 14, announcement day 15) unless given another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
import time_machine

from lpse.bids import offline
from lpse.bids.models import OpenedBid
from lpse.core.calendar import WITA
from lpse.evaluation.models import Criterion, Verdict
from lpse.evaluation.services import announcement
from lpse.evaluation.services import verdicts as evaluation
from lpse.portal.ocds.store import releases_publish
from lpse.portal.red_flags import compute
from lpse.portal.red_flags.thresholds import from_mapping
from lpse.tenders.selectors.sample import sample_schedule
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as tender_services
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit
from tests.evaluation_fixtures import DETERMINING, EVALUATING, THREE, passes, provider, qualify
from tests.tender_fixtures import (
    PREPARED_AT,
    SCHEDULE_BASE,
    approve,
    at,
    make_agency_setup,
    package_data,
    publish,
)

ANNOUNCING = at(15, 10)
HPS = 1_425_750_000.50  # tests.tender_fixtures.package_data's owner estimate

BIDDERS = {
    "Alfa Konstruksi": "041111111111000",
    "Beta Karya": "052222222222000",
    "Cipta Mandiri": "063333333333000",
}


@pytest.fixture
def agency(make_user):
    """A five-member committee opening 3-of-5, as the bids tests use."""
    return make_agency_setup(make_user, "DPUPR", size=5)


@pytest.fixture
def bidders(reference_data):
    return {name: provider(name, npwp) for name, npwp in BIDDERS.items()}


def short_schedule() -> dict[str, tuple[datetime, datetime]]:
    """The sample schedule with bid submission Tuesday 09:00 to Thursday 16:00: three working
    days, the tenders app's default minimum, so the schedule is valid."""
    schedule = sample_schedule(SCHEDULE_BASE)
    day = SCHEDULE_BASE.date()

    def moment(days: int, hour: int) -> datetime:
        return datetime.combine(day + timedelta(days=days), time(hour), tzinfo=WITA)

    for stage in ("announcement", "document_download"):
        schedule[stage] = (moment(0, 8), moment(2, 16))
    schedule["bid_submission"] = (moment(1, 9), moment(3, 16))
    return schedule


def published(setup, *, schedule=None):
    with time_machine.travel(PREPARED_AT, tick=False):
        package = tender_services.package_create(actor=setup.ppk, data=package_data())
        approve(setup, package)
        tender_services.package_assign(actor=setup.ppk, package=package, committee=setup.committee)
        tender = tender_services.tender_create(
            actor=setup.members[0],
            package=package,
            method="postqual_1file_lowest",
            qualification_requirements="SBU BG001",
            schedule=schedule or sample_schedule(SCHEDULE_BASE),
        )
        tender.opening_threshold = 3
        tender.save(update_fields=["opening_threshold"])
        tender = publish(setup, tender)
    tender.refresh_from_db()
    return tender


@dataclass
class Made:
    tender: object
    winner: str

    @property
    def ocid(self) -> str:
        return f"ocds-lpsemr-{self.tender.code}"


def announced_tender(setup, bidders, prices: dict[str, str], *, disqualify=()) -> Made:
    """A tender with these bids (company → price); the ``disqualify`` ones fail the
    administrative evaluation, the others pass to the price; the lowest passing bid is qualified
    and wins; the outcome is announced."""
    tender = published(setup)
    with time_machine.travel(at(0, 9), tick=False):
        for name in prices:
            tender_services.pact_sign(actor=bidders[name], tender=tender)
            participation.participation_register(actor=bidders[name], tender=tender)
    with time_machine.travel(DURING_BIDDING, tick=False):
        for name, price in prices.items():
            submit(bidders[name], tender, seal(tender.bid_key.recipient, tender.code, price))
    with time_machine.travel(AT_OPENING, tick=False):
        for member in setup.members[:3]:
            offline.unlock_share(member=member, tender=tender, identity=setup.identity_of(member))
    opened = {
        o.bid.company.name: o
        for o in OpenedBid.objects.filter(bid__tender=tender).select_related("bid__company")
    }
    member = setup.members[0]
    with time_machine.travel(EVALUATING, tick=False):
        for name, opened_bid in opened.items():
            if name in disqualify:
                evaluation.criterion_record(
                    actor=member,
                    opened_bid=opened_bid,
                    criterion=Criterion.ADMINISTRATIVE,
                    verdict=Verdict.FAIL,
                    reason="Jaminan penawaran tidak sesuai",
                )
            else:
                passes(member, opened_bid, *THREE)
    first = evaluation.ranking(tender)[0].evaluation.opened_bid
    qualify(member, first)
    with time_machine.travel(DETERMINING, tick=False):
        evaluation.winner_determine(actor=member, tender=tender)
    with time_machine.travel(ANNOUNCING, tick=False):
        announcement.outcome_announce(actor=member, tender=tender)
    return Made(tender=tender, winner=first.bid.company.name)


def flags_of(made: Made, **overrides):
    """Publish what changed, then the flags of this tender's record."""
    releases_publish()
    thresholds = from_mapping({k: str(v) for k, v in overrides.items()})
    return compute.tender_flags(made.ocid, thresholds)


def raised(made: Made, code: str, **overrides) -> bool:
    return flags_of(made, **overrides).result(code).raised
