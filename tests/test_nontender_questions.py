"""Questions and answers of a non-tender procurement (R-8.6 with R-8.3, issue 20): the tenders
app's Q&A on the backing tender. The invited providers ask while the question window is open
(from the invitation until the offers close), the procurement officer answers, every invited
provider sees the answer; nobody else asks, sees or answers."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.core.errors import DomainError
from lpse.core.models import SentEmail
from lpse.nontender.services.invitations import invitation_add
from lpse.nontender.services.schedule import schedule_publish
from lpse.tenders.models import Question
from lpse.tenders.services import participation
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING
from tests.evaluation_fixtures import provider
from tests.nontender_fixtures import (  # noqa: F401
    OFFER_SCHEDULE,
    hand_over,
    officer,
    sign_offer_pact,
    small_package,
)
from tests.tender_fixtures import PREPARED_AT, agency_a, verified_provider  # noqa: F401

pytestmark = pytest.mark.django_db

QUESTION = "Apakah atap seng boleh diganti galvalum?"
ANSWER = "Boleh, dengan ketebalan minimal 0,4 mm."


@pytest.fixture
def published(agency_a, officer, verified_provider):
    """A direct procurement with two invited providers and its schedule published."""
    other = provider("CV Kedua Maros", "022222222222000")
    with time_machine.travel(PREPARED_AT, tick=False):
        procurement = hand_over(agency_a, officer)
        invitations = [
            invitation_add(actor=officer, procurement=procurement, company=company)
            for company in (verified_provider.company, other.company)
        ]
        procurement = schedule_publish(actor=officer, procurement=procurement, **OFFER_SCHEDULE)
        for invitation in invitations:  # signing the pact makes an invited provider a participant
            sign_offer_pact(invitation)
    procurement.other_provider = other
    return procurement


def _ask(client, user, procurement, text=QUESTION):
    client.force_login(user)
    return client.post(reverse("nontender:ask", args=[procurement.pk]), {"text": text}, follow=True)


def test_R_8_6_an_invited_provider_asks_the_officer_answers_and_every_invited_provider_sees_it(
    published, officer, verified_provider, client
):
    with time_machine.travel(DURING_BIDDING, tick=False):
        response = _ask(client, verified_provider, published)
        assert "Your question was sent to the procurement officer." in response.content.decode()
        [question] = Question.objects.filter(tender=published.tender)
        assert question.text == QUESTION and question.answer == ""

        client.force_login(officer)
        page = client.get(reverse("nontender:detail", args=[published.pk])).content.decode()
        assert QUESTION in page
        response = client.post(
            reverse("nontender:answer", args=[published.pk, question.pk]),
            {"answer": ANSWER},
            follow=True,
        )
        assert "Answer published to all invited providers." in response.content.decode()
        question.refresh_from_db()
        assert question.answer == ANSWER and question.answered_by == officer

        # The other invited provider sees the question and its answer, not who asked.
        client.force_login(published.other_provider)
        page = client.get(reverse("nontender:my_invitations")).content.decode()
        assert QUESTION in page and ANSWER in page
        assert verified_provider.company.name not in page

    # Both invited providers are told, with a link to where they follow the procurement (the
    # backing tender has no public page).
    mails = SentEmail.objects.filter(subject__contains="a question was answered")
    assert {mail.to for mail in mails} == {  # one message per address
        verified_provider.company.email,
        published.other_provider.company.email,
    }
    for mail in mails:
        assert mail.subject.startswith(f"Procurement {published.code}")
        assert "The procurement officer answered" in mail.body and ANSWER in mail.body
        assert "http://testserver" + reverse("nontender:my_invitations") in mail.body
        assert f"/tender/{published.code}/" not in mail.body


def test_R_8_6_a_provider_not_invited_can_neither_ask_nor_see_the_questions(
    published, verified_provider, client
):
    outsider = provider("CV Tidak Diundang", "033333333333000")
    with time_machine.travel(DURING_BIDDING, tick=False):
        participation.question_ask(actor=verified_provider, tender=published.tender, text=QUESTION)
        assert _ask(client, outsider, published, "Boleh ikut?").status_code == 404
        # Nor through the tender page's own question form on the backing tender's code.
        response = client.post(
            reverse("tenders:ask", args=[published.tender.code]), {"text": "Boleh ikut?"}
        )
        assert response.status_code == 404
        # Nor by calling the service: the invitation is the registration.
        with pytest.raises(DomainError, match="Register for the tender"):
            participation.question_ask(actor=outsider, tender=published.tender, text="Boleh?")
        page = client.get(reverse("nontender:my_invitations")).content.decode()
        assert QUESTION not in page
    assert list(Question.objects.values_list("text", flat=True)) == [QUESTION]


def test_R_8_6_questions_outside_the_window_are_refused_with_a_clear_message(
    agency_a, officer, verified_provider, published, client
):
    with time_machine.travel(AT_OPENING, tick=False):  # the offers closed: so did the window
        response = _ask(client, verified_provider, published)
        assert "Questions are taken during the clarification stage" in response.content.decode()
        # The page offers no form once the window closed.
        assert reverse("nontender:ask", args=[published.pk]) not in response.content.decode()
    # Invited, but the schedule (and with it the window) is not published yet.
    with time_machine.travel(PREPARED_AT, tick=False):
        waiting = hand_over(agency_a, officer)
        invitation_add(actor=officer, procurement=waiting, company=verified_provider.company)
        response = _ask(client, verified_provider, waiting)
    assert "The schedule is not published yet: no question is taken." in response.content.decode()
    assert not Question.objects.exists()


def test_R_8_6_only_the_procurement_officer_answers_and_not_after_the_offers_close(
    published, officer, verified_provider, agency_a, make_user, client
):
    with time_machine.travel(DURING_BIDDING, tick=False):
        question = participation.question_ask(
            actor=verified_provider, tender=published.tender, text=QUESTION
        )
        # Another officer of the same agency: not theirs (the page does not exist for them, the
        # service refuses).
        stranger = make_user(Role.PROCUREMENT_OFFICER, username="pejabat-lain")
        client.force_login(stranger)
        url = reverse("nontender:answer", args=[published.pk, question.pk])
        assert client.post(url, {"answer": "Tidak."}).status_code == 404
        with pytest.raises(DomainError, match="procurement officer of this procurement"):
            participation.question_answer(actor=stranger, question=question, answer="Tidak.")
        # The agency's committee answers its tenders' questions, not an officer's procurement.
        with pytest.raises(DomainError):
            participation.question_answer(
                actor=agency_a.members[0], question=question, answer="Tidak."
            )
    # A question of another procurement is not answered through this one's page: a 404, even
    # from the officer of both.
    with time_machine.travel(PREPARED_AT, tick=False):
        other = hand_over(agency_a, officer, package=small_package(agency_a, name="Pagar SD"))
        invitation_add(actor=officer, procurement=other, company=verified_provider.company)
        schedule_publish(actor=officer, procurement=other, **OFFER_SCHEDULE)
    with time_machine.travel(DURING_BIDDING, tick=False):
        client.force_login(officer)
        wrong = reverse("nontender:answer", args=[other.pk, question.pk])
        assert client.post(wrong, {"answer": "Tidak."}).status_code == 404
    with time_machine.travel(AT_OPENING, tick=False):
        client.force_login(officer)  # a week on: signed in again
        response = client.post(url, {"answer": ANSWER}, follow=True)
        assert "questions can no longer be answered" in response.content.decode()
    question.refresh_from_db()
    assert question.answer == "" and question.answered_by is None


def test_issue20_a_procurement_published_before_the_question_window_gets_one(
    published, verified_provider
):
    """The data migration (nontender 0002) gives a backing tender made before the window its
    clarification stage: from its announcement until the offers close."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("lpse.nontender.migrations.0002_backing_question_window")
    entries = published.tender.schedule
    entries.filter(stage="clarification").delete()
    with time_machine.travel(DURING_BIDDING, tick=False):
        with pytest.raises(DomainError, match="This procurement takes no questions"):
            participation.question_ask(
                actor=verified_provider, tender=published.tender, text=QUESTION
            )
        migration.add_question_window(apps, None)
        migration.add_question_window(apps, None)  # run twice: still one stage
        announcement = entries.get(stage="announcement")
        clarification = entries.get(stage="clarification")
        assert (clarification.start, clarification.end) == (announcement.start, announcement.end)
        participation.question_ask(actor=verified_provider, tender=published.tender, text=QUESTION)
    assert Question.objects.count() == 1
