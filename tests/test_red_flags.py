"""Red flags (R-9.10): for each indicator, one tender made through the real services to raise
it and one made not to, published by the real OCDS publisher, then computed from the stored
releases. Each test's docstring names the indicator's source (Cardinal R-number or ICW)."""

from __future__ import annotations

import pytest
import time_machine

from lpse.accounts.roles import Role
from lpse.portal.red_flags import compute
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from tests.red_flag_fixtures import (  # noqa: F401  (fixtures)
    Made,
    agency,
    announced_tender,
    bidders,
    flags_of,
    published,
    raised,
    short_schedule,
)
from tests.tender_fixtures import at
from tests.test_schedule_changes import later_bids

pytestmark = pytest.mark.django_db


def test_R_9_10_single_bid_raises_R018_and_two_bids_do_not(agency, bidders):
    """Cardinal R018, single bid received: one tenderer in an open tender."""
    one = announced_tender(agency, bidders, {"Alfa Konstruksi": "1200000000"})
    two = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1200000000", "Beta Karya": "1300000000"}
    )
    assert raised(one, "LPSE-R018")
    assert not raised(two, "LPSE-R018")
    assert flags_of(one).result("LPSE-R018").measure.value == "1 tenderer(s)"


def test_R_9_10_single_bid_is_not_applicable_before_the_opening(agency):
    """Cardinal R018 reads the bids, which are published only after the opening (R-9.5): before
    it the indicator says "not applicable", not "no flag"."""
    made = Made(tender=published(agency), winner="")
    assert flags_of(made).result("LPSE-R018").measure is None


def test_R_9_10_a_three_working_day_bid_period_raises_R003_and_seven_do_not(agency):
    """Cardinal R003, short submission period, in working days: three (the schedule rules'
    minimum, so the tender is valid) is under the flag's five; the sample schedule's seven is
    not."""
    short = Made(tender=published(agency, schedule=short_schedule()), winner="")
    usual = Made(tender=published(agency), winner="")
    measure = flags_of(short).result("LPSE-R003").measure
    assert measure.raised and measure.value == "3 working day(s)"
    assert not raised(usual, "LPSE-R003")
    assert flags_of(usual).result("LPSE-R003").measure.value == "7 working day(s)"


def test_R_9_10_an_award_at_98_percent_of_the_owner_estimate_raises_the_ICW_flag(agency, bidders):
    """ICW Opentender (PFA), contract value against HPS: 1.400 bn of 1.42575 bn (98.2 %) is at
    or above the 98 % threshold; 1.390 bn (97.5 %) is not."""
    close = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1400000000", "Beta Karya": "1420000000"}
    )
    below = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1390000000", "Beta Karya": "1420000000"}
    )
    assert raised(close, "LPSE-ICW-HPS")
    assert not raised(below, "LPSE-ICW-HPS")
    assert "97.5 %" in flags_of(below).result("LPSE-ICW-HPS").measure.value


def test_R_9_10_a_lower_hps_threshold_changes_the_result(agency, bidders, settings):
    """The thresholds are configurable (LPSE_RED_FLAG_THRESHOLDS): at 95 % the 97.5 % award
    that passed at the default 98 % is flagged, on the page too."""
    made = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1390000000", "Beta Karya": "1420000000"}
    )
    assert not raised(made, "LPSE-ICW-HPS")
    assert raised(made, "LPSE-ICW-HPS", hps_ratio=0.95)
    settings.LPSE_RED_FLAG_THRESHOLDS = {"hps_ratio": "0.95"}
    assert compute.tender_flags(made.ocid).result("LPSE-ICW-HPS").raised


def test_R_9_10_two_tenderers_at_one_price_raise_R028(agency, bidders):
    """Cardinal R028, identical bid prices."""
    same = announced_tender(
        agency,
        bidders,
        {"Alfa Konstruksi": "1250000000", "Beta Karya": "1250000000", "Cipta Mandiri": "1.3e9"},
    )
    differ = announced_tender(
        agency,
        bidders,
        {"Alfa Konstruksi": "1250000000", "Beta Karya": "1260000000", "Cipta Mandiri": "1.3e9"},
    )
    assert raised(same, "LPSE-R028")
    assert "1,250,000,000" in flags_of(same).result("LPSE-R028").measure.value
    assert not raised(differ, "LPSE-R028")


def test_R_9_10_every_other_bid_disqualified_raises_R035(agency, bidders):
    """Cardinal R035, all except the winning bid disqualified. A loser that passed the
    evaluation (left 'pending', never taken to qualification) keeps the flag down."""
    prices = {"Alfa Konstruksi": "1200000000", "Beta Karya": "1250000000", "Cipta Mandiri": "1.3e9"}
    alone = announced_tender(agency, bidders, prices, disqualify={"Beta Karya", "Cipta Mandiri"})
    not_alone = announced_tender(agency, bidders, prices, disqualify={"Beta Karya"})
    assert alone.winner == not_alone.winner == "Alfa Konstruksi"
    assert raised(alone, "LPSE-R035")
    assert not raised(not_alone, "LPSE-R035")


