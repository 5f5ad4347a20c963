"""Award letter (SPPBJ) and contract (R-8.4), by the package's PPK.

The award waits until the announced winner's objection window has closed and every objection
is answered (an upheld one has already set the outcome aside). The contract is recorded against
the award; its value may not exceed the winner's evaluated (corrected) offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.bids.selectors import opened_bid_of
from lpse.core import audit
from lpse.core.calendar import to_wita
from lpse.core.documents import issued_with_proof
from lpse.core.errors import DomainError
from lpse.core.storage import store_bytes
from lpse.core.tasks import send_mail_on_commit
from lpse.evaluation.models import AwardLetter, Contract, TenderOutcome
from lpse.evaluation.reports import award_letter_pdf
from lpse.evaluation.selectors import award_of, current_outcome
from lpse.evaluation.services.objections import unanswered
from lpse.evaluation.services.verdicts import evaluation_of, locks_tender
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import require_package_owner
from lpse.tenders.services.notifications import tender_url


def winner_price(outcome: TenderOutcome) -> Decimal:
    assert outcome.winner is not None  # called for a determined winner only
    opened = opened_bid_of(outcome.winner).get()
    return evaluation_of(opened).evaluated_price


def award_blockers(outcome: TenderOutcome | None, now) -> list[str]:
    """Why the award letter cannot be issued yet, in words; empty when it can."""
    if outcome is None or outcome.state != TenderOutcome.State.WINNER_DETERMINED:
        return [_("No winner is determined.")]
    if outcome.announced_at is None:
        return [_("The winner is not announced yet.")]
    assert outcome.objections_close_at is not None  # set with the announcement
    problems = []
    if now < outcome.objections_close_at:
        problems.append(
            _("The objection period runs until %(at)s.")
            % {"at": sched.wita(outcome.objections_close_at)}
        )
    waiting = unanswered(outcome)
    if waiting:
        problems.append(
            _("%(n)d objection(s) still wait for the committee's answer.") % {"n": len(waiting)}
        )
    return problems


@locks_tender(lambda k: k["tender"])
def award_issue(*, actor, tender, number: str) -> AwardLetter:
    require_package_owner(actor, tender.package)
    number = number.strip()
    if not number:
        raise DomainError(_("Give the letter's number."), field="number")
    now = timezone.now()
    with transaction.atomic():
        outcome = current_outcome(tender)
        if outcome is not None:
            outcome = TenderOutcome.objects.select_for_update().get(pk=outcome.pk)
        problems = award_blockers(outcome, now)
        if problems or outcome is None or outcome.winner is None:
            raise DomainError(" ".join(str(p) for p in problems))
        if award_of(outcome) is not None:
            raise DomainError(_("The award letter is already issued."))
        value = winner_price(outcome)
        letter = award_letter_pdf(outcome=outcome, number=number, value=value, ppk=actor, at=now)
        document = store_bytes(letter)
        award = AwardLetter.objects.create(
            outcome=outcome,
            number=number,
            value=value,
            issued_by=actor,
            issued_at=now,
            document=document,
        )
        event = audit.record(
            actor=actor,
            action="award.issue",
            obj=award,
            data={
                "tender": tender.code,
                "winner": outcome.winner_id,
                "number": number,
                "value": str(value),
                "sha256": document.sha256,
                "md5": document.md5,
            },
        )
        # What the PPK and the winner download: the letter the event recorded, followed by
        # that event's log proof; the letter alone stays stored under its own hash.
        award.document = store_bytes(issued_with_proof(letter, event, recorded_as="sha256"))
        award.save(update_fields=["document"])
        send_mail_on_commit(
            to=[outcome.winner.company.email],
            subject=_("Tender %(code)s: award letter (SPPBJ)") % {"code": tender.code},
            body=render_to_string(
                "evaluation/email/award.txt",
                {"tender": tender, "award": award, "url": tender_url(tender)},
            ),
        )
    return award


@dataclass(frozen=True)
class ContractData:
    number: str
    value: Decimal
    signed_on: date
    starts_on: date
    ends_on: date
    ppk_signatory: str
    provider_signatory: str


@locks_tender(lambda k: k["tender"])
def contract_record(*, actor, tender, data: ContractData) -> Contract:
    require_package_owner(actor, tender.package)
    with transaction.atomic():
        award = award_of(current_outcome(tender))
        if award is None:
            raise DomainError(_("Issue the award letter (SPPBJ) first."))
        award = AwardLetter.objects.select_for_update().get(pk=award.pk)
        if Contract.objects.filter(award=award).exists():
            raise DomainError(_("The contract is already recorded."))
        _check_contract(data, award)
        contract = Contract.objects.create(
            award=award,
            number=data.number.strip(),
            value=data.value,
            signed_on=data.signed_on,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            ppk_signatory=data.ppk_signatory.strip(),
            provider_signatory=data.provider_signatory.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor=actor,
            action="contract.record",
            obj=contract,
            data={
                "tender": tender.code,
                "number": contract.number,
                "value": str(contract.value),
                "signed_on": data.signed_on.isoformat(),
                "starts_on": data.starts_on.isoformat(),
                "ends_on": data.ends_on.isoformat(),
                "signatories": [contract.ppk_signatory, contract.provider_signatory],
            },
        )
    return contract


def _check_contract(data: ContractData, award: AwardLetter) -> None:
    for field, value in (
        ("number", data.number),
        ("ppk_signatory", data.ppk_signatory),
        ("provider_signatory", data.provider_signatory),
    ):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if data.value is None or data.value <= 0:
        raise DomainError(_("The contract value must be positive."), field="value")
    if data.value > award.value:
        raise DomainError(
            _(
                "The contract value (Rp %(value)s) is above the winner's evaluated offer "
                "(Rp %(offer)s): it may not exceed it."
            )
            % {"value": f"{data.value:,.2f}", "offer": f"{award.value:,.2f}"},
            field="value",
        )
    issued_on = to_wita(award.issued_at).date()
    if data.signed_on < issued_on:
        raise DomainError(
            _("The contract is signed after the award letter (%(day)s).")
            % {"day": issued_on.strftime("%d-%m-%Y")},
            field="signed_on",
        )
    if data.ends_on < data.starts_on:
        raise DomainError(_("The work ends after it starts."), field="ends_on")
