"""Releases after the opening: bids (bids extension), award (with objections as far as OCDS
1.1 can say them) and contract. Nothing of the bids before the opening (R-9.1, R-9.2)."""

from __future__ import annotations

from typing import Any

from lpse.portal.ocds import parties as p
from lpse.portal.ocds.builders import Built, release_base
from lpse.portal.ocds.facts import TenderFacts, amount, iso


def bid_id(f: TenderFacts, bid) -> str:
    return f"{f.tender.code}-bid-{bid.pk}"


def award_id(f: TenderFacts, outcome) -> str:
    return f"{f.tender.code}-award-{outcome.pk}"


def _bid_status(results, standing) -> str:
    """bidStatus codelist: ``pending`` until the outcome is announced (the committee's work in
    progress stays internal), then ``valid`` or ``disqualified``."""
    if results.outcome is None or standing is None:
        return "pending"
    if standing.passed_all:
        return "valid"
    return "disqualified" if standing.failed_at else "pending"


def bids(f: TenderFacts) -> Built:
    results = f.results
    if results is None:  # not opened: sealed bids are nobody's business yet
        return None
    standings = {s.opened.bid_id: s for s in results.standings}
    details, tenderers = [], []
    for opened in results.opened:
        company = opened.bid.company
        party = p.company_party(company, ["tenderer"])
        tenderers.append(party)
        standing = standings.get(opened.bid_id)
        price = standing.evaluated_price if standing is not None else opened.total_price
        detail: dict[str, Any] = {
            "id": bid_id(f, opened.bid),
            "date": iso(opened.bid.submitted_at),
            "status": _bid_status(results, standing),
            "tenderers": [p.ref(party)],
        }
        if price is not None:
            detail["value"] = amount(price)
        details.append(detail)
    valid = [d for d in details if d["status"] == "valid"]
    statistics = [
        {"id": "bids", "measure": "bids", "value": len(details)},
        {"id": "bidders", "measure": "bidders", "value": len({t["id"] for t in tenderers})},
    ]
    if results.outcome is not None:
        statistics.append({"id": "validBids", "measure": "validBids", "value": len(valid)})
        statistics.append(
            {
                "id": "disqualifiedBids",
                "measure": "disqualifiedBids",
                "value": sum(d["status"] == "disqualified" for d in details),
            }
        )
        prices = [d["value"]["amount"] for d in valid if "value" in d]
        if prices:
            for key, value in (
                ("lowestValidBidValue", min(prices)),
                ("highestValidBidValue", max(prices)),
            ):
                statistics.append({"id": key, "measure": key, "value": value, "currency": "IDR"})
    content = release_base(f, tenderers)
    content["tender"] = {"id": f.tender.code, "numberOfTenderers": len(tenderers)}
    content["bids"] = {"statistics": statistics, "details": details}
    dates = [o.opened_at for o in results.opened]
    if results.outcome is not None:
        dates.append(results.outcome.announced_at)
    return content, max(d for d in dates if d is not None)


def _objections_text(objections) -> str:
    if not objections:
        return "No objection (sanggah) was filed."
    states: dict[str, int] = {}
    for objection in objections:
        states[objection.state] = states.get(objection.state, 0) + 1
    counts = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
    return f"Objections (sanggah): {len(objections)} ({counts})."


def _award_of(f: TenderFacts, outcome, status: str, objections, extra: str = "") -> dict[str, Any]:
    winner = outcome.winner
    supplier = p.company_party(winner.company, ["supplier"])
    standing = next((s for s in f.results.standings if s.opened.bid_id == winner.pk), None)
    award: dict[str, Any] = {
        "id": award_id(f, outcome),
        "title": f"Winner of {f.tender.code}",
        "status": status,
        "date": iso(outcome.announced_at),
        "suppliers": [p.ref(supplier)],
        "relatedBids": [bid_id(f, winner)],
        "description": " ".join(x for x in (_objections_text(objections), extra) if x),
    }
    if standing is not None and standing.evaluated_price is not None:
        award["value"] = amount(standing.evaluated_price)
    return award, supplier


def award(f: TenderFacts) -> Built:
    results = f.results
    if results is None:
        return None
    awards, suppliers, dates = [], [], []
    for old in results.annulled:  # set aside by an upheld objection: cancelled, with why
        if old.winner_id is None:
            continue
        entry, supplier = _award_of(
            f,
            old,
            "cancelled",
            [o for o in results.objections if o.outcome_id == old.pk],
            f"Set aside: {old.annulled_reason}",
        )
        awards.append(entry)
        suppliers.append(supplier)
        dates.append(old.annulled_at)
    outcome = results.outcome
    if outcome is not None and outcome.winner_id is not None:
        letter = results.award
        entry, supplier = _award_of(
            f,
            outcome,
            "active" if letter is not None else "pending",
            [o for o in results.objections if o.outcome_id == outcome.pk],
        )
        if letter is not None:
            entry["value"] = amount(letter.value)
            entry["documents"] = [
                {
                    "id": f"sppbj-{letter.pk}",
                    "documentType": "awardNotice",
                    "title": f"SPPBJ {letter.number}",
                    "description": f"SHA-256 {letter.document.sha256}",
                    "datePublished": iso(letter.issued_at),
                }
            ]
            dates.append(letter.issued_at)
        awards.append(entry)
        suppliers.append(supplier)
        dates.append(outcome.announced_at)
        dates.extend(o.answered_at or o.filed_at for o in results.objections)
    if not awards:
        return None
    content = release_base(f, suppliers)
    content["awards"] = awards
    return content, max(d for d in dates if d is not None)


def contract(f: TenderFacts) -> Built:
    results = f.results
    if results is None or results.contract is None or results.outcome is None:
        return None
    signed = results.contract
    content = release_base(f)
    content["contracts"] = [
        {
            "id": f"{f.tender.code}-contract-{signed.pk}",
            "awardID": award_id(f, results.outcome),
            "title": f"Contract {signed.number}",
            "status": "active",
            "value": amount(signed.value),
            "period": {
                "startDate": f"{signed.starts_on.isoformat()}T00:00:00+08:00",
                "endDate": f"{signed.ends_on.isoformat()}T23:59:59+08:00",
            },
            "dateSigned": f"{signed.signed_on.isoformat()}T00:00:00+08:00",
            "relatedBids": [bid_id(f, results.outcome.winner)],
        }
    ]
    return content, signed.recorded_at
