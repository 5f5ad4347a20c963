"""The indicators' names, what each measures, its source and where ours differs (R-9.10): what
the pages show beside each flag, kept in one place with docs/red-flags.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lpse.portal.red_flags import indicators as i

NOT_PROOF = _("A red flag is a prompt to look closer, not proof of wrongdoing.")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: Promise
    measures: Promise
    source: str  # a name, not translated: "Cardinal R018", "ICW Opentender (PFA)"
    differs: Promise
    check: Callable


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "LPSE-R018",
        _("Single bid"),
        _("Only one tenderer bid in an open tender."),
        "Cardinal R018",
        _("Same rule; read after the opening, when the bids are published."),
        i.single_bid,
    ),
    Indicator(
        "LPSE-R003",
        _("Short submission period"),
        _("The bid submission period, in working days, is shorter than the threshold."),
        "Cardinal R003",
        _(
            "Cardinal counts calendar days (default 15); we count working days (WITA, national "
            "holidays) as the Indonesian schedule rules do, with a threshold above the minimum "
            "the schedule must meet."
        ),
        i.short_period,
    ),
    Indicator(
        "LPSE-ICW-HPS",
        _("Winning price close to the owner estimate"),
        _("The award's value as a share of the owner estimate (HPS)."),
        "ICW Opentender (PFA)",
        _(
            "ICW scores bands of the difference (highest risk under 1 %, also far below HPS); "
            "we raise one flag at or above a configurable share of HPS, on the award."
        ),
        i.near_owner_estimate,
    ),
    Indicator(
        "LPSE-R028",
        _("Identical bid prices"),
        _("Different tenderers bid the same price."),
        "Cardinal R028",
        _("Compares the published bid prices: after an arithmetic correction, the corrected one."),
        i.identical_prices,
    ),
    Indicator(
        "LPSE-R035",
        _("All bids but the winner's disqualified"),
        _("Every other tenderer's bid was disqualified."),
        "Cardinal R035",
        _(
            "Cardinal asks for exactly one valid tenderer; we ask that every other bid be "
            "disqualified, because bids ranked below the winner stay 'pending' here (never "
            "taken to qualification), and count an announced award, not only an active one."
        ),
        i.all_but_winner_disqualified,
    ),
    Indicator(
        "LPSE-R036",
        _("Lowest bid disqualified when price decides"),
        _("The lowest-priced bid was disqualified while the award goes to the lowest price."),
        "Cardinal R036",
        _("Same rule; price decides when the tender's awardCriteria is priceOnly."),
        i.lowest_bid_disqualified,
    ),
    Indicator(
        "LPSE-R038",
        _("Excessive disqualifications"),
        _("The share of a tender's bids that were disqualified."),
        "Cardinal R038",
        _(
            "Cardinal compares buyers' (and tenderers') ratios with an outlier fence; we flag "
            "each tender at a fixed share and show each agency's ratio on its page."
        ),
        i.excessive_disqualifications,
    ),
    Indicator(
        "LPSE-LATE-CHANGE",
        _("Late schedule change or addendum"),
        _("A schedule change or addendum made shortly before the bid deadline then in force."),
        "LPSE",
        _("No Cardinal indicator; read from the tender's amendments and each release's deadline."),
        i.late_changes,
    ),
    Indicator(
        "LPSE-ICW-REPEAT",
        _("Repeated winner at one agency"),
        _("The winner's share of the agency's awards within the window."),
        "ICW Opentender (PFA)",
        _(
            "ICW counts a winner's contracts overall; we count them per buyer (agency), over a "
            "window, with both a number and a share."
        ),
        i.repeated_winner,
    ),
    Indicator(
        "LPSE-R024",
        _("Second-lowest bid close to the winning bid"),
        _("How far the second-lowest bid still in the running is above the winning bid."),
        "Cardinal R024",
        _(
            "Cardinal takes the second-lowest valid bid and an outlier fence over all processes; "
            "we take bids not disqualified (those below the winner are never qualified here) "
            "and a fixed threshold."
        ),
        i.close_second_bid,
    ),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
