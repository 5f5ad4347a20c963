"""Who takes part in tenders, and what participants see of them: for the apps beside tenders."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from lpse.tenders.models import Participation, Question


def companies_taking_part(agency) -> QuerySet:
    """The ids of the companies registered for at least one of the agency's tenders."""
    return Participation.objects.filter(tender__agency=agency).values("company_id")


def questions_of(tender) -> QuerySet:
    """A tender's clarification questions and their answers, as every participant sees them
    (without who asked, R-8.3)."""
    return Question.objects.filter(tender=tender).order_by("asked_at", "id")


def question_of(tender, pk: int):
    """One question of this tender, for the page that answers it: Http404 when the question
    belongs to another tender (or none)."""
    return get_object_or_404(Question, pk=pk, tender=tender)
