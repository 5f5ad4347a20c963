"""Reads of the evaluation worth naming: the current outcome, a bid's qualification proof, and
what the public (R-8.5) and each bidder see of the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lpse.bids.selectors import active_bid_of_company, is_opened, opened_bid_of, opened_bids_of
from lpse.core.audit_since import Touched, ids_along
from lpse.evaluation.models import (
    CRITERIA_ORDER,
    AwardLetter,
    BidEvaluation,
    Contract,
    Criterion,
    CriterionResult,
    Objection,
    QualificationInvitation,
    TenderOutcome,
    Verdict,
)

if TYPE_CHECKING:
    from lpse.bids.models import Bid, OpenedBid


def current_outcome(tender) -> TenderOutcome | None:
    """The outcome that stands: not annulled by an upheld objection."""
    return (
        TenderOutcome.objects.filter(tender=tender, annulled_at__isnull=True)
        .select_related("winner__company", "report", "decided_by")
        .first()
    )


def proof_of(bid: Bid) -> QualificationInvitation | None:
    return QualificationInvitation.objects.filter(bid=bid).order_by("-invited_at", "-id").first()


def award_of(outcome: TenderOutcome | None) -> AwardLetter | None:
    if outcome is None:
        return None
    return AwardLetter.objects.filter(outcome=outcome).select_related("document").first()


def contract_of(award: AwardLetter | None) -> Contract | None:
    if award is None:
        return None
    return Contract.objects.filter(award=award).first()


@dataclass(frozen=True)
class BidStanding:
    """The public part of one bid's evaluation: how far it got, never the committee's reasons."""

    opened: OpenedBid
    evaluated_price: object
    failed_at: str  # the criterion label it failed, "" if it passed all it was evaluated on
    passed_all: bool


def _standing(opened: OpenedBid, results: dict[str, CriterionResult]) -> BidStanding:
    evaluation = getattr(opened, "evaluation", None)
    price = evaluation.evaluated_price if evaluation is not None else opened.total_price
    failed = [c for c in CRITERIA_ORDER if c in results and results[c].verdict == Verdict.FAIL]
    passed_all = all(c in results and results[c].verdict == Verdict.PASS for c in CRITERIA_ORDER)
    return BidStanding(
        opened=opened,
        evaluated_price=price,
        failed_at=str(Criterion(failed[0]).label) if failed else "",
        passed_all=passed_all,
    )


def _results_by_bid(tender) -> dict[int, dict[str, CriterionResult]]:
    by_bid: dict[int, dict[str, CriterionResult]] = {}
    for result in CriterionResult.objects.filter(
        evaluation__opened_bid__bid__tender=tender
    ).select_related("evaluation__opened_bid"):
        by_bid.setdefault(result.evaluation.opened_bid.bid_id, {})[result.criterion] = result
    return by_bid


@dataclass(frozen=True)
class PublicResults:
    opened: list[OpenedBid]
    outcome: TenderOutcome | None
    standings: list[BidStanding] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    award: AwardLetter | None = None
    contract: Contract | None = None
    annulled: list[TenderOutcome] = field(default_factory=list)


def public_results(tender) -> PublicResults | None:
    """After the opening every bidder with its offer price; once the outcome is announced, how
    far each bid got in the evaluation, the winner or why the tender failed, the objections with
    their answers, the award and the contract's summary. Before the announcement the committee's
    work in progress stays internal."""
    if not is_opened(tender):
        return None
    opened = list(
        opened_bids_of(tender).select_related("bid__company", "evaluation").order_by("total_price")
    )
    # Objections and results set aside stay public once announced, also while the committee
    # evaluates again after an upheld objection (no current result is announced then).
    objections = list(
        Objection.objects.filter(outcome__tender=tender)
        .select_related("bid__company")
        .order_by("filed_at")
    )
    annulled = list(
        TenderOutcome.objects.filter(
            tender=tender, annulled_at__isnull=False, announced_at__isnull=False
        ).order_by("decided_at")
    )
    outcome = current_outcome(tender)
    if outcome is None or outcome.announced_at is None:
        return PublicResults(opened=opened, outcome=None, objections=objections, annulled=annulled)
    results = _results_by_bid(tender)
    award = award_of(outcome)
    return PublicResults(
        opened=opened,
        outcome=outcome,
        standings=[_standing(o, results.get(o.bid_id, {})) for o in opened],
        objections=objections,
        award=award,
        contract=contract_of(award),
        annulled=annulled,
    )


@dataclass(frozen=True)
class OwnResult:
    """What one bidder sees of its own bid: every verdict with the committee's reason."""

    bid: Bid
    opened: OpenedBid | None
    results: list[tuple[str, CriterionResult | None]]
    corrected_price: object
    correction_reason: str
    proof: QualificationInvitation | None
    objection: Objection | None


def own_result(tender, company) -> OwnResult | None:
    bid = active_bid_of_company(tender, company)
    if bid is None:
        return None
    opened = opened_bid_of(bid).select_related("evaluation").first()
    evaluation = getattr(opened, "evaluation", None) if opened else None
    outcome = current_outcome(tender)
    mine = {}
    # The committee's reasons reach the bidder with the announcement, not while it deliberates.
    if evaluation is not None and outcome is not None and outcome.announced_at is not None:
        mine = {r.criterion: r for r in evaluation.results.all()}
    return OwnResult(
        bid=bid,
        opened=opened,
        results=[(str(Criterion(c).label), mine.get(c)) for c in CRITERIA_ORDER],
        corrected_price=evaluation.corrected_price if evaluation and mine else None,
        correction_reason=evaluation.correction_reason if evaluation and mine else "",
        proof=proof_of(bid),
        # The latest objection of this bidder, also one against a result since set aside.
        objection=Objection.objects.filter(outcome__tender=tender, bid=bid)
        .order_by("-filed_at")
        .first(),
    )


def public_context(tender) -> dict:
    """What the public tender page adds from the evaluation (R-8.5)."""
    return {"results": public_results(tender)}


# Every audited object of the evaluation belongs to one tender, and its results are published
#
_TOUCHED_PATHS = {
    TenderOutcome: "tender_id",
    Objection: "outcome__tender_id",
    AwardLetter: "outcome__tender_id",
    Contract: "award__outcome__tender_id",
    QualificationInvitation: "bid__tender_id",
    BidEvaluation: "opened_bid__bid__tender_id",
    CriterionResult: "evaluation__opened_bid__bid__tender_id",
}


def tender_ids_touched(touched: Touched) -> set[int]:
    """The tenders the audited writes ``touched`` (lpse.core.audit_since) concern."""
    return ids_along(touched, _TOUCHED_PATHS)
