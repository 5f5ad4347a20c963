"""Every write of the support desk: upload problems (R-3.4), the provider's consent to a support
view, and escalations to LKPP (R-3.5), each step timed against the annex (R-3.6).

Annex 3.4, as timed here (``lpse.core.standard_times``, Procedure.UPLOAD_PROBLEM):

- ``reproduce`` (15–30 min) runs from the provider's report reaching the desk to the admin's
  diagnosis;
- ``retry_advice`` (0–5 min) from the diagnosis to telling the provider to retry;
- ``escalation`` (1–24 h) from escalating the case to LKPP to LKPP's answer.

No service takes a password or a key, and text or files that carry one are refused
(``credentials.find_credentials``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.credentials import refuse_credentials
from lpse.core.errors import DomainError
from lpse.core.standard_times import step_end, step_record, step_start
from lpse.problems.models import (
    Escalation,
    SupportConsent,
    UploadProblem,
)
from lpse.problems.services.cases import (
    PROCEDURE,
    State,
    locked_problem,
    notify_reporter,
    required_text,
    resolve_locked,
)
from lpse.providers.selectors import company_of
from lpse.servicedesk.selectors import ticket_by_number
from lpse.servicedesk.services.tickets import ticket_submit_upload_problem
from lpse.tenders.services.participation import participation_of

# How long a provider's consent to the support view lasts (they may revoke it sooner).
SUPPORT_VIEW_CONSENT_MINUTES = 60


# --- the provider's side ---------------------------------------------------------------------


def _require_owner(actor, problem: UploadProblem):
    """A provider sees and acts on its own cases only; another's is as invisible as none."""
    company = company_of(actor)
    if problem.company_id != company.pk:
        raise DomainError(_("There is no such case."), code="not_found")
    return company


def problem_report(*, actor, description: str, tender=None) -> UploadProblem:
    """R-3.4: the provider tells the helpdesk what went wrong. The clock of the admin's
    reproduction (15–30 min) starts now."""
    company = company_of(actor)
    description = required_text(
        description, "description", _("Describe what happened when you tried to upload.")
    )
    if tender is not None and participation_of(actor, tender) is None:
        raise DomainError(_("Your company does not take part in that tender."), field="tender")
    with transaction.atomic():
        # the helpdesk records every request, so the report is also a ticket of its
        # kind, where the provider follows the answer like any other.
        ticket = ticket_submit_upload_problem(
            actor=actor,
            subject=(
                _("Cannot upload a bid for tender %(code)s") % {"code": tender.code}
                if tender is not None
                else _("Cannot upload a bid")
            ),
            question=description,
        )
        problem = UploadProblem.objects.create(
            company=company,
            reported_by=actor,
            reported_at=timezone.now(),
            tender=tender,
            description=description,
            ticket=ticket,
        )
        step_start(procedure=PROCEDURE, step="reproduce", subject=problem, at=problem.reported_at)
        audit.record(
            actor=actor,
            action="upload_problem.report",
            obj=problem,
            data={"company": company.pk, "tender": tender.code if tender else None},
        )
    return problem


def problem_retry_failed(*, actor, problem: UploadProblem, note: str = "") -> UploadProblem:
    """The provider retried as advised and it still fails: the admin looks again."""
    _require_owner(actor, problem)
    note = (note or "").strip()
    if note:
        refuse_credentials(note, "note")
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state != State.ADVISED_RETRY:
            raise DomainError(_("Only a case where you were advised to retry can be reopened."))
        problem.state = State.REPRODUCING
        problem.retry_failed_at, problem.retry_failed_note = timezone.now(), note
        problem.save()
        audit.record(actor=actor, action="upload_problem.retry_failed", obj=problem)
    return problem