def test_R_9_10_the_lowest_bid_disqualified_raises_R036(agency, bidders):
    """Cardinal R036, lowest bid disqualified while price decides (awardCriteria priceOnly)."""
    prices = {"Alfa Konstruksi": "1100000000", "Beta Karya": "1200000000"}
    lowest_out = announced_tender(agency, bidders, prices, disqualify={"Alfa Konstruksi"})
    higher_out = announced_tender(agency, bidders, prices, disqualify={"Beta Karya"})
    assert lowest_out.winner == "Beta Karya"
    assert raised(lowest_out, "LPSE-R036")
    assert not raised(higher_out, "LPSE-R036")
    assert flags_of(higher_out).record.tender["awardCriteria"] == "priceOnly"


def test_R_9_10_two_of_three_bids_disqualified_raise_R038_and_one_does_not(agency, bidders):
    """Cardinal R038, excessive disqualified bids: 67 % is over the 50 % share, 33 % is not."""
    prices = {"Alfa Konstruksi": "1200000000", "Beta Karya": "1250000000", "Cipta Mandiri": "1.3e9"}
    two = announced_tender(agency, bidders, prices, disqualify={"Beta Karya", "Cipta Mandiri"})
    one = announced_tender(agency, bidders, prices, disqualify={"Cipta Mandiri"})
    assert raised(two, "LPSE-R038")
    assert not raised(one, "LPSE-R038")
    assert flags_of(one).result("LPSE-R038").measure.value == "33.3 % of 3 bids disqualified"


def test_R_9_10_a_second_bid_within_two_percent_raises_R024(agency, bidders):
    """Cardinal R024, price close to the winning bid: 1.22 bn is 1.7 % above 1.20 bn; 1.25 bn
    (4.2 %) is not within the 2 % threshold."""
    close = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1200000000", "Beta Karya": "1220000000"}
    )
    apart = announced_tender(
        agency, bidders, {"Alfa Konstruksi": "1200000000", "Beta Karya": "1250000000"}
    )
    assert raised(close, "LPSE-R024")
    assert not raised(apart, "LPSE-R024")


def _change(setup, tender, make_user, moment):
    with time_machine.travel(moment, tick=False):
        change = schedule_change_request(
            actor=setup.members[0],
            tender=tender,
            new_schedule=later_bids(tender),
            reason="Adendum: waktu penyusunan penawaran diperpanjang.",
        )
        schedule_change_apply(
            actor=make_user(Role.APP_ADMIN, username=f"adm-{tender.pk}"), change=change
        )


def test_R_9_10_a_schedule_change_the_day_before_the_deadline_raises_the_late_change_flag(
    agency, make_user
):
    """Late schedule change (issue 18's own indicator, no Cardinal equivalent): a change made on
    day 8 with the deadline on day 9 is within three days of the deadline then in force; one made
    on day 2 is not. The deadline the change moved is the one compared, not the new one."""
    late = Made(tender=published(agency), winner="")
    early = Made(tender=published(agency), winner="")
    _change(agency, late.tender, make_user, at(8, 10))
    _change(agency, early.tender, make_user, at(2, 10))
    flags = flags_of(late)
    assert flags.result("LPSE-LATE-CHANGE").raised
    assert "Adendum" in flags.result("LPSE-LATE-CHANGE").measure.detail
    assert not raised(early, "LPSE-LATE-CHANGE")


def test_R_9_10_one_supplier_winning_most_of_an_agencys_awards_raises_the_repeat_flag(
    agency, bidders
):
    """ICW Opentender (PFA), the winner's number of contracts, per agency: Alfa wins two of the
    agency's three tenders (67 %), Beta one. With two awards as the minimum Alfa's tenders are
    flagged and Beta's is not; at the default minimum of three, none is."""
    prices = {"Alfa Konstruksi": "1200000000", "Beta Karya": "1300000000"}
    first = announced_tender(agency, bidders, prices)
    second = announced_tender(agency, bidders, prices)
    third = announced_tender(agency, bidders, prices, disqualify={"Alfa Konstruksi"})
    assert (first.winner, second.winner, third.winner) == ("Alfa Konstruksi",) * 2 + ("Beta Karya",)
    assert raised(first, "LPSE-ICW-REPEAT", repeat_min_awards=2)
    assert raised(second, "LPSE-ICW-REPEAT", repeat_min_awards=2)
    assert not raised(third, "LPSE-ICW-REPEAT", repeat_min_awards=2)
    assert not raised(first, "LPSE-ICW-REPEAT")
