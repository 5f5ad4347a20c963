"""What the upload-problem and escalation services share (R-3.4, R-3.5): the case re-read under
lock, the rule for the texts people type into it, closing it, and telling its reporter. One
module both import, so neither reaches into the other's private helpers."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core.credentials import refuse_credentials
from lpse.core.errors import DomainError
from lpse.core.standard_times import Procedure, step_end
from lpse.core.tasks import send_mail_on_commit
from lpse.problems.models import UploadProblem

PROCEDURE = Procedure.UPLOAD_PROBLEM
State = UploadProblem.State


def required_text(text: str, field: str, message: str) -> str:
    """The text stripped; refused with ``message`` when empty, and refused when it holds a
    password or a key (the case is read by staff and may go to LKPP)."""
    text = (text or "").strip()
    if not text:
        raise DomainError(message, field=field)
    refuse_credentials(text, field)
    return text


def locked_problem(problem: UploadProblem) -> UploadProblem:
    """The case re-read under a row lock: two people acting on it act one after the other."""
    return (
        UploadProblem.objects.select_for_update(of=("self",))  # nullable joins: lock this row only
        .select_related("company", "tender", "reported_by")
        .get(pk=problem.pk)
    )


def resolve_locked(problem: UploadProblem, actor, resolution: str) -> None:
    """Close a case the caller holds locked (``locked_problem``), inside its transaction; the
    caller writes the audit event, which differs by who closes it (the admin, LKPP's answer)."""
    now = timezone.now()
    if problem.state == State.ESCALATED:
        # Closed with LKPP's answer or by the admin: either way the escalation step is over.
        step_end(procedure=PROCEDURE, step="escalation", subject=problem, actor=actor, at=now)
    problem.state, problem.resolution = State.RESOLVED, resolution
    problem.resolved_at, problem.resolved_by = now, actor
    problem.save()
    # The support view closes with the case.
    problem.consents.filter(revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now, revoked_by=actor
    )


def notify_reporter(problem: UploadProblem, what: str, body: str) -> None:
    """E-mail whoever reported the case (else the company), once the transaction commits."""
    email = problem.reported_by.email or problem.company.email
    send_mail_on_commit(
        to=[email],
        subject=_("Upload problem #%(pk)s: %(what)s") % {"pk": problem.pk, "what": what},
        body=body,
    )
