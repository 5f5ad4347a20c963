"""Escalations to LKPP (R-3.5): a record of the problem LPSE cannot solve, with its diagnosis
and attachments that carry no secret, exported as a package for e-mail, sent, answered and
closed. An escalation of an upload problem closes that case with LKPP's answer (R-3.4); one of a
bid file that cannot be opened carries the sealed envelope only (R-3.1).
"""

from __future__ import annotations

import hashlib
import re

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import is_escalatable, unopenable_case
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.credentials import find_credentials, refuse_credentials
from lpse.core.errors import DomainError
from lpse.core.standard_times import step_end
from lpse.core.storage import open_blob, store_bytes
from lpse.problems import package as packaging
from lpse.problems.models import (
    Escalation,
    EscalationAttachment,
)
from lpse.problems.services.cases import (
    PROCEDURE,
    State,
    locked_problem,
    notify_reporter,
    required_text,
    resolve_locked,
)

# An escalation goes to LKPP by e-mail: keep each attachment well under the usual mail limits.
ATTACHMENT_MAX_MB = 20


def _locked_escalation(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))  # nullable joins: lock this row only
        .select_related("upload_problem", "unopenable_case")
        .get(pk=escalation.pk)
    )


def escalation_create(*, actor, subject: str, problem: str, diagnosis: str) -> Escalation:
    """An application problem LPSE cannot solve, or that the application does not cover."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    subject = required_text(subject, "subject", _("Give the escalation a subject."))
    problem = required_text(problem, "problem", _("Describe the problem."))
    diagnosis = required_text(diagnosis, "diagnosis", _("Say what LPSE found."))
    with transaction.atomic():
        escalation = Escalation.objects.create(
            source=Escalation.Source.OTHER,
            subject=subject[:200],
            problem=problem,
            diagnosis=diagnosis,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit.record(actor=actor, action="escalation.create", obj=escalation)
    return escalation


def escalation_from_unopenable(*, actor, case) -> Escalation:
    """An escalation record for a bid file the LPSE admin could not open (R-3.1): its
    diagnosis, and the sealed envelope itself (ciphertext: no key travels with it)."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    with transaction.atomic():
        # Re-read under a lock: the state the admin's page showed may have moved on.
        case = unopenable_case(case.pk, lock=True)
        if case is None or not is_escalatable(case):
            raise DomainError(
                _("Only a bid file the LPSE admin tried and could not open goes to LKPP.")
            )
        if Escalation.objects.filter(unopenable_case=case).exists():
            raise DomainError(_("This bid file already has an escalation record."))
        bid = case.opened_bid.bid
        now = timezone.now()
        escalation = Escalation.objects.create(
            source=Escalation.Source.UNOPENABLE_BID,
            unopenable_case=case,
            subject=f"Berkas penawaran tidak dapat dibuka: {bid.tender.code}"[:200],
            problem=(
                f"Pokja tidak dapat membuka berkas penawaran {bid.company.name} "
                f"pada tender {bid.tender.code}. {case.request_note}"
            ).strip(),
            diagnosis=f"{case.opened_bid.problem_message}\n{case.attempt_result}".strip(),
            created_by=actor,
            created_at=now,
        )
        EscalationAttachment.objects.create(
            escalation=escalation,
            blob=bid.envelope,
            filename=f"sampul-penawaran-{bid.pk}.age",
            description="Sampul penawaran terenkripsi (age), tanpa kunci",
            added_by=actor,
            added_at=now,
        )
        audit.record(
            actor=actor,
            action="escalation.create",
            obj=escalation,
            data={"unopenable_case": case.pk},
        )
    return escalation


