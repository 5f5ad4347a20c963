"""Evaluation, ranking, winner determination and failed tenders (R-8.4).

Rules, each in one place:
- every pass or fail carries a reason; a bid that fails a criterion is not evaluated further
  (administrative → technical → price → qualification);
- an arithmetic correction of the price is recorded with its reason, and the corrected price is
  the one ranked;
- an evaluated price above the owner estimate (HPS) fails the price criterion (the tender rule
  of Perpres 16/2018 for tenders: offers above HPS are rejected);
- ranking is by lowest evaluated price among bids that pass administrative, technical and price;
  a tie goes to the bid received first (its receipt time);
- the winner is the best-ranked bid that passes qualification and proved it in person
  (``qualification.py``), every bid ranked above it having failed qualification
  (post-qualification: the next one is invited when the first fails).

Failed tenders are in ``failure.py``; announcement, objections and award in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import is_opened
from lpse.core import audit
from lpse.core.errors import DomainError
from lpse.core.storage import store_bytes
from lpse.evaluation.models import (
    CRITERIA_ORDER,
    BidEvaluation,
    Criterion,
    CriterionResult,
    QualificationInvitation,
    TenderOutcome,
    Verdict,
)
from lpse.evaluation.reports import outcome_report_pdf
from lpse.evaluation.selectors import current_outcome, proof_of
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member
from lpse.tenders.selectors.lookup import tender_lock
from lpse.tenders.services.preparation import schedule_of

if TYPE_CHECKING:
    from lpse.bids.models import OpenedBid
    from lpse.tenders.models import Tender


def locks_tender(tender_of: Callable[[dict], Tender]) -> Callable:
    """Run the service in a transaction that first locks the tender's row: every decision on a
    tender (a verdict, the winner, an announcement, an answer, the award) waits for the one
    before it, so a verdict cannot slip in after the winner was determined on the old ones.
    The service's own checks then run under the lock."""

    def decorate(service):
        @wraps(service)
        def locked(**kwargs):
            with transaction.atomic():
                tender = tender_of(kwargs)
                tender_lock(tender)
                return service(**kwargs)

        return locked

    return decorate


def require_open(tender) -> None:
    if not is_opened(tender):
        raise DomainError(_("The bids have not been opened yet."))
    if current_outcome(tender) is not None:
        raise DomainError(_("The outcome is decided; the evaluation can no longer change."))


def evaluation_shown(opened_bid: OpenedBid) -> BidEvaluation:
    """The bid's evaluation to show, without writing one (a page only reads)."""
    existing = BidEvaluation.objects.filter(opened_bid=opened_bid).first()
    return existing or BidEvaluation(opened_bid=opened_bid)


def evaluation_of(opened_bid: OpenedBid) -> BidEvaluation:
    evaluation, _created = BidEvaluation.objects.get_or_create(opened_bid=opened_bid)
    return evaluation


def verdicts(evaluation: BidEvaluation) -> dict[str, CriterionResult]:
    return {r.criterion: r for r in evaluation.results.all()}


