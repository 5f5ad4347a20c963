"""Reads of the support desk: whose cases, the consent in force, the read-only support view."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from lpse.bids.selectors import (
    bid_states_of,
    bids_of,
    unopenable_cases_escalatable,
    upload_attempts,
)
from lpse.core.models import AuditEvent
from lpse.problems.models import Escalation, SupportConsent, UploadProblem

_CASE_RELATED = ("company", "tender__package", "reported_by", "handled_by")


def problems_of(company) -> QuerySet[UploadProblem]:
    """A provider's own cases, and nobody else's."""
    return UploadProblem.objects.filter(company=company).select_related(*_CASE_RELATED)


def own_problem(actor, pk: int) -> UploadProblem | None:
    company = getattr(actor, "company", None)
    if company is None:
        return None
    return problems_of(company).filter(pk=pk).first()


def desk_problems(*, state: str = "") -> QuerySet[UploadProblem]:
    """The admin's desk: open cases first (oldest report first), then the closed ones."""
    problems = UploadProblem.objects.select_related(*_CASE_RELATED)
    if state:
        problems = problems.filter(state=state)
    return problems.order_by("reported_at")


def active_consent(problem: UploadProblem, moment=None) -> SupportConsent | None:
    moment = moment or timezone.now()
    return (
        problem.consents.filter(
            revoked_at__isnull=True, granted_at__lte=moment, expires_at__gt=moment
        )
        .order_by("-granted_at")
        .first()
    )


def support_view_log(problem: UploadProblem) -> QuerySet[AuditEvent]:
    """Who opened the support view of this case, and when: shown to the provider too."""
    return AuditEvent.objects.filter(
        action="support.view",
        object_type=UploadProblem._meta.label_lower,
        object_id=str(problem.pk),
    ).order_by("-seq")


@dataclass(frozen=True)
class SupportSnapshot:
    """What the support view shows: the provider's situation, read-only. Deliberately no
    password hash, no key, no bid contents: fingerprints, sizes, states and times only."""

    company: object
    account: object
    bid_states: list
    attempts: list
    bids: list


def support_snapshot(problem: UploadProblem) -> SupportSnapshot:
    company = problem.company
    return SupportSnapshot(
        company=company,
        account=company.user,
        bid_states=bid_states_of(company),
        attempts=upload_attempts(company=company),
        bids=list(bids_of(company)[:50]),
    )


def escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related("upload_problem__company", "created_by")


def unopenable_cases_to_escalate():
    """Bid files the LPSE admin could not open (R-3.1) that have no escalation record yet."""
    return unopenable_cases_escalatable().filter(lkpp_escalation__isnull=True)
