"""Bid files that cannot be opened (R-3.1, annex 3.1) and their standard times (R-3.6).

(1) the committee sends a request, with the file, to the head of LPSE; (2) the LPSE admin tries
to open it (5–15 minutes); (3) if it still cannot be opened it is sent to LKPP (1–5 minutes).
LPSE acts as witness and records a *berita acara kesaksian*. The escalation package carries the
diagnosis, hashes and times — never a key or a password.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.models import OpenedBid, UnopenableCase
from lpse.bids.services.opening import diagnose
from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.pdf import PdfForm, render_form
from lpse.core.standard_times import Procedure, step_end, step_start, timing_verdict
from lpse.core.storage import store_bytes
from lpse.tenders.selectors.access import require_opener

# The annex 3.1 steps of lpse.core.standard_times.CATALOGUE: the admin's attempt runs from the
# committee's request to the attempt, the escalation from the attempt to sending it to LKPP.
PROCEDURE = Procedure.UNOPENABLE_FILE
ADMIN_ATTEMPT = "admin_attempt"
ESCALATION = "escalation"


def _locked(case: UnopenableCase) -> UnopenableCase:
    """The case re-read under a row lock: two admins (or a double click) act one after the
    other, and the second sees what the first did."""
    return (
        UnopenableCase.objects.select_for_update()
        .select_related(
            "opened_bid__bid__tender__package",
            "opened_bid__bid__company",
            "opened_bid__bid__envelope",
            "requested_by",
        )
        .get(pk=case.pk)
    )


def case_request(*, actor, opened_bid: OpenedBid, note: str = "") -> UnopenableCase:
    require_opener(actor, opened_bid.bid.tender)
    if not opened_bid.problem:
        raise DomainError(_("This bid was opened: there is nothing to report."))
    with transaction.atomic():
        # Lock the opened bid: a double click cannot report it twice.
        OpenedBid.objects.select_for_update().get(pk=opened_bid.pk)
        if UnopenableCase.objects.filter(opened_bid=opened_bid).exists():
            raise DomainError(_("This file has already been reported to the head of LPSE."))
        case = UnopenableCase.objects.create(
            opened_bid=opened_bid,
            requested_by=actor,
            requested_at=timezone.now(),
            request_note=note.strip(),
        )
        step_start(procedure=PROCEDURE, step=ADMIN_ATTEMPT, subject=case, at=case.requested_at)
        audit.record(
            actor=actor,
            action="unopenable.request",
            obj=case,
            data={"bid": opened_bid.bid_id, "problem": opened_bid.problem},
        )
    return case


def case_attempt(*, actor, case: UnopenableCase, resolved: bool, result: str) -> UnopenableCase:
    """The LPSE admin re-checks the stored file against its receipt and tries to open it."""
    require_capability(actor, Cap.HANDLE_UNOPENABLE)
    found = diagnose(case.opened_bid.bid)
    finding = found[1] if found else _("the stored file is intact and matches its receipt")
    with transaction.atomic():
        case = _locked(case)
        if case.state != UnopenableCase.State.REQUESTED:
            raise DomainError(_("The admin's attempt is already recorded."))
        case.attempted_by, case.attempted_at = actor, timezone.now()
        case.attempt_result = f"{finding}. {result.strip()}".strip()
        case.state = UnopenableCase.State.RESOLVED if resolved else UnopenableCase.State.ATTEMPTED
        # The step is timed first: a resolved case's witness report states its time.
        step_end(
            procedure=PROCEDURE, step=ADMIN_ATTEMPT, subject=case, actor=actor, at=case.attempted_at
        )
        if resolved:
            case.closed_at = case.attempted_at
            case.witness_report = store_bytes(witness_report_pdf(case))
        else:
            step_start(procedure=PROCEDURE, step=ESCALATION, subject=case, at=case.attempted_at)
        case.save()
        audit.record(
            actor=actor,
            action="unopenable.attempt",
            obj=case,
            data={"resolved": resolved, "finding": finding},
        )
    return case


def escalation_package(case: UnopenableCase) -> dict:
    bid = case.opened_bid.bid
    return {
        "tender": bid.tender.code,
        "bid": bid.pk,
        "provider_npwp": bid.company.npwp,
        "envelope": {
            "sha256": bid.envelope.sha256,
            "md5": bid.envelope.md5,
            "size": bid.envelope.size,
        },
        "received_at": bid.submitted_at.isoformat(),
        "diagnosis": {"code": case.opened_bid.problem, "text": case.opened_bid.problem_message},
        "lpse_attempt": {
            "at": case.attempted_at.isoformat() if case.attempted_at else None,
            "result": case.attempt_result,
        },
        "requested_at": case.requested_at.isoformat(),
        "note": "The envelope file is attached separately; no key or password is included.",
    }


def case_escalate(*, actor, case: UnopenableCase) -> UnopenableCase:
    require_capability(actor, Cap.HANDLE_UNOPENABLE)
    with transaction.atomic():
        case = _locked(case)
        if case.state != UnopenableCase.State.ATTEMPTED:
            raise DomainError(_("Escalate after the LPSE admin's attempt has been recorded."))
        case.escalated_at = timezone.now()
        case.escalation_package = escalation_package(case)
        case.state = UnopenableCase.State.ESCALATED
        case.save()
        step_end(
            procedure=PROCEDURE, step=ESCALATION, subject=case, actor=actor, at=case.escalated_at
        )
        audit.record(
            actor=actor,
            action="unopenable.escalate",
            obj=case,
            data={"package_sha256": case.opened_bid.bid.envelope.sha256},
        )
    return case


def case_close(*, actor, case: UnopenableCase, lkpp_answer: str) -> UnopenableCase:
    require_capability(actor, Cap.HANDLE_UNOPENABLE)
    if not lkpp_answer.strip():
        raise DomainError(_("Record LKPP's answer."), field="lkpp_answer")
    with transaction.atomic():
        case = _locked(case)
        if case.state != UnopenableCase.State.ESCALATED:
            raise DomainError(_("Only an escalated case is closed with LKPP's answer."))
        case.lkpp_answer, case.closed_at = lkpp_answer.strip(), timezone.now()
        case.state = UnopenableCase.State.CLOSED
        case.witness_report = store_bytes(witness_report_pdf(case))
        case.save()
        audit.record(
            actor=actor,
            action="unopenable.close",
            obj=case,
            data={"witness_report": case.witness_report.sha256},
        )
    return case


def timings(case: UnopenableCase) -> list[tuple[str, str]]:
    """Each step with its time against the standard (R-3.6), read from the StepTimings the
    services above write, so this page and the compliance report say the same."""
    rows = [
        (
            _("LPSE admin's attempt"),
            timing_verdict(procedure=PROCEDURE, step=ADMIN_ATTEMPT, subject=case),
        )
    ]
    if case.state != UnopenableCase.State.RESOLVED:
        rows.append(
            (
                _("Escalation to LKPP"),
                timing_verdict(procedure=PROCEDURE, step=ESCALATION, subject=case),
            )
        )
    return rows


def witness_report_pdf(case: UnopenableCase) -> bytes:
    """Berita acara kesaksian (Pasal 9.2)."""
    bid = case.opened_bid.bid
    rows = [
        ("Kode tender", bid.tender.code),
        ("Nama paket", bid.tender.package.name),
        ("Penyedia", f"{bid.company.name} (NPWP {bid.company.npwp_display})"),
        (
            "Sampul menurut tanda terima",
            f"{bid.receipt.get('size', '-')} bita, SHA-256 {bid.receipt.get('sha256', '-')}",
        ),
        ("Sampul tersimpan", f"{bid.envelope.size} bita, SHA-256 {bid.envelope.sha256}"),
        ("Diagnosis", case.opened_bid.problem_message),
        (
            "Permintaan Pokja",
            f"{wita_text(case.requested_at, seconds=True)} oleh {case.requested_by.username}",
        ),
        (
            "Percobaan admin LPSE",
            f"{wita_text(case.attempted_at, seconds=True)}: {case.attempt_result}",
        ),
        ("Eskalasi ke LKPP", wita_text(case.escalated_at, seconds=True)),
        ("Jawaban LKPP", case.lkpp_answer or "-"),
        ("Selesai", wita_text(case.closed_at, seconds=True)),
    ]
    rows += [(f"Mutu baku: {step}", verdict) for step, verdict in timings(case)]
    return render_form(
        PdfForm(
            title="Berita Acara Kesaksian",
            subtitle="Dokumen penawaran yang tidak dapat dibuka",
            rows=rows,
            paragraphs=[
                "LPSE bertindak sebagai saksi atas penanganan dokumen penawaran yang tidak "
                "dapat dibuka oleh Pokja, sesuai SOP LPSE (Pasal 9 ayat 2). Paket eskalasi ke "
                "LKPP memuat diagnosis, sidik jari dan waktu, tanpa kunci atau kata sandi."
            ],
            signature_label="Kepala LPSE",
        )
    )
