"""Issue 6, must show 1, in Chromium: a provider asks the helpdesk online, the helpdesk answers
with an approved knowledge-base article, the answer arrives by e-mail at a real SMTP server, and
the provider reads it under "My helpdesk tickets" and rates it (R-2.1)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.servicedesk.models import Category, Ticket
from lpse.servicedesk.services import knowledge
from tests.conftest import PASSWORD, link_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Unggahan penawaran kami berhenti di tengah jalan. Apa yang harus kami lakukan?"
APPROVED_ANSWER = (
    "Unggahan dapat dilanjutkan: buka kembali halaman penawaran dengan peramban yang sama dan "
    "pilih berkas yang sama; bagian yang sudah terkirim tidak dikirim ulang."
)


def test_a_provider_asks_online_the_helpdesk_answers_from_the_knowledge_base_and_it_is_rated(
    new_page, smtp_server, make_user
):
    provider_account = make_user(Role.PROVIDER)
    helpdesk_account = make_user(Role.HELPDESK)
    head = make_user(Role.LPSE_HEAD)
    article = knowledge.article_create(
        actor=helpdesk_account,
        question="Unggahan penawaran terputus",
        answer=APPROVED_ANSWER,
        category=Category.UPLOAD_PROBLEM,
    )
    knowledge.article_approve(actor=head, article=article)
    provider, helpdesk = new_page(), new_page()

    number = ask_online(provider, provider_account.username)
    answer_with_the_article(helpdesk, helpdesk_account.username, number)

    mail = smtp_server.wait_for(provider_account.email, number)
    body = smtp_server.body(mail)
    assert APPROVED_ANSWER in body
    link = link_in(body, f"/layanan/tiket-saya/{number}/")

    provider.goto("/akun/")
    provider.get_by_role("link", name="My helpdesk tickets").click()
    expect(provider.locator("#my-tickets")).to_contain_text("Answered")
    provider.get_by_role("link", name=number).click()
    assert provider.url == link
    expect(provider.locator(".card.answer")).to_contain_text(APPROVED_ANSWER)
    expect(provider.get_by_text("Internal notes")).to_have_count(0)

    rate = provider.locator("#rate-form")
    rate.get_by_label("5 — very helpful").check()
    rate.get_by_label("Comment (optional)").fill("Berhasil, terima kasih.")
    rate.get_by_role("button", name="Send my rating").click()
    expect(provider.get_by_text("Thank you for rating the answer.")).to_be_visible()
    expect(provider.locator("#rating")).to_contain_text("5 of 5")
    expect(provider.locator("#ticket-state")).to_have_text("Closed")
    expect(provider.locator("#rate-form")).to_have_count(0)  # once only

    ticket = Ticket.objects.get(number=number)
    assert (ticket.rating, ticket.article_id, ticket.requester_id) == (
        5,
        article.pk,
        provider_account.pk,
    )

    helpdesk.reload()
    expect(helpdesk.locator("#ticket-rating")).to_contain_text("5/5")


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def ask_online(page: Page, username: str) -> str:
    """The provider finds the helpdesk from its account page and sends a question."""
    sign_in(page, username)
    page.get_by_role("link", name="Ask the helpdesk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the helpdesk")
    page.get_by_label("What is it about?").select_option("upload_problem")
    page.get_by_label("Subject").fill("Unggahan terputus")
    page.get_by_label("Your question or complaint").fill(QUESTION)
    page.get_by_role("button", name="Send my request").click()
    status = page.get_by_text(re.compile(r"Your request is recorded as HD-\d{4}-\d{5}"))
    expect(status).to_be_visible()
    number = re.search(r"HD-\d{4}-\d{5}", status.inner_text()).group(0)
    expect(page.locator("#ticket-state")).to_have_text("New")
    return number


def answer_with_the_article(page: Page, username: str, number: str) -> None:
    """The helpdesk opens the ticket from its queue, takes the approved answer (the select fills
    the answer box) and sends it."""
    sign_in(page, username)
    page.get_by_role("link", name="Helpdesk queue").click()
    page.locator("#queue").get_by_role("link", name=number).click()
    expect(page.locator("#question")).to_contain_text(QUESTION)
    # htmx (a deferred script) wires the select when the document is complete; a choice made
    # before that would be a plain form field, filled only when the form is sent.
    page.wait_for_function("() => document.readyState === 'complete' && !!window.htmx")
    form = page.locator("#answer-form")
    form.get_by_label("Approved answer from the knowledge base").select_option(
        label="Unggahan penawaran terputus"
    )
    expect(form.get_by_label("Answer to the requester")).to_have_value(APPROVED_ANSWER)
    form.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Answer sent to the requester.")).to_be_visible()
    expect(page.locator("#ticket-state")).to_have_text("Answered")
    expect(page.locator("#article-used")).to_have_text("Unggahan penawaran terputus")
