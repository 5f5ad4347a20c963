"""Providers in a tender (R-8.3): registration, document downloads, clarification questions."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.tenders.models import (
    DocumentDownload,
    IntegrityPact,
    Method,
    Participation,
    Question,
    Tender,
    TenderDocument,
)
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import is_committee_member, require_answerer
from lpse.tenders.services.notifications import notify_answer
from lpse.tenders.services.preparation import schedule_of


def _company_of(actor):
    require_capability(actor, Cap.PARTICIPATE)
    company = getattr(actor, "company", None)
    if company is None or company.state != "verified":
        raise DomainError(
            _(
                "Only verified providers take part in tenders. Complete your "
                "verification at LPSE first."
            ),
            code="forbidden",
        )
    return company


def _status(tender: Tender) -> sched.StageStatus:
    return sched.status_at(schedule_of(tender), timezone.now())


def registration_window(tender: Tender) -> tuple:
    """Providers register from the announcement until bid submission closes."""
    schedule = schedule_of(tender)
    return schedule["announcement"][0], schedule["bid_submission"][1]


def participation_register(*, actor, tender: Tender) -> Participation:
    company = _company_of(actor)
    if tender.state != Tender.State.PUBLISHED:
        raise DomainError(_("This tender is not open for registration."))
    if tender.method == Method.NON_TENDER:
        # A non-tender procurement's providers are invited by its officer.
        raise DomainError(
            _("Only the providers the procurement officer invited take part in this procurement."),
            code="forbidden",
        )
    opens, closes = registration_window(tender)
    now = timezone.now()
    if now < opens:
        raise DomainError(
            _("Registration opens with the announcement on %(at)s.") % {"at": sched.wita(opens)}
        )
    if now >= closes:
        raise DomainError(
            _("Registration closed with bid submission on %(at)s.") % {"at": sched.wita(closes)}
        )
    sub_field = tender.package.sub_field
    if not company.sub_fields.filter(pk=sub_field.pk).exists():
        raise DomainError(
            _(
                "This tender is for the business sub-field “%(field)s”, which your "
                "company is not registered for. Ask LPSE to update your business "
                "fields if your licence covers it."
            )
            % {"field": sub_field}
        )
    if not IntegrityPact.objects.filter(
        tender=tender, signer=actor, signer_role=IntegrityPact.SignerRole.PROVIDER
    ).exists():
        raise DomainError(_("Sign the integrity pact for this tender first."), code="pact_missing")
    existing = Participation.objects.filter(tender=tender, company=company).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                tender=tender, company=company, registered_at=now
            )
            audit.record(
                actor=actor,
                action="participation.register",
                obj=participation,
                data={"tender": tender.code, "company": company.pk},
            )
    except IntegrityError:  # a double click: the other request registered it
        return Participation.objects.get(tender=tender, company=company)
    return participation


def participation_of(actor, tender: Tender) -> Participation | None:
    company = getattr(actor, "company", None)
    if company is None:
        return None
    return Participation.objects.filter(tender=tender, company=company).first()


def document_fetch(*, actor, document: TenderDocument) -> TenderDocument:
    """Participants download during the download stage (until bids close); the committee always.
    Each participant download is recorded."""
    tender = document.tender
    if is_committee_member(actor, tender) or tender.package.ppk_id == actor.pk:
        return document
    participation = participation_of(actor, tender)
    if participation is None:
        raise DomainError(_("Register for the tender to download its documents."), code="forbidden")
    schedule = schedule_of(tender)
    now = timezone.now()
    opens, closes = schedule["document_download"][0], schedule["bid_submission"][1]
    if not (opens <= now < closes):
        raise DomainError(
            _("Documents can be downloaded from %(a)s until bids close on %(b)s.")
            % {"a": sched.wita(opens), "b": sched.wita(closes)}
        )
    with transaction.atomic():
        DocumentDownload.objects.create(document=document, participation=participation)
        audit.record(
            actor=actor,
            action="document.download",
            obj=document,
            data={"tender": tender.code, "sha256": document.blob.sha256},
        )
    return document


def question_ask(*, actor, tender: Tender, text: str) -> Question:
    participation = participation_of(actor, tender)
    if participation is None:
        raise DomainError(_("Register for the tender to ask questions."), code="forbidden")
    status = _status(tender)
    if not status.is_open("clarification"):
        window = schedule_of(tender).get("clarification")
        if window is None:  # a backing tender published before it had a question window
            raise DomainError(_("This procurement takes no questions."))
        raise DomainError(
            _("Questions are taken during the clarification stage, %(a)s to %(b)s.")
            % {"a": sched.wita(window[0]), "b": sched.wita(window[1])}
        )
    text = text.strip()
    if len(text) < 5:
        raise DomainError(_("Write your question."), field="text")
    with transaction.atomic():
        question = Question.objects.create(
            tender=tender, participation=participation, text=text, asked_at=timezone.now()
        )
        audit.record(actor=actor, action="question.ask", obj=question, data={"tender": tender.code})
    return question


def question_answer(*, actor, question: Question, answer: str) -> Question:
    """Answers are public to all participants, without naming who asked. The committee
    answers; on a non-tender procurement's backing tender, its officer (R-8.6)."""
    require_answerer(actor, question.tender)
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    schedule = schedule_of(question.tender)
    if timezone.now() >= schedule["bid_submission"][1]:
        raise DomainError(_("Bid submission has closed: questions can no longer be answered."))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        first = not question.answer
        question.answer, question.answered_by, question.answered_at = answer, actor, timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        audit.record(
            actor=actor,
            action="question.answer",
            obj=question,
            data={"tender": question.tender.code, "first": first},
        )
        notify_answer(question)
    return question
