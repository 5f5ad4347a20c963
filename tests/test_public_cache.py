"""Public pages served from the shared cache to anonymous visitors (R-8.5, issue 19): a change
that shows on them shows at once; nothing per person is ever cached or served from it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from lpse.accounts.roles import Role
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.services.schedule_changes import schedule_change_apply, schedule_change_request
from tests.tender_fixtures import PREPARED_AT, draft_tender, publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_cache_store")]


@pytest.fixture(params=["files", "database"])
def public_cache_store(request, settings):
    """Each test on the one node's file cache and on the cache several nodes share in the
    database (``LPSE_CACHE_URL=database``, issue 19)."""
    if request.param == "database":
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "lpse.core.db_cache.SharedDatabaseCache",
                "LOCATION": "lpse_cache",
            },
        }
    return request.param


def page(client, url="/tender/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get("X-LPSE-Cache", None), response


def test_R_8_5_an_anonymous_visitor_is_served_the_list_from_the_cache(published_tender):
    with time_machine.travel(PREPARED_AT, tick=False):
        first, _built = page(Client())
        again, served = page(Client())
    assert (first, again) == ("miss", "hit")
    assert published_tender.code in served.content.decode()


def test_R_8_5_a_published_tender_shows_at_once(
    agency_a, published_tender, django_capture_on_commit_callbacks
):
    """The no-stale-page test: the list was cached before the second tender's publication."""
    with time_machine.travel(PREPARED_AT, tick=False):
        draft = draft_tender(agency_a, name="Rehabilitasi Gedung Kantor Camat")
        page(Client())
        assert page(Client())[0] == "hit"
        with django_capture_on_commit_callbacks(execute=True):
            publish(agency_a, draft)
        status, response = page(Client())
    assert status == "miss"
    assert draft.code in response.content.decode()


def test_R_8_5_an_applied_schedule_change_shows_at_once(
    agency_a, published_tender, make_user, django_capture_on_commit_callbacks
):
    """Before its schedule starts the list says when it does; a week later after the change."""
    old = sched.wita(published_tender.schedule.get(stage="announcement").start)
    with time_machine.travel(PREPARED_AT, tick=False):
        before = page(Client())[1].content.decode()
        assert page(Client())[0] == "hit" and old in before
        week = timedelta(days=7)
        moved = {e.stage: (e.start + week, e.end + week) for e in published_tender.schedule.all()}
        with django_capture_on_commit_callbacks(execute=True):
            change = schedule_change_request(
                actor=agency_a.members[0],
                tender=published_tender,
                new_schedule=moved,
                reason="Adendum: jadwal diundur satu minggu.",
            )
            schedule_change_apply(actor=make_user(Role.APP_ADMIN), change=change)
        status, response = page(Client())
    after = response.content.decode()
    assert status == "miss"
    assert old not in after and sched.wita(moved["announcement"][0]) in after


def test_R_8_5_a_page_is_kept_no_longer_than_its_rows_keep_their_stage(published_tender):
    """The announcement starts Monday 08:00: a page built a minute before is not served after."""
    start = published_tender.schedule.get(stage="announcement").start
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        page(Client())
        assert page(Client())[0] == "hit"
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        status, response = page(Client())
    with translation.override("id"):  # the visitor's language: Indonesian, the default
        label = sched.label("announcement")
    assert status == "miss" and f"<td>{label}" in response.content.decode()


def test_R_8_5_signed_in_users_never_get_or_make_a_cached_page(published_tender, make_user):
    with time_machine.travel(PREPARED_AT, tick=False):
        member = Client()
        member.force_login(make_user(Role.PROVIDER))
        status, response = page(member)
        assert status is None and "/akun/keluar/" in response.content.decode()
        anonymous_status, anonymous = page(Client())
    assert anonymous_status == "miss"  # the signed-in page was not stored
    assert "/akun/keluar/" not in anonymous.content.decode()


def test_R_8_5_a_visitor_with_a_message_waiting_is_not_served_from_the_cache(published_tender):
    with time_machine.travel(PREPARED_AT, tick=False):
        page(Client())
        visitor = Client()
        visitor.cookies["messages"] = "anything"
        assert page(visitor)[0] is None


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_R_8_5_each_visitor_gets_their_own_csrf_token_in_a_cached_page(published_tender):
    """The language switch on every page is a POST form: a cached page must not hand one
    visitor's CSRF token to the next. Each one's token works for them only."""
    with time_machine.travel(PREPARED_AT, tick=False):
        first = Client(enforce_csrf_checks=True)
        second = Client(enforce_csrf_checks=True)
        page(first)
        status, response = page(second)
        assert status == "hit"
        token = TOKEN.search(response.content.decode()).group(1)
        assert token not in page(first)[1].content.decode()
        switched = second.post("/i18n/setlang/", {"language": "en", "next": "/tender/"})
        assert switched.status_code == 403  # no token sent: refused
        switched = second.post(
            "/i18n/setlang/",
            {"language": "en", "next": "/tender/", "csrfmiddlewaretoken": token},
        )
        assert switched.status_code == 302
