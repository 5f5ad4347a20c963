"""Helpers of the accessibility and phone-layout browser tests: axe-core run inside the page,
the demo's accounts signed in with the keyboard, and a keyboard walk (Tab) to a field.

axe-core is injected with ``page.evaluate`` of its source, never with an added <script> tag: the
site's Content-Security-Policy rightly refuses a foreign script, and loosening it for the test
would hide exactly the regressions these tests are for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from lpse.demo.names import demo_password, demo_username

AXE_SOURCE = Path(__file__).resolve().parents[2] / "js" / "node_modules" / "axe-core" / "axe.min.js"
# What a person cannot get past (axe's "serious" and "critical"); "moderate" and "minor" are
# reported by axe too but do not fail the tests.
BLOCKING = frozenset({"serious", "critical"})
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def axe(chromium) -> str:
    """The source of axe-core's browser build, locked in js/package-lock.json.

    Depends on ``chromium`` so that, without a browser, the test is skipped as every browser test
    is (or fails under LPSE_REQUIRE_BROWSER=1) before the missing file is even looked at."""
    if not AXE_SOURCE.exists():
        pytest.fail(
            f"{AXE_SOURCE} is missing: run scripts/build-js (it installs js/ with npm ci, "
            "axe-core included) and run the tests again"
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def demo(settings):
    """The demo of ``scripts/demo``: one account per role, tenders at several stages, a sealed
    bid. Demo mode, as a newcomer meets it (second factor off, the outbox in the menu)."""
    settings.LPSE_DEMO = True
    settings.LPSE_STAFF_2FA = False
    call_command("load_demo_data")


# The demo's tenders (lpse.demo.tenders): the first is taking bids, the third is at its opening.
BIDDING_TENDER = "Rehabilitasi Gedung SD Negeri 12 Turikale"
OPENING_TENDER = "Normalisasi Saluran Irigasi Lau"


def demo_tender_code(package_name: str) -> str:
    from lpse.tenders.models import Tender

    return Tender.objects.get(package__name=package_name).code


def demo_provider_ready_to_bid() -> str:
    """The demo provider signs the pact of the tender taking bids, registers for it and has a
    bound signing key, so its bid page shows the form; returns the tender's code."""
    from lpse.accounts.models import User
    from lpse.tenders.models import Tender
    from lpse.tenders.services import participation, preparation
    from tests.bid_fixtures import bind_signing_key

    tender = Tender.objects.get(package__name=BIDDING_TENDER)
    provider = User.objects.get(username=demo_username("provider"))
    preparation.pact_sign(actor=provider, tender=tender)
    participation.participation_register(actor=provider, tender=tender)
    bind_signing_key(provider.company)
    return tender.code


def in_indonesian(page: Page) -> Page:
    """Drop the English cookie the ``new_page`` fixture sets: Indonesian is the site's default."""
    page.context.clear_cookies()
    return page


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in by typing, as a keyboard user does (fields found by id: either language)."""
    page.goto("/akun/masuk/")
    page.locator("#id_username").focus()  # the field has autofocus; this only makes it certain
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/akun/$"))


def sign_in_demo(page: Page, role: str, *, username: str = "") -> None:
    """Sign in the demo's account of ``role`` (or another account with that role's password)."""
    sign_in(page, username or demo_username(role), demo_password(role))


def blocking_violations(page: Page, axe_source: str) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    # resultTypes: only violations are needed; passes and incompletes would only cost time.
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """One paragraph per violation: its rule id, what it asks, and the elements that break it."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {' > '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page: Page, axe_source: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus, as a keyboard user would.

    Fails, naming the selector, when it is not reached in ``limit`` presses (not focusable, or
    hidden from the tab order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} never got the keyboard focus in {limit} Tab presses")


def screenshot_dir(tmp_path: Path) -> Path:
    """Where the layout tests save their screenshots: $LPSE_SCREENSHOTS (so docs/tour.md can be
    refreshed from them), else the test's own temporary folder."""
    folder = Path(os.environ.get("LPSE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The widest elements that stick out to the right of the window, for the failure message.
OVERFLOWING = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > window.innerWidth + 1 && box.width > 0) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      out.push(`${name} (right edge at ${Math.round(box.right)}px)`);
    }
  }
  return out.slice(0, 12);
}"""


def assert_no_horizontal_scroll(page: Page) -> None:
    """The page fits the window's width: nothing to scroll sideways (tables scroll in a box)."""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, (
        f"{page.url} is {width}px wide in a {inner}px window; sticking out: "
        + ", ".join(page.evaluate(OVERFLOWING))
    )
