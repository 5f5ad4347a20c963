"""Issue 15: the public and provider pages are usable on a phone (390 × 844, no sideways scroll),
and every page of the illustrated tour is photographed at phone and desktop (1366 × 768) size.

The screenshots go to $LPSE_SCREENSHOTS when set (else the test's temporary folder), named
``<NN-name>.<phone|desktop>.png``; docs/tour.md says how to refresh docs/tour/ and
docs/screenshot.png from them. The pages are shown in Indonesian, the site's default.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from lpse.accounts.roles import Role

# axe and demo are fixtures, used as test parameters.
from tests.browser.a11y import (  # noqa: F401
    BIDDING_TENDER,
    DESKTOP,
    OPENING_TENDER,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    axe,
    demo,
    demo_provider_ready_to_bid,
    demo_tender_code,
    in_indonesian,
    screenshot_dir,
    sign_in_demo,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photograph(
    page: Page, folder: Path, pages: list[tuple[str, str]], *, must_fit: bool, axe_source: str
):
    """Each (name, path) at both sizes; at phone size, if ``must_fit``, with no sideways scroll
    and no serious axe violation (a table that scrolls must be reachable by keyboard, its text
    readable). Every page is photographed before a failure is reported."""
    problems = []
    for name, path in pages:
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            response = page.goto(path)
            assert response is not None and response.ok, f"{path}: HTTP {response.status}"
            page.screenshot(path=folder / f"{name}.{size_name}.png")
            if must_fit and size is PHONE:
                try:
                    assert_no_horizontal_scroll(page)
                    assert_accessible(page, axe_source)
                except AssertionError as failure:
                    problems.append(str(failure))
    assert not problems, "\n".join(problems)


def signed_in(new_page: Callable[[], Page], role: str) -> Page:
    page = in_indonesian(new_page())
    sign_in_demo(page, role)
    return page


def test_issue15_public_pages_fit_a_phone(demo, axe, page, tmp_path):
    """Home, tenders, a tender, catalogue, registration, sign-in: no sideways scroll at 390 px."""
    code = demo_tender_code(BIDDING_TENDER)
    pages = [
        ("01-portal", "/"),
        ("02-tenders", "/tender/"),
        ("03-tender", f"/tender/{code}/"),
        ("04-catalogue", "/katalog/"),
        ("05-registration", "/daftar/"),
        ("06-sign-in", "/akun/masuk/"),
    ]
    folder = screenshot_dir(tmp_path)
    # The whole home page, for docs/screenshot.png (the README's picture).
    in_indonesian(page).set_viewport_size(DESKTOP)
    page.goto("/")
    page.screenshot(path=folder / "00-home-full.desktop.png", full_page=True)
    photograph(page, folder, pages, must_fit=True, axe_source=axe)


def test_issue15_provider_pages_fit_a_phone(demo, axe, new_page, tmp_path):
    """The provider's home, its bid page with the form, and its experience list at 390 px."""
    code = demo_provider_ready_to_bid()
    pages = [
        ("07-provider-home", "/akun/"),
        ("08-bid", f"/tender/{code}/penawaran/"),
        ("09-experience", "/penyedia/pengalaman/"),
    ]
    page = signed_in(new_page, Role.PROVIDER)
    photograph(page, screenshot_dir(tmp_path), pages, must_fit=True, axe_source=axe)


def test_issue15_staff_pages_are_photographed_for_the_tour(demo, axe, new_page, tmp_path):
    """The committee's tender and opening, the verifier's queue, the backups page: pictures for
    docs/tour.md (staff work at a desk; their pages are not held to the phone width)."""
    folder = screenshot_dir(tmp_path)
    committee = [
        ("10-committee-tender", f"/kelola/tender/{demo_tender_code(BIDDING_TENDER)}/"),
        ("11-opening", f"/kelola/tender/{demo_tender_code(OPENING_TENDER)}/pembukaan/"),
    ]
    photograph(
        signed_in(new_page, Role.COMMITTEE), folder, committee, must_fit=False, axe_source=axe
    )
    verifier = [("12-verifier", "/verifikasi/")]
    photograph(signed_in(new_page, Role.VERIFIER), folder, verifier, must_fit=False, axe_source=axe)
    backups = [("13-backups", "/cadangan/")]
    photograph(signed_in(new_page, Role.APP_ADMIN), folder, backups, must_fit=False, axe_source=axe)
    assert len(list(folder.glob("1[0-3]-*.png"))) == 8
