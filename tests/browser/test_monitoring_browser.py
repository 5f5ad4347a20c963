"""R-5.1, R-5.2, R-5.4 in Chromium: a system administrator signs in, opens the monitoring page
from the account page, sees the current state of this node (two real sampler runs) and the SVG
charts, switches to the last 30 days, and axe-core finds no serious or critical violation on
either view."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from lpse.accounts.roles import Role
from lpse.operations import tasks

# axe is a fixture, used as a test parameter.
from tests.browser.a11y import assert_accessible, axe  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, username: str) -> None:
    page.goto("/akun/masuk/")
    page.get_by_label("User ID").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/akun/$"))


def test_R_5_4_a_sysadmin_reads_the_monitoring_page_and_its_charts(page, make_user, settings, axe):
    settings.LPSE_NODE_NAME = node = f"browser-{uuid.uuid4().hex[:8]}"
    settings.LPSE_UPLINK_TARGETS = []
    tasks.sample_host()
    started = time.time()
    while int(time.time()) == int(started):  # one row per metric and second
        time.sleep(0.05)
    tasks.sample_host()
    admin = make_user(Role.SYSADMIN)

    sign_in(page, admin.username)
    page.get_by_role("link", name="Monitoring", exact=True).click()
    expect(page.get_by_role("heading", name="Monitoring", level=1)).to_be_visible()

    current = page.locator(f"#node-{node}")
    expect(current).to_contain_text("sending samples")
    expect(current.locator('tr[data-metric="memory_used_percent"]')).to_contain_text("%")
    expect(current.locator('tr[data-metric="cpu_percent"]')).to_be_visible()
    expect(page.locator("#signed-in")).to_contain_text("System administrator")

    expect(page.get_by_role("heading", name="The last 24 hours")).to_be_visible()
    disk = page.locator("#chart-disk svg[role=img]")
    expect(disk).to_be_visible()
    expect(disk.locator("polyline, circle").first).to_be_attached()
    expect(page.locator("#chart-disk .threshold")).to_have_count(2)  # 80 % and 90 %
    assert page.locator("#charts svg[role=img]").count() >= 5
    assert_accessible(page, axe)

    page.get_by_role("link", name="30 days").click()
    expect(page).to_have_url(re.compile(r"\?range=30d$"))
    expect(page.get_by_role("heading", name="The last 30 days")).to_be_visible()
    expect(page.get_by_role("link", name="30 days")).to_have_attribute("aria-current", "page")
    expect(page.locator("#chart-memory svg[role=img]")).to_be_visible()
    page.locator("#chart-memory summary").click()
    expect(page.locator("#chart-memory table")).to_contain_text(node)
    assert_accessible(page, axe)
