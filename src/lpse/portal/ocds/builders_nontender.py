"""The releases of a non-tender procurement (R-8.6, R-9.5), built on its backing tender.

The planning release is a tender's (the package's budget). The tender release is a tender's
with the method of the OCDS codelist — a direct procurement invites providers of the officer's
choice (``limited``), a direct appointment goes to one provider without competition
(``direct``) with its justification as ``procurementMethodRationale`` — and the procurement
officer as the procuring entity. The bids are the opened offers (nothing before the opening,
R-9.1); the award is the officer's choice at the agreed price; the contract is the purchase
order (SPK) issued with it. Same rules as builders.py: no clock, no reader's language.
"""

from __future__ import annotations

from typing import Any

from lpse.portal.ocds import builders, builders_results
from lpse.portal.ocds import parties as p
from lpse.portal.ocds.builders import Built, release_base
from lpse.portal.ocds.facts import TenderFacts, amount, iso

# The nontender app's Method → the OCDS method codelist.
METHODS = {"direct_procurement": "limited", "direct_appointment": "direct"}


def _awarded(f: TenderFacts) -> bool:
    procurement = f.nontender.procurement
    return procurement.state == "awarded" and procurement.winner_id is not None


def tender(f: TenderFacts) -> Built:
    built = builders.tender(f)
    if built is None:
        return None
    content, date = built
    procurement = f.nontender.procurement
    section = content["tender"]
    section["procurementMethod"] = METHODS[procurement.method]
    section["procurementMethodDetails"] = builders._english(procurement.get_method_display)
    if procurement.justification:
        section["procurementMethodRationale"] = (
            f"{builders._english(procurement.get_justification_display)}: "
            f"{procurement.justification_note}"
        )
    section["submissionMethodDetails"] = (
        "Sealed electronic offers of the invited providers (age encryption, opened by the "
        "procurement officer)"
    )
    if not section.get("eligibilityCriteria"):
        section.pop("eligibilityCriteria", None)  # the invitation stands for the qualification
    if _awarded(f) and section["status"] != "cancelled":
        section["status"], section["statusDetails"] = "complete", "Purchase order (SPK) issued"
        date = max(date, procurement.awarded_at)
    officer = p.officer_party(procurement)
    section["procuringEntity"] = p.ref(officer)
    content["parties"] = p.merged([*content["parties"], officer])
    return content, date


def bids(f: TenderFacts) -> Built:
    """The opened offers as the tender's bids; once the officer chose, each offer that opened
    with a price was considered (``valid``): a non-tender has no evaluation to fail."""
    built = builders_results.bids(f)
    if built is None or not _awarded(f):
        return built
    content, date = built
    for detail in content["bids"]["details"]:
        if "value" in detail:
            detail["status"] = "valid"
    return content, max(date, f.nontender.procurement.awarded_at)


def _award_id(f: TenderFacts) -> str:
    return f"{f.tender.code}-award"


def _winning_offer(f: TenderFacts):
    winner_id = f.nontender.procurement.winner_id
    return next((o for o in f.nontender.offers if o.invitation.company_id == winner_id), None)


def award(f: TenderFacts) -> Built:
    if not _awarded(f):
        return None
    procurement = f.nontender.procurement
    supplier = p.company_party(procurement.winner, ["supplier"])
    entry: dict[str, Any] = {
        "id": _award_id(f),
        "title": f"Result of {f.tender.code}",
        "status": "active",
        "date": iso(procurement.awarded_at),
        "value": amount(procurement.award_price),
        "suppliers": [p.ref(supplier)],
    }
    offer = _winning_offer(f)
    if offer is not None:
        rounds = len(offer.negotiations.all())
        entry["description"] = (
            f"Offered {amount(offer.price)['amount']} IDR; agreed after {rounds} round(s) of "
            "clarification and price negotiation."
        )
        if offer.bid is not None:
            entry["relatedBids"] = [builders_results.bid_id(f, offer.bid)]
    content = release_base(f, [supplier])
    content["awards"] = [entry]
    return content, procurement.awarded_at


def contract(f: TenderFacts) -> Built:
    """The purchase order (SPK), issued with the award: its fingerprint, not the file (it is
    for the officer, the PPK and the provider)."""
    procurement = f.nontender.procurement
    if not _awarded(f) or procurement.purchase_order is None:
        return None
    issued = iso(procurement.awarded_at)
    entry: dict[str, Any] = {
        "id": f"{f.tender.code}-spk",
        "awardID": _award_id(f),
        "title": f"SPK {f.tender.code}",
        "status": "active",
        "value": amount(procurement.award_price),
        "dateSigned": issued,
        "documents": [
            {
                "id": f"spk-{f.tender.code}",
                "documentType": "contractSigned",
                "title": "Surat Perintah Kerja (SPK)",
                "description": f"SHA-256 {procurement.purchase_order.sha256}",
                "datePublished": issued,
                "language": "id",
            }
        ],
    }
    offer = _winning_offer(f)
    if offer is not None and offer.bid is not None:
        entry["relatedBids"] = [builders_results.bid_id(f, offer.bid)]
    content = release_base(f)
    content["contracts"] = [entry]
    return content, procurement.awarded_at
