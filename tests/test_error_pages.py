"""Error pages (issue 15): 400/403/404/405/500 in the site's layout, in Indonesian unless the
person chose English, each saying what happened and what to do; a 403 logs one line, no
traceback; the 500 page needs neither the database nor a signed-in user."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import Client, RequestFactory
from django.urls import path, reverse

import lpse.urls
from lpse.accounts.roles import Role
from lpse.core import views as core_views
from lpse.core.capabilities import Cap, public
from tests.conftest import in_english

LAYOUT = "lpse/site.css"  # every page of the layout links the site's stylesheet


@public
def _boom(request):
    raise RuntimeError("a fault in the code")


@public
def _bad(request):
    raise BadRequest("malformed")


# This module is also a URLconf (pytest.mark.urls): the site's pages plus views that fail.
urlpatterns = [path("uji/rusak/", _boom), path("uji/buruk/", _bad), *lpse.urls.urlpatterns]
handler400 = lpse.urls.handler400
handler403 = lpse.urls.handler403
handler404 = lpse.urls.handler404
handler500 = lpse.urls.handler500


@pytest.mark.django_db
def test_issue15_404_is_in_the_layout_in_indonesian_by_default():
    page = Client().get("/tidak-ada-halaman-ini/")
    html = page.content.decode()
    assert page.status_code == 404
    assert LAYOUT in html and '<html lang="id">' in html
    assert "Masuk" in html  # the layout's own "Sign in", as the Indonesian catalogue has it
    assert "/tidak-ada-halaman-ini/" in html
    assert reverse("tenders:public_list") in html and reverse("portal:home") in html


@pytest.mark.django_db
def test_issue15_404_says_what_to_do_in_english_when_chosen(client):
    html = client.get("/tidak-ada/").content.decode()
    assert "Page not found" in html and "What to do" in html and '<html lang="en">' in html


@pytest.mark.django_db
def test_issue15_403_names_the_user_the_roles_the_page_is_for_and_the_way_home(
    make_user, client, caplog
):
    provider = make_user(Role.PROVIDER, username="andi")
    client.force_login(provider)
    with caplog.at_level(logging.INFO):
        page = client.get(reverse("core:audit"))
    html = page.content.decode()
    assert page.status_code == 403 and LAYOUT in html
    assert "You are signed in as andi" in html and str(Role.PROVIDER.label) in html
    for role in (Role.SYSADMIN, Role.AUDITOR, Role.LPSE_HEAD):  # those holding core.view_audit
        assert str(role.label) in html
    assert str(Role.VERIFIER.label) not in html.split("This page is for")[1]
    assert reverse("accounts:home") in html
    forbidden = [r for r in caplog.records if "Forbidden" in r.getMessage()]
    assert len(forbidden) == 1, [r.getMessage() for r in caplog.records]
    line = forbidden[0].getMessage()
    assert reverse("core:audit") in line and "andi" in line and Cap.VIEW_AUDIT in line
    assert forbidden[0].levelno == logging.WARNING
    assert all(r.exc_info is None for r in caplog.records), "a 403 must not log a traceback"


@pytest.mark.django_db
def test_issue15_405_on_a_form_target_renders_the_page_and_keeps_allow(client):
    page = client.get(reverse("accounts:logout"))  # a require_POST view opened as a link
    html = page.content.decode()
    assert page.status_code == 405 and page["Allow"] == "POST"
    assert LAYOUT in html and "This address takes a form" in html and "Back" in html
    assert "Content-Security-Policy" in page.headers  # the rendered page keeps the headers


@pytest.mark.django_db
def test_issue15_405_of_the_api_stays_an_api_answer(client):
    page = client.delete("/api/v1/health")
    assert page.status_code == 405 and LAYOUT not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_issue15_500_is_in_the_layout_and_says_what_to_do():
    client = in_english(Client(raise_request_exception=False))
    page = client.get("/uji/rusak/")
    html = page.content.decode()
    assert page.status_code == 500 and LAYOUT in html
    assert "Something went wrong on our side" in html and "WITA" in html
    assert "a fault in the code" not in html  # the fault is logged, never shown


def test_issue15_500_needs_neither_the_database_nor_a_user():
    """No django_db mark: any query would raise, and the page would fall back to its bare
    text; rendering the layout proves the handler touched neither."""
    request = RequestFactory().get("/")  # no session, no user
    html = core_views.server_error(request).content.decode()
    assert LAYOUT in html and "Sign in" in html  # the layout, signed-out


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_issue15_400_is_in_the_layout(client):
    page = client.get("/uji/buruk/")
    html = page.content.decode()
    assert page.status_code == 400 and LAYOUT in html
    assert "could not be understood" in html and reverse("servicedesk:ask") in html


def test_issue15_the_handlers_are_the_site_s():
    assert lpse.urls.handler404 is core_views.page_not_found
    assert lpse.urls.handler403.func is core_views.permission_denied


@pytest.mark.django_db
def test_issue15_403_of_a_refusal_without_a_capability_still_says_what_to_do(client):
    request = RequestFactory().get("/tiket/HD-1/")
    request.user = AnonymousUser()
    page = lpse.urls.handler403(request, PermissionDenied("not your ticket"))
    html = page.content.decode()
    assert page.status_code == 403 and "You are not signed in" in html
    assert "not your ticket" not in html  # an internal reason, for the log only
    assert reverse("accounts:login") in html


@pytest.mark.django_db
def test_issue15_the_javascript_catalogue_is_served_to_anyone(client):
    page = Client().get(reverse("javascript-catalog"))
    assert page.status_code == 200 and "javascript" in page["Content-Type"]
    assert "django.gettext" in page.content.decode() or "gettext" in page.content.decode()


@pytest.mark.django_db  # every page reads the maintenance announcements
def test_a_form_sent_without_its_csrf_token_gets_the_sites_page():
    """Issue 15: Django's own CSRF page is English and outside the layout."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/akun/masuk/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="csrf-expired"' in page and "CSRF verification failed" not in page
    assert "<html" in page.lower()  # the layout, not a bare technical page