def consent_grant(
    *, actor, problem: UploadProblem, minutes: int = SUPPORT_VIEW_CONSENT_MINUTES
) -> SupportConsent:
    """The provider lets LPSE's admins see a read-only view of their situation for this case,
    for ``minutes``. A new consent replaces one still running."""
    _require_owner(actor, problem)
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state == State.RESOLVED:
            raise DomainError(_("This case is resolved: no support view is needed."))
        now = timezone.now()
        problem.consents.filter(revoked_at__isnull=True, expires_at__gt=now).update(
            revoked_at=now, revoked_by=actor
        )
        consent = SupportConsent.objects.create(
            problem=problem,
            granted_by=actor,
            granted_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        audit.record(
            actor=actor,
            action="support.consent_grant",
            obj=problem,
            data={"consent": consent.pk, "expires_at": consent.expires_at.isoformat()},
        )
    return consent


def consent_revoke(*, actor, problem: UploadProblem) -> SupportConsent:
    _require_owner(actor, problem)
    with transaction.atomic():
        now = timezone.now()
        consent = (
            SupportConsent.objects.select_for_update()
            .filter(problem=problem, revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if consent is None:
            raise DomainError(_("No consent is running for this case."))
        consent.revoked_at, consent.revoked_by = now, actor
        consent.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=actor, action="support.consent_revoke", obj=problem, data={"consent": consent.pk}
        )
    return consent


# --- the support view ------------------------------------------------------------------------


def support_view_open(*, actor, problem: UploadProblem, page: str = "overview") -> SupportConsent:
    """An admin opens the read-only support view: allowed only while the provider's consent
    runs, and every opening is an audit event with the admin as actor."""
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    problem = UploadProblem.objects.get(pk=problem.pk)
    now = timezone.now()
    latest = problem.consents.order_by("-granted_at", "-id").first()
    if problem.state == State.RESOLVED:
        raise DomainError(
            _("This case is resolved: its support view is closed."), code="no_consent"
        )
    if latest is None:
        raise DomainError(
            _(
                "The provider has not consented to a support view of this case. Ask them to "
                "grant it on their case page — never ask for their password."
            ),
            code="no_consent",
        )
    if latest.revoked_at is not None:
        raise DomainError(
            _("The provider revoked their consent on %(at)s.")
            % {"at": wita_text(latest.revoked_at)},
            code="no_consent",
        )
    if not latest.valid_at(now):
        raise DomainError(
            _(
                "The provider's consent expired on %(at)s. Ask them to grant it again on their "
                "case page."
            )
            % {"at": wita_text(latest.expires_at)},
            code="no_consent",
        )
    audit.record(
        actor=actor,
        action="support.view",
        obj=problem,
        data={"consent": latest.pk, "company": problem.company_id, "page": page},
    )
    return latest


# --- the admin's side ------------------------------------------------------------------------


def _wrong_state(problem: UploadProblem, doing: str) -> DomainError:
    return DomainError(
        _("You cannot %(doing)s: the case is “%(state)s”.")
        % {"doing": doing, "state": problem.get_state_display()}
    )


def problem_take(*, actor, problem: UploadProblem) -> UploadProblem:
    """An LPSE admin takes the case and starts reproducing the problem."""
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state != State.REPORTED:
            raise _wrong_state(problem, _("take this case"))
        problem.state, problem.handled_by, problem.taken_at = (
            State.REPRODUCING,
            actor,
            timezone.now(),
        )
        problem.save()
        audit.record(actor=actor, action="upload_problem.take", obj=problem)
    return problem


def _record_diagnosis(problem: UploadProblem, actor, diagnosis: str) -> None:
    """The first diagnosis ends the reproduction step; a later one only refines the text."""
    now = timezone.now()
    if diagnosis:
        problem.diagnosis = diagnosis
    if not problem.diagnosis:
        raise DomainError(_("Record what you found when reproducing it."), field="diagnosis")
    if problem.diagnosed_at is None:
        problem.diagnosed_at = now
    step_end(
        procedure=PROCEDURE, step="reproduce", subject=problem, actor=actor, at=problem.diagnosed_at
    )


def problem_diagnose(*, actor, problem: UploadProblem, diagnosis: str) -> UploadProblem:
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    diagnosis = required_text(
        diagnosis, "diagnosis", _("Record what you found when reproducing it.")
    )
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state != State.REPRODUCING:
            raise _wrong_state(problem, _("record a diagnosis"))
        _record_diagnosis(problem, actor, diagnosis)
        problem.save()
        audit.record(actor=actor, action="upload_problem.diagnose", obj=problem)
    return problem


def problem_advise_retry(
    *, actor, problem: UploadProblem, advice: str, diagnosis: str = ""
) -> UploadProblem:
    """Nothing is wrong on LPSE's side: tell the provider to retry, and how (annex 3.4, 5 min)."""
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    advice = required_text(advice, "advice", _("Tell the provider what to do when retrying."))
    diagnosis = (diagnosis or "").strip()
    if diagnosis:
        refuse_credentials(diagnosis, "diagnosis")
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state != State.REPRODUCING:
            raise _wrong_state(problem, _("advise a retry"))
        _record_diagnosis(problem, actor, diagnosis)
        problem.retry_advice, problem.advised_at = advice, timezone.now()
        problem.state = State.ADVISED_RETRY
        problem.save()
        assert problem.diagnosed_at is not None  # set by _record_diagnosis just above
        step_record(
            procedure=PROCEDURE,
            step="retry_advice",
            subject=problem,
            actor=actor,
            started_at=problem.diagnosed_at,
            ended_at=problem.advised_at,
        )
        audit.record(actor=actor, action="upload_problem.advise_retry", obj=problem)
        notify_reporter(problem, _("please try the upload again"), advice)
    return problem


def problem_escalate(*, actor, problem: UploadProblem, diagnosis: str = "") -> Escalation:
    """LPSE cannot solve it: the case goes to LKPP with its diagnosis (annex 3.4, 1–24 h),
    as an escalation record that is prepared, exported and sent from the escalation desk."""
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    diagnosis = (diagnosis or "").strip()
    if diagnosis:
        refuse_credentials(diagnosis, "diagnosis")
    with transaction.atomic():
        problem = locked_problem(problem)
        if problem.state not in (State.REPRODUCING, State.ADVISED_RETRY):
            raise _wrong_state(problem, _("escalate to LKPP"))
        _record_diagnosis(problem, actor, diagnosis)
        problem.state, problem.escalated_at = State.ESCALATED, timezone.now()
        problem.save()
        tender = f" — {problem.tender.code}" if problem.tender else ""
        escalation = Escalation.objects.create(
            source=Escalation.Source.UPLOAD_PROBLEM,
            upload_problem=problem,
            subject=f"Penyedia tidak dapat mengunggah: {problem.company.name}{tender}"[:200],
            problem=problem.description,
            diagnosis=problem.diagnosis,
            created_by=actor,
            created_at=problem.escalated_at,
        )
        step_start(
            procedure=PROCEDURE,
            step="escalation",
            subject=problem,
            actor=actor,
            at=problem.escalated_at,
        )
        audit.record(
            actor=actor,
            action="upload_problem.escalate",
            obj=problem,
            data={"escalation": escalation.pk},
        )
        notify_reporter(
            problem,
            _("sent to LKPP"),
            _(
                "LPSE could not solve the problem and has sent it to LKPP. We will tell you their answer."
            ),
        )
    return escalation


def problem_resolve(*, actor, problem: UploadProblem, resolution: str = "") -> UploadProblem:
    """The provider confirms that the retry worked, or the admin closes the case (after a retry,
    or with LKPP's answer)."""
    is_admin = Cap.HANDLE_UPLOAD_PROBLEMS in actor.capabilities()
    if not is_admin:
        _require_owner(actor, problem)
    resolution = (resolution or "").strip()
    if resolution:
        refuse_credentials(resolution, "resolution")
    with transaction.atomic():
        problem = locked_problem(problem)
        allowed = (State.ADVISED_RETRY, State.ESCALATED) if is_admin else (State.ADVISED_RETRY,)
        if problem.state not in allowed:
            raise _wrong_state(problem, _("close the case"))
        resolve_locked(problem, actor, resolution or _("The upload worked after the retry."))
        audit.record(actor=actor, action="upload_problem.resolve", obj=problem)
    return problem


def problem_link_ticket(*, actor, problem: UploadProblem, number: str) -> UploadProblem:
    """Tie the case to the helpdesk ticket the provider's report arrived as (R-2.1)."""
    require_capability(actor, Cap.HANDLE_UPLOAD_PROBLEMS)
    ticket = ticket_by_number((number or "").strip())
    if ticket is None:
        raise DomainError(_("There is no helpdesk ticket with that number."), field="number")
    with transaction.atomic():
        problem = locked_problem(problem)
        if UploadProblem.objects.filter(ticket=ticket).exclude(pk=problem.pk).exists():
            raise DomainError(
                _("That ticket already belongs to another upload problem."), field="number"
            )
        problem.ticket = ticket
        problem.save(update_fields=["ticket"])
        audit.record(
            actor=actor,
            action="upload_problem.link_ticket",
            obj=problem,
            data={"ticket": ticket.number},
        )
    return problem