_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def _clean_filename(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("-", base).strip(".-")[:150]
    return cleaned or "lampiran"


def escalation_attach(
    *, actor, escalation: Escalation, upload: UploadedFile, description: str = ""
) -> EscalationAttachment:
    """A file that shows the problem (a screenshot, a log). Refused when it holds a key or a
    password: an escalation carries the diagnosis, never credentials."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    if upload is None:
        raise DomainError(_("Choose a file to attach."), field="file")
    if (upload.size or 0) > ATTACHMENT_MAX_MB * 1024 * 1024:
        raise DomainError(
            _("The file is larger than the %(mb)d MB allowed here.") % {"mb": ATTACHMENT_MAX_MB},
            field="file",
        )
    data = b"".join(upload.chunks())
    found = find_credentials(data)
    if found:
        raise DomainError(
            _("This file contains %(what)s and cannot go to LKPP. Remove it and attach again.")
            % {"what": ", ".join(found)},
            field="file",
        )
    description = (description or "").strip()[:300]
    if description:
        refuse_credentials(description, "description")
    filename = _clean_filename(upload.name or "")
    with transaction.atomic():
        escalation = _locked_escalation(escalation)
        if escalation.state != Escalation.State.DRAFT:
            raise DomainError(_("Files are attached before the escalation is sent."))
        if escalation.attachments.filter(filename=filename).exists():
            raise DomainError(
                _("A file named %(name)s is already attached.") % {"name": filename},
                field="file",
            )
        blob = store_bytes(data)
        attachment = EscalationAttachment.objects.create(
            escalation=escalation,
            blob=blob,
            filename=filename,
            description=description,
            added_by=actor,
            added_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="escalation.attach",
            obj=escalation,
            data={"file": filename, "sha256": blob.sha256},
        )
    return attachment


def escalation_detach(*, actor, attachment: EscalationAttachment) -> None:
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    with transaction.atomic():
        escalation = _locked_escalation(attachment.escalation)
        if escalation.state != Escalation.State.DRAFT:
            raise DomainError(_("A sent escalation keeps its files."))
        audit.record(
            actor=actor,
            action="escalation.detach",
            obj=escalation,
            data={"file": attachment.filename, "sha256": attachment.blob_id},
        )
        attachment.delete()


def escalation_send(*, actor, escalation: Escalation) -> Escalation:
    """The package is sent to LKPP: it is kept as it is now, so what LKPP received can be
    shown byte for byte later."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    with transaction.atomic():
        escalation = _locked_escalation(escalation)
        if escalation.state != Escalation.State.DRAFT:
            raise DomainError(_("This escalation has already been sent."))
        escalation.state = Escalation.State.SENT
        escalation.sent_at, escalation.sent_by = timezone.now(), actor
        escalation.package = store_bytes(packaging.build(escalation))
        escalation.save()
        audit.record(
            actor=actor,
            action="escalation.send",
            obj=escalation,
            data={"package_sha256": escalation.package.sha256},
        )
    return escalation


def escalation_package(*, actor, escalation: Escalation) -> bytes:
    """The ZIP for e-mail: the kept package once sent, a fresh draft before."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    if escalation.package is not None:
        with open_blob(escalation.package) as f:
            data = f.read()
    else:
        data = packaging.build(escalation)
    audit.record(
        actor=actor,
        action="escalation.export",
        obj=escalation,
        data={"sha256": hashlib.sha256(data).hexdigest(), "as_sent": bool(escalation.package_id)},
    )
    return data


def escalation_answer(*, actor, escalation: Escalation, answer: str) -> Escalation:
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    answer = required_text(answer, "answer", _("Record LKPP's answer."))
    with transaction.atomic():
        escalation = _locked_escalation(escalation)
        if escalation.state != Escalation.State.SENT:
            raise DomainError(_("LKPP's answer is recorded after the escalation is sent."))
        escalation.state = Escalation.State.ANSWERED
        escalation.answer, escalation.answered_at = answer, timezone.now()
        escalation.answered_by = actor
        escalation.save()
        if escalation.upload_problem is not None:
            step_end(
                procedure=PROCEDURE,
                step="escalation",
                subject=escalation.upload_problem,
                actor=actor,
                at=escalation.answered_at,
            )
        audit.record(actor=actor, action="escalation.answer", obj=escalation)
    return escalation


def escalation_close(*, actor, escalation: Escalation) -> Escalation:
    """Closed with LKPP's answer; an escalated upload problem is resolved with it."""
    require_capability(actor, Cap.ESCALATE_TO_LKPP)
    with transaction.atomic():
        escalation = _locked_escalation(escalation)
        if escalation.state != Escalation.State.ANSWERED:
            raise DomainError(_("An escalation is closed once LKPP's answer is recorded."))
        escalation.state = Escalation.State.CLOSED
        escalation.closed_at, escalation.closed_by = timezone.now(), actor
        escalation.save()
        audit.record(actor=actor, action="escalation.close", obj=escalation)
        if escalation.upload_problem is not None:
            problem = locked_problem(escalation.upload_problem)
            if problem.state == State.ESCALATED:
                resolve_locked(problem, actor, escalation.answer)
                audit.record(actor=actor, action="upload_problem.resolve", obj=problem)
                notify_reporter(problem, _("LKPP answered"), escalation.answer)
    return escalation
