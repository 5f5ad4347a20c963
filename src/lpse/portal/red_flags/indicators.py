"""The indicators (R-9.10): each a small pure function of one contracting process's OCDS record,
the thresholds and — for the one that compares a buyer's processes — the buyer's awards. It
answers a ``Measure`` (raised or not, the measured value, the threshold) or None when the record
cannot say yet (no bids before the opening, no award before the announcement): "not
applicable" is not "not raised". Each indicator's source and where ours differs are in
``catalog.py`` and docs/red-flags.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from lpse.portal.red_flags.record import Award, Bid, Record, parse
from lpse.portal.red_flags.thresholds import Thresholds
from lpse.tenders.selectors.schedule import working_days_spanned


@dataclass(frozen=True)
class Measure:
    raised: bool
    value: str
    threshold: str
    detail: str = ""


@dataclass(frozen=True)
class BuyerAward:
    ocid: str
    supplier: str
    supplier_name: str
    date: datetime | None


@dataclass
class Context:
    """What one process's flags need from the others: every buyer's awards in force."""

    buyer_awards: dict[str, list[BuyerAward]] = field(default_factory=dict)


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def _priced(bids: list[Bid]) -> list[tuple[Bid, float]]:
    return [(b, b.amount) for b in bids if b.amount is not None]


def single_bid(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R018: one tenderer in an open procedure."""
    if not record.opened or record.tender.get("procurementMethod") not in ("open", "selective"):
        return None
    tenderers = {x for b in record.bids() for x in b.tenderers}
    return Measure(
        raised=len(tenderers) == 1,
        value=_("%(n)d tenderer(s)") % {"n": len(tenderers)},
        threshold=_("exactly 1 tenderer"),
    )


