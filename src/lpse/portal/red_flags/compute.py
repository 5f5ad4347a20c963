"""Evaluating the indicators (R-9.10) from the stored releases: per tender, per agency (the
buyer party) and in aggregate.

Computed on request from the compiled records: at a regency LPSE's scale (hundreds of tenders a
year) compiling every record is quick enough and never stale, so nothing is stored or cached
(docs/red-flags.md says how to add a cache if that ever changes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import packages
from lpse.portal.red_flags import thresholds as limits
from lpse.portal.red_flags.catalog import INDICATORS, Indicator
from lpse.portal.red_flags.indicators import BuyerAward, Context, Measure
from lpse.portal.red_flags.record import Record


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    measure: Measure | None  # None: not applicable to this record (yet)

    @property
    def raised(self) -> bool:
        return self.measure is not None and self.measure.raised


@dataclass
class TenderFlags:
    record: Record
    results: list[Result]

    @property
    def raised(self) -> list[Result]:
        return [r for r in self.results if r.raised]

    def result(self, code: str) -> Result:
        return next(r for r in self.results if r.indicator.code == code)


@dataclass
class AgencyFlags:
    code: str
    name: str
    tenders: list[TenderFlags] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(r.indicator.code for t in self.tenders for r in t.raised)

    @property
    def flagged_tenders(self) -> int:
        return sum(bool(t.raised) for t in self.tenders)

    @property
    def disqualified_ratio(self) -> float | None:
        """Cardinal R038's measure for a buyer: disqualified bids over all bids."""
        bids = [b for t in self.tenders for b in t.record.bids()]
        return sum(b.status == "disqualified" for b in bids) / len(bids) if bids else None


def record_of(ocid: str) -> Record | None:
    rows = packages.releases_of(ocid)
    if not rows:
        return None
    releases = [r.data for r in rows]
    return Record(ocid=ocid, compiled=packages.compiled(releases), releases=releases)


def all_records() -> list[Record]:
    ocids = OCDSRelease.objects.order_by("ocid").values_list("ocid", flat=True).distinct()
    return [r for r in (record_of(ocid) for ocid in ocids) if r is not None]


def context_of(records: list[Record]) -> Context:
    context = Context()
    for record in records:
        award, buyer = record.award(), record.buyer.get("id")
        if award is not None and buyer:
            context.buyer_awards.setdefault(buyer, []).append(
                BuyerAward(record.ocid, award.supplier, award.supplier_name, award.date)
            )
    return context


def evaluate(record: Record, thresholds, context: Context) -> TenderFlags:
    return TenderFlags(
        record=record,
        results=[Result(i, i.check(record, thresholds, context)) for i in INDICATORS],
    )


def overview(thresholds=None) -> list[TenderFlags]:
    """Every published tender with its flags."""
    thresholds = thresholds or limits.current()
    records = all_records()
    context = context_of(records)
    return [evaluate(record, thresholds, context) for record in records]


def tender_flags(ocid: str, thresholds=None) -> TenderFlags | None:
    thresholds = thresholds or limits.current()
    record = record_of(ocid)
    if record is None:
        return None
    # The repeated-winner indicator compares this buyer's awards: read the buyer's records.
    records = [r for r in all_records() if r.buyer.get("id") == record.buyer.get("id")]
    return evaluate(record, thresholds, context_of(records))


def agency_code(record: Record) -> str:
    buyer_id = record.buyer.get("id", "")
    return buyer_id.removeprefix("agency-")


def by_agency(flags: list[TenderFlags]) -> dict[str, AgencyFlags]:
    agencies: dict[str, AgencyFlags] = {}
    for tender in flags:
        code = agency_code(tender.record)
        agency = agencies.setdefault(
            code, AgencyFlags(code=code, name=tender.record.buyer.get("name", code))
        )
        agency.tenders.append(tender)
    return dict(sorted(agencies.items(), key=lambda item: item[1].name))


def per_indicator(flags: list[TenderFlags]) -> list[tuple[Indicator, int, int]]:
    """(indicator, tenders raising it, tenders it applies to)."""
    return [
        (
            indicator,
            sum(t.result(indicator.code).raised for t in flags),
            sum(t.result(indicator.code).measure is not None for t in flags),
        )
        for indicator in INDICATORS
    ]
