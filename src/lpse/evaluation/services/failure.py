"""Failed tenders (tender gagal), cancellation and re-tender (R-8.4).

A tender fails when no bids came, fewer than the minimum (``LPSE_MIN_BIDS``), no bid passes the
evaluation, it is cancelled with a reason, or an upheld objection requires it. Each kind is
checked against the facts, so the published reason cannot contradict the record. A failed
tender's package is tendered again as a new draft that names the failed one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import active_bids_of, opened_bids_of
from lpse.core import audit
from lpse.core.calendar import WITA, is_working_day, to_wita
from lpse.core.errors import DomainError
from lpse.evaluation.models import CriterionResult, FailureKind, TenderOutcome, Verdict
from lpse.evaluation.selectors import award_of, current_outcome
from lpse.evaluation.services.verdicts import decide, locks_tender, ranking, require_open
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_committee_member
from lpse.tenders.selectors.lookup import is_published
from lpse.tenders.selectors.sample import sample_schedule
from lpse.tenders.services import preparation as tender_services

if TYPE_CHECKING:
    from lpse.tenders.models import Tender


def _check_kind(tender, kind: str) -> None:
    bids = active_bids_of(tender).count()
    deadline = tender_services.schedule_of(tender)["bid_submission"][1]
    if kind in (FailureKind.NO_BIDS, FailureKind.TOO_FEW_BIDS) and timezone.now() < deadline:
        raise DomainError(
            _("Bids are accepted until %(at)s: the number of bids is known only then.")
            % {"at": sched.wita(deadline)}
        )
    if kind == FailureKind.NO_BIDS and bids:
        raise DomainError(_("This tender has bids: choose another reason."))
    if kind == FailureKind.TOO_FEW_BIDS and bids >= settings.LPSE_MIN_BIDS:
        raise DomainError(
            _("This tender has %(bids)d bids, the minimum is %(min)d: choose another reason.")
            % {"bids": bids, "min": settings.LPSE_MIN_BIDS}
        )
    if kind == FailureKind.ALL_FAILED:
        require_open(tender)
        if any(r.qualification != Verdict.FAIL for r in ranking(tender)):
            raise DomainError(
                _(
                    "A bid still passes the evaluation: determine the winner, or record why "
                    "it fails."
                )
            )
        unfailed = [
            opened.bid.company.name
            for opened in opened_bids_of(tender).select_related("bid__company")
            if not opened.problem
            and not CriterionResult.objects.filter(
                evaluation__opened_bid=opened, verdict=Verdict.FAIL
            ).exists()
        ]
        if unfailed:
            raise DomainError(
                _(
                    "Record why each bid fails before declaring that none passes; not yet "
                    "failed: %(names)s."
                )
                % {"names": ", ".join(unfailed)}
            )


@locks_tender(lambda k: k["tender"])
def tender_fail(*, actor, tender, kind: str, reason: str) -> TenderOutcome:
    """The committee declares the tender failed for ``kind``, with the published reason."""
    require_committee_member(actor, tender)
    if current_outcome(tender) is not None:
        raise DomainError(_("The outcome is already decided."))
    if kind not in FailureKind.values or kind == FailureKind.OBJECTION_UPHELD:
        raise DomainError(_("Choose why the tender fails."), field="kind")
    if kind == FailureKind.CANCELLED:
        return tender_cancel(actor=actor, tender=tender, reason=reason)
    if not reason.strip():
        raise DomainError(_("Say why the tender fails: the reason is published."), field="reason")
    _check_kind(tender, kind)
    return decide(
        actor=actor,
        tender=tender,
        state=TenderOutcome.State.FAILED,
        winner=None,
        reason=reason.strip(),
        ranked=ranking(tender),
        failure_kind=kind,
    )


@locks_tender(lambda k: k["tender"])
def tender_cancel(*, actor, tender, reason: str) -> TenderOutcome:
    """Cancellation at any stage before the award, with a reason: no more bids are taken, and
    an outcome decided earlier (not yet awarded) gives way to the failure."""
    require_committee_member(actor, tender)
    if not reason.strip():
        raise DomainError(
            _("Say why the tender is cancelled: the reason is published."), field="reason"
        )
    if not is_published(tender):
        raise DomainError(_("Only a published tender can be cancelled."))
    with transaction.atomic():
        standing = current_outcome(tender)
        if standing is not None:
            if award_of(standing) is not None:
                raise DomainError(_("The award letter is issued: the tender can no longer fail."))
            if standing.state == TenderOutcome.State.FAILED:
                raise DomainError(_("The outcome is already decided."))
            outcome_annul(actor=actor, outcome=standing, reason=reason.strip())
        tender_services.tender_mark_cancelled(tender=tender)
        return decide(
            actor=actor,
            tender=tender,
            state=TenderOutcome.State.FAILED,
            winner=None,
            reason=reason.strip(),
            ranked=ranking(tender) if standing is not None else [],
            failure_kind=FailureKind.CANCELLED,
        )


def outcome_annul(*, actor, outcome: TenderOutcome, reason: str) -> TenderOutcome:
    """Set an outcome aside (an upheld objection, a cancellation); it stays on record."""
    with transaction.atomic():
        locked = TenderOutcome.objects.select_for_update().get(pk=outcome.pk)
        if locked.annulled_at is not None:
            raise DomainError(_("This outcome was already set aside."))
        locked.annulled_at, locked.annulled_reason = timezone.now(), reason
        locked.save(update_fields=["annulled_at", "annulled_reason"])
        audit.record(
            actor=actor,
            action="outcome.annul",
            obj=locked,
            data={"tender": locked.tender.code, "reason": reason},
        )
    return locked


def _next_schedule(now: datetime) -> sched.Schedule:
    """A valid schedule for the re-tender, from the first Monday after today on which the
    sample lay-out meets every rule (holidays can push it by a week or more); the committee
    adjusts it on the draft before publishing."""
    day = to_wita(now).date() + timedelta(days=1)
    for _week in range(12):
        while day.weekday() != 0 or not is_working_day(day):
            day += timedelta(days=1)
        schedule = sample_schedule(datetime.combine(day, datetime.min.time(), tzinfo=WITA))
        if not sched.problems_of(schedule):
            return schedule
        day += timedelta(days=1)
    raise DomainError(_("No valid schedule found in the next three months; set one by hand."))


@locks_tender(lambda k: k["tender"])
def retender(*, actor, tender) -> Tender:
    """The failed tender's package is tendered again: a new draft with the same method and
    requirements, which names the failed one. The committee sets its schedule and documents."""
    require_committee_member(actor, tender)
    outcome = current_outcome(tender)
    if outcome is None or outcome.state != TenderOutcome.State.FAILED:
        raise DomainError(_("Only a failed tender is re-tendered."))
    # Under the tender's lock (``locks_tender``): a double click makes one re-tender, not two.
    earlier = tender.retenders.first()
    if earlier is not None:
        raise DomainError(
            _("This tender is already re-tendered as %(code)s.") % {"code": earlier.code}
        )
    return tender_services.tender_create(
        actor=actor,
        package=tender.package,
        method=tender.method,
        qualification_requirements=tender.qualification_requirements,
        schedule=_next_schedule(timezone.now()),
        retender_of=tender,
    )