@locks_tender(lambda k: k["opened_bid"].bid.tender)
def criterion_record(
    *, actor, opened_bid: OpenedBid, criterion: str, verdict: str, reason: str
) -> CriterionResult:
    tender = opened_bid.bid.tender
    require_committee_member(actor, tender)
    require_open(tender)
    if criterion not in Criterion.values or verdict not in (Verdict.PASS, Verdict.FAIL):
        raise DomainError(_("Choose a criterion and pass or fail."))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Give the reason: every pass or fail carries one."), field="reason")
    if opened_bid.problem and verdict == Verdict.PASS:
        raise DomainError(_("This bid could not be opened; it cannot pass."))
    evaluation = evaluation_of(opened_bid)
    done = verdicts(evaluation)
    for earlier in CRITERIA_ORDER[: CRITERIA_ORDER.index(Criterion(criterion))]:
        if earlier in done and done[earlier].verdict == Verdict.FAIL:
            raise DomainError(
                _(
                    "This bid already failed the %(criterion)s evaluation: it is not "
                    "evaluated further."
                )
                % {"criterion": Criterion(earlier).label}
            )
        if earlier not in done:
            raise DomainError(
                _("Evaluate %(criterion)s first.") % {"criterion": Criterion(earlier).label}
            )
    if criterion == Criterion.PRICE and verdict == Verdict.PASS:
        hps = tender.package.owner_estimate
        if evaluation.evaluated_price is None or evaluation.evaluated_price > hps:
            raise DomainError(
                _(
                    "The evaluated price (Rp %(price)s) is above the owner estimate "
                    "(HPS, Rp %(hps)s): the offer fails the price evaluation."
                )
                % {"price": evaluation.evaluated_price, "hps": hps}
            )
    if criterion == Criterion.QUALIFICATION and verdict == Verdict.PASS:
        proof = proof_of(opened_bid.bid)
        if proof is not None and proof.state in (
            QualificationInvitation.State.NOT_QUALIFIED,
            QualificationInvitation.State.ABSENT,
        ):
            raise DomainError(
                _("The qualification proof decided this bid (%(result)s): it cannot pass now.")
                % {"result": proof.get_state_display()}
            )
        from lpse.evaluation.capability import shortfall

        problem = shortfall(opened_bid.bid)
        if problem:
            raise DomainError(problem)
    with transaction.atomic():
        result, _created = CriterionResult.objects.update_or_create(
            evaluation=evaluation,
            criterion=criterion,
            defaults={
                "verdict": verdict,
                "reason": reason,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        # A changed verdict invalidates the later ones, which were decided on its basis.
        later = CRITERIA_ORDER[CRITERIA_ORDER.index(Criterion(criterion)) + 1 :]
        CriterionResult.objects.filter(evaluation=evaluation, criterion__in=later).delete()
        audit.record(
            actor=actor,
            action="evaluation.record",
            obj=result,
            data={
                "tender": tender.code,
                "bid": opened_bid.bid_id,
                "criterion": criterion,
                "verdict": verdict,
                "reason": reason,
            },
        )
    return result


@locks_tender(lambda k: k["opened_bid"].bid.tender)
def price_correct(
    *, actor, opened_bid: OpenedBid, corrected_price: Decimal, reason: str
) -> BidEvaluation:
    """Arithmetic correction: the offer's own unit prices × quantities did not add up."""
    tender = opened_bid.bid.tender
    require_committee_member(actor, tender)
    require_open(tender)
    if not reason.strip():
        raise DomainError(_("Say what was corrected and why."), field="reason")
    if corrected_price is None or corrected_price <= 0:
        raise DomainError(_("The corrected price must be positive."), field="corrected_price")
    evaluation = evaluation_of(opened_bid)
    with transaction.atomic():
        evaluation.corrected_price, evaluation.correction_reason = corrected_price, reason.strip()
        evaluation.save(update_fields=["corrected_price", "correction_reason", "updated_at"])
        CriterionResult.objects.filter(
            evaluation=evaluation, criterion__in=[Criterion.PRICE, Criterion.QUALIFICATION]
        ).delete()
        audit.record(
            actor=actor,
            action="evaluation.correct_price",
            obj=evaluation,
            data={
                "tender": tender.code,
                "bid": opened_bid.bid_id,
                "offered": str(opened_bid.total_price),
                "corrected": str(corrected_price),
                "reason": reason.strip(),
            },
        )
    return evaluation


@dataclass(frozen=True)
class Ranked:
    position: int
    evaluation: BidEvaluation
    price: Decimal
    qualification: str  # a Verdict value
    proof: QualificationInvitation | None = None  # the latest qualification-proof invitation

    @property
    def bid(self):
        return self.evaluation.opened_bid.bid

    @property
    def qualification_label(self) -> str:
        return str(Verdict(self.qualification).label)


def ranking(tender) -> list[Ranked]:
    evaluations = list(
        BidEvaluation.objects.filter(opened_bid__bid__tender=tender)
        .select_related("opened_bid__bid__company")
        .prefetch_related("results")
    )
    eligible = []
    for evaluation in evaluations:
        done = verdicts(evaluation)
        if all(
            c in done and done[c].verdict == Verdict.PASS
            for c in (Criterion.ADMINISTRATIVE, Criterion.TECHNICAL, Criterion.PRICE)
        ):
            qualification = done.get(Criterion.QUALIFICATION)
            eligible.append(
                (evaluation, qualification.verdict if qualification else Verdict.PENDING)
            )
    # The documented tie rule: equal evaluated prices go to the bid received first.
    eligible.sort(key=lambda item: (item[0].evaluated_price, item[0].opened_bid.bid.submitted_at))
    return [
        Ranked(i, e, e.evaluated_price, q, proof_of(e.opened_bid.bid))
        for i, (e, q) in enumerate(eligible, start=1)
    ]


@locks_tender(lambda k: k["tender"])
def winner_determine(*, actor, tender) -> TenderOutcome:
    require_committee_member(actor, tender)
    require_open(tender)
    start = schedule_of(tender)["winner_determination"][0]
    if timezone.now() < start:
        raise DomainError(_("The winner is determined from %(at)s.") % {"at": sched.wita(start)})
    ranked = ranking(tender)
    if not ranked:
        raise DomainError(_("No bid passes the evaluation: declare the tender failed instead."))
    for entry in ranked:
        if entry.qualification == Verdict.PASS:
            if entry.proof is None or entry.proof.state != QualificationInvitation.State.QUALIFIED:
                raise DomainError(
                    _(
                        "%(company)s (rank %(rank)d) has not proved its qualification yet: "
                        "invite it to the qualification proof and record the result."
                    )
                    % {"company": entry.bid.company.name, "rank": entry.position}
                )
            winner = entry
            break
        if entry.qualification == Verdict.PENDING:
            raise DomainError(
                _(
                    "Finish the qualification of %(company)s (rank %(rank)d) first: "
                    "the bids ranked above the winner must have failed it."
                )
                % {"company": entry.evaluation.opened_bid.bid.company.name, "rank": entry.position}
            )
    else:
        raise DomainError(_("No ranked bid passes qualification: declare the tender failed."))
    return decide(
        actor=actor,
        tender=tender,
        state=TenderOutcome.State.WINNER_DETERMINED,
        winner=winner.evaluation.opened_bid.bid,
        reason="",
        ranked=ranked,
    )


def decide(
    *, actor, tender, state, winner, reason, ranked, failure_kind: str = ""
) -> TenderOutcome:
    """Record the outcome with its report (PDF, hashed); shared by the winner and the failure."""
    with transaction.atomic():
        if (
            TenderOutcome.objects.select_for_update()
            .filter(tender=tender, annulled_at__isnull=True)
            .exists()
        ):
            raise DomainError(_("The outcome is already decided."))
        decided_at = timezone.now()
        report = store_bytes(
            outcome_report_pdf(
                tender=tender,
                state=state,
                winner=winner,
                reason=reason,
                ranked=ranked,
                at=decided_at,
            )
        )
        outcome = TenderOutcome.objects.create(
            tender=tender,
            state=state,
            winner=winner,
            failure_kind=failure_kind,
            reason=reason,
            decided_by=actor,
            decided_at=decided_at,
            report=report,
        )
        audit.record(
            actor=actor,
            action=f"outcome.{state}",
            obj=outcome,
            data={
                "tender": tender.code,
                "winner": winner.pk if winner else None,
                "failure_kind": failure_kind,
                "reason": reason,
                "report_sha256": report.sha256,
                "report_md5": report.md5,
            },
        )
    return outcome
