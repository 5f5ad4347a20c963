"""The knowledge base of approved answers (R-2.1; annex 2.1, *Peringatan* 2: the helpdesk must
make no statement contrary to LPSE policy).

The helpdesk drafts an article; a head of LPSE or of information services (APPROVE_KNOWLEDGE)
approves it, and only then is it offered when answering and shown on the public FAQ. Changing the
text of an approved article as anyone but an approver sends it back for approval.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.capabilities import Cap, has_capability, require_capability
from lpse.core.errors import DomainError
from lpse.servicedesk.models import Category, KnowledgeArticle


def may_edit(user) -> bool:
    return has_capability(user, Cap.HANDLE_TICKETS) or has_capability(user, Cap.APPROVE_KNOWLEDGE)


def _require_editor(actor) -> None:
    if not may_edit(actor):
        require_capability(actor, Cap.HANDLE_TICKETS)  # raises, naming the capability


def _clean(question: str, answer: str, category: str) -> tuple[str, str, str]:
    question, answer = question.strip(), answer.strip()
    if not question:
        raise DomainError(_("Write the question the article answers."), field="question")
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    if category not in Category.values:
        raise DomainError(_("Choose a category."), field="category")
    return question, answer, category


def article_create(*, actor, question: str, answer: str, category: str) -> KnowledgeArticle:
    _require_editor(actor)
    question, answer, category = _clean(question, answer, category)
    now = timezone.now()
    with transaction.atomic():
        article = KnowledgeArticle.objects.create(
            question=question,
            answer=answer,
            category=category,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        audit.record(actor=actor, action="knowledge.create", obj=article)
    return article


def article_update(
    *, actor, article: KnowledgeArticle, question: str, answer: str, category: str
) -> KnowledgeArticle:
    _require_editor(actor)
    question, answer, category = _clean(question, answer, category)
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        if article.state == KnowledgeArticle.State.RETIRED:
            raise DomainError(_("A retired article is not changed; write a new one."))
        changed = (article.question, article.answer) != (question, answer)
        article.question, article.answer, article.category = question, answer, category
        article.updated_at = timezone.now()
        back_to_draft = (
            changed
            and article.state == KnowledgeArticle.State.APPROVED
            and not has_capability(actor, Cap.APPROVE_KNOWLEDGE)
        )
        if back_to_draft:
            article.state = KnowledgeArticle.State.DRAFT
            article.approved_by, article.approved_at = None, None
        article.save()
        audit.record(
            actor=actor,
            action="knowledge.update",
            obj=article,
            data={"back_to_draft": back_to_draft},
        )
    return article


def article_approve(*, actor, article: KnowledgeArticle) -> KnowledgeArticle:
    require_capability(actor, Cap.APPROVE_KNOWLEDGE)
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        if article.state != KnowledgeArticle.State.DRAFT:
            raise DomainError(_("Only a draft is approved."))
        article.state = KnowledgeArticle.State.APPROVED
        article.approved_by, article.approved_at = actor, timezone.now()
        article.save(update_fields=["state", "approved_by", "approved_at"])
        audit.record(actor=actor, action="knowledge.approve", obj=article)
    return article


def article_retire(*, actor, article: KnowledgeArticle) -> KnowledgeArticle:
    """No longer offered nor shown; tickets that used it keep naming it."""
    require_capability(actor, Cap.APPROVE_KNOWLEDGE)
    with transaction.atomic():
        article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
        if article.state == KnowledgeArticle.State.RETIRED:
            raise DomainError(_("This article is already retired."))
        article.state, article.retired_at = KnowledgeArticle.State.RETIRED, timezone.now()
        article.save(update_fields=["state", "retired_at"])
        audit.record(actor=actor, action="knowledge.retire", obj=article)
    return article