def short_period(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R003: the bid submission period, in working days (WITA calendar, national
    holidays), shorter than the threshold."""
    period = record.tender.get("tenderPeriod") or {}
    start, end = parse(period.get("startDate")), parse(period.get("endDate"))
    if start is None or end is None or record.tender.get("procurementMethod") != "open":
        return None
    days = working_days_spanned(start, end)
    return Measure(
        raised=days < t.short_period_working_days,
        value=_("%(n)d working day(s)") % {"n": days},
        threshold=_("fewer than %(n)d working days") % {"n": t.short_period_working_days},
    )


def near_owner_estimate(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-ICW-HPS: the award's value is at least ``hps_ratio`` of the owner estimate (HPS)."""
    award, hps = record.award(), record.owner_estimate
    if award is None or award.amount is None or not hps:
        return None
    ratio = award.amount / hps
    return Measure(
        raised=ratio >= t.hps_ratio,
        value=_("award at %(pct)s of the owner estimate") % {"pct": _pct(ratio)},
        threshold=_("at least %(pct)s") % {"pct": _pct(t.hps_ratio)},
    )


def identical_prices(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R028: different tenderers' bids at the same price."""
    if not record.opened:
        return None
    by_price: dict[float, set[str]] = {}
    for bid, price in _priced(record.bids()):
        by_price.setdefault(price, set()).update(bid.tenderers)
    same = sorted(p for p, who in by_price.items() if len(who) > 1)
    return Measure(
        raised=bool(same),
        value=(
            _("same price from several tenderers: %(prices)s")
            % {"prices": ", ".join(f"Rp {p:,.0f}" for p in same)}
            if same
            else _("every price differs")
        ),
        threshold=_("two tenderers at one price"),
    )


def _winning_bid(record: Record, award: Award) -> Bid | None:
    return next((b for b in record.bids() if b.id in award.related_bids), None)


def all_but_winner_disqualified(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R035: the winner's bid is the only one not disqualified, and at least the threshold
    number of other tenderers were disqualified."""
    award = record.award()
    if award is None or not record.opened:
        return None
    others = [b for b in record.bids() if award.supplier not in b.tenderers]
    disqualified = {x for b in others if b.status == "disqualified" for x in b.tenderers}
    raised = (
        bool(others)
        and all(b.status == "disqualified" for b in others)
        and len(disqualified) >= t.all_but_winner_min_disqualified
    )
    return Measure(
        raised=raised,
        value=_("%(d)d of %(n)d other tenderer(s) disqualified")
        % {"d": len(disqualified), "n": len({x for b in others for x in b.tenderers})},
        threshold=_("all others, at least %(n)d") % {"n": t.all_but_winner_min_disqualified},
    )


def lowest_bid_disqualified(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R036: the lowest-priced bid was disqualified although price alone decides."""
    award = record.award()
    priced = _priced(record.bids())
    if award is None or not priced or record.tender.get("awardCriteria") != "priceOnly":
        return None
    lowest = min(price for _bid, price in priced)
    at_lowest = [b for b, price in priced if price == lowest]
    raised = any(b.status == "disqualified" for b in at_lowest)
    return Measure(
        raised=raised,
        value=(
            _("the lowest bid (Rp %(price)s) was disqualified")
            if raised
            else _("the lowest bid (Rp %(price)s) was not disqualified")
        )
        % {"price": f"{lowest:,.0f}"},
        threshold=_("lowest bid disqualified, price decides"),
    )


def excessive_disqualifications(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R038: the share of a tender's bids disqualified, once the outcome is known."""
    bids = record.bids()
    decided = any(b.status in ("valid", "disqualified") for b in bids)
    if not decided or len(bids) < t.disqualified_min_bids:
        return None
    share = sum(b.status == "disqualified" for b in bids) / len(bids)
    return Measure(
        raised=share >= t.disqualified_share,
        value=_("%(pct)s of %(n)d bids disqualified") % {"pct": _pct(share), "n": len(bids)},
        threshold=_("at least %(pct)s") % {"pct": _pct(t.disqualified_share)},
    )


def late_changes(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-LATE-CHANGE: an amendment (schedule change or addendum) made within the threshold
    days before the bid deadline that was in force when it was made."""
    releases = record.tender_releases()
    if not releases:
        return None
    seen: set[str] = set()
    deadline = parse(releases[0]["tender"]["tenderPeriod"].get("endDate"))
    late = []
    for release in releases:
        for amendment in release["tender"].get("amendments") or []:
            if amendment.get("id") in seen:
                continue
            seen.add(amendment.get("id"))
            made = parse(amendment.get("date"))
            if (
                made
                and deadline
                and deadline - timedelta(days=t.late_change_days) <= made < deadline
            ):
                late.append(amendment)
        deadline = parse(release["tender"]["tenderPeriod"].get("endDate")) or deadline
    return Measure(
        raised=bool(late),
        value=_("%(late)d of %(n)d amendment(s) late") % {"late": len(late), "n": len(seen)},
        threshold=_("made within %(n)d days before the bid deadline") % {"n": t.late_change_days},
        detail="; ".join(a.get("rationale", "") for a in late),
    )


def repeated_winner(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-ICW-REPEAT: this process's supplier won at least ``repeat_min_awards`` and
    ``repeat_share`` of its buyer's awards announced within the window."""
    award = record.award()
    buyer = record.buyer.get("id")
    if award is None or not buyer:
        return None
    awards = ctx.buyer_awards.get(buyer, [])
    dated = [a.date for a in awards if a.date is not None]
    if dated:
        since = max(dated) - timedelta(days=t.repeat_window_days)
        awards = [a for a in awards if a.date is None or a.date >= since]
    if not awards:
        return None
    won = sum(a.supplier == award.supplier for a in awards)
    share = won / len(awards)
    return Measure(
        raised=won >= t.repeat_min_awards and share >= t.repeat_share,
        value=_("%(supplier)s won %(won)d of %(n)d awards of this buyer (%(pct)s)")
        % {"supplier": award.supplier_name, "won": won, "n": len(awards), "pct": _pct(share)},
        threshold=_("at least %(n)d awards and %(pct)s within %(days)d days")
        % {
            "n": t.repeat_min_awards,
            "pct": _pct(t.repeat_share),
            "days": t.repeat_window_days,
        },
    )


def close_second_bid(record: Record, t: Thresholds, ctx: Context) -> Measure | None:
    """LPSE-R024: the second-lowest bid still in the running is within the threshold above the
    winning bid; only when the winner is the lowest such bid (price decides)."""
    award = record.award()
    if award is None:
        return None
    winner = _winning_bid(record, award)
    running = sorted(
        ((b, price) for b, price in _priced(record.bids()) if b.status != "disqualified"),
        key=lambda pair: pair[1],
    )
    if winner is None or not winner.amount or len(running) < 2:
        return None
    if running[0][1] != winner.amount:
        return None
    second = next(price for b, price in running if b.id != winner.id)
    difference = (second - winner.amount) / winner.amount
    return Measure(
        raised=difference <= t.close_second_bid,
        value=_("second-lowest bid %(pct)s above the winning bid") % {"pct": _pct(difference)},
        threshold=_("at most %(pct)s") % {"pct": _pct(t.close_second_bid)},
    )
