"""R-2.3 / R-5.6 in Chromium: the application administrator writes a pinned announcement for
providers and publishes it; a provider sees it at the top of the home page and receives it by
e-mail; the public sees neither it on the home page nor in the Atom feed, which lists only public
posts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.news import services
from lpse.news.models import Post
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Sosialisasi SPSE versi baru"


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_2_3_a_pinned_announcement_for_providers_reaches_them_and_not_the_public(
    new_page, make_user, verified_provider, smtp_server
):
    admin = make_user(Role.APP_ADMIN)
    # An older public post, so the pinned announcement has something to be above.
    older = services.post_create(
        actor=admin, data=services.PostData(title="Jadwal pelatihan Desember", body="Rabu.")
    )
    services.post_publish(actor=admin, post=older)

    desk = new_page()
    sign_in(desk, admin.username)
    desk.get_by_role("link", name="News and announcements").click()
    desk.get_by_role("link", name="Write a post").click()
    desk.get_by_label("Title").fill(TITLE)
    desk.get_by_label("Text").fill("Hadiri sosialisasi di aula LPSE.\n\nMembawa laptop.")
    desk.get_by_label("Kind").select_option(Post.Kind.ANNOUNCEMENT)
    desk.get_by_label("For").select_option(Post.Audience.PROVIDERS)
    desk.get_by_label("Pin to the top of the home page").check()
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Draft saved")).to_be_visible()
    desk.get_by_role("button", name="Publish and e-mail the audience").click()
    expect(desk.get_by_text("Published, and e-mailed to its audience.")).to_be_visible()
    expect(desk.get_by_text("E-mailed to 1 address")).to_be_visible()

    mail = smtp_server.wait_for(verified_provider.email, TITLE)
    assert "Hadiri sosialisasi di aula LPSE." in smtp_server.body(mail)

    provider = new_page()
    sign_in(provider, verified_provider.username)
    provider.goto("/")
    items = provider.locator("#news .news-item h3")
    expect(items.first).to_have_text(TITLE)  # pinned: above the newer-or-older public post
    expect(items.nth(1)).to_have_text("Jadwal pelatihan Desember")
    items.first.get_by_role("link").click()
    expect(provider.get_by_text("Membawa laptop.")).to_be_visible()

    public = new_page()
    public.goto("/")
    expect(public.locator("#news")).to_contain_text("Jadwal pelatihan Desember")
    expect(public.locator("#news")).not_to_contain_text(TITLE)
    feed = public.request.get("/berita/atom.xml")
    assert feed.ok and "Jadwal pelatihan Desember" in feed.text()
    assert TITLE not in feed.text()
