"""Issue 15, part A: the API docs under the CSP, no inline styles, role names, the helpdesk
queue's default, and the demo's filled registration form at a guessable address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from lpse.accounts.roles import Role
from lpse.core.middleware import CSP
from lpse.demo import loader as demo_loader
from lpse.providers.models import Company
from lpse.servicedesk.models import Category, Ticket
from lpse.servicedesk.services import tickets as ticket_services
from lpse.settings import PACKAGE_DIR
from tests.test_authorization_matrix import register_company

# --- the API docs: Swagger UI from the site itself, never a CDN ---------------------------------


@pytest.mark.django_db
def test_issue15_api_docs_load_only_same_origin_assets_and_they_are_served(client):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Security-Policy"] == CSP  # the site's policy, not a looser one
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert any(a.endswith("swagger-ui.css") for a in assets), assets
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by the site"
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content), asset
    # no inline script the CSP would drop: every <script> either has a src or is JSON data
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


# --- no inline style attribute in any template (the CSP drops them) -------------------------------


def test_issue15_no_template_has_an_inline_style_attribute():
    templates = [p for p in PACKAGE_DIR.rglob("templates/**/*.html")]
    assert len(templates) > 50  # the walk found the templates
    offenders = [
        f"{p.relative_to(PACKAGE_DIR)}:{n}"
        for p in templates
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\sstyle\s*=", line)
    ]
    assert not offenders, (
        f"inline style= (blocked by the CSP; use a class in site.css): {offenders}"
    )


@pytest.mark.django_db
def test_issue15_the_mail_log_wraps_e_mails_with_a_class_not_a_style(make_user, client):
    client.force_login(make_user(Role.SYSADMIN))
    from django.core.mail import send_mail

    send_mail("Uji", "Isi surat yang panjang", None, ["a@b.test"])
    html = client.get(reverse("core:mail_log")).content.decode()
    assert '<pre class="email-body">' in html and "style=" not in html
    css = (PACKAGE_DIR / "static/lpse/site.css").read_text(encoding="utf-8")
    assert re.search(r"pre\.email-body\s*\{[^}]*white-space:\s*pre-wrap", css)


# --- role names --------------------------------------------------------------------------------


def test_issue15_role_names_go_through_gettext_and_read_as_indonesian():
    """Every role's name is a translatable string; in Indonesian none keeps the English-looking
    names the issue found ("Admin Agency", "Hardware Engineer")."""
    for role in Role:
        assert type(role.label).__name__ == "__proxy__", f"{role.value}: not through gettext"
    with translation.override("id"):
        names = {role.value: str(role.label) for role in Role}
    assert names[Role.AGENCY_ADMIN] != "Admin Agency", names[Role.AGENCY_ADMIN]
    english = [name for name in names.values() if re.search(r"\bEngineer\b", name)]
    assert not english, f"role names still in English: {english}"


# --- the helpdesk queue ------------------------------------------------------------------------


def _ticket(actor, subject: str) -> Ticket:
    return ticket_services.ticket_submit(
        actor=actor,
        request=ticket_services.Request(
            category=Category.CONSULTATION, subject=subject, question="Bagaimana caranya?"
        ),
    )


@pytest.mark.django_db
def test_issue15_the_queue_shows_open_and_recently_answered_and_counts_the_hidden(
    make_user, client
):
    provider, helpdesk = make_user(Role.PROVIDER), make_user(Role.HELPDESK)
    waiting = _ticket(provider, "Menunggu jawaban")
    answered = _ticket(provider, "Baru dijawab")
    ticket_services.ticket_answer(actor=helpdesk, ticket=answered, answer="Jawaban.")
    old = _ticket(provider, "Dijawab lama")
    ticket_services.ticket_answer(actor=helpdesk, ticket=old, answer="Jawaban lama.")
    Ticket.objects.filter(pk=old.pk).update(answered_at=timezone.now() - timedelta(days=30))
    client.force_login(helpdesk)

    html = client.get(reverse("servicedesk:queue")).content.decode()
    assert waiting.number in html and answered.number in html and old.number not in html
    assert "1 more ticket is hidden by the state filter" in html
    assert '<option value="active" selected>' in html

    html = client.get(reverse("servicedesk:queue"), {"state": ""}).content.decode()
    assert old.number in html and "hidden by the state filter" not in html

    html = client.get(reverse("servicedesk:queue"), {"state": "open"}).content.decode()
    assert waiting.number in html and answered.number not in html
    assert "2 more tickets are hidden by the state filter" in html


# --- the filled registration form: only with an unguessable key, or to its owner ------------------


@pytest.mark.django_db
def test_issue15_the_demo_s_guessable_form_address_is_no_key(reference_data, client):
    """The cause: the demo gave its provider the reference "demo-demo.provider". It now gets
    an unguessable one like a real registration; a short reference left in an older demo
    database opens the forms only for the signed-in owner."""
    demo_loader._demo_provider(None)
    company = Company.objects.get(user__username="demo.provider")
    assert len(company.forms_ref) >= 43 and "demo" not in company.forms_ref
    Company.objects.filter(pk=company.pk).update(forms_ref="demo-demo.provider")
    company.refresh_from_db()
    url = reverse("providers:registration_done", args=[company.forms_ref])
    pdf = reverse("providers:form_pdf", args=[company.forms_ref, "pendaftaran"])
    stranger = Client()
    assert stranger.get(url).status_code == 404
    assert stranger.get(pdf).status_code == 404
    assert company.npwp not in stranger.get(url).content.decode()
    # a signed-in provider of another company sees nothing either
    other = register_company(npwp="023456789012000", user_id="bintangtimur")
    stranger.force_login(other.user)
    assert stranger.get(url).status_code == 404
    client.force_login(company.user)
    page = client.get(url)
    assert page.status_code == 200 and company.name in page.content.decode()


@pytest.mark.django_db
def test_issue15_the_registration_e_mail_s_unguessable_link_still_opens_the_forms(
    reference_data,
):
    company = register_company()
    assert len(company.forms_ref) >= 43
    page = Client().get(reverse("providers:registration_done", args=[company.forms_ref]))
    assert page.status_code == 200 and company.name in page.content.decode()
